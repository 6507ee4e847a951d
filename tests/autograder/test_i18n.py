"""The Korean edition: message catalogues in parity, Korean release, Korean public-test and grader messages."""

import os
import re
import string
import subprocess
import sys

import pytest
import yaml

from autograder.grading import reports
from autograder.grading.grade import grade_submission
from autograder.runtime.manifest import REPO_ROOT, load_manifest
from autograder.authoring.release import build_student_repo
from autograder.runtime.messages import LANG_ENV, MESSAGES_DIR, catalogue

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def fields(text):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_exists_in_every_language_with_the_same_fields():
    english, korean = catalogue("en"), catalogue("ko")
    assert set(english) == set(korean), {"only en": set(english) - set(korean), "only ko": set(korean) - set(english)}
    for key in english:
        assert fields(english[key]) == fields(korean[key]), key


def test_every_task_has_its_title_and_hint_in_every_language_with_the_same_fields():
    """Task texts live in course.yml, one per language (the loader refuses a missing one)."""
    for task in load_manifest().tasks:
        for name in ("title", "hint", "nudge"):
            texts = {lang: task.text(name, lang) for lang in ("en", "ko")}
            assert fields(texts["en"]) == fields(texts["ko"]), (task.id, name)
    assert not [key for key in catalogue("ko") if key.startswith("task.")], "task texts belong in course.yml"


def test_catalogue_files_are_exactly_the_languages_of_the_course():
    assert sorted(path.stem for path in MESSAGES_DIR.glob("*.yml")) == ["en", "ko"]
    assert load_manifest().language in ("en", "ko")


def test_no_user_message_is_a_literal_in_the_grading_code():
    """Problems and report lines come from the catalogue: no English sentence literals in these modules."""
    sentence = re.compile(r"""(problems\.append|return \[)\(?f?["'][a-z]""")
    for path in ["autograder/runtime/harness.py", "autograder/runtime/cases_a2.py", "autograder/grading/reports.py"]:
        text = (REPO_ROOT / path).read_text()
        assert not sentence.search(text), path


def test_korean_handouts_have_the_task_table_of_the_manifest():
    for assignment in load_manifest().assignments:
        handout = (REPO_ROOT / "assignments" / assignment.package / "README.ko.md").read_text()
        assert HANGUL.search(handout)
        for task in assignment.tasks:
            hint = task.text("nudge", "ko").replace("|", "\\|")  # the first tier of hints (the hint if none)
            assert f"| {task.id} | `{task.function}` | `{task.file}` | {task.points:g} | {hint} |" in handout


def test_korean_release_builds_with_korean_hints_readme_and_language(tmp_path):
    out = tmp_path / "student-ko"
    build_student_repo(out, lang="ko")
    assert yaml.safe_load((out / "course.yml").read_text())["course"]["language"] == "ko"
    assert HANGUL.search((out / "README.md").read_text())
    stub = (out / "assignments" / "a3_lstm" / "lstm.py").read_text()
    todo = next(line for line in stub.splitlines() if "# TODO: Task 3.11" in line)
    assert HANGUL.search(todo)
    assert 'raise NotImplementedError("Task 3.11: lstm_step_backward")' in stub  # code stays English
    assert (out / "assignments" / "a3_lstm" / "README.ko.md").is_file()


def test_korean_public_tests_fail_with_korean_messages(tmp_path):
    out = tmp_path / "student-ko"
    build_student_repo(out, lang="ko")
    env = {key: value for key, value in os.environ.items() if key not in ("RNN_COURSE_IMPL", LANG_ENV)}
    env["PYTHONPATH"] = str(out)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "task1_2",
                             "-k", "matches_reference"], cwd=out, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 1, result.stdout[-2000:]
    assert "Task 1.2" in result.stdout and HANGUL.search(result.stdout), result.stdout[-2000:]


@pytest.fixture
def korean(monkeypatch):
    monkeypatch.setenv(LANG_ENV, "ko")


def test_grader_reports_in_korean(korean, sample_submissions):
    report = grade_submission(sample_submissions / "mistake_gru_z_reversed", assignment_ids=["a4"], seed=8)
    task = next(t for t in report.tasks if t.task_id == "4.4")
    assert reports.task_hints(task)[0] == catalogue("ko")["mistake.gru_z_reversed"]
    assert HANGUL.search(reports.task_messages(task)[0]) and HANGUL.search(task.title)
    # the same report, rendered in English at the edge: the checks are data, not Korean text
    assert reports.task_hints(task, "en")[0] == catalogue("en")["mistake.gru_z_reversed"]
    assert not HANGUL.search(reports.task_messages(task, "en")[0])
    for text in (reports.text(report), reports.markdown(report),
                 "\n".join(test["output"] + test["name"] for test in reports.gradescope(report)["tests"])):
        assert HANGUL.search(text)


def test_grade_cli_lang_option(tmp_path, sample_submissions):
    result = subprocess.run([sys.executable, "-m", "autograder.authoring.cli", "grade", str(sample_submissions / "empty"), "--assignment",
                             "a1", "--seed", "1", "--lang", "ko", "--feedback-dir", str(tmp_path)],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "empty.md").read_text()
    assert HANGUL.search(text) and "Task" not in text.splitlines()[0]
