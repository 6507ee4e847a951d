"""course.yml loads, names only functions that exist, and bad manifests fail with clear errors."""

import ast
import importlib
import textwrap

import pytest
import yaml

from autograder.runtime.manifest import REPO_ROOT, ManifestError, load_manifest


def test_course_manifest_loads_and_every_task_function_exists():
    manifest = load_manifest()
    assert [a.id for a in manifest.assignments] == ["a1", "a2", "a3", "a4"]
    for task in manifest.tasks:
        module = importlib.import_module(f"solutions.{task.module}")
        assert callable(getattr(module, task.function)), task.id
        docstring = getattr(module, task.function).__doc__
        assert docstring.startswith(f"Task {task.id}:"), f"docstring of {task.function} must start with its task ID"
        assert "Inputs:" in docstring and "Returns" in docstring, task.function


def test_every_task_id_is_unique_and_prefixed_by_its_assignment():
    manifest = load_manifest()
    ids = [task.id for task in manifest.tasks]
    assert len(ids) == len(set(ids))
    for assignment in manifest.assignments:
        assert all(task.id.split(".")[0] == str(assignment.number) for task in assignment.tasks)


def _write(tmp_path, manifest_text, solution_text="def f(x):\n    return x\n"):
    (tmp_path / "solutions" / "pkg").mkdir(parents=True)
    (tmp_path / "solutions" / "pkg" / "mod.py").write_text(solution_text)
    path = tmp_path / "course.yml"
    path.write_text(textwrap.dedent(manifest_text))
    return path


def _task(task_id, uses="[]", function="f"):
    return (f'      - {{id: "{task_id}", file: mod.py, function: {function}, points: 1, notebook: check_it, '
            f'uses: {uses}, title: {{en: t, ko: 제목}}, hint: {{en: h, ko: 힌트}}}}\n')


GOOD = """
course: {name: test}
tolerances: {value: 1.0e-8, gradient: 1.0e-7, gradcheck: 1.0e-6}
seeds: {public_fixtures: 1}
assignments:
  - id: a1
    number: 1
    package: pkg
    title: t
    tasks:
""" + _task("1.1")


def test_minimal_manifest_loads(tmp_path):
    manifest = load_manifest(_write(tmp_path, GOOD))
    task = manifest.task("1.1")
    assert task.marker == "task1_1" and task.notebook == "check_it" and task.uses == ()
    assert (task.text("title", "en"), task.text("title", "ko"), task.text("hint", "ko")) == ("t", "제목", "힌트")
    assert manifest.language == "en"
    assert task.text("nudge", "ko") == "힌트"  # no nudge: the TODO and the handout's table show the hint


def test_a_nudge_is_the_first_tier_and_the_hint_stays(tmp_path):
    manifest = load_manifest(_write(tmp_path, GOOD.replace("hint: {en: h, ko: 힌트}",
                                                           "hint: {en: h, ko: 힌트}, nudge: {en: n, ko: 넛지}")))
    task = manifest.task("1.1")
    assert (task.text("nudge", "en"), task.text("nudge", "ko"), task.text("hint", "en")) == ("n", "넛지", "h")


@pytest.mark.parametrize("change,message", [
    (("function: f", "function: g"), "function 'g' is not defined in solutions/pkg/mod.py"),
    (("file: mod.py", "file: nope.py"), "file solutions/pkg/nope.py does not exist"),
    ((", points: 1", ""), "missing field 'points'"),
    (("points: 1", "points: 0"), "points must be > 0"),
    (("points: 1", "points: one"), "field 'points' must be float"),
    (('id: "1.1"', 'id: "2.1"'), "must start with the assignment number 1"),
    (('id: "1.1"', 'id: "1-1"'), "task ID must look like '3.4'"),
    (("package: pkg", "package: missing"), "package directory solutions/missing does not exist"),
    (("course: {name: test}", "course: {name: test, language: fr}"), "course.language must be one of"),
    ((", ko: 제목", ""), "task 1.1: title has no 'ko' text"),
    (("{en: h, ko: 힌트}", "{ko: 힌트}"), "task 1.1: hint has no 'en' text"),
    (("hint: {en: h, ko: 힌트}", "hint: h"), "field 'hint' must be dict"),
    (("ko: 힌트", "ko: 힌트, fr: indice"), "task 1.1: hint has text in unknown language(s)"),
    (("hint: {en: h, ko: 힌트}", "hint: {en: h, ko: 힌트}, nudge: {en: n}"), "task 1.1: nudge has no 'ko' text"),
    (("notebook: check_it, ", ""), "missing field 'notebook'"),
    (("notebook: check_it", "notebook: check it"), "notebook 'check it' is not a grade_id"),
    (("uses: [], ", ""), "missing field 'uses'"),
    (("uses: []", 'uses: ["1.7"]'), "task 1.1: uses unknown task 1.7"),
    (("uses: []", 'uses: ["1.1"]'), "uses has a cycle: 1.1 -> 1.1"),
])
def test_bad_manifest_names_the_problem(tmp_path, change, message):
    path = _write(tmp_path, GOOD.replace(*change))
    with pytest.raises(ManifestError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        load_manifest(path)


def test_duplicate_task_id_is_an_error(tmp_path):
    text = GOOD + _task("1.1")
    with pytest.raises(ManifestError, match="duplicate task ID 1.1"):
        load_manifest(_write(tmp_path, text))


def test_every_problem_is_reported_at_once(tmp_path):
    text = GOOD.replace("function: f", "function: g").replace("points: 1", "points: -1").replace(", ko: 제목", "")
    with pytest.raises(ManifestError) as error:
        load_manifest(_write(tmp_path, text))
    assert "3 problem(s)" in str(error.value)


def test_a_cycle_of_uses_is_named_along_its_path(tmp_path):
    text = GOOD.replace('uses: []', 'uses: ["1.3"]') + _task("1.2", '["1.1"]') + _task("1.3", '["1.2"]')
    with pytest.raises(ManifestError) as error:
        load_manifest(_write(tmp_path, text))
    assert "uses has a cycle: 1.1 -> 1.3 -> 1.2 -> 1.1" in str(error.value)
    assert "1 problem(s)" in str(error.value)


def test_reader_without_solutions_skips_the_file_checks_only(tmp_path):
    path = _write(tmp_path, GOOD.replace("function: f", "function: g"))
    assert load_manifest(path, check_files=False).task("1.1").function == "g"
    with pytest.raises(ManifestError, match="uses unknown task 9.9"):
        load_manifest(_write(tmp_path / "other", GOOD.replace("uses: []", 'uses: ["9.9"]')), check_files=False)


def test_not_yaml_is_a_clear_error(tmp_path):
    path = tmp_path / "course.yml"
    path.write_text("assignments: [unclosed")
    with pytest.raises(ManifestError, match="not valid YAML"):
        load_manifest(path)


def test_manifest_never_imports_solution_code(tmp_path):
    path = _write(tmp_path, GOOD, "raise SystemExit('imported!')\n\ndef f(x):\n    return x\n")
    assert load_manifest(path).task("1.1").function == "f"
    ast.parse((tmp_path / "solutions" / "pkg" / "mod.py").read_text())


def test_public_conftest_reads_the_same_manifest():
    raw = yaml.safe_load((REPO_ROOT / "course.yml").read_text())
    assert sum(len(a["tasks"]) for a in raw["assignments"]) == len(load_manifest().tasks)


def _names_used(path):
    """{top-level function: names it refers to, through the module's non-task helpers too} of a solution file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    imported = {alias.asname or alias.name: (node.level, node.module or "", alias.name)
                for node in tree.body if isinstance(node, ast.ImportFrom) for alias in node.names}
    return functions, imported


def test_uses_is_the_call_graph_of_the_solutions():
    """Each task's ``uses`` lists exactly the tasks whose functions its reference function refers to (directly,
    or through helpers of its own file that are not tasks)."""
    manifest = load_manifest()
    task_of = {(task.package, task.function): task.id for task in manifest.tasks}
    for task in manifest.tasks:
        functions, imported = _names_used(REPO_ROOT / "solutions" / task.package / task.file)
        found, todo, seen = set(), [task.function], set()
        while todo:
            name = todo.pop()
            seen.add(name)
            for node in ast.walk(functions[name]):
                if not isinstance(node, ast.Name) or node.id == task.function:
                    continue
                if node.id in functions:
                    if (task.package, node.id) in task_of:
                        found.add(task_of[(task.package, node.id)])
                    elif node.id not in seen:
                        todo.append(node.id)
                elif node.id in imported:
                    level, module, name = imported[node.id]
                    package = task.package if level == 1 else module.split(".")[0]
                    if (package, name) in task_of:
                        found.add(task_of[(package, name)])
        assert set(task.uses) == found, f"Task {task.id}: uses {sorted(task.uses)}, the solution uses {sorted(found)}"
