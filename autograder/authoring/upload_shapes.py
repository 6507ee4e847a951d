"""Any reasonable upload becomes a gradable ``assignments/`` package (Gradescope: ``course grade --any-upload``).

Students upload what they have: the repository, a zip of it (left packed), the ``assignments/`` folder,
its contents (``a1_vanilla_rnn/``, ``common/``...), or single module files (``rnn.py``, ``lstm.py``,
even renamed). :func:`normalize_upload` looks, in this order, for

1. exactly one ``assignments`` package (the normal case): graded as it is;
2. otherwise one ``.zip`` at the top of the upload: unpacked (safely: no links, no absolute or ``..``
   names, size caps) and looked at again;
3. otherwise every ``.py`` file of the upload, placed into a fresh copy of the course's stubs: a file
   under a folder named like a course package keeps its place (``a1_vanilla_rnn/rnn.py``); any other
   file goes to the course module whose task functions it defines (read with ``ast``, never imported),
   the module defining most of them; a module that nothing matched keeps its stub (its tasks count as
   not implemented).

It returns the directory to grade and one line per decision, for the report's first lines. Only
regular files are read (``O_NOFOLLOW``); the intake of ``course grade`` then checks the result again.
"""

import ast
import os
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..grading.submission import IntakeLimits
from ..runtime.manifest import REPO_ROOT
from .solution_markers import strip_solutions

SOLUTIONS_DIR = REPO_ROOT / "solutions"  # in a grader bundle: the bundle's solutions/

PACKAGE = "assignments"
SKIPPED_DIRS = {"__pycache__", ".git", ".github", "tests", ".venv", "venv", "node_modules", "__MACOSX"}


class UploadError(ValueError):
    """The upload cannot be read at all (an unsafe or oversized zip)."""


@dataclass
class Normalized:
    path: Path  # what to grade (a directory holding ``assignments/``, or the upload itself)
    lines: list = field(default_factory=list)  # what was found where, for the report


def _regular_files(root, limits):
    """Relative POSIX paths of the regular files under ``root``, links and special files left out."""
    found, scanned = [], 0
    for dirpath, dirnames, filenames, dirfd in os.fwalk(root, follow_symlinks=False):
        scanned += len(dirnames) + len(filenames)
        if scanned > limits.max_scanned_entries:
            raise UploadError(f"the upload has more than {limits.max_scanned_entries} files")
        dirnames[:] = [d for d in dirnames if d not in SKIPPED_DIRS and not d.startswith(".")
                       and stat.S_ISDIR(os.stat(d, dir_fd=dirfd, follow_symlinks=False).st_mode)]
        relative = PurePosixPath(Path(dirpath).relative_to(root).as_posix())
        for name in filenames:
            if stat.S_ISREG(os.stat(name, dir_fd=dirfd, follow_symlinks=False).st_mode):
                found.append((relative / name).as_posix().removeprefix("./"))
    return sorted(found)


def _has_package(root, files):
    return [f.removesuffix("/__init__.py") for f in files
            if f == f"{PACKAGE}/__init__.py" or f.endswith(f"/{PACKAGE}/__init__.py")]


def _read(root, relative, limits):
    fd = os.open(Path(root) / relative, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limits.max_member_bytes + 1)
    if len(data) > limits.max_member_bytes:
        raise UploadError(f"{relative} is larger than {limits.max_member_bytes // 1024**2} MiB")
    return data


def _unzip(archive_path, destination, limits):
    """Extract a zip safely (regular files only, no absolute or '..' names, caps on count and bytes)."""
    total = 0
    with zipfile.ZipFile(archive_path) as archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise UploadError(f"the zip has more than {limits.max_members} members")
        for info in members:
            name = PurePosixPath(info.filename)
            if name.is_absolute() or ".." in name.parts:
                raise UploadError(f"the zip member {info.filename!r} points outside the zip")
            mode = info.external_attr >> 16
            if info.is_dir() or (mode and not stat.S_ISREG(mode)):
                continue  # directories are made below; links and special files are left out
            target = destination.joinpath(*name.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, open(target, "xb") as out:
                while chunk := source.read(1024**2):
                    total += len(chunk)
                    if total > limits.max_total_bytes or out.tell() + len(chunk) > limits.max_member_bytes:
                        raise UploadError(f"the zip unpacks to more than {limits.max_total_bytes // 1024**2} MiB")
                    out.write(chunk)


def defined_functions(source):
    """Top-level function names of a Python file's text (empty when it does not parse)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    return {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _course_modules(manifest):
    """{(package, file): set of task functions} of the course."""
    modules = {}
    for task in manifest.tasks:
        modules.setdefault((task.package, task.file), set()).add(task.function)
    return modules


def _place(relative, functions, modules, known_files):
    """The course module a file belongs to, and how it was matched ((None, None) when it matches nothing).

    ``known_files``: {package: names of its .py files in the course}; a file under a folder named like a
    package, with one of those names, keeps its place; any other file is matched by its functions.
    """
    parts = PurePosixPath(relative).parts
    for package, names in known_files.items():
        if package in parts[:-1] and parts[-1] in names:
            return (package, parts[-1]), "by its folder"
    scores = {key: len(functions & wanted) for key, wanted in modules.items()}
    best = max(scores.values(), default=0)
    if best == 0:
        return None, None
    winners = [key for key, score in scores.items() if score == best]
    if len(winners) > 1:
        return None, "ambiguous"
    return winners[0], "by its functions"


def write_course_stubs(manifest, out):
    """The student stubs of every course module into ``out`` (as ``course stubs`` writes them, without handouts)."""
    by_file = {}
    for task in manifest.tasks:
        by_file.setdefault((task.package, task.file), {})[task.function] = (task.id, "not implemented")
    out.mkdir(parents=True, exist_ok=True)
    (out / "__init__.py").write_text("", encoding="utf-8")
    for package in ["common"] + [a.package for a in manifest.assignments]:
        (out / package).mkdir(exist_ok=True)
        for source in sorted((SOLUTIONS_DIR / package).glob("*.py")):
            text = source.read_text(encoding="utf-8")
            tasks = by_file.get((package, source.name), {})
            stub = strip_solutions(text, tasks, filename=source.name) if package != "common" else text
            (out / package / source.name).write_text(stub, encoding="utf-8")


def _from_modules(root, files, manifest, out, limits, shown):
    """Build ``out/assignments`` from the course stubs with the upload's modules in place."""
    write_course_stubs(manifest, out / PACKAGE)
    modules = _course_modules(manifest)
    known_files = {package: {path.name for path in (SOLUTIONS_DIR / package).glob("*.py")} - {"__init__.py"}
                   for package in [a.package for a in manifest.assignments] + ["common"]}
    placed, lines = {}, []
    for relative in files:
        if not relative.endswith(".py") or PurePosixPath(relative).name == "__init__.py":
            continue
        data = _read(root, relative, limits)
        key, how = _place(relative, defined_functions(data.decode("utf-8", errors="replace")), modules,
                           known_files)
        if key is None:
            if how == "ambiguous":
                lines.append(f"{shown}/{relative}: defines functions of several course modules; not used")
            continue
        target = f"{key[0]}/{key[1]}"
        if target in placed:
            lines.append(f"{shown}/{relative}: {target} was already found at {shown}/{placed[target]}; not used")
            continue
        placed[target] = relative
        (out / PACKAGE / key[0]).mkdir(parents=True, exist_ok=True)
        (out / PACKAGE / key[0] / key[1]).write_bytes(data)
        lines.append(f"{PACKAGE}/{target} <- {shown}/{relative} ({how})")
    missing = sorted(f"{package}/{name}" for package, name in modules if f"{package}/{name}" not in placed)
    if missing:
        lines.append(f"not found (their tasks count as not implemented): {', '.join(missing)}")
    return placed, lines


def normalize_upload(upload, work, manifest, limits=IntakeLimits(), shown="submission", depth=0):
    """Turn an upload directory into something ``course grade`` grades.

    Inputs:
    - upload: the upload directory (Gradescope's ``/autograder/submission``)
    - work: an empty directory of the grader's own, for unpacked zips and assembled packages
    - manifest: the course manifest (which modules define which task functions)

    Returns a :class:`Normalized`; raises UploadError for an unreadable or oversized zip.
    """
    upload, work = Path(upload), Path(work)
    files = _regular_files(upload, limits)
    packages = _has_package(upload, files)
    if len(packages) == 1:
        return Normalized(upload, [f"graded the {PACKAGE}/ package found at {shown}/{packages[0]}"
                                   if packages[0] != PACKAGE else f"graded {shown}/{PACKAGE}/"])
    if len(packages) > 1:
        return Normalized(upload)  # the intake names every candidate and refuses to choose
    zips = [f for f in files if "/" not in f and f.lower().endswith(".zip")]
    if len(zips) == 1 and depth == 0 and zipfile.is_zipfile(upload / zips[0]):
        unpacked = work / "unzipped"
        unpacked.mkdir(parents=True)
        _unzip(upload / zips[0], unpacked, limits)
        inner = normalize_upload(unpacked, work / "inner", manifest, limits, f"{shown}/{zips[0]}", depth + 1)
        return Normalized(inner.path, [f"unpacked {shown}/{zips[0]}", *inner.lines])
    assembled = work / "upload"
    assembled.mkdir(parents=True)
    placed, lines = _from_modules(upload, files, manifest, assembled, limits, shown)
    if not placed:
        shutil.rmtree(assembled)
        return Normalized(upload, [f"no Python file of the course's modules found in {shown}/"])
    return Normalized(assembled, lines)
