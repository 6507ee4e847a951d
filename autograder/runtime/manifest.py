"""Load and validate ``course.yml``, the one manifest of the course.

Everything that needs the list of assignments and tasks (stub generation,
handouts, graders, reports) reads it through :func:`load_manifest`, which
fails with every problem found, each naming the offending entry:

- a missing or mistyped field (a task without ``points``, points <= 0, ...);
- a duplicate task or assignment ID, or a task ID not prefixed by its
  assignment's number (task ``3.4`` belongs to assignment number 3);
- a task whose ``file`` does not exist under ``solutions/<package>/`` or whose
  ``function`` is not defined at the top level of that file (checked by parsing,
  never by importing solution code; skipped with ``check_files=False``);
- a ``title`` or ``hint`` (or an optional ``nudge``) without the text of one of
  the course's languages (the problem names the task and the language);
- a ``uses`` entry that names no task, or a cycle of ``uses``;
- a ``notebook`` that is not a valid nbgrader ``grade_id`` (that the notebook
  has this graded cell is checked when the notebooks are built:
  ``autograder/authoring/notebooks.py``);
- a written question (an assignment's optional ``questions``: ``id`` "Q<number>.<k>", ``points`` > 0 and a
  ``text`` per language) that is malformed or duplicated. Questions are graded by hand, never by the graders:
  their points are not in :attr:`Assignment.points` (the automatic total) but in
  :attr:`Assignment.written_points`; their rubric lives only in the instructor's ``rubrics/``.
"""

import ast
import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .messages import safe_yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MANIFEST = REPO_ROOT / "course.yml"
TASK_ID_PATTERN = re.compile(r"^(\d+)\.(\d+)$")
QUESTION_ID_PATTERN = re.compile(r"^Q(\d+)\.(\d+)$")
GRADE_ID_PATTERN = re.compile(r"^[a-zA-Z0-9_-]+$")
TEXT_FIELDS = ("title", "hint")
# The first tier of a task's hints: the stub's TODO line and the handout's table (default: the hint, which
# the public tests and the graders show when the task fails).
OPTIONAL_TEXT_FIELDS = ("nudge",)
LANGUAGES = ("en", "ko")
DELIVERY_KEYS = ()  # none left: the student CI gets no grader, no token (docs/instructors.md)


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
    file: str
    function: str
    points: float
    assignment_id: str
    package: str
    notebook: str  # grade_id of the notebook's graded cell that checks this task
    uses: tuple  # IDs of the tasks whose functions this task's function calls
    texts: dict = field(hash=False)  # {"title": {lang: text}, "hint": {lang: text}[, "nudge": {lang: text}]}

    def text(self, name, lang):
        """The task's ``name`` ("title", "hint" or "nudge") in ``lang``; a task without a nudge nudges with its hint."""
        if name == "nudge" and name not in self.texts:
            name = "hint"
        return self.texts[name][lang]

    @property
    def marker(self):
        """The pytest marker of the task: "3.4" -> "task3_4"."""
        return "task" + self.id.replace(".", "_")

    @property
    def module(self):
        """The module path inside a course package: "a3_lstm.lstm"."""
        return f"{self.package}.{Path(self.file).stem}"


@dataclass(frozen=True)
class Question:
    """A written question, answered in prose and graded by hand (never by the graders)."""
    id: str  # "Q2.1"
    points: float
    assignment_id: str
    package: str
    texts: dict = field(hash=False)  # {lang: text}

    def text(self, lang):
        return self.texts[lang]

    @property
    def grade_id(self):
        """The nbgrader grade_id of its answer cell: "Q2.1" -> "answer_q2_1"."""
        return "answer_" + self.id.lower().replace(".", "_")


@dataclass(frozen=True)
class Assignment:
    id: str
    number: int
    package: str
    title: str
    tasks: tuple
    questions: tuple = ()  # [Question], graded by hand

    @property
    def points(self):
        """The automatic total: the points of the tasks (written questions are not in it)."""
        return sum(task.points for task in self.tasks)

    @property
    def written_points(self):
        """The points of the written questions, graded by hand."""
        return sum(question.points for question in self.questions)


@dataclass(frozen=True)
class Manifest:
    name: str
    language: str
    tolerances: dict
    seeds: dict
    assignments: tuple
    path: Path
    delivery: dict

    @functools.cached_property
    def tasks(self):
        return tuple(task for assignment in self.assignments for task in assignment.tasks)

    @functools.cached_property
    def _tasks_by_id(self):
        return {task.id: task for task in self.tasks}

    @property
    def questions(self):
        return tuple(question for assignment in self.assignments for question in assignment.questions)

    def task(self, task_id):
        try:
            return self._tasks_by_id[task_id]
        except KeyError:
            raise KeyError(f"no task {task_id!r} in {self.path}") from None

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


def _check_texts(raw, where, problems):
    """{"title": {lang: text}, "hint": {lang: text}[, "nudge": ...]} of a task; a problem for each missing or extra
    language."""
    texts = {}
    for name in TEXT_FIELDS + OPTIONAL_TEXT_FIELDS:
        if name in OPTIONAL_TEXT_FIELDS and name not in raw:
            continue
        value = _require(raw, name, dict, where, problems)
        if value is None:
            continue
        for lang in LANGUAGES:
            if lang not in value:
                problems.append(f"{where}: {name} has no '{lang}' text")
            elif not isinstance(value[lang], str) or not value[lang].strip():
                problems.append(f"{where}: {name}.{lang} must be a non-empty string, got {value[lang]!r}")
        unknown = sorted(set(value) - set(LANGUAGES), key=str)
        if unknown:
            problems.append(f"{where}: {name} has text in unknown language(s) {unknown} (known: {', '.join(LANGUAGES)})")
        texts[name] = {lang: value[lang] for lang in LANGUAGES if isinstance(value.get(lang), str)}
    return texts


def _check_uses(raw, where, problems):
    uses = _require(raw, "uses", list, where, problems)
    if uses is None:
        return None
    bad = [task_id for task_id in uses if not isinstance(task_id, str)]
    if bad:
        problems.append(f"{where}: uses must list task IDs as strings (\"1.2\"), got {bad}")
        return None
    if len(set(uses)) != len(uses):
        problems.append(f"{where}: uses lists a task twice: {uses}")
    return tuple(uses)


def _check_source(path, function, where, root, defined_cache, problems):
    if not path.is_file():
        problems.append(f"{where}: file {path.relative_to(root)} does not exist")
    elif function:
        if path not in defined_cache:
            defined_cache[path] = _top_level_functions(path)
        if function not in defined_cache[path]:
            problems.append(f"{where}: function '{function}' is not defined in {path.relative_to(root)}")


def _check_tasks(raw_tasks, assignment_where, assignment_id, number, package, solutions_dir, seen_ids, problems,
                 check_files=True):
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
        fields = {key: _require(raw, key, str, where, problems) for key in ("file", "function", "notebook")}
        if fields["notebook"] is not None and not GRADE_ID_PATTERN.match(fields["notebook"]):
            problems.append(f"{where}: notebook {fields['notebook']!r} is not a grade_id ([a-zA-Z0-9_-]+)")
        points = _require(raw, "points", float, where, problems)
        if points is not None and points <= 0:
            problems.append(f"{where}: points must be > 0, got {points}")
        texts = _check_texts(raw, where, problems)
        uses = _check_uses(raw, where, problems)
        if check_files and package and fields["file"]:
            _check_source(solutions_dir / package / fields["file"], fields["function"], where, solutions_dir.parent,
                          defined_cache, problems)
        if None not in (task_id, points, uses, *fields.values()) and all(name in texts for name in TEXT_FIELDS):
            tasks.append(Task(task_id, fields["file"], fields["function"], float(points), assignment_id, package,
                              fields["notebook"], uses, texts))
    return tasks


def _check_questions(raw_questions, where, assignment_id, number, package, seen_ids, problems):
    """The written questions of one assignment (``questions`` is optional)."""
    if raw_questions is None:
        return []
    if not isinstance(raw_questions, list):
        problems.append(f"{where}: questions must be a list")
        return []
    questions = []
    for index, raw in enumerate(raw_questions):
        here = f"{where}, question #{index + 1}"
        question_id = _require(raw, "id", str, here, problems)
        if question_id is not None:
            here = f"{where}, question {question_id}"
            match = QUESTION_ID_PATTERN.match(question_id)
            if not match:
                problems.append(f"{here}: question ID must look like 'Q2.1'")
            elif number is not None and int(match.group(1)) != number:
                problems.append(f"{here}: question ID must start with Q and the assignment number {number}")
            if question_id in seen_ids:
                problems.append(f"{here}: duplicate question ID {question_id}")
            seen_ids.add(question_id)
        points = _require(raw, "points", float, here, problems)
        if points is not None and points <= 0:
            problems.append(f"{here}: points must be > 0, got {points}")
        text = _require(raw, "text", dict, here, problems)
        texts = {}
        if text is not None:
            for lang in LANGUAGES:
                if not isinstance(text.get(lang), str) or not text[lang].strip():
                    problems.append(f"{here}: text has no '{lang}' text")
                else:
                    texts[lang] = text[lang].strip()
            unknown = sorted(set(text) - set(LANGUAGES), key=str)
            if unknown:
                problems.append(f"{here}: text in unknown language(s) {unknown} (known: {', '.join(LANGUAGES)})")
        extra = sorted(set(raw) - {"id", "points", "text"}, key=str) if isinstance(raw, dict) else []
        if extra:
            problems.append(f"{here}: unknown field(s) {extra} (a rubric belongs in rubrics/, never in course.yml, "
                            f"which the student release copies)")
        if None not in (question_id, points) and len(texts) == len(LANGUAGES):
            questions.append(Question(question_id, float(points), assignment_id, package, texts))
    return questions


def _check_call_graph(tasks, path, problems):
    """Every ``uses`` names a task; ``uses`` has no cycle (each cycle reported once, as a path)."""
    by_id = {task.id: task for task in tasks}
    for task in tasks:
        for used in task.uses:
            if used not in by_id:
                problems.append(f"{path}: task {task.id}: uses unknown task {used}")
    state, cycles = {}, []

    def visit(task_id, trail):
        state[task_id] = "open"
        for used in by_id[task_id].uses:
            if used not in by_id:
                continue
            if state.get(used) == "open":
                cycle = trail[trail.index(used):] + [used]
                cycles.append(" -> ".join(cycle))
            elif used not in state:
                visit(used, trail + [used])
        state[task_id] = "done"

    for task in tasks:
        if task.id not in state:
            visit(task.id, [task.id])
    problems.extend(f"{path}: uses has a cycle: {cycle}" for cycle in cycles)


def read_document(path):
    """The data of a course.yml. YAML in general; a file written as JSON (a form of YAML: the grader writes its
    sandbox's copy so) is read by the standard library's parser, which is faster and needs no PyYAML."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestError(f"{path}: no such manifest") from None
    if text.startswith("{"):
        try:
            return json.loads(text)
        except ValueError:
            pass  # a YAML flow mapping that is not JSON: YAML's parser reads it
    import yaml

    try:
        return safe_yaml(text)
    except yaml.YAMLError as error:
        raise ManifestError(f"{path}: not valid YAML: {error}") from None


def load_manifest(path=DEFAULT_MANIFEST, solutions_dir=None, check_files=True):
    """Read and validate a course manifest.

    Inputs:
    - path: the YAML file (default: the repository's course.yml)
    - solutions_dir: where task files are looked up (default: ``solutions/`` beside the manifest)
    - check_files: False to skip the checks of packages, files and functions (for a reader that has no
      solutions beside the manifest, such as the task harness inside the grading sandbox)

    Returns:
    - a :class:`Manifest`; raises :class:`ManifestError` listing every problem
    """
    path = Path(path)
    solutions_dir = Path(solutions_dir) if solutions_dir else path.parent / "solutions"
    raw = read_document(path)
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
    assignments, all_tasks, seen_ids, seen_assignments, seen_questions = [], [], {}, set(), set()
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
        if check_files and package and not (solutions_dir / package).is_dir():
            problems.append(f"{where}: package directory solutions/{package} does not exist")
            package = None
        raw_tasks = _require(raw_assignment, "tasks", list, where, problems) or []
        if not raw_tasks:
            problems.append(f"{where}: no tasks")
        tasks = _check_tasks(raw_tasks, where, assignment_id, number, package, solutions_dir, seen_ids, problems,
                             check_files)
        all_tasks.extend(tasks)
        questions = _check_questions(raw_assignment.get("questions") if isinstance(raw_assignment, dict) else None,
                                     where, assignment_id, number, package, seen_questions, problems)
        if None not in (assignment_id, number, package, title):
            assignments.append(Assignment(assignment_id, number, package, title, tuple(tasks), tuple(questions)))
    _check_call_graph(all_tasks, path, problems)
    if problems:
        raise ManifestError(f"{path} has {len(problems)} problem(s):\n  " + "\n  ".join(problems))
    return Manifest(name, language, dict(tolerances), dict(seeds), tuple(assignments), path, dict(delivery))
