"""What the graded cells' self-check needs next to each nbgrader notebook, and the check that nothing else is there.

``course nbgrader`` (:mod:`.notebooks`) writes ``source/<package>/rnn_course_runtime/``
with :func:`write_self_check_runtime`: the runtime exactly as the student release
vendors it (``release.vendored_runtime_files``, the same files), its ``course.yml`` and
``fixtures/``. ``nbgrader generate_assignment`` copies it into ``release/<package>/``,
where the kernel imports it from the notebook's folder (``check_tasks``,
:mod:`autograder.runtime.notebook_self_check`). :func:`stray_runtime_files` lists
whatever else is in it; the release check (``notebooks.release_problems``) refuses
those, and scans every file for solution code.
"""

import shutil
from pathlib import Path

from ..runtime import public_checks
from ..runtime.fixture_files import fixture_path
from .public_fixtures import FIXTURES_DIR as PUBLIC_FIXTURES_DIR
from .release import VENDORED_RUNTIME, course_yml_in_language, release_selection, vendored_runtime_files
from .staging import filter_manifest_text

COURSE_YML, FIXTURES = "course.yml", "fixtures"


def write_self_check_runtime(assignment, manifest, destination, lang, fixtures_dir=PUBLIC_FIXTURES_DIR):
    """``destination``/rnn_course_runtime/: what the graded cells' ``check_tasks`` needs in the kernel.

    The vendored runtime of the student release (``release.vendored_runtime_files``), its ``course.yml`` (the
    assignments this one ships, as a staged release cuts it, in ``lang``) and ``fixtures/`` with the public
    fixtures of the assignment's tasks (those compared with stored outputs). No solution code: the release's leak
    scan runs over it. Raises FileNotFoundError naming a missing fixture."""
    target = Path(destination) / VENDORED_RUNTIME
    if target.exists():
        shutil.rmtree(target)
    for relative, text in vendored_runtime_files().items():
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        (target / relative).write_text(text, encoding="utf-8")
    shipped, _ = release_selection(manifest, (assignment.id,))
    course_yml = filter_manifest_text(manifest.path.read_text(encoding="utf-8"), shipped)
    (target / COURSE_YML).write_text(course_yml_in_language(course_yml, lang, manifest.path), encoding="utf-8")
    (target / FIXTURES).mkdir()
    for task in (task for task in assignment.tasks if public_checks.uses_fixtures(task.id)):
        fixture = fixture_path(task.id, fixtures_dir)
        if not fixture.is_file():
            raise FileNotFoundError(f"{fixture}: the public fixture of Task {task.id} is missing "
                                    f"(run `course fixtures`)")
        shutil.copyfile(fixture, target / FIXTURES / fixture.name)
    return target


def stray_runtime_files(folder):
    """Files of ``folder``/rnn_course_runtime/ that are not a vendored runtime file, its course.yml or a public
    fixture (paths relative to ``folder``)."""
    runtime = Path(folder) / VENDORED_RUNTIME
    expected = {*(path.as_posix() for path in vendored_runtime_files()), COURSE_YML}
    return [f"{VENDORED_RUNTIME}/{path.relative_to(runtime).as_posix()}: not a file of the vendored runtime, its "
            f"course.yml or a public fixture" for path in sorted(runtime.rglob("*"))
            if path.is_file() and path.relative_to(runtime).as_posix() not in expected and not is_cache(path)
            and not (path.parent == runtime / FIXTURES and path.suffix == ".json")]


def is_cache(path):
    """Python's bytecode cache, written when a kernel imports the runtime (validate in place, for instance)."""
    return "__pycache__" in Path(path).parts or Path(path).suffix == ".pyc"
