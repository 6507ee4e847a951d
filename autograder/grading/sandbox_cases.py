"""The task cases a sandbox child imports: the runtime modules it needs, with their bytecode, and the manifest.

The child's copy is read-only, so it could never cache its own bytecode: at every start it compiled the runtime
and parsed course.yml with PyYAML. The grader does both once per process: the modules go with unchecked-hash
``.pyc`` files (used whatever the copy's mtime) and course.yml is written as JSON, which is YAML and is read with
the standard library (``manifest.read_document``), so the child never imports PyYAML.

They are written once per process too (:func:`shared_cases`: a directory only this process's user may write,
removed at exit), and every child gets that package read-only in its ``site/`` beside numpy (a bind mount under
bubblewrap, a link otherwise): a child's start writes no file of the cases.
"""

import atexit
import functools
import importlib.util
import json
import os
import py_compile
import shutil
import tempfile
import threading
from pathlib import Path

from ..runtime.manifest import find_manifest, read_document

CASES_SOURCE = Path(__file__).resolve().parent.parent / "runtime"
CASES_PACKAGE = "course_cases"
# What the child imports of the runtime (with the cases_*.py modules): how to call each task, nothing that checks.
CHILD_RUNTIME = ("harness.py", "manifest.py", "messages.py", "problems.py")


def copy_cases(destination):
    """The task cases for the child: the runtime modules it needs with their bytecode, and the manifest as JSON,
    written as ``destination/course_cases``.

    What the child would otherwise do at every start (compile the modules: its copy is read-only; import PyYAML
    and parse course.yml) is done once per grader process (:func:`_cases_files`)."""
    package = destination / CASES_PACKAGE
    manifest, stamp = _sources()
    for relative, data in _cases_files(manifest, stamp).items():
        (package / relative).parent.mkdir(parents=True, exist_ok=True)
        (package / relative).write_bytes(data)
    shutil.copytree(CASES_SOURCE / "messages", package / "messages")


_SHARED, _SHARED_LOCK = {}, threading.Lock()


def shared_cases():
    """The ``course_cases`` package of this process's children (:func:`copy_cases`), written once per version of
    the sources (and again if it went away: a temporary directory that was cleaned, say) in the temporary
    directory: directories 0755 and files 0644 of this process's user (a sandbox user reads, never writes)."""
    manifest, stamp = _sources()
    with _SHARED_LOCK:
        if stamp not in _SHARED or not (_SHARED[stamp] / "course.yml").is_file():
            root = Path(tempfile.mkdtemp(prefix="rnn-cases-"))
            atexit.register(shutil.rmtree, root, True)
            copy_cases(root)
            for directory, _, files in os.walk(root):
                os.chmod(directory, 0o755)
                for name in files:
                    os.chmod(os.path.join(directory, name), 0o644)
            _SHARED[stamp] = root / CASES_PACKAGE
        return _SHARED[stamp]


def _sources():
    """(the manifest's path, the names, times and sizes of the sources the cases are made of)."""
    manifest = find_manifest(CASES_SOURCE)
    return manifest, tuple((path.name, path.stat().st_mtime_ns, path.stat().st_size)
                           for path in (manifest, *sorted(CASES_SOURCE.glob("*.py"))))


@functools.lru_cache(maxsize=4)
def _cases_files(manifest_path, stamp):
    """{path in the cases package: bytes}: the runtime modules the child imports, each with an unchecked-hash
    ``.pyc`` (used as it is, whatever the copy's mtime), and course.yml written as JSON (which is YAML).
    stamp: the sources' names, times and sizes (an edited source is read again)."""
    files = {"course.yml": json.dumps(read_document(manifest_path)).encode()}
    with tempfile.TemporaryDirectory(prefix="rnn-cases-") as tmp:
        (Path(tmp) / "__init__.py").write_bytes(b"")
        sources = [Path(tmp) / "__init__.py", *(source for source in sorted(CASES_SOURCE.glob("*.py"))
                                                if source.name in CHILD_RUNTIME or source.name.startswith("cases_"))]
        for source in sources:
            files[source.name] = source.read_bytes()
            compiled = py_compile.compile(str(source), cfile=str(Path(tmp) / (source.name + "c")), doraise=True,
                                          invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
            files[os.path.relpath(importlib.util.cache_from_source(source.name))] = Path(compiled).read_bytes()
    return files
