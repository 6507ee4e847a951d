"""Grade failing tasks again with their upstream tasks answered by the reference (see dependency_answers).

After the unproxied run (every task graded with the student's own upstream functions, in children with no
dependency channel), each failing task that uses other tasks runs its cases again in children whose calls to
those tasks are answered by the grader; the task keeps whichever run passes more checks. When the proxied run
is better, the task's report says which tasks were answered by the reference (``dependency.answered``);
otherwise it keeps its own run, and notes the calls the reference refused (``dependency.bad_call``).
Tasks that fail only because they (or their cache providers) are not implemented are not run again.
Only the upstream tasks that need it are answered: those that failed (or were not graded in this run) and the
forward tasks whose caches their backward tasks take; an upstream task that passed every check runs as the
student's own (it agrees with the reference on every shape graded, and each answered call costs a round trip).
A task that still fails and takes its cache from a failing forward task of the student's says so
(``dependency.provider_failed``): that loss may be the forward task's.
"""

from dataclasses import replace

from ..runtime import harness
from .checks import TaskResult
from .dependency_answers import Answers, answered_note, cache_providers, groups, plan, provider_note


def _passed(result):
    return sum(check.passed for check in result.checks)


def _run_group(root, group, cases, limits, reference, tolerances, needed, timeouts=None):
    """{task id: TaskResult} of the group's tasks graded with their served tasks answered; and the tasks asked."""
    from .grade import grade_case, run_cases  # grade imports this module

    mine = [replace(case, call=k) for k, case in enumerate(case for case in cases if case.task.id in group)]
    plans = [plan(task_id) for task_id in group]
    answers = Answers(set().union(*(p.served for p in plans)) & needed, reference)
    requests = [{"kind": "call", "task_id": case.task.id, "args": case.args} for case in mine]
    calls, losses, naming = run_cases(root, requests, mine, limits, timeouts, answers=answers,
                                      tolerance=tolerances["gradcheck"])
    retried = {}
    for i, case in enumerate(mine):
        task = case.task
        result = retried.setdefault(task.id, TaskResult(task.id, task.function, "", task.assignment_id, task.points))
        grade_case(case, calls[case.call], losses.get(i), reference, tolerances, result, naming=naming.get(i))
    return retried, answers.asked


def _may_improve(result):
    """False when every failed check is a stub of the task itself or of a task it runs as the student's
    (its cache provider), or a module that could not be imported (a second child would import it again):
    the reference's answers cannot help."""
    fixed = plan(result.task_id).fixed
    return any(found.code not in ("grade.not_implemented", "import.failed", "import.failed_in")
               and not (found.code == "grade.uses_unimplemented" and found.fields.get("other") in fixed)
               for check in result.checks for found in check.problems)


def needing_answers(results):
    """The tasks whose calls are answered: every task that did not pass (or was not graded here), and, closed
    under it, the cache providers of those (a backward task is answered only with the cache of an answered
    forward). One set for every child, so the groups' rule (no child serves a task it grades) still holds."""
    needed = {task.id for task in harness.course_manifest().tasks
              if task.id not in results or not results[task.id].passed}
    todo = list(needed)
    while todo:
        for provider in cache_providers(todo.pop()) - needed:
            needed.add(provider)
            todo.append(provider)
    return frozenset(needed)


def regrade_dependents(root, tasks, cases, results, limits, reference, tolerances, timeouts=None):
    """Update ``results`` ({task id: TaskResult}) of failing tasks that use others: the better of both runs."""
    needed = needing_answers(results)
    # a task none of whose served tasks needs answering would run again exactly as it ran: not run
    failing = [task.id for task in tasks if not results[task.id].passed and plan(task.id).served & needed
               and _may_improve(results[task.id])]
    for group in groups(failing):
        retried, asked = _run_group(root, group, cases, limits, reference, tolerances, needed, timeouts)
        for task_id, after in retried.items():
            before = results[task_id]
            if _passed(after) > _passed(before):
                before.checks, before.max_error, before.mistakes = after.checks, after.max_error, after.mistakes
                before.notes.append(answered_note(task_id, (asked & plan(task_id).served) or plan(task_id).served))
            else:  # the student's own run stays; an upstream call the reference refused is still worth saying
                before.notes += [found for found in after.problems if found.code == "dependency.bad_call"][:2]
    for task in tasks:
        result = results[task.id]
        if not result.passed:
            result.notes += [provider_note(task.id, other) for other in sorted(cache_providers(task.id))
                             if other in results and not results[other].passed]
