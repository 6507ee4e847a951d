"""The task harness shared by the public tests and the graders.

Each task of ``course.yml`` has one :class:`TaskSpec`, registered by its ID in
the case module of its assignment, ``cases_<assignment id>.py``. A spec says how
to exercise the task, never which function it is: the function is the
manifest's (``task.module``, ``task.function``), looked up in the implementation
under test (``load("a3_lstm.lstm")`` imports a module of the reference or of a
student's package alike).

- ``inputs(rng, **dims)`` builds the arguments (float64) for one shape;
- ``call`` lists the function's positional arguments in order: an input name,
  :class:`OutputOf` (an output of another task's call on the same inputs, such
  as the cache of the forward task, so cache formats are the student's choice),
  or a function of the inputs; ``outputs`` names what the function returns, in
  order (a single name: one returned value); outputs named :data:`CACHE` are
  passed on, never graded;
- ``adapter(function, load, args)`` replaces ``call``/``outputs`` for irregular
  tasks (several calls, keyword arguments, an rng) and returns the outputs;
- ``grad_checks`` (backward tasks): a scalar ``loss(load, args)`` (usually
  :func:`weighted_loss` of the forward task's outputs) and which output is the
  gradient of which input, for a numerical gradient check of the
  implementation's backward against its own forward (:mod:`.gradient_check`);
- ``properties(args, outputs)`` (tasks with randomness of their own, such as
  initialisers and data generators): a list of Problems, used instead of
  comparing to expected values.

The check functions (:func:`check_outputs`, :func:`mutation_problems`, the
property checks) return :class:`~.problems.Problem` values (message codes and
fields), never text and never exceptions for bad outputs; the public tests and
the graders' reports render them. The graders run only :func:`call` in the
student's process and do every check themselves (see autograder/grading/).
"""

import copy
import importlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .manifest import find_manifest, load_manifest
from .problems import problem

# The message of every stub: raise NotImplementedError("Task 3.4: lstm_step_backward")
NOT_IMPLEMENTED = re.compile(r"Task (\d+\.\d+): (\w+)")
IMPL_ENV = "RNN_COURSE_IMPL"
DEFAULT_IMPL = "assignments"

# (N, T, D, H) used by the public fixtures: a general shape, and N = 1, T = 1 with D != H.
PUBLIC_DIMS = ({"N": 2, "T": 3, "D": 4, "H": 5}, {"N": 1, "T": 1, "D": 3, "H": 2})


def implementation_package():
    """The package under test: $RNN_COURSE_IMPL, "assignments" by default."""
    return os.environ.get(IMPL_ENV, DEFAULT_IMPL)


def make_loader(package=None):
    package = package or implementation_package()

    def load(module):
        return importlib.import_module(f"{package}.{module}")

    load.package = package  # names what it loads (a batch keeps in-process runs by it)
    return load


# The output name of what a forward function returns for its backward pass: passed on, never graded.
CACHE = "cache"


@dataclass(frozen=True)
class GradCheck:
    loss: object  # loss(load, args) -> float
    wrt: dict  # output name -> input name (a top-level array argument)


@dataclass(frozen=True)
class OutputOf:
    """An argument of a call: the output ``name`` of task ``task_id``'s call on the same inputs (its cache by default)."""
    task_id: str
    name: str = CACHE


@dataclass(frozen=True)
class TaskSpec:
    task_id: str
    inputs: object  # inputs(rng, N, T, D, H) -> {name: value}
    call: tuple = ()  # the positional arguments: input names, OutputOf(...) or functions of the inputs
    outputs: tuple = ()  # names of the returned values, in order; CACHE ones are not graded
    adapter: object = None  # adapter(function, load, args) -> {name: value}, instead of call/outputs
    grad_checks: GradCheck = None
    properties: object = None
    dims: tuple = PUBLIC_DIMS  # the public fixtures' shapes
    integer_outputs: tuple = field(default=())
    # the hidden graders' shapes, when a task needs its own; None: the graders' standard shapes
    # (autograder.grading.grade.GRADER_DIMS)
    grader_dims: tuple = None

    @property
    def kind(self):
        """"backward" (outputs are gradients: gradient tolerance) when the spec has a gradient check, else "forward"."""
        return "forward" if self.grad_checks is None else "backward"

    def run(self, load, args):
        """The graded outputs of the implementation's call on ``args`` (the cache left out)."""
        return {name: value for name, value in call_task(self.task_id, load, args).items() if name != CACHE}


REGISTRY = {}
_COURSE = {}


def register(spec):
    if spec.task_id in REGISTRY:
        raise ValueError(f"task {spec.task_id} registered twice")
    REGISTRY[spec.task_id] = spec
    return spec


def course_manifest():
    """The course.yml of this tree (the nearest one above this runtime), read once: the functions the harness calls."""
    if "manifest" not in _COURSE:
        _COURSE["manifest"] = load_manifest(find_manifest(Path(__file__).resolve().parent), check_files=False)
    return _COURSE["manifest"]


def all_specs():
    """Every task's spec, from ``cases_<assignment id>.py`` of each assignment of the manifest.

    Raises LookupError when a task of the manifest has no spec, or a spec belongs to no task.
    """
    if "specs" not in _COURSE:
        manifest = course_manifest()
        for assignment in manifest.assignments:
            importlib.import_module(f"{__package__}.cases_{assignment.id}")  # registration side effect
        tasks = {task.id: task for task in manifest.tasks}
        problems = [f"Task {task.id} ({task.function}) has no spec in cases_{task.assignment_id}.py"
                    for task in tasks.values() if task.id not in REGISTRY]
        problems += [f"a spec is registered for Task {task_id}, which {manifest.path} does not declare"
                     for task_id in REGISTRY if task_id not in tasks]
        if problems:
            raise LookupError("; ".join(problems))
        _COURSE["specs"] = tuple(tasks)  # checked once; the specs are read from the registry on every call
    return {task_id: REGISTRY[task_id] for task_id in _COURSE["specs"]}


def task_function(task_id, load):
    """The implementation's function of a task: ``load(task.module).<task.function>`` of the manifest."""
    task = course_manifest().task(task_id)
    return getattr(load(task.module), task.function)


# The output name under which call_task keeps a returned value that is not the documented tuple (wrong length,
# a dict, one array): the checks then say what was returned instead of calling every output missing.
RETURNED = "@returned"


def _argument(entry, load, args):
    if isinstance(entry, OutputOf):
        outputs = call_task(entry.task_id, load, args)
        if entry.name not in outputs:
            names = ", ".join(all_specs()[entry.task_id].outputs)
            raise ValueError(f"Task {entry.task_id} did not return the documented tuple ({names}), so its "
                             f"{entry.name} cannot be passed on")
        return outputs[entry.name]
    if callable(entry):
        return entry(args)
    return args[entry]


def call_task(task_id, load, args):
    """Call the implementation's function of ``task_id`` as its spec says; returns {output name: value}, cache included."""
    spec = all_specs()[task_id]
    function = task_function(task_id, load)
    if spec.adapter is not None:
        return spec.adapter(function, load, args)
    returned = function(*(_argument(entry, load, args) for entry in spec.call))
    if len(spec.outputs) == 1:
        return {spec.outputs[0]: returned}
    if not isinstance(returned, (tuple, list)) or len(returned) != len(spec.outputs):
        return {RETURNED: returned}  # reported by check_outputs as "returned ..., expected a tuple of ..."
    return dict(zip(spec.outputs, returned))


def weighted_loss(weights):
    """A gradient check's loss: the sum over ``{OutputOf(task, output): weight}`` of sum(output * args[weight]).

    A weight of None takes the output itself (a scalar loss). Each task is called once per evaluation.
    """
    def loss(load, args):
        calls = {}
        total = 0.0
        for source, weight in weights.items():
            if source.task_id not in calls:
                calls[source.task_id] = call_task(source.task_id, load, args)
            value = calls[source.task_id][source.name]
            total += float(value) if weight is None else float(np.sum(np.asarray(value) * args[weight]))
        return total

    return loss


# rel_error and norm_rel_error repeat solutions/common/gradcheck.py on purpose: the checks must not
# call the copy in the student's package, which the student can edit.
def rel_error(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)), initial=0.0))


def norm_rel_error(a, b):
    """||a - b|| / max(1e-6, ||a|| + ||b||): robust to tiny entries, used for numerical gradient checks."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(1e-6, np.linalg.norm(a) + np.linalg.norm(b)))


def _is_number_list(value):
    """A (nested) list or tuple of plain numbers, such as [[0.1, 0.2]]: converted to one array, not split."""
    return isinstance(value, (list, tuple)) and len(value) > 0 and all(
        (isinstance(item, (int, float, np.number)) and not isinstance(item, bool)) or _is_number_list(item)
        for item in value)


def _leaves(value, prefix=""):
    """Flatten nested dicts/lists/tuples of arrays into {"a.b.0": value}; lists of numbers stay whole."""
    if isinstance(value, dict):
        for key in value:
            yield from _leaves(value[key], f"{prefix}{key}.")
    elif isinstance(value, (list, tuple)) and not _is_number_list(value):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{prefix}{index}.")
    else:
        yield prefix[:-1], value


def as_array(value):
    """np.asarray(value), or a 0-d object array when numpy cannot convert it (ragged lists, odd objects)."""
    try:
        return np.asarray(value)
    except Exception:  # noqa: BLE001 - whatever the student returned, it is reported, never raised
        return np.array(None, dtype=object)


def is_numeric(array):
    """Booleans, integers or reals (not complex, strings, objects)."""
    return array.dtype.kind in "biuf"


def flatten(outputs):
    """Flat dict of arrays from a run's outputs (nested dicts/lists become dotted names)."""
    return {name: as_array(value) for name, value in _leaves(outputs)}


def _output_problem(spec, name, got, want, tolerance):
    """The problem of one output compared with its expected value, or None."""
    if not is_numeric(got):
        return problem("output.not_numeric", name=name)
    if got.shape != want.shape:
        return problem("output.shape", name=name, got=got.shape, want=want.shape)
    if name in spec.integer_outputs:
        if not np.issubdtype(got.dtype, np.integer) or not np.array_equal(got, want):
            return problem("output.integers", name=name, got=got.tolist(), want=want.tolist())
        return None
    if got.dtype != np.float64:
        return problem("output.dtype", name=name, got=str(got.dtype))
    if not np.all(np.isfinite(got)):
        return problem("output.nonfinite", name=name)
    error = rel_error(got, want)
    if not error <= tolerance:
        return problem("output.differs", name=name, error=error, tolerance=tolerance)
    return None


def _children(outputs, name):
    """{first path segment: [flat names]} of the outputs inside ``name`` ("h.0.1" -> {"0": ["h.0.1"]})."""
    children = {}
    for other in outputs:
        if other.startswith(f"{name}."):
            children.setdefault(other[len(name) + 1:].split(".")[0], []).append(other)
    return children


def _nested(outputs, name):
    """The value at ``name`` rebuilt from flat leaves: an array, or nested lists of them (lists split by flatten)."""
    if name in outputs:
        return outputs[name]
    children = _children(outputs, name)
    if not children or not all(key.isdigit() for key in children) or \
            sorted(map(int, children)) != list(range(len(children))):
        raise KeyError(name)
    return [_nested(outputs, f"{name}.{k}") for k in range(len(children))]


def assemble_list(outputs, name):
    """A list or tuple returned where one array is documented, converted with np.array: (array, item count).

    Returns (None, count) when the items do not make one numeric array (ragged, not numbers), and
    (None, 0) when ``name`` is not a list at all."""
    try:
        items = _nested(outputs, name)
    except KeyError:
        return None, 0
    try:
        array = np.array(items)
    except Exception:  # noqa: BLE001 - ragged lists are reported, never raised
        return None, len(items)
    return (array if is_numeric(array) else None), len(items)


def returned_problem(spec, outputs):
    """The problem of what call_task kept under RETURNED (one array, a tuple of the wrong length, a dict...)."""
    fields = {"count": len(spec.outputs), "names": ", ".join(spec.outputs)}
    if RETURNED in outputs:
        value = as_array(outputs[RETURNED])
        if is_numeric(value):
            return problem("output.returned_array", got=value.shape, **fields)
        return problem("output.returned_other", **fields)
    children = _children(outputs, RETURNED)
    if all(key.isdigit() for key in children):
        return problem("output.returned_tuple", got=len(children), **fields)
    return problem("output.returned_dict", got=sorted(children), **fields)


def _missing_problem(spec, name, outputs, expected, reported):
    """The problem of an expected output that has no array of its own name (None once its parent is reported)."""
    if RETURNED in outputs or _children(outputs, RETURNED):
        if "returned" in reported:
            return None
        reported.add("returned")
        return returned_problem(spec, outputs)
    parent = name.rsplit(".", 1)[0] if "." in name else None
    if parent is not None and _children(outputs, parent):
        if parent in reported:
            return None
        reported.add(parent)
        want = sorted(other[len(parent) + 1:] for other in expected if other.startswith(f"{parent}."))
        return problem("output.dict_keys", name=parent, got=sorted(_children(outputs, parent)), want=want)
    array, count = assemble_list(outputs, name)
    if count:  # a list whose items do not make one numeric array
        shapes = [tuple(as_array(outputs[leaf]).shape) for leaf in sorted(outputs) if leaf.startswith(f"{name}.")]
        return problem("output.not_array", name=name, count=count, shapes=shapes[:6],
                       want=tuple(np.shape(expected[name])))
    return problem("output.missing", name=name, got=sorted(outputs)[:10])


def check_outputs(spec, outputs, expected, tolerance):
    """Compare outputs (flat arrays) with expected ones; return a list of Problems (never raises on bad outputs).

    Lenient on form: a list or tuple returned where one array is documented (split into "h.0", "h.1"... by
    :func:`flatten`) is converted with np.array and checked like an array; when its converted shape is wrong
    the problem says it was a list. Strict on values: everything else is compared as for an array.
    """
    problems, reported = [], set()
    for name, want in expected.items():
        want = np.asarray(want)
        if name in outputs:
            found = _output_problem(spec, name, as_array(outputs[name]), want, tolerance)
        else:
            array, count = assemble_list(outputs, name)
            if array is not None:
                found = _output_problem(spec, name, array, want, tolerance)
                if found is not None and found.code == "output.shape":
                    found = problem("output.list_shape", name=name, count=count, got=array.shape, want=want.shape)
            else:
                found = _missing_problem(spec, name, outputs, expected, reported)
        if found is not None:
            problems.append(found)
    return problems


def fresh_copy(value, memo=None):
    """A deep copy of arguments (dicts, lists and tuples of arrays and numbers), without ``copy.deepcopy``'s cost
    per element: numeric arrays are copied in their own layout, an array met twice is copied once (as deepcopy
    does); anything else goes to deepcopy."""
    memo = {} if memo is None else memo
    if isinstance(value, np.ndarray) and value.dtype.kind in "biufc":
        if id(value) not in memo:
            memo[id(value)] = (value, value.copy(order="K"))  # the original is kept alive while its id is a key
        return memo[id(value)][1]
    if type(value) is dict:
        return {key: fresh_copy(item, memo) for key, item in value.items()}
    if type(value) in (list, tuple):
        return type(value)(fresh_copy(item, memo) for item in value)
    if value is None or type(value) in (int, float, bool, str, np.float64):
        return value
    return copy.deepcopy(value)


def call(spec, load, args):
    """Run the implementation on a deep copy of the arguments; returns (flat outputs, flat arguments after)."""
    given = fresh_copy(args)
    outputs = flatten(spec.run(load, given))
    return outputs, flatten(given)


def mutation_problems(args, args_after):
    """A Problem for every argument whose value after the call (flat arrays) differs from the one given."""
    problems = []
    before = flatten(args)
    for name in args:
        leaves = [leaf for leaf in before if leaf == name or leaf.startswith(f"{name}.")]
        same = all(leaf in args_after and _equal(before[leaf], args_after[leaf]) for leaf in leaves)
        if not same:
            problems.append(problem("argument.mutated", name=name))
    return problems


def _equal(a, b):
    a, b = as_array(a), as_array(b)
    return is_numeric(b) and a.shape == b.shape and bool(np.array_equal(a, b))


def run_case(spec, load, args):
    """Run one case in this process: (flat outputs, a Problem for every argument modified in place)."""
    outputs, args_after = call(spec, load, args)
    return outputs, mutation_problems(args, args_after)


def require_arrays(outputs, names):
    """Problems for outputs that are missing or not numeric (property checks call this before using them)."""
    problems = []
    for name in names:
        if name not in outputs:
            problems.append(problem("output.missing", name=name))
        elif not is_numeric(as_array(outputs[name])):
            problems.append(problem("output.not_numeric", name=name))
    return problems

