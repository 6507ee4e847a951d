"""The single-bug benchmark's submissions (benchmarks/single_bugs_data.py) apply, and none is a catalogued mistake."""

import importlib.util

from autograder.grading import mistakes
from autograder.runtime.manifest import REPO_ROOT, load_manifest


def _bugs():
    spec = importlib.util.spec_from_file_location("single_bugs_data", REPO_ROOT / "benchmarks" / "single_bugs_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.BUGS


def test_the_benchmark_bugs_are_realistic_single_edits_outside_the_catalogue():
    bugs = _bugs()
    catalogue = {(m.file, m.old, m.new) for m in mistakes.CATALOGUE}
    assignments = {load_manifest().task(bug.task_id).assignment_id for bug in bugs}
    assert len(bugs) >= 20 and assignments == {"a1", "a2", "a3", "a4"}
    assert len({bug.id for bug in bugs}) == len(bugs)
    for bug in bugs:
        assert mistakes.apply(bug) != (mistakes.SOLUTIONS_DIR / bug.file).read_text(encoding="utf-8")
        assert (bug.file, bug.old, bug.new) not in catalogue, bug.id
