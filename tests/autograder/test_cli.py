"""``course`` (autograder/authoring/cli.py): options every verb honours, and errors as one line.

- ``--manifest`` is read by every verb that needs the course (check, demo, bundle and gradescope included);
  ``grade --bundle`` refuses it, since the bundle grades with the course.yml packed in it.
- ``grade --out`` is always the one report file; ``--feedback-dir`` holds the per-student Markdown files and
  ``--summary`` the job-summary table; options that do not fit are refused before anything is graded.
- errors (ManifestError, HandoutError, BuildError, FileNotFoundError, ...) print one line and exit 2.
"""

import tarfile
import zipfile

import pytest
import yaml

from autograder.authoring.cli import main
from autograder.grading import mistakes
from autograder.runtime.manifest import DEFAULT_MANIFEST, REPO_ROOT


@pytest.fixture(scope="module")
def a1_manifest(tmp_path_factory):
    """A course.yml with only assignment a1 (solutions/ beside it, as load_manifest expects)."""
    root = tmp_path_factory.mktemp("a1-course")
    raw = yaml.safe_load(DEFAULT_MANIFEST.read_text(encoding="utf-8"))
    raw["assignments"] = [a for a in raw["assignments"] if a["id"] == "a1"]
    path = root / "course.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (root / "solutions").symlink_to(REPO_ROOT / "solutions", target_is_directory=True)
    return path


def _a1_points(manifest_path):
    raw = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    return sum(task["points"] for task in raw["assignments"][0]["tasks"])


def test_check_honours_manifest(a1_manifest, capsys):
    a1_mistakes = [m.id for m in mistakes.CATALOGUE if m.task_id.startswith("1.")]
    assert 0 < len(a1_mistakes) < len(mistakes.CATALOGUE)
    assert main(["--manifest", str(a1_manifest), "check", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert f"mutation score: {len(a1_mistakes)}/{len(a1_mistakes)} (100%)" in out
    assert sorted(line.split()[1] for line in out.splitlines() if line.startswith("caught")) == sorted(a1_mistakes)


def test_demo_honours_manifest(a1_manifest, capsys):
    assert main(["--manifest", str(a1_manifest), "demo"]) == 0
    out = capsys.readouterr().out
    total = _a1_points(a1_manifest)
    complete = next(line for line in out.splitlines() if line.startswith("complete "))
    assert complete.split()[1:] == [f"{total:g}/{total:g}"] * 2  # one column (a1) and the total


def test_bundle_and_gradescope_pack_the_given_manifest(a1_manifest, tmp_path, capsys):
    assert main(["--manifest", str(a1_manifest), "bundle", "--out", str(tmp_path / "grader.tar.gz")]) == 0
    with tarfile.open(tmp_path / "grader.tar.gz") as archive:
        assert archive.extractfile("grader/course.yml").read() == a1_manifest.read_bytes()
    assert main(["--manifest", str(a1_manifest), "gradescope", "--out", str(tmp_path / "autograder.zip")]) == 0
    with zipfile.ZipFile(tmp_path / "autograder.zip") as zf:
        assert zf.read("grader/course.yml") == a1_manifest.read_bytes()
    assert main(["bundle", "--out", str(tmp_path / "default.tar.gz")]) == 0
    with tarfile.open(tmp_path / "default.tar.gz") as archive:
        assert archive.extractfile("grader/course.yml").read() == DEFAULT_MANIFEST.read_bytes()


def test_grade_with_a_bundle_refuses_manifest(a1_manifest, tmp_path, capsys):
    code = main(["--manifest", str(a1_manifest), "grade", "--bundle", str(tmp_path / "grader.tar.gz"),
                 str(REPO_ROOT / "examples" / "submissions" / "empty")])
    assert code == 2
    assert "--manifest does not apply to grade --bundle" in capsys.readouterr().err


# ``course grade``: --out is always the one report file; --feedback-dir the per-student Markdown files;
# --summary the job-summary table (no --format duplicates it).

EMPTY = REPO_ROOT / "assignments"  # never graded below: every option clash is refused before grading starts


def test_grade_writes_report_feedback_and_summary_where_each_option_says(tmp_path, capsys, sample_submissions):
    import json

    out, feedback, summary = tmp_path / "reports" / "report.json", tmp_path / "feedback", tmp_path / "summary.md"
    summary.write_text("# earlier steps\n", encoding="utf-8")
    code = main(["grade", str(sample_submissions / "empty"), "--assignment", "a1", "--seed", "1", "--format", "json", "--out", str(out),
                 "--feedback-dir", str(feedback), "--summary", str(summary)])
    assert code == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert [entry["seed"] for entry in report] == [1]
    assert [path.name for path in feedback.iterdir()] == ["empty.md"]
    assert "1.1" in (feedback / "empty.md").read_text(encoding="utf-8")
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# earlier steps\n") and "|" in text  # appended, not replaced
    assert capsys.readouterr().out == ""  # the report went to --out, not to stdout


@pytest.mark.parametrize("submissions, options, message", [
    (1, ["--out", "{tmp}"], "--out is the report file"),
    (2, ["--format", "gradescope"], "--format gradescope grades exactly one submission"),
    (2, ["--format", "classroom"], "--format classroom grades exactly one submission"),
    (2, ["--summary", "{tmp}/s.md"], "--summary needs exactly one submission"),
])
def test_grade_refuses_options_that_do_not_fit_before_grading(tmp_path, capsys, submissions, options, message):
    options = [option.format(tmp=tmp_path) for option in options]
    assert main(["grade", *[str(EMPTY)] * submissions, "--assignment", "a1", *options]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert sorted(tmp_path.iterdir()) == []


@pytest.mark.parametrize("removed", ["markdown", "summary"])
def test_grade_formats_that_duplicated_other_options_are_gone(removed, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["grade", str(EMPTY), "--format", removed])
    assert exit_.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


# Errors: one message, no traceback; exit code 2 for what the user fixes, 1 for a failed run.

def _one_line_error(capsys, verb):
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith(f"course {verb}: "), err
    return err


def test_a_missing_bundle_or_a_file_that_is_not_one_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["grade", "--bundle", str(tmp_path / "missing.tar.gz"), str(EMPTY)]) == 2
    assert "No such file or directory" in _one_line_error(capsys, "grade")
    not_a_bundle = tmp_path / "notes.tar.gz"
    not_a_bundle.write_text("not an archive", encoding="utf-8")
    assert main(["grade", "--bundle", str(not_a_bundle), str(EMPTY)]) == 2
    assert "is not a grader bundle" in _one_line_error(capsys, "grade")


def test_a_release_into_a_non_empty_directory_and_a_missing_manifest_exit_2(tmp_path, capsys):
    (tmp_path / "taken.txt").write_text("x", encoding="utf-8")
    assert main(["release", "--out", str(tmp_path)]) == 2
    assert "is not empty" in _one_line_error(capsys, "release")
    assert main(["--manifest", str(tmp_path / "nope.yml"), "manifest"]) == 2
    assert "no such manifest" in _one_line_error(capsys, "manifest")


def _error_classes():
    from autograder.authoring.bundle import BundleError
    from autograder.authoring.handouts import HandoutError
    from autograder.authoring.notebook_translations import TranslationError
    from autograder.authoring.notebooks import NotebookBuildError
    from autograder.authoring.release import BuildError
    from autograder.authoring.solution_markers import MarkerError
    from autograder.grading.grade import SubmissionError
    from autograder.runtime.manifest import ManifestError

    return [HandoutError, BuildError, NotebookBuildError, TranslationError, MarkerError, ManifestError,
            SubmissionError, BundleError, FileNotFoundError, PermissionError, KeyError]


@pytest.mark.parametrize("error_class", _error_classes(), ids=lambda cls: cls.__name__)
def test_every_user_error_is_one_message_and_exit_2(monkeypatch, capsys, error_class):
    from autograder.authoring import cli

    if error_class.__name__ == "SubmissionError":  # carries a Problem, rendered as its one line
        from autograder.runtime.problems import problem
        error = error_class(problem("grade.unreadable", error="what went wrong"))
    else:
        error = error_class("what went wrong")

    def fail(args):
        raise error

    monkeypatch.setattr(cli, "cmd_manifest", fail)
    assert main(["manifest"]) == 2
    message = _one_line_error(capsys, "manifest")
    assert message == f"course manifest: {str(error).strip(chr(39))}\n" and "what went wrong" in message


def test_a_failed_run_exits_1_and_a_bug_keeps_its_traceback(monkeypatch, capsys):
    from autograder.authoring import cli

    def failed_run(args):
        raise RuntimeError("self-check failed")

    def bug(args):
        return 1 / 0

    monkeypatch.setattr(cli, "cmd_manifest", failed_run)
    assert main(["manifest"]) == 1
    assert _one_line_error(capsys, "manifest") == "course manifest: self-check failed\n"
    monkeypatch.setattr(cli, "cmd_manifest", bug)
    with pytest.raises(ZeroDivisionError):
        main(["manifest"])


# A grader bundle's ``course --help`` lists only the verbs whose modules it holds.

def test_the_repository_offers_every_verb():
    from autograder.authoring.cli import VERB_MODULES, available_verbs

    assert set(VERB_MODULES) < set(available_verbs())
    assert len(available_verbs()) == 14


def test_a_bundle_lists_and_runs_only_the_verbs_it_holds(tmp_path):
    import os
    import re
    import subprocess
    import sys

    from autograder.authoring.bundle import extract_bundle, write_bundle

    root = extract_bundle(write_bundle(tmp_path / "grader.tar.gz"), tmp_path / "x")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "RNN_COURSE_IMPL")}

    def course(*argv):
        return subprocess.run([sys.executable, "-m", "autograder.authoring.cli", *argv], cwd=root, env=env,
                              capture_output=True, text=True, timeout=60)

    result = course("--help")
    assert result.returncode == 0, result.stderr
    listed = re.search(r"\{([a-z,]+)\}", result.stdout).group(1).split(",")
    assert listed == ["manifest", "grade", "bundle"]
    for verb in listed:
        assert course(verb, "--help").returncode == 0, verb
    assert course("manifest").returncode == 0
    assert "invalid choice: 'demo'" in course("demo").stderr
