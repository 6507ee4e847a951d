"""Mutant packages (autograder/grading/mistakes.py) are served from memory: nothing on disk, ``sys.path`` unchanged.

The grader imports the mutants in its own process to diagnose mistakes, so they must never come from a
directory that student code could write to.
"""

import sys
import tempfile
from pathlib import Path

from autograder.grading import mistakes
from autograder.runtime import harness


def test_mutants_are_imported_from_memory_and_leave_sys_path_alone():
    before_path = list(sys.path)
    before_tmp = set(Path(tempfile.gettempdir()).iterdir())
    first, second = mistakes.CATALOGUE[0], mistakes.CATALOGUE[-1]
    names = [mistakes.mutant_package(first), mistakes.mutant_package(second), mistakes.mutant_package(first)]
    assert names == [f"mutant_{first.id}", f"mutant_{second.id}", f"mutant_{first.id}"]
    module = Path(second.file).with_suffix("").as_posix().replace("/", ".")  # a4_gru.gru
    mutated = harness.make_loader(names[1])(module)
    source, _, origin = mistakes._IMPORTER.modules[f"{names[1]}.{module}"]
    assert second.new in source and mutated.__spec__.origin == origin
    assert not Path(mutated.__spec__.origin).exists()  # "<mutant_...>/a4_gru/gru.py": no file behind it
    assert sys.path == before_path
    assert not {p for p in set(Path(tempfile.gettempdir()).iterdir()) - before_tmp if "mutant" in p.name}


def test_the_reference_is_read_before_any_student_code_runs():
    """The sources are captured when the module is imported; a later change on disk does not reach a mutant."""
    reference = mistakes._IMPORTER.reference
    mistake = mistakes.CATALOGUE[1]
    assert mistake.file in reference
    assert mistake.old in reference[mistake.file]
