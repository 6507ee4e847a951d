"""Staged releases: which assignments a release ships and protects, and the provided code it withholds.

``course release --assignment a2`` ships the graded assignments and, transitively, every earlier one whose
code they import or whose tasks they use (stubs: the student's own code goes there), and protects the shipped
packages and every later one: no provided function in the release may reveal one of their graded solutions
(:func:`autograder.authoring.leak_scan.revealed_solutions`). A provided function that would is withheld: its
body becomes a ``NotImplementedError`` naming the student's own function to start from, and the handouts of
its package list it.
"""

import ast
import re
import textwrap
from pathlib import Path

from ..runtime.manifest import LANGUAGES
from ..runtime.messages import t
from .leak_scan import graded_solutions, revealed_solutions


class StagingError(ValueError):
    """The assignments asked for do not make a release (unknown ID, a manifest that cannot be cut)."""


def _withheld_body(name, package, function, task_id, lang):
    comment = textwrap.wrap(t("release.withheld_comment", lang=lang, task_id=task_id, function=function,
                              package=package), 110)
    error = t("release.withheld_error", lang=lang, name=name, task_id=task_id, function=function)
    return [f"    # {line}\n" for line in comment] + [f"    raise NotImplementedError({error!r})\n"]


def withhold(out, written, solutions_dir, protected, function_tasks, lang="en"):
    """Withhold, in the written ``assignments/`` files, every provided function that reveals a protected
    graded solution. Returns one line per withheld function ("assignments/...py: name (reveals pkg.fn)").

    A2's provided ``relu_rnn_backward`` is Task 1.4's BPTT loop with another step function: a release that
    ships A1 (graded, or as the place of the student's own A1 code) withholds it. The comment and the error of
    a withheld function are in ``lang``, the release's language.
    """
    graded = graded_solutions(solutions_dir, protected)
    withheld = []
    for relative in list(written):
        if relative.suffix != ".py" or relative.parts[0] != "assignments":
            continue
        path = out / relative
        text = path.read_text(encoding="utf-8")
        found = revealed_solutions(text, graded, str(relative))
        if not found:
            continue
        lines = text.splitlines(keepends=True)
        tree = {node.name: node for node in ast.parse(text).body if isinstance(node, ast.FunctionDef)}
        best = {}
        for name, _, _, key, shared in found:
            if name not in best or shared > best[name][1]:
                best[name] = (key, shared)
        for name in sorted(best, key=lambda n: -tree[n].lineno):  # bottom up: earlier line numbers stay valid
            (package, function), _ = best[name]
            node = tree[name]
            body_start = node.body[1].lineno if len(node.body) > 1 and isinstance(node.body[0], ast.Expr) \
                else node.body[0].lineno
            docstring = "".join(lines[node.lineno - 1: body_start - 1]).replace(
                '"""Provided: ', '"""Yours to write (not graded): ', 1)
            lines[node.lineno - 1: node.end_lineno] = [docstring] + _withheld_body(
                name, package, function, function_tasks.get((package, function), "?"), lang)
            withheld.append(f"{relative}: {name} (reveals {package}.{function})")
        path.write_text("".join(lines), encoding="utf-8")
    note_withheld_in_handouts(out, withheld)
    return withheld


def note_withheld_in_handouts(out, withheld):
    """Append the list of withheld functions to the handouts of their packages (every language)."""
    by_package = {}
    for line in withheld:
        relative, rest = line.split(": ", 1)
        by_package.setdefault(Path(relative).parts[1], []).append(f"- `{rest.split(' ')[0]}` "
                                                                  f"(`{Path(relative).name}`)\n")
    for package, items in by_package.items():
        for lang in LANGUAGES:
            handout = out / "assignments" / package / ("README.md" if lang == "en" else f"README.{lang}.md")
            if handout.exists():
                handout.write_text(handout.read_text(encoding="utf-8") + t("release.withheld_note", lang=lang)
                                   + "".join(items),
                                   encoding="utf-8")


ASSIGNMENT_LINE = re.compile(r"^  - id: (\S+)\s*$", re.MULTILINE)


def filter_manifest_text(text, keep):
    """course.yml with only the assignments whose ids are in ``keep`` (comments and order kept).

    An assignment's block runs from its ``  - id:`` line to the next one or the end of the file
    (``assignments:`` is the manifest's last top-level key; checked).
    """
    starts = [(m.start(), m.group(1).strip('"\'')) for m in ASSIGNMENT_LINE.finditer(text)]
    if not starts:
        raise StagingError("course.yml: no '  - id: <assignment>' line under assignments:")
    if re.search(r"^\S", text[starts[0][0]:], re.MULTILINE):
        raise StagingError("course.yml: assignments: must be the last top-level key for a staged release")
    out = [text[:starts[0][0]]]
    for (start, assignment_id), (end, _) in zip(starts, starts[1:] + [(len(text), None)]):
        if assignment_id in keep:
            out.append(text[start:end])
    return "".join(out)


def _imported_packages(solutions_dir, package):
    """The course packages that ``package``'s solution files import (``from ..a1_vanilla_rnn...``)."""
    found = set()
    for path in (Path(solutions_dir) / package).glob("*.py"):
        found.update(re.findall(r"^from \.\.(\w+)", path.read_text(encoding="utf-8"), re.MULTILINE))
    return found


def release_selection(manifest, assignment_ids, solutions_dir):
    """What a staged release ships and protects.

    Inputs:
    - manifest: the full course manifest
    - assignment_ids: the assignments the release grades (e.g. ("a2",))

    Returns:
    - (shipped ids, protected packages): shipped = the graded assignments and, transitively, every
      earlier one whose code they import or whose tasks they use (the student's own code goes there);
      protected = the shipped packages and those of every assignment after the last graded one.
    """
    by_id = {a.id: a for a in manifest.assignments}
    by_package = {a.package: a for a in manifest.assignments}
    unknown = [a for a in assignment_ids if a not in by_id]
    if unknown:
        raise StagingError(f"unknown assignment(s) {unknown}; course.yml has {', '.join(by_id)}")
    task_owner = {task.id: task.assignment_id for task in manifest.tasks}
    shipped, todo = set(), list(assignment_ids)
    while todo:
        current = by_id[todo.pop()]
        if current.id in shipped:
            continue
        shipped.add(current.id)
        needed = {by_package[p].id for p in _imported_packages(solutions_dir, current.package) if p in by_package}
        needed |= {task_owner[used] for task in current.tasks for used in task.uses}
        todo.extend(needed - shipped)
    last = max(by_id[a].number for a in assignment_ids)
    protected = [a.package for a in manifest.assignments if a.id in shipped or a.number > last]
    return tuple(a.id for a in manifest.assignments if a.id in shipped), tuple(protected)


