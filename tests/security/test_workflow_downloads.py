"""The student repository's own CI (GitHub Actions) is feedback only, and nothing on its runner is secret.

Everything that workflow gets is the student repository itself (it checks out nothing else and
downloads no bundle): so the whole release tree, .github/ included, must hold no line of solution
code and no token or secret reference, and every checkout must leave no credentials behind.
The hidden suite it runs (.github/feedback/) passes the reference, fails the stubs, and names a
catalogued mistake from its fingerprint.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from autograder.authoring import release
from autograder.authoring.leak_scan import scan_for_solution_lines, solution_lines
from autograder.grading import mistakes
from autograder.runtime.manifest import load_manifest
from autograder.runtime.messages import t

SECRET_PATTERNS = (r"secrets\.", r"\btoken\s*:", r"GITHUB_TOKEN", r"\bsecrets\b\s*:", r"\bghp_", r"github_pat_")


@pytest.fixture(scope="module")
def student_repo(tmp_path_factory):
    return release.build_student_repo(tmp_path_factory.mktemp("release") / "student").out


def _workflow(repo):
    return yaml.safe_load((repo / ".github" / "workflows" / "classroom.yml").read_text(encoding="utf-8"))


def _text_files(repo):
    return [path for path in sorted(repo.rglob("*")) if path.is_file()]


def test_the_whole_release_holds_no_solution_code(student_repo):
    assert (student_repo / ".github" / "feedback" / "test_hidden.py").is_file()  # .github/ is scanned too
    assert scan_for_solution_lines(student_repo, release.SOLUTIONS_DIR) == []


def test_the_leak_scan_would_see_a_solution_line_under_github(student_repo, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(student_repo, copy)
    line = next(iter(solution_lines(release.SOLUTIONS_DIR)))
    (copy / ".github" / "feedback" / "extra.py").write_text(line + "\n", encoding="utf-8")
    assert any(".github/feedback/extra.py" in found for found in scan_for_solution_lines(copy, release.SOLUTIONS_DIR))


def test_no_file_of_the_release_refers_to_a_token_or_secret(student_repo):
    found = []
    for path in _text_files(student_repo):
        text = path.read_text(encoding="utf-8", errors="replace")
        for pattern in SECRET_PATTERNS:
            for match in re.finditer(pattern, text):
                found.append(f"{path.relative_to(student_repo)}: {match.group(0)!r}")
    assert found == []


def test_the_workflow_checks_out_only_the_submission_without_credentials(student_repo):
    steps = _workflow(student_repo)["jobs"]["grade"]["steps"]
    checkouts = [step for step in steps if step.get("uses", "").startswith("actions/checkout@")]
    assert checkouts, "the workflow checks out the submission"
    for step in checkouts:
        assert step["with"]["persist-credentials"] is False
        assert "repository" not in step["with"] and "token" not in step["with"]
        assert "ssh-key" not in step["with"]
    assert all("repository" not in step.get("with", {}) for step in steps)
    commands = "\n".join(step.get("run", "") + str(step.get("with", {}).get("command", "")) for step in steps)
    for download in ("curl", "wget", "git clone", "gh ", "tar ", "http://", "https://"):
        assert download not in commands, download
    assert "permissions" in _workflow(student_repo) and _workflow(student_repo)["permissions"] == {"contents": "read"}


def test_the_workflow_says_it_is_feedback_only(student_repo):
    text = (student_repo / ".github" / "workflows" / "classroom.yml").read_text(encoding="utf-8")
    assert "feedback only" in text.lower()
    assert "grade of record comes from instructor-side grading or Gradescope" in text.replace("\n# ", " ")


def test_the_hidden_files_are_data_only(student_repo):
    feedback = student_repo / ".github" / "feedback"
    python_files = sorted(path.relative_to(feedback).as_posix() for path in feedback.rglob("*.py"))
    assert python_files == ["conftest.py", "report.py", "test_hidden.py"]
    # report.py (the points of the hidden checks) is a fixed template, the same in every release
    from autograder.authoring.release import HIDDEN_SUITE_DIR

    assert (feedback / "report.py").read_text(encoding="utf-8") == \
        (HIDDEN_SUITE_DIR / "report_template.py").read_text(encoding="utf-8")
    assert {path.suffix for path in (feedback / "fixtures").iterdir()} == {".json"}
    assert "autograder" not in (feedback / "test_hidden.py").read_text(encoding="utf-8")


def _run_hidden(repo, assignments_source=None, mistake=None, timeout=600):
    if mistake is not None:
        shutil.rmtree(repo / "assignments")
        mistakes.write_mutant_tree(mistake, repo / "assignments")
    elif assignments_source is not None:
        shutil.rmtree(repo / "assignments")
        shutil.copytree(assignments_source, repo / "assignments", ignore=shutil.ignore_patterns("__pycache__"))
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "RNN_COURSE_IMPL")}
    return subprocess.run([sys.executable, "-m", "pytest", ".github/feedback", "-p", "no:cacheprovider", "-rA",
                           "-o", "addopts=", "--junitxml", str(repo / "hidden.xml")],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=timeout)


def _copy(student_repo, tmp_path):
    return Path(shutil.copytree(student_repo, tmp_path / "repo"))


@pytest.mark.slow
def test_the_hidden_suite_passes_the_reference(student_repo, tmp_path):
    result = _run_hidden(_copy(student_repo, tmp_path), assignments_source=release.SOLUTIONS_DIR)
    tasks = load_manifest().tasks
    assert result.returncode == 0, result.stdout[-3000:]
    assert f"{len(tasks)} passed" in result.stdout
    for task in tasks:
        assert f"test_task[{task.id}-{task.points:g}pts]" in result.stdout


@pytest.mark.slow
def test_the_hidden_suite_fails_every_stub_as_not_implemented(student_repo, tmp_path):
    result = _run_hidden(_copy(student_repo, tmp_path))
    tasks = load_manifest().tasks
    assert f"{len(tasks)} failed" in result.stdout, result.stdout[-3000:]
    for task in tasks:
        block = result.stdout.split(f"test_task[{task.id}-{task.points:g}pts] _")[1].split("\n_____")[0]
        assert "NotImplementedError" in block, (task.id, block)


@pytest.mark.slow
def test_the_hidden_suite_names_the_mistake_a_mutant_makes(student_repo, tmp_path):
    mistake = next(m for m in mistakes.CATALOGUE if m.id == "bptt_no_future_gradient")
    result = _run_hidden(_copy(student_repo, tmp_path), mistake=mistake)
    assert result.returncode == 1
    failed = re.findall(r"FAILED \S+::test_task\[(\d+\.\d+)-", result.stdout)
    assert mistake.task_id in failed
    block = result.stdout.split(f"test_task[{mistake.task_id}-")[1].split("\n_____")[0]
    assert t("test.hint", hint=t(f"mistake.{mistake.id}")) in block
    assert "passed" in result.stdout  # the tasks this mistake does not touch still pass
