"""Fingerprints of a task's outputs: which catalogued mistake a student's outputs match, without its outputs.

The hidden suite of the student repository ships, for each catalogued mistake, only the
hash of the mutant's outputs on the hidden cases; the student's outputs are hashed alike
and compared. Values are rounded to ``DIGITS`` significant digits (and magnitudes below
``ZERO`` count as 0) so that the usual floating-point noise of an equivalent computation
does not change the hash.
"""

import hashlib
import json

import numpy as np

DIGITS = 6
ZERO = 1e-9


def _canonical(value):
    array = np.asarray(value, dtype=np.float64)
    array = np.where(np.abs(array) < ZERO, 0.0, array) + 0.0  # no -0.0
    return {"shape": list(array.shape), "data": [f"{x:.{DIGITS - 1}e}" for x in array.ravel().tolist()]}


def outputs_fingerprint(outputs_per_case):
    """sha256 (hex) of a task's outputs over its hidden cases.

    Inputs: ``outputs_per_case``: one dict {output name: array or number} per case, in the cases' order.
    Returns: a 64-character hex string; None when an output is not numeric (nothing to match).
    """
    canonical = []
    for outputs in outputs_per_case:
        try:
            canonical.append({name: _canonical(outputs[name]) for name in sorted(outputs)})
        except (TypeError, ValueError):
            return None
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()
