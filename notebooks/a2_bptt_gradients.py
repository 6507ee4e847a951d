# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] id="a2-intro"
# # Assignment 2: BPTT in practice, vanishing and exploding gradients
#
# You implement the functions of `assignments/a2_bptt_gradients/`; this
# notebook imports **your** code and uses it in four experiments: how the
# gradient norm decays or grows through time, what clipping does to an
# exploding run, what truncated BPTT loses, and why a tanh RNN fails the adding
# problem once the sequences get long.
#
# **Before you start:** this assignment builds on your Assignment 1. Copy your
# files of `assignments/a1_vanilla_rnn/` (at least `rnn.py`, `output_layers.py`
# and `char_lm.py`) into the `assignments/a1_vanilla_rnn/` folder next to this
# notebook. Truncated BPTT, the gradient norms and the experiments call them,
# and the checks of Tasks 2.1 and 2.4 report "not graded yet" while they are
# missing.
#
# The handout `assignments/a2_bptt_gradients/README.md` has the maths and the
# task table. The **graded** cells run the course's hidden checks
# (fresh random inputs, partial credit per check) when the assignment is
# collected; in your copy they run the public checks of their tasks and fail
# naming each task that does not pass them yet, as `nbgrader validate` does
# (they earn nothing themselves). The cells with `# YOUR CODE HERE` are glue
# code for the experiments and are not graded.

# %% [markdown] id="a2-setup"
# The setup cell below imports numpy and matplotlib and defines a few helpers:
# `gradient_errors(forward, args, dout, grads)` compares each analytic
# gradient with centred differences of `forward(**args)[0]` (relative error
# `||a - b|| / (||a|| + ||b||)`, computed by `norm_error`), `show` prints
# those errors, and `Adam` is the Adam optimiser (Kingma & Ba 2015) on a dict
# of arrays.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
# %load_ext autoreload
# %autoreload 2
# %matplotlib inline
import numpy as np
import matplotlib.pyplot as plt

from assignments.common.gradcheck import numerical_gradient_array


def norm_error(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(1e-12, np.linalg.norm(a) + np.linalg.norm(b)))


def gradient_errors(forward, args, dout, grads):
    errors = {}
    for (name, value), grad in zip(args.items(), grads):
        def f(v, name=name):
            return forward(**{**args, name: v})[0]
        errors["d" + name] = norm_error(grad, numerical_gradient_array(f, np.array(value, dtype=np.float64), dout))
    return errors


def show(errors):
    for name, error in errors.items():
        print(f"{name:>8}  {error:.1e}")


class Adam:
    def __init__(self, params, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps, self.t = lr, beta1, beta2, eps, 0
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}

    def step(self, params, grads):
        self.t += 1
        new = {}
        for k, p in params.items():
            self.m[k] = self.beta1 * self.m[k] + (1 - self.beta1) * grads[k]
            self.v[k] = self.beta2 * self.v[k] + (1 - self.beta2) * grads[k] ** 2
            m_hat = self.m[k] / (1 - self.beta1 ** self.t)
            v_hat = self.v[k] / (1 - self.beta2 ** self.t)
            new[k] = p - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        return new


# %% [markdown] id="a2-initializers"
# ## 1. Initialising the recurrent matrix (Tasks 2.5 to 2.7)
#
# Three ways to draw `Wh`: a Gaussian matrix rescaled to a chosen **spectral
# radius** (largest absolute eigenvalue), an **orthogonal** matrix (all
# singular values equal to the gain), and the **identity** (the IRNN of Le et
# al. 2015). The spectral radius governs how a small perturbation of the state
# grows or shrinks over many steps; the largest singular value bounds how much
# one step can stretch it. For a Gaussian matrix the two differ: below (columns:
# spectral radius, largest and smallest singular value), the Gaussian matrix
# of spectral radius 1 stretches some directions by much more than 1 in one
# step, while the orthogonal matrix and the identity preserve every norm.

# %%
from assignments.a2_bptt_gradients.initializers import init_identity, init_orthogonal, init_spectral_radius

rng = np.random.default_rng(0)
W_radius = init_spectral_radius(32, 1.0, rng)
W_orthogonal = init_orthogonal(32, rng, gain=1.0)
for W in (W_radius, W_orthogonal, init_identity(32)):
    singular_values = np.linalg.svd(W, compute_uv=False)
    print(f"{np.max(np.abs(np.linalg.eigvals(W))):.3f}  {singular_values[0]:.3f}  {singular_values[-1]:.3f}")

# %% [markdown] id="a2-check-initializers"
# **Graded** ({{GRADED:check_initializers}}).

# %% nbgrader={"grade": true, "grade_id": "check_initializers", "locked": true, "schema_version": 3, "solution": false}
# Graded cell: `course nbgrader` fills in its check and points from course.yml
# (the tasks whose `notebook:` is this cell's grade_id).

# %% [markdown] id="a2-relu-rnn"
# ## 2. The ReLU RNN step (Tasks 2.8 and 2.9)
#
# `h_t = max(0, x_t Wx + h_{t-1} Wh + b)`. With `Wh = I`, `b = 0` and no
# input, the state is copied unchanged from step to step, and so is the
# gradient through the active units (`h > 0`; a unit at 0 passes none): the
# IRNN starts training with neither vanishing nor exploding gradients.

# %%
from assignments.a2_bptt_gradients.relu_rnn import relu_rnn_step_backward, relu_rnn_step_forward

N, D, H = 4, 3, 5
x = rng.standard_normal((N, D))
h_prev = rng.standard_normal((N, H))
Wx, Wh, b = rng.standard_normal((D, H)), rng.standard_normal((H, H)), rng.standard_normal(H)
h_next, cache = relu_rnn_step_forward(x, h_prev, Wx, Wh, b)
dh_next = rng.standard_normal(h_next.shape)
show(gradient_errors(relu_rnn_step_forward, dict(x=x, h_prev=h_prev, Wx=Wx, Wh=Wh, b=b), dh_next,
                     relu_rnn_step_backward(dh_next, cache)))

h_state = np.abs(rng.standard_normal((N, H)))
print(np.allclose(relu_rnn_step_forward(np.zeros((N, D)), h_state, Wx, init_identity(H), np.zeros(H))[0], h_state))

# %% [markdown] id="a2-check-relu-rnn"
# **Graded** ({{GRADED:check_relu_rnn}}).

# %% nbgrader={"grade": true, "grade_id": "check_relu_rnn", "locked": true, "schema_version": 3, "solution": false}
# Graded cell: `course nbgrader` fills in its check and points from course.yml
# (the tasks whose `notebook:` is this cell's grade_id).

# %% [markdown] id="a2-gradient-norms"
# ## 3. The gradient norm through time (Task 2.4)
#
# Take a loss that only sees the last state, `L = sum(dh_last * h_{T-1})`, and
# record `||dL/dh_t||` for every `t`. Each step back multiplies the gradient by
# `diag(phi'(a_t)) Wh^T`, so in the near-linear regime of tanh (small inputs,
# small states) the norm scales like `rho(Wh)^(T-1-t)`: it **vanishes** when
# the spectral radius is below 1 and **explodes** above 1 (Bengio et al. 1994;
# Pascanu et al. 2013).
#
# Experiment: `H = 32`, `T = 50`, inputs `0.01 N(0, 1)`, averaged over a few
# seeds; tanh RNNs with spectral radius 0.5, 1.0 and 1.5, and an IRNN (ReLU,
# `Wh = I`, zero bias, started from `h0 = 1` so that every unit is active).
#
# **Your glue code:** in `log_norm_curve`, compute `norms` with your
# `hidden_gradient_norms`: for `setting == "irnn"`, a ReLU RNN with
# `Wh = init_identity(H)`, zero bias and `h0` all ones; otherwise a tanh RNN
# with `Wh = init_spectral_radius(H, setting, rng)`, zero bias and `h0` all zeros.

# %%
from assignments.a2_bptt_gradients.gradient_flow import hidden_gradient_norms

SEQ_LEN, HIDDEN, INPUT, BATCH = 50, 32, 8, 16


# %% nbgrader={"grade": false, "grade_id": "glue_gradient_norms", "locked": false, "schema_version": 3, "solution": true}
def log_norm_curve(setting, seed):
    rng = np.random.default_rng(seed)
    x = 0.01 * rng.standard_normal((BATCH, SEQ_LEN, INPUT))
    Wx = rng.standard_normal((INPUT, HIDDEN)) / np.sqrt(INPUT)
    dh_last = rng.standard_normal((BATCH, HIDDEN))
    ### BEGIN SOLUTION
    if setting == "irnn":
        norms = hidden_gradient_norms(x, np.ones((BATCH, HIDDEN)), Wx, init_identity(HIDDEN), np.zeros(HIDDEN),
                                      dh_last, "relu")
    else:
        Wh = init_spectral_radius(HIDDEN, setting, rng)
        norms = hidden_gradient_norms(x, np.zeros((BATCH, HIDDEN)), Wx, Wh, np.zeros(HIDDEN), dh_last, "tanh")
    ### END SOLUTION
    return np.log(norms / norms[-1])


# %%
distance = np.arange(SEQ_LEN)[::-1]
slopes = {}
for setting in (0.5, 1.0, 1.5, "irnn"):
    mean_log = np.mean([log_norm_curve(setting, seed) for seed in range(4)], axis=0)
    slopes[setting] = np.polyfit(distance, mean_log, 1)[0]
    plt.semilogy(distance, np.exp(mean_log), label=f"{setting}: {slopes[setting]:+.3f}")
plt.xlabel("T - 1 - t")
plt.ylabel("||dL/dh_t|| / ||dL/dh_(T-1)||")
plt.ylim(1e-16, 1e8)
plt.legend()
plt.show()
print({k: round(float(v), 3) for k, v in slopes.items()}, np.log([0.5, 1.0, 1.5]).round(3))

# %% [markdown] id="a2-gradient-norms-result"
# The slope of `ln ||dL/dh_t||` per step should be close to `ln 0.5 = -0.69`
# for radius 0.5, close to 0 for radius 1 and for the IRNN, and positive for
# radius 1.5 (below `ln 1.5 = 0.41`: the states grow until tanh saturates, and
# its derivative, below 1 away from 0, slows the growth of the gradient).

# %% [markdown] id="a2-check-gradient-norms"
# **Graded** ({{GRADED:check_gradient_norms}}).

# %% nbgrader={"grade": true, "grade_id": "check_gradient_norms", "locked": true, "schema_version": 3, "solution": false}
# Graded cell: `course nbgrader` fills in its check and points from course.yml
# (the tasks whose `notebook:` is this cell's grade_id).

# %% [markdown] id="a2-clipping"
# ## 4. Clipping exploding gradients (Tasks 2.2 and 2.3)
#
# Clipping **by global norm** rescales all gradients together when their
# joint norm exceeds a threshold: the direction of the update is kept, only
# its length is bounded (Pascanu et al. 2013). Clipping **by value** clips each
# entry on its own, which changes the direction.
#
# Experiment: a tanh RNN with `H = 16` whose `Wh` has spectral radius 2 reads
# `T = 20` numbers and must output their sum divided by `sqrt(T)` (predicting 0
# gives a mean squared error of 1). Plain SGD with learning rate 0.2, the same
# batches twice: once with the raw gradients, once clipped to global norm 1.
#
# **Your glue code:** in the training loop, compute the clipped gradients and
# the global norm `total` with your `clip_grad_norm` (threshold 1), then make
# one SGD step, `p - lr * g` for every parameter, with the clipped gradients
# if `clip` is true and the raw ones otherwise.
#
# (`sum_task_loss`, provided, returns the mean squared error of your
# many-to-one RNN of Tasks 1.11 and 1.12 and the gradients of all the
# parameters.)

# %%
from assignments.a1_vanilla_rnn.architectures import many_to_one_backward, many_to_one_forward
from assignments.a1_vanilla_rnn.rnn import rnn_forward
from assignments.a2_bptt_gradients.clipping import clip_grad_norm, clip_grad_value

example = {"a": np.array([3.0, 4.0]), "b": np.array([[12.0]])}
print(clip_grad_norm(example, 1.0))
print(clip_grad_value(example, 3.5), example)


def sum_task_data(n, steps, rng):
    x = rng.standard_normal((n, steps, 1))
    return x, x.sum(axis=1) / np.sqrt(steps)


def sum_task_loss(params, x, y):
    """Mean squared error of a many-to-one RNN (your Tasks 1.11 and 1.12) and its gradients."""
    h0 = np.zeros((x.shape[0], params["Wh"].shape[0]))
    pred, cache = many_to_one_forward(x, h0, params["Wx"], params["Wh"], params["b"], params["Wy"], params["by"])
    diff = pred - y
    _, _, dWx, dWh, db, dWy, dby = many_to_one_backward(2 * diff / diff.size, cache)
    return float(np.mean(diff ** 2)), {"Wx": dWx, "Wh": dWh, "b": db, "Wy": dWy, "by": dby}


# %% nbgrader={"grade": false, "grade_id": "glue_clipping", "locked": false, "schema_version": 3, "solution": true}
def train_sum_task(clip, steps=150, lr=0.2, hidden=16, seq_len=20, batch=64, seed=0):
    rng = np.random.default_rng(seed)
    params = {"Wx": rng.standard_normal((1, hidden)), "Wh": init_spectral_radius(hidden, 2.0, rng),
              "b": np.zeros(hidden), "Wy": rng.standard_normal((hidden, 1)) / np.sqrt(hidden), "by": np.zeros(1)}
    losses, norms = [], []
    for _ in range(steps):
        x, y = sum_task_data(batch, seq_len, rng)
        loss, grads = sum_task_loss(params, x, y)
        ### BEGIN SOLUTION
        clipped, total = clip_grad_norm(grads, 1.0)
        step = clipped if clip else grads
        params = {k: p - lr * step[k] for k, p in params.items()}
        ### END SOLUTION
        losses.append(loss)
        norms.append(total)
        if not np.isfinite(loss):
            break
    return np.array(losses), np.array(norms)


# %%
with np.errstate(over="ignore", invalid="ignore"):
    runs = {"unclipped": train_sum_task(False), "clipped": train_sum_task(True)}
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for name, (losses, norms) in runs.items():
    finite = np.isfinite(losses)  # a run stops when its loss overflows: every finite value is drawn
    axes[0].semilogy(np.flatnonzero(finite), losses[finite], label=name)
    axes[1].semilogy(np.flatnonzero(np.isfinite(norms)), norms[np.isfinite(norms)], label=name)
    print(name, np.mean(losses[-50:]), np.max(norms), "stopped: loss overflowed" if not finite.all() else "")
axes[0].axhline(1.0, color="k", ls="--")
axes[0].set_ylabel("MSE")
axes[1].set_ylabel("||g||")
for ax in axes:
    ax.set_xlabel("SGD step")
    ax.legend()
plt.show()

# %% [markdown] id="a2-clipping-result"
# At this learning rate (0.2), without clipping, a few steps meet gradients
# many orders of magnitude larger than usual; one such update throws the
# weights far away and the loss blows up. With clipping the same run stays
# bounded and its loss goes down. Clipping matters only where the steps are
# large: at learning rate 0.02 the unclipped run trains about as well
# (try `train_sum_task(False, lr=0.02)`). `python -m experiments clipping` (student repository)
# runs four learning rates on three seeds each.

# %% [markdown] id="a2-check-clipping"
# **Graded** ({{GRADED:check_clipping}}).

# %% nbgrader={"grade": true, "grade_id": "check_clipping", "locked": true, "schema_version": 3, "solution": false}
# Graded cell: `course nbgrader` fills in its check and points from course.yml
# (the tasks whose `notebook:` is this cell's grade_id).

# %% [markdown] id="a2-truncated-bptt"
# ## 5. Truncated BPTT (Task 2.1)
#
# Truncated BPTT cuts the sequence into chunks of `k` steps: the hidden state
# is carried from chunk to chunk (so the forward pass and the loss do not
# change), but no gradient crosses a chunk boundary. With `k >= T` it is full
# BPTT.
#
# Experiment, the way `min-char-rnn.py` trains: a char-level RNN (`H = 32`,
# your Assignment 1 model) reads a text in consecutive chunks of `k`
# characters, makes **one Adagrad update per chunk** (learning rate 0.1,
# gradients clipped by value at 5) and carries its hidden state from one chunk
# to the next. The text is a stream of records `a....=a` / `b....=b`: a random
# cue, four dots, `=` and the cue again, so the character after `=` can only be
# predicted from the cue 6 characters back.
#
# **Your glue code:** for one chunk: loss, gradients and the last hidden state
# from your `truncated_bptt` on that chunk (chunk length `chunk_len`),
# gradients clipped with your `clip_grad_value` at 5, then Adagrad on every
# parameter: `memory[k] += g**2` and `params[k] -= 0.1 * g / sqrt(memory[k] + 1e-8)`;
# the returned hidden state is the `h` of the next chunk.
#
# (`recall_loss`, provided, measures the mean cross-entropy of the characters
# that follow `=`, the long-range predictions, on held-out records.)

# %%
from assignments.a1_vanilla_rnn.char_lm import encode, init_char_lm, one_hot
from assignments.a1_vanilla_rnn.output_layers import temporal_affine_forward
from assignments.a2_bptt_gradients.truncated_bptt import truncated_bptt
from assignments.common.activations import softmax

VOCAB_RECORDS = "\n.=ab"


def record_stream(records, rng):
    return "".join(f"{c}....={c}\n" for c in rng.choice(list("ab"), size=records))


def prepare(text):
    encoded = encode(text, VOCAB_RECORDS)
    return VOCAB_RECORDS, one_hot(encoded[None, :-1], len(VOCAB_RECORDS)), encoded[None, 1:]


def recall_loss(params, text):
    _, x, y = prepare(text)
    h, _ = rnn_forward(x, np.zeros((1, params["Wh"].shape[0])), params["Wx"], params["Wh"], params["b"])
    probs = softmax(temporal_affine_forward(h, params["Wy"], params["by"])[0])[0]
    steps = [t for t in range(y.shape[1]) if text[t] == "="]
    return float(-np.mean(np.log(probs[steps, y[0, steps]])))


TEXT = record_stream(100, np.random.default_rng(0))
HELD_OUT = record_stream(200, np.random.default_rng(1))
vocab, x_text, y_text = prepare(TEXT)
params = init_char_lm(len(vocab), 32, np.random.default_rng(0))
loss_full, grads_full, _ = truncated_bptt(x_text, y_text, np.zeros((1, 32)), params, x_text.shape[1])
loss_5, grads_5, _ = truncated_bptt(x_text, y_text, np.zeros((1, 32)), params, 5)
print(loss_full, loss_5, norm_error(grads_full["Wy"], grads_5["Wy"]), norm_error(grads_full["Wh"], grads_5["Wh"]))


# %% nbgrader={"grade": false, "grade_id": "glue_truncated", "locked": false, "schema_version": 3, "solution": true}
def train_text(text, chunk_len, passes=10, hidden=32, seed=0):
    vocab, x, y = prepare(text)
    params = init_char_lm(len(vocab), hidden, np.random.default_rng(seed))
    memory = {k: np.zeros_like(v) for k, v in params.items()}
    curve = [recall_loss(params, HELD_OUT)]
    for _ in range(passes):
        h = np.zeros((1, hidden))  # a new pass starts from a zero state
        for start in range(0, x.shape[1], chunk_len):
            x_chunk, y_chunk = x[:, start:start + chunk_len], y[:, start:start + chunk_len]
            ### BEGIN SOLUTION
            _, grads, h = truncated_bptt(x_chunk, y_chunk, h, params, chunk_len)
            grads = clip_grad_value(grads, 5.0)
            for k in params:
                memory[k] = memory[k] + grads[k] ** 2
                params[k] = params[k] - 0.1 * grads[k] / np.sqrt(memory[k] + 1e-8)
            ### END SOLUTION
        curve.append(recall_loss(params, HELD_OUT))
    return curve, params


# %%
for chunk_len in (5, 25):
    curve, trained = train_text(TEXT, chunk_len)
    plt.semilogy(curve, label=f"chunks of {chunk_len}")
    print(chunk_len, curve[-1])
plt.axhline(np.log(2), color="k", ls="--", label="chance ln 2")
plt.xlabel("pass over the text")
plt.ylabel("cross-entropy of the recalled cue (nats)")
plt.legend()
plt.show()

# %% [markdown] id="a2-truncated-bptt-result"
# The loss and the gradient of the output layer are the same for every chunk
# length (first printed line); the recurrent gradients are not. With chunks of
# 5, no chunk holds both a cue and its recall, so no gradient ever links them:
# the recall loss stays at chance, ln 2 = 0.69, although the hidden state that
# could carry the cue is passed from chunk to chunk. With chunks of 25 it falls
# towards 0. `python -m experiments truncated_bptt` (student repository) runs chunks of 5, 10 and 25
# on three seeds each.

# %% [markdown] id="a2-check-truncated-bptt"
# **Graded** ({{GRADED:check_truncated_bptt}}).

# %% nbgrader={"grade": true, "grade_id": "check_truncated_bptt", "locked": true, "schema_version": 3, "solution": false}
# Graded cell: `course nbgrader` fills in its check and points from course.yml
# (the tasks whose `notebook:` is this cell's grade_id).

# %% [markdown] id="a2-adding-problem"
# ## 6. The adding problem (Task 2.10)
#
# Each sequence has two channels: values drawn from U[0, 1) and markers, with
# exactly one marker in each half of the sequence. The target is the sum of the
# two marked values. Predicting the mean 1 gives a mean squared error of
# `Var(U1 + U2) = 1/6`: a model has learned something only below that line.
#
# Below, your tanh RNN (`H = 16`, Adam, gradients clipped at global norm 1) is
# trained for 300 steps at `T = 10` and at `T = 50`. At `T = 10` it gets
# below the baseline; at `T = 50` the gradient from the first marker has to
# cross dozens of tanh steps and vanishes: the loss stays at 1/6. Assignments
# 3 and 4 solve it with an LSTM and a GRU.

# %%
from assignments.a2_bptt_gradients.adding_problem import BASELINE_MSE, adding_problem

x_add, y_add = adding_problem(3, 8, np.random.default_rng(0))
print(x_add[0].T, y_add[0])
_, y_many = adding_problem(20000, 8, np.random.default_rng(1))
print(np.mean((y_many - 1.0) ** 2), BASELINE_MSE)


def adding_loss(params, x, y):
    """Mean squared error of a many-to-one RNN (your Tasks 1.11 and 1.12) and its gradients."""
    h0 = np.zeros((x.shape[0], params["Wh"].shape[0]))
    pred, cache = many_to_one_forward(x, h0, params["Wx"], params["Wh"], params["b"], params["Wy"], params["by"])
    diff = pred - y
    _, _, dWx, dWh, db, dWy, dby = many_to_one_backward(2 * diff / diff.size, cache)
    return float(np.mean(diff ** 2)), {"Wx": dWx, "Wh": dWh, "b": db, "Wy": dWy, "by": dby}


def train_adding_rnn(seq_len, steps=300, hidden=16, batch=32, seed=0):
    rng = np.random.default_rng(seed)
    k = 1 / np.sqrt(hidden)
    params = {"Wx": rng.uniform(-k, k, (2, hidden)), "Wh": rng.uniform(-k, k, (hidden, hidden)),
              "b": rng.uniform(-k, k, hidden), "Wy": rng.uniform(-k, k, (hidden, 1)), "by": np.zeros(1)}
    optimizer = Adam(params, lr=2e-2)
    losses = []
    for _ in range(steps):
        x, y = adding_problem(batch, seq_len, rng)
        loss, grads = adding_loss(params, x, y)
        params = optimizer.step(params, clip_grad_norm(grads, 1.0)[0])
        losses.append(loss)
    return losses


for seq_len in (10, 50):
    adding_losses = train_adding_rnn(seq_len)
    plt.semilogy(adding_losses, alpha=0.7, label=f"T = {seq_len}")
    print(seq_len, np.mean(adding_losses[-50:]))
plt.axhline(BASELINE_MSE, color="k", ls="--")
plt.xlabel("Adam step")
plt.ylabel("MSE")
plt.legend()
plt.show()

# %% [markdown] id="a2-check-adding-problem"
# **Graded** ({{GRADED:check_adding_problem}}).

# %% nbgrader={"grade": true, "grade_id": "check_adding_problem", "locked": true, "schema_version": 3, "solution": false}
# Graded cell: `course nbgrader` fills in its check and points from course.yml
# (the tasks whose `notebook:` is this cell's grade_id).

# %% [markdown] id="a2-summary"
# ## What you saw
#
# Gradients through a recurrence are products of many Jacobians: their norm
# follows the spectral radius of `Wh` exponentially, towards zero or infinity,
# while the states stay small (near-linear tanh); in general the bound is set
# by the largest singular value of `Wh` and the activation's derivative.
# Clipping tames the explosions; truncation trades long-range credit
# assignment for speed; and nothing here fixes the vanishing. The gated cells
# of the next two assignments do.
