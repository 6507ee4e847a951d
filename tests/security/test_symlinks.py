"""Symbolic links in a submission are never followed: not to the reference, not to a secret outside.

Attacks (each graded in a batch beside a complete reference, which must score as alone):
- the A3 modules, or the whole ``a3_lstm`` directory, as links (absolute, relative) to ``solutions/a3_lstm``:
  following them would grade the reference as the student's A3 (full marks from nothing);
- the whole ``assignments`` package as a link to ``solutions``;
- a zip whose A3 members are symbolic links (``external_attr`` S_IFLNK);
- a link to a secret file outside the submission, read by the student's code and raised as an exception,
  so that its content would come back in the report;
- a named pipe (a special file) in the package.
Links and special files are skipped, each with a note naming its path relative to the submission.
"""

import os
import secrets
import shutil

import pytest

from autograder.grading import reports
from autograder.grading.grade import SubmissionError, open_submission
from autograder.runtime.manifest import load_manifest

from .submissions import (SOLUTIONS, absolute_link, everything_said, grade_beside_companion, insert_in_body,
                          points, relative_link, stubs_with_reference, tasks_where, zip_tree)

A3_FILES = sorted(path.name for path in (SOLUTIONS / "a3_lstm").glob("*.py"))
ASSIGNMENTS = ["a3", "a4"]


def files_linked(tmp_path, link):
    root = stubs_with_reference(tmp_path / "alice", ["a4_gru"])
    for name in A3_FILES:
        (root / "assignments" / "a3_lstm" / name).unlink()
        link(root / "assignments" / "a3_lstm" / name, SOLUTIONS / "a3_lstm" / name)
    return root, [f"assignments/a3_lstm/{name}" for name in A3_FILES]


def directory_linked(tmp_path, link):
    root = stubs_with_reference(tmp_path / "alice", ["a4_gru"])
    shutil.rmtree(root / "assignments" / "a3_lstm")
    link(root / "assignments" / "a3_lstm", SOLUTIONS / "a3_lstm")
    return root, ["assignments/a3_lstm"]


def zip_with_link_members(tmp_path, _link):
    root = stubs_with_reference(tmp_path / "alice-repo", ["a4_gru"])
    names = [f"assignments/a3_lstm/{name}" for name in A3_FILES]
    for name in names:
        (root / name).unlink()
    archive = zip_tree(root, tmp_path / "alice.zip",
                       symlink_members={name: SOLUTIONS / "a3_lstm" / name.split("/")[-1] for name in names})
    return archive, names


ATTACKS = {
    "module files, absolute links": (files_linked, absolute_link),
    "module files, relative links": (files_linked, relative_link),
    "assignment directory, absolute link": (directory_linked, absolute_link),
    "assignment directory, relative link": (directory_linked, relative_link),
    "zip with symbolic-link members": (zip_with_link_members, None),
}


@pytest.mark.parametrize("name", ATTACKS)
def test_links_to_the_reference_are_not_graded(tmp_path, name):
    build, link = ATTACKS[name]
    submission, links = build(tmp_path, link)
    [report], _ = grade_beside_companion([submission], tmp_path, ASSIGNMENTS)
    assert report.points == points(["a4"]), name  # A3 scores nothing: the links were not followed
    assert all(task.points == 0 for task in report.tasks if task.assignment_id == "a3")
    notes = "\n".join(map(reports.render, report.notes))
    for path in links:
        assert path in notes, (name, report.notes)
    assert str(SOLUTIONS) not in notes and str(tmp_path) not in notes  # no grader paths in messages


@pytest.mark.parametrize("link", [absolute_link, relative_link])
def test_the_package_itself_as_a_link_is_no_package(tmp_path, link):
    root = tmp_path / "alice"
    root.mkdir()
    link(root / "assignments", SOLUTIONS)
    with pytest.raises(SubmissionError) as error:
        with open_submission(root):
            pass
    assert "assignments" in str(error.value) and str(tmp_path) not in str(error.value)
    [report], _ = grade_beside_companion([root], tmp_path, ASSIGNMENTS)
    assert report.points == 0


def test_special_files_are_left_out(tmp_path):
    """A named pipe in the package would block a reader forever: it is skipped, with a note."""
    root = stubs_with_reference(tmp_path / "alice", ["a4_gru"])
    os.mkfifo(root / "assignments" / "a4_gru" / "pipe.py")
    [report], _ = grade_beside_companion([root], tmp_path, ["a4"])
    assert report.points == points(["a4"])
    assert any("assignments/a4_gru/pipe.py" in note for note in map(reports.render, report.notes)), report.notes


def read_secret(name):
    """A line that reads ``name`` (next to the module) and raises its content: the leak, if it were copied."""
    return ("    import os as _os\n"
            f"    raise ValueError(open(_os.path.join(_os.path.dirname(__file__), {name!r})).read())\n")


def secret_via_file_link(root, secret, link):
    link(root / "assignments" / "a1_vanilla_rnn" / "notes.txt", secret)
    return read_secret("notes.txt")


def secret_via_directory_link(root, secret, link):
    link(root / "assignments" / "a1_vanilla_rnn" / "data", secret.parent)
    return read_secret(f"data/{secret.name}")


def secret_via_module_link(root, secret, link):
    module = secret.with_name("secret_settings.py")
    module.write_text(f"SECRET = {secret.read_text()!r}\n")
    link(root / "assignments" / "a1_vanilla_rnn" / "leak.py", module)
    return "    from .leak import SECRET\n    raise ValueError(SECRET)\n"


@pytest.mark.parametrize("route", [secret_via_file_link, secret_via_directory_link, secret_via_module_link])
@pytest.mark.parametrize("link", [absolute_link, relative_link])
def test_a_secret_outside_the_submission_never_reaches_a_report(tmp_path, route, link):
    secret = tmp_path / "instructor" / "secret.txt"
    secret.parent.mkdir()
    token = f"SECRET-{secrets.token_hex(8)}"
    secret.write_text(token)
    root = stubs_with_reference(tmp_path / "mallory", ["a1_vanilla_rnn"])
    [leaky] = tasks_where(lambda task: task.function == "stacked_rnn_backward")
    insert_in_body(root, leaky, route(root, secret, link))
    [report], _ = grade_beside_companion([root], tmp_path, ["a1"])
    assert token not in everything_said(report)
    assert report.points == points(["a1"], without=[leaky.id])


def test_a_zip_link_member_to_a_secret_is_not_extracted(tmp_path):
    secret = tmp_path / "instructor" / "secret.txt"
    secret.parent.mkdir()
    token = f"SECRET-{secrets.token_hex(8)}"
    secret.write_text(token)
    root = stubs_with_reference(tmp_path / "mallory-repo", ["a1_vanilla_rnn"])
    [leaky] = tasks_where(lambda task: task.function == "stacked_rnn_backward")
    insert_in_body(root, leaky, read_secret("notes.txt"))
    member = "assignments/a1_vanilla_rnn/notes.txt"
    archive = zip_tree(root, tmp_path / "mallory.zip", symlink_members={member: secret})
    [report], _ = grade_beside_companion([archive], tmp_path, ["a1"])
    said = everything_said(report)
    assert token not in said and str(secret) not in said  # neither the content nor the target's path
    assert report.points == points(["a1"], without=[leaky.id])
    assert any(member in note for note in map(reports.render, report.notes))


def test_the_leaky_task_is_called_by_no_other_task():
    """The exact scores above take only Task stacked_rnn_backward off: no other reference code calls it."""
    callers = [path.name for path in SOLUTIONS.rglob("*.py") if "stacked_rnn_backward" in path.read_text()]
    assert callers == ["stacked_rnn.py"]
    assert [t.file for t in load_manifest().tasks if t.function == "stacked_rnn_backward"] == ["stacked_rnn.py"]
