"""Grade a task relative to correct upstream tasks: the grader answers the student's calls to them.

A bug costs the task that holds it. When task Y uses task X (``uses`` in course.yml, transitively), a wrong X
would also fail Y. So, when Y fails, the grader runs Y's cases again in a child where X's function is a proxy
(:mod:`.dependency_proxies`): every call the student's code makes to X is sent to this process, which answers
with the reference's outputs for exactly those arguments (forward calls by value, a forward's cache kept here
and replaced by a token, a backward answered from the reference cache its token names). Y keeps the better of
the two runs; when the proxied one is better, Y's report says which tasks were answered by the reference.

What a child may ask (:class:`Plan`): for Y's calls, every task upstream of what the harness calls, except the
tasks the harness calls as the student's (Y itself and the forward whose cache it passes to Y); for the gradient
check's losses, the same for the loss's tasks; the child that runs both serves both. A child never gets the answers of a task
whose student function it runs for grading (:func:`groups` keeps that true for several tasks in one child),
and tasks are graded unproxied first, in a child with no channel at all. Answers are computed here, by the
reference of this process: no reference code enters the sandbox.

When the student's own forward is also there, the forward proxy returns the student's own cache (the one their
forward makes on the same arguments) in place of the token, and a backward proxy that receives it sends the
token: code that looks into its own cache (for a shape, say) keeps working.

Not isolated (see :func:`not_isolated`): a backward task takes its cache from the student's own forward task,
since a cache's format is the student's choice: Task 1.2 from 1.1, 1.4 from 1.3, 1.6 from 1.5, 1.12 from 1.11,
1.14 from 1.13, 1.16 from 1.15, 2.9 from 2.8, 3.11 from 3.10, 3.13 from 3.12, 4.8 from 4.7, 4.10 from 4.9 and 4.12 from 4.11.
A bug in that forward can still cost the backward task (never the tasks further down, whose calls to both are
answered), and the backward task's report then names the forward task (``dependency.provider_failed``).
Calls the proxy cannot carry (other types than arrays, numbers, strings, lists, tuples and dicts, e.g. an rng;
no task that another uses takes one) and backward calls whose cache is neither a token nor a student cache that
stands for one go to the student's own function; so do the copies of a function the proxies do not replace
(kept in a dict, a default argument or a closure): such calls are not isolated, and cost what they cost before.
"""

import functools
import inspect
import os
import socket
import sys
import threading
import traceback
from dataclasses import dataclass

import numpy as np

from ..runtime import harness
from ..runtime.problems import problem
from . import dependency_proxies as wire

MAX_CALLS = 100_000  # answers per child
MAX_STORED_BYTES = 512 * 1024**2  # reference caches kept for one child


# ---- which tasks a child may ask ---------------------------------------------------------------------------
class _Recorder:
    """A module of the reference that records which task functions the harness looks up."""

    def __init__(self, module, name, seen):
        self._module, self._name, self._seen = module, name, seen

    def __getattr__(self, attribute):
        self._seen.add((self._name, attribute))
        return getattr(self._module, attribute)


@functools.lru_cache(maxsize=None)
def harness_calls(task_id):
    """(tasks the harness calls for task_id's "call" request, tasks its gradient-check loss calls), frozensets.

    Recorded by running the reference through the harness once (the adapters may call other tasks)."""
    manifest = harness.course_manifest()
    by_function = {(task.module, task.function): task.id for task in manifest.tasks}
    spec = harness.all_specs()[task_id]
    reference = harness.make_loader("solutions")
    args = spec.inputs(np.random.default_rng(0), **(spec.grader_dims or spec.dims)[0])

    def record(run):
        seen = set()
        run(lambda module: _Recorder(reference(module), module, seen))
        return frozenset(by_function[key] for key in seen if key in by_function)

    calls = record(lambda load: harness.call_task(task_id, load, args))
    losses = record(lambda load: spec.grad_checks.loss(load, args)) if spec.grad_checks else frozenset()
    return calls, losses


def upstream(task_ids, manifest=None):
    """Every task reachable through ``uses`` from ``task_ids`` (not themselves, unless reachable), in ``manifest``
    (default: the course the harness grades)."""
    manifest = manifest or harness.course_manifest()
    found, todo = set(), list(task_ids)
    while todo:
        for used in manifest.task(todo.pop()).uses:
            if used not in found:
                found.add(used)
                todo.append(used)
    return frozenset(found)


def cache_providers(task_id):
    """The tasks whose cache the harness passes to task_id (the student's own, never proxied)."""
    specs = harness.all_specs()
    calls, _ = harness_calls(task_id)
    return frozenset(other for other in calls - {task_id} if harness.CACHE in specs[other].outputs)


@dataclass(frozen=True)
class Plan:
    """What task_id's proxied child may ask: ``call_served`` (for its calls), ``loss_served`` (for the gradient
    check's losses); the child that runs both serves both (``served``)."""
    task_id: str
    fixed: frozenset  # run as the student's in both children: the task and its cache providers
    call_tasks: frozenset
    loss_tasks: frozenset
    call_served: frozenset
    loss_served: frozenset

    @property
    def served(self):
        return self.call_served | self.loss_served

    @property
    def graded(self):
        """The tasks whose student function the harness runs in the child (for the calls or the losses)."""
        return (self.call_tasks | self.loss_tasks) - self.served


@functools.lru_cache(maxsize=None)
def plan(task_id):
    calls, losses = harness_calls(task_id)
    fixed = frozenset({task_id}) | cache_providers(task_id)

    def served(tasks):
        return ((tasks - fixed) | upstream(tasks)) - fixed

    return Plan(task_id, fixed, calls, losses, served(calls), served(losses))


def not_isolated():
    """{task id: its cache providers}: the tasks a bug in another task can still cost (documented limit)."""
    return {task.id: sorted(cache_providers(task.id)) for task in harness.course_manifest().tasks
            if cache_providers(task.id)}


def groups(task_ids):
    """Task IDs in groups that can share children: no child serves a task whose student function it grades.

    Greedy, in the given order; returns [[task id]]."""
    out = []
    for task_id in task_ids:
        mine = plan(task_id)
        for group in out:
            plans = [plan(other) for other in group] + [mine]
            if not set().union(*(p.served for p in plans)) & set().union(*(p.graded for p in plans)):
                group.append(task_id)
                break
        else:
            out.append([task_id])
    return out


# ---- answering a child --------------------------------------------------------------------------------------
class Answers:
    """The answers of one group's children: ``proxies`` for the child's job, ``channel()`` per process."""

    def __init__(self, served, reference):
        manifest = harness.course_manifest()
        self.served = frozenset(served)
        self.proxies = [[task_id, manifest.task(task_id).module, manifest.task(task_id).function]
                        for task_id in sorted(self.served)]
        self.reference = reference
        self.asked = set()  # the served tasks the student's code called

    def channel(self):
        return Channel(self)


class _Stored:
    """A reference cache named by a token, while decoding a call's arguments."""

    def __init__(self, cache):
        self.cache = cache


class Channel:
    """One child process's socket: ``child_fd`` is inherited by the child; a thread answers until it closes."""

    def __init__(self, answers):
        self.answers = answers
        self._mine, self._theirs = socket.socketpair()
        self.child_fd = self._theirs.fileno()
        os.set_inheritable(self.child_fd, True)
        self._tokens, self._stored_bytes, self._calls = {}, 0, 0
        self._thread = None

    def started(self):
        """After the child started: drop this process's copy of its end, and serve."""
        self._theirs.close()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def close(self):
        """After the child (and everything it started) ended."""
        if self._theirs.fileno() != -1:
            self._theirs.close()
        try:
            self._mine.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        if self._thread is not None:
            self._thread.join(timeout=60)
        self._mine.close()

    def _serve(self):
        try:
            while self._calls < MAX_CALLS:
                message, payload = wire.read_frame(self._mine)
                self._calls += 1
                answer, answer_payload = self._answer(message, payload)
                self._mine.sendall(wire.frame(answer, answer_payload))
        except (EOFError, OSError):
            pass
        except wire.MalformedMessage as error:
            print(f"grader: dependency channel closed: {error}", file=sys.stderr)
        except Exception:  # noqa: BLE001 - a bad request closes this channel, never the grader
            print(f"grader: dependency channel failed:\n{traceback.format_exc()}", file=sys.stderr)
        finally:  # the child sees the channel closed (EOFError in its proxy), never waits for an answer
            try:
                self._mine.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _answer(self, message, payload):
        """(answer, payload) for one request; MalformedMessage ends the channel."""
        task_id = message.get("task")
        if task_id not in self.answers.served or set(message) != {"task", "args", "kwargs"}:
            return {"error": f"Task {str(task_id)[:20]} is not answered here"}, b""
        args = wire.decode(np, message["args"], payload, token=self._stored)
        kwargs = wire.decode(np, message["kwargs"], payload, token=self._stored)
        if not isinstance(args, list) or not isinstance(kwargs, dict) or not all(isinstance(k, str) for k in kwargs):
            raise wire.MalformedMessage("bad arguments")
        self.answers.asked.add(task_id)
        function = harness.task_function(task_id, self.answers.reference)
        try:
            bound = _signature(function).bind(*args, **kwargs)
        except TypeError as error:
            return {"error": f"TypeError: {error}"}, b""
        caches = _cache_parameters(task_id, function)
        if any(not isinstance(bound.arguments.get(name), _Stored) for name in caches):
            return {"fallback": True}, b""
        bound = _unwrap(bound)
        try:
            returned = function(*bound.args, **bound.kwargs)
        except Exception as error:  # noqa: BLE001 - the student's arguments made the reference fail
            return {"error": f"{type(error).__name__}: {str(error)[:300]}"}, b""
        returned = self._tokenised(task_id, returned, len(payload))
        try:
            tree, answer_payload = wire.encode(np, returned)
        except wire.Unencodable as error:
            return {"error": f"the answer cannot be sent ({error})"}, b""
        return {"ok": tree}, answer_payload

    def _stored(self, token_id):
        if token_id not in self._tokens:
            raise wire.MalformedMessage(f"unknown cache token {token_id}")
        return _Stored(self._tokens[token_id])

    def _tokenised(self, task_id, returned, size):
        """The forward's return with each cache replaced by a token (the cache kept here)."""
        outputs = harness.all_specs()[task_id].outputs
        if harness.CACHE not in outputs or not isinstance(returned, tuple) or len(returned) != len(outputs):
            return returned
        self._stored_bytes += 2 * size  # the arguments, and about as much computed from them
        if self._stored_bytes > MAX_STORED_BYTES:
            raise wire.MalformedMessage("too many forward calls kept for their caches")
        out = list(returned)
        for position, name in enumerate(outputs):
            if name == harness.CACHE:
                token_id = len(self._tokens)
                self._tokens[token_id] = out[position]
                out[position] = wire.CacheToken(token_id)
        return tuple(out)


@functools.lru_cache(maxsize=None)
def _cache_parameter_positions(task_id):
    spec = harness.all_specs()[task_id]
    return tuple(k for k, entry in enumerate(spec.call)
                 if isinstance(entry, harness.OutputOf) and entry.name == harness.CACHE)


@functools.lru_cache(maxsize=256)
def _signature(function):
    """inspect.signature of a reference function, computed once (it is asked at every answered call)."""
    return inspect.signature(function)


def _cache_parameters(task_id, function):
    names = list(_signature(function).parameters)
    return [names[k] for k in _cache_parameter_positions(task_id) if k < len(names)]


def _unwrap(bound):
    def plain(value):
        if isinstance(value, _Stored):
            return value.cache
        if isinstance(value, (list, tuple)):
            return type(value)(plain(x) for x in value)
        if isinstance(value, dict):
            return {key: plain(x) for key, x in value.items()}
        return value

    for name, value in bound.arguments.items():
        bound.arguments[name] = plain(value)
    return bound


def answered_note(task_id, asked):
    """The report's note on a task graded with the reference answering its calls to ``asked``."""
    manifest = harness.course_manifest()
    tasks = ", ".join(f"{other} ({manifest.task(other).function})" for other in sorted(asked, key=_order))
    return problem("dependency.answered", task_id=task_id, tasks=tasks)


def provider_note(task_id, provider):
    return problem("dependency.provider_failed", task_id=task_id, other=provider,
                   function=harness.course_manifest().task(provider).function)


def _order(task_id):
    return tuple(int(part) for part in task_id.split("."))
