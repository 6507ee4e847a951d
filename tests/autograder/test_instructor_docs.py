"""docs/instructors.md: every `course` command it tells the instructor to type is accepted by the CLI,
and each path's verbs exist, in the order the walkthrough gives them."""

import re
import shlex

from autograder.authoring.cli import build_parser
from autograder.runtime.manifest import REPO_ROOT

DOCS = REPO_ROOT / "docs" / "instructors.md"


def course_commands():
    """(line number, argv) of every line starting with `course ` inside a fenced block."""
    commands, fenced = [], False
    for number, line in enumerate(DOCS.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("```"):
            fenced = not fenced
            continue
        if fenced and stripped.startswith("course "):
            argv = shlex.split(stripped.split(" #")[0])[1:]
            commands.append((number, [arg.replace("*", "alice") for arg in argv]))
    return commands


def test_every_course_command_of_the_walkthrough_parses():
    parser = build_parser()
    commands = course_commands()
    assert len(commands) >= 10
    for number, argv in commands:
        try:
            parser.parse_args(argv)
        except SystemExit:
            raise AssertionError(f"docs/instructors.md:{number}: course {' '.join(argv)} is not a valid command")


def test_each_path_releases_or_builds_before_it_grades():
    text = DOCS.read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.MULTILINE)
    by_title = {section.split("\n")[0][:2]: section for section in sections}
    order = {"A.": ("course release", "course grade"), "B.": ("course release", "course classroom-grader"),
             "C.": ("course gradescope",), "D.": ("course nbgrader ", "nbgrader autograde", "course nbgrader-grade",
                                                   "nbgrader generate_feedback")}
    for path, steps in order.items():
        positions = [by_title[path].index(step) for step in steps]
        assert positions == sorted(positions), (path, steps)
    assert "--allow-placeholder" in text and "organisation secret" in text.lower() and "expire" in text
