"""Fixtures shared by the tooling tests: a fresh venv with the student repository's dependencies."""

import subprocess
import sys

import pytest


STUDENT_DEPENDENCIES = ["numpy>=1.26", "matplotlib>=3.8", "pyyaml>=6.0", "pytest>=8", "pytest-timeout>=2.3", "hypothesis>=6.100"]


@pytest.fixture(scope="session")
def student_venv(tmp_path_factory):
    """A new virtual environment with what a student repository depends on (installed once per run)."""
    venv = tmp_path_factory.mktemp("student-venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    result = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                             "--disable-pip-version-check", *STUDENT_DEPENDENCIES],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    return venv
