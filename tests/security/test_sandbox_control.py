"""The live control of a sandbox child (autograder/grading/sandbox_control.py) cannot be turned against grading.

One child runs a submission's calls and then, once the grader has read their results, the gradient checks' losses.
The student's code runs in that child, knows the pipes (``job.json`` names them) and the run directory, and here:

- rewrites every call's result file once the losses are asked: the grader read them before it asked, so the
  forgery changes nothing (a grader that read the results after the child's end would score it 0);
- silences the pipe the grader speaks on, closes the one it listens on, or floods it with bytes: the child then
  exits, crashes or wakes the grader for nothing, and the losses are asked of a new child (or the same one, once
  its files are there). Every case keeps the reference's full marks.
"""

import pytest

from autograder.runtime.manifest import load_manifest
from tests.security.test_grading_protocol import a1, edited

RNN = "a1_vanilla_rnn/rnn.py"
ANCHOR = "import numpy as np\n"
A1_POINTS = sum(task.points for task in load_manifest().assignment("a1").tasks)

PRELUDE = '''import json as _json, os as _os, threading as _threading, time as _time
_HOME = _os.environ["HOME"]
_CONTROL = _json.load(open(_HOME + "/job.json")).get("control")
'''

ATTACKS = {
    # the grader has read the call results before the first "job.K.json" exists: rewrite them all as errors
    "forge_read_results": PRELUDE + '''
def _forge():
    calls = {str(i) for i in _json.load(open(_HOME + "/job.json"))["todo"]}
    while not any(name.startswith("job.") and name != "job.json" for name in _os.listdir(_HOME)):
        _time.sleep(0.002)
    header = _json.dumps({"record": {"status": "error", "not_numeric": [], "error": {
        "type": "Forged", "message": "rewritten", "where": []}}, "arrays": []}).encode()
    for index in calls:
        with open(_HOME + "/results/" + index + ".result", "wb") as handle:
            handle.write(b"RNNRES1\\n" + len(header).to_bytes(4, "little") + header)
if _CONTROL:
    _threading.Thread(target=_forge, daemon=True).start()
''',
    # the child reads the end of its pipe: it exits after the calls, and a new child runs the losses
    "silence_the_grader": PRELUDE + '''
if _CONTROL:
    _os.dup2(_os.open("/dev/null", _os.O_RDONLY), _CONTROL[0])
''',
    # the child's "done" fails: it crashes after the calls
    "close_the_done_pipe": PRELUDE + '''
if _CONTROL:
    _os.close(_CONTROL[1])
''',
    # the grader is woken for nothing, all the time
    "flood_the_done_pipe": PRELUDE + '''
def _flood():
    while True:
        try:
            _os.write(_CONTROL[1], b"." * 512)
        except BlockingIOError:
            _time.sleep(0)
if _CONTROL:
    _os.set_blocking(_CONTROL[1], False)
    _threading.Thread(target=_flood, daemon=True).start()
''',
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_the_control_pipes_cannot_change_a_score(tmp_path, name):
    report = a1(edited(tmp_path / name, RNN, ANCHOR, ANCHOR + ATTACKS[name]))
    lost = {t.task_id: (t.points, [p.code for c in t.checks for p in c.problems]) for t in report.tasks
            if t.points != t.max_points}
    assert report.points == report.max_points == A1_POINTS, lost


def test_a_stolen_job_line_costs_no_points(tmp_path):
    """The student's code reads the grader's job line itself: when it gets the line first, its child waits for ever
    after the calls, is stopped at the wall limit, and a new child runs the losses."""
    steal = PRELUDE + '''
def _steal():
    while True:
        _os.read(_CONTROL[0], 1024)
if _CONTROL:
    _threading.Thread(target=_steal, daemon=True).start()
'''
    report = a1(edited(tmp_path / "steal", RNN, ANCHOR, ANCHOR + steal))
    assert report.points == report.max_points == A1_POINTS
