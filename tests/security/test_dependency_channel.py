"""Attacks on the dependency channel (autograder/grading/dependency_answers.py).

The channel answers a child's calls to upstream tasks with the reference's outputs. A child must never get the
reference's answers for a task whose own student function it is being graded on, and the grader must read the
child's requests as untrusted data (no pickle, sizes capped) without ever stopping.

The first attack was run against a channel that answered any task of the course: Task 1.3 returned zeros when
no channel was there (the first, unproxied run), so it failed and ran again with Task 1.1 answered; in that run
it asked the channel for Task 1.3 itself on its own arguments and scored full marks. The channel now answers
only the tasks of its plan, never one the child runs as the student's.
"""

import json
import os
import socket
import struct

import numpy as np
import pytest

from autograder.authoring.samples import copy_as_submission
from autograder.grading import dependency_answers as answers
from autograder.grading import dependency_proxies as wire
from autograder.grading import mistakes
from autograder.grading.grade import grade_submission
from autograder.grading.sandbox import Limits, run_requests
from autograder.runtime import harness

FAST = Limits(cpu_seconds=20, wall_seconds_per_request=5)
REFERENCE = harness.make_loader("solutions")
RNN_FORWARD_BODY = "    N, T, _ = x.shape\n"
# Task 1.3 asks the channel for the reference's answer to its own call; garbage when it cannot.
STEAL = '''    import json as _json, os as _os, socket as _socket, sys as _sys
    _wire = _sys.modules.get("dependency_proxies")
    if _wire is None:  # no channel: the unproxied run, fail it to get a proxied one
        return np.zeros((x.shape[0], x.shape[1], h0.shape[1])), None
    _fd = _json.load(open(_os.path.join(_sys.argv[1], "job.json")))["channel_fd"]
    _sock = _socket.socket(fileno=_os.dup(_fd))
    _tree, _payload = _wire.encode(np, [x, h0, Wx, Wh, b])
    _sock.sendall(_wire.frame({"task": "1.3", "args": _tree, "kwargs": ["dict", []]}, _payload))
    _answer, _payload = _wire.read_frame(_sock)
    if "ok" not in _answer:
        raise RuntimeError("refused: " + str(_answer))
    return _wire.decode(np, _answer["ok"], _payload)
'''


def stealing_submission(root):
    copy_as_submission(mistakes.SOLUTIONS_DIR, root)
    path = root / "assignments" / "a1_vanilla_rnn" / "rnn.py"
    text = path.read_text()
    assert text.count(RNN_FORWARD_BODY) == 1
    path.write_text(text.replace(RNN_FORWARD_BODY, STEAL + RNN_FORWARD_BODY))
    return root


def test_a_child_cannot_get_the_answers_of_the_task_it_is_graded_on(tmp_path):
    root = stealing_submission(tmp_path / "thief")
    spec = harness.all_specs()["1.3"]
    args = spec.inputs(np.random.default_rng(0), N=2, T=3, D=4, H=5)
    # exactly the child the grader starts to grade Task 1.3 again with Task 1.1 answered
    served = answers.Answers(answers.plan("1.3").call_served, REFERENCE)
    assert served.served == {"1.1"}
    outcome, = run_requests(root, [{"kind": "call", "task_id": "1.3", "args": args}], FAST, answers=served)
    assert outcome.status == "error" and "not answered here" in outcome.problems[0].fields["message"]
    report = grade_submission(root, assignment_ids=["a1"], seed=3, limits=FAST)
    rnn_forward = next(task for task in report.tasks if task.task_id == "1.3")
    assert rnn_forward.points == 0 and not rnn_forward.notes


def test_no_channel_while_a_task_is_graded_unproxied(tmp_path):
    """The first run of every task has no channel at all: the job names none, and no socket is inherited."""
    root = tmp_path / "probe"
    copy_as_submission(mistakes.SOLUTIONS_DIR, root)
    path = root / "assignments" / "a1_vanilla_rnn" / "rnn.py"
    text = path.read_text()
    probe = ('    import json as _json, os as _os, stat as _stat, sys as _sys\n'
             '    _job = _json.load(open(_os.path.join(_sys.argv[1], "job.json")))\n'
             '    _sockets = [fd for fd in range(3, 256) if _is_socket(_os, _stat, fd)]\n'
             '    if "channel_fd" in _job or _sockets or "dependency_proxies" in _sys.modules:\n'
             '        raise RuntimeError(f"channel found: {_sockets}")\n')
    helper = ('\n\ndef _is_socket(os, stat, fd):\n    try:\n        return stat.S_ISSOCK(os.fstat(fd).st_mode)\n'
              '    except OSError:\n        return False\n')
    path.write_text(text.replace(RNN_FORWARD_BODY, probe + RNN_FORWARD_BODY) + helper)
    spec = harness.all_specs()["1.3"]
    args = spec.inputs(np.random.default_rng(0), N=2, T=3, D=4, H=5)
    outcome, = run_requests(root, [{"kind": "call", "task_id": "1.3", "args": args}], FAST)
    assert outcome.status == "ok", outcome.problems


class RawChild:
    """A hostile child's end of a channel serving Task 1.1, in this process."""

    def __init__(self):
        self.channel = answers.Answers({"1.1"}, REFERENCE).channel()
        self.sock = socket.socket(fileno=os.dup(self.channel.child_fd))
        self.channel.started()

    def ask(self, message, payload=b""):
        data = json.dumps(message).encode()
        self.sock.sendall(wire.HEADER.pack(len(data), len(payload)) + data + payload)
        return self.sock.recv(1 << 20)

    def close(self):
        self.sock.close()
        self.channel.close()


@pytest.fixture
def raw():
    child = RawChild()
    yield child
    child.close()


def test_a_pickle_is_never_loaded(raw, tmp_path):
    import pickle

    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    payload = pickle.dumps(np.array([Evil()], dtype=object))
    reply = raw.ask({"task": "1.1", "args": ["list", [["array", "|O", [1], 0]]], "kwargs": ["dict", []]}, payload)
    assert reply == b"" and not marker.exists()  # a malformed request closes the channel, nothing is unpickled


@pytest.mark.parametrize("header", [(2**31, 0), (10, 2**31), (wire.MAX_JSON + 1, 0), (10, wire.MAX_PAYLOAD + 1)])
def test_huge_requests_are_refused_before_they_are_read(raw, header):
    raw.sock.sendall(struct.pack("<II", *header))
    assert raw.sock.recv(16) == b""  # closed without allocating or reading the announced bytes


@pytest.mark.parametrize("tree", [
    ["list", [["array", "<f8", [10**6, 10**6], 0]]],  # more data than the payload holds
    ["list", [["array", "<f8", [2], -8]]],
    ["list", [["token", 12345]]],  # a cache this channel never made
    ["list", [["float", "1e300"]]],
    ["list", [["list", []]] * 30000],
    "not a tree",
])
def test_malformed_values_close_the_channel(raw, tree):
    assert raw.ask({"task": "1.1", "args": tree, "kwargs": ["dict", []]}, b"\0" * 16) == b""


def test_deep_nesting_does_not_crash_the_grader(raw):
    data = b"[" * 100_000 + b"]" * 100_000
    raw.sock.sendall(wire.HEADER.pack(len(data), 0) + data)
    assert raw.sock.recv(16) == b""
    raw.channel._thread.join(5)
    assert not raw.channel._thread.is_alive()  # the serving thread ended cleanly
