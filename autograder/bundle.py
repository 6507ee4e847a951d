"""``course bundle``: pack exactly what hidden grading needs, and grade with a packed bundle.

The bundle (a ``.tar.gz``) holds the grader package (``autograder/``), the
reference solutions (``solutions/``, code only), the task harness and cases
(``tests/public/*.py``, without fixtures or public test files) and
``course.yml``. It holds nothing student-facing: no stubs, handouts, public
tests, sample submissions or instructor tests. It is hosted where students
cannot read it (a private repository, Gradescope's autograder zip).

``course grade --bundle grader.tar.gz SUB`` unpacks it to a temporary directory
and runs that copy's ``course grade`` on the submission: what is graded is what
was packed, not the working tree.
"""

import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from .manifest import REPO_ROOT

BUNDLE_README = """RNN course hidden grader bundle (instructor-only: do not publish).

Grade a student checkout:  PYTHONPATH=<this directory> python -m autograder.cli grade <checkout> [--format ...]
Needs numpy and pyyaml. Made by `course bundle`.
"""


# The grader modules that hidden grading imports (``cli`` imports the others lazily by verb).
GRADER_MODULES = ("__init__", "cli", "manifest", "solution_markers", "grade", "reports", "sandbox", "sandbox_child",
                  "mistakes", "bundle")


def bundle_members(root=REPO_ROOT):
    """The (path on disk, name in the bundle) pairs of a bundle: code and manifest only."""
    members = [(root / "course.yml", "course.yml"), (root / "tests" / "__init__.py", "tests/__init__.py")]
    members += [(root / "autograder" / f"{name}.py", f"autograder/{name}.py") for name in GRADER_MODULES]
    for path in sorted((root / "solutions").rglob("*.py")):
        members.append((path, str(path.relative_to(root))))
    public = root / "tests" / "public"
    for name in ["__init__.py", "harness.py", "messages.py", *sorted(p.name for p in public.glob("cases_*.py")),
                 *sorted(f"messages/{p.name}" for p in (public / "messages").glob("*.yml"))]:
        members.append((public / name, f"tests/public/{name}"))
    return members


def write_bundle(out, root=REPO_ROOT):
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(out, "w:gz") as archive:
        for path, name in bundle_members(root):
            info = archive.gettarinfo(str(path), arcname=f"grader/{name}")
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mtime = 0
            with path.open("rb") as handle:
                archive.addfile(info, handle)
        readme = BUNDLE_README.encode()
        info = tarfile.TarInfo("grader/README.txt")
        info.size = len(readme)
        archive.addfile(info, io.BytesIO(readme))
    return out


def extract_bundle(bundle, destination):
    """Unpack a bundle safely; returns the directory that holds course.yml."""
    destination = Path(destination)
    with tarfile.open(bundle, "r:gz") as archive:
        archive.extractall(destination, filter="data")
    root = destination / "grader"
    if not (root / "course.yml").is_file() or not (root / "autograder" / "cli.py").is_file():
        raise ValueError(f"{bundle} is not a grader bundle (no grader/course.yml or grader/autograder/cli.py)")
    return root


def grade_with_bundle(bundle, grade_args):
    """Run ``course grade`` of the bundle's own code; returns its exit code."""
    with tempfile.TemporaryDirectory(prefix="rnn-bundle-") as tmp:
        root = extract_bundle(bundle, tmp)
        command = [sys.executable, "-m", "autograder.cli", "grade", *grade_args]
        return subprocess.run(command, cwd=root, env={**_clean_env(), "PYTHONPATH": str(root)}).returncode


def _clean_env():
    import os

    return {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "RNN_COURSE_IMPL")}
