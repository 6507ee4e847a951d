# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] id="a1-intro"
# # Assignment 1: a vanilla RNN, BPTT and a char-level language model
#
# You implement the functions of the package `assignments/a1_vanilla_rnn/` (the
# folder `assignments/` sits next to this notebook) and this notebook runs
# **your** code: every import below reads your files. Edit the `.py` files in
# any editor; thanks to `autoreload` the notebook picks up your changes without
# a restart.
#
# The handout `assignments/a1_vanilla_rnn/README.md` has the maths, the shape
# conventions (batch-major `(N, T, D)`, weights multiply on the right:
# `x @ Wx` with `Wx` of shape `(D, H)`, float64) and the table of tasks.
#
# How this notebook is graded:
#
# - the locked cells marked **graded** check the tasks named in them with the
#   course's hidden checks, when the assignment is collected (in your copy they
#   run the public checks of those tasks and fail naming each task that does
#   not pass them yet, as `nbgrader validate` does; they earn nothing
#   themselves): fresh random inputs on several shapes, compared
#   with the reference, and every backward pass also against numerical
#   derivatives of *your own* forward pass. A task earns a share of its points
#   for each check it passes (partial credit);
# - the cells with `# YOUR CODE HERE` are small pieces of glue code that run the
#   experiments; they are not graded, but the experiments need them;
# - the other cells print self-checks (relative errors of your gradients
#   against centred differences): all of them should be below about `1e-7`.

# %% [markdown] id="a1-setup"
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

from assignments.common.gradcheck import numerical_gradient, numerical_gradient_array


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


# %% [markdown] id="a1-rnn"
# ## 1. The RNN step and its unroll (Tasks 1.1 to 1.4)
#
# One step of a vanilla (Elman) RNN reads the input `x_t` and the previous state:
#
# $$h_t = \tanh(x_t W_x + h_{t-1} W_h + b)$$
#
# `rnn_forward` applies the same step at every time step, starting from the
# given `h0`, and returns all the states `(N, T, H)`. Backpropagation through
# time (`rnn_backward`) walks the steps backwards: the gradient reaching `h_t`
# is the loss's own `dh[:, t]` **plus** what flows back from step `t + 1`, and
# the weight gradients are **summed** over the steps, because the same weights
# are used at every step.

# %%
from assignments.a1_vanilla_rnn.rnn import rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward

rng = np.random.default_rng(0)
N, T, D, H = 3, 5, 4, 6
x = rng.standard_normal((N, T, D))
h0 = rng.standard_normal((N, H))
Wx = rng.standard_normal((D, H)) * 0.5
Wh = rng.standard_normal((H, H)) * 0.5
b = rng.standard_normal(H) * 0.5

h_next, _ = rnn_step_forward(x[:, 0], h0, Wx, Wh, b)
h, _ = rnn_forward(x, h0, Wx, Wh, b)
print(h_next.shape, h.shape)
print(np.allclose(h[:, 0], h_next))

# %% [markdown] id="a1-rnn-selfcheck"
# Self-check of your backward passes against centred differences of your own
# forward passes (the printed relative errors should be below `1e-7`):

# %%
_, cache = rnn_step_forward(x[:, 0], h0, Wx, Wh, b)
dh_next = rng.standard_normal((N, H))
show(gradient_errors(rnn_step_forward, dict(x=x[:, 0], h_prev=h0, Wx=Wx, Wh=Wh, b=b), dh_next,
                     rnn_step_backward(dh_next, cache)))

h, cache = rnn_forward(x, h0, Wx, Wh, b)
dh = rng.standard_normal(h.shape)
show(gradient_errors(rnn_forward, dict(x=x, h0=h0, Wx=Wx, Wh=Wh, b=b), dh, rnn_backward(dh, cache)))

# %% [markdown] id="a1-check-rnn"
# The next cell is **graded** ({{GRADED:check_rnn}}). Its checks
# run when the assignment is collected.

# %% nbgrader={"grade": true, "grade_id": "check_rnn", "locked": true, "schema_version": 3, "solution": false}
# Graded cell: `course nbgrader` fills in its check and points from course.yml
# (the tasks whose `notebook:` is this cell's grade_id).

# %% [markdown] id="a1-output-layers"
# ## 2. Output layer and loss over time (Tasks 1.5 to 1.7)
#
# A language model turns every hidden state into scores over the vocabulary,
# `scores = h @ W + b` at every step (the same `W` for all steps), and is
# trained with the softmax cross-entropy **summed over time and averaged over
# the batch**.
#
# A sanity check worth remembering: with near-zero scores every one of the `V`
# classes has probability `1/V`, so the loss of a sequence of length `T` is
# close to `T ln V`.

# %%
from assignments.a1_vanilla_rnn.output_layers import (temporal_affine_backward, temporal_affine_forward,
                                                      temporal_softmax_loss)

V = 7
states = rng.standard_normal((N, T, H))
W = rng.standard_normal((H, V))
by = rng.standard_normal(V)
scores, cache = temporal_affine_forward(states, W, by)
dout = rng.standard_normal(scores.shape)
show(gradient_errors(temporal_affine_forward, dict(h=states, W=W, b=by), dout, temporal_affine_backward(dout, cache)))

small_scores = 1e-3 * rng.standard_normal((N, T, V))
y = rng.integers(V, size=(N, T))
loss, dscores = temporal_softmax_loss(small_scores, y)
print(loss, T * np.log(V))
numeric = numerical_gradient(lambda s: temporal_softmax_loss(s, y)[0], small_scores.copy())
print(f"dscores  {norm_error(dscores, numeric):.1e}")

# %% [markdown] id="a1-check-output-layers"
# **Graded** ({{GRADED:check_output_layers}}).

# %% nbgrader={"grade": true, "grade_id": "check_output_layers", "locked": true, "schema_version": 3, "solution": false}
# Graded cell: `course nbgrader` fills in its check and points from course.yml
# (the tasks whose `notebook:` is this cell's grade_id).

# %% [markdown] id="a1-char-lm"
# ## 3. A char-level language model on "hello" (Tasks 1.8 to 1.10)
#
# The classic first example: the vocabulary is `h, e, l, o`, the inputs are
# "hell" and the targets "ello" (the text shifted by one character). The input
# `l` is followed once by `l` and once by `o`, so the model cannot answer from
# the current character alone: it must use its hidden state.
#
# `train_char_lm` (provided in `char_lm.py`) fits the model with Adagrad, as in
# Karpathy's `min-char-rnn.py`, calling your `char_lm_loss` at every step.
#
# **Your glue code:** train a model with hidden size 8 on "hello" for 300 steps
# (learning rate 0.1, seed 0), keeping the parameters in `params` and the list
# of losses in `losses`. Then generate 4 characters greedily (`rng=None`)
# starting from "h" and an all-zero hidden state, and store the decoded string
# in `generated`.

# %%
from assignments.a1_vanilla_rnn.char_lm import (VOCAB, char_lm_loss, decode, encode, init_char_lm, one_hot,
                                                sample, train_char_lm)

print(one_hot(encode("hell"), len(VOCAB)))

# %% nbgrader={"grade": false, "grade_id": "glue_hello", "locked": false, "schema_version": 3, "solution": true}
### BEGIN SOLUTION
params, losses = train_char_lm("hello", H=8, steps=300, lr=0.1, seed=0)
generated = decode(sample(params, np.zeros((1, 8)), int(encode("h")[0]), 4))
### END SOLUTION

# %% [markdown] id="a1-char-lm-result"
# The loss should fall by orders of magnitude and the greedy sample should be
# `'ello'`. Sampling from the softmax instead of taking the argmax (pass a
# random generator as `rng`) gives other continuations, more or less often
# depending on how sure the model is.

# %%
plt.semilogy(losses)
plt.xlabel("Adagrad step")
plt.ylabel("loss")
plt.show()
print(repr(generated), losses[-1])
print(decode(sample(params, np.zeros((1, 8)), int(encode("h")[0]), 12, rng=np.random.default_rng(1))))

# %% [markdown] id="a1-check-char-lm"
# **Graded** ({{GRADED:check_char_lm}}).

# %% nbgrader={"grade": true, "grade_id": "check_char_lm", "locked": true, "schema_version": 3, "solution": false}
# Graded cell: `course nbgrader` fills in its check and points from course.yml
# (the tasks whose `notebook:` is this cell's grade_id).

# %% [markdown] id="a1-architectures"
# ## 4. Many-to-one and one-to-many (Tasks 1.11 to 1.14)
#
# The same recurrent core serves several input/output patterns. **Many-to-one**
# reads a whole sequence and classifies it from the last hidden state only
# (sentiment of a sentence); **one-to-many** receives one input at `t = 0` and
# produces a sequence (captioning an image).
#
# Experiment: read `T = 10` numbers drawn from N(0, 1) and decide whether their
# sum is positive. The RNN has to integrate its inputs over time; chance level
# is 50 %.
#
# **Your glue code:** complete `loss_and_grads`: run your `many_to_one_forward`
# on the parameters (in the order `KEYS`), use `temporal_softmax_loss` as a
# loss over a single time step (add a time axis of length 1 to the scores and
# the labels), backpropagate with `many_to_one_backward`, and return the loss
# and the gradients of the five parameters as a dict with the keys `KEYS`.

# %%
from assignments.a1_vanilla_rnn.architectures import (many_to_one_backward, many_to_one_forward,
                                                      one_to_many_backward, one_to_many_forward)

KEYS = ("Wx", "Wh", "b", "Wy", "by")


def sign_of_sum_data(n, steps, rng):
    x = rng.standard_normal((n, steps, 1))
    return x, (x.sum(axis=(1, 2)) > 0).astype(np.int64)


# %% nbgrader={"grade": false, "grade_id": "glue_many_to_one", "locked": false, "schema_version": 3, "solution": true}
def loss_and_grads(params, x, y):
    h_init = np.zeros((x.shape[0], params["Wh"].shape[0]))
    ### BEGIN SOLUTION
    scores, cache = many_to_one_forward(x, h_init, *(params[k] for k in KEYS))
    loss, dscores = temporal_softmax_loss(scores[:, None, :], y[:, None])
    grads = dict(zip(KEYS, many_to_one_backward(dscores[:, 0, :], cache)[2:]))
    ### END SOLUTION
    return loss, grads


# %%
rng = np.random.default_rng(0)
hidden = 16
model = init_char_lm(1, hidden, rng, scale=0.3)
model["Wy"] = rng.standard_normal((hidden, 2)) * 0.1
model["by"] = np.zeros(2)
optimizer = Adam(model, lr=1e-2)
m2o_losses = []
for step in range(300):
    xb, yb = sign_of_sum_data(64, 10, rng)
    loss, grads = loss_and_grads(model, xb, yb)
    model = optimizer.step(model, grads)
    m2o_losses.append(loss)

x_test, y_test = sign_of_sum_data(2000, 10, np.random.default_rng(1000))
test_scores, _ = many_to_one_forward(x_test, np.zeros((2000, hidden)), *(model[k] for k in KEYS))
accuracy = np.mean(test_scores.argmax(axis=1) == y_test)
plt.plot(m2o_losses)
plt.axhline(np.log(2), color="k", ls="--")
plt.xlabel("Adam step")
plt.ylabel("cross-entropy")
plt.show()
print(accuracy)

# %% [markdown] id="a1-architectures-result"
# After 300 steps the test accuracy should be well above 0.9 (the dashed line
# is the loss of chance, `ln 2`).
#
# Self-check of the two architectures' backward passes:

# %%
Wy = rng.standard_normal((H, 3))
b_out = rng.standard_normal(3)
scores, cache = many_to_one_forward(x, h0, Wx, Wh, b, Wy, b_out)
dscores = rng.standard_normal(scores.shape)
show(gradient_errors(many_to_one_forward, dict(x=x, h0=h0, Wx=Wx, Wh=Wh, b=b, Wy=Wy, by=b_out), dscores,
                     many_to_one_backward(dscores, cache)))

v = rng.standard_normal((N, D))
h_seq, cache = one_to_many_forward(v, h0, Wx, Wh, b, T)
dh = rng.standard_normal(h_seq.shape)
show(gradient_errors(lambda v, h0, Wx, Wh, b: one_to_many_forward(v, h0, Wx, Wh, b, T),
                     dict(v=v, h0=h0, Wx=Wx, Wh=Wh, b=b), dh, one_to_many_backward(dh, cache)))

# %% [markdown] id="a1-check-architectures"
# **Graded** ({{GRADED:check_architectures}}).

# %% nbgrader={"grade": true, "grade_id": "check_architectures", "locked": true, "schema_version": 3, "solution": false}
# Graded cell: `course nbgrader` fills in its check and points from course.yml
# (the tasks whose `notebook:` is this cell's grade_id).

# %% [markdown] id="a1-stacked"
# ## 5. A stacked RNN (Tasks 1.15 and 1.16)
#
# Stacking layers makes the network deep in a second direction: layer `l`
# (0-based, `layers[l]`) reads the hidden states of layer `l - 1` (the input
# `x` for `l = 0`) as its input sequence and starts from its own initial state
# `h0[l]`. Backward goes from the top layer down,
# and the `dx` of one layer is the upstream `dh` of the layer below.

# %%
from assignments.a1_vanilla_rnn.stacked_rnn import stacked_rnn_backward, stacked_rnn_forward

L = 3
layers = [(rng.standard_normal((D if l == 0 else H, H)) * 0.5, rng.standard_normal((H, H)) * 0.5,
           rng.standard_normal(H) * 0.5) for l in range(L)]
h0_layers = rng.standard_normal((L, N, H))
h_top, cache = stacked_rnn_forward(x, h0_layers, layers)
dh_top = rng.standard_normal(h_top.shape)
dx, dh0_layers, dlayers = stacked_rnn_backward(dh_top, cache)
print(h_top.shape, dx.shape, dh0_layers.shape, [tuple(g.shape for g in grads) for grads in dlayers])
show(gradient_errors(lambda x, h0: stacked_rnn_forward(x, h0, layers), dict(x=x, h0=h0_layers), dh_top,
                     (dx, dh0_layers)))


def top_states(Wx_first):
    return stacked_rnn_forward(x, h0_layers, [(Wx_first, *layers[0][1:]), *layers[1:]])[0]


numeric = numerical_gradient_array(top_states, layers[0][0].copy(), dh_top)
print(f"dWx[0]  {norm_error(dlayers[0][0], numeric):.1e}")

# %% [markdown] id="a1-check-stacked"
# **Graded** ({{GRADED:check_stacked}}).

# %% nbgrader={"grade": true, "grade_id": "check_stacked", "locked": true, "schema_version": 3, "solution": false}
# Graded cell: `course nbgrader` fills in its check and points from course.yml
# (the tasks whose `notebook:` is this cell's grade_id).

# %% [markdown] id="a1-summary"
# ## What you built
#
# A vanilla RNN with backpropagation through time, the output layer and loss
# of a language model, a model that learned "hello", a sequence classifier and
# a deep (stacked) RNN, all in numpy. Assignment 2 looks at what goes wrong
# with these gradients over long sequences, and how to control it.
