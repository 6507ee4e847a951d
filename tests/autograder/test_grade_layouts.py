"""course grade understands nbgrader's submitted/<student>/<package>/ layout (student names from the path)."""

import json
import shutil

import pytest

from autograder.authoring.cli import main
from autograder.grading.grade import grade_submission


@pytest.fixture
def submitted(tmp_path, sample_submissions):
    """submitted/alice/{a1_vanilla_rnn,a3_lstm}/ and submitted/bob/a3_lstm/, as nbgrader collects them."""
    layout = {("alice", "a1_vanilla_rnn"): "complete", ("alice", "a3_lstm"): "partial",
              ("bob", "a3_lstm"): "mistake_lstm_gate_order_cs231n"}
    for (student, package), sample in layout.items():
        shutil.copytree(sample_submissions / sample / "assignments",
                        tmp_path / "submitted" / student / package / "assignments")
    return tmp_path / "submitted"


def _grade(argv, capsys):
    main(["grade", *map(str, argv), "--format", "json", "--seed", "3"])
    return {report["id"]: report for report in json.loads(capsys.readouterr().out)}


def test_student_folders_are_graded_on_the_chosen_assignments_folder(submitted, sample_submissions, capsys):
    reports = _grade([submitted / "alice", submitted / "bob", "--assignment", "a3"], capsys)
    assert set(reports) == {"alice", "bob"}
    for student, sample in (("alice", "partial"), ("bob", "mistake_lstm_gate_order_cs231n")):
        expected = grade_submission(sample_submissions / sample, assignment_ids=["a3"], seed=3)
        assert reports[student]["points"] == expected.points < expected.max_points
        assert reports[student]["graded"].startswith("a3_lstm/assignments")


def test_assignment_folders_are_named_after_their_students(submitted, capsys):
    reports = _grade([submitted / "alice" / "a3_lstm", submitted / "bob" / "a3_lstm", "--assignment", "a3"], capsys)
    assert set(reports) == {"alice", "bob"}


def test_a_student_folder_with_several_assignments_needs_one_chosen(submitted, capsys):
    assert main(["grade", str(submitted / "alice"), "--format", "json"]) != 0
    assert "choose one assignment with --assignment" in capsys.readouterr().err
    assert main(["grade", str(submitted / "alice" / "a1_vanilla_rnn"), "--assignment", "a3"]) != 0
    assert "is the folder of assignment a1, not of a3" in capsys.readouterr().err
