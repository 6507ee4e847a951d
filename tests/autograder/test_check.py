"""``course check`` passes: reference full marks, stubs zero, every catalogued mistake caught (100%)."""

from autograder.grading import mistakes
from autograder.authoring.check import run_check
from autograder.authoring.cli import main


def test_self_check_passes_with_full_mutation_score():
    result = run_check(seed=2024)
    assert result.problems == []
    assert result.missed == []
    assert sorted(result.caught) == sorted(m.id for m in mistakes.CATALOGUE)
    assert result.mutation_score == 1.0


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


def test_check_cli_exit_code(capsys):
    assert main(["check", "--seed", "7"]) == 0
    out = capsys.readouterr().out
    assert f"mutation score: {len(mistakes.CATALOGUE)}/{len(mistakes.CATALOGUE)} (100%)" in out
