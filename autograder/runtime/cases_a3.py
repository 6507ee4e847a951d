"""Task specs of Assignment 3 (LSTM, gate order i, f, g, o): inputs, arguments and output names, gradient checks.

The function each spec calls is the one ``course.yml`` names for its task.
"""

from .harness import CACHE, GradCheck, OutputOf, TaskSpec, register, weighted_loss
from .cases_common import candidate_value, gate_value, gradients_of


def preactivation_inputs(rng, N, T, D, H):
    return {"a": rng.standard_normal((N, 4 * H)) * 1.5}


# 3.1 - 3.6: gates.py ----------------------------------------------------------------------------
GATE_TASKS = {"3.1": "i", "3.2": "f", "3.3": "g", "3.4": "o"}  # task ID -> its gate's output name
for task_id, gate in GATE_TASKS.items():
    register(TaskSpec(task_id, preactivation_inputs, call=("a",), outputs=(gate,)))


def cell_update_inputs(rng, N, T, D, H):
    return {"c_prev": rng.standard_normal((N, H)), "f": gate_value(rng, N, H), "i": gate_value(rng, N, H),
            "g": candidate_value(rng, N, H)}


def hidden_inputs(rng, N, T, D, H):
    return {"c": rng.standard_normal((N, H)), "o": gate_value(rng, N, H)}


register(TaskSpec("3.5", cell_update_inputs, call=("c_prev", "f", "i", "g"), outputs=("c",)))
register(TaskSpec("3.6", hidden_inputs, call=("c", "o"), outputs=("h",)))


# 3.7 - 3.9: gates_backward.py -------------------------------------------------------------------
register(TaskSpec(
    "3.7", lambda rng, N, T, D, H: {**hidden_inputs(rng, N, T, D, H), "dh": rng.standard_normal((N, H))},
    call=("dh", "c", "o"), outputs=("dc", "do"),
    grad_checks=GradCheck(weighted_loss({OutputOf("3.6", "h"): "dh"}), gradients_of(("c", "o")))))

register(TaskSpec(
    "3.8", lambda rng, N, T, D, H: {**cell_update_inputs(rng, N, T, D, H), "dc": rng.standard_normal((N, H))},
    call=("dc", "c_prev", "f", "i", "g"), outputs=("dc_prev", "df", "di", "dg"),
    grad_checks=GradCheck(weighted_loss({OutputOf("3.5", "c"): "dc"}), gradients_of(("c_prev", "f", "i", "g")))))

UPSTREAM_GATES = ("di", "df", "dg", "do")


def gate_backward_inputs(rng, N, T, D, H):
    return {**preactivation_inputs(rng, N, T, D, H), **{name: rng.standard_normal((N, H)) for name in UPSTREAM_GATES}}


# the gates i, f, g, o come from the implementation's own gate functions (Tasks 3.1 - 3.4)
GATES = tuple(OutputOf(task_id, gate) for task_id, gate in GATE_TASKS.items())
register(TaskSpec(
    "3.9", gate_backward_inputs, call=(*UPSTREAM_GATES, *GATES), outputs=("da",),
    grad_checks=GradCheck(weighted_loss(dict(zip(GATES, UPSTREAM_GATES))), {"da": "a"})))


# 3.10 - 3.13: lstm.py ---------------------------------------------------------------------------
def lstm_params(rng, D, H):
    return {"Wx": rng.standard_normal((D, 4 * H)) * 0.5, "Wh": rng.standard_normal((H, 4 * H)) * 0.5,
            "b": rng.standard_normal(4 * H) * 0.5}


def step_inputs(rng, N, T, D, H):
    return {"x": rng.standard_normal((N, D)), "h_prev": rng.standard_normal((N, H)) * 0.5,
            "c_prev": rng.standard_normal((N, H)), **lstm_params(rng, D, H)}


def seq_inputs(rng, N, T, D, H):
    return {"x": rng.standard_normal((N, T, D)), "h0": rng.standard_normal((N, H)) * 0.5, **lstm_params(rng, D, H)}


STEP_ARGS = ("x", "h_prev", "c_prev", "Wx", "Wh", "b")
SEQ_ARGS = ("x", "h0", "Wx", "Wh", "b")

register(TaskSpec("3.10", step_inputs, call=STEP_ARGS, outputs=("h_next", "c_next", CACHE)))
register(TaskSpec(
    "3.11", lambda rng, N, T, D, H: {**step_inputs(rng, N, T, D, H), "dh_next": rng.standard_normal((N, H)),
                                     "dc_next": rng.standard_normal((N, H))},
    call=("dh_next", "dc_next", OutputOf("3.10")), outputs=("dx", "dh_prev", "dc_prev", "dWx", "dWh", "db"),
    grad_checks=GradCheck(weighted_loss({OutputOf("3.10", "h_next"): "dh_next", OutputOf("3.10", "c_next"): "dc_next"}),
                          gradients_of(STEP_ARGS))))

register(TaskSpec("3.12", seq_inputs, call=SEQ_ARGS, outputs=("h", CACHE)))
register(TaskSpec(
    "3.13", lambda rng, N, T, D, H: {**seq_inputs(rng, N, T, D, H), "dh": rng.standard_normal((N, T, H))},
    call=("dh", OutputOf("3.12")), outputs=("dx", "dh0", "dWx", "dWh", "db"),
    grad_checks=GradCheck(weighted_loss({OutputOf("3.12", "h"): "dh"}), gradients_of(SEQ_ARGS))))
