"""Task specs of Assignment 3 (LSTM, gate order i, f, g, o): inputs, how to call, gradient checks."""

import numpy as np

from .harness import GradCheck, TaskSpec, register

GATES = "a3_lstm.gates"
GATES_BW = "a3_lstm.gates_backward"
LSTM = "a3_lstm.lstm"


def weighted(array, weights):
    return float(np.sum(np.asarray(array) * weights))


def preactivation_inputs(rng, N, T, D, H):
    return {"a": rng.standard_normal((N, 4 * H)) * 1.5}


def gate_value(rng, N, H):
    """A sigmoid gate value, inside (0, 1) and away from its ends."""
    return rng.uniform(0.05, 0.95, size=(N, H))


def candidate_value(rng, N, H):
    """A tanh candidate value, inside (-1, 1) and away from its ends."""
    return rng.uniform(-0.95, 0.95, size=(N, H))


# 3.1 - 3.6: gates.py ----------------------------------------------------------------------------
def _gate_spec(task_id, name, output):
    return TaskSpec(task_id, name, "forward", preactivation_inputs,
                    lambda load, a: {output: getattr(load(GATES), name)(a["a"])})


register(_gate_spec("3.1", "input_gate", "i"))
register(_gate_spec("3.2", "forget_gate", "f"))
register(_gate_spec("3.3", "cell_candidate", "g"))
register(_gate_spec("3.4", "output_gate", "o"))


def cell_update_inputs(rng, N, T, D, H):
    return {"c_prev": rng.standard_normal((N, H)), "f": gate_value(rng, N, H), "i": gate_value(rng, N, H),
            "g": candidate_value(rng, N, H)}


def _cell_update(load, a):
    return load(GATES).cell_state_update(a["c_prev"], a["f"], a["i"], a["g"])


register(TaskSpec("3.5", "cell_state_update", "forward", cell_update_inputs,
                  lambda load, a: {"c": _cell_update(load, a)}))


def hidden_inputs(rng, N, T, D, H):
    return {"c": rng.standard_normal((N, H)), "o": gate_value(rng, N, H)}


def _hidden(load, a):
    return load(GATES).hidden_state(a["c"], a["o"])


register(TaskSpec("3.6", "hidden_state", "forward", hidden_inputs, lambda load, a: {"h": _hidden(load, a)}))


# 3.7 - 3.9: gates_backward.py -------------------------------------------------------------------
register(TaskSpec(
    "3.7", "hidden_state_backward", "backward",
    lambda rng, N, T, D, H: {**hidden_inputs(rng, N, T, D, H), "dh": rng.standard_normal((N, H))},
    lambda load, a: dict(zip(("dc", "do"), load(GATES_BW).hidden_state_backward(a["dh"], a["c"], a["o"]))),
    GradCheck(lambda load, a: weighted(_hidden(load, a), a["dh"]), {"dc": "c", "do": "o"})))

register(TaskSpec(
    "3.8", "cell_state_update_backward", "backward",
    lambda rng, N, T, D, H: {**cell_update_inputs(rng, N, T, D, H), "dc": rng.standard_normal((N, H))},
    lambda load, a: dict(zip(("dc_prev", "df", "di", "dg"),
                             load(GATES_BW).cell_state_update_backward(a["dc"], a["c_prev"], a["f"], a["i"], a["g"]))),
    GradCheck(lambda load, a: weighted(_cell_update(load, a), a["dc"]),
              {"dc_prev": "c_prev", "df": "f", "di": "i", "dg": "g"})))

UPSTREAM_GATES = ("di", "df", "dg", "do")


def gate_backward_inputs(rng, N, T, D, H):
    return {**preactivation_inputs(rng, N, T, D, H), **{name: rng.standard_normal((N, H)) for name in UPSTREAM_GATES}}


def _gates(load, a):
    """(i, f, g, o) of the pre-activation a, from the implementation's own gate functions."""
    module = load(GATES)
    return (module.input_gate(a["a"]), module.forget_gate(a["a"]), module.cell_candidate(a["a"]),
            module.output_gate(a["a"]))


def _gate_backward(load, a):
    upstream = [a[name] for name in UPSTREAM_GATES]
    return {"da": load(GATES_BW).gate_preactivation_backward(*upstream, *_gates(load, a))}


register(TaskSpec(
    "3.9", "gate_preactivation_backward", "backward", gate_backward_inputs, _gate_backward,
    GradCheck(lambda load, a: sum(weighted(gate, a[name]) for gate, name in zip(_gates(load, a), UPSTREAM_GATES)),
              {"da": "a"})))


# 3.10 - 3.13: lstm.py ---------------------------------------------------------------------------
def lstm_params(rng, D, H):
    return {"Wx": rng.standard_normal((D, 4 * H)) * 0.5, "Wh": rng.standard_normal((H, 4 * H)) * 0.5,
            "b": rng.standard_normal(4 * H) * 0.5}


def step_inputs(rng, N, T, D, H):
    return {"x": rng.standard_normal((N, D)), "h_prev": rng.standard_normal((N, H)) * 0.5,
            "c_prev": rng.standard_normal((N, H)), **lstm_params(rng, D, H)}


def seq_inputs(rng, N, T, D, H):
    return {"x": rng.standard_normal((N, T, D)), "h0": rng.standard_normal((N, H)) * 0.5, **lstm_params(rng, D, H)}


def _step_forward(load, a):
    return load(LSTM).lstm_step_forward(a["x"], a["h_prev"], a["c_prev"], a["Wx"], a["Wh"], a["b"])


def _seq_forward(load, a):
    return load(LSTM).lstm_forward(a["x"], a["h0"], a["Wx"], a["Wh"], a["b"])


def _step_loss(load, a):
    h_next, c_next, _ = _step_forward(load, a)
    return weighted(h_next, a["dh_next"]) + weighted(c_next, a["dc_next"])


def _step_backward(load, a):
    names = ("dx", "dh_prev", "dc_prev", "dWx", "dWh", "db")
    return dict(zip(names, load(LSTM).lstm_step_backward(a["dh_next"], a["dc_next"], _step_forward(load, a)[2])))


register(TaskSpec("3.10", "lstm_step_forward", "forward", step_inputs,
                  lambda load, a: dict(zip(("h_next", "c_next"), _step_forward(load, a)[:2]))))
register(TaskSpec(
    "3.11", "lstm_step_backward", "backward",
    lambda rng, N, T, D, H: {**step_inputs(rng, N, T, D, H), "dh_next": rng.standard_normal((N, H)),
                             "dc_next": rng.standard_normal((N, H))},
    _step_backward,
    GradCheck(_step_loss, {"dx": "x", "dh_prev": "h_prev", "dc_prev": "c_prev", "dWx": "Wx", "dWh": "Wh", "db": "b"})))

register(TaskSpec("3.12", "lstm_forward", "forward", seq_inputs,
                  lambda load, a: {"h": _seq_forward(load, a)[0]}))


def _seq_backward(load, a):
    names = ("dx", "dh0", "dWx", "dWh", "db")
    return dict(zip(names, load(LSTM).lstm_backward(a["dh"], _seq_forward(load, a)[1])))


register(TaskSpec(
    "3.13", "lstm_backward", "backward",
    lambda rng, N, T, D, H: {**seq_inputs(rng, N, T, D, H), "dh": rng.standard_normal((N, T, H))},
    _seq_backward,
    GradCheck(lambda load, a: weighted(_seq_forward(load, a)[0], a["dh"]),
              {"dx": "x", "dh0": "h0", "dWx": "Wx", "dWh": "Wh", "db": "b"})))
