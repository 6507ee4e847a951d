"""Task specs of Assignment 1 (vanilla RNN): inputs, how to call, gradient checks."""

import numpy as np

from .harness import GradCheck, TaskSpec, register

RNN = "a1_vanilla_rnn.rnn"
OUT = "a1_vanilla_rnn.output_layers"
LM = "a1_vanilla_rnn.char_lm"
ARCH = "a1_vanilla_rnn.architectures"
STACK = "a1_vanilla_rnn.stacked_rnn"


def rnn_params(rng, D, H):
    return {"Wx": rng.standard_normal((D, H)) * 0.5, "Wh": rng.standard_normal((H, H)) * 0.5,
            "b": rng.standard_normal(H) * 0.5}


def step_inputs(rng, N, T, D, H):
    return {"x": rng.standard_normal((N, D)), "h_prev": rng.standard_normal((N, H)), **rnn_params(rng, D, H)}


def seq_inputs(rng, N, T, D, H):
    return {"x": rng.standard_normal((N, T, D)), "h0": rng.standard_normal((N, H)), **rnn_params(rng, D, H)}


def weighted(array, weights):
    return float(np.sum(np.asarray(array) * weights))


# 1.1 - 1.4: rnn.py ------------------------------------------------------------------------------
def _step_forward(load, a):
    return load(RNN).rnn_step_forward(a["x"], a["h_prev"], a["Wx"], a["Wh"], a["b"])


def _seq_forward(load, a):
    return load(RNN).rnn_forward(a["x"], a["h0"], a["Wx"], a["Wh"], a["b"])


register(TaskSpec("1.1", "rnn_step_forward", "forward", step_inputs,
                  lambda load, a: {"h_next": _step_forward(load, a)[0]}))


def _step_backward(load, a):
    names = ("dx", "dh_prev", "dWx", "dWh", "db")
    return dict(zip(names, load(RNN).rnn_step_backward(a["dh_next"], _step_forward(load, a)[1])))


register(TaskSpec(
    "1.2", "rnn_step_backward", "backward",
    lambda rng, N, T, D, H: {**step_inputs(rng, N, T, D, H), "dh_next": rng.standard_normal((N, H))},
    _step_backward,
    GradCheck(lambda load, a: weighted(_step_forward(load, a)[0], a["dh_next"]),
              {"dx": "x", "dh_prev": "h_prev", "dWx": "Wx", "dWh": "Wh", "db": "b"})))

register(TaskSpec("1.3", "rnn_forward", "forward", seq_inputs,
                  lambda load, a: {"h": _seq_forward(load, a)[0]}))


def _seq_backward(load, a):
    names = ("dx", "dh0", "dWx", "dWh", "db")
    return dict(zip(names, load(RNN).rnn_backward(a["dh"], _seq_forward(load, a)[1])))


register(TaskSpec(
    "1.4", "rnn_backward", "backward",
    lambda rng, N, T, D, H: {**seq_inputs(rng, N, T, D, H), "dh": rng.standard_normal((N, T, H))},
    _seq_backward,
    GradCheck(lambda load, a: weighted(_seq_forward(load, a)[0], a["dh"]),
              {"dx": "x", "dh0": "h0", "dWx": "Wx", "dWh": "Wh", "db": "b"})))


# 1.5 - 1.7: output_layers.py --------------------------------------------------------------------
def affine_inputs(rng, N, T, D, H):
    V = D + 1
    return {"h": rng.standard_normal((N, T, H)), "W": rng.standard_normal((H, V)), "b": rng.standard_normal(V),
            "dout": rng.standard_normal((N, T, V))}


def _affine_forward(load, a):
    return load(OUT).temporal_affine_forward(a["h"], a["W"], a["b"])


register(TaskSpec("1.5", "temporal_affine_forward", "forward", affine_inputs,
                  lambda load, a: {"out": _affine_forward(load, a)[0]}))
register(TaskSpec(
    "1.6", "temporal_affine_backward", "backward", affine_inputs,
    lambda load, a: dict(zip(("dh", "dW", "db"), load(OUT).temporal_affine_backward(a["dout"], _affine_forward(load, a)[1]))),
    GradCheck(lambda load, a: weighted(_affine_forward(load, a)[0], a["dout"]), {"dh": "h", "dW": "W", "db": "b"})))


def softmax_inputs(rng, N, T, D, H):
    V = D + 1
    return {"scores": rng.standard_normal((N, T, V)) * 2, "y": rng.integers(0, V, size=(N, T))}


def _softmax_loss(load, a):
    loss, dscores = load(OUT).temporal_softmax_loss(a["scores"], a["y"])
    return {"loss": np.float64(loss), "dscores": dscores}


register(TaskSpec("1.7", "temporal_softmax_loss", "backward", softmax_inputs, _softmax_loss,
                  GradCheck(lambda load, a: load(OUT).temporal_softmax_loss(a["scores"], a["y"])[0],
                            {"dscores": "scores"})))


# 1.8 - 1.10: char_lm.py -------------------------------------------------------------------------
register(TaskSpec("1.8", "one_hot", "forward",
                  lambda rng, N, T, D, H: {"indices": rng.integers(0, D, size=(N, T)), "V": D},
                  lambda load, a: {"out": load(LM).one_hot(a["indices"], a["V"])}))


LM_PARAMS = ("Wx", "Wh", "b", "Wy", "by")


def lm_inputs(rng, N, T, D, H):
    V = 4
    return {"Wx": rng.standard_normal((V, H)) * 0.5, "Wh": rng.standard_normal((H, H)) * 0.5,
            "b": rng.standard_normal(H) * 0.1, "Wy": rng.standard_normal((H, V)) * 0.5,
            "by": rng.standard_normal(V) * 0.1, "inputs": rng.integers(0, V, size=(N, T)),
            "targets": rng.integers(0, V, size=(N, T)), "h0": rng.standard_normal((N, H)) * 0.5}


def lm_params(a):
    return {name: a[name] for name in LM_PARAMS}


def _lm_loss(load, a):
    loss, grads, h_last = load(LM).char_lm_loss(lm_params(a), a["inputs"], a["targets"], a["h0"])
    return {"loss": np.float64(loss), "grads": grads, "h_last": h_last}


register(TaskSpec("1.9", "char_lm_loss", "backward", lm_inputs, _lm_loss,
                  GradCheck(lambda load, a: load(LM).char_lm_loss(lm_params(a), a["inputs"], a["targets"], a["h0"])[0],
                            {f"grads.{name}": name for name in LM_PARAMS})))


def sample_inputs(rng, N, T, D, H):
    a = lm_inputs(rng, 1, 1, D, H)
    return {**lm_params(a), "h0": a["h0"], "seed_index": int(rng.integers(0, 4)), "length": T + 4,
            "seed": int(rng.integers(0, 2**31))}


def _sample(load, a):
    module = load(LM)
    params = lm_params(a)
    greedy = module.sample(params, a["h0"], a["seed_index"], a["length"])
    drawn = module.sample(params, a["h0"], a["seed_index"], a["length"], rng=np.random.default_rng(a["seed"]))
    return {"greedy": np.asarray(greedy), "drawn": np.asarray(drawn)}


register(TaskSpec("1.10", "sample", "forward", sample_inputs, _sample, integer_outputs=("greedy", "drawn")))


# 1.11 - 1.14: architectures.py ------------------------------------------------------------------
def m2o_inputs(rng, N, T, D, H):
    C = 3
    return {**seq_inputs(rng, N, T, D, H), "Wy": rng.standard_normal((H, C)), "by": rng.standard_normal(C),
            "dscores": rng.standard_normal((N, C))}


def _m2o_forward(load, a):
    return load(ARCH).many_to_one_forward(a["x"], a["h0"], a["Wx"], a["Wh"], a["b"], a["Wy"], a["by"])


register(TaskSpec("1.11", "many_to_one_forward", "forward", m2o_inputs,
                  lambda load, a: {"scores": _m2o_forward(load, a)[0]}))
register(TaskSpec(
    "1.12", "many_to_one_backward", "backward", m2o_inputs,
    lambda load, a: dict(zip(("dx", "dh0", "dWx", "dWh", "db", "dWy", "dby"),
                             load(ARCH).many_to_one_backward(a["dscores"], _m2o_forward(load, a)[1]))),
    GradCheck(lambda load, a: weighted(_m2o_forward(load, a)[0], a["dscores"]),
              {"dx": "x", "dh0": "h0", "dWx": "Wx", "dWh": "Wh", "db": "b", "dWy": "Wy", "dby": "by"})))


def o2m_inputs(rng, N, T, D, H):
    return {"v": rng.standard_normal((N, D)), "h0": rng.standard_normal((N, H)), **rnn_params(rng, D, H),
            "T": T + 1, "dh": rng.standard_normal((N, T + 1, H))}


def _o2m_forward(load, a):
    return load(ARCH).one_to_many_forward(a["v"], a["h0"], a["Wx"], a["Wh"], a["b"], a["T"])


register(TaskSpec("1.13", "one_to_many_forward", "forward", o2m_inputs,
                  lambda load, a: {"h": _o2m_forward(load, a)[0]}))
register(TaskSpec(
    "1.14", "one_to_many_backward", "backward", o2m_inputs,
    lambda load, a: dict(zip(("dv", "dh0", "dWx", "dWh", "db"),
                             load(ARCH).one_to_many_backward(a["dh"], _o2m_forward(load, a)[1]))),
    GradCheck(lambda load, a: weighted(_o2m_forward(load, a)[0], a["dh"]),
              {"dv": "v", "dh0": "h0", "dWx": "Wx", "dWh": "Wh", "db": "b"})))


# 1.15 - 1.16: stacked_rnn.py --------------------------------------------------------------------
def stacked_inputs(rng, N, T, D, H, L=2):
    a = {"x": rng.standard_normal((N, T, D)), "h0": rng.standard_normal((L, N, H))}
    for layer in range(L):
        params = rnn_params(rng, D if layer == 0 else H, H)
        a.update({f"{name}{layer}": value for name, value in params.items()})
    a["dh_top"] = rng.standard_normal((N, T, H))
    return a


def _layers(a):
    count = sum(1 for name in a if name.startswith("Wx"))
    return [(a[f"Wx{k}"], a[f"Wh{k}"], a[f"b{k}"]) for k in range(count)]


def _stacked_forward(load, a):
    return load(STACK).stacked_rnn_forward(a["x"], a["h0"], _layers(a))


def _stacked_backward(load, a):
    dx, dh0, dlayers = load(STACK).stacked_rnn_backward(a["dh_top"], _stacked_forward(load, a)[1])
    out = {"dx": dx, "dh0": dh0}
    for k, (dWx, dWh, db) in enumerate(dlayers):
        out.update({f"dWx{k}": dWx, f"dWh{k}": dWh, f"db{k}": db})
    return out


register(TaskSpec("1.15", "stacked_rnn_forward", "forward", stacked_inputs,
                  lambda load, a: {"h_top": _stacked_forward(load, a)[0]}))
register(TaskSpec(
    "1.16", "stacked_rnn_backward", "backward", stacked_inputs, _stacked_backward,
    GradCheck(lambda load, a: weighted(_stacked_forward(load, a)[0], a["dh_top"]),
              {"dx": "x", "dh0": "h0", **{f"d{n}{k}": f"{n}{k}" for k in range(2) for n in ("Wx", "Wh", "b")}})))
