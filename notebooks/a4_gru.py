# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] id="a4-intro"
# # Assignment 4: the GRU, gate by gate (PyTorch convention)
#
# You implement the functions of `assignments/a4_gru/`: the reset and update
# gates, the candidate state, the hidden-state update, their backward passes,
# one GRU step and the whole sequence. This notebook imports **your** code,
# checks your gradients against centred differences of your own forward
# passes, trains your GRU on the adding problem and looks at its gates.
#
# Conventions (see the handout `assignments/a4_gru/README.md`), as in PyTorch:
# gate order r, z, n in `Wx (D, 3H)` and `Wh (H, 3H)`; two biases `bx` and
# `bh`; the reset gate multiplies **after** the matmul,
# `n = tanh(ax_n + r * ah_n)`; and `h = (1 - z) * n + z * h_prev`, so `z = 1`
# keeps the old state.
#
# The **graded** cells run the course's hidden checks (fresh random
# inputs, partial credit per check) when the assignment is collected; in your
# copy they run the public checks of their tasks and fail naming each task
# that does not pass them yet, as `nbgrader validate` does (they earn nothing
# themselves). The cells with `# YOUR CODE HERE` are glue code for the
# experiment and are not graded.

# %% [markdown] id="a4-setup"
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


# %% [markdown] id="a4-gates"
# ## 1. The gates (Tasks 4.1 to 4.4)
#
# With `ax = x Wx + bx` and `ah = h_prev Wh + bh`:
#
# $$r = \sigma(ax_r + ah_r),\quad z = \sigma(ax_z + ah_z),\quad n = \tanh(ax_n + r \odot ah_n),\quad h = (1 - z) \odot n + z \odot h_{prev}$$
#
# Below, the blocks of `ax` hold 1, 2 and 3, `ah` is 0 except its `n` block
# (0.5), and `h_prev = 0`: you should read `r = sigmoid(1) = 0.731`,
# `z = sigmoid(2) = 0.881`, `n = tanh(3 + 0.731 * 0.5) = 0.998` and
# `h = (1 - 0.881) * 0.998 = 0.119`.

# %%
from assignments.a4_gru.gates import candidate_hidden, gru_hidden_update, reset_gate, update_gate

H = 3
ax = np.concatenate([np.full((1, H), value) for value in (1.0, 2.0, 3.0)], axis=1)
ah = np.concatenate([np.zeros((1, 2 * H)), np.full((1, H), 0.5)], axis=1)
r, z = reset_gate(ax, ah), update_gate(ax, ah)
n = candidate_hidden(ax, ah, r)
print(r.round(3), z.round(3), n.round(3), gru_hidden_update(n, z, np.zeros((1, H))).round(3))

# %% [markdown] id="a4-check-gates"
# **Graded** ({{GRADED:check_gates}}).

# %% nbgrader={"grade": true, "grade_id": "check_gates", "locked": true, "schema_version": 3, "solution": false}
# Graded cell: `course nbgrader` fills in its check and points from course.yml
# (the tasks whose `notebook:` is this cell's grade_id).

# %% [markdown] id="a4-gates-backward"
# ## 2. Backward through the update and the candidate (Tasks 4.5 and 4.6)
#
# `h_prev` reaches `h` directly through `z * h_prev`: with `z` near 1 the
# gradient passes almost unchanged, the GRU's version of the LSTM's cell path.
# Self-checks against centred differences (the printed errors should be below
# about `1e-7`):

# %%
from assignments.a4_gru.gates_backward import candidate_hidden_backward, gru_hidden_update_backward

rng = np.random.default_rng(0)
N, H = 4, 5
n, z, h_prev = np.tanh(rng.standard_normal((N, H))), rng.uniform(size=(N, H)), rng.standard_normal((N, H))
dh = rng.standard_normal((N, H))
show(gradient_errors(lambda n, z, h_prev: (gru_hidden_update(n, z, h_prev),), dict(n=n, z=z, h_prev=h_prev), dh,
                     gru_hidden_update_backward(dh, n, z, h_prev)))


def candidate_of(ax_n, ah_n, r):
    zeros = np.zeros((ax_n.shape[0], 2 * ax_n.shape[1]))
    return (candidate_hidden(np.concatenate([zeros, ax_n], axis=1), np.concatenate([zeros, ah_n], axis=1), r),)


ax_n, ah_n, r = rng.standard_normal((N, H)), rng.standard_normal((N, H)), rng.uniform(size=(N, H))
n = candidate_of(ax_n, ah_n, r)[0]
dn = rng.standard_normal((N, H))
show(gradient_errors(candidate_of, dict(ax_n=ax_n, ah_n=ah_n, r=r), dn, candidate_hidden_backward(dn, n, r, ah_n)))

# %% [markdown] id="a4-check-gates-backward"
# **Graded** ({{GRADED:check_gates_backward}}).

# %% nbgrader={"grade": true, "grade_id": "check_gates_backward", "locked": true, "schema_version": 3, "solution": false}
# Graded cell: `course nbgrader` fills in its check and points from course.yml
# (the tasks whose `notebook:` is this cell's grade_id).

# %% [markdown] id="a4-gru"
# ## 3. The GRU step and sequence (Tasks 4.7 to 4.10)
#
# In the backward pass of one step, `h_prev` reaches `h` along two routes: the
# direct one through `z * h_prev`, and the one through `ah = h_prev Wh + bh`,
# which feeds all three blocks `r`, `z` and `n`. At that fork the gradients add.

# %%
from assignments.a4_gru.gru import gru_backward, gru_forward, gru_step_backward, gru_step_forward

N, T, D, H = 3, 4, 5, 6
x = rng.standard_normal((N, T, D))
h0 = rng.standard_normal((N, H))
Wx = rng.standard_normal((D, 3 * H)) * 0.5
Wh = rng.standard_normal((H, 3 * H)) * 0.5
bx, bh = rng.standard_normal(3 * H) * 0.5, rng.standard_normal(3 * H) * 0.5

h_next, cache = gru_step_forward(x[:, 0], h0, Wx, Wh, bx, bh)
dh_next = rng.standard_normal(h_next.shape)
show(gradient_errors(gru_step_forward, dict(x=x[:, 0], h_prev=h0, Wx=Wx, Wh=Wh, bx=bx, bh=bh), dh_next,
                     gru_step_backward(dh_next, cache)))

h, cache = gru_forward(x, h0, Wx, Wh, bx, bh)
dh = rng.standard_normal(h.shape)
show(gradient_errors(gru_forward, dict(x=x, h0=h0, Wx=Wx, Wh=Wh, bx=bx, bh=bh), dh, gru_backward(dh, cache)))

# %% [markdown] id="a4-check-gru"
# **Graded** ({{GRADED:check_gru}}).

# %% nbgrader={"grade": true, "grade_id": "check_gru", "locked": true, "schema_version": 3, "solution": false}
# Graded cell: `course nbgrader` fills in its check and points from course.yml
# (the tasks whose `notebook:` is this cell's grade_id).

# %% [markdown] id="a4-adding-problem"
# ## 4. Your GRU on the adding problem
#
# The adding problem of Assignment 2 (values from U[0, 1) and markers, one in
# each half; target the sum of the two marked values; baseline MSE 1/6) at
# `T = 20`, where the tanh RNN stays at the baseline. Your GRU (`H = 16`,
# PyTorch's default uniform initialisation, a linear head on the last hidden
# state, Adam with learning rate 0.02) is trained for 400 steps on fresh
# batches of 32 sequences.
#
# **Your glue code:**
#
# 1. `adding_batch(n, seq_len, rng)`: the data, as in your `adding_problem` of
#    Assignment 2: `x` of shape `(n, seq_len, 2)` and `y` of shape `(n, 1)`.
# 2. `loss_and_grads(params, x, y)`: run your `gru_forward` from a zero state,
#    predict `pred = h[:, -1] @ Wy + by`, compute the mean squared error and
#    its gradient, backpropagate through the head and your `gru_backward` (the
#    upstream `dh` is zero except at the last step), and return the loss and a
#    dict of gradients with the keys of `params`, clipped to a global norm of
#    at most 1 (as `clip_grad_norm` of Assignment 2).

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


# %% nbgrader={"grade": false, "grade_id": "glue_gru_loss", "locked": false, "schema_version": 3, "solution": true}
def loss_and_grads(params, x, y):
    ### BEGIN SOLUTION
    h_init = np.zeros((x.shape[0], params["Wh"].shape[0]))
    h, cache = gru_forward(x, h_init, params["Wx"], params["Wh"], params["bx"], params["bh"])
    diff = h[:, -1] @ params["Wy"] + params["by"] - y
    loss = float(np.mean(diff ** 2))
    dpred = 2 * diff / diff.size
    dh = np.zeros_like(h)
    dh[:, -1] = dpred @ params["Wy"].T
    _, _, dWx, dWh, dbx, dbh = gru_backward(dh, cache)
    grads = {"Wx": dWx, "Wh": dWh, "bx": dbx, "bh": dbh, "Wy": h[:, -1].T @ dpred, "by": dpred.sum(axis=0)}
    total = np.sqrt(sum(np.sum(grad ** 2) for grad in grads.values()))
    scale = min(1.0, 1.0 / (total + 1e-6))
    grads = {k: grad * scale for k, grad in grads.items()}
    ### END SOLUTION
    return loss, grads


# %%
SEQ_LEN, HIDDEN = 20, 16
rng = np.random.default_rng(0)
k = 1 / np.sqrt(HIDDEN)
params = {"Wx": rng.uniform(-k, k, (2, 3 * HIDDEN)), "Wh": rng.uniform(-k, k, (HIDDEN, 3 * HIDDEN)),
          "bx": rng.uniform(-k, k, 3 * HIDDEN), "bh": rng.uniform(-k, k, 3 * HIDDEN),
          "Wy": rng.uniform(-k, k, (HIDDEN, 1)), "by": np.zeros(1)}
optimizer = Adam(params, lr=2e-2)
losses = []
for step in range(400):
    xb, yb = adding_batch(32, SEQ_LEN, rng)
    loss, grads = loss_and_grads(params, xb, yb)
    params = optimizer.step(params, grads)
    losses.append(loss)

x_test, y_test = adding_batch(1000, SEQ_LEN, np.random.default_rng(10_000))
h_test, _ = gru_forward(x_test, np.zeros((1000, HIDDEN)), params["Wx"], params["Wh"], params["bx"], params["bh"])
test_mse = np.mean((h_test[:, -1] @ params["Wy"] + params["by"] - y_test) ** 2)
plt.semilogy(losses, alpha=0.7)
plt.axhline(1 / 6, color="k", ls="--")
plt.xlabel("Adam step")
plt.ylabel("MSE")
plt.show()
print(test_mse)

# %% [markdown] id="a4-adding-problem-result"
# The test MSE should end far below the baseline 1/6 (dashed), around 0.001.
#
# ## 5. Inside the gates
#
# Replay one test sequence with your gate functions and look at `r` and `z`
# of every unit over time (dashed lines: the marked steps). Where `z` drops,
# the unit writes its candidate into the state; where `z` stays near 1, it
# keeps what it holds. Look per unit, not at the average over units: printed,
# for each gate, the largest difference of one unit (its value at the marked
# steps minus elsewhere, in absolute value), that unit, and the same difference
# averaged over the units. `python -m experiments gates` (student repository) measures this on three
# seeds and 200 sequences.

# %%
def gru_gate_trace(params, x):
    H = params["Wh"].shape[0]
    h = np.zeros((1, H))
    trace = {"r": [], "z": []}
    for t in range(x.shape[1]):
        ax = x[:, t] @ params["Wx"] + params["bx"]
        ah = h @ params["Wh"] + params["bh"]
        r, z = reset_gate(ax, ah), update_gate(ax, ah)
        h = gru_hidden_update(candidate_hidden(ax, ah, r), z, h)
        trace["r"].append(r[0])
        trace["z"].append(z[0])
    return {name: np.array(values) for name, values in trace.items()}


x_one, y_one = adding_batch(1, SEQ_LEN, np.random.default_rng(123))
markers = np.flatnonzero(x_one[0, :, 1])
trace = gru_gate_trace(params, x_one)
fig, axes = plt.subplots(2, 1, figsize=(9, 5), sharex=True)
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

# %% [markdown] id="a4-summary"
# ## What you built
#
# A GRU in PyTorch's convention, with exact gradients, that solves a
# long-range task with fewer parameters than the LSTM (three gate blocks
# instead of four, and no separate cell state). With Assignments 1 to 3 you
# now have the three classic recurrent cells, written and differentiated by
# hand.
