# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] id="a3-intro"
# # Assignment 3: the LSTM, gate by gate
#
# You implement the functions of `assignments/a3_lstm/`: the four gates, the
# cell-state update, their backward passes, one LSTM step and the whole
# sequence. This notebook imports **your** code, checks your gradients against
# centred differences of your own forward passes, and finally trains your LSTM
# on the adding problem that defeated the tanh RNN in Assignment 2, then looks
# inside its gates.
#
# Conventions (see the handout `assignments/a3_lstm/README.md`): the
# pre-activation `a = x Wx + h_prev Wh + b` has width `4H`, in the **PyTorch
# order i, f, g, o** (not CS231n's i, f, o, g); `c0 = 0`.
#
# The **graded** cells run the course's hidden checks (fresh random
# inputs, partial credit per check) when the assignment is collected; in your
# copy they run the public checks of their tasks and fail naming each task
# that does not pass them yet, as `nbgrader validate` does (they earn nothing
# themselves). The cells with `# YOUR CODE HERE` are glue code for the
# experiment and are not graded.

# %% [markdown] id="a3-setup"
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


# %% [markdown] id="a3-gates"
# ## 1. The gates and the cell (Tasks 3.1 to 3.6)
#
# $$i = \sigma(a_i),\quad f = \sigma(a_f),\quad g = \tanh(a_g),\quad o = \sigma(a_o)$$
# $$c = f \odot c_{prev} + i \odot g,\qquad h = o \odot \tanh(c)$$
#
# The forget gate decides how much of the old cell to keep, the input gate how
# much of the candidate `g` to write, the output gate how much of the cell to
# show as `h`. Below, the four blocks of `a` hold the constants 1, 2, 3 and 4:
# you should read `sigmoid(1) = 0.731`, `sigmoid(2) = 0.881`, `tanh(3) = 0.995`
# and `sigmoid(4) = 0.982`. Any other order means your slices are wrong.

# %%
from assignments.a3_lstm.gates import (cell_candidate, cell_state_update, forget_gate, hidden_state, input_gate,
                                       output_gate)

H = 3
a = np.concatenate([np.full((1, H), value) for value in (1.0, 2.0, 3.0, 4.0)], axis=1)
i, f, g, o = input_gate(a), forget_gate(a), cell_candidate(a), output_gate(a)
print(i.round(3), f.round(3), g.round(3), o.round(3))
c = cell_state_update(np.ones((1, H)), f, i, g)
print(c.round(3), hidden_state(c, o).round(3))

# %% [markdown] id="a3-check-gates"
# **Graded** ({{GRADED:check_gates}}).

# %% nbgrader={"grade": true, "grade_id": "check_gates", "locked": true, "schema_version": 3, "solution": false}
# Graded cell: `course nbgrader` fills in its check and points from course.yml
# (the tasks whose `notebook:` is this cell's grade_id).

# %% [markdown] id="a3-gates-backward"
# ## 2. Backward through the gates (Tasks 3.7 to 3.9)
#
# Along the cell path `c_prev -> c` the gradient is multiplied by `f` only,
# with no squashing matrix product: when the forget gate stays near 1, the
# gradient survives many steps (the "constant error carousel").
#
# Self-checks against centred differences (all below `1e-7`):

# %%
from assignments.a3_lstm.gates_backward import (cell_state_update_backward, gate_preactivation_backward,
                                                hidden_state_backward)

rng = np.random.default_rng(0)
N, H = 4, 5
c, o = rng.standard_normal((N, H)), rng.uniform(0.1, 0.9, (N, H))
dh = rng.standard_normal((N, H))
show(gradient_errors(lambda c, o: (hidden_state(c, o),), dict(c=c, o=o), dh, hidden_state_backward(dh, c, o)))

c_prev, f, i, g = rng.standard_normal((N, H)), rng.uniform(size=(N, H)), rng.uniform(size=(N, H)), np.tanh(
    rng.standard_normal((N, H)))
dc = rng.standard_normal((N, H))
show(gradient_errors(lambda c_prev, f, i, g: (cell_state_update(c_prev, f, i, g),), dict(c_prev=c_prev, f=f, i=i, g=g),
                     dc, cell_state_update_backward(dc, c_prev, f, i, g)))


def all_gates(a):
    return np.concatenate([input_gate(a), forget_gate(a), cell_candidate(a), output_gate(a)], axis=1)


a = rng.standard_normal((N, 4 * H))
dgates = rng.standard_normal((N, 4 * H))
da = gate_preactivation_backward(*np.split(dgates, 4, axis=1), input_gate(a), forget_gate(a), cell_candidate(a),
                                 output_gate(a))
print(f"      da  {norm_error(da, numerical_gradient_array(all_gates, a.copy(), dgates)):.1e}")

# %% [markdown] id="a3-check-gates-backward"
# **Graded** ({{GRADED:check_gates_backward}}).

# %% nbgrader={"grade": true, "grade_id": "check_gates_backward", "locked": true, "schema_version": 3, "solution": false}
# Graded cell: `course nbgrader` fills in its check and points from course.yml
# (the tasks whose `notebook:` is this cell's grade_id).

# %% [markdown] id="a3-lstm"
# ## 3. The LSTM step and sequence (Tasks 3.10 to 3.13)
#
# One step computes `a`, the gates, `c` and `h`. Backward through one step
# receives gradients for both outputs, `dh_next` and `dc_next`; the total
# gradient of `c` adds the part that reaches it through `h = o * tanh(c)`.
# Through time both `dh` and `dc` are carried backwards.

# %%
from assignments.a3_lstm.lstm import lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward

N, T, D, H = 3, 4, 5, 6
x = rng.standard_normal((N, T, D))
h0 = rng.standard_normal((N, H))
c_prev = rng.standard_normal((N, H))
Wx = rng.standard_normal((D, 4 * H)) * 0.5
Wh = rng.standard_normal((H, 4 * H)) * 0.5
b = rng.standard_normal(4 * H) * 0.5

h_next, c_next, cache = lstm_step_forward(x[:, 0], h0, c_prev, Wx, Wh, b)
dh_next, dc_next = rng.standard_normal((N, H)), rng.standard_normal((N, H))


def step_loss(**args):
    h_out, c_out, _ = lstm_step_forward(**args)
    return (np.sum(dh_next * h_out) + np.sum(dc_next * c_out),)


show(gradient_errors(step_loss, dict(x=x[:, 0], h_prev=h0, c_prev=c_prev, Wx=Wx, Wh=Wh, b=b), np.array(1.0),
                     lstm_step_backward(dh_next, dc_next, cache)))

h, cache = lstm_forward(x, h0, Wx, Wh, b)
dh = rng.standard_normal(h.shape)
show(gradient_errors(lstm_forward, dict(x=x, h0=h0, Wx=Wx, Wh=Wh, b=b), dh, lstm_backward(dh, cache)))

# %% [markdown] id="a3-check-lstm"
# **Graded** ({{GRADED:check_lstm}}).

# %% nbgrader={"grade": true, "grade_id": "check_lstm", "locked": true, "schema_version": 3, "solution": false}
# Graded cell: `course nbgrader` fills in its check and points from course.yml
# (the tasks whose `notebook:` is this cell's grade_id).

# %% [markdown] id="a3-adding-problem"
# ## 4. Your LSTM on the adding problem
#
# The adding problem of Assignment 2: two channels (values from U[0, 1) and
# markers, one marker in each half), target the sum of the two marked values,
# baseline MSE 1/6. Your LSTM (`H = 16`, forget-gate bias initialised to 1 so
# that the cell starts by remembering, a linear head on the last hidden state,
# Adam with learning rate 0.02) is trained for 600 steps on fresh batches of 32
# sequences of length `T = 20`, a length where the tanh RNN of Assignment 2
# stays at the baseline.
#
# **Your glue code:**
#
# 1. `adding_batch(n, seq_len, rng)`: the data, as in your `adding_problem` of
#    Assignment 2: `x` of shape `(n, seq_len, 2)` and `y` of shape `(n, 1)`.
# 2. `loss_and_grads(params, x, y)`: run your `lstm_forward` from a zero state,
#    predict `pred = h[:, -1] @ Wy + by`, compute the mean squared error and
#    its gradient, backpropagate through the head and your `lstm_backward`
#    (the upstream `dh` is zero except at the last step), and return the loss
#    and a dict of gradients with the keys of `params`, clipped to a global
#    norm of at most 1 (as `clip_grad_norm` of Assignment 2).

# %% nbgrader={"grade": false, "grade_id": "glue_adding_data", "locked": false, "schema_version": 3, "solution": true}
def adding_batch(n, seq_len, rng):
    ### BEGIN SOLUTION
    x = np.zeros((n, seq_len, 2))
    x[:, :, 0] = rng.random((n, seq_len))
    rows = np.arange(n)
    first = rng.integers(0, seq_len // 2, size=n)
    second = rng.integers(seq_len // 2, seq_len, size=n)
    x[rows, first, 1] = 1.0
    x[rows, second, 1] = 1.0
    y = (x[rows, first, 0] + x[rows, second, 0])[:, None]
    ### END SOLUTION
    return x, y


# %% nbgrader={"grade": false, "grade_id": "glue_lstm_loss", "locked": false, "schema_version": 3, "solution": true}
def loss_and_grads(params, x, y):
    ### BEGIN SOLUTION
    h_init = np.zeros((x.shape[0], params["Wh"].shape[0]))
    h, cache = lstm_forward(x, h_init, params["Wx"], params["Wh"], params["b"])
    diff = h[:, -1] @ params["Wy"] + params["by"] - y
    loss = float(np.mean(diff ** 2))
    dpred = 2 * diff / diff.size
    dh = np.zeros_like(h)
    dh[:, -1] = dpred @ params["Wy"].T
    _, _, dWx, dWh, db = lstm_backward(dh, cache)
    grads = {"Wx": dWx, "Wh": dWh, "b": db, "Wy": h[:, -1].T @ dpred, "by": dpred.sum(axis=0)}
    total = np.sqrt(sum(np.sum(grad ** 2) for grad in grads.values()))
    scale = min(1.0, 1.0 / (total + 1e-6))
    grads = {k: grad * scale for k, grad in grads.items()}
    ### END SOLUTION
    return loss, grads


# %%
SEQ_LEN, HIDDEN = 20, 16
rng = np.random.default_rng(0)
k = 1 / np.sqrt(HIDDEN)
params = {"Wx": rng.uniform(-k, k, (2, 4 * HIDDEN)), "Wh": rng.uniform(-k, k, (HIDDEN, 4 * HIDDEN)),
          "b": rng.uniform(-k, k, 4 * HIDDEN), "Wy": rng.uniform(-k, k, (HIDDEN, 1)), "by": np.zeros(1)}
params["b"][HIDDEN:2 * HIDDEN] = 1.0
optimizer = Adam(params, lr=2e-2)
losses = []
for step in range(600):
    xb, yb = adding_batch(32, SEQ_LEN, rng)
    loss, grads = loss_and_grads(params, xb, yb)
    params = optimizer.step(params, grads)
    losses.append(loss)

x_test, y_test = adding_batch(1000, SEQ_LEN, np.random.default_rng(10_000))
h_test, _ = lstm_forward(x_test, np.zeros((1000, HIDDEN)), params["Wx"], params["Wh"], params["b"])
test_mse = np.mean((h_test[:, -1] @ params["Wy"] + params["by"] - y_test) ** 2)
plt.semilogy(losses, alpha=0.7)
plt.axhline(1 / 6, color="k", ls="--")
plt.xlabel("Adam step")
plt.ylabel("MSE")
plt.show()
print(test_mse)

# %% [markdown] id="a3-adding-problem-result"
# The loss first sits on the baseline (dashed) while the LSTM finds the
# markers, then falls by two orders of magnitude: the test MSE should end far
# below 1/6 (around 0.001).
#
# ## 5. Inside the gates
#
# Replay one test sequence step by step with your gate functions and look at
# the gates of every unit over time (dashed lines: the marked steps).
# Averaged over all units, a gate barely differs between the marked steps and
# the others: the few units that write the marked values are drowned by the
# rest. So look per unit: printed, for each gate, the largest difference of one
# unit (its value at the marked steps minus elsewhere), that unit, and the same
# difference averaged over the units. `python -m experiments gates` (student repository) measures
# this on three seeds and 200 sequences.

# %%
def lstm_gate_trace(params, x):
    H = params["Wh"].shape[0]
    h, c = np.zeros((1, H)), np.zeros((1, H))
    trace = {"i": [], "f": [], "o": []}
    for t in range(x.shape[1]):
        a = x[:, t] @ params["Wx"] + h @ params["Wh"] + params["b"]
        i, f, g, o = input_gate(a), forget_gate(a), cell_candidate(a), output_gate(a)
        c = cell_state_update(c, f, i, g)
        h = hidden_state(c, o)
        for name, value in (("i", i), ("f", f), ("o", o)):
            trace[name].append(value[0])
    return {name: np.array(values) for name, values in trace.items()}


x_one, y_one = adding_batch(1, SEQ_LEN, np.random.default_rng(123))
markers = np.flatnonzero(x_one[0, :, 1])
trace = lstm_gate_trace(params, x_one)
fig, axes = plt.subplots(3, 1, figsize=(9, 7), sharex=True)
for ax, (name, values) in zip(axes, trace.items()):
    image = ax.imshow(values.T, aspect="auto", cmap="viridis", vmin=0, vmax=1)
    for m in markers:
        ax.axvline(m, color="w", ls="--")
    ax.set_ylabel(name)
axes[-1].set_xlabel("t")
fig.colorbar(image, ax=list(axes))
plt.show()
others = np.setdiff1d(np.arange(SEQ_LEN), markers)
for name, values in trace.items():
    per_unit = values[markers].mean(axis=0) - values[others].mean(axis=0)  # (H,): one difference per unit
    unit = int(np.argmax(np.abs(per_unit)))
    print(f"{name}: unit {unit} moves by {per_unit[unit]:+.3f} at the markers; "
          f"averaged over units {per_unit.mean():+.3f}")

# %% [markdown] id="a3-summary"
# ## What you built
#
# An LSTM from its gates up, with exact gradients, that learns a dependency
# over 20 steps where a tanh RNN cannot. Assignment 4 does the same with the
# GRU, which merges the forget and input gates into one update gate and has no
# separate cell state.
