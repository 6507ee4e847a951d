"""What the sandbox's child gets of the runtime: the modules it imports with ready bytecode, and the manifest as JSON.

The child's copy is read-only, so it could never cache its own bytecode: every start compiled the runtime and
parsed course.yml with PyYAML. The grader now does both once per process (``sandbox_cases``).
"""

import importlib.util
import os
import json
import shutil
import subprocess
import sys
import tempfile

from autograder.grading import sandbox_cases, sandbox_session
from autograder.runtime.manifest import DEFAULT_MANIFEST, load_manifest, read_document


def test_the_childs_manifest_is_the_same_document_written_as_json(tmp_path):
    sandbox_cases.copy_cases(tmp_path)
    copy = tmp_path / sandbox_cases.CASES_PACKAGE / "course.yml"
    assert json.loads(copy.read_text()) == read_document(DEFAULT_MANIFEST)
    read, original = load_manifest(copy, check_files=False), load_manifest(DEFAULT_MANIFEST, check_files=False)
    assert (read.assignments, read.tolerances, read.seeds) == (original.assignments, original.tolerances, original.seeds)


def test_every_module_of_the_child_has_bytecode_used_whatever_its_mtime(tmp_path):
    sandbox_cases.copy_cases(tmp_path)
    package = tmp_path / sandbox_cases.CASES_PACKAGE
    modules = sorted(path for path in package.glob("*.py") if path.name != "__init__.py")
    assert {path.name for path in modules} >= {"harness.py", "manifest.py", "cases_a1.py"}
    for path in modules:
        pyc = importlib.util.cache_from_source(str(path))
        flags = int.from_bytes(open(pyc, "rb").read()[4:8], "little")
        assert flags == 0b01, path.name  # hash-based, not checked against the source


def test_the_child_imports_the_cases_without_compiling_or_pyyaml(tmp_path):
    sandbox_cases.copy_cases(tmp_path)
    package = tmp_path / sandbox_cases.CASES_PACKAGE
    site = {name: str(path.parent) for name, path in sandbox_session.child_packages().items()}
    probe = (f"import sys; sys.dont_write_bytecode = True; sys.path[:0] = [{str(tmp_path)!r}, {site['numpy']!r}]; "
             f"import {sandbox_cases.CASES_PACKAGE}.harness as h; specs = h.all_specs(); "
             "print(len(specs), 'yaml' in sys.modules)")
    done = subprocess.run([sys.executable, "-I", "-S", "-v", "-c", probe], capture_output=True, text=True,
                          check=True, cwd=tmp_path)
    count, has_yaml = done.stdout.split()
    assert int(count) == len(load_manifest().tasks) and has_yaml == "False"
    # python -v says where each module's code object came from: the .pyc, never a compile of the source
    loaded = [line for line in done.stderr.splitlines() if line.startswith("# code object from")
              and str(package) in line]
    assert len(loaded) >= 5 and all("__pycache__" in line for line in loaded), loaded


def test_the_children_share_one_copy_written_once_that_only_this_user_may_write():
    first, again = sandbox_cases.shared_cases(), sandbox_cases.shared_cases()
    assert first == again and first.name == sandbox_cases.CASES_PACKAGE
    assert (first / "course.yml").is_file() and (first / "harness.py").is_file()
    for path in [first, *first.rglob("*")]:
        assert path.stat().st_uid == os.geteuid()
        assert path.stat().st_mode & 0o777 == (0o755 if path.is_dir() else 0o644), path
    assert sandbox_session.site_packages()[sandbox_cases.CASES_PACKAGE] == first


def test_a_copy_that_went_away_is_written_again(tmp_path, monkeypatch):
    """The temporary directory may be cleaned (or unmounted) while the grader runs: the next child gets a new copy."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "first"))
    (tmp_path / "first").mkdir()
    monkeypatch.setattr(sandbox_cases, "_SHARED", {})
    first = sandbox_cases.shared_cases()
    assert first.is_relative_to(tmp_path / "first")
    shutil.rmtree(tmp_path / "first")
    monkeypatch.setattr(tempfile, "tempdir", None)
    again = sandbox_cases.shared_cases()
    assert again != first and (again / "harness.py").is_file() and not again.is_relative_to(tmp_path)
