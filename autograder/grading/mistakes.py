"""The catalogue of common student mistakes, each kept as a mutant of the reference.

A :class:`Mistake` (data in :mod:`.mistake_catalogue`) names the task it belongs to and an
edit of one reference file (an exact snippet replaced once); its hint for the student is the
message ``mistake.<id>`` of the message catalogue. The edit serves twice:

- **diagnosis** (:mod:`.diagnosis`): when a student fails a task, the grader runs
  the mutants on the same inputs and shows a mistake's hint only when the
  student's outputs match exactly that one mutant on every shape, and the
  mutant's bug lives in the task's own function;
- **mutation testing**: ``course check`` grades every mutant as a submission and
  requires that its task loses points and shows the hint (the mutation score).

For diagnosis the grader imports the mutants in its own process, so they are served
from memory (:class:`_MutantImporter`): the reference sources are read once, when
this module is imported (before any student code runs), and nothing is written to
disk that student code in the sandbox could replace before the grader imports it.

Sources: CS231n and deeplearning.ai forums, ``../shared/REFERENCE.md``.
"""

import importlib.abc
import importlib.util
import shutil
import sys
from pathlib import Path

from ..runtime.manifest import REPO_ROOT
from .mistake_catalogue import CATALOGUE, Mistake  # noqa: F401  (the catalogue is part of this API)

SOLUTIONS_DIR = REPO_ROOT / "solutions"


_LOADED = {}  # mistake id -> import name of its mutant package


def _edit(mistake, text):
    count = text.count(mistake.old)
    if count != 1:
        raise ValueError(f"mistake {mistake.id}: snippet found {count} times in solutions/{mistake.file}")
    return text.replace(mistake.old, mistake.new)


def apply(mistake, solutions_dir=SOLUTIONS_DIR):
    """The text of the mutated file; the snippet must occur exactly once."""
    return _edit(mistake, (Path(solutions_dir) / mistake.file).read_text(encoding="utf-8"))


def write_mutant_tree(mistake, destination):
    """Copy the reference package to ``destination`` with the mistake applied."""
    destination = Path(destination)
    shutil.copytree(SOLUTIONS_DIR, destination, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.md"))
    (destination / mistake.file).write_text(apply(mistake), encoding="utf-8")
    return destination


def _read_reference():
    """{path relative to solutions/ (POSIX): source} of every module of the reference."""
    return {path.relative_to(SOLUTIONS_DIR).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(SOLUTIONS_DIR.rglob("*.py")) if "__pycache__" not in path.parts}


class _MutantImporter(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports ``mutant_<id>`` packages from sources held in memory (the reference read at import time)."""

    def __init__(self, reference):
        self.reference = reference
        self.modules = {}  # import name -> (source, is_package, file name shown in tracebacks)

    def add(self, mistake, name):
        for relative, text in self.reference.items():
            parts = relative[:-len(".py")].split("/")
            is_package = parts[-1] == "__init__"
            module = ".".join([name, *(parts[:-1] if is_package else parts)])
            source = _edit(mistake, text) if relative == mistake.file else text
            self.modules[module] = (source, is_package, f"<{name}>/{relative}")

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.modules:
            return None
        _, is_package, origin = self.modules[fullname]
        return importlib.util.spec_from_loader(fullname, self, origin=origin, is_package=is_package)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        source, _, origin = self.modules[module.__spec__.name]
        exec(compile(source, origin, "exec"), module.__dict__)  # noqa: S102 - the instructor's reference


_IMPORTER = _MutantImporter(_read_reference())


def mutant_package(mistake):
    """Import name of the mutant as a package of this process (served from memory, never from disk)."""
    if mistake.id not in _LOADED:
        name = f"mutant_{mistake.id}"
        _IMPORTER.add(mistake, name)
        if _IMPORTER not in sys.meta_path:
            sys.meta_path.insert(0, _IMPORTER)
        _LOADED[mistake.id] = name
    return _LOADED[mistake.id]
