"""Scan a student release for solution code and instructor-only material.

A release leaks when any of these is found:

- a line of a solution block (stripped, at least ``MIN_LENGTH`` characters,
  not a comment) in any text file of the release, unless the very same line
  also stands outside the solution blocks of the solutions (provided code that
  is shipped on purpose);
- a solution or hidden-test marker (``# BEGIN SOLUTION``, ``### BEGIN HIDDEN TESTS``);
- an instructor-only directory (``solutions/``, ``autograder/``, ``rubrics/``, graders,
  instructor tests).
"""

from pathlib import Path

from .solution_markers import find_blocks

MIN_LENGTH = 12
TEXT_SUFFIXES = {".py", ".md", ".yml", ".yaml", ".toml", ".txt", ".cfg", ".ini", ".json", ".ipynb", ""}
FORBIDDEN_DIRS = {"solutions", "autograder", "graders", "reference", "hidden", "rubrics"}
FORBIDDEN_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS")


def _is_code(line):
    return len(line) >= MIN_LENGTH and not line.startswith("#")


def solution_lines(solutions_dir):
    """The code lines found only inside solution blocks, mapped to where they come from."""
    inside, outside = {}, set()
    for path in sorted(Path(solutions_dir).rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        blocked = set()
        for block in find_blocks("\n".join(lines), filename=str(path)):
            blocked.update(range(block.begin, block.end + 1))
        for number, line in enumerate(lines, start=1):
            stripped = line.strip()
            if not _is_code(stripped):
                continue
            if number in blocked:
                inside.setdefault(stripped, f"{path.relative_to(solutions_dir.parent)}:{number}")
            else:
                outside.add(stripped)
    return {line: origin for line, origin in inside.items() if line not in outside}


def scan_for_solution_lines(release_dir, solutions_dir):
    """Return a list of problems (empty when the release is clean)."""
    release_dir = Path(release_dir)
    secret = solution_lines(Path(solutions_dir))
    problems = []
    for path in sorted(release_dir.rglob("*")):
        relative = path.relative_to(release_dir)
        if any(part in FORBIDDEN_DIRS for part in relative.parts[:-1]):
            problems.append(f"{relative}: instructor-only directory in the release")
            continue
        if path.is_dir() or path.suffix not in TEXT_SUFFIXES or "__pycache__" in relative.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if any(marker in stripped for marker in FORBIDDEN_MARKERS):
                problems.append(f"{relative}:{number}: solution/hidden-test marker {stripped!r}")
            elif stripped in secret:
                problems.append(f"{relative}:{number}: solution line from {secret[stripped]}: {stripped!r}")
    return problems
