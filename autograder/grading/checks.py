"""What grading produces, as data: checks with Problems, per task and per submission (rendered by reports.py).

A :class:`Check` is one (kind, shape) pair of a task: ``kind`` is "values"
(outputs against the reference), "properties" (tasks with randomness of their
own), "gradient" (the numerical check of a backward against the student's own
forward) or "submission" (the submission could not be graded at all). It
passes when it has no :class:`~autograder.runtime.problems.Problem`.

A task scores per shape, not per check: a shape earns its weight only when every
check on it passes (values and gradient), so a backward that is consistent with its
own forward but computes something else (full BPTT for truncated BPTT, a loss
averaged over N·T) earns nothing from its gradient check. Edge-case shapes (N = 1,
T = 1 or H <= 2), where many wrong algorithms coincide with the right one, weigh
:data:`EDGE_WEIGHT` against 1 for every other shape (:func:`shape_weight`). A task
scores its points times the weighted share of its shapes passed.
"""

from dataclasses import dataclass, field

from ..runtime.problems import Problem

KINDS = ("values", "properties", "gradient", "submission")

# The weight of an edge-case shape (N = 1, T = 1 or H <= 2) against 1 for every other shape: with the
# graders' three general shapes, a wrong algorithm that is right only on the edge case keeps
# 0.1 / 3.1 (about 3 %) of the task's points.
EDGE_WEIGHT = 0.1


def shape_weight(dims):
    """EDGE_WEIGHT for an edge-case shape (N = 1, T = 1 or H <= 2 where the shape has them), else 1.

    Inputs: dims, {"N": ..., "T": ..., "D": ..., "H": ...} (any subset; {} for a "submission" check).
    """
    edge = dims.get("N", 2) == 1 or dims.get("T", 2) == 1 or dims.get("H", 3) <= 2
    return EDGE_WEIGHT if edge else 1.0


def _shape_key(dims):
    return tuple(sorted(dims.items()))


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

    def shapes(self):
        """[(dims, weight, passed)] per distinct shape of the checks, in order: passed when all its checks pass."""
        shapes = {}
        for check in self.checks:
            dims, passed = shapes.get(_shape_key(check.dims), (check.dims, True))
            shapes[_shape_key(check.dims)] = (dims, passed and check.passed)
        return [(dims, shape_weight(dims), passed) for dims, passed in shapes.values()]

    @property
    def points(self):
        """max_points times the weighted share of shapes whose every check passed."""
        shapes = self.shapes()
        if not shapes:
            return 0.0
        total = sum(weight for _, weight, _ in shapes)
        return round(self.max_points * sum(weight for _, weight, passed in shapes if passed) / total, 4)

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
    # written_answers.WrittenAnswer of each written question: pending, graded by hand, never in ``points``
    written: list = field(default_factory=list)

    def __post_init__(self):
        self.id = self.id or self.student

    @property
    def points(self):
        return round(sum(task.points for task in self.tasks), 4)

    @property
    def max_points(self):
        return sum(task.max_points for task in self.tasks)

    @property
    def written_points(self):
        """The points of the written questions, graded by hand: not part of ``max_points``."""
        return sum(answer.max_points for answer in self.written)

    def by_assignment(self):
        totals = {}
        for task in self.tasks:
            got, top = totals.get(task.assignment_id, (0.0, 0.0))
            totals[task.assignment_id] = (got + task.points, top + task.max_points)
        return totals
