"""Render an assignment's handout from its template and ``course.yml``.

The prose and maths of each handout live in ``solutions/<package>/handout.<lang>.md``;
the parts that the manifest owns are filled in, so the handout cannot disagree
with it:

- ``{{TASK_TABLE}}``: ID, function, file, points and nudge of every task (the first tier of its hints; the
  hint itself comes when a test fails);
- ``{{TOTAL_POINTS}}``: the assignment's total;
- ``{{TEST_COMMANDS}}``: how to run all tests of the assignment and one task's;
- ``{{WRITTEN_QUESTIONS}}``: the written questions (graded by hand), with where to answer them; a template
  without this placeholder gets them before its references section (``## References`` / ``## 참고 문헌``),
  or at its end.

A template that lacks ``{{TASK_TABLE}}`` is an error, and so is a placeholder
left unknown.
"""

import re

from ..runtime.messages import t, task_text

PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")
REFERENCES_HEADING = re.compile(r"^## (References|참고 문헌)\s*$", re.MULTILINE)


class HandoutError(ValueError):
    """A handout template is missing or malformed."""


def task_table(assignment, lang="en"):
    rows = [t("handout.table_header", lang=lang), "|---|---|---|---|---|"]
    for task in assignment.tasks:
        hint = task_text(task, "nudge", lang).replace("|", "\\|")
        rows.append(f"| {task.id} | `{task.function}` | `{task.file}` | {task.points:g} | {hint} |")
    return "\n".join(rows)


def test_commands(assignment, lang="en"):
    first = assignment.tasks[0]
    return "\n".join([
        "```bash",
        f"pytest -m {assignment.id}            # " + t("handout.all_tasks", lang=lang),
        f"pytest -m {first.marker}        # " + t("handout.one_task", lang=lang, task_id=first.id,
                                               function=first.function),
        "```",
    ])


def written_questions(assignment, lang="en"):
    """The handout section of the written questions ("" when the assignment has none)."""
    if not assignment.questions:
        return ""
    lines = [f"## {t('written.handout_title', lang=lang)}", "",
             t("written.handout_intro", lang=lang, points=f"{assignment.written_points:g}"), ""]
    for question in assignment.questions:
        lines += [f"- **{t('written.question_heading', lang=lang, id=question.id, points=f'{question.points:g}')}** "
                  f"{question.text(lang)}"]
    return "\n".join(lines) + "\n"


def render_handout(manifest, assignment, solutions_dir, lang="en"):
    path = solutions_dir / assignment.package / f"handout.{lang}.md"
    if not path.is_file():
        raise HandoutError(f"{path}: handout template missing for assignment {assignment.id}")
    template = path.read_text(encoding="utf-8")
    if "{{TASK_TABLE}}" not in template:
        raise HandoutError(f"{path}: template has no {{{{TASK_TABLE}}}} placeholder")
    values = {
        "TASK_TABLE": task_table(assignment, lang),
        "TOTAL_POINTS": f"{assignment.points:g}",
        "TEST_COMMANDS": test_commands(assignment, lang),
        "WRITTEN_QUESTIONS": written_questions(assignment, lang),
    }
    if "{{WRITTEN_QUESTIONS}}" not in template and assignment.questions:
        references = REFERENCES_HEADING.search(template)
        template = template[:references.start()] + "{{WRITTEN_QUESTIONS}}\n" + template[references.start():] \
            if references else template.rstrip("\n") + "\n\n{{WRITTEN_QUESTIONS}}"
    unknown = sorted(set(PLACEHOLDER.findall(template)) - set(values))
    if unknown:
        raise HandoutError(f"{path}: unknown placeholder(s) {unknown}")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], template)
