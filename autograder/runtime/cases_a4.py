"""Task specs of Assignment 4 (GRU, PyTorch convention, gate order r, z, n): inputs, how to call, gradient checks."""

import numpy as np

from .harness import GradCheck, TaskSpec, register

GATES = "a4_gru.gates"
GATES_BW = "a4_gru.gates_backward"
GRU = "a4_gru.gru"


def weighted(array, weights):
    return float(np.sum(np.asarray(array) * weights))


def preactivation_inputs(rng, N, T, D, H):
    """The two halves ax = x Wx + bx and ah = h_prev Wh + bh of a GRU step, each (N, 3H)."""
    return {"ax": rng.standard_normal((N, 3 * H)), "ah": rng.standard_normal((N, 3 * H))}


def gate_value(rng, N, H):
    """A sigmoid gate value, inside (0, 1) and away from its ends."""
    return rng.uniform(0.05, 0.95, size=(N, H))


def candidate_value(rng, N, H):
    """A tanh candidate value, inside (-1, 1) and away from its ends."""
    return rng.uniform(-0.95, 0.95, size=(N, H))


# 4.1 - 4.4: gates.py ----------------------------------------------------------------------------
register(TaskSpec("4.1", "reset_gate", "forward", preactivation_inputs,
                  lambda load, a: {"r": load(GATES).reset_gate(a["ax"], a["ah"])}))
register(TaskSpec("4.2", "update_gate", "forward", preactivation_inputs,
                  lambda load, a: {"z": load(GATES).update_gate(a["ax"], a["ah"])}))
register(TaskSpec(
    "4.3", "candidate_hidden", "forward",
    lambda rng, N, T, D, H: {**preactivation_inputs(rng, N, T, D, H), "r": gate_value(rng, N, H)},
    lambda load, a: {"n": load(GATES).candidate_hidden(a["ax"], a["ah"], a["r"])}))


def hidden_update_inputs(rng, N, T, D, H):
    return {"n": candidate_value(rng, N, H), "z": gate_value(rng, N, H), "h_prev": rng.standard_normal((N, H))}


def _hidden_update(load, a):
    return load(GATES).gru_hidden_update(a["n"], a["z"], a["h_prev"])


register(TaskSpec("4.4", "gru_hidden_update", "forward", hidden_update_inputs,
                  lambda load, a: {"h": _hidden_update(load, a)}))


# 4.5 - 4.6: gates_backward.py -------------------------------------------------------------------
register(TaskSpec(
    "4.5", "gru_hidden_update_backward", "backward",
    lambda rng, N, T, D, H: {**hidden_update_inputs(rng, N, T, D, H), "dh": rng.standard_normal((N, H))},
    lambda load, a: dict(zip(("dn", "dz", "dh_prev"),
                             load(GATES_BW).gru_hidden_update_backward(a["dh"], a["n"], a["z"], a["h_prev"]))),
    GradCheck(lambda load, a: weighted(_hidden_update(load, a), a["dh"]),
              {"dn": "n", "dz": "z", "dh_prev": "h_prev"})))


def candidate_backward_inputs(rng, N, T, D, H):
    """The candidate halves ax_n, ah_n (N, H) are separate arrays so the gradient check can perturb them;
    ax_rz, ah_rz (N, 2H) are the fixed r and z parts that complete ax and ah to (N, 3H)."""
    return {"ax_rz": rng.standard_normal((N, 2 * H)), "ax_n": rng.standard_normal((N, H)),
            "ah_rz": rng.standard_normal((N, 2 * H)), "ah_n": rng.standard_normal((N, H)),
            "r": gate_value(rng, N, H), "dn": rng.standard_normal((N, H))}


def _candidate(load, a):
    ax = np.concatenate([a["ax_rz"], a["ax_n"]], axis=1)  # (N, 3H)
    ah = np.concatenate([a["ah_rz"], a["ah_n"]], axis=1)  # (N, 3H)
    return load(GATES).candidate_hidden(ax, ah, a["r"])


def _candidate_backward(load, a):
    n = _candidate(load, a)
    return dict(zip(("dax_n", "dah_n", "dr"),
                    load(GATES_BW).candidate_hidden_backward(a["dn"], n, a["r"], a["ah_n"])))


register(TaskSpec(
    "4.6", "candidate_hidden_backward", "backward", candidate_backward_inputs, _candidate_backward,
    GradCheck(lambda load, a: weighted(_candidate(load, a), a["dn"]),
              {"dax_n": "ax_n", "dah_n": "ah_n", "dr": "r"})))


# 4.7 - 4.10: gru.py -----------------------------------------------------------------------------
def gru_params(rng, D, H):
    return {"Wx": rng.standard_normal((D, 3 * H)) * 0.5, "Wh": rng.standard_normal((H, 3 * H)) * 0.5,
            "bx": rng.standard_normal(3 * H) * 0.5, "bh": rng.standard_normal(3 * H) * 0.5}


def step_inputs(rng, N, T, D, H):
    return {"x": rng.standard_normal((N, D)), "h_prev": rng.standard_normal((N, H)) * 0.5, **gru_params(rng, D, H)}


def seq_inputs(rng, N, T, D, H):
    return {"x": rng.standard_normal((N, T, D)), "h0": rng.standard_normal((N, H)) * 0.5, **gru_params(rng, D, H)}


def _step_forward(load, a):
    return load(GRU).gru_step_forward(a["x"], a["h_prev"], a["Wx"], a["Wh"], a["bx"], a["bh"])


def _seq_forward(load, a):
    return load(GRU).gru_forward(a["x"], a["h0"], a["Wx"], a["Wh"], a["bx"], a["bh"])


register(TaskSpec("4.7", "gru_step_forward", "forward", step_inputs,
                  lambda load, a: {"h_next": _step_forward(load, a)[0]}))


def _step_backward(load, a):
    names = ("dx", "dh_prev", "dWx", "dWh", "dbx", "dbh")
    return dict(zip(names, load(GRU).gru_step_backward(a["dh_next"], _step_forward(load, a)[1])))


register(TaskSpec(
    "4.8", "gru_step_backward", "backward",
    lambda rng, N, T, D, H: {**step_inputs(rng, N, T, D, H), "dh_next": rng.standard_normal((N, H))},
    _step_backward,
    GradCheck(lambda load, a: weighted(_step_forward(load, a)[0], a["dh_next"]),
              {"dx": "x", "dh_prev": "h_prev", "dWx": "Wx", "dWh": "Wh", "dbx": "bx", "dbh": "bh"})))

register(TaskSpec("4.9", "gru_forward", "forward", seq_inputs,
                  lambda load, a: {"h": _seq_forward(load, a)[0]}))


def _seq_backward(load, a):
    names = ("dx", "dh0", "dWx", "dWh", "dbx", "dbh")
    return dict(zip(names, load(GRU).gru_backward(a["dh"], _seq_forward(load, a)[1])))


register(TaskSpec(
    "4.10", "gru_backward", "backward",
    lambda rng, N, T, D, H: {**seq_inputs(rng, N, T, D, H), "dh": rng.standard_normal((N, T, H))},
    _seq_backward,
    GradCheck(lambda load, a: weighted(_seq_forward(load, a)[0], a["dh"]),
              {"dx": "x", "dh0": "h0", "dWx": "Wx", "dWh": "Wh", "dbx": "bx", "dbh": "bh"})))
