"""A2-A4: the adding problem at T = 10, 50, 100 for a tanh RNN, an LSTM and a GRU.

Data: ``adding_problem`` (Task 2.10, reference): two channels (value ~ U[0, 1),
marker), one marker in each half, target = sum of the two marked values.
Predicting the mean 1 gives MSE 1/6 (the baseline line in the figure).

Models (``seq_models.py``): hidden size 32, reference ``rnn_forward`` /
``lstm_forward`` / ``gru_forward`` and their backward passes, a linear head on
the last hidden state, MSE, Adam (lr 0.02), gradients clipped at global norm 1
with ``clip_grad_norm``, fresh batches of 64 sequences at every step. The nine
(model, T) trainings are independent; the full run spreads them over worker
processes (one BLAS thread each), the longest first.

Measured: final training MSE per (model, T), averaged over the last 50 steps
(every batch is fresh, so this is an unbiased estimate of the test error), the
MSE on 1000 held-out sequences, and the wall time of each training.
Expected: at T = 100 the RNN stays near 1/6 (its gradient from the first marker
vanishes through ~75 tanh steps) while the LSTM and the GRU fall below 0.01,
after a plateau at the baseline.

References: Hochreiter & Schmidhuber (1997), experiment 4; Le, Jaitly &
Hinton (2015), section 4.1; Arjovsky, Shah & Bengio (2016), section 4.2;
Pascanu, Mikolov & Bengio (2013); Chung et al. (2014) (GRU vs LSTM).
"""

import contextlib
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from solutions.a2_bptt_gradients.adding_problem import BASELINE_MSE

from .common import plt, save_figure, smooth
from .seq_models import MODELS, train_adding

# Adam settings shared by every training (``gates`` reuses them to hit the cache).
CONFIG = {"H": 32, "batch": 64, "lr": 2e-2, "max_norm": 1.0}
FULL_STEPS = {10: 400, 50: 600, 100: 800}
QUICK_STEPS = {10: 250}
COLORS = {"rnn": "C3", "lstm": "C0", "gru": "C2"}
# Relative cost of one time step of each model (measured: RNN 0.22 ms, LSTM 0.68, GRU 0.49).
COST = {"rnn": 0.22, "lstm": 0.68, "gru": 0.49}
TAIL = 50

# Trainings done in this process, keyed by (model, T, steps, seed): reused by ``gates``.
TRAINED = {}

BLAS_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@contextlib.contextmanager
def single_thread_blas_env():
    """Set the BLAS thread variables to 1 while worker processes are spawned, then restore them."""
    saved = {k: os.environ.get(k) for k in BLAS_THREAD_VARS}
    os.environ.update({k: "1" for k in BLAS_THREAD_VARS})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _train_job(job):
    model, T, steps, seed = job
    return train_adding(model, T, steps, seed=seed, **CONFIG)


def train_many(jobs, workers):
    """Train every (model, T, steps, seed) job, in ``workers`` processes when > 1; returns results in job order."""
    todo = [job for job in jobs if job not in TRAINED]
    if workers > 1 and len(todo) > 1:
        order = sorted(todo, key=lambda j: -COST[j[0]] * j[1] * j[2])  # longest first
        ctx = multiprocessing.get_context("spawn")
        with single_thread_blas_env(), ProcessPoolExecutor(min(workers, len(order)), mp_context=ctx) as pool:
            for job, result in zip(order, pool.map(_train_job, order)):
                TRAINED[job] = result
    else:
        for job in todo:
            TRAINED[job] = _train_job(job)
    return [TRAINED[job] for job in jobs]


def default_workers():
    """Worker processes for full runs: the usable CPU cores, at most 4."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def plot_curves(results, steps_by_T, out_dir):
    """One panel per T: smoothed training MSE per model, the 1/6 baseline and the 0.01 line."""
    Ts = sorted(steps_by_T)
    fig, axes = plt.subplots(1, len(Ts), figsize=(5.2 * len(Ts), 4.3), squeeze=False)
    for ax, T in zip(axes[0], Ts):
        for r in (r for r in results if r["T"] == T):
            losses = np.asarray(r["losses"])
            w = 25
            ax.semilogy(losses, color=COLORS[r["model"]], alpha=0.15, lw=0.7)
            final = float(np.mean(losses[-TAIL:]))
            ax.semilogy(np.arange(w - 1, len(losses)), smooth(losses, w), color=COLORS[r["model"]], lw=1.8,
                        label=f"{r['model'].upper()}: final {final:.4f}")
        ax.axhline(BASELINE_MSE, color="k", ls="--", lw=1, label="baseline 1/6 (predict 1)")
        ax.axhline(0.01, color="gray", ls=":", lw=1, label="0.01")
        ax.set_title(f"Adding problem, T = {T}")
        ax.set_xlabel("Adam step (batch 64)")
        ax.set_ylabel("training MSE (log scale)")
        ax.set_ylim(1e-4, 1.0)
        ax.legend(fontsize=8, loc="lower left")
    fig.suptitle("tanh RNN vs LSTM vs GRU (H = 32, Adam lr 0.02, clip 1.0; thick: moving average of 25)")
    fig.tight_layout()
    return save_figure(fig, out_dir, "adding.png")


def run(out_dir, quick=False, seed=0, workers=None):
    """Train the nine (or, quick, three at T = 10) models and plot MSE against steps."""
    start = time.perf_counter()
    steps_by_T = QUICK_STEPS if quick else FULL_STEPS
    if workers is None:
        workers = 1 if quick else default_workers()
    jobs = [(model, T, steps, seed) for T, steps in steps_by_T.items() for model in MODELS]
    results = train_many(jobs, workers)
    measured = {"baseline_mse": BASELINE_MSE, "Ts": sorted(steps_by_T), "steps": dict(steps_by_T), "workers": workers}
    for r in results:
        key = f"{r['model']}_T{r['T']}"
        measured[f"final_mse_{key}"] = float(np.mean(r["losses"][-TAIL:]))
        measured[f"test_mse_{key}"] = r["test_mse"]
        measured[f"seconds_{key}"] = r["seconds"]
    measured["figures"] = [plot_curves(results, steps_by_T, out_dir)]
    measured["wall_seconds"] = time.perf_counter() - start
    return measured
