"""Correct alternatives keep full marks: correct-but-different implementations, each graded on five seeds.

Each alternative is a list of exact edits of the reference (like a mutant, but correct):
np.einsum, other cache contents (dict, extra items, lists), per-gate weight slices, a
vectorised BPTT, numerically stable sigmoids written differently, Fortran-ordered and
non-contiguous outputs, lists where tuples are documented. The edited package is written
to a temporary folder and graded in this process with the grader's own checks
(``in_process_grading``: the same inputs as ``course grade --seed``, the same result-file round
trip as the sandbox child, ``grade_case``), on the tasks of the edited files and their direct callers.
"""

import importlib
import shutil
import sys

import pytest

from autograder.grading import mistakes
from autograder.runtime.manifest import load_manifest

from .in_process_grading import grade_package

SEEDS = (1, 2, 3, 4, 5)
RNN, LAYERS, LM = "a1_vanilla_rnn/rnn.py", "a1_vanilla_rnn/output_layers.py", "a1_vanilla_rnn/char_lm.py"
STACK, CLIP, INIT = "a1_vanilla_rnn/stacked_rnn.py", "a2_bptt_gradients/clipping.py", "a2_bptt_gradients/initializers.py"
LSTM_GATES, LSTM, GRU_GATES, GRU = "a3_lstm/gates.py", "a3_lstm/lstm.py", "a4_gru/gates.py", "a4_gru/gru.py"

VECTORISED_BPTT = '''    step_caches = cache
    N, T, H = dh.shape
    xs = np.stack([step[0] for step in step_caches], axis=1)  # (N, T, D)
    hs_prev = np.stack([step[1] for step in step_caches], axis=1)  # (N, T, H)
    hs = np.stack([step[4] for step in step_caches], axis=1)  # (N, T, H)
    Wx, Wh = step_caches[0][2], step_caches[0][3]
    da = np.zeros((N, T, H))
    dh_future = np.zeros((N, H))
    for t in reversed(range(T)):
        da[:, t] = (dh[:, t] + dh_future) * (1.0 - hs[:, t] ** 2)
        dh_future = da[:, t] @ Wh.T
    dx = da @ Wx.T
    dWx = np.einsum("ntd,nth->dh", xs, da)
    dWh = np.einsum("ntk,nth->kh", hs_prev, da)
    db = da.sum(axis=(0, 1))
    return dx, dh_future, dWx, dWh, db
'''
_RNN_BACKWARD_BODY_START = "    step_caches = cache\n    N, T, H = dh.shape\n    D = step_caches[0][0].shape[1]\n"
_RNN_BACKWARD_BODY_END = "    return dx, dh_future, dWx, dWh, db\n"

ALTERNATIVES = {
    "einsum": [
        (RNN, "h_next = np.tanh(x @ Wx + h_prev @ Wh + b)",
         'h_next = np.tanh(np.einsum("nd,dh->nh", x, Wx) + np.einsum("nk,kh->nh", h_prev, Wh) + b)'),
        (RNN, "dWx = x.T @ da  # (D, H)", 'dWx = np.einsum("nd,nh->dh", x, da)  # (D, H)'),
        (LAYERS, "dh = dout @ W.T  # (N, T, H)", 'dh = np.einsum("ntv,hv->nth", dout, W)  # (N, T, H)'),
        (GRU, "dWh = h_prev.T @ dah  # (H, 3H)", 'dWh = np.einsum("nk,nh->kh", h_prev, dah)  # (H, 3H)'),
    ],
    "dict_cache_with_extra_items": [
        (RNN, "cache = (x, h_prev, Wx, Wh, h_next)",
         'cache = {"x": x, "h_prev": h_prev, "Wx": Wx, "Wh": Wh, "b": b, "h_next": h_next, "a": x @ Wx}'),
        (RNN, "x, h_prev, Wx, Wh, h_next = cache",
         'x, h_prev, Wx, Wh, h_next = (cache[k] for k in ("x", "h_prev", "Wx", "Wh", "h_next"))'),
        (RNN, "D = step_caches[0][0].shape[1]", 'D = step_caches[0]["x"].shape[1]'),
        (LSTM, "cache = (x, h_prev, c_prev, Wx, Wh, i, f, g, o, c_next)",
         "cache = (x, h_prev, c_prev, Wx, Wh, i, f, g, o, c_next, h_next, b)"),
        (LSTM, "x, h_prev, c_prev, Wx, Wh, i, f, g, o, c_next = cache",
         "x, h_prev, c_prev, Wx, Wh, i, f, g, o, c_next = cache[:10]"),
        (GRU, "cache = (x, h_prev, Wx, Wh, ah, r, z, n)", 'cache = {"all": (x, h_prev, Wx, Wh, ah, r, z, n)}'),
        (GRU, "x, h_prev, Wx, Wh, ah, r, z, n = cache", 'x, h_prev, Wx, Wh, ah, r, z, n = cache["all"]'),
        (GRU, "D = step_caches[0][0].shape[1]", 'D = step_caches[0]["all"][0].shape[1]'),
    ],
    "lists_where_tuples_are_documented": [
        (RNN, "    return dx, dh_prev, dWx, dWh, db\n", "    return [dx, dh_prev, dWx, dWh, db]\n"),
        (RNN, "cache = (x, h_prev, Wx, Wh, h_next)\n    return h_next, cache",
         "cache = [x, h_prev, Wx, Wh, h_next]\n    return [h_next, cache]"),
        (STACK, "dlayers[l] = (dWx, dWh, db)", "dlayers[l] = [dWx, dWh, db]"),
        (GRU, "    return h_next, cache\n", "    return [h_next, cache]\n"),
        (LSTM, "    return dx, dh_prev, dc_prev, dWx, dWh, db\n", "    return [dx, dh_prev, dc_prev, dWx, dWh, db]\n"),
    ],
    "per_gate_weight_slices": [
        (LSTM, "a = x @ Wx + h_prev @ Wh + b  # (N, 4H)",
         "H = h_prev.shape[1]\n    a = np.concatenate([x @ Wx[:, k * H:(k + 1) * H] + h_prev @ Wh[:, k * H:(k + 1) * H]"
         " + b[k * H:(k + 1) * H] for k in range(4)], axis=1)  # (N, 4H)"),
        (LSTM, "dWx = x.T @ da  # (D, 4H)",
         "dWx = np.concatenate([x.T @ da[:, k * h_prev.shape[1]:(k + 1) * h_prev.shape[1]] for k in range(4)],"
         " axis=1)  # (D, 4H)"),
        (GRU, "ah = h_prev @ Wh + bh  # (N, 3H)",
         "ah = np.concatenate([h_prev @ Wh[:, k * h_prev.shape[1]:(k + 1) * h_prev.shape[1]]"
         " for k in range(3)], axis=1) + bh  # (N, 3H)"),
    ],
    "vectorised_bptt": [(RNN, "VECTORISED", VECTORISED_BPTT)],
    "stable_sigmoids": [
        (LSTM_GATES, "return sigmoid(a[:, 0:H])", "return np.exp(-np.logaddexp(0.0, -a[:, 0:H]))"),
        (LSTM_GATES, "return sigmoid(a[:, 3 * H : 4 * H])",
         "s = a[:, 3 * H : 4 * H]\n    e = np.exp(-np.abs(s))\n    return np.where(s >= 0, 1.0 / (1.0 + e), e / (1.0 + e))"),
        (GRU_GATES, "return sigmoid(ax[:, 0:H] + ah[:, 0:H])",
         "return 0.5 * (1.0 + np.tanh(0.5 * (ax[:, 0:H] + ah[:, 0:H])))"),
    ],
    "fortran_and_non_contiguous_outputs": [
        (RNN, "    return h, step_caches\n", "    return np.asfortranarray(h), step_caches\n"),
        (RNN, "db = da.sum(axis=0)  # (H,)", "db = np.stack([da.sum(axis=0)] * 2, axis=1)[:, 0]  # (H,) strided"),
        (LAYERS, "out = h @ W + b  # (N, T, V)", "out = np.asfortranarray(h @ W + b)  # (N, T, V)"),
        (LAYERS, "dW = np.einsum(\"nth,ntv->hv\", h, dout)  # (H, V)",
         "dW = np.einsum(\"nth,ntv->vh\", h, dout).T  # (H, V), a transposed view"),
        (LSTM, "    return h, step_caches\n", "    return np.swapaxes(np.swapaxes(h, 0, 1).copy(), 0, 1), step_caches\n"),
        (GRU, "dx = dax @ Wx.T  # (N, D)", "dx = (Wx @ dax.T).T  # (N, D), Fortran-ordered"),
    ],
    "other_formulations": [
        (LM, "out = (indices[..., None] == np.arange(V)).astype(np.float64)", "out = np.eye(V)[indices]"),
        (LAYERS, "loss = float(-np.sum(np.log(picked)) / N)",
         "top = scores.max(axis=-1)\n    log_norm = top + np.log(np.exp(scores - top[..., None]).sum(axis=-1))\n"
         "    loss = float(np.sum(log_norm - scores[n_idx, t_idx, y]) / N)"),
        (CLIP, "total_norm = float(np.sqrt(sum(np.sum(g**2) for g in arrays.values())))",
         "total_norm = float(np.linalg.norm(np.concatenate([g.ravel() for g in arrays.values()])))"),
        (INIT, "Q = Q * np.sign(np.diag(R))", "Q = Q @ np.diag(np.sign(np.diag(R)))"),
        (INIT, "return scale * np.eye(H, dtype=np.float64)", "return np.diag(np.full(H, float(scale)))"),
        (GRU, "r = reset_gate(ax, ah)  # (N, H)\n    z = update_gate(ax, ah)  # (N, H)",
         "H = h_prev.shape[1]\n    r, z = np.split(1.0 / (1.0 + np.exp(-(ax[:, :2 * H] + ah[:, :2 * H]))), 2, axis=1)"),
    ],
}


def _edited(text, old, new):
    if old == "VECTORISED":  # the whole body of rnn_backward
        start = text.index(_RNN_BACKWARD_BODY_START)
        end = text.index(_RNN_BACKWARD_BODY_END, start) + len(_RNN_BACKWARD_BODY_END)
        return text[:start] + new + text[end:]
    assert text.count(old) == 1, old
    return text.replace(old, new)


def _tasks_touched(edits):
    """The tasks whose function lives in an edited file, and the tasks that call one of those directly."""
    files = {file for file, _, _ in edits}
    tasks = load_manifest().tasks
    edited = {task.id for task in tasks if f"{task.package}/{task.file}" in files}
    return edited | {task.id for task in tasks if edited & set(task.uses)}


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    """{alternative: import name} of every alternative, written once as a package under a temporary folder."""
    root = tmp_path_factory.mktemp("alternatives")
    names = {}
    for alternative, edits in ALTERNATIVES.items():
        name = f"alternative_{alternative}"
        shutil.copytree(mistakes.SOLUTIONS_DIR, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.md"))
        for file, old, new in edits:
            path = root / name / file
            path.write_text(_edited(path.read_text(encoding="utf-8"), old, new), encoding="utf-8")
        names[alternative] = name
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    yield names
    sys.path.remove(str(root))


@pytest.mark.slow  # about 15 s on an idle machine (seven alternatives graded on five seeds)
@pytest.mark.parametrize("alternative", sorted(ALTERNATIVES))
def test_a_correct_alternative_keeps_full_marks_on_five_seeds(packages, alternative):
    tasks = _tasks_touched(ALTERNATIVES[alternative])
    for seed in SEEDS:
        results = grade_package(packages[alternative], seed, tasks)
        lost = {task_id: [found.code for found in result.problems]
                for task_id, result in results.items() if result.points != result.max_points}
        assert lost == {}, (alternative, seed, lost)


def test_every_edit_changes_the_code():
    """An alternative whose edits did not apply would be the reference itself, proving nothing."""
    for alternative, edits in ALTERNATIVES.items():
        for file, old, new in edits:
            text = (mistakes.SOLUTIONS_DIR / file).read_text(encoding="utf-8")
            assert _edited(text, old, new) != text, (alternative, old)


def test_the_same_grading_fails_a_catalogued_mistake():
    """The in-process grading is not vacuous: a mutant of the catalogue loses points on its task, and the
    grader's diagnosis names it there (and only there: Task 1.1 passes, and no hint names it elsewhere)."""
    mistake = next(m for m in mistakes.CATALOGUE if m.id == "rnn_step_dWh_transposed")
    results = grade_package(mistakes.mutant_package(mistake), SEEDS[0], {"1.1", "1.2", "1.4"}, diagnose=True)
    assert results["1.2"].points < results["1.2"].max_points and results["1.1"].passed
    assert results["1.2"].mistakes == [mistake]
    assert [hint.code for hint in results["1.2"].hints] == [f"mistake.{mistake.id}", "task.hint"]
    assert results["1.4"].mistakes == [] and [hint.code for hint in results["1.4"].hints] == ["task.hint"]
