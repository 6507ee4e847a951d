"""One submission, one graded package, named in the report; one report per submission, never overwritten.

- two ``assignments/`` packages (a stale copy beside the real one) are an error naming both, never a silent
  choice of the alphabetically first;
- the report says which package was graded;
- submissions with the same base name (``a/alice``, ``b/alice``, ``alice.zip`` beside ``alice/``) get distinct
  report IDs, and ``course grade --feedback-dir`` writes one file for each.
"""

import json
import shutil

import pytest

from autograder.authoring.cli import main as course
from autograder.authoring.samples import STUBS_DIR
from autograder.grading import reports
from autograder.grading.grade import SubmissionError, grade_many, open_submission
from autograder.runtime.messages import LANG_ENV, t

from .submissions import (FAST, SEED, grade_alone, grade_beside_companion, points, reference, stubs_with_reference,
                          tasks_where, zip_tree)

ASSIGNMENTS = ["a4"]


def two_packages(tmp_path, as_zip):
    root = stubs_with_reference(tmp_path / "alice" / "repo", ["a4_gru"])
    stubs_with_reference(root / "old")  # a stale copy of the stubs beside the real package
    if not as_zip:
        return tmp_path / "alice", "alice/repo/assignments", "alice/repo/old/assignments"
    archive = zip_tree(tmp_path / "alice", tmp_path / "alice.zip")
    return archive, "alice.zip/repo/assignments", "alice.zip/repo/old/assignments"


@pytest.mark.parametrize("as_zip", [False, True], ids=["directory", "zip"])
def test_two_packages_are_an_error_naming_both(tmp_path, as_zip):
    submission, real, stale = two_packages(tmp_path, as_zip)
    with pytest.raises(SubmissionError) as error:
        with open_submission(submission):
            pass
    message = str(error.value)
    assert real in message and stale in message and str(tmp_path) not in message
    [report], _ = grade_beside_companion([submission], tmp_path, ASSIGNMENTS)
    assert report.points == 0
    assert real in reports.task_messages(report.tasks[0])[0] and stale in reports.task_messages(report.tasks[0])[0]


def test_a_folder_named_assignments_without_init_is_not_a_package(tmp_path):
    root = stubs_with_reference(tmp_path / "alice" / "repo", ["a4_gru"])
    (root / "docs" / "assignments").mkdir(parents=True)
    (root / "docs" / "assignments" / "README.md").write_text("notes\n")
    [report], _ = grade_beside_companion([tmp_path / "alice"], tmp_path, ASSIGNMENTS)
    assert report.points == points(ASSIGNMENTS)
    assert report.graded == "alice/repo/assignments"


@pytest.mark.parametrize("as_zip", [False, True], ids=["directory", "zip"])
def test_the_report_names_the_graded_package(tmp_path, as_zip):
    stubs_with_reference(tmp_path / "alice" / "alice-rnn-course", ["a4_gru"])
    submission = zip_tree(tmp_path / "alice", tmp_path / "alice.zip") if as_zip else tmp_path / "alice"
    graded = f"{submission.name}/alice-rnn-course/assignments"
    [report], _ = grade_beside_companion([submission], tmp_path, ASSIGNMENTS)
    assert report.points == points(ASSIGNMENTS)
    assert report.graded == graded
    assert f"graded: {graded}" in reports.text(report).splitlines()[0]
    assert json.loads(reports.to_json([report]))[0]["graded"] == graded


def same_base_names(tmp_path):
    """Four submissions called alice: two directories in two sections, a zip and a directory side by side."""
    gru_tasks = tasks_where(lambda task: task.file == "gru.py" and task.assignment_id == "a4")
    section_a = reference(tmp_path / "class" / "a" / "alice")
    section_b = stubs_with_reference(tmp_path / "class" / "b" / "alice")
    zipped = zip_tree(reference(tmp_path / "unzipped"), tmp_path / "class" / "c" / "alice.zip")
    half = stubs_with_reference(tmp_path / "class" / "c" / "alice", ["a4_gru"])
    shutil.copyfile(STUBS_DIR / "a4_gru" / "gru.py", half / "assignments" / "a4_gru" / "gru.py")
    expected = [points(ASSIGNMENTS), 0, points(ASSIGNMENTS), points(ASSIGNMENTS, without=[t.id for t in gru_tasks])]
    return [section_a, section_b, zipped, half], expected


def test_same_base_names_get_distinct_reports(tmp_path):
    paths, expected = same_base_names(tmp_path)
    batch, _ = grade_beside_companion(paths, tmp_path, ASSIGNMENTS)
    assert [report.points for report in batch] == expected
    for path, report in zip(paths, batch):
        assert report.student == "alice"
        assert [t.points for t in report.tasks] == [t.points for t in grade_alone(path, ASSIGNMENTS).tasks]
    ids = [report.id for report in batch]
    assert len(set(ids)) == len(ids), ids
    headers = [reports.text(report).splitlines()[0] for report in batch]
    assert len(set(headers)) == len(headers)
    assert len({row.split(",")[0] for row in reports.csv_rows(batch).splitlines()[1:]}) == len(batch)
    assert [entry["id"] for entry in json.loads(reports.to_json(batch))] == ids


def test_markdown_feedback_files_are_never_overwritten(tmp_path, monkeypatch):
    monkeypatch.setenv(LANG_ENV, "en")  # the CLI sets it from course.yml; restored after the test
    paths, expected = same_base_names(tmp_path)
    out = tmp_path / "feedback"
    code = course(["grade", *map(str, paths), "--assignment", "a4", "--seed", str(SEED), "--jobs", "1",
                   "--feedback-dir", str(out)])
    assert code == 0
    files = sorted(out.iterdir())
    assert len(files) == len(paths), files
    totals = sorted(next(line for line in path.read_text().splitlines() if line.startswith("**")) for path in files)
    max_points = points(ASSIGNMENTS)
    assert totals == sorted(t("report.feedback_points", points=f"{got:g}", max_points=f"{max_points:g}", seed=SEED)
                            for got in expected)


def test_grade_many_keeps_the_order_and_ids_of_a_batch_with_one_name(tmp_path):
    paths, expected = same_base_names(tmp_path)
    batch = grade_many(paths, assignment_ids=ASSIGNMENTS, seed=SEED, jobs=2, limits=FAST)
    assert [report.points for report in batch] == expected
    assert len({report.id for report in batch}) == len(paths)
