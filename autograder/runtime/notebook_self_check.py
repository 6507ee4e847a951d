"""The self-check of a notebook's graded cell: ``check_tasks("1.1", "1.2")``.

``course nbgrader`` ships this runtime next to each notebook (as
``rnn_course_runtime/``, with ``course.yml`` and the public fixtures of the
assignment's tasks inside it) and writes into every graded cell::

    from rnn_course_runtime.notebook_self_check import check_tasks
    check_tasks("1.1", "1.2", "1.3", "1.4")

which runs the public checks of those tasks (:mod:`.public_checks`, the same as
the public tests) on the student's ``assignments`` package next to the notebook,
prints one line per task (passes, or what fails: each distinct message once, the
first few of them, and the task's hint once) and raises AssertionError naming every failing task. So
``nbgrader validate`` (and the student, running the cell) sees which tasks still
fail. The cell earns nothing: at autograde no student code runs, and the points
come from ``course nbgrader-grade``, which grades the modules in the sandbox.

A NotImplementedError of a task's stub makes that task "not implemented yet"
(or, raised by a task it uses, names that task); any other exception makes the
task fail with the exception's type and message, without a traceback.
"""

import os
import textwrap
from pathlib import Path

from . import harness, public_checks
from .messages import LANG_ENV, t, task_text
from .problems import problem

# The public fixtures of the notebook's tasks, shipped inside this runtime by `course nbgrader`.
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"
STUDENT_PACKAGE = "assignments"
MESSAGE_LIMIT = 300  # characters of an exception's message shown
MESSAGES_SHOWN = 4  # distinct messages shown per failing task (the public tests show every one)
WRAP_WIDTH = 76  # nbgrader validate cuts lines at 90 characters: the AssertionError's lines are wrapped to fit


def _language():
    return os.environ.get(LANG_ENV) or harness.course_manifest().language


def raised_problem(error):
    """The Problem of an exception raised by the student's code: its type and (shortened) message, no traceback."""
    message = " ".join(str(error).split())
    if len(message) > MESSAGE_LIMIT:
        message = message[:MESSAGE_LIMIT] + "..."
    return problem("selfcheck.raised", kind=type(error).__name__, message=message)


def task_line(task_id, load, fixtures_dir=FIXTURES_DIR, lang=None):
    """(passed, line): the outcome of a task's public checks as one line in ``lang``."""
    lang = lang or _language()
    head = public_checks.header(task_id, lang)
    try:
        problems = public_checks.task_problems(task_id, load, fixtures_dir)
    except NotImplementedError as error:
        other = public_checks.other_task_not_implemented(task_id, error)
        if other is None:
            return False, t("selfcheck.not_implemented", lang, header=head)
        return False, t("selfcheck.needs_other", lang, header=head, other=other)
    except Exception as error:  # noqa: BLE001 - the student's code may raise anything; it is reported, not raised
        problems = [raised_problem(error)]
    if not problems:
        return True, t("selfcheck.passes", lang, header=head)
    lines = [t(found.code, lang, **found.fields) for found in problems]
    hint = t("test.hint", lang, hint=task_text(harness.course_manifest().task(task_id), "hint", lang))
    distinct = list(dict.fromkeys(lines))
    if len(distinct) > MESSAGES_SHOWN:
        distinct = distinct[:MESSAGES_SHOWN] + [t("selfcheck.more", lang, count=len(distinct) - MESSAGES_SHOWN)]
    return False, t("selfcheck.fails", lang, header=head, problems="; ".join(distinct), hint=hint)


def _wrap(line):
    return textwrap.fill(line, WRAP_WIDTH, subsequent_indent="    ", break_long_words=False, break_on_hyphens=False)


def check_tasks(*task_ids, package=STUDENT_PACKAGE, fixtures_dir=FIXTURES_DIR):
    """Run the public checks of ``task_ids`` on ``package``, print one line per task, and raise AssertionError
    naming every task that fails (nothing is returned: the cell's output decides what ``nbgrader validate`` says)."""
    __tracebackhide__ = True  # noqa: F841 - IPython and pytest hide this frame in the traceback
    lang = _language()
    load = harness.make_loader(package)
    failing = []
    for task_id in task_ids:
        passed, line = task_line(task_id, load, fixtures_dir, lang)
        print(line)
        if not passed:
            failing.append((task_id, line))
    if failing:
        summary = t("selfcheck.summary", lang, failed=len(failing), total=len(task_ids),
                    tasks=", ".join(task_id for task_id, _ in failing))
        _fail([summary, *(line for _, line in failing)])


def _fail(lines):
    """Raise the AssertionError of a failing self-check (the only frame IPython shows beside the cell's)."""
    raise AssertionError("\n" + "\n".join(_wrap(line) for line in lines))  # on its own line: not cut by validate
