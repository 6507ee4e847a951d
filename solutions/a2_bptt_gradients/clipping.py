"""Gradient clipping: rescale by the global norm, or clip every entry.

Exploding gradients (Pascanu et al. 2013) show up as rare, huge gradient
steps when the product of Jacobians dh_t/dh_{t-1} grows with the distance.
Clipping bounds the size of the step, in one of two ways:

    by global norm (Task 2.2, PyTorch ``clip_grad_norm_``):
        total = sqrt( sum_arrays sum_entries g**2 )
        coef  = max_norm / (total + 1e-6)
        g    <- coef * g   for every array, only when coef < 1

    by value (Task 2.3, PyTorch ``clip_grad_value_``):
        g    <- clip(g, -clip_value, clip_value)   entry by entry

Norm clipping keeps the direction of the whole update (all parameters share
one coefficient); value clipping changes the direction but is cheaper and
local. The 1e-6 in the coefficient follows PyTorch, so with total == max_norm
the gradients are scaled by a factor just below 1.

References: Pascanu, Mikolov & Bengio (2013), "On the difficulty of training
recurrent neural networks", algorithm 1; Mikolov (2012), PhD thesis (value
clipping); PyTorch docs ``torch.nn.utils.clip_grad_norm_`` and
``torch.nn.utils.clip_grad_value_``.
"""

import numpy as np


def clip_grad_norm(grads, max_norm):
    """Task 2.2: scale all gradients by max_norm / (total_norm + 1e-6) when that is < 1, total_norm over all arrays.

    Inputs:
    - grads: dict name -> gradient array (any shapes)
    - max_norm: float, the largest allowed global L2 norm

    Returns a tuple of:
    - clipped: new dict with the same keys, new float64 arrays of the same
      shapes (the input arrays are not modified)
    - total_norm: float, the global norm sqrt(sum of all squared entries)
      *before* clipping
    """
    # BEGIN SOLUTION
    arrays = {k: np.asarray(g, dtype=np.float64) for k, g in grads.items()}
    total_norm = float(np.sqrt(sum(np.sum(g**2) for g in arrays.values())))
    coef = max_norm / (total_norm + 1e-6)
    if coef < 1.0:
        clipped = {k: g * coef for k, g in arrays.items()}
    else:
        clipped = {k: g.copy() for k, g in arrays.items()}
    return clipped, total_norm
    # END SOLUTION


def clip_grad_value(grads, clip_value):
    """Task 2.3: clip every gradient entry to [-clip_value, clip_value].

    Inputs:
    - grads: dict name -> gradient array (any shapes)
    - clip_value: non-negative float

    Returns:
    - clipped: new dict with the same keys, new float64 arrays of the same
      shapes (the input arrays are not modified)
    """
    # BEGIN SOLUTION
    return {k: np.clip(np.asarray(g, dtype=np.float64), -clip_value, clip_value) for k, g in grads.items()}
    # END SOLUTION
