"""``course gradescope``: build the autograder zip that Gradescope runs.

Zip root: ``setup.sh`` (installs numpy and pyyaml), ``run_autograder`` and the
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
# Gradescope runs this once when building the autograder image.
set -euo pipefail
if ! command -v python3 >/dev/null; then
  apt-get update && apt-get install -y python3 python3-pip
fi
python3 -m pip install --quiet "numpy>=1.26" "pyyaml>=6.0"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission.
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SANDBOX_USER="${SANDBOX_USER-nobody}"
mkdir -p "$ROOT/results"
if [ "$(id -u)" = 0 ]; then
  chmod -R go-rwx "$ROOT/source"
fi
cd "$ROOT/source/grader"
if [ -n "$SANDBOX_USER" ]; then SANDBOX=(--sandbox-user "$SANDBOX_USER"); else SANDBOX=(--unsafe-same-user); fi
PYTHONPATH="$ROOT/source/grader" python3 -m autograder.authoring.cli grade "$ROOT/submission" \\
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
