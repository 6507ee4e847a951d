"""A bug costs the task that holds it: tasks that use other tasks are graded relative to a correct upstream.

Unit tests of the plans, the wire format and the grader's answers (no sandbox), then single-bug submissions
graded for real (slow): every task but the one holding the bug keeps its points, except the documented
backward tasks that take their cache from the buggy forward, whose report names that forward task.
"""

import os
import socket
import tempfile
from pathlib import Path

import numpy as np
import pytest

from autograder.grading import dependency_answers as answers
from autograder.grading import dependency_proxies as wire
from autograder.grading import mistakes, reports
from autograder.grading.grade import grade_submission
from autograder.grading.mistake_catalogue import Mistake as Bug
from autograder.grading.sandbox import Limits, run_requests
from autograder.runtime import harness
from autograder.runtime.manifest import load_manifest

REFERENCE = harness.make_loader("solutions")
FAST = Limits(cpu_seconds=20, wall_seconds_per_request=5)


def test_plans_serve_the_upstream_tasks_but_never_what_the_child_runs_as_the_students():
    rnn_backward = answers.plan("1.4")
    assert rnn_backward.call_served == {"1.1", "1.2"}  # its step functions; 1.3 gives the cache: the student's
    assert answers.cache_providers("1.4") == {"1.3"} and rnn_backward.loss_served == {"1.1"}
    assert answers.plan("1.9").call_served == {"1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8"}
    assert answers.plan("3.7").loss_served == {"3.6"}  # the gradient check's forward, answered by value
    assert not answers.plan("1.2").served and not answers.plan("1.1").served
    for task in load_manifest().tasks:
        mine = answers.plan(task.id)
        assert task.id not in mine.served
        assert not mine.served & mine.graded and mine.call_tasks - mine.served <= mine.graded
        assert set(task.uses) <= mine.call_served | answers.cache_providers(task.id)


def test_groups_never_serve_a_task_graded_in_the_same_child():
    dependent = [task.id for task in load_manifest().tasks if answers.plan(task.id).served]
    found = answers.groups(dependent)
    assert sorted(task_id for group in found for task_id in group) == sorted(dependent)
    for group in found:
        served = set().union(*(answers.plan(t).served for t in group))  # one child runs calls and losses
        graded = set().union(*(answers.plan(t).graded for t in group))
        assert not served & graded, group


def test_the_tasks_that_cannot_be_isolated_are_documented():
    documented = answers.__doc__
    for task_id, providers in answers.not_isolated().items():
        assert all(f"{task_id} from {provider}" in documented for provider in providers), task_id


def test_values_round_trip_and_nothing_else_is_carried():
    value = [np.arange(6.0).reshape(2, 3), {"W": np.ones((2, 2), np.float32), 3: (1, 2.5, None, True, "tanh")},
             wire.CacheToken(7), np.array(3, dtype=np.int64)]
    tree, payload = wire.encode(np, value)
    back = wire.decode(np, tree, payload)
    assert np.array_equal(back[0], value[0]) and back[1]["W"].dtype == np.float32
    assert back[1][3] == (1, 2.5, None, True, "tanh") and back[2].id == 7 and back[3].shape == ()
    for bad in (np.array([object()]), np.random.default_rng(0), {1.5: 2}, lambda: 0):
        with pytest.raises(wire.Unencodable):
            wire.encode(np, bad)


class Child:
    """The child's side of a channel, in this process: proxies of the served tasks over a real socket."""

    def __init__(self, served):
        self.answers = answers.Answers(served, REFERENCE)
        self.channel = self.answers.channel()
        self.sock = socket.socket(fileno=os.dup(self.channel.child_fd))  # the "child's" end
        self.channel.started()  # closes the grader's copy of the child's end, and serves
        self.caches = wire._Caches()

    def proxy(self, task_id, original=None):
        task = load_manifest().task(task_id)
        return wire._proxy(np, self.sock, self.caches, task_id, task.function, original)

    def close(self):
        self.sock.close()
        self.channel.close()


@pytest.fixture
def child():
    made = Child({"1.1", "1.2"})
    yield made
    made.close()


def step_args(rng, N=3, D=4, H=5):
    return (rng.standard_normal((N, D)), rng.standard_normal((N, H)), rng.standard_normal((D, H)),
            rng.standard_normal((H, H)), rng.standard_normal(H))


def test_forward_by_value_and_backward_through_the_token_of_its_forward_call(child):
    rng = np.random.default_rng(1)
    args, dh = step_args(rng), rng.standard_normal((3, 5))
    h_next, token = child.proxy("1.1")(*args)
    assert isinstance(token, wire.CacheToken)  # no student forward here: the opaque token
    want_h, cache = REFERENCE("a1_vanilla_rnn.rnn").rnn_step_forward(*args)
    assert np.array_equal(h_next, want_h)
    got = child.proxy("1.2")(dh, token)
    want = REFERENCE("a1_vanilla_rnn.rnn").rnn_step_backward(dh, cache)
    assert all(np.array_equal(a, b) for a, b in zip(got, want))
    assert child.answers.asked == {"1.1", "1.2"}


def test_the_students_own_cache_stands_for_the_reference_cache(child):
    rng = np.random.default_rng(2)
    args, dh = step_args(rng), rng.standard_normal((3, 5))

    def students_forward(x, h_prev, Wx, Wh, b):  # wrong values, the student's own cache format
        return np.zeros((3, 5)), {"x": x, "shape": x.shape}

    h_next, cache = child.proxy("1.1", students_forward)(*args)
    assert isinstance(cache, dict) and cache["shape"] == (3, 4)  # code that reads its own cache still works
    got = child.proxy("1.2")(dh, cache)
    module = REFERENCE("a1_vanilla_rnn.rnn")
    want = module.rnn_step_backward(dh, module.rnn_step_forward(*args)[1])
    assert all(np.array_equal(a, b) for a, b in zip(got, want))


def test_a_cache_that_is_not_a_token_goes_to_the_students_function(child):
    seen = []

    def students_backward(dh, cache):
        seen.append(cache)
        return "own"

    assert child.proxy("1.2", students_backward)(np.ones((1, 2)), ("my", "cache")) == "own" and seen


def test_bad_arguments_are_the_callers_problem_and_unserved_tasks_are_refused(child):
    rng = np.random.default_rng(3)
    x, h_prev, Wx, Wh, b = step_args(rng)
    with pytest.raises(wire.DependencyCallError, match="rnn_step_forward.*rejected the arguments"):
        child.proxy("1.1")(x, h_prev, Wx.T, Wh, b)  # (N, D) @ (H, D): the reference raises
    with pytest.raises(wire.DependencyCallError, match="not answered here"):
        child.proxy("1.3")(x[:, None], h_prev, Wx, Wh, b)
    assert child.proxy("1.1")(x, h_prev, Wx, Wh, b)[0].shape == (3, 5)  # the channel still answers


def test_a_proxy_whose_arguments_the_reference_rejects_is_a_clear_problem_of_the_caller(tmp_path):
    """Task 1.4 passes the transposed upstream gradient to rnn_step_backward: a Problem of Task 1.4."""
    root = write_bug(next(b for b in BUGS if b.task_id == "1.2"), tmp_path)
    rnn = root / "assignments" / "a1_vanilla_rnn" / "rnn.py"
    text = rnn.read_text()
    rnn.write_text(text.replace("rnn_step_backward(dh[:, t] + dh_future, step_caches[t])",
                                "rnn_step_backward((dh[:, t] + dh_future).T, step_caches[t])"))
    spec = harness.all_specs()["1.4"]
    args = spec.inputs(np.random.default_rng(0), N=2, T=3, D=4, H=5)
    served = answers.Answers(answers.plan("1.4").call_served, REFERENCE)
    outcome, = run_requests(root, [{"kind": "call", "task_id": "1.4", "args": args}], FAST, answers=served)
    assert outcome.status == "error" and outcome.problems[0].code == "dependency.bad_call"
    assert "rnn_step_backward" in reports.render(outcome.problems[0], "en")


# ---- single-bug submissions, graded --------------------------------------------------------------------------
# The reference with one line changed, one upstream bug each (benchmarks/single_bugs.py measures 27 more)
BUGS = (
    Bug("rnn_step_forward_Wh_transposed", "1.1", "a1_vanilla_rnn/rnn.py",
        "h_next = np.tanh(x @ Wx + h_prev @ Wh + b)", "h_next = np.tanh(x @ Wx + h_prev @ Wh.T + b)"),
    Bug("rnn_step_backward_tanh_of_h_prev", "1.2", "a1_vanilla_rnn/rnn.py",
        "da = dh_next * (1.0 - h_next**2)", "da = dh_next * (1.0 - h_prev**2)"),
    Bug("relu_step_backward_Wh_not_transposed", "2.9", "a2_bptt_gradients/relu_rnn.py",
        "dh_prev = da @ Wh.T  # (N, H)", "dh_prev = da @ Wh  # (N, H)"),
    Bug("lstm_step_backward_drops_dc_next", "3.11", "a3_lstm/lstm.py",
        "dc = dc_next + dc_from_h", "dc = dc_from_h"),
    Bug("gru_step_backward_drops_direct_path", "4.8", "a4_gru/gru.py",
        "dh_prev = dh_direct + dah @ Wh.T", "dh_prev = dah @ Wh.T"),
    Bug("hidden_state_backward_one_minus_c_squared", "3.7", "a3_lstm/gates_backward.py",
        "dc = dh * o * (1.0 - tanh_c**2)", "dc = dh * o * (1.0 - c**2)"),
)


def write_bug(bug, root):
    """The reference under ``root/<bug id>/assignments`` with the bug's one line changed; returns the submission."""
    return mistakes.write_mutant_tree(bug, root / bug.id / "assignments").parent


def points_lost(report):
    """{task id: points lost} of the tasks that lost points."""
    return {task.task_id: round(task.max_points - task.points, 4) for task in report.tasks
            if task.points < task.max_points}


SCOPES = {"1.1": ["a1", "a2"], "1.2": ["a1", "a2"], "2.9": ["a2"], "3.11": ["a3"], "4.8": ["a4"], "3.7": ["a3"]}


@pytest.mark.slow
@pytest.mark.parametrize("bug", BUGS, ids=[bug.id for bug in BUGS])
def test_a_bug_costs_the_task_that_holds_it(bug):
    with tempfile.TemporaryDirectory() as tmp:
        report = grade_submission(write_bug(bug, Path(tmp)), assignment_ids=SCOPES[bug.task_id], seed=5,
                                  limits=Limits(cpu_seconds=60, wall_seconds_per_request=10))
    lost = points_lost(report)
    assert bug.task_id in lost  # the bug is caught where it is
    by_id = {task.task_id: task for task in report.tasks}
    for task_id in lost:
        if task_id == bug.task_id:
            continue
        # only a backward task fed by the buggy forward's cache may lose points, and its report says why
        assert bug.task_id in answers.cache_providers(task_id), (task_id, lost)
        assert any(note.code == "dependency.provider_failed" and note.fields["other"] == bug.task_id
                   for note in by_id[task_id].notes)
    # the tasks that kept their points thanks to the reference's answers for the buggy task say so
    noted = [task.task_id for task in report.tasks for note in task.notes
             if note.code == "dependency.answered" and f"{bug.task_id} (" in note.fields["tasks"]]
    assert noted and not set(noted) & set(lost)
