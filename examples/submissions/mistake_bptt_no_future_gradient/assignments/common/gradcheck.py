"""Numerical gradients by centred differences, and the relative error (provided).

    df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2 h)

For a function with array output ``y = f(x)`` and upstream gradient ``dy`` the
checked quantity is the vector-Jacobian product ``sum(dy * y)`` differentiated
with respect to ``x``. Use float64: with float32 the error of a correct gradient
can reach 1e-2.

References: CS231n ``gradient_check.py``; Karpathy, "Yes you should understand backprop".
"""

import numpy as np


def rel_error(x, y):
    """Maximum relative error between two arrays (0 when both are zero).

    Inputs:
    - x, y: arrays of the same shape

    Returns:
    - float: max |x - y| / max(1e-8, |x| + |y|)
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y)), initial=0.0))


def numerical_gradient(f, x, h=1e-5):
    """Gradient of a scalar function ``f`` at ``x`` by centred differences.

    ``x`` is perturbed in place and restored after each evaluation, so pass an
    array you own.

    Inputs:
    - f: callable ``f(x) -> float``
    - x: float64 array of any shape
    - h: step size

    Returns:
    - grad: array of the shape of ``x``
    """
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        idx = it.multi_index
        old = x[idx]
        x[idx] = old + h
        f_plus = float(f(x))
        x[idx] = old - h
        f_minus = float(f(x))
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2.0 * h)
        it.iternext()
    return grad


def numerical_gradient_array(f, x, dout, h=1e-5):
    """Vector-Jacobian product of an array function ``f`` at ``x`` by centred differences.

    Inputs:
    - f: callable ``f(x) -> array``
    - x: float64 array of any shape (perturbed in place and restored)
    - dout: upstream gradient, the shape of ``f(x)``
    - h: step size

    Returns:
    - grad: array of the shape of ``x``, the derivative of sum(dout * f(x)) w.r.t. ``x``
    """
    return numerical_gradient(lambda x_: np.sum(np.asarray(f(x_)) * dout), x, h)
