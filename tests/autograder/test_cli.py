"""``course`` (autograder/authoring/cli.py): options every verb honours, and errors as one line.

- ``--manifest`` is read by every verb that needs the course (check, demo, bundle and gradescope included);
  ``grade --bundle`` refuses it, since the bundle grades with the course.yml packed in it.
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
