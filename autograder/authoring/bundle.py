"""``course bundle``: pack exactly what hidden grading needs, and grade with a packed bundle.

The bundle (a ``.tar.gz``) holds the grader package (``autograder/``), the
reference solutions (``solutions/``, code only), the runtime (manifest loader,
task harness and cases, message catalogues) and ``course.yml``. It holds nothing student-facing: no stubs, handouts, public
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

from ..runtime.manifest import REPO_ROOT, load_manifest

BUNDLE_README = """RNN course hidden grader bundle (instructor-only: do not publish).

Grade a student checkout:  PYTHONPATH=<this directory> python -m autograder.authoring.cli grade <checkout> [--format ...]
Needs numpy and pyyaml. Made by `course bundle`.
"""


# The modules that hidden grading imports (``cli`` imports the others lazily by verb).
GRADER_MODULES = ("__init__", "runtime/__init__", "runtime/manifest", "runtime/harness", "runtime/messages",
                  "runtime/problems", "runtime/gradient_check",
                  "grading/__init__", "grading/grade", "grading/checks", "grading/reports", "grading/results",
                  "grading/sandbox", "grading/sandbox_child", "grading/mistakes", "grading/submission",
                  "grading/submission_zip", "grading/isolation", "grading/sandbox_session", "grading/sandbox_limits",
                  "grading/bubblewrap", "grading/pids_cgroup", "grading/privilege_drop",
                  "grading/dependency_answers", "grading/dependency_proxies", "grading/dependency_regrade",
                  "authoring/__init__", "authoring/cli", "authoring/solution_markers",
                  "authoring/bundle")


def bundle_members(root=REPO_ROOT, manifest=None):
    """The (path on disk, name in the bundle) pairs of a bundle: code and manifest only.

    ``manifest`` is packed as the bundle's course.yml (default: ``root/course.yml``)."""
    package = root / "autograder"
    members = [(Path(manifest) if manifest else root / "course.yml", "course.yml")]
    members += [(package / f"{name}.py", f"autograder/{name}.py") for name in GRADER_MODULES]
    members += [(path, str(path.relative_to(root))) for path in sorted((package / "runtime").glob("cases_*.py"))]
    members += [(path, str(path.relative_to(root))) for path in sorted((package / "runtime" / "messages").glob("*.yml"))]
    members += [(path, str(path.relative_to(root))) for path in sorted((root / "solutions").rglob("*.py"))]
    return members


def write_bundle(out, root=REPO_ROOT, manifest=None):
    """Write the bundle ``out`` (.tar.gz) of the code under ``root`` and ``manifest`` (default: root/course.yml,
    validated against root/solutions first: a bundle never packs a manifest it could not grade with)."""
    load_manifest(manifest or root / "course.yml", solutions_dir=root / "solutions")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(out, "w:gz") as archive:
        for path, name in bundle_members(root, manifest):
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


class BundleError(ValueError):
    """A file is not a grader bundle."""


def extract_bundle(bundle, destination):
    """Unpack a bundle safely; returns the directory that holds course.yml."""
    destination = Path(destination)
    try:
        with tarfile.open(bundle, "r:gz") as archive:
            archive.extractall(destination, filter="data")
    except tarfile.TarError as error:
        raise BundleError(f"{bundle} is not a grader bundle (not a .tar.gz: {error})") from None
    root = destination / "grader"
    if not (root / "course.yml").is_file() or not (root / "autograder" / "authoring" / "cli.py").is_file():
        raise BundleError(f"{bundle} is not a grader bundle (no grader/course.yml or grader/autograder/authoring/cli.py)")
    return root


def grade_with_bundle(bundle, grade_args):
    """Run ``course grade`` of the bundle's own code; returns its exit code."""
    with tempfile.TemporaryDirectory(prefix="rnn-bundle-") as tmp:
        root = extract_bundle(bundle, tmp)
        command = [sys.executable, "-m", "autograder.authoring.cli", "grade", *grade_args]
        return subprocess.run(command, cwd=root, env={**_clean_env(), "PYTHONPATH": str(root)}).returncode


def _clean_env():
    import os

    return {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "RNN_COURSE_IMPL")}
