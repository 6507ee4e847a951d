"""``course gradescope``: build the autograder zip that Gradescope runs.

Zip root: ``setup.sh`` (a Python >= 3.11 with numpy and pyyaml in ``/autograder/venv``, made by
uv; the image's python3 is never used), ``run_autograder`` and the
grader bundle unpacked under ``grader/``. At grading time Gradescope unzips it
to ``/autograder/source``, puts the student's files in
``/autograder/submission`` and expects ``/autograder/results/results.json``.
``run_autograder`` makes the grader unreadable to other users and, following
Gradescope's advice, runs student code as the unprivileged ``nobody``
(``SANDBOX_USER``; bubblewrap instead where it works, see ``grading/isolation.py``).
An empty ``SANDBOX_USER`` runs it as the current user, unisolated
(``--unsafe-same-user``, said in the results). ``AUTOGRADER_ROOT`` overrides
``/autograder`` for local simulation.
"""

import tarfile
import tempfile
import zipfile
from pathlib import Path

from .bundle import write_bundle

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image (as root, with network).
# A Python >= 3.11 and the course's dependencies go into a virtual environment made by uv
# ($ROOT/venv). The image's own python3 (3.10 on Gradescope's default Ubuntu 22.04, often
# without pip, "externally managed" under PEP 668) is neither used nor changed.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
export UV_INSTALL_DIR="$ROOT/uv"  # uv itself, when the installer has to fetch it
export UV_PYTHON_INSTALL_DIR="$ROOT/uv-python"  # a Python uv downloads (world-readable: the sandbox user runs it)
export UV_CACHE_DIR="${UV_CACHE_DIR:-$ROOT/uv-cache}"
PATH="$UV_INSTALL_DIR:$PATH"
if ! command -v uv >/dev/null 2>&1; then
  if ! command -v curl >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq curl ca-certificates
  fi
  curl -LsSf https://astral.sh/uv/install.sh | env UV_NO_MODIFY_PATH=1 sh
fi
uv venv --quiet --python ">=3.11,<3.14" "$ROOT/venv"
uv pip install --quiet --python "$ROOT/venv/bin/python" "numpy>=1.26" "pyyaml>=6.0"
"$ROOT/venv/bin/python" -c 'import sys, numpy, yaml; assert sys.version_info >= (3, 11), sys.version'
echo "setup.sh: $("$ROOT/venv/bin/python" --version) with numpy and pyyaml in $ROOT/venv"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission. Any upload shape is graded (course grade --any-upload).
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SANDBOX_USER="${SANDBOX_USER-nobody}"
PYTHON="$ROOT/venv/bin/python"
mkdir -p "$ROOT/results"
if [ ! -x "$PYTHON" ]; then
  printf '{"score": 0, "output": "The autograder is not set up (%s/venv is missing: setup.sh did not run); please contact the course staff."}\\n' \\
    "$ROOT" > "$ROOT/results/results.json"
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  chmod -R go-rwx "$ROOT/source"
fi
cd "$ROOT/source/grader"
if [ -n "$SANDBOX_USER" ]; then SANDBOX=(--sandbox-user "$SANDBOX_USER"); else SANDBOX=(--unsafe-same-user); fi
PYTHONPATH="$ROOT/source/grader" "$PYTHON" -m autograder.authoring.cli grade "$ROOT/submission" --any-upload \\
  --format gradescope --out "$ROOT/results/results.json" "${SANDBOX[@]}"
status=$?
if [ ! -s "$ROOT/results/results.json" ]; then
  printf '{"score": 0, "output": "The autograder failed (exit code %s); please contact the course staff."}\\n' \\
    "$status" > "$ROOT/results/results.json"
fi
exit 0
"""


def write_autograder_zip(out, manifest=None):
    """Write Gradescope's autograder zip ``out``, with the bundle of ``manifest`` (default: course.yml)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rnn-gradescope-") as tmp:
        bundle = write_bundle(Path(tmp) / "grader.tar.gz", manifest=manifest)
        with tarfile.open(bundle, "r:gz") as archive, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
                info = zipfile.ZipInfo(name)
                info.external_attr = 0o755 << 16
                zf.writestr(info, text)
            for member in archive.getmembers():
                if member.isfile():
                    zf.writestr(member.name, archive.extractfile(member).read())
    return out
