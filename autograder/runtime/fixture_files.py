"""The public fixtures as text: one JSON file per task, read without pickle and validated.

``tests/public/fixtures/<task id>.json`` (for example ``3.4.json``) holds::

    {"format": "rnn-course-fixture/1", "task": "3.4", "function": "lstm_step_backward",
     "cases": [{"dims": {"N": 2, ...}, "inputs": {...}, "expected": {...}}, ...]}

A value in ``dims``, ``inputs`` and ``expected`` is exactly one of:

- an array: ``{"ndarray": "float64" | "int64", "shape": [2, 4], "data": [[...], ...]}``; floats are
  written by ``repr``, which round-trips every finite float64 bit for bit;
- a Python ``int`` (a JSON integer) or a finite Python ``float`` (a JSON number with a fraction or
  an exponent, so the two never mix);
- a dict with ``str`` keys of such values (a JSON object without the key ``"ndarray"``).

These are the types the task specs' ``inputs(rng, **dims)`` and flattened outputs produce. Writing
anything else (lists, None, strings, bools, NaN, other dtypes, NumPy scalars) raises
:class:`FixtureError`; so does reading a file that deviates in any way, naming the file.
"""

import json
from pathlib import Path

import numpy as np

FORMAT = "rnn-course-fixture/1"
DTYPES = {"float64": float, "int64": int}
ARRAY_KEY = "ndarray"
CASE_KEYS = ("dims", "inputs", "expected")


class FixtureError(ValueError):
    """A fixture that cannot be written or read as this format says."""


def fixture_path(task_id, directory):
    """The fixture file of one task: ``<directory>/<task id>.json``."""
    return Path(directory) / f"{task_id}.json"


def encode_value(value, where):
    """A fixture value as JSON-able data (see the module docstring); ``where`` names it in errors."""
    if isinstance(value, np.ndarray):
        dtype = str(value.dtype)
        if dtype not in DTYPES:
            raise FixtureError(f"{where}: arrays of dtype {dtype} cannot be stored (only {', '.join(DTYPES)})")
        if dtype == "float64" and not np.all(np.isfinite(value)):
            raise FixtureError(f"{where}: a float64 array with NaN or inf cannot be stored")
        return {ARRAY_KEY: dtype, "shape": list(value.shape), "data": value.tolist()}
    if type(value) is int:
        return value
    if type(value) is float:
        if not np.isfinite(value):
            raise FixtureError(f"{where}: the float {value} cannot be stored")
        return value
    if type(value) is dict:
        encoded = {}
        for key, item in value.items():
            if type(key) is not str or key == ARRAY_KEY:
                raise FixtureError(f"{where}: the dict key {key!r} cannot be stored")
            encoded[key] = encode_value(item, f"{where}.{key}")
        return encoded
    raise FixtureError(f"{where}: a value of type {type(value).__name__} cannot be stored "
                       f"(only float64/int64 arrays, int, float and dicts of them)")


def decode_value(data, where):
    """The value encoded by :func:`encode_value`; :class:`FixtureError` on anything else."""
    if type(data) is dict and ARRAY_KEY in data:
        return _decode_array(data, where)
    if type(data) is dict:
        return {key: decode_value(item, f"{where}.{key}") for key, item in data.items()}
    if type(data) in (int, float):
        return data
    raise FixtureError(f"{where}: unexpected {type(data).__name__} {json.dumps(data)[:60]}")


def _decode_array(data, where):
    if set(data) != {ARRAY_KEY, "shape", "data"}:
        raise FixtureError(f"{where}: an array needs exactly the keys ndarray, shape, data; got {sorted(data)}")
    dtype, shape = data[ARRAY_KEY], data["shape"]
    if dtype not in DTYPES:
        raise FixtureError(f"{where}: unknown dtype {dtype!r} (expected one of {', '.join(DTYPES)})")
    if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
        raise FixtureError(f"{where}: shape must be a list of non-negative integers, got {shape!r}")
    _check_nested(data["data"], shape, DTYPES[dtype], where)
    try:
        return np.array(data["data"], dtype=dtype).reshape(shape)
    except (OverflowError, ValueError) as error:
        raise FixtureError(f"{where}: {error}") from None


def _check_nested(data, shape, leaf_type, where):
    """Nested lists of exactly ``shape`` whose leaves are of exactly ``leaf_type``."""
    if not shape:
        if type(data) is not leaf_type:
            raise FixtureError(f"{where}: expected a {leaf_type.__name__}, got {json.dumps(data)[:60]}")
        return
    if type(data) is not list or len(data) != shape[0]:
        raise FixtureError(f"{where}: data does not have the shape {tuple(shape)}")
    for item in data:
        _check_nested(item, shape[1:], leaf_type, where)


def dumps(task_id, function, cases):
    """The text of one task's fixture file: cases are ``[{"dims", "inputs", "expected"}]``."""
    encoded = {"format": FORMAT, "task": task_id, "function": function, "cases": [
        {key: encode_value(case[key], f"Task {task_id} case {k} {key}") for key in CASE_KEYS}
        for k, case in enumerate(cases)]}
    return _format(encoded, 0) + "\n"


def _format(value, indent):
    """JSON with one object member or list item per line, except innermost lists (one line each)."""
    pad = " " * indent
    if type(value) is dict and value:
        items = [f"{pad}  {json.dumps(key)}: {_format(item, indent + 2)}" for key, item in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if type(value) is list and value and all(type(item) in (list, dict) for item in value):
        items = [f"{pad}  {_format(item, indent + 2)}" for item in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(value, allow_nan=False)


def loads(text, task_id, source):
    """(function, cases) of one task from the text of its fixture file; ``source`` names the file in errors."""
    try:
        document = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float,
                              object_pairs_hook=_unique_keys)
    except (json.JSONDecodeError, FixtureError) as error:
        raise FixtureError(f"{source}: not a valid fixture file ({error}); run `course fixtures`") from None
    if type(document) is not dict or document.get("format") != FORMAT:
        raise FixtureError(f"{source}: not a fixture file of format {FORMAT}; run `course fixtures`")
    if set(document) != {"format", "task", "function", "cases"}:
        raise FixtureError(f"{source}: expected the keys format, task, function, cases; got {sorted(document)}")
    if document["task"] != task_id:
        raise FixtureError(f"{source}: holds the cases of Task {document['task']}, not of Task {task_id}")
    if type(document["cases"]) is not list or not document["cases"]:
        raise FixtureError(f"{source}: 'cases' must be a non-empty list")
    cases = []
    for k, case in enumerate(document["cases"]):
        if type(case) is not dict or set(case) != set(CASE_KEYS):
            raise FixtureError(f"{source}: case {k} must have exactly the keys {', '.join(CASE_KEYS)}")
        decoded = {key: decode_value(case[key], f"{source}: case {k} {key}") for key in CASE_KEYS}
        for key in CASE_KEYS:
            if type(decoded[key]) is not dict:
                raise FixtureError(f"{source}: case {k} {key} must be an object")
        cases.append(decoded)
    if type(document["function"]) is not str:
        raise FixtureError(f"{source}: 'function' must be a string")
    return document["function"], cases


def _refuse_constant(name):
    raise FixtureError(f"{name} is not a storable number")


def _finite_float(text):
    value = float(text)
    if not np.isfinite(value):
        raise FixtureError(f"{text} is out of the float64 range")
    return value


def _unique_keys(pairs):
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise FixtureError(f"a key appears twice in an object with the keys {keys}")
    return dict(pairs)


def read_fixture(task_id, directory):
    """The stored public cases of one task: ``[{"dims", "inputs", "expected"}, ...]``.

    Raises :class:`FixtureError` naming the file when it is missing or malformed.
    """
    return read_fixture_file(fixture_path(task_id, directory), task_id)[1]


def read_fixture_file(path, task_id):
    """(function, cases) stored in one fixture file; :class:`FixtureError` naming it when missing or malformed."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FixtureError(f"{path}: the fixture of Task {task_id} is missing; run `course fixtures`") from None
    except UnicodeDecodeError as error:
        raise FixtureError(f"{path}: not UTF-8 text ({error})") from None
    return loads(text, task_id, path)
