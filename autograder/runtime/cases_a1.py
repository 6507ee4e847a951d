"""Task specs of Assignment 1 (vanilla RNN): inputs, arguments and output names, gradient checks.

The function each spec calls is the one ``course.yml`` names for its task.
"""

import numpy as np

from .harness import CACHE, GradCheck, OutputOf, TaskSpec, call_task, register, weighted_loss


def rnn_params(rng, D, H):
    return {"Wx": rng.standard_normal((D, H)) * 0.5, "Wh": rng.standard_normal((H, H)) * 0.5,
            "b": rng.standard_normal(H) * 0.5}


def step_inputs(rng, N, T, D, H):
    return {"x": rng.standard_normal((N, D)), "h_prev": rng.standard_normal((N, H)), **rnn_params(rng, D, H)}


def seq_inputs(rng, N, T, D, H):
    return {"x": rng.standard_normal((N, T, D)), "h0": rng.standard_normal((N, H)), **rnn_params(rng, D, H)}


def gradients_of(names):
    """{"dx": "x", ...}: each gradient output and the input it is the gradient of."""
    return {f"d{name}": name for name in names}


# 1.1 - 1.4: rnn.py ------------------------------------------------------------------------------
STEP_ARGS = ("x", "h_prev", "Wx", "Wh", "b")
SEQ_ARGS = ("x", "h0", "Wx", "Wh", "b")

register(TaskSpec("1.1", step_inputs, call=STEP_ARGS, outputs=("h_next", CACHE)))
register(TaskSpec(
    "1.2", lambda rng, N, T, D, H: {**step_inputs(rng, N, T, D, H), "dh_next": rng.standard_normal((N, H))},
    call=("dh_next", OutputOf("1.1")), outputs=("dx", "dh_prev", "dWx", "dWh", "db"),
    grad_checks=GradCheck(weighted_loss({OutputOf("1.1", "h_next"): "dh_next"}), gradients_of(STEP_ARGS))))

register(TaskSpec("1.3", seq_inputs, call=SEQ_ARGS, outputs=("h", CACHE)))
register(TaskSpec(
    "1.4", lambda rng, N, T, D, H: {**seq_inputs(rng, N, T, D, H), "dh": rng.standard_normal((N, T, H))},
    call=("dh", OutputOf("1.3")), outputs=("dx", "dh0", "dWx", "dWh", "db"),
    grad_checks=GradCheck(weighted_loss({OutputOf("1.3", "h"): "dh"}), gradients_of(SEQ_ARGS))))


# 1.5 - 1.7: output_layers.py --------------------------------------------------------------------
def affine_inputs(rng, N, T, D, H):
    V = D + 1
    return {"h": rng.standard_normal((N, T, H)), "W": rng.standard_normal((H, V)), "b": rng.standard_normal(V),
            "dout": rng.standard_normal((N, T, V))}


register(TaskSpec("1.5", affine_inputs, call=("h", "W", "b"), outputs=("out", CACHE)))
register(TaskSpec(
    "1.6", affine_inputs, call=("dout", OutputOf("1.5")), outputs=("dh", "dW", "db"),
    grad_checks=GradCheck(weighted_loss({OutputOf("1.5", "out"): "dout"}), gradients_of(("h", "W", "b")))))


# The handout asks for the row-maximum shift: every row of scores is offset by +-(800 to 1200), so exp
# overflows (e^800 = inf) or underflows to 0 for every row of a softmax without it (NaN), and a shift by the
# global maximum underflows the rows of the other sign. The softmax does not change with a row's offset.
LARGE_SCORE = (800.0, 1200.0)


def softmax_inputs(rng, N, T, D, H):
    V = D + 1
    offsets = rng.choice([-1.0, 1.0], size=(N, T, 1)) * rng.uniform(*LARGE_SCORE, size=(N, T, 1))
    return {"scores": rng.standard_normal((N, T, V)) * 2 + offsets, "y": rng.integers(0, V, size=(N, T))}


def _softmax_loss(function, load, a):
    loss, dscores = function(a["scores"], a["y"])
    return {"loss": np.float64(loss), "dscores": dscores}


register(TaskSpec("1.7", softmax_inputs, adapter=_softmax_loss,
                  grad_checks=GradCheck(weighted_loss({OutputOf("1.7", "loss"): None}), {"dscores": "scores"})))


# 1.8 - 1.10: char_lm.py -------------------------------------------------------------------------
register(TaskSpec("1.8", lambda rng, N, T, D, H: {"indices": rng.integers(0, D, size=(N, T)), "V": D},
                  call=("indices", "V"), outputs=("out",)))


LM_PARAMS = ("Wx", "Wh", "b", "Wy", "by")


def lm_inputs(rng, N, T, D, H):
    V = 4
    return {"Wx": rng.standard_normal((V, H)) * 0.5, "Wh": rng.standard_normal((H, H)) * 0.5,
            "b": rng.standard_normal(H) * 0.1, "Wy": rng.standard_normal((H, V)) * 0.5,
            "by": rng.standard_normal(V) * 0.1, "inputs": rng.integers(0, V, size=(N, T)),
            "targets": rng.integers(0, V, size=(N, T)), "h0": rng.standard_normal((N, H)) * 0.5}


def lm_params(a):
    return {name: a[name] for name in LM_PARAMS}


def _lm_loss(function, load, a):
    loss, grads, h_last = function(lm_params(a), a["inputs"], a["targets"], a["h0"])
    return {"loss": np.float64(loss), "grads": grads, "h_last": h_last}


register(TaskSpec("1.9", lm_inputs, adapter=_lm_loss,
                  grad_checks=GradCheck(weighted_loss({OutputOf("1.9", "loss"): None}),
                                        {f"grads.{name}": name for name in LM_PARAMS})))


def sample_inputs(rng, N, T, D, H):
    a = lm_inputs(rng, 1, 1, D, H)
    return {**lm_params(a), "h0": a["h0"], "seed_index": int(rng.integers(0, 4)), "length": T + 4,
            "seed": int(rng.integers(0, 2**31))}


def _sample(function, load, a):
    """Greedy (rng=None) and drawn with a seeded rng."""
    params = lm_params(a)
    greedy = function(params, a["h0"], a["seed_index"], a["length"])
    drawn = function(params, a["h0"], a["seed_index"], a["length"], rng=np.random.default_rng(a["seed"]))
    return {"greedy": np.asarray(greedy), "drawn": np.asarray(drawn)}


register(TaskSpec("1.10", sample_inputs, adapter=_sample, integer_outputs=("greedy", "drawn")))


# 1.11 - 1.14: architectures.py ------------------------------------------------------------------
def m2o_inputs(rng, N, T, D, H):
    C = 3
    return {**seq_inputs(rng, N, T, D, H), "Wy": rng.standard_normal((H, C)), "by": rng.standard_normal(C),
            "dscores": rng.standard_normal((N, C))}


M2O_ARGS = (*SEQ_ARGS, "Wy", "by")
register(TaskSpec("1.11", m2o_inputs, call=M2O_ARGS, outputs=("scores", CACHE)))
register(TaskSpec(
    "1.12", m2o_inputs, call=("dscores", OutputOf("1.11")), outputs=("dx", "dh0", "dWx", "dWh", "db", "dWy", "dby"),
    grad_checks=GradCheck(weighted_loss({OutputOf("1.11", "scores"): "dscores"}), gradients_of(M2O_ARGS))))


def o2m_inputs(rng, N, T, D, H):
    return {"v": rng.standard_normal((N, D)), "h0": rng.standard_normal((N, H)), **rnn_params(rng, D, H),
            "T": T + 1, "dh": rng.standard_normal((N, T + 1, H))}


register(TaskSpec("1.13", o2m_inputs, call=("v", "h0", "Wx", "Wh", "b", "T"), outputs=("h", CACHE)))
register(TaskSpec(
    "1.14", o2m_inputs, call=("dh", OutputOf("1.13")), outputs=("dv", "dh0", "dWx", "dWh", "db"),
    grad_checks=GradCheck(weighted_loss({OutputOf("1.13", "h"): "dh"}),
                          gradients_of(("v", "h0", "Wx", "Wh", "b")))))


# 1.15 - 1.16: stacked_rnn.py --------------------------------------------------------------------
def stacked_inputs(rng, N, T, D, H, L=2):
    a = {"x": rng.standard_normal((N, T, D)), "h0": rng.standard_normal((L, N, H))}
    for layer in range(L):
        params = rnn_params(rng, D if layer == 0 else H, H)
        a.update({f"{name}{layer}": value for name, value in params.items()})
    a["dh_top"] = rng.standard_normal((N, T, H))
    return a


def _layers(a):
    """[(Wx, Wh, b)] per layer, from the inputs Wx0, Wh0, b0, Wx1, ..."""
    count = sum(1 for name in a if name.startswith("Wx"))
    return [(a[f"Wx{k}"], a[f"Wh{k}"], a[f"b{k}"]) for k in range(count)]


def _stacked_backward(function, load, a):
    """The per-layer gradients come back as dWx0, dWh0, db0, dWx1, ..."""
    dx, dh0, dlayers = function(a["dh_top"], call_task("1.15", load, a)[CACHE])
    out = {"dx": dx, "dh0": dh0}
    for k, (dWx, dWh, db) in enumerate(dlayers):
        out.update({f"dWx{k}": dWx, f"dWh{k}": dWh, f"db{k}": db})
    return out


register(TaskSpec("1.15", stacked_inputs, call=("x", "h0", _layers), outputs=("h_top", CACHE)))
register(TaskSpec(
    "1.16", stacked_inputs, adapter=_stacked_backward,
    grad_checks=GradCheck(weighted_loss({OutputOf("1.15", "h_top"): "dh_top"}),
                          gradients_of(("x", "h0", *(f"{n}{k}" for k in range(2) for n in ("Wx", "Wh", "b")))))))
