"""The fixture file format: every stored value comes back bit for bit; anything else fails loudly, naming the file."""

import json

import numpy as np
import pytest

from autograder.runtime.fixture_files import FixtureError, dumps, fixture_path, loads, read_fixture

EDGE_FLOATS = [0.0, -0.0, 5e-324, -2.2250738585072014e-308, 1.7976931348623157e308, 0.1, 1 / 3, -1e-300, 123456789.0]


def _same(a, b):
    """Equal type, dtype, shape and bits."""
    if isinstance(a, np.ndarray):
        return type(b) is np.ndarray and a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    if isinstance(a, dict):
        return type(b) is dict and list(a) == list(b) and all(_same(a[key], b[key]) for key in a)
    return type(a) is type(b) and a == b and str(a) == str(b)


def _case(rng):
    return {"dims": {"N": 2, "T": 3},
            "inputs": {"x": rng.standard_normal((2, 3, 4)), "edges": np.array(EDGE_FLOATS),
                       "scalar": np.array(2.5), "empty": np.zeros((0, 3)), "ids": np.array([[0, -1], [2**62, 7]]),
                       "params": {"W": rng.standard_normal((3, 2)), "inner": {"b": np.zeros(2)}},
                       "steps": 7, "lr": 0.1, "tiny": 5e-324},
            "expected": {"h": rng.standard_normal((2, 3)) * 1e-17, "loss": np.array(1.0000000000000002)}}


def test_round_trip_is_bit_exact(tmp_path):
    rng = np.random.default_rng(0)
    cases = [_case(rng), _case(rng)]
    fixture_path("3.4", tmp_path).write_text(dumps("3.4", "lstm_step_backward", cases))
    stored = read_fixture("3.4", tmp_path)
    assert len(stored) == 2 and all(_same(old, new) for old, new in zip(cases, stored))
    assert loads(dumps("3.4", "f", cases), "3.4", "x")[0] == "f"


def test_dumps_is_deterministic_json_with_one_row_per_line():
    case = _case(np.random.default_rng(1))
    text = dumps("1.1", "f", [case])
    assert text == dumps("1.1", "f", [case]) and text.endswith("}\n")
    assert json.loads(text)["task"] == "1.1"
    assert "            [0, -1],\n" in text  # rows of a matrix, one per line


@pytest.mark.parametrize("value", [[1.0], (1.0,), None, "text", True, float("nan"), np.float64(1.0),
                                   np.ones(2, dtype=np.float32), np.array([1.0, np.inf]), np.array([True]),
                                   {1: np.ones(1)}, {"ndarray": np.ones(1)}])
def test_writing_an_unsupported_value_fails_naming_it(value):
    with pytest.raises(FixtureError, match=r"Task 1\.1 case 0 inputs\.v"):
        dumps("1.1", "f", [{"dims": {}, "inputs": {"v": value}, "expected": {}}])


def _text(**change):
    document = {"format": "rnn-course-fixture/1", "task": "1.1", "function": "f",
                "cases": [{"dims": {"N": 1}, "inputs": {"x": {"ndarray": "float64", "shape": [2], "data": [1.5, 2.0]}},
                           "expected": {}}]}
    document.update(change)
    return json.dumps(document)


def _array(**change):
    return _text(cases=[{"dims": {}, "inputs": {"x": {"ndarray": "float64", "shape": [2], "data": [1.5, 2.0],
                                                       **change}}, "expected": {}}])


@pytest.mark.parametrize("text,message", [
    ("{ broken", "not a valid fixture file"),
    ("[]", "not a fixture file of format"),
    (_text(format="other/1"), "not a fixture file of format"),
    (_text(task="1.2"), "holds the cases of Task 1.2"),
    (_text(extra=1), "expected the keys"),
    (_text(cases=[]), "non-empty list"),
    (_text(cases=[{"dims": {}, "inputs": {}}]), "exactly the keys dims, inputs, expected"),
    (_text(cases=[{"dims": [], "inputs": {}, "expected": {}}]), "unexpected list"),
    (_text(cases=[{"dims": 3, "inputs": {}, "expected": {}}]), "dims must be an object"),
    (_text(function=3), "'function' must be a string"),
    (_array(ndarray="float32"), "unknown dtype 'float32'"),
    (_array(shape=[3]), r"does not have the shape \(3,\)"),
    (_array(shape=[-2]), "non-negative integers"),
    (_array(data=[1.5, "2.0"]), "expected a float"),
    (_array(data=[1.5, 2]), "expected a float"),
    (_array(data=[[1.5], [2.0]]), "expected a float"),
    (_array(ndarray="int64", data=[1, 2.0]), "expected a int"),
    (_array(ndarray="int64", data=[1, 2**70]), "int too big|out of bounds|Python int"),
    (_array(units="m"), "exactly the keys ndarray, shape, data"),
    (_array(data=[1.5, float("nan")]), "NaN is not a storable number"),
    (_array(data=[1.5, 1e999]).replace("Infinity", "1e999"), "out of the float64 range"),
    ('{"format": "rnn-course-fixture/1", "format": "rnn-course-fixture/1"}', "a key appears twice"),
    (_text(cases=[{"dims": {}, "inputs": {"s": "text"}, "expected": {}}]), "unexpected str"),
    (_text(cases=[{"dims": {}, "inputs": {"s": None}, "expected": {}}]), "unexpected NoneType"),
])
def test_reading_a_malformed_file_fails_naming_the_file(tmp_path, text, message):
    path = fixture_path("1.1", tmp_path)
    path.write_text(text)
    with pytest.raises(FixtureError, match=message) as error:
        read_fixture("1.1", tmp_path)
    assert str(error.value).startswith(str(path))


def test_reading_a_missing_fixture_says_how_to_make_it(tmp_path):
    with pytest.raises(FixtureError, match=r"1\.1\.json: the fixture of Task 1\.1 is missing; run `course fixtures`"):
        read_fixture("1.1", tmp_path)


def test_a_valid_minimal_file_reads():
    function, cases = loads(_text(), "1.1", "x.json")
    assert function == "f" and _same(cases[0]["inputs"]["x"], np.array([1.5, 2.0]))
