"""How the gradient of a late loss decays or grows as it flows back through time.

Take a loss that only sees the last hidden state, L = sum(dh_last * h_{T-1}),
so the gradient at h_{T-1} is dh_last itself. Each step back through
h_t = phi(a_t), a_t = x_t Wx + h_{t-1} Wh + b, multiplies it (as a row vector)
by the step's Jacobian, diag(phi'(a_t)) Wh^T: your step backward computes that
product, so call it, once per step, from the last step back.

Since |phi'| <= gamma (gamma = 1 for tanh and ReLU, 1/4 for the sigmoid), each
step multiplies the norm by at most gamma * ||Wh||_2, the largest singular value
of Wh times gamma. Pascanu et al. (2013): if the largest singular value of Wh is
below 1/gamma, the gradient *vanishes* exponentially with the distance T-1-t,
so long-range dependencies get no learning signal; a largest singular value
above 1/gamma is necessary for it to *explode* (not sufficient). The spectral
radius rho(Wh) <= ||Wh||_2 is not the condition for the nonlinear RNN: it only
governs the long-run growth of the *linear* map, which is what you see in the
near-linear regime of tanh (small states, phi' ~ 1), where the norms scale
like rho(Wh)^(T-1-t). With ReLU, Wh = I, b = 0 and zero input (IRNN at
initialisation) the gradient is carried back unchanged through the active
units (h > 0) and stopped at the others.

This module records norms[t] = ||dL/dh_t||_F (over the whole batch) for
t = 0 .. T-1, the quantity plotted in the assignment's vanishing/exploding
experiment.

References: Bengio, Simard & Frasconi (1994), "Learning long-term dependencies
with gradient descent is difficult"; Hochreiter (1991), diploma thesis;
Pascanu, Mikolov & Bengio (2013), "On the difficulty of training recurrent
neural networks", section 3; Le, Jaitly & Hinton (2015) (IRNN).
"""

import numpy as np

from ..a1_vanilla_rnn.rnn import rnn_step_backward, rnn_step_forward
from .relu_rnn import relu_rnn_step_backward, relu_rnn_step_forward


def hidden_gradient_norms(x, h0, Wx, Wh, b, dh_last, nonlinearity="tanh"):
    """Task 2.4: norms[t] = ||dL/dh_t||_F for L = sum(dh_last * h_{T-1}), backpropagated from the last step only.

    Inputs:
    - x: input sequence of shape (N, T, D)
    - h0: initial hidden state of shape (N, H)
    - Wx: input-to-hidden weights of shape (D, H)
    - Wh: hidden-to-hidden weights of shape (H, H)
    - b: bias of shape (H,)
    - dh_last: gradient of the loss w.r.t. the last hidden state h_{T-1}, shape (N, H)
    - nonlinearity: "tanh" (A1 step functions) or "relu" (``relu_rnn``);
      ValueError for anything else

    Returns:
    - norms: float64 array of shape (T,); norms[t] is the Frobenius norm over
      the batch of dL/dh_t, so norms[T-1] = ||dh_last||
    """
    # TODO: Task 2.4 — backpropagate dh_last from the last step only; record the norm of dL/dh_t at every t before stepping further back
    raise NotImplementedError("Task 2.4: hidden_gradient_norms")
