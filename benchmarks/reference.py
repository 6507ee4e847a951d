"""Benchmark: the reference RNN, LSTM and GRU (forward + backward) against torch.nn on the CPU, in the same run.

float64, one thread for both (numpy's BLAS and torch), batch-major inputs of shape (N, T, D), hidden size H.
Every figure is the median of ``--repeats`` runs of forward + backward over the whole sequence; the ratio is the
median of ours / torch's over pairs run one after the other (the target is <= 1.0). Without torch installed it says so and exits 0.
Under each model: the time of its matrix products alone (numpy's BLAS, no gate or nonlinearity), per step as the
step functions compute them and with one input projection over all steps (as torch.nn does): what any numpy
implementation of the same step-by-step structure pays at least.

    OPENBLAS_NUM_THREADS=1 python benchmarks/reference.py [--N 64] [--T 50] [--D 128] [--H 128] [--repeats 7]

The thread limits are set before numpy is imported when they are not set already.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from solutions.a1_vanilla_rnn.rnn import rnn_backward, rnn_forward  # noqa: E402
from solutions.a3_lstm.lstm import lstm_backward, lstm_forward  # noqa: E402
from solutions.a4_gru.gru import gru_backward, gru_forward  # noqa: E402


def seconds(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def paired(mine, theirs, repeats):
    """Medians of (our time, torch's time, our time / torch's time), the two run alternately (a busy machine
    slows both alike)."""
    mine(), theirs()  # warm up (allocations, BLAS)
    pairs = [(seconds(mine), seconds(theirs)) for _ in range(repeats)]
    return (statistics.median(a for a, _ in pairs), statistics.median(b for _, b in pairs),
            statistics.median(a / b for a, b in pairs))


def ours(kind, x, h0, weights, dh):
    """Forward + backward of the reference over the whole sequence."""
    forward, backward = {"rnn": (rnn_forward, rnn_backward), "lstm": (lstm_forward, lstm_backward),
                         "gru": (gru_forward, gru_backward)}[kind]
    h, cache = forward(x, h0, *weights)
    return backward(dh, cache)


def torch_model(torch, kind, D, H):
    cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
    return cls(D, H, batch_first=True, dtype=torch.float64)


def theirs(torch, model, kind, x, h0, dh):
    """Forward + backward of torch.nn over the whole sequence (gradients of the inputs and the weights)."""
    model.zero_grad(set_to_none=True)
    x = x.detach().requires_grad_(True)
    h0 = h0.detach().requires_grad_(True)
    state = (h0, torch.zeros_like(h0)) if kind == "lstm" else h0
    out, _ = model(x, state)
    out.backward(dh)
    return x.grad, h0.grad


def matrix_products(x, Wx, Wh, fused):
    """Only the matrix products of forward + backward (no gate, no nonlinearity): what BLAS alone costs.

    fused=False: per step, as the step functions do (x_t Wx and h Wh forward; dA Wx^T, dA Wh^T, x_t^T dA and
    h^T dA backward). fused=True: the input projection and its gradients as one product over all steps (what
    torch.nn does), the hidden products per step."""
    N, T, D = x.shape
    h = np.ones((N, Wh.shape[0]))
    da = np.ones((N, Wh.shape[1]))
    if fused:
        X = x.reshape(N * T, D)
        X @ Wx
        for _ in range(T):
            h @ Wh
            da @ Wh.T
            h.T @ da
        dA = np.ones((N * T, Wh.shape[1]))
        dA @ Wx.T
        X.T @ dA
        return
    for t in range(T):
        x_t = x[:, t]
        x_t @ Wx
        h @ Wh
        da @ Wx.T
        da @ Wh.T
        x_t.T @ da
        h.T @ da


def weights(rng, kind, D, H):
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[kind]
    Wx = rng.standard_normal((D, gates * H)) * 0.1
    Wh = rng.standard_normal((H, gates * H)) * 0.1
    if kind == "gru":
        return Wx, Wh, rng.standard_normal(3 * H) * 0.1, rng.standard_normal(3 * H) * 0.1
    return Wx, Wh, rng.standard_normal(gates * H) * 0.1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name, default in (("--N", 64), ("--T", 50), ("--D", 128), ("--H", 128), ("--repeats", 7)):
        parser.add_argument(name, type=int, default=default)
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        print("benchmarks/reference.py: torch is not installed; nothing to compare with (skipped)")
        return 0
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    N, T, D, H = args.N, args.T, args.D, args.H
    x, h0, dh = rng.standard_normal((N, T, D)), rng.standard_normal((N, H)), rng.standard_normal((N, T, H))
    tx, th0, tdh = torch.from_numpy(x), torch.from_numpy(h0).unsqueeze(0), torch.from_numpy(dh)
    print(f"forward + backward, float64, 1 thread, N={N} T={T} D={D} H={H}, median of {args.repeats}")
    worst = 0.0
    for kind in ("rnn", "lstm", "gru"):
        w = weights(rng, kind, D, H)
        model = torch_model(torch, kind, D, H)
        mine, reference, ratio = paired(lambda: ours(kind, x, h0, w, dh),
                                        lambda: theirs(torch, model, kind, tx, th0, tdh), args.repeats)
        worst = max(worst, ratio)
        print(f"{kind:<5} ours {mine * 1000:8.2f} ms   torch.nn {reference * 1000:8.2f} ms   {ratio:.2f}x torch")
        for fused, label in ((False, "per step, as the step functions"), (True, "one input projection")):
            alone, reference, floor = paired(lambda: matrix_products(x, w[0], w[1], fused),
                                             lambda: theirs(torch, model, kind, tx, th0, tdh), args.repeats)
            print(f"      its matrix products alone, {label:<32} {alone * 1000:8.2f} ms   {floor:.2f}x torch")
    print(f"worst ratio {worst:.2f}x torch (target <= 1.00x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
