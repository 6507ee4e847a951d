"""Task specs of Assignment 4 (GRU, PyTorch convention, gate order r, z, n): inputs, arguments and output names,
gradient checks.

The function each spec calls is the one ``course.yml`` names for its task.
"""

import numpy as np

from .harness import CACHE, GradCheck, OutputOf, TaskSpec, call_task, register, weighted_loss
from .cases_common import candidate_value, gate_value, gradients_of


def preactivation_inputs(rng, N, T, D, H):
    """The two halves ax = x Wx + bx and ah = h_prev Wh + bh of a GRU step, each (N, 3H)."""
    return {"ax": rng.standard_normal((N, 3 * H)), "ah": rng.standard_normal((N, 3 * H))}


# 4.1 - 4.4: gates.py ----------------------------------------------------------------------------
register(TaskSpec("4.1", preactivation_inputs, call=("ax", "ah"), outputs=("r",)))
register(TaskSpec("4.2", preactivation_inputs, call=("ax", "ah"), outputs=("z",)))
register(TaskSpec(
    "4.3", lambda rng, N, T, D, H: {**preactivation_inputs(rng, N, T, D, H), "r": gate_value(rng, N, H)},
    call=("ax", "ah", "r"), outputs=("n",)))


def hidden_update_inputs(rng, N, T, D, H):
    return {"n": candidate_value(rng, N, H), "z": gate_value(rng, N, H), "h_prev": rng.standard_normal((N, H))}


register(TaskSpec("4.4", hidden_update_inputs, call=("n", "z", "h_prev"), outputs=("h",)))


# 4.5 - 4.6: gates_backward.py -------------------------------------------------------------------
register(TaskSpec(
    "4.5", lambda rng, N, T, D, H: {**hidden_update_inputs(rng, N, T, D, H), "dh": rng.standard_normal((N, H))},
    call=("dh", "n", "z", "h_prev"), outputs=("dn", "dz", "dh_prev"),
    grad_checks=GradCheck(weighted_loss({OutputOf("4.4", "h"): "dh"}), gradients_of(("n", "z", "h_prev")))))


def candidate_backward_inputs(rng, N, T, D, H):
    """The candidate halves ax_n, ah_n (N, H) are separate arrays so the gradient check can perturb them;
    ax_rz, ah_rz (N, 2H) are the fixed r and z parts that complete ax and ah to (N, 3H)."""
    return {"ax_rz": rng.standard_normal((N, 2 * H)), "ax_n": rng.standard_normal((N, H)),
            "ah_rz": rng.standard_normal((N, 2 * H)), "ah_n": rng.standard_normal((N, H)),
            "r": gate_value(rng, N, H), "dn": rng.standard_normal((N, H))}


def _candidate(load, a):
    """n of the implementation's own candidate_hidden (Task 4.3) on ax, ah completed from their parts."""
    ax = np.concatenate([a["ax_rz"], a["ax_n"]], axis=1)  # (N, 3H)
    ah = np.concatenate([a["ah_rz"], a["ah_n"]], axis=1)  # (N, 3H)
    return call_task("4.3", load, {"ax": ax, "ah": ah, "r": a["r"]})["n"]


def _candidate_backward(function, load, a):
    return dict(zip(("dax_n", "dah_n", "dr"), function(a["dn"], _candidate(load, a), a["r"], a["ah_n"])))


register(TaskSpec(
    "4.6", candidate_backward_inputs, adapter=_candidate_backward,
    grad_checks=GradCheck(lambda load, a: float(np.sum(np.asarray(_candidate(load, a)) * a["dn"])),
                          {"dax_n": "ax_n", "dah_n": "ah_n", "dr": "r"})))


# 4.7 - 4.10: gru.py -----------------------------------------------------------------------------
def gru_params(rng, D, H):
    return {"Wx": rng.standard_normal((D, 3 * H)) * 0.5, "Wh": rng.standard_normal((H, 3 * H)) * 0.5,
            "bx": rng.standard_normal(3 * H) * 0.5, "bh": rng.standard_normal(3 * H) * 0.5}


def step_inputs(rng, N, T, D, H):
    return {"x": rng.standard_normal((N, D)), "h_prev": rng.standard_normal((N, H)) * 0.5, **gru_params(rng, D, H)}


def seq_inputs(rng, N, T, D, H):
    return {"x": rng.standard_normal((N, T, D)), "h0": rng.standard_normal((N, H)) * 0.5, **gru_params(rng, D, H)}


STEP_ARGS = ("x", "h_prev", "Wx", "Wh", "bx", "bh")
SEQ_ARGS = ("x", "h0", "Wx", "Wh", "bx", "bh")

register(TaskSpec("4.7", step_inputs, call=STEP_ARGS, outputs=("h_next", CACHE)))
register(TaskSpec(
    "4.8", lambda rng, N, T, D, H: {**step_inputs(rng, N, T, D, H), "dh_next": rng.standard_normal((N, H))},
    call=("dh_next", OutputOf("4.7")), outputs=("dx", "dh_prev", "dWx", "dWh", "dbx", "dbh"),
    grad_checks=GradCheck(weighted_loss({OutputOf("4.7", "h_next"): "dh_next"}), gradients_of(STEP_ARGS))))

register(TaskSpec("4.9", seq_inputs, call=SEQ_ARGS, outputs=("h", CACHE)))
register(TaskSpec(
    "4.10", lambda rng, N, T, D, H: {**seq_inputs(rng, N, T, D, H), "dh": rng.standard_normal((N, T, H))},
    call=("dh", OutputOf("4.9")), outputs=("dx", "dh0", "dWx", "dWh", "dbx", "dbh"),
    grad_checks=GradCheck(weighted_loss({OutputOf("4.9", "h"): "dh"}), gradients_of(SEQ_ARGS))))


# 4.11 - 4.12: gru_cho.py, the reset gate before the matmul (Cho et al. 2014, d2l.ai); no backward formula is
# printed anywhere: the gradient check against the student's own forward and the reference decide ---------------
register(TaskSpec("4.11", step_inputs, call=STEP_ARGS, outputs=("h_next", CACHE)))
register(TaskSpec(
    "4.12", lambda rng, N, T, D, H: {**step_inputs(rng, N, T, D, H), "dh_next": rng.standard_normal((N, H))},
    call=("dh_next", OutputOf("4.11")), outputs=("dx", "dh_prev", "dWx", "dWh", "dbx", "dbh"),
    grad_checks=GradCheck(weighted_loss({OutputOf("4.11", "h_next"): "dh_next"}), gradients_of(STEP_ARGS))))
