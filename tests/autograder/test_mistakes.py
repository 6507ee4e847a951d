"""Mutant packages (autograder/grading/mistakes.py): one temporary directory per process, on ``sys.path`` once,
removed at exit."""

import subprocess
import sys
from pathlib import Path

from autograder.grading import mistakes
from autograder.runtime import harness
from autograder.runtime.manifest import REPO_ROOT


def test_mutants_share_one_directory_and_one_sys_path_entry():
    first, second = mistakes.CATALOGUE[0], mistakes.CATALOGUE[-1]
    names = [mistakes.mutant_package(first), mistakes.mutant_package(second), mistakes.mutant_package(first)]
    root = mistakes.mutants_root()
    assert names == [f"mutant_{first.id}", f"mutant_{second.id}", f"mutant_{first.id}"]
    assert {path.name for path in root.iterdir()} >= set(names)
    assert sys.path.count(str(root)) == 1
    assert [entry for entry in sys.path if "rnn-mutants-" in entry] == [str(root)]
    module = Path(second.file).with_suffix("").as_posix().replace("/", ".")  # a4_gru.gru
    mutated = harness.make_loader(names[1])(module)
    assert mutated.__file__.startswith(str(root))
    assert second.new in Path(mutated.__file__).read_text(encoding="utf-8")


def test_remove_mutants_deletes_the_directory_and_the_sys_path_entry():
    mistakes.mutant_package(mistakes.CATALOGUE[0])
    root = mistakes.mutants_root()
    mistakes.remove_mutants()
    assert not root.exists() and str(root) not in sys.path
    assert not any(name.startswith("mutant_") for name in sys.modules)
    again = mistakes.mutant_package(mistakes.CATALOGUE[0])  # a new directory, usable again
    assert mistakes.mutants_root() != root and (mistakes.mutants_root() / again).is_dir()


def test_the_mutants_directory_is_removed_when_the_process_exits():
    code = ("from autograder.grading import mistakes\n"
            "for mistake in mistakes.CATALOGUE: mistakes.mutant_package(mistake)\n"
            "print(mistakes.mutants_root())\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    root = result.stdout.strip()
    assert "rnn-mutants-" in root
    assert not Path(root).exists()
