"""``course check``: the graders grade themselves.

1. The reference solutions score full marks.
2. The stubs score zero, every task says "not implemented", and no grader error
   (crash, timeout, unexpected exception) appears.
3. Every catalogued mistake, graded as a submission, loses points on its own
   task and shows its hint there (the mutation score must be 100%).
"""

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..grading import mistakes
from ..grading.grade import grade_many
from ..runtime.manifest import REPO_ROOT, load_manifest
from .samples import copy_as_submission


@dataclass
class CheckResult:
    problems: list = field(default_factory=list)
    caught: list = field(default_factory=list)
    missed: list = field(default_factory=list)

    @property
    def mutation_score(self):
        total = len(self.caught) + len(self.missed)
        return len(self.caught) / total if total else 0.0


def run_check(seed=None, jobs=2, progress=None, manifest=None):
    """Grade the reference, the stubs and every catalogued mistake of the manifest's tasks; returns a CheckResult.

    ``manifest`` (default: the repository's course.yml) chooses the tasks; mistakes of other tasks are skipped.
    """
    manifest = manifest or load_manifest()
    task_ids = {task.id for task in manifest.tasks}
    catalogue = [mistake for mistake in mistakes.CATALOGUE if mistake.task_id in task_ids]
    result = CheckResult()
    with tempfile.TemporaryDirectory(prefix="rnn-check-") as tmp:
        tmp = Path(tmp)
        copy_as_submission(mistakes.SOLUTIONS_DIR, tmp / "reference")
        copy_as_submission(REPO_ROOT / "assignments", tmp / "stubs")
        for mistake in catalogue:
            mistakes.write_mutant_tree(mistake, tmp / f"mutant_{mistake.id}" / "assignments")
        paths = [tmp / "reference", tmp / "stubs"] + [tmp / f"mutant_{m.id}" for m in catalogue]
        reports = grade_many(paths, manifest, seed=seed, jobs=jobs, progress=progress)
    reference, stubs, mutants = reports[0], reports[1], reports[2:]
    if reference.points != reference.max_points:
        lost = [f"{t.task_id}: {t.messages}" for t in reference.tasks if not t.passed]
        result.problems.append(f"reference scores {reference.points}/{reference.max_points}: {lost}")
    if stubs.points != 0:
        result.problems.append(f"stubs score {stubs.points}, expected 0")
    for task in stubs.tasks:
        if not task.messages or not all(m.startswith(("not implemented", "not graded yet")) for m in task.messages):
            result.problems.append(f"stub of Task {task.task_id}: unexpected grader message {task.messages}")
    for mistake, report in zip(catalogue, mutants):
        task = next(t for t in report.tasks if t.task_id == mistake.task_id)
        if task.points < task.max_points and mistake.hint in task.hints:
            result.caught.append(mistake.id)
        else:
            result.missed.append(f"{mistake.id} (Task {mistake.task_id}: {task.points}/{task.max_points}, "
                                 f"hints {task.hints})")
    return result
