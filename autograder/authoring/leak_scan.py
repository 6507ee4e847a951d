"""Scan a student release for solution code and instructor-only material.

A release leaks when any of these is found:

- a line of a solution block (stripped, at least ``MIN_LENGTH`` characters,
  not a comment) in any text file of the release, unless the very same line
  also stands outside the solution blocks of the solutions (provided code that
  is shipped on purpose);
- a solution or hidden-test marker (``# BEGIN SOLUTION``, ``### BEGIN HIDDEN TESTS``);
- an instructor-only directory (``solutions/``, ``autograder/``, ``rubrics/``, graders,
  instructor tests);
- provided code that reveals a protected graded solution (``scan_for_revealing_code``):
  a function sharing most of a solution block's lines, as A2's ``relu_rnn_backward``
  shares Task 1.4's BPTT loop. A staged release protects the assignments it ships and
  every later one.
"""

import ast
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


# A provided function "reveals" a graded solution when it shares at least REVEAL_MIN_LINES code lines with
# that solution's block, and those lines are at least REVEAL_MIN_SHARE of the block (a BPTT loop copied
# around a different step function is the case this catches; the line scan above lets it through because
# each of its lines also stands outside a solution block).
REVEAL_MIN_LINES = 4
REVEAL_MIN_SHARE = 0.4


def _code_line(line):
    """A line of code without its trailing comment and indentation ('' for comments and blank lines)."""
    stripped = line.split("  #")[0].strip()
    return "" if stripped.startswith("#") else stripped


def _function_body_lines(node, lines):
    """The code lines of a function's body, its docstring left out."""
    body = node.body
    if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and len(body) > 1:
        body = body[1:]
    return {code for code in map(_code_line, lines[body[0].lineno - 1: node.end_lineno]) if code}


def graded_solutions(solutions_dir, packages):
    """The graded solution blocks of ``packages``: {(package, function): set of code lines}."""
    graded = {}
    for package in packages:
        for path in sorted((Path(solutions_dir) / package).glob("*.py")):
            text = path.read_text(encoding="utf-8")
            lines = text.splitlines()
            for block in find_blocks(text, filename=str(path)):
                code = {c for c in map(_code_line, lines[block.begin: block.end - 1]) if c}
                graded[(package, block.function)] = code
    return graded


def revealed_solutions(text, graded, filename="<source>"):
    """Which graded solutions the top-level functions of ``text`` reveal.

    Inputs:
    - text: a Python file of the release
    - graded: the output of ``graded_solutions`` for the protected packages

    Returns:
    - list of (function name, first line, end line, (package, graded function), shared line count)
    """
    try:
        tree = ast.parse(text, filename=filename)
    except SyntaxError:
        return []
    lines = text.splitlines()
    found = []
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        body = _function_body_lines(node, lines)
        for key, solution in graded.items():
            shared = len(body & solution)
            if shared >= REVEAL_MIN_LINES and shared >= REVEAL_MIN_SHARE * len(solution):
                found.append((node.name, node.lineno, node.end_lineno, key, shared))
    return found


def scan_for_revealing_code(release_dir, solutions_dir, protected_packages):
    """Problems for every function of the release's Python files that reveals a protected graded solution."""
    release_dir = Path(release_dir)
    graded = graded_solutions(solutions_dir, protected_packages)
    problems = []
    for path in sorted(release_dir.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        relative = path.relative_to(release_dir)
        for name, line, _, (package, function), shared in revealed_solutions(
                path.read_text(encoding="utf-8", errors="replace"), graded, str(relative)):
            problems.append(f"{relative}:{line}: {name} reveals the graded solution of {package}.{function} "
                            f"({shared} of its lines)")
    return problems
