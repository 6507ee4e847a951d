"""The solution-marker grammar, and stripping marked blocks into student stubs.

A solution file marks the body of every graded function with two lines::

    def rnn_step_forward(x, h_prev, Wx, Wh, b):
        \"\"\"Task 1.1: ...\"\"\"
        # BEGIN SOLUTION
        ...reference code...
        # END SOLUTION

The grammar is deliberately tiny and strict (after Otter's ``assign/solutions.py``).
Each of these aborts with ``file:line`` and the reason:

- a marker line carrying anything else (``# BEGIN SOLUTION here``), or a
  misspelt marker (``# BEGIN SOLUTIONS``, ``#BEGIN SOLUTION``);
- ``BEGIN`` inside an open block (nesting), ``END`` without ``BEGIN``, or a
  ``BEGIN`` still open at the end of the file;
- ``END`` at another indentation than its ``BEGIN``, or a line of the block
  indented less than the markers;
- a block that is not inside a function, two blocks in one function, or an
  empty block.

A block is replaced by a ``# TODO: Task X.Y — hint`` comment and
``raise NotImplementedError("Task X.Y: function")`` at the markers' indentation.
"""

import ast
import re
from dataclasses import dataclass

BEGIN = "# BEGIN SOLUTION"
END = "# END SOLUTION"
# Anything that looks like an attempt at a marker, to catch misspellings.
MARKER_LIKE = re.compile(r"#\s*(BEGIN|END)\s+SOLUTION", re.IGNORECASE)


class MarkerError(ValueError):
    """A solution file breaks the marker grammar; the message starts with file:line."""


@dataclass(frozen=True)
class SolutionBlock:
    begin: int  # 1-based line of "# BEGIN SOLUTION"
    end: int  # 1-based line of "# END SOLUTION"
    indent: str
    function: str  # the innermost enclosing function


def _indent_of(line):
    return line[: len(line) - len(line.lstrip())]


def find_blocks(source, filename="<source>"):
    """Parse the markers of one solution file.

    Inputs:
    - source: the file's text
    - filename: used in error messages

    Returns:
    - list of SolutionBlock in file order; raises MarkerError on any violation
    """
    lines = source.splitlines()
    blocks, open_at, open_indent = [], None, ""
    spans = []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if MARKER_LIKE.search(line):
            if stripped not in (BEGIN, END):
                raise MarkerError(f"{filename}:{number}: malformed solution marker {stripped!r}; "
                                  f"a marker line is exactly '{BEGIN}' or '{END}'")
            if stripped == BEGIN:
                if open_at is not None:
                    raise MarkerError(f"{filename}:{number}: nested '{BEGIN}' (block opened at line {open_at} "
                                      "is still open)")
                open_at, open_indent = number, _indent_of(line)
            else:
                if open_at is None:
                    raise MarkerError(f"{filename}:{number}: '{END}' without a matching '{BEGIN}'")
                if _indent_of(line) != open_indent:
                    raise MarkerError(f"{filename}:{number}: '{END}' is indented differently from its "
                                      f"'{BEGIN}' at line {open_at}")
                if number == open_at + 1:
                    raise MarkerError(f"{filename}:{open_at}: empty solution block")
                spans.append((open_at, number, open_indent))
                open_at = None
        elif open_at is not None and stripped and not line.startswith(open_indent):
            raise MarkerError(f"{filename}:{number}: line inside the solution block opened at line {open_at} "
                              "is indented less than its markers")
    if open_at is not None:
        raise MarkerError(f"{filename}:{open_at}: '{BEGIN}' is never closed")
    if not spans:
        return blocks
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as error:
        raise MarkerError(f"{filename}:{error.lineno}: solution file does not parse: {error.msg}") from None
    functions = [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    seen = {}
    for begin, end, indent in spans:
        enclosing = [f for f in functions if f.body[0].lineno <= begin and end <= f.end_lineno + 1]
        if not enclosing:
            raise MarkerError(f"{filename}:{begin}: solution block is not inside a function")
        function = max(enclosing, key=lambda f: f.lineno).name
        if function in seen:
            raise MarkerError(f"{filename}:{begin}: second solution block in function '{function}' "
                              f"(first at line {seen[function]}); use one block per function")
        seen[function] = begin
        blocks.append(SolutionBlock(begin, end, indent, function))
    return blocks


def strip_solutions(source, tasks_by_function, filename="<source>"):
    """Replace every solution block with its task's TODO and NotImplementedError.

    Inputs:
    - source: the solution file's text
    - tasks_by_function: mapping function name -> (task_id, hint) for this file
    - filename: used in error messages

    Returns:
    - the stub text; raises MarkerError when a block is in a function that is not
      a task, or a task function has no block (it would ship its solution)
    """
    blocks = find_blocks(source, filename)
    covered = {block.function for block in blocks}
    for function in tasks_by_function:
        if function not in covered:
            raise MarkerError(f"{filename}:1: task function '{function}' has no solution block: "
                              "its body would ship to students")
    lines = source.splitlines(keepends=True)
    out, cursor = [], 0
    for block in blocks:
        if block.function not in tasks_by_function:
            raise MarkerError(f"{filename}:{block.begin}: solution block in '{block.function}', which is "
                              "not a task in course.yml")
        task_id, hint = tasks_by_function[block.function]
        out.extend(lines[cursor: block.begin - 1])
        out.append(f"{block.indent}# TODO: Task {task_id} — {hint}\n")
        out.append(f'{block.indent}raise NotImplementedError("Task {task_id}: {block.function}")\n')
        cursor = block.end
    out.extend(lines[cursor:])
    return "".join(out)
