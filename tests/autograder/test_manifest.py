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
      - {id: "1.1", title: t, file: mod.py, function: f, points: 1, hint: h}
"""


def test_minimal_manifest_loads(tmp_path):
    manifest = load_manifest(_write(tmp_path, GOOD))
    assert manifest.task("1.1").marker == "task1_1"
    assert manifest.language == "en"


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
])
def test_bad_manifest_names_the_problem(tmp_path, change, message):
    path = _write(tmp_path, GOOD.replace(*change))
    with pytest.raises(ManifestError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        load_manifest(path)


def test_duplicate_task_id_is_an_error(tmp_path):
    text = GOOD + '      - {id: "1.1", title: t, file: mod.py, function: f, points: 1, hint: h}\n'
    with pytest.raises(ManifestError, match="duplicate task ID 1.1"):
        load_manifest(_write(tmp_path, text))


def test_every_problem_is_reported_at_once(tmp_path):
    text = GOOD.replace("function: f", "function: g").replace("points: 1", "points: -1")
    with pytest.raises(ManifestError) as error:
        load_manifest(_write(tmp_path, text))
    assert "2 problem(s)" in str(error.value)


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
