"""Print the measured errors of the reference: backward vs centred differences, forward/backward vs PyTorch.

    python -m tests.reference.measure_errors

Finite differences: for every task with a gradient check (autograder/runtime/cases_a*.py),
the max element-wise relative error (solutions.common.gradcheck.rel_error) and the
whole-array error ||a - b|| / (||a|| + ||b||) between the reference's gradients and
centred differences of the reference's forward, over the public shapes and
(N, T, D, H) = (1, 1, 3, 4), (3, 4, 5, 2). The element-wise error is dominated by
entries near zero, where the differences' round-off (~1e-11) is large relative to the entry.
PyTorch: max |difference| of outputs and of every gradient against
torch.nn.RNN / LSTM / GRU (float64) on the same shapes. The tests in
tests/reference assert the bounds (< 1e-7 and < 1e-10) on their own shapes.
"""

import numpy as np
import torch

from solutions.a1_vanilla_rnn.rnn import rnn_backward, rnn_forward
from solutions.a3_lstm.lstm import lstm_backward, lstm_forward
from solutions.a4_gru.gru import gru_backward, gru_forward
from solutions.common.gradcheck import numerical_gradient, rel_error
from autograder.runtime import harness

SHAPES = list(harness.PUBLIC_DIMS) + [{"N": 1, "T": 1, "D": 3, "H": 4}, {"N": 3, "T": 4, "D": 5, "H": 2}]


def finite_difference_errors():
    load = harness.make_loader("solutions")
    worst = {}
    for task_id, spec in harness.all_specs().items():
        if spec.grad_checks is None:
            continue
        dims_list = SHAPES if spec.dims is harness.PUBLIC_DIMS else spec.dims
        for k, dims in enumerate(dims_list):
            args = spec.inputs(np.random.default_rng(100 + k), **dims)
            outputs, _ = harness.run_case(spec, load, args)
            for grad_name, input_name in spec.grad_checks.wrt.items():
                numeric = numerical_gradient(
                    lambda v, n=input_name: spec.grad_checks.loss(load, {**args, n: v}), np.array(args[input_name]))
                element, whole = worst.get(task_id, (0.0, 0.0))
                worst[task_id] = (max(element, rel_error(outputs[grad_name], numeric)),
                                  max(whole, harness.norm_rel_error(outputs[grad_name], numeric)))
    return worst


def torch_errors():
    torch.set_default_dtype(torch.float64)
    worst = {}
    for kind, gates, forward, backward in (("RNN", 1, rnn_forward, rnn_backward), ("LSTM", 4, lstm_forward, lstm_backward),
                                           ("GRU", 3, gru_forward, gru_backward)):
        for k, dims in enumerate(SHAPES):
            N, T, D, H = dims["N"], dims["T"], dims["D"], dims["H"]
            rng = np.random.default_rng(k)
            x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H)) * 0.5
            Wx, Wh = rng.standard_normal((D, gates * H)) * 0.5, rng.standard_normal((H, gates * H)) * 0.5
            b1, b2 = rng.standard_normal(gates * H) * 0.5, rng.standard_normal(gates * H) * 0.5
            biases = (b1, b2) if kind == "GRU" else (b1 + b2,)
            h, cache = forward(x, h0, Wx, Wh, *biases)
            dh = rng.standard_normal(h.shape)
            grads = backward(dh, cache)
            module = getattr(torch.nn, kind)(D, H, batch_first=True)
            with torch.no_grad():
                module.weight_ih_l0.copy_(torch.from_numpy(Wx.T))
                module.weight_hh_l0.copy_(torch.from_numpy(Wh.T))
                module.bias_ih_l0.copy_(torch.from_numpy(b1))
                module.bias_hh_l0.copy_(torch.from_numpy(b2))  # RNN/LSTM: the course's b is their sum
            xt = torch.from_numpy(x).requires_grad_()
            h0t = torch.from_numpy(h0)[None].clone().requires_grad_()
            state = (h0t, torch.zeros_like(h0t)) if kind == "LSTM" else h0t
            out, _ = module(xt, state)
            out.backward(torch.from_numpy(dh))
            dbias = (module.bias_ih_l0.grad.numpy(), module.bias_hh_l0.grad.numpy())
            reference = [xt.grad.numpy(), h0t.grad[0].numpy(), module.weight_ih_l0.grad.numpy().T,
                         module.weight_hh_l0.grad.numpy().T, *(dbias if kind == "GRU" else dbias[:1])]
            errors = [np.max(np.abs(h - out.detach().numpy()))]
            errors += [np.max(np.abs(mine - theirs)) for mine, theirs in zip(grads, reference)]
            worst[f"{kind} forward"] = max(worst.get(f"{kind} forward", 0.0), float(errors[0]))
            worst[f"{kind} backward"] = max(worst.get(f"{kind} backward", 0.0), float(max(errors[1:])))
    return worst


def main():
    print("reference's gradients vs centred differences: max element-wise relative error | max ||a-b||/(||a||+||b||)")
    for task_id, (element, whole) in finite_difference_errors().items():
        spec = harness.REGISTRY[task_id]
        print(f"  Task {task_id:<5} {spec.function:<30} {element:.2e} | {whole:.2e}")
    print("max absolute difference vs torch.nn (float64)")
    for name, error in torch_errors().items():
        print(f"  {name:<15} {error:.2e}")


if __name__ == "__main__":
    main()
