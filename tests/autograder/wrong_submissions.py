"""Wrong algorithms that the graders used to reward (issue 12): each is the reference with one task's body changed.

Each entry: name -> (task ID, file under the package, [(reference text, replacement)]). The replaced text must
occur exactly once. :func:`write_wrong_submission` writes the tree; tests/autograder/test_meaningful_checks.py
grades them and asserts they lose (nearly) all of the task's points.
"""

from autograder.authoring.samples import copy_as_submission
from autograder.grading import mistakes

SOFTMAX = "a1_vanilla_rnn/output_layers.py"
TBPTT = "a2_bptt_gradients/truncated_bptt.py"
FLOW = "a2_bptt_gradients/gradient_flow.py"
INIT = "a2_bptt_gradients/initializers.py"
ADDING = "a2_bptt_gradients/adding_problem.py"
CLIP = "a2_bptt_gradients/clipping.py"

WRONG = {
    # a loss averaged over N * T (or over T) instead of summed over time and averaged over the batch
    "softmax_mean_over_NT": ("1.7", SOFTMAX, [
        ("    loss = float(-np.sum(np.log(picked)) / N)\n", "    loss = float(-np.sum(np.log(picked)) / (N * T))\n"),
        ("    dscores /= N\n", "    dscores /= N * T\n")]),
    "softmax_mean_over_T": ("1.7", SOFTMAX, [
        ("    loss = float(-np.sum(np.log(picked)) / N)\n", "    loss = float(-np.sum(np.log(picked)) / T)\n"),
        ("    dscores /= N\n", "    dscores /= T\n")]),
    # a softmax without the row-maximum shift: exp overflows on large scores
    "softmax_no_max_shift": ("1.7", SOFTMAX, [
        ("    probs = softmax(scores)  # (N, T, V)\n",
         "    e = np.exp(scores)\n    probs = e / e.sum(axis=-1, keepdims=True)  # (N, T, V)\n")]),
    # full BPTT: the hidden state's gradient is carried across chunk boundaries (chunk_len ignored)
    "tbptt_is_full_bptt": ("2.1", TBPTT, [
        ("    for start in range(0, T, chunk_len):\n        stop = min(start + chunk_len, T)\n",
         "    for start in range(0, T, T):\n        stop = T\n")]),
    # the norm recorded after the step back: norms[t] = ||dL/dh_{t-1}|| (right at T = 1 only)
    "flow_norm_after_step": ("2.4", FLOW, [
        ("        norms[t] = np.linalg.norm(dh)\n        if t > 0:\n"
         "            _, dh, _, _, _ = step_backward(dh, caches[t])  # dL/dh_{t-1}\n",
         "        if t > 0:\n            _, dh, _, _, _ = step_backward(dh, caches[t])  # dL/dh_{t-1}\n"
         "        norms[t] = np.linalg.norm(dh)\n")]),
    # the norms in the wrong order (right at T = 1 only)
    "flow_norms_reversed": ("2.4", FLOW, [("    return norms\n", "    return norms[::-1].copy()\n")]),
    # the gradients always rescaled to max_norm, also when their norm is below it (right in one regime only)
    "clip_norm_always_scales": ("2.2", CLIP, [("    if coef < 1.0:\n", "    if True:\n")]),
    # the sign fix applied to the rows of Q instead of its columns
    "orthogonal_sign_on_rows": ("2.6", INIT, [
        ("    Q = Q * np.sign(np.diag(R))  # scale column j by sign(R_jj)\n",
         "    Q = Q * np.sign(np.diag(R))[:, None]  # rows\n")]),
    # no sign fix at all
    "orthogonal_no_sign_fix": ("2.6", INIT, [
        ("    Q = Q * np.sign(np.diag(R))  # scale column j by sign(R_jj)\n", "")]),
    # the two markers always at the same positions
    "adding_fixed_markers": ("2.10", ADDING, [
        ("    first = rng.integers(0, T // 2, size=N)  # (N,)\n    second = rng.integers(T // 2, T, size=N)  # (N,)\n",
         "    first = np.zeros(N, dtype=int)\n    second = np.full(N, T - 1)\n")]),
    # the first marker never in the last position of the first half (an off-by-one in the range)
    "adding_first_marker_off_by_one": ("2.10", ADDING, [
        ("    first = rng.integers(0, T // 2, size=N)  # (N,)\n",
         "    first = rng.integers(0, max(1, T // 2 - 1), size=N)  # (N,)\n")]),
    # every value 0.5
    "adding_values_constant": ("2.10", ADDING, [
        ("    x[:, :, 0] = rng.random((N, T))\n", "    rng.random((N, T))\n    x[:, :, 0] = 0.5\n")]),
    # values uniform in [0, 0.5)
    "adding_values_half_range": ("2.10", ADDING, [
        ("    x[:, :, 0] = rng.random((N, T))\n", "    x[:, :, 0] = rng.random((N, T)) / 2\n")]),
}


def write_wrong_submission(name, root):
    """The reference as a submission under ``root`` with the wrong body ``name``; returns root."""
    _, file, replacements = WRONG[name]
    copy_as_submission(mistakes.SOLUTIONS_DIR, root)
    path = root / "assignments" / file
    text = path.read_text()
    for old, new in replacements:
        if text.count(old) != 1:
            raise ValueError(f"{name}: {old!r} occurs {text.count(old)} times in {file}")
        text = text.replace(old, new)
    path.write_text(text)
    return root
