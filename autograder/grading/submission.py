"""Submission intake: a directory or a zip becomes one link-free copy of the student's ``assignments`` package.

:func:`open_submission` is the only way student files reach the grader. It

- finds exactly one package (a directory ``assignments`` holding a regular ``__init__.py``) anywhere in the
  submission, never through a symbolic link; none or several is a :class:`SubmissionError` naming every
  candidate (a stale ``old/assignments`` beside the real one is never chosen silently);
- copies only that package into a fresh temporary directory, regular files and directories only:
  symbolic links (to the reference, to a secret outside) and special files are left out, each with a note
  for the report; a directory is walked with ``os.fwalk`` and files are opened with ``O_NOFOLLOW``, so a
  link swapped in during the copy is not followed either;
- extracts zips member by member with caps on the member count, the size of one member and the total size,
  counting the bytes actually decompressed (headers are not trusted); absolute names and ``..`` are
  refused, members whose ``external_attr`` says symbolic link or special file are left out with a note.

Messages name paths relative to the submission (``alice.zip/repo/assignments``), never the grader's own.
"""

import errno
import os
import shutil
import stat
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..runtime.messages import t
from ..runtime.problems import problem

STUDENT_PACKAGE = "assignments"
IGNORED_DIRS = ("__pycache__",)
IGNORED_SUFFIXES = (".pyc",)
CHUNK = 1024**2


class SubmissionError(ValueError):
    """A submission cannot be graded at all (not found, no or several packages, unsafe or oversized).

    ``problem`` says why (a Problem: message code and fields); ``notes`` are Problems that explain it further
    (links left out that were named like the package). The text form is for the instructor's log.
    """

    def __init__(self, found, notes=()):
        self.problem, self.notes = found, tuple(notes)
        super().__init__("; ".join(t(item.code, **item.fields) for item in (found, *self.notes)))


@dataclass(frozen=True)
class IntakeLimits:
    """Caps on what one submission may make the grader write (the graded package only)."""
    max_total_bytes: int = 64 * 1024**2
    max_member_bytes: int = 16 * 1024**2
    max_members: int = 5000  # files in the package; members of a zip (all of them)
    max_scanned_entries: int = 200_000  # entries of a directory submission searched for the package


@dataclass(frozen=True)
class Intake:
    """What the grader grades: ``package_dir`` is a private link-free copy named ``assignments``."""
    student: str
    package_dir: Path
    graded: str  # the package's path inside the submission, for the report: "alice/repo/assignments"
    notes: tuple  # what was left out (links, special files), one message each


def student_name(path):
    """The student's name for a submission path: the directory's name, or the zip's without ``.zip``."""
    path = Path(path).absolute()
    return path.stem if path.suffix.lower() == ".zip" and not path.is_dir() else path.name


@contextmanager
def open_submission(path, limits=IntakeLimits()):
    """Yield an :class:`Intake` for a directory or zip; the private copy is removed afterwards.

    Inputs:
    - path: a submission directory or a ``.zip`` file
    - limits: IntakeLimits

    Raises SubmissionError when the submission cannot be graded at all.
    """
    path = Path(path)
    shown = Path(path).absolute().name
    if not path.exists():
        raise SubmissionError(problem("grade.not_found", path=shown))
    if not path.is_dir() and not (path.is_file() and zipfile.is_zipfile(path)):
        raise SubmissionError(problem("grade.not_zip", path=shown))
    tmp = Path(tempfile.mkdtemp(prefix="rnn-submission-"))
    try:
        destination = tmp / STUDENT_PACKAGE
        if path.is_dir():  # the path given may be a link (the instructor's); nothing inside it is followed
            graded, notes = _from_directory(path.resolve(), shown, destination, limits)
        else:
            from .submission_zip import from_zip  # (imports this module)

            graded, notes = from_zip(path, shown, destination, limits)
        yield Intake(student_name(path), destination, f"{shown}/{graded}", tuple(notes))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def batch_ids(paths):
    """A report ID per submission, unique in the batch: the student's name, or when names collide the
    shortest tail of the path that tells them apart (``a/alice``, ``b/alice``, ``alice.zip``), else ``name (k)``."""
    names = [student_name(path) for path in paths]
    parts = [Path(path).absolute().parts for path in paths]
    ids = list(names)
    for name in set(names):
        group = [i for i, other in enumerate(names) if other == name]
        if len(group) == 1:
            continue
        for depth in range(1, max(len(parts[i]) for i in group) + 1):
            tails = ["/".join(parts[i][-depth:]) for i in group]
            if len(set(tails)) == len(tails):
                for i, tail in zip(group, tails):
                    ids[i] = tail
                break
    seen = {}
    for i, report_id in enumerate(ids):  # the same path twice, or a tail equal to another student's name
        seen[report_id] = seen.get(report_id, 0) + 1
        if seen[report_id] > 1:
            ids[i] = f"{report_id} ({seen[report_id]})"
    return ids


def choose(candidates, links, shown):
    """The one package among ``candidates`` (relative POSIX paths); links named like it only explain."""
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise SubmissionError(problem("grade.no_package", path=shown, package=STUDENT_PACKAGE),
                              [problem("intake.skipped_link", path=f"{shown}/{link}") for link in links])
    listed = ", ".join(f"{shown}/{candidate}" for candidate in sorted(candidates))
    raise SubmissionError(problem("intake.several_packages", path=shown, count=len(candidates), package=STUDENT_PACKAGE,
                            candidates=listed))


# directories ---------------------------------------------------------------------------------------------
def _lstat(name, dir_fd):
    try:
        return os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def _find_in_directory(root, shown, limits):
    """Relative paths of the packages in a directory tree, and of links named like the package."""
    candidates, links, scanned = [], [], 0
    for dirpath, dirnames, filenames, dirfd in os.fwalk(root, follow_symlinks=False):
        scanned += len(dirnames) + len(filenames)
        if scanned > limits.max_scanned_entries:
            raise SubmissionError(problem("intake.too_many_files", path=shown, limit=limits.max_scanned_entries))
        relative = PurePosixPath(Path(dirpath).relative_to(root).as_posix())
        for name in list(dirnames):
            info = _lstat(name, dirfd)
            if info is None or not stat.S_ISDIR(info.st_mode):
                dirnames.remove(name)  # a link to a directory: never descended
                if name == STUDENT_PACKAGE:
                    links.append((relative / name).as_posix())
            elif name == STUDENT_PACKAGE:
                init = _lstat(f"{name}/__init__.py", dirfd)
                if init is not None and stat.S_ISREG(init.st_mode):
                    candidates.append((relative / name).as_posix())
                    dirnames.remove(name)  # what lies inside the package is part of it
        for name in filenames:
            if name == STUDENT_PACKAGE:
                links.append((relative / name).as_posix())
    return [c.removeprefix("./") for c in candidates], [link.removeprefix("./") for link in links]


def _from_directory(root, shown, destination, limits):
    candidates, links = _find_in_directory(root, shown, limits)
    chosen = choose(candidates, links, shown)
    source = Path(root) / chosen
    budget = Budget(shown, limits)
    notes = []
    destination.mkdir()
    for dirpath, dirnames, filenames, dirfd in os.fwalk(source, follow_symlinks=False):
        inside = Path(dirpath).relative_to(source)
        for name in sorted(dirnames + filenames):
            member = PurePosixPath(chosen) / inside.as_posix() / name
            shown_member = f"{shown}/{member.as_posix()}"
            info = _lstat(name, dirfd)
            if info is None:
                continue
            if stat.S_ISLNK(info.st_mode):
                notes.append(problem("intake.skipped_link", path=shown_member))
            elif stat.S_ISDIR(info.st_mode):
                if name not in IGNORED_DIRS:
                    (destination / inside / name).mkdir()
            elif stat.S_ISREG(info.st_mode):
                if not name.endswith(IGNORED_SUFFIXES):
                    budget.count(shown_member)
                    _copy_regular_file(name, dirfd, destination / inside / name, budget, shown_member, notes)
            else:
                notes.append(problem("intake.skipped_special", path=shown_member))
        dirnames[:] = [name for name in dirnames if name not in IGNORED_DIRS and (destination / inside / name).is_dir()]
    return chosen, notes


def _copy_regular_file(name, dirfd, target, budget, shown_member, notes):
    """Copy one file opened without following links, with the byte caps (the file may grow while read)."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dirfd)
    except FileNotFoundError:  # removed since the walk
        return
    except OSError as error:
        if error.errno == errno.ELOOP:  # swapped for a link since the walk
            notes.append(problem("intake.skipped_link", path=shown_member))
            return
        raise SubmissionError(problem("intake.unreadable", path=shown_member, error=error.strerror)) from None
    with os.fdopen(fd, "rb") as source:
        if not stat.S_ISREG(os.fstat(source.fileno()).st_mode):
            notes.append(problem("intake.skipped_special", path=shown_member))
            return
        with open(target, "xb") as out:
            budget.copy(source, out, shown_member)


class Budget:
    """Counts files and bytes actually written, and refuses the submission past a cap."""

    def __init__(self, shown, limits):
        self.shown, self.limits, self.files, self.total = shown, limits, 0, 0

    def count(self, shown_member):
        self.files += 1
        if self.files > self.limits.max_members:
            raise SubmissionError(problem("intake.too_many_files", path=self.shown, limit=self.limits.max_members))

    def copy(self, source, out, shown_member):
        written = 0
        while True:
            chunk = source.read(CHUNK)
            if not chunk:
                return
            written += len(chunk)
            self.total += len(chunk)
            if written > self.limits.max_member_bytes:
                raise SubmissionError(problem("intake.file_too_large", path=self.shown, member=shown_member,
                                        mib=self.limits.max_member_bytes // CHUNK))
            if self.total > self.limits.max_total_bytes:
                raise SubmissionError(problem("intake.too_large", path=self.shown, mib=self.limits.max_total_bytes // CHUNK))
            out.write(chunk)


# nbgrader's layout -----------------------------------------------------------------------------------------
class LayoutError(ValueError):
    """A path in nbgrader's layout that does not say which assignment to grade."""


def nbgrader_submission(path, packages, wanted=None):
    """Where nbgrader keeps a student's submission of an assignment, and the student's name.

    nbgrader collects into ``submitted/<student>/<package>/`` (the package of course.yml: ``a3_lstm``).

    Inputs:
    - path: a path given to ``course grade``: ``submitted/alice`` or ``submitted/alice/a3_lstm`` (or any other
      submission, returned unchanged)
    - packages: {package: assignment id} of the course
    - wanted: the assignment ids chosen with ``--assignment`` (None: all)

    Returns:
    - (student name or None, folder to grade): ``("alice", submitted/alice/a3_lstm)``; (None, path) when the
      path is not in nbgrader's layout. Raises LayoutError when a student folder holds several assignments
      and ``wanted`` does not pick exactly one of them, or when the path is another assignment's folder.
    """
    path = Path(path)
    if not path.is_dir():
        return None, path
    if path.name in packages and not (path / "__init__.py").exists():
        if wanted and packages[path.name] not in wanted:
            raise LayoutError(f"{path} is the folder of assignment {packages[path.name]}, not of "
                              f"{', '.join(wanted)}")
        return path.parent.name, path
    held = sorted(child.name for child in path.iterdir() if child.name in packages and child.is_dir()
                  and not child.is_symlink())
    if not held or (path / STUDENT_PACKAGE).is_dir():
        return None, path
    chosen = [package for package in held if not wanted or packages[package] in wanted]
    if len(chosen) != 1:
        raise LayoutError(f"{path} holds the nbgrader submissions {', '.join(held)}: choose one assignment "
                          f"with --assignment (one of {', '.join(packages[p] for p in held)})")
    return path.name, path / chosen[0]
