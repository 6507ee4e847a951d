"""A2-A4: the adding problem for a tanh RNN, an IRNN, an LSTM and a GRU with equal parameter counts.

Data: ``adding_problem`` (Task 2.10): two channels (value ~ U[0, 1), marker),
one marker in each half, target = sum of the two marked values. Predicting the
mean 1 gives MSE 1/6 (the baseline line in the figure).

Models (``seq_models.py``): the student's ``rnn_forward`` / ``relu_rnn_forward``
/ ``lstm_forward`` / ``gru_forward`` and their backward passes, a linear head on
the last hidden state, MSE, Adam, gradients clipped at global norm 1 with
``clip_grad_norm``, fresh batches of 32 sequences at every step. The hidden sizes
are chosen so that every model has about the same number of parameters
(``PARAMETER_BUDGET``; tanh RNN H = 33, IRNN H = 33, LSTM H = 16, GRU H = 18).
The IRNN (ReLU, Wh = I, b = 0; Le, Jaitly & Hinton 2015) uses a smaller
learning rate (``LEARNING_RATES``): at 0.02 its unbounded ReLU state blows up.
Every (model, seed) training is independent; the full run spreads them over
worker processes.

Measured, per model and seed: the test MSE on 500 held-out sequences after
training and the training MSE over the last 50 steps. Written: ``adding.png``
(training curves, every seed drawn) and ``adding_table.md`` (the equal-parameter
comparison and how it relates to Chung et al. 2014).

References: Hochreiter & Schmidhuber (1997), experiment 4; Le, Jaitly &
Hinton (2015), section 4.1; Chung, Gulcehre, Cho & Bengio (2014), "Empirical
evaluation of gated recurrent neural networks on sequence modeling".
"""

import contextlib
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from solutions.a2_bptt_gradients.adding_problem import BASELINE_MSE

from .common import plot_seeds, plt, save_figure, seeds_from, smooth
from .seq_models import LABELS, MODELS, hidden_size_for, parameter_count, train_adding

PARAMETER_BUDGET = 1233  # an LSTM with H = 16 on 2 inputs, head included
LEARNING_RATES = {"rnn": 2e-2, "irnn": 2e-3, "lstm": 2e-2, "gru": 2e-2}
SETTINGS = {"full": {"T": 30, "steps": 400, "seeds": 3}, "quick": {"T": 10, "steps": 150, "seeds": 3}}
BATCH, TEST_SIZE, TAIL = 32, 500, 50
COLORS = {"rnn": "C3", "irnn": "C1", "lstm": "C0", "gru": "C2"}
COST = {"rnn": 1.0, "irnn": 1.0, "lstm": 3.0, "gru": 3.0}  # relative time per step, for scheduling only

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
    H = hidden_size_for(model, 2, PARAMETER_BUDGET)
    return train_adding(model, T, steps, H=H, batch=BATCH, lr=LEARNING_RATES[model], max_norm=1.0, seed=seed,
                        test_size=TEST_SIZE)


def train_many(jobs, workers):
    """Train every (model, T, steps, seed) job, in ``workers`` processes when > 1; returns results in job order."""
    todo = [job for job in jobs if job not in TRAINED]
    if workers > 1 and len(todo) > 1:
        order = sorted(todo, key=lambda j: -COST[j[0]])  # longest first
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


def plot_curves(by_model, T, steps, out_dir):
    """Training MSE per model (moving average of 25 steps), every seed drawn, the 1/6 baseline."""
    fig, ax = plt.subplots(figsize=(10, 6))
    w = 25
    x = np.arange(w - 1, steps)
    for model, runs in by_model.items():
        curves = [smooth(r["losses"], w) for r in runs]
        H = runs[0]["H"]
        plot_seeds(ax, x, curves, COLORS[model], f"{LABELS[model]}, H = {H}, {parameter_count(model, 2, H)} params")
    ax.axhline(BASELINE_MSE, color="k", ls="--", lw=1.2, label="baseline 1/6: always predict 1")
    ax.set_title(f"Adding problem, T = {T}: equal-parameter models (Adam, clip 1, batch {BATCH})")
    ax.set_xlabel("Adam step (one fresh batch each)")
    ax.set_ylabel("training MSE, moving average of 25 steps (log scale)")
    ax.set_ylim(1e-4, 1.0)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="lower left", fontsize=9)
    return save_figure(fig, out_dir, "adding.png")


def comparison_table(by_model, T, steps):
    """The equal-parameter table (Markdown) and the sentence relating it to Chung et al. (2014)."""
    lines = [f"# Adding problem, T = {T}, {steps} Adam steps, {len(next(iter(by_model.values())))} seeds", "",
             "| model | hidden size | parameters | test MSE, mean ± std | test MSE per seed | seeds below 1/6 |",
             "| --- | --- | --- | --- | --- | --- |"]
    tests = {}
    for model, runs in by_model.items():
        values = np.array([r["test_mse"] for r in runs])
        tests[model] = values
        H = runs[0]["H"]
        lines.append(f"| {LABELS[model]} | {H} | {parameter_count(model, 2, H)} | {values.mean():.4f} ± "
                     f"{values.std():.4f} | {', '.join(f'{v:.4f}' for v in values)} | "
                     f"{int(np.sum(values < BASELINE_MSE))} of {len(values)} |")
    lines += ["", f"Baseline (always predict 1): MSE {BASELINE_MSE:.4f}.", "", chung_comparison(tests)]
    return "\n".join(lines) + "\n", tests


def chung_comparison(tests):
    """One paragraph relating the measured LSTM / GRU / tanh RNN test errors to Chung et al. (2014)."""
    lstm, gru, rnn = tests["lstm"], tests["gru"], tests["rnn"]
    gru_wins = int(np.sum(gru < lstm))
    overlap = max(lstm.min(), gru.min()) <= min(lstm.max(), gru.max())
    stuck = int(np.sum(lstm > 0.9 * BASELINE_MSE))
    gated_beat_rnn = bool(max(np.median(lstm), np.median(gru)) < np.median(rnn))
    return ("Chung et al. (2014) compared the LSTM and the GRU with equal parameter counts on polyphonic music and "
            "speech signal modelling: both beat the tanh RNN, and neither was consistently better than the other. "
            "This run is a different task (a synthetic long-range regression), with much shorter training and "
            f"{len(gru)} seeds, so it is comparable only in direction, not in numbers. Here: the gated models' median "
            f"test MSE is {'below' if gated_beat_rnn else 'not below'} the tanh RNN's; the GRU ends below the LSTM on "
            f"{gru_wins} of {len(gru)} seeds; the two models' ranges over seeds "
            f"{'overlap' if overlap else 'do not overlap'}"
            + (f"; {stuck} LSTM seed(s) are still near the 1/6 plateau when training stops (see adding.png)"
               if stuck else "")
            + ". Chung et al. found the ranking of the two gated cells to depend on the task; one short run on one "
            "task cannot settle which cell is better.")


def run(out_dir, quick=False, seed=0, workers=None):
    """Train the four models on >= 3 seeds each; write adding.png and adding_table.md."""
    start = time.perf_counter()
    setting = SETTINGS["quick" if quick else "full"]
    T, steps = setting["T"], setting["steps"]
    if workers is None:
        workers = 1 if quick else default_workers()
    seeds = seeds_from(seed, setting["seeds"])
    jobs = [(model, T, steps, s) for model in MODELS for s in seeds]
    results = train_many(jobs, workers)
    by_model = {model: [r for r in results if r["model"] == model] for model in MODELS}
    table, tests = comparison_table(by_model, T, steps)
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    (Path(out_dir) / "adding_table.md").write_text(table, encoding="utf-8")
    measured = {"baseline_mse": BASELINE_MSE, "T": T, "steps": steps, "seeds": seeds, "workers": workers,
                "table": table}
    for model, runs in by_model.items():
        measured[f"test_mse_{model}"] = tests[model].tolist()
        measured[f"final_mse_{model}"] = [float(np.mean(r["losses"][-TAIL:])) for r in runs]
        measured[f"hidden_{model}"] = runs[0]["H"]
        measured[f"parameters_{model}"] = parameter_count(model, 2, runs[0]["H"])
    measured["figures"] = [plot_curves(by_model, T, steps, out_dir)]
    measured["tables"] = ["adding_table.md"]
    measured["wall_seconds"] = time.perf_counter() - start
    return measured
