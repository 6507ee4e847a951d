"""The marker grammar is strict: every violation aborts with file:line."""

import pytest

from autograder.authoring.solution_markers import MarkerError, find_blocks, strip_solutions

GOOD = (
    "import numpy as np\n"  # line 1
    "\n"
    "\n"
    "def provided(x):\n"  # line 4
    "    return x + 1\n"
    "\n"
    "\n"
    "def task(x):\n"  # line 8
    '    """Task 9.1: double."""\n'
    "    # BEGIN SOLUTION\n"  # line 10
    "    y = x * 2\n"
    "    return y\n"  # line 12
    "    # END SOLUTION\n"  # line 13
)


def test_block_is_replaced_by_todo_and_not_implemented():
    stub = strip_solutions(GOOD, {"task": ("9.1", "multiply by two")}, "mod.py")
    assert "y = x * 2" not in stub
    assert "    # TODO: Task 9.1 — multiply by two\n" in stub
    assert '    raise NotImplementedError("Task 9.1: task")\n' in stub
    assert "def provided(x):\n    return x + 1" in stub
    assert '"""Task 9.1: double."""' in stub
    namespace = {}
    exec(compile(stub, "mod.py", "exec"), namespace)
    with pytest.raises(NotImplementedError, match="Task 9.1: task"):
        namespace["task"](1)


def _mutate(old, new):
    return GOOD.replace(old, new, 1)


@pytest.mark.parametrize("source,message", [
    (_mutate("    y = x * 2\n", "    # BEGIN SOLUTION\n    y = x * 2\n"), r"mod.py:11: nested"),
    (_mutate("    # BEGIN SOLUTION\n", ""), r"mod.py:12: '# END SOLUTION' without a matching"),
    (_mutate("    # END SOLUTION\n", ""), r"mod.py:10: '# BEGIN SOLUTION' is never closed"),
    (_mutate("    # END SOLUTION", "  # END SOLUTION"), r"mod.py:13: .* indented differently"),
    (_mutate("    return y\n", "  return_y = 1\n"), r"mod.py:12: .* indented less"),
    (_mutate("    # BEGIN SOLUTION", "    # BEGIN SOLUTION here"), r"mod.py:10: malformed"),
    (_mutate("    # BEGIN SOLUTION", "    #BEGIN SOLUTIONS"), r"mod.py:10: malformed"),
    (_mutate("    y = x * 2\n    return y\n", ""), r"mod.py:10: empty solution block"),
])
def test_grammar_violations_abort_with_file_and_line(source, message):
    with pytest.raises(MarkerError, match=message):
        find_blocks(source, "mod.py")


def test_block_outside_a_function_is_an_error():
    source = "# BEGIN SOLUTION\nX = 1\n# END SOLUTION\n"
    with pytest.raises(MarkerError, match="mod.py:1: solution block is not inside a function"):
        find_blocks(source, "mod.py")


def test_two_blocks_in_one_function_is_an_error():
    source = GOOD.replace("    return y\n", "    # END SOLUTION\n    # BEGIN SOLUTION\n    return y\n")
    with pytest.raises(MarkerError, match="second solution block in function 'task'"):
        find_blocks(source, "mod.py")


def test_task_without_block_would_leak_and_aborts():
    with pytest.raises(MarkerError, match="task function 'provided' has no solution block"):
        strip_solutions(GOOD, {"task": ("9.1", "h"), "provided": ("9.2", "h")}, "mod.py")


def test_block_in_a_function_that_is_not_a_task_aborts():
    with pytest.raises(MarkerError, match="not a task in course.yml"):
        strip_solutions(GOOD, {}, "mod.py")


def test_every_solution_file_parses_under_the_grammar():
    from autograder.runtime.manifest import load_manifest
    from autograder.authoring.release import SOLUTIONS_DIR, _tasks_by_file

    tasks = _tasks_by_file(load_manifest())
    for (package, file), functions in tasks.items():
        blocks = find_blocks((SOLUTIONS_DIR / package / file).read_text(), f"{package}/{file}")
        assert {block.function for block in blocks} == set(functions), f"{package}/{file}"
