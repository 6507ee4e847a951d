"""``course check`` passes: reference full marks, stubs zero, every catalogued mistake caught (100%)."""

from autograder.grading import mistakes
from autograder.authoring.cli import main


def test_catalogue_covers_the_named_mistakes():
    ids = {m.id for m in mistakes.CATALOGUE}
    for required in ("lstm_input_gate_tanh", "lstm_gate_order_cs231n", "rnn_missing_bias", "rnn_transposed_weight",
                     "gru_z_reversed", "gru_reset_before_matmul", "bptt_no_future_gradient",
                     "bptt_gradient_overwritten", "clip_per_array", "rnn_h0_ignored", "lstm_h0_ignored"):
        assert required in ids
    assert len(ids) == len(mistakes.CATALOGUE)


def test_every_mistake_snippet_still_matches_the_reference_once():
    for mistake in mistakes.CATALOGUE:
        assert mistakes.apply(mistake) != (mistakes.SOLUTIONS_DIR / mistake.file).read_text()


def test_self_check_passes_with_full_mutation_score(capsys):
    """One run of ``course check`` (the slowest test of the suite, so it runs once): reference full marks,
    stubs zero, every mistake caught (no MISSED or PROBLEM line), 100% mutation score, exit code 0."""
    assert main(["check", "--seed", "2024"]) == 0
    out = capsys.readouterr().out
    assert f"mutation score: {len(mistakes.CATALOGUE)}/{len(mistakes.CATALOGUE)} (100%)" in out
    assert sorted(line.split()[1] for line in out.splitlines() if line.startswith("caught")) \
        == sorted(m.id for m in mistakes.CATALOGUE)
    assert not [line for line in out.splitlines() if line.startswith(("MISSED", "PROBLEM"))]
