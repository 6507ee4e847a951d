"""The student release: committed stubs match the solutions, nothing leaks, steps run in order."""

import filecmp
import shutil
from pathlib import Path

import pytest

from autograder.authoring import release, staging
from autograder.authoring.leak_scan import scan_for_revealing_code, scan_for_solution_lines
from autograder.runtime.manifest import REPO_ROOT, load_manifest


def _differences(left, right):
    """Relative paths that differ between two trees (missing on either side, or different content)."""
    diffs = []
    compare = filecmp.dircmp(left, right, ignore=["__pycache__"])
    stack = [(compare, Path("."))]
    while stack:
        node, prefix = stack.pop()
        diffs += [str(prefix / name) for name in node.left_only + node.right_only + node.diff_files]
        diffs += [str(prefix / name) for name in node.funny_files]
        stack += [(sub, prefix / name) for name, sub in node.subdirs.items()]
    return sorted(diffs)


def test_committed_assignments_match_the_solutions(tmp_path):
    """Drift check: regenerate assignments/ and compare it with the committed tree."""
    release.build_assignments(tmp_path / "assignments")
    diffs = _differences(tmp_path / "assignments", REPO_ROOT / "assignments")
    assert not diffs, f"assignments/ is stale; run `make stubs` and commit. Differing: {diffs}"


def test_every_task_stub_raises_its_own_not_implemented_error():
    import importlib

    for task in load_manifest().tasks:
        source = (REPO_ROOT / "assignments" / task.package / task.file).read_text()
        assert f'raise NotImplementedError("Task {task.id}: {task.function}")' in source
        assert f"# TODO: Task {task.id} — {task.text('nudge', 'en')}" in source  # the nudge (the hint if none)
        module = importlib.import_module(f"assignments.{task.module}")
        assert module.__doc__ and getattr(module, task.function).__doc__.startswith(f"Task {task.id}:")


def test_release_tree_contents_and_no_leak(tmp_path):
    out = tmp_path / "student"
    build = release.build_student_repo(out)
    names = {str(path) for path in build.written}
    for required in ("README.md", "pyproject.toml", "course.yml", "tests/conftest.py", "tests/test_tasks.py",
                     "rnn_course_runtime/harness.py", "assignments/a3_lstm/lstm.py", "assignments/a3_lstm/README.md"):
        assert required in names, required
    for path in out.rglob("*"):
        relative = path.relative_to(out)
        assert relative.parts[0] not in {"solutions", "autograder"}, relative
        assert "reference" not in relative.parts, relative
    assert scan_for_solution_lines(out, release.SOLUTIONS_DIR) == []
    # The whole course ships A1 too: A2's provided relu_rnn_backward (Task 1.4's loop) is withheld.
    assert any("relu_rnn_backward (reveals a1_vanilla_rnn.rnn_backward)" in w for w in build.withheld)


def test_leak_scan_finds_an_injected_solution_line(tmp_path):
    out = tmp_path / "student"
    release.build_student_repo(out)
    stub = out / "assignments" / "a1_vanilla_rnn" / "rnn.py"
    stub.write_text(stub.read_text() + "\n    da = dh_next * (1.0 - h_next**2)  # (N, H)\n")
    problems = scan_for_solution_lines(out, release.SOLUTIONS_DIR)
    assert any("rnn.py" in problem and "da = dh_next" in problem for problem in problems), problems
    (out / "solutions").mkdir()
    (out / "solutions" / "x.py").write_text("x = 1\n")
    assert any("instructor-only directory" in p for p in scan_for_solution_lines(out, release.SOLUTIONS_DIR))


def test_release_refuses_a_non_empty_directory(tmp_path):
    (tmp_path / "keep.txt").write_text("student work")
    with pytest.raises(release.BuildError, match="not empty"):
        release.build_student_repo(tmp_path)
    assert (tmp_path / "keep.txt").read_text() == "student work"


def test_steps_refuse_to_run_out_of_order(tmp_path):
    build = release.Build(load_manifest(), tmp_path)
    with pytest.raises(release.BuildError, match="needs \\['write_stubs'\\]"):
        release.run_steps(build, (release.write_handouts,))
    with pytest.raises(release.BuildError, match="check_no_solution_leaks"):
        release.run_steps(release.Build(load_manifest(), tmp_path / "x"), (release.check_no_solution_leaks,))


def test_handouts_carry_the_task_table_of_the_manifest():
    for assignment in load_manifest().assignments:
        handout = (REPO_ROOT / "assignments" / assignment.package / "README.md").read_text()
        for task in assignment.tasks:
            assert f"| {task.id} | `{task.function}` | `{task.file}` | {task.points:g} |" in handout
        assert "{{" not in handout


def test_marker_error_in_a_solution_aborts_the_build(tmp_path):
    solutions = tmp_path / "solutions"
    shutil.copytree(release.SOLUTIONS_DIR, solutions, ignore=shutil.ignore_patterns("__pycache__"))
    rnn = solutions / "a1_vanilla_rnn" / "rnn.py"
    rnn.write_text(rnn.read_text().replace("    # END SOLUTION\n", "", 1))
    build = release.Build(load_manifest(), tmp_path / "out", solutions_dir=solutions)
    from autograder.authoring.solution_markers import MarkerError

    with pytest.raises(MarkerError, match=r"a1_vanilla_rnn/rnn.py:\d+: line inside the solution block"):
        release.run_steps(build, release.ASSIGNMENT_STEPS)


# Staged releases: one assignment (one template repository) at a time.

@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    """The A1 release and the A2 release, built once for this module."""
    root = tmp_path_factory.mktemp("staged")
    return {a: (root / a, release.build_student_repo(root / a, assignments=[a])) for a in ("a1", "a2")}


def test_an_a1_release_ships_a1_only(staged):
    out, build = staged["a1"]
    assert sorted(p.name for p in (out / "assignments").iterdir() if p.is_dir()) == ["a1_vanilla_rnn", "common"]
    fixtures = {p.stem for p in (out / "tests" / "fixtures").glob("*.json")}
    assert fixtures == {t.id for t in load_manifest().assignment("a1").tasks}
    manifest = load_manifest(out / "course.yml", solutions_dir=out / "assignments")
    assert [a.id for a in manifest.assignments] == ["a1"]
    workflow = (out / ".github" / "workflows" / "classroom.yml").read_text()
    tasks = ",".join(t.id for t in load_manifest().assignment("a1").tasks)
    assert f"--tasks {tasks} " in workflow
    assert not list(out.rglob("relu_rnn*")) and "relu_rnn_backward" not in "".join(
        p.read_text() for p in out.rglob("*.py"))


def test_an_a2_release_ships_a1_for_the_students_own_code_and_withholds_what_reveals_it(staged):
    out, build = staged["a2"]
    assert build.graded == ("a2",)
    assert sorted(p.name for p in (out / "assignments").iterdir() if p.is_dir()) == [
        "a1_vanilla_rnn", "a2_bptt_gradients", "common"]
    a1_stub = (out / "assignments" / "a1_vanilla_rnn" / "rnn.py").read_text()
    assert 'raise NotImplementedError("Task 1.4: rnn_backward")' in a1_stub
    workflow = (out / ".github" / "workflows" / "classroom.yml").read_text()
    tasks = ",".join(t.id for t in load_manifest().assignment("a2").tasks)
    assert f"--tasks {tasks} " in workflow  # the A1 stubs are the student's own code, not graded here
    relu = (out / "assignments" / "a2_bptt_gradients" / "relu_rnn.py").read_text()
    assert "it would reveal Task 1.4" in relu and "dWx += dWx_t" not in relu
    assert any("relu_rnn_backward (reveals a1_vanilla_rnn.rnn_backward)" in w for w in build.withheld)
    assert "`relu_rnn_backward` (`relu_rnn.py`)" in (out / "assignments" / "a2_bptt_gradients" / "README.md").read_text()
    assert scan_for_solution_lines(out, release.SOLUTIONS_DIR) == []
    assert scan_for_revealing_code(out, release.SOLUTIONS_DIR, build.protected) == []


def test_the_reveal_scan_catches_provided_code_that_copies_a_graded_loop(staged, tmp_path):
    """Attack: put the provided relu_rnn_backward (Task 1.4's loop around another step) back into the A2 release."""
    out, build = staged["a2"]
    shutil.copytree(out, tmp_path / "r")
    target = tmp_path / "r" / "assignments" / "a2_bptt_gradients" / "relu_rnn.py"
    target.write_text((REPO_ROOT / "assignments" / "a2_bptt_gradients" / "relu_rnn.py").read_text())
    assert scan_for_solution_lines(tmp_path / "r", release.SOLUTIONS_DIR) == []  # each line is also provided code
    problems = scan_for_revealing_code(tmp_path / "r", release.SOLUTIONS_DIR, build.protected)
    assert any("relu_rnn_backward reveals the graded solution of a1_vanilla_rnn.rnn_backward" in p
               for p in problems), problems


def test_release_selection_protects_shipped_and_later_assignments():
    manifest = load_manifest()
    assert release.release_selection(manifest, ("a1",)) == (
        ("a1",), ("a1_vanilla_rnn", "a2_bptt_gradients", "a3_lstm", "a4_gru"))
    assert release.release_selection(manifest, ("a3",)) == (("a3",), ("a3_lstm", "a4_gru"))
    shipped, _ = release.release_selection(manifest, ("a2",))
    assert shipped == ("a1", "a2")
    with pytest.raises(release.BuildError, match="unknown assignment"):
        release.release_selection(manifest, ("a9",))



def test_withheld_code_speaks_the_release_language(tmp_path):
    """A Korean release's withheld function says why in Korean (its comment, its error, the handout's list)."""
    relative = Path("assignments") / "a2_bptt_gradients" / "relu_rnn.py"
    (tmp_path / relative).parent.mkdir(parents=True)
    shutil.copyfile(REPO_ROOT / relative, tmp_path / relative)
    (tmp_path / relative.parent / "README.ko.md").write_text("# A2\n", encoding="utf-8")
    function_tasks = {(task.package, task.function): task.id for task in load_manifest().tasks}
    withheld = staging.withhold(tmp_path, [relative], release.SOLUTIONS_DIR, ("a1_vanilla_rnn",), function_tasks,
                                lang="ko")
    assert any("relu_rnn_backward (reveals a1_vanilla_rnn.rnn_backward)" in line for line in withheld)
    text = (tmp_path / relative).read_text(encoding="utf-8")
    assert "이번 배포에서는 제공되지 않습니다" in text and "Task 1.4" in text and "not provided" not in text
    namespace = {}
    exec(compile(text, str(relative), "exec"), namespace)  # the withheld module still imports and says why
    with pytest.raises(NotImplementedError, match="Task 1.4"):
        namespace["relu_rnn_backward"](None, None)
    assert "이번 배포에서 제공되지 않는 함수" in (tmp_path / relative.parent / "README.ko.md").read_text(encoding="utf-8")
