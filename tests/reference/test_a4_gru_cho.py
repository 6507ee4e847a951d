"""Reference checks for A4 gru_cho.py (tasks 4.11-4.12): the GRU with the reset gate before the matmul.

PyTorch has no such cell (``nn.GRUCell`` applies r after the product), so the reference is checked

- forward: against the equations written out here in numpy, independently of the course's gate functions;
  against ``nn.GRUCell`` where the two cells coincide (W_hn = 0 and b_hn = 0: the reset gate has nothing to
  scale), which pins the r, z blocks, the two biases and the update convention; and shown to differ from it
  on random weights (it is the other cell);
- backward: against centred differences of the reference forward (no autograd) on several shapes; against
  torch.autograd of the same equations written with torch operations; and against a one-unit case whose
  derivatives are worked out by hand below (it also tells the two cells apart: dL/db_hn has no factor r here).
"""

import math

import numpy as np
import pytest

from solutions.a4_gru.gru_cho import gru_cho_step_backward, gru_cho_step_forward
from solutions.common.gradcheck import numerical_gradient_array, rel_error

SHAPES = [(1, 3, 4), (2, 3, 4), (3, 6, 2), (4, 5, 5)]  # (N, D, H): N = 1 and D != H covered
GRAD_NAMES = ["x", "h_prev", "Wx", "Wh", "bx", "bh"]


def make_args(rng, N, D, H):
    return [rng.standard_normal((N, D)), rng.standard_normal((N, H)) * 0.5, rng.standard_normal((D, 3 * H)) * 0.5,
            rng.standard_normal((H, 3 * H)) * 0.5, rng.standard_normal(3 * H) * 0.5,
            rng.standard_normal(3 * H) * 0.5]


def cho_forward_numpy(x, h_prev, Wx, Wh, bx, bh):
    """The Cho et al. / d2l step, written out from its equations."""
    H = h_prev.shape[1]
    sig = lambda v: 1.0 / (1.0 + np.exp(-v))  # noqa: E731
    r = sig(x @ Wx[:, :H] + bx[:H] + h_prev @ Wh[:, :H] + bh[:H])
    z = sig(x @ Wx[:, H:2 * H] + bx[H:2 * H] + h_prev @ Wh[:, H:2 * H] + bh[H:2 * H])
    n = np.tanh(x @ Wx[:, 2 * H:] + bx[2 * H:] + (r * h_prev) @ Wh[:, 2 * H:] + bh[2 * H:])
    return (1 - z) * n + z * h_prev


@pytest.mark.task4_11
@pytest.mark.parametrize("N,D,H", SHAPES)
def test_forward_follows_the_equations_and_mutates_nothing(rng, N, D, H):
    args = make_args(rng, N, D, H)
    copies = [a.copy() for a in args]
    h_next, _ = gru_cho_step_forward(*args)
    assert h_next.shape == (N, H) and h_next.dtype == np.float64
    assert rel_error(h_next, cho_forward_numpy(*args)) < 1e-12
    assert all(np.array_equal(a, c) for a, c in zip(args, copies))


@pytest.mark.oracle
@pytest.mark.task4_11
def test_forward_is_torch_grucell_when_the_reset_gate_has_nothing_to_scale_and_differs_otherwise(rng, torch):
    N, D, H = 3, 4, 5
    x, h_prev, Wx, Wh, bx, bh = make_args(rng, N, D, H)
    cell = torch.nn.GRUCell(D, H).double()

    def torch_step(Wh, bh):
        with torch.no_grad():
            for name, value in (("weight_ih", Wx.T), ("weight_hh", Wh.T), ("bias_ih", bx), ("bias_hh", bh)):
                getattr(cell, name).copy_(torch.from_numpy(np.ascontiguousarray(value)))
            return cell(torch.from_numpy(x), torch.from_numpy(h_prev)).numpy()

    Wh0, bh0 = Wh.copy(), bh.copy()
    Wh0[:, 2 * H:], bh0[2 * H:] = 0.0, 0.0
    assert rel_error(gru_cho_step_forward(x, h_prev, Wx, Wh0, bx, bh0)[0], torch_step(Wh0, bh0)) < 1e-12
    assert np.max(np.abs(gru_cho_step_forward(x, h_prev, Wx, Wh, bx, bh)[0] - torch_step(Wh, bh))) > 1e-3


@pytest.mark.task4_12
@pytest.mark.parametrize("N,D,H", SHAPES)
def test_backward_matches_centred_differences(rng, N, D, H):
    args = make_args(rng, N, D, H)
    h_next, cache = gru_cho_step_forward(*args)
    dh_next = rng.standard_normal(h_next.shape)
    saved = dh_next.copy()
    grads = gru_cho_step_backward(dh_next, cache)
    assert np.array_equal(dh_next, saved) and len(grads) == 6
    for k, analytic in enumerate(grads):
        def f(v, k=k):
            a = list(args)
            a[k] = v
            return gru_cho_step_forward(*a)[0]
        numeric = numerical_gradient_array(f, args[k].copy(), dh_next)
        assert analytic.shape == args[k].shape, GRAD_NAMES[k]
        # elementwise (entries near 1e-5 carry the differences' rounding) and as a whole
        assert rel_error(analytic, numeric) < 1e-6, GRAD_NAMES[k]
        assert np.linalg.norm(analytic - numeric) / np.linalg.norm(analytic + numeric) < 1e-8, GRAD_NAMES[k]


@pytest.mark.oracle
@pytest.mark.task4_12
def test_backward_matches_torch_autograd_of_the_same_equations(rng, torch):
    args = make_args(rng, 3, 4, 5)
    H = 5
    tensors = [torch.tensor(a, requires_grad=True) for a in args]
    x, h, Wx, Wh, bx, bh = tensors
    r = torch.sigmoid(x @ Wx[:, :H] + bx[:H] + h @ Wh[:, :H] + bh[:H])
    z = torch.sigmoid(x @ Wx[:, H:2 * H] + bx[H:2 * H] + h @ Wh[:, H:2 * H] + bh[H:2 * H])
    n = torch.tanh(x @ Wx[:, 2 * H:] + bx[2 * H:] + (r * h) @ Wh[:, 2 * H:] + bh[2 * H:])
    dh_next = rng.standard_normal((3, H))
    ((1 - z) * n + z * h).backward(torch.from_numpy(dh_next))
    grads = gru_cho_step_backward(dh_next, gru_cho_step_forward(*args)[1])
    for name, ours, tensor in zip(GRAD_NAMES, grads, tensors):
        assert rel_error(ours, tensor.grad.numpy()) < 1e-10, name


@pytest.mark.task4_12
def test_backward_of_one_unit_worked_out_by_hand():
    """N = D = H = 1, x = 0 (so a^x = b_x), b_hr = b_hz = 0. With p = h_prev, Wh = (u_r, u_z, w), b_hn = c:

    r = s(a_r + u_r p), z = s(a_z + u_z p), n = tanh(a_n + r p w + c), h = (1 - z) n + z p, and with
    g = (1 - z)(1 - n^2), the derivatives of h (dh_next = 1) are
      dh/dp   = z + (p - n) z (1 - z) u_z + g w (r + p r (1 - r) u_r)
      dh/db_xr = dh/db_hr = g w p r (1 - r),  dh/du_r = that * p
      dh/db_xz = dh/db_hz = (p - n) z (1 - z), dh/du_z = that * p
      dh/db_xn = dh/db_hn = g  (the PyTorch cell would give g r for b_hn),  dh/dw = g r p
    """
    a_r, a_z, a_n, u_r, u_z, w, c, p = 0.3, -0.2, 0.1, 0.7, -0.5, 1.3, 0.4, 0.8
    s = lambda v: 1.0 / (1.0 + math.exp(-v))  # noqa: E731
    r, z = s(a_r + u_r * p), s(a_z + u_z * p)
    n = math.tanh(a_n + r * p * w + c)
    g = (1 - z) * (1 - n ** 2)
    d_ar, d_az = g * w * p * r * (1 - r), (p - n) * z * (1 - z)
    want = {"dh_prev": [[z + d_az * u_z + g * w * (r + p * r * (1 - r) * u_r)]],
            "dWh": [[d_ar * p, d_az * p, g * r * p]], "dbx": [d_ar, d_az, g], "dbh": [d_ar, d_az, g],
            "dWx": [[0.0, 0.0, 0.0]], "dx": [[d_ar * 0.5 + d_az * -0.25 + g * 2.0]]}
    args = [np.zeros((1, 1)), np.array([[p]]), np.array([[0.5, -0.25, 2.0]]), np.array([[u_r, u_z, w]]),
            np.array([a_r, a_z, a_n]), np.array([0.0, 0.0, c])]
    h_next, cache = gru_cho_step_forward(*args)
    assert h_next[0, 0] == pytest.approx((1 - z) * n + z * p, rel=1e-14)
    got = dict(zip(["dx", "dh_prev", "dWx", "dWh", "dbx", "dbh"], gru_cho_step_backward(np.ones((1, 1)), cache)))
    for name, value in want.items():
        np.testing.assert_allclose(got[name], value, rtol=1e-13, atol=1e-15, err_msg=name)
    assert abs(got["dbh"][2] - g * r) > 0.05  # the reset-after cell's value, g r, would be wrong here


GRADIENT_ASSIGNMENT = r"\bd[A-Za-z_]*\s*=(?!=)|\bd[A-Za-z_]+\s*\+="  # "dr = ...", "dWh += ...": a backward formula


@pytest.mark.task4_12
def test_no_backward_formula_of_the_cho_cell_reaches_a_student():
    """Task 4.12's stub, its hints, the handout section of Tasks 4.11-4.12 and the GRU's other docstrings hold
    no gradient formula of this cell (the method is described, the formula is the student's to derive)."""
    import re

    from autograder.runtime.manifest import REPO_ROOT, load_manifest

    manifest = load_manifest()
    texts = {"stub": (REPO_ROOT / "assignments" / "a4_gru" / "gru_cho.py").read_text(encoding="utf-8")}
    for lang, name in (("en", "README.md"), ("ko", "README.ko.md")):
        readme = (REPO_ROOT / "assignments" / "a4_gru" / name).read_text(encoding="utf-8")
        start = readme.index("(Task 4.11, 4.12)" if lang == "ko" else "(Tasks 4.11 and 4.12)")
        texts[f"handout {lang}"] = readme[start:readme.index("\n## ", start)]
        for task_id in ("4.11", "4.12"):
            texts[f"hint {task_id} {lang}"] = manifest.task(task_id).text("hint", lang)
    for name in ("gates.py", "gates_backward.py", "gru.py"):
        source = (REPO_ROOT / "assignments" / "a4_gru" / name).read_text(encoding="utf-8")
        texts[name] = "\n".join(line for line in source.splitlines() if "Cho" in line or "before the matmul" in line)
    found = {name: re.findall(GRADIENT_ASSIGNMENT, text) for name, text in texts.items()}
    assert {name: hits for name, hits in found.items() if hits} == {}
    assert re.findall(GRADIENT_ASSIGNMENT, "dr = dpre * h_prev; dWh += x") == ["dr =", "dWh +="]  # the scan bites
