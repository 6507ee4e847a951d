"""Load and validate ``course.yml``, the one manifest of the course.

Everything that needs the list of assignments and tasks (stub generation,
handouts, graders, reports) reads it through :func:`load_manifest`, which
fails with every problem found, each naming the offending entry:

- a missing or mistyped field (a task without ``points``, points <= 0, ...);
- a duplicate task or assignment ID, or a task ID not prefixed by its
  assignment's number (task ``3.4`` belongs to assignment number 3);
- a task whose ``file`` does not exist under ``solutions/<package>/`` or whose
  ``function`` is not defined at the top level of that file (checked by parsing,
  never by importing solution code).
"""

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MANIFEST = REPO_ROOT / "course.yml"
TASK_ID_PATTERN = re.compile(r"^(\d+)\.(\d+)$")
LANGUAGES = ("en", "ko")
DELIVERY_KEYS = ("grader_repository", "grader_bundle", "token_secret")


def find_manifest(start):
    """The nearest ``course.yml`` in ``start`` or a directory above it."""
    for directory in (Path(start), *Path(start).parents):
        if (directory / "course.yml").is_file():
            return directory / "course.yml"
    raise ManifestError(f"no course.yml in {start} or any directory above it")


class ManifestError(ValueError):
    """course.yml is malformed; the message lists every problem found."""


@dataclass(frozen=True)
class Task:
    id: str
    title: str
    file: str
    function: str
    points: float
    hint: str
    assignment_id: str
    package: str

    @property
    def marker(self):
        """The pytest marker of the task: "3.4" -> "task3_4"."""
        return "task" + self.id.replace(".", "_")

    @property
    def module(self):
        """The module path inside a course package: "a3_lstm.lstm"."""
        return f"{self.package}.{Path(self.file).stem}"


@dataclass(frozen=True)
class Assignment:
    id: str
    number: int
    package: str
    title: str
    tasks: tuple

    @property
    def points(self):
        return sum(task.points for task in self.tasks)


@dataclass(frozen=True)
class Manifest:
    name: str
    language: str
    tolerances: dict
    seeds: dict
    assignments: tuple
    path: Path
    delivery: dict

    @property
    def tasks(self):
        return tuple(task for assignment in self.assignments for task in assignment.tasks)

    def task(self, task_id):
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise KeyError(f"no task {task_id!r} in {self.path}")

    def assignment(self, assignment_id):
        for assignment in self.assignments:
            if assignment.id == assignment_id:
                return assignment
        known = ", ".join(a.id for a in self.assignments)
        raise KeyError(f"no assignment {assignment_id!r} in {self.path} (known: {known})")


def _require(mapping, key, kind, where, problems):
    """Return mapping[key] if present and of the given type, else record a problem."""
    if not isinstance(mapping, dict) or key not in mapping:
        problems.append(f"{where}: missing field '{key}'")
        return None
    value = mapping[key]
    if kind is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        ok = isinstance(value, kind)
    if not ok:
        problems.append(f"{where}: field '{key}' must be {kind.__name__}, got {value!r}")
        return None
    return value


def _top_level_functions(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def _check_tasks(raw_tasks, assignment_where, assignment_id, number, package, solutions_dir, seen_ids, problems):
    tasks = []
    defined_cache = {}
    for index, raw in enumerate(raw_tasks):
        where = f"{assignment_where}, task #{index + 1}"
        task_id = _require(raw, "id", str, where, problems)
        if task_id is not None:
            where = f"{assignment_where}, task {task_id}"
            match = TASK_ID_PATTERN.match(task_id)
            if not match:
                problems.append(f"{where}: task ID must look like '3.4'")
            elif number is not None and int(match.group(1)) != number:
                problems.append(f"{where}: task ID must start with the assignment number {number}")
            if task_id in seen_ids:
                problems.append(f"{where}: duplicate task ID {task_id} (also in {seen_ids[task_id]})")
            seen_ids.setdefault(task_id, assignment_where)
        fields = {key: _require(raw, key, str, where, problems) for key in ("title", "file", "function", "hint")}
        points = _require(raw, "points", float, where, problems)
        if points is not None and points <= 0:
            problems.append(f"{where}: points must be > 0, got {points}")
        if package and fields["file"]:
            path = solutions_dir / package / fields["file"]
            if not path.is_file():
                problems.append(f"{where}: file {path.relative_to(solutions_dir.parent)} does not exist")
            elif fields["function"]:
                if path not in defined_cache:
                    defined_cache[path] = _top_level_functions(path)
                if fields["function"] not in defined_cache[path]:
                    problems.append(
                        f"{where}: function '{fields['function']}' is not defined in "
                        f"{path.relative_to(solutions_dir.parent)}"
                    )
        if None not in (task_id, points, *fields.values()):
            tasks.append(Task(task_id, fields["title"], fields["file"], fields["function"], float(points),
                              fields["hint"], assignment_id, package))
    return tasks


def load_manifest(path=DEFAULT_MANIFEST, solutions_dir=None):
    """Read and validate a course manifest.

    Inputs:
    - path: the YAML file (default: the repository's course.yml)
    - solutions_dir: where task files are looked up (default: ``solutions/`` beside the manifest)

    Returns:
    - a :class:`Manifest`; raises :class:`ManifestError` listing every problem
    """
    path = Path(path)
    solutions_dir = Path(solutions_dir) if solutions_dir else path.parent / "solutions"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"{path}: no such manifest") from None
    except yaml.YAMLError as error:
        raise ManifestError(f"{path}: not valid YAML: {error}") from None
    problems = []
    if not isinstance(raw, dict):
        raise ManifestError(f"{path}: the manifest must be a mapping")
    course = _require(raw, "course", dict, str(path), problems) or {}
    name = _require(course, "name", str, f"{path}: course", problems)
    language = course.get("language", "en")
    if language not in LANGUAGES:
        problems.append(f"{path}: course.language must be one of {LANGUAGES}, got {language!r}")
    tolerances = _require(raw, "tolerances", dict, str(path), problems) or {}
    for key in ("value", "gradient", "gradcheck"):
        value = _require(tolerances, key, float, f"{path}: tolerances", problems)
        if value is not None and value <= 0:
            problems.append(f"{path}: tolerances.{key} must be > 0")
    seeds = _require(raw, "seeds", dict, str(path), problems) or {}
    delivery = raw.get("delivery", {})
    if not isinstance(delivery, dict):
        problems.append(f"{path}: delivery must be a mapping")
        delivery = {}
    for key in DELIVERY_KEYS:
        if key in delivery and not isinstance(delivery[key], str):
            problems.append(f"{path}: delivery.{key} must be a string")
    unknown = sorted(set(delivery) - set(DELIVERY_KEYS))
    if unknown:
        problems.append(f"{path}: unknown delivery setting(s) {unknown} (known: {', '.join(DELIVERY_KEYS)})")
    raw_assignments = _require(raw, "assignments", list, str(path), problems) or []
    assignments, seen_ids, seen_assignments = [], {}, set()
    for index, raw_assignment in enumerate(raw_assignments):
        where = f"{path}: assignment #{index + 1}"
        assignment_id = _require(raw_assignment, "id", str, where, problems)
        if assignment_id is not None:
            where = f"{path}: assignment {assignment_id}"
            if assignment_id in seen_assignments:
                problems.append(f"{where}: duplicate assignment ID")
            seen_assignments.add(assignment_id)
        number = _require(raw_assignment, "number", int, where, problems)
        package = _require(raw_assignment, "package", str, where, problems)
        title = _require(raw_assignment, "title", str, where, problems)
        if package and not (solutions_dir / package).is_dir():
            problems.append(f"{where}: package directory solutions/{package} does not exist")
            package = None
        raw_tasks = _require(raw_assignment, "tasks", list, where, problems) or []
        if not raw_tasks:
            problems.append(f"{where}: no tasks")
        tasks = _check_tasks(raw_tasks, where, assignment_id, number, package, solutions_dir, seen_ids, problems)
        if None not in (assignment_id, number, package, title):
            assignments.append(Assignment(assignment_id, number, package, title, tuple(tasks)))
    if problems:
        raise ManifestError(f"{path} has {len(problems)} problem(s):\n  " + "\n  ".join(problems))
    return Manifest(name, language, dict(tolerances), dict(seeds), tuple(assignments), path, dict(delivery))
