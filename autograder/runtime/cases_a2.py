"""Task specs of Assignment 2 (BPTT in practice, clipping, gradient flow, initialisers, ReLU RNN, adding problem).

The function each spec calls is the one ``course.yml`` names for its task; the
irregular ones (several calls, keyword arguments, an rng) have an adapter.

The initialisers with an rng (2.5, 2.6) and the data generator (2.10) are random
by design: they are checked by the properties of their output (and by giving the
same W / data for the same seed), not against stored values. Property checks
return Problems and never raise on bad outputs (missing, None, not numeric).
"""

import numpy as np

from .harness import CACHE, GradCheck, OutputOf, TaskSpec, register, require_arrays, task_function, weighted_loss
from .problems import problem

# Smallest |pre-activation| allowed in the ReLU inputs: the mask (a > 0) then cannot flip
# under rounding differences or the 1e-5 steps of the numerical gradient check.
RELU_MARGIN = 1e-2


def rnn_params(rng, D, H):
    return {"Wx": rng.standard_normal((D, H)) * 0.5, "Wh": rng.standard_normal((H, H)) * 0.5,
            "b": rng.standard_normal(H) * 0.5}


def _relu_preactivations(x, h0, Wx, Wh, b):
    """Every pre-activation of a ReLU RNN run over x (N, T, D) or one step x (N, D); spec-side, not graded code."""
    steps = x[:, None] if x.ndim == 2 else x
    h, out = h0, []
    for step in range(steps.shape[1]):
        a = steps[:, step] @ Wx + h @ Wh + b
        out.append(a)
        h = np.maximum(a, 0.0)
    return np.stack(out)


def away_from_relu_kink(rng, draw):
    """Redraw draw(rng) until every ReLU pre-activation is at least RELU_MARGIN away from 0."""
    for _ in range(10_000):
        args = draw(rng)
        a = _relu_preactivations(args["x"], args["h0" if "h0" in args else "h_prev"], args["Wx"], args["Wh"], args["b"])
        if np.min(np.abs(a), initial=np.inf) > RELU_MARGIN:
            return args
    raise RuntimeError("could not draw ReLU inputs with pre-activations away from 0")


# 2.1: truncated_bptt.py -------------------------------------------------------------------------
TBPTT_PARAMS = ("Wx", "Wh", "b", "Wy", "by")


def tbptt_inputs(rng, N, T, D, H):
    V = D + 1
    # |x| >= 0.25: with tiny inputs dWx is tiny too and the numerical gradient check drowns in rounding
    x = rng.choice([-1.0, 1.0], size=(N, T, D)) * rng.uniform(0.25, 1.5, size=(N, T, D))
    return {"x": x, "y": rng.integers(0, V, size=(N, T)),
            "h0": rng.standard_normal((N, H)) * 0.5, **rnn_params(rng, D, H),
            "Wy": rng.standard_normal((H, V)) * 0.5, "by": rng.standard_normal(V) * 0.1,
            # shorter than T whenever T >= 2, so the sequence really is cut into chunks
            "chunk_len": max(1, (T + 1) // 2)}


def tbptt_params(a):
    return {name: a[name] for name in TBPTT_PARAMS}


def _tbptt(function, a, chunk_len):
    return function(a["x"], a["y"], a["h0"], tbptt_params(a), chunk_len)


def _truncated_bptt(function, load, a):
    loss, grads, h_last = _tbptt(function, a, a["chunk_len"])
    # With a single chunk (chunk_len = T) truncated BPTT is full BPTT: its gradients are the
    # exact gradients of the loss, which the numerical gradient check can verify.
    _, full_grads, _ = _tbptt(function, a, a["x"].shape[1])
    return {"loss": np.float64(loss), "grads": grads, "h_last": h_last, "full_grads": full_grads}


register(TaskSpec(
    "2.1", tbptt_inputs, adapter=_truncated_bptt,
    # The loss does not depend on chunk_len. The output-layer gradients (Wy, by) are not
    # affected by truncation, so the truncated ones are checked too.
    grad_checks=GradCheck(lambda load, a: _tbptt(task_function("2.1", load), a, a["x"].shape[1])[0],
                          {**{f"full_grads.{name}": name for name in TBPTT_PARAMS}, "grads.Wy": "Wy", "grads.by": "by"}),
    dims=({"N": 2, "T": 5, "D": 3, "H": 4}, {"N": 1, "T": 1, "D": 3, "H": 2}),
    # T = 7 and 9: a shorter last chunk (chunk_len 4 and 5); T = 6: two equal chunks of 3
    grader_dims=({"N": 1, "T": 1, "D": 3, "H": 2}, {"N": 3, "T": 7, "D": 5, "H": 4}, {"N": 2, "T": 9, "D": 2, "H": 3},
                 {"N": 4, "T": 6, "D": 3, "H": 5})))


# 2.2 - 2.3: clipping.py -------------------------------------------------------------------------
GRAD_NAMES = ("dWx", "dWh", "db", "dWy")


def grads_inputs(rng, N, T, D, H):
    return {"dWx": rng.standard_normal((D, H)), "dWh": rng.standard_normal((H, H)),
            "db": rng.standard_normal(H), "dWy": rng.standard_normal((H, D + 1))}


def grads_dict(a):
    return {name: a[name] for name in GRAD_NAMES}


def clip_norm_inputs(rng, N, T, D, H):
    a = grads_inputs(rng, N, T, D, H)
    total = np.sqrt(sum(np.sum(a[name] ** 2) for name in GRAD_NAMES))
    # both regimes on every shape: max_norm below the total norm (the gradients get scaled down) and
    # max_norm_above it (they come back unchanged), so clipping always, or never, fails every shape
    return {**a, "max_norm": float(total * 0.5), "max_norm_above": float(total * 2.0)}


def _clip_norm(function, load, a):
    clipped, total_norm = function(grads_dict(a), a["max_norm"])
    unchanged, total_norm_above = function(grads_dict(a), a["max_norm_above"])
    return {"clipped": clipped, "total_norm": np.float64(total_norm),
            "clipped_above": unchanged, "total_norm_above": np.float64(total_norm_above)}


register(TaskSpec("2.2", clip_norm_inputs, adapter=_clip_norm))


def clip_value_inputs(rng, N, T, D, H):
    a = grads_inputs(rng, N, T, D, H)
    # halfway between two middle magnitudes: about half of the entries get clipped, none sits on the bound
    size = np.sort(np.concatenate([np.abs(a[name]).ravel() for name in GRAD_NAMES]))
    middle = len(size) // 2
    return {**a, "clip_value": float((size[middle - 1] + size[middle]) / 2)}


register(TaskSpec("2.3", clip_value_inputs, call=(grads_dict, "clip_value"), outputs=("clipped",)))


# 2.4: gradient_flow.py --------------------------------------------------------------------------
def flow_inputs(rng, N, T, D, H):
    def draw(rng):
        return {"x": rng.standard_normal((N, T, D)), "h0": rng.standard_normal((N, H)) * 0.5,
                **rnn_params(rng, D, H), "dh_last": rng.standard_normal((N, H))}

    # the same inputs serve the tanh and the ReLU run: keep the ReLU pre-activations away from 0
    return away_from_relu_kink(rng, draw)


def _flow(function, load, a):
    args = (a["x"], a["h0"], a["Wx"], a["Wh"], a["b"], a["dh_last"])
    return {"norms_tanh": function(*args, nonlinearity="tanh"), "norms_relu": function(*args, nonlinearity="relu")}


register(TaskSpec("2.4", flow_inputs, adapter=_flow,
                  dims=({"N": 2, "T": 6, "D": 4, "H": 5}, {"N": 1, "T": 1, "D": 3, "H": 2}),
                  grader_dims=({"N": 1, "T": 1, "D": 3, "H": 2}, {"N": 3, "T": 8, "D": 5, "H": 4},
                               {"N": 2, "T": 5, "D": 2, "H": 3}, {"N": 4, "T": 6, "D": 3, "H": 6})))


# 2.5 - 2.7: initializers.py ---------------------------------------------------------------------
def _square_problems(outputs, H, name="W"):
    """Problems of outputs[name] as an (H, H) float64 finite matrix (missing and non-numeric included)."""
    missing = require_arrays(outputs, [name])
    if missing:
        return missing
    W = np.asarray(outputs[name])
    if W.shape != (H, H):
        return [problem("prop.square_shape", name=name, got=W.shape, size=H)]
    if W.dtype != np.float64:
        return [problem("prop.dtype", name=name, got=str(W.dtype))]
    if not np.all(np.isfinite(W)):
        return [problem("prop.nonfinite", name=name)]
    return []


def _seed_problems(H, outputs):
    """Same seed -> same W; another seed -> another W (so the rng is really used)."""
    problems = []
    for name in ("W_same_seed", "W_other_seed"):
        problems += _square_problems(outputs, H, name)
    if problems:
        return problems
    if not np.array_equal(outputs["W"], outputs["W_same_seed"]):
        problems.append(problem("prop.same_seed_differs", what="W"))
    # with H = 1 two seeds may give the same W (+-value), so only H >= 2 is checked
    if H >= 2 and np.allclose(outputs["W"], outputs["W_other_seed"]):
        problems.append(problem("prop.other_seed_same"))
    return problems


# Only H is used. A sign bug of the orthogonal initialiser (no sign fix, or the fix on the rows) passes when
# all H signs of diag(R) agree, with probability 2^(1 - H): 1/2 at H = 2, below 1e-3 at H >= 12.
INIT_GRADER_DIMS = ({"N": 1, "T": 1, "D": 2, "H": 2}, {"N": 2, "T": 2, "D": 2, "H": 12},
                    {"N": 2, "T": 2, "D": 2, "H": 17}, {"N": 2, "T": 2, "D": 2, "H": 24})


def _init_inputs(scale_name, low, high):
    def inputs(rng, N, T, D, H):
        return {"H": H, scale_name: float(rng.uniform(low, high)), "seed": int(rng.integers(0, 2**31))}

    return inputs


def _with_seeds(call):
    """An adapter that calls call(function, a, rng) with the input seed, the same seed again, and another seed."""
    def run(function, load, a):
        return {"W": call(function, a, np.random.default_rng(a["seed"])),
                "W_same_seed": call(function, a, np.random.default_rng(a["seed"])),
                "W_other_seed": call(function, a, np.random.default_rng(a["seed"] + 1))}

    return run


def spectral_radius_properties(a, outputs):
    H, radius = a["H"], a["radius"]
    problems = _square_problems(outputs, H)
    if problems:
        return problems
    W = outputs["W"]
    rho = float(np.max(np.abs(np.linalg.eigvals(W))))
    if abs(rho - radius) > 1e-8 * max(1.0, radius):
        problems.append(problem("prop.spectral_radius", got=rho, want=float(radius)))
    # the documented construction: W = G * (positive scalar), G = rng.standard_normal((H, H))
    G = np.random.default_rng(a["seed"]).standard_normal((H, H))
    ratio = float(np.sum(W * G) / np.sum(G * G))
    if not (ratio > 0 and np.allclose(W, ratio * G, rtol=1e-8, atol=0)):
        problems.append(problem("prop.not_multiple_of_first_draw"))
    return problems + _seed_problems(H, outputs)


register(TaskSpec(
    "2.5", _init_inputs("radius", 0.5, 2.0), adapter=_with_seeds(lambda f, a, rng: f(a["H"], a["radius"], rng)),
    properties=spectral_radius_properties, grader_dims=INIT_GRADER_DIMS))


def orthogonal_properties(a, outputs):
    H, gain = a["H"], a["gain"]
    problems = _square_problems(outputs, H)
    if problems:
        return problems
    W = outputs["W"]
    error = float(np.max(np.abs(W.T @ W - gain**2 * np.eye(H))))
    if error > 1e-8 * max(1.0, gain**2):
        problems.append(problem("prop.not_orthogonal", gain2=float(gain**2), error=error, gain=float(gain)))
    elif gain > 0:
        # the documented construction: G = rng.standard_normal((H, H)) = Q R with R = Q^T G upper
        # triangular with a positive diagonal (the sign fix), and W = gain * Q
        G = np.random.default_rng(a["seed"]).standard_normal((H, H))
        R = (W / gain).T @ G
        scale = max(1.0, float(np.max(np.abs(G))))
        if np.max(np.abs(np.tril(R, -1)), initial=0.0) > 1e-8 * scale:
            problems.append(problem("prop.not_q_factor"))
        elif np.any(np.diag(R) <= 0):
            problems.append(problem("prop.signs_not_fixed"))
    return problems + _seed_problems(H, outputs)


register(TaskSpec(
    "2.6", _init_inputs("gain", 0.5, 2.0), adapter=_with_seeds(lambda f, a, rng: f(a["H"], rng, a["gain"])),
    properties=orthogonal_properties, grader_dims=INIT_GRADER_DIMS))


def _identity(function, load, a):
    return {"W": function(a["H"], a["scale"]), "W_default_scale": function(a["H"])}


register(TaskSpec("2.7", lambda rng, N, T, D, H: {"H": H, "scale": float(rng.uniform(0.5, 2.0))},
                  adapter=_identity))


# 2.8 - 2.9: relu_rnn.py -------------------------------------------------------------------------
def relu_step_inputs(rng, N, T, D, H):
    def draw(rng):
        return {"x": rng.standard_normal((N, D)), "h_prev": np.abs(rng.standard_normal((N, H))),
                **rnn_params(rng, D, H), "dh_next": rng.standard_normal((N, H))}

    return away_from_relu_kink(rng, draw)


register(TaskSpec("2.8", relu_step_inputs, call=("x", "h_prev", "Wx", "Wh", "b"), outputs=("h_next", CACHE)))
register(TaskSpec(
    "2.9", relu_step_inputs, call=("dh_next", OutputOf("2.8")), outputs=("dx", "dh_prev", "dWx", "dWh", "db"),
    grad_checks=GradCheck(weighted_loss({OutputOf("2.8", "h_next"): "dh_next"}),
                          {"dx": "x", "dh_prev": "h_prev", "dWx": "Wx", "dWh": "Wh", "db": "b"})))


# 2.10: adding_problem.py ------------------------------------------------------------------------
def adding_inputs(rng, N, T, D, H):
    return {"N": N, "T": max(T, 2), "seed": int(rng.integers(0, 2**31))}


# The sequences of one more call, on which the distributions of the markers and values are checked
# (autograder/runtime/distribution_checks.py: the bound on false failures is computed for this number).
STAT_SEQUENCES = 2000


def _adding(function, load, a):
    x, y = function(a["N"], a["T"], np.random.default_rng(a["seed"]))
    x_same, y_same = function(a["N"], a["T"], np.random.default_rng(a["seed"]))
    x_stat, y_stat = function(STAT_SEQUENCES, a["T"], np.random.default_rng(a["seed"] + 1))
    return {"x": x, "y": y, "x_same_seed": x_same, "y_same_seed": y_same, "x_stat": x_stat, "y_stat": y_stat}


def _adding_batch_problems(x, y, N, T, suffix=""):
    """Problems of one batch (x, y) of N adding-problem sequences of length T: shapes, ranges, markers, target."""
    half = T // 2
    problems = []
    if x.shape != (N, T, 2):
        problems.append(problem("prop.shape", name="x" + suffix, got=x.shape, want=(N, T, 2)))
    elif x.dtype != np.float64:
        problems.append(problem("prop.dtype", name="x" + suffix, got=str(x.dtype)))
    if y.shape != (N, 1):
        problems.append(problem("prop.shape", name="y" + suffix, got=y.shape, want=(N, 1)))
    elif y.dtype != np.float64:
        problems.append(problem("prop.dtype", name="y" + suffix, got=str(y.dtype)))
    if problems:
        return problems
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        return [problem("prop.nonfinite", name=f"x{suffix}, y{suffix}")]
    values, markers = x[..., 0], x[..., 1]
    if not np.all((values >= 0) & (values < 1)):
        problems.append(problem("prop.values_range", low=float(values.min()), high=float(values.max())))
    if not np.all((markers == 0) | (markers == 1)):
        problems.append(problem("prop.markers_binary"))
        return problems
    for n in range(N):
        first, second = int(markers[n, :half].sum()), int(markers[n, half:].sum())
        if first != 1 or second != 1:
            problems.append(problem("prop.markers_per_half", n=n, first=first, half=half, second=second, T=T))
            return problems
    want = np.sum(values * markers, axis=1, keepdims=True)
    error = float(np.max(np.abs(y - want), initial=0.0))
    if error > 1e-12:
        problems.append(problem("prop.target_sum", error=error))
    return problems


def _adding_distribution_problems(x, T):
    """The markers uniform over each half, the values uniform on [0, 1) (x of a batch without other problems)."""
    # imported here: the sandbox child imports the case modules to call the tasks, never the checks
    from .distribution_checks import uniform_positions_problems, uniform_values_problems

    half = T // 2
    markers = x[..., 1]
    return (uniform_positions_problems("argmax(x[n, :T//2, 1])", np.argmax(markers[:, :half], axis=1), 0, half)
            + uniform_positions_problems("T//2 + argmax(x[n, T//2:, 1])", half + np.argmax(markers[:, half:], axis=1),
                                         half, T)
            + uniform_values_problems("x[..., 0]", x[..., 0]))


def adding_properties(a, outputs):
    N, T = a["N"], a["T"]
    problems = require_arrays(outputs, ["x", "y", "x_same_seed", "y_same_seed", "x_stat", "y_stat"])
    if problems:
        return problems
    x, y = np.asarray(outputs["x"]), np.asarray(outputs["y"])
    problems = _adding_batch_problems(x, y, N, T)
    if problems:
        return problems
    if not (np.array_equal(x, outputs["x_same_seed"]) and np.array_equal(y, outputs["y_same_seed"])):
        problems.append(problem("prop.same_seed_differs", what="x, y"))
    x_stat = np.asarray(outputs["x_stat"])
    stat = _adding_batch_problems(x_stat, np.asarray(outputs["y_stat"]), STAT_SEQUENCES, T, suffix=" (2nd call)")
    return problems + (stat or _adding_distribution_problems(x_stat, T))


register(TaskSpec("2.10", adding_inputs, adapter=_adding, properties=adding_properties,
                  dims=({"N": 64, "T": 7, "D": 2, "H": 2}, {"N": 8, "T": 2, "D": 2, "H": 2},
                        {"N": 1, "T": 10, "D": 2, "H": 2}),
                  # H is not used (H = 3: these are general shapes, see checks.shape_weight)
                  grader_dims=({"N": 1, "T": 2, "D": 2, "H": 2}, {"N": 32, "T": 9, "D": 2, "H": 3},
                               {"N": 5, "T": 13, "D": 2, "H": 3}, {"N": 16, "T": 4, "D": 2, "H": 3})))
