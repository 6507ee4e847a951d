"""Small submissions for the adversarial suite, built in tmp_path from the stubs or the reference bodies.

Every attack is graded in a batch next to a companion (the complete reference);
:func:`grade_beside_companion` returns both reports and checks that the companion
scores exactly as when it is graded alone with the same seed, so an attack can
never change another student's grade.
"""

import json
import os
import shutil
import zipfile
from pathlib import Path

from autograder.authoring.samples import IGNORE, STUBS_DIR, copy_as_submission
from autograder.grading import mistakes, reports
from autograder.grading.grade import grade_many, grade_submission
from autograder.grading.sandbox import Limits
from autograder.runtime.manifest import REPO_ROOT, load_manifest  # noqa: F401 (REPO_ROOT: for the tests)

SOLUTIONS = mistakes.SOLUTIONS_DIR
FAST = Limits(cpu_seconds=20, wall_seconds_per_request=5)
SEED = 4242


def stubs_with_reference(root, packages=()):
    """``root/assignments``: the released stubs, with the named packages replaced by the reference bodies."""
    copy_as_submission(STUBS_DIR, root)
    for package in packages:
        shutil.rmtree(root / "assignments" / package)
        shutil.copytree(SOLUTIONS / package, root / "assignments" / package, ignore=IGNORE)
    return root


def reference(root):
    """``root/assignments``: the complete reference (full marks)."""
    copy_as_submission(SOLUTIONS, root)
    return root


def edit(root, file, old, new):
    """Replace the one occurrence of ``old`` in ``root/assignments/<file>``."""
    path = root / "assignments" / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (file, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def insert_in_body(root, task, line):
    """Insert ``line`` as the first statement of the reference body of ``task``'s function."""
    path = root / "assignments" / task.package / task.file
    text = path.read_text(encoding="utf-8")
    marker = "    # BEGIN SOLUTION\n"
    anchor = text.index(marker, text.index(f"def {task.function}(")) + len(marker)
    path.write_text(text[:anchor] + line + text[anchor:], encoding="utf-8")


def zip_tree(root, archive, symlink_members=None):
    """Zip every regular file under ``root`` (names relative to root); ``symlink_members``: {name: target}
    are added as symbolic links (``external_attr`` S_IFLNK), as ``zip --symlinks`` stores them."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                zf.write(path, path.relative_to(root).as_posix())
        for name, target in (symlink_members or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o120777 << 16)
            zf.writestr(info, str(target))
    return archive


def relative_link(link, target):
    """Make ``link`` a relative symbolic link to ``target``."""
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(os.path.relpath(target, link.parent), link)


def absolute_link(link, target):
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(Path(target).resolve(), link)


def points(assignment_ids=None, without=()):
    """The manifest's points of the assignments (all when None), minus the tasks in ``without``."""
    manifest = load_manifest()
    return sum(task.points for task in manifest.tasks
               if (not assignment_ids or task.assignment_id in assignment_ids) and task.id not in without)


def tasks_where(predicate):
    return [task for task in load_manifest().tasks if predicate(task)]


def grade_alone(path, assignment_ids, seed=SEED):
    return grade_submission(path, assignment_ids=assignment_ids, seed=seed, limits=FAST)


def grade_beside_companion(attack_paths, tmp_path, assignment_ids, seed=SEED):
    """Grade ``attack_paths`` then a complete reference in one batch; returns (attack reports, companion report).

    Asserts that the companion scores exactly as alone with the same seed (and full marks).
    """
    companion = reference(tmp_path / "companion")
    batch = grade_many([*attack_paths, companion], assignment_ids=assignment_ids, seed=seed, jobs=1, limits=FAST)
    alone = grade_alone(companion, assignment_ids, seed)
    together = batch[-1]
    assert [(t.task_id, t.points) for t in together.tasks] == [(t.task_id, t.points) for t in alone.tasks]
    assert together.points == alone.points == points(assignment_ids)
    return batch[:-1], together


def everything_said(report):
    """Every rendering of a report a student or instructor may see (text, JSON, Markdown, Gradescope)."""
    return "\n".join([reports.text(report), reports.to_json([report]), reports.markdown(report),
                      json.dumps(reports.gradescope(report)), reports.csv_rows([report]),
                      json.dumps(reports.classroom(report))])

