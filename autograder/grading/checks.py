"""What grading produces, as data: checks with Problems, per task and per submission (rendered by reports.py).

A :class:`Check` is one (kind, shape) pair of a task: ``kind`` is "values"
(outputs against the reference), "properties" (tasks with randomness of their
own), "gradient" (the numerical check of a backward against the student's own
forward) or "submission" (the submission could not be graded at all). It
passes when it has no :class:`~autograder.runtime.problems.Problem`. A task
scores its points times the share of its checks passed.
"""

from dataclasses import dataclass, field

from ..runtime.problems import Problem

KINDS = ("values", "properties", "gradient", "submission")


@dataclass
class Check:
    kind: str
    dims: dict
    problems: list = field(default_factory=list)  # [Problem]

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown check kind {self.kind!r}")
        if not all(isinstance(found, Problem) for found in self.problems):
            raise TypeError("Check.problems holds Problem values")

    @property
    def passed(self):
        return not self.problems


@dataclass
class TaskResult:
    task_id: str
    function: str
    title: str
    assignment_id: str
    max_points: float
    checks: list = field(default_factory=list)  # [Check]
    max_error: float = 0.0
    hints: list = field(default_factory=list)  # [Problem]: "mistake.<id>" and "task.hint" (see reports.render)
    mistakes: list = field(default_factory=list)  # [mistakes.Mistake] whose mutant reproduces the outputs
    notes: list = field(default_factory=list)  # [Problem]: how the task was graded ("dependency.*")

    @property
    def passed(self):
        return bool(self.checks) and all(check.passed for check in self.checks)

    @property
    def points(self):
        if not self.checks:
            return 0.0
        return round(self.max_points * sum(check.passed for check in self.checks) / len(self.checks), 4)

    @property
    def problems(self):
        """Every distinct Problem of the failed checks, in order."""
        seen = []
        for check in self.checks:
            for found in check.problems:
                if found not in seen:
                    seen.append(found)
        return seen


@dataclass
class SubmissionReport:
    student: str
    source: str
    seed: int
    tasks: list  # [TaskResult]
    graded: str = ""  # the graded package's path inside the submission ("alice/repo/assignments")
    notes: list = field(default_factory=list)  # Problems: what intake left out (symbolic links, special files)
    id: str = ""  # unique within a batch (grade_many); the student's name by default
    sandbox: str = ""  # the isolation backend the student code ran under ("" if it never ran)

    def __post_init__(self):
        self.id = self.id or self.student

    @property
    def points(self):
        return round(sum(task.points for task in self.tasks), 4)

    @property
    def max_points(self):
        return sum(task.max_points for task in self.tasks)

    def by_assignment(self):
        totals = {}
        for task in self.tasks:
            got, top = totals.get(task.assignment_id, (0.0, 0.0))
            totals[task.assignment_id] = (got + task.points, top + task.max_points)
        return totals
