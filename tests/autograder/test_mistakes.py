"""Mutant packages (autograder/grading/mistakes.py) are served from memory: nothing on disk, ``sys.path`` unchanged.

The grader imports the mutants in its own process to diagnose mistakes, so they must never come from a
directory that student code could write to.
"""

import sys
import tempfile
from pathlib import Path

from autograder.grading import mistakes
from autograder.runtime import harness


def test_mutants_are_imported_from_memory_and_leave_sys_path_alone():
    before_path = list(sys.path)
    before_tmp = set(Path(tempfile.gettempdir()).iterdir())
    first, second = mistakes.CATALOGUE[0], mistakes.CATALOGUE[-1]
    names = [mistakes.mutant_package(first), mistakes.mutant_package(second), mistakes.mutant_package(first)]
    assert names == [f"mutant_{first.id}", f"mutant_{second.id}", f"mutant_{first.id}"]
    module = Path(second.file).with_suffix("").as_posix().replace("/", ".")  # a4_gru.gru
    mutated = harness.make_loader(names[1])(module)
    source, _, origin = mistakes._IMPORTER.modules[f"{names[1]}.{module}"]
    assert second.new in source and mutated.__spec__.origin == origin
    assert not Path(mutated.__spec__.origin).exists()  # "<mutant_...>/a4_gru/gru.py": no file behind it
    assert sys.path == before_path
    assert not {p for p in set(Path(tempfile.gettempdir()).iterdir()) - before_tmp if "mutant" in p.name}


def test_the_reference_is_read_before_any_student_code_runs():
    """The sources are captured when the module is imported; a later change on disk does not reach a mutant."""
    reference = mistakes._IMPORTER.reference
    mistake = mistakes.CATALOGUE[1]
    assert mistake.file in reference
    assert mistake.old in reference[mistake.file]


# The diagnosis rule (autograder/grading/diagnosis.py) --------------------------------------------------------
import re  # noqa: E402

import pytest  # noqa: E402

from autograder.grading import diagnosis  # noqa: E402
from autograder.grading.grade import build_requests  # noqa: E402
from autograder.grading.mistake_catalogue import Mistake  # noqa: E402
from autograder.runtime.manifest import load_manifest  # noqa: E402
from autograder.runtime.messages import LANGUAGES, t  # noqa: E402

REFERENCE = harness.make_loader("solutions")
BY_ID = {mistake.id: mistake for mistake in mistakes.CATALOGUE}
# the same bug as rnn_missing_bias written differently: its outputs are the same on every shape
MISSING_BIAS_TWIN = Mistake("test_missing_bias_twin", "1.1", "a1_vanilla_rnn/rnn.py",
                            "h_next = np.tanh(x @ Wx + h_prev @ Wh + b)", "h_next = np.tanh(h_prev @ Wh + x @ Wx)")


def _cases(task_id, seed=5):
    manifest = load_manifest()
    _, cases = build_requests([manifest.task(task_id)], seed)
    return cases


def _observations(cases, mistake_per_case):
    """The Observations of a 'student' whose code is, on each case, the given mutant (None: the reference)."""
    observed = []
    for case, mistake in zip(cases, mistake_per_case):
        load = REFERENCE if mistake is None else harness.make_loader(mistakes.mutant_package(mistake))
        outputs, args_after = harness.call(case.spec, load, case.args)
        observed.append(diagnosis.observation(case.args, outputs, args_after))
    return observed


def test_a_student_matching_one_mutant_on_every_shape_is_diagnosed():
    cases = _cases("1.1")
    seen = _observations(cases, [BY_ID["rnn_missing_bias"]] * len(cases))
    assert diagnosis.diagnose("1.1", cases[0].spec, seen, set(), REFERENCE) == [BY_ID["rnn_missing_bias"]]


def test_two_mutants_with_the_same_outputs_give_no_mistake_hint():
    cases = _cases("1.1")
    seen = _observations(cases, [BY_ID["rnn_missing_bias"]] * len(cases))
    catalogue = [BY_ID["rnn_missing_bias"], MISSING_BIAS_TWIN, BY_ID["rnn_transposed_weight"]]
    both = diagnosis.matching_mistakes(cases[0].spec, seen, catalogue,
                                       [diagnosis._run(case.spec, REFERENCE, case.args) for case in cases])
    assert both == [BY_ID["rnn_missing_bias"], MISSING_BIAS_TWIN]
    assert diagnosis.diagnose("1.1", cases[0].spec, seen, set(), REFERENCE, catalogue=catalogue) == []


def test_a_student_matching_a_mutant_on_only_some_shapes_gets_no_mistake_hint():
    cases = _cases("1.4")
    mistake = BY_ID["bptt_no_future_gradient"]
    # the mutant's outputs on the first two shapes, the walk-forward mutant's on the last one
    seen = _observations(cases, [mistake] * (len(cases) - 1) + [BY_ID["bptt_walks_forward"]])
    assert diagnosis.diagnose("1.4", cases[0].spec, seen, set(), REFERENCE) == []
    assert diagnosis.diagnose("1.4", cases[0].spec, _observations(cases, [mistake] * len(cases)), set(),
                              REFERENCE) == [mistake]


def test_a_batch_runs_the_reference_and_each_mutant_once_per_case(monkeypatch):
    """The submissions of a batch share their inputs: a second diagnosis on them runs nothing in this process,
    and names the same mistake; other inputs (a new draw, equal in value but not the batch's) run again."""
    cases = _cases("1.4")
    mistake = BY_ID["bptt_no_future_gradient"]
    seen = _observations(cases, [mistake] * len(cases))
    ran = []
    real = harness.run_case
    monkeypatch.setattr(harness, "run_case", lambda *a: ran.append(a[2]) or real(*a))
    runs = {}
    assert diagnosis.diagnose("1.4", cases[0].spec, seen, set(), REFERENCE, runs=runs) == [mistake]
    first = len(ran)
    assert first >= 2 * len(cases)  # the reference's runs, and the mutant's
    assert diagnosis.diagnose("1.4", cases[0].spec, seen, set(), REFERENCE, runs=runs) == [mistake]
    assert len(ran) == first
    again = _cases("1.4")
    assert diagnosis.diagnose("1.4", cases[0].spec, _observations(again, [mistake] * len(again)), set(), REFERENCE,
                              runs=runs) == [mistake]
    assert len(ran) > first and all(args is not old for args in ran[first:] for old in ran[:first])


def test_a_call_that_failed_on_one_shape_gets_no_mistake_hint():
    cases = _cases("1.1")
    seen = _observations(cases, [BY_ID["rnn_missing_bias"]] * len(cases))
    seen[-1] = diagnosis.Observation(cases[-1].args)  # the student's call raised on the last shape
    assert diagnosis.diagnose("1.1", cases[0].spec, seen, set(), REFERENCE) == []


def test_the_hint_names_the_function_that_holds_the_bug():
    """A bug in lstm_step_backward (3.11) makes lstm_backward (3.13) look like 'dc not carried' (a 3.13 mistake)."""
    cases = _cases("3.13")
    step_bug, sequence_bug = BY_ID["lstm_step_dc_next_ignored"], BY_ID["lstm_dc_not_carried"]
    from_step_bug = _observations(cases, [step_bug] * len(cases))
    references = [diagnosis._run(case.spec, REFERENCE, case.args) for case in cases]
    assert diagnosis.matching_mistakes(cases[0].spec, from_step_bug, [step_bug, sequence_bug], references) \
        == [step_bug, sequence_bug]
    # the student failed 3.11 too: both explain 3.13, so no mistake hint there
    assert diagnosis.diagnose("3.13", cases[0].spec, from_step_bug, set(), REFERENCE) == []
    # the student passed 3.11: the step mutant is ruled out and the 3.13 mistake is named
    from_sequence_bug = _observations(cases, [sequence_bug] * len(cases))
    assert diagnosis.diagnose("3.13", cases[0].spec, from_sequence_bug, {"3.11"}, REFERENCE) == [sequence_bug]
    # a sole match that lives in another task's function is never shown on this task
    m2o = _cases("1.3")
    biased = _observations(m2o, [BY_ID["rnn_missing_bias"]] * len(m2o))
    assert diagnosis.diagnose("1.3", m2o[0].spec, biased, set(), REFERENCE) == []


def test_the_catalogue_covers_every_task():
    """At least 50 mistakes; two per backward task (gradient-checked), one per forward task; ids unique."""
    specs = harness.all_specs()
    counts = {}
    for mistake in mistakes.CATALOGUE:
        counts[mistake.task_id] = counts.get(mistake.task_id, 0) + 1
    assert len(mistakes.CATALOGUE) >= 50
    assert len({m.id for m in mistakes.CATALOGUE}) == len(mistakes.CATALOGUE)
    for task_id, spec in specs.items():
        assert counts.get(task_id, 0) >= (2 if spec.kind == "backward" else 1), task_id


CODE = re.compile(r"[=@*_]|\[:|np\.|\.T\b|\+=")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_mistake_hint_is_a_concept_not_code(lang):
    """Every language has every hint; no assignment, matmul, product, slice, identifier or numpy call in it."""
    for mistake in mistakes.CATALOGUE:
        text = t(f"mistake.{mistake.id}", lang=lang)
        assert text and not CODE.search(text), (mistake.id, lang, text)
