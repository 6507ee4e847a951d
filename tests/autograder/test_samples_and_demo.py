"""``course samples`` writes what it promises, and ``course demo`` grades those samples as expected."""

import tempfile

import pytest

from autograder.authoring.cli import main
from autograder.authoring.demo import run_demo
from autograder.authoring.samples import (IGNORE, PARTIAL_DONE, SAMPLE_MISTAKES, STUBS_DIR, SamplesError,
                                          sample_names, write_samples)
from autograder.grading import mistakes
from autograder.runtime.manifest import load_manifest


def _files(root):
    """{relative path: bytes} of a tree, without what a submission copy leaves out (Markdown, caches)."""
    ignored = IGNORE(None, [path.name for path in root.rglob("*")])
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*"))
            if path.is_file() and not (set(path.relative_to(root).parts) & ignored)}


def _differing(left, right):
    return sorted(name for name in set(left) | set(right) if left.get(name) != right.get(name))


def test_samples_are_what_course_samples_promises(sample_submissions):
    assert sorted(path.name for path in sample_submissions.iterdir()) == sorted(sample_names())
    reference, stubs = _files(mistakes.SOLUTIONS_DIR), _files(STUBS_DIR)
    assert reference and stubs and reference != stubs
    complete = _files(sample_submissions / "complete" / "assignments")
    assert complete == reference
    assert _files(sample_submissions / "empty" / "assignments") == stubs
    packages = [assignment.package for assignment in load_manifest().assignments]
    done = tuple(f"{package}/" for package in packages[:PARTIAL_DONE])
    partial = _files(sample_submissions / "partial" / "assignments")
    assert partial == {name: (reference if name.startswith(done) else stubs)[name] for name in stubs}
    by_id = {mistake.id: mistake for mistake in mistakes.CATALOGUE}
    for mistake_id in SAMPLE_MISTAKES:
        mutant = _files(sample_submissions / f"mistake_{mistake_id}" / "assignments")
        mistake = by_id[mistake_id]
        assert _differing(mutant, complete) == [mistake.file], mistake_id
        assert mutant[mistake.file] == mistakes.apply(mistake).encode("utf-8")


def test_samples_refuse_a_directory_that_is_not_empty(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(SamplesError, match="not an empty directory"):
        write_samples(tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]


def test_samples_cli_writes_into_out(tmp_path, capsys):
    assert main(["samples", "--out", str(tmp_path / "samples")]) == 0
    assert sorted(path.name for path in (tmp_path / "samples").iterdir()) == sorted(sample_names())
    assert main(["samples", "--out", str(tmp_path / "samples")]) == 1
    assert "not an empty directory" in capsys.readouterr().err


def test_demo_scores_the_samples_as_designed_and_removes_its_directory(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    lines = []
    results = {report.student: report for report in run_demo(out=lines.append, seed=99)}
    assert sorted(results) == sorted(sample_names())
    assert results["complete"].points == results["complete"].max_points
    assert results["empty"].points == 0
    partial = results["partial"].by_assignment()
    assert partial["a1"][0] == partial["a1"][1] and partial["a2"][0] == partial["a2"][1]
    assert partial["a3"][0] == 0 and partial["a4"][0] == 0
    for name, report in results.items():
        if name.startswith("mistake_"):
            assert 0 < report.points < report.max_points, name
    text = "\n".join(lines)
    total = sum(task.points for task in load_manifest().tasks)
    assert "submission" in text and "total" in text and f"{total:g}/{total:g}" in text
    assert not list(tmp_path.glob("rnn-demo-*"))
