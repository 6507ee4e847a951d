"""The result file a sandbox child writes per request, and the grader's reader of it (untrusted bytes).

``sandbox_child.encode_result`` writes a JSON header and raw array bytes; ``results.read_result`` checks the header
before making any array. Written arrays come back equal (dtype, shape, memory order); a file cut anywhere is
``Incomplete`` (a request that had not finished), and anything else unexpected is ``MalformedResult``.
"""

import json

import numpy as np
import pytest

from autograder.grading.results import Incomplete, MalformedResult, read_result
from autograder.grading.sandbox_child import RESULT_MAGIC, encode_result

OK = {"status": "ok", "error": None, "not_numeric": ["out:cache"]}


def arrays():
    rng = np.random.default_rng(0)
    return {"out:h": rng.standard_normal((2, 3, 4)), "out:W": np.asfortranarray(rng.standard_normal((3, 5))),
            "arg:t": np.arange(6, dtype=np.int32).reshape(2, 3)[:, ::2], "out:flag": np.array(True),
            "out:empty": np.zeros((0, 3)), "loss": np.array([1.5, -2.0], dtype=">f8")}


def test_arrays_come_back_as_written():
    written = arrays()
    record, read = read_result(encode_result(OK, written))
    assert record == OK and list(read) == list(written)
    for name, array in written.items():
        assert read[name].dtype == array.dtype and read[name].shape == array.shape, name
        assert np.array_equal(read[name], array) and read[name].flags.writeable
    assert read["out:W"].flags.f_contiguous and not read["out:W"].flags.c_contiguous


def test_a_file_cut_anywhere_is_incomplete():
    data = encode_result(OK, arrays())
    for end in range(0, len(data), 7):
        with pytest.raises(Incomplete):
            read_result(data[:end])


def header(content, tail=b""):
    data = json.dumps(content).encode()
    return RESULT_MAGIC + len(data).to_bytes(4, "little") + data + tail


@pytest.mark.parametrize("data", [
    b"PK\x03\x04 an npz, or anything else",
    header([1, 2]),
    header({"record": [1, 2], "arrays": []}),
    header({"record": {"status": "done"}, "arrays": []}),
    header({"record": OK, "arrays": [], "extra": 1}),
    header({"record": OK, "arrays": [["a", "|O", False, [1]]]}, b"x" * 8),
    header({"record": OK, "arrays": [["a", "<c16", False, [1]]]}, b"x" * 16),
    header({"record": OK, "arrays": [["a", "<f3", False, [1]]]}, b"x" * 3),
    header({"record": OK, "arrays": [["a", "<f8\n", False, [1]]]}, b"x" * 8),
    header({"record": OK, "arrays": [["a", "<f8", False, [-1]]]}),
    header({"record": OK, "arrays": [["a", "<f8", False, [1.5]]]}, b"x" * 8),
    header({"record": OK, "arrays": [["a", "<f8", "no", [1]]]}, b"x" * 8),
    header({"record": OK, "arrays": [["a", "<f8", False, [1]], ["a", "<f8", False, [1]]]}, b"x" * 16),
    header({"record": OK, "arrays": [["", "<f8", False, [1]]]}, b"x" * 8),
    header({"record": OK, "arrays": [["a", "<f8", False, [2**39, 2**39]]]}),
    header({"record": OK, "arrays": [["a", "<f8", False, [1]]]}, b"x" * 9),
    RESULT_MAGIC + (9).to_bytes(4, "little") + b"{not json",
    RESULT_MAGIC + (2**31).to_bytes(4, "little") + b"{}",
], ids=["not a result", "header a list", "record a list", "bad status", "unknown key", "object dtype",
        "complex dtype", "no such size", "dtype and a newline", "negative size", "float size", "order not a bool", "duplicate name", "empty name",
        "huge array", "bytes after the arrays", "header not JSON", "header too long"])
def test_anything_else_is_malformed(data):
    with pytest.raises(MalformedResult) as raised:
        read_result(data)
    assert not isinstance(raised.value, Incomplete)
