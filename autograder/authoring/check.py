"""``course check``: the graders grade themselves.

1. The reference solutions score full marks.
2. The stubs score zero, every failed check of every task is "not implemented"
   (message codes ``grade.not_implemented`` / ``grade.uses_unimplemented``),
   and no grader error (crash, timeout, unexpected exception) appears.
3. Every catalogued mistake, graded as a submission, loses points on its own
   task and is diagnosed there, so that its hint is shown (the mutation score
   must be 100%). A mutant is graded on its own task and the tasks it uses
   (directly or not; the diagnosis rules out the mistakes of tasks that pass):
   no other task can show its hint, and grading them would only cost time. That a mistake costs only its own task is tested on
   whole submissions (tests/autograder/test_meaningful_checks.py).

Every decision is taken on message codes and mistake IDs, never on rendered
text, so the check passes in every language of the course.
"""

import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..grading import mistakes
from ..grading.dependency_answers import upstream
from ..grading.grade import grade_many
from ..grading.reports import task_messages
from ..runtime.manifest import REPO_ROOT, load_manifest
from .samples import copy_as_submission


NOT_IMPLEMENTED_CODES = ("grade.not_implemented", "grade.uses_unimplemented")


@dataclass
class CheckResult:
    problems: list = field(default_factory=list)
    caught: list = field(default_factory=list)
    missed: list = field(default_factory=list)

    @property
    def mutation_score(self):
        total = len(self.caught) + len(self.missed)
        return len(self.caught) / total if total else 0.0


def run_check(seed=None, jobs=2, progress=None, manifest=None, assignment_ids=None):
    """Grade the reference, the stubs and every catalogued mistake of the manifest's tasks; returns a CheckResult.

    ``manifest`` (default: the repository's course.yml) chooses the tasks; mistakes of other tasks are skipped.
    ``assignment_ids`` (default: all) checks only those assignments' tasks and mistakes.
    """
    manifest = manifest or load_manifest()
    unknown = sorted(set(assignment_ids or ()) - {a.id for a in manifest.assignments})
    if unknown:
        raise ValueError(f"no assignment {', '.join(unknown)} in {manifest.path}")
    task_ids = {task.id for task in manifest.tasks if not assignment_ids or task.assignment_id in assignment_ids}
    catalogue = [mistake for mistake in mistakes.CATALOGUE if mistake.task_id in task_ids]
    result = CheckResult()
    with tempfile.TemporaryDirectory(prefix="rnn-check-") as tmp:
        tmp = Path(tmp)
        copy_as_submission(mistakes.SOLUTIONS_DIR, tmp / "reference")
        copy_as_submission(REPO_ROOT / "assignments", tmp / "stubs")
        reports = grade_many([tmp / "reference", tmp / "stubs"], manifest, assignment_ids, seed=seed, jobs=jobs,
                             progress=progress)
        by_task = {}  # the mutants graded together: those of one task
        for mistake in catalogue:
            mistakes.write_mutant_tree(mistake, tmp / f"mutant_{mistake.id}" / "assignments")
            by_task.setdefault(mistake.task_id, []).append(mistake)
        graded = {}

        def grade_group(task_id, group):
            reports = grade_many([tmp / f"mutant_{m.id}" for m in group], manifest, seed=seed, progress=progress,
                                 task_ids=tasks_used(manifest, task_id))
            return {m.id: report for m, report in zip(group, reports)}

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for found in pool.map(lambda item: grade_group(*item), by_task.items()):
                graded.update(found)
        reports += [graded[m.id] for m in catalogue]
    reference, stubs, mutants = reports[0], reports[1], reports[2:]
    result.problems += reference_problems(reference) + stub_problems(stubs)
    for mistake, report in zip(catalogue, mutants):
        task = next(t for t in report.tasks if t.task_id == mistake.task_id)
        if mistake_caught(mistake, task):
            result.caught.append(mistake.id)
        else:
            result.missed.append(f"{mistake.id} (Task {mistake.task_id}: {task.points}/{task.max_points}, "
                                 f"diagnosed {[m.id for m in task.mistakes]})")
    return result


def tasks_used(manifest, task_id):
    """``task_id`` and every task it uses, directly or not (a mutant of ``task_id`` is graded on these)."""
    return sorted({task_id} | upstream([task_id], manifest))


def reference_problems(report):
    """What is wrong with the reference's report (it must score full marks)."""
    if report.points == report.max_points:
        return []
    lost = [f"{t.task_id}: {task_messages(t)}" for t in report.tasks if not t.passed]
    return [f"reference scores {report.points}/{report.max_points}: {lost}"]


def stub_problems(report):
    """What is wrong with the stubs' report: any point, or any failure but "not implemented" (by code)."""
    problems = [f"stubs score {report.points}, expected 0"] if report.points != 0 else []
    for task in report.tasks:
        codes = [found.code for check in task.checks for found in check.problems]
        if task.passed or not codes or not all(code in NOT_IMPLEMENTED_CODES for code in codes):
            problems.append(f"stub of Task {task.task_id}: unexpected grader problems {sorted(set(codes))}: "
                            f"{task_messages(task)}")
    return problems


def mistake_caught(mistake, task):
    """The mutant's task lost points and diagnosed the mistake (so the mistake's hint is shown first)."""
    hinted = any(hint.code == f"mistake.{mistake.id}" for hint in task.hints)
    return task.points < task.max_points and mistake in task.mistakes and hinted
