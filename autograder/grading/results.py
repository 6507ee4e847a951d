"""Read what the student's process left in ``results/``: untrusted files, read with caps, never trusted.

The child (:mod:`autograder.grading.sandbox_child`) writes ``N.result`` for
request N (a JSON header, then raw array bytes); the student's code runs in that
process and may write those files itself (or symlinks, FIFOs, huge or malformed
files, object dtypes). :func:`read_outcome` reads them as plain regular files
with size caps, checks the header before making any array (numeric dtypes only,
sizes consistent with the bytes present; nothing is unpickled or unzipped), and
turns anything unexpected into that request's failure (``result.malformed``),
never an exception. Error messages of the student's code are truncated and scrubbed of
paths outside the submission before they can reach a report.
"""

import json
import math
import os
import re
import stat
import sys
import traceback
from dataclasses import dataclass, field

import numpy as np

from ..runtime import harness
from ..runtime.problems import problem

MAX_HEADER_BYTES = 4 * 1024**2
MAX_RESULT_BYTES = 64 * 1024**2
MAX_ARRAYS = 10_000
MAX_NAME = 300
MAX_MESSAGE = 500
MAX_WHERE = 3
# an absolute path: a slash that does not follow a word character, then at least one path character
ABSOLUTE_PATH = re.compile(r"(?<![\w.)\]])/[\w.\-+~@%]+(?:/[\w.\-+~@%]*)*")


@dataclass
class Outcome:
    """What one request produced, as read by the grader.

    - status: "ok", "error" (the student's code raised, or its result could not be read) or "crashed"
    - outputs: flat outputs of a "call" (non-numeric ones as 0-d object arrays, so checks report them)
    - args_after: flat arguments after a "call"
    - losses: the losses of a "loss" request (float64, one per point)
    - problems: why it is not "ok" (one Problem)
    """
    status: str
    outputs: dict = field(default_factory=dict)
    args_after: dict = field(default_factory=dict)
    losses: np.ndarray = None
    problems: list = field(default_factory=list)


class MalformedResult(ValueError):
    """A result file that the child's protocol does not produce."""


def failed(found, status="error"):
    return Outcome(status, problems=[found])


def scrub(text, submission_dir, limit=MAX_MESSAGE):
    """Truncate, make paths inside the submission relative, replace every other absolute path by "<path>"."""
    text = str(text)[:limit * 4]
    root = str(submission_dir).rstrip(os.sep) + os.sep
    text = text.replace(root, "")
    text = ABSOLUTE_PATH.sub("<path>", text)
    return text if len(text) <= limit else text[:limit] + "..."


def _read_capped(path, cap):
    """The bytes of a regular file (no symlink, FIFO or device) of at most ``cap`` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        raise MalformedResult(f"cannot open {path.name}: {error.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise MalformedResult(f"{path.name} is not a regular file")
        if info.st_size > cap:
            raise MalformedResult(f"{path.name} has {info.st_size} bytes (limit {cap})")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(cap + 1)
    finally:
        os.close(fd)
    if len(data) > cap:
        raise MalformedResult(f"{path.name} grew past {cap} bytes")
    return data


RESULT_MAGIC = b"RNNRES1\n"  # sandbox_child.encode_result
DTYPE = re.compile(r"[<>|=]?[biuf]\d{1,2}")


class Incomplete(MalformedResult):
    """A result file that ends before its declared end: the request had not finished writing it."""


def read_result(data):
    """(record, {name: numeric array}) from the bytes of a result file (``sandbox_child.encode_result``).

    The header is checked before any array is made: a mapping with a valid record, at most MAX_ARRAYS arrays, each
    a unique name, a numeric dtype, a bool and a shape of non-negative integers, all within the bytes present.
    """
    if data[:len(RESULT_MAGIC)] != RESULT_MAGIC:
        raise Incomplete("no complete result header") if RESULT_MAGIC.startswith(data) else \
            MalformedResult("not a result file")
    start = len(RESULT_MAGIC) + 4
    length = int.from_bytes(data[len(RESULT_MAGIC):start], "little")
    if length > MAX_HEADER_BYTES:
        raise MalformedResult(f"result header of {length} bytes (limit {MAX_HEADER_BYTES})")
    if len(data) < start + length:
        raise Incomplete("the result header is cut short")
    try:
        header = json.loads(data[start:start + length].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise MalformedResult("the result header is not JSON") from None
    if not isinstance(header, dict) or set(header) != {"record", "arrays"} or not isinstance(header["arrays"], list) \
            or len(header["arrays"]) > MAX_ARRAYS:
        raise MalformedResult("unexpected result header")
    record = _valid_record(header["record"])
    arrays, offset = {}, start + length
    for described in header["arrays"]:
        if not (isinstance(described, list) and len(described) == 4):
            raise MalformedResult("unexpected array description")
        name, descr, fortran, shape = described
        if not isinstance(name, str) or not name or len(name) > MAX_NAME or name in arrays:
            raise MalformedResult("unexpected array name")
        if not isinstance(descr, str) or not DTYPE.fullmatch(descr) or not isinstance(fortran, bool) \
                or not isinstance(shape, list) or len(shape) > 32 \
                or not all(type(size) is int and 0 <= size < 2**40 for size in shape):
            raise MalformedResult(f"array {name[:40]!r}: unexpected dtype or shape")
        try:
            dtype = np.dtype(descr)
        except TypeError:  # a numeric kind with a size numpy does not have ("f3")
            raise MalformedResult(f"array {name[:40]!r}: unexpected dtype") from None
        count = math.prod(shape)
        size = count * dtype.itemsize
        if offset + size > len(data):
            if size > MAX_RESULT_BYTES:
                raise MalformedResult(f"array {name[:40]!r} declares more data than a result may hold")
            raise Incomplete(f"array {name[:40]!r} is cut short")
        # a copy: writable, and owning its memory (no view of the bytes read)
        arrays[name] = np.frombuffer(data, dtype=dtype, count=count, offset=offset).reshape(
            shape, order="F" if fortran else "C").copy(order="K")
        offset += size
    if offset != len(data):
        raise MalformedResult("bytes after the last array")
    return record, arrays


def _record(data):
    """The record of a JSON file (an import record), checked as :func:`_valid_record` does."""
    try:
        record = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise MalformedResult("the .json is not JSON") from None
    return _valid_record(record)


def _valid_record(record):
    if not isinstance(record, dict) or record.get("status") not in ("ok", "error"):
        raise MalformedResult("the .json has no valid status")
    not_numeric = record.get("not_numeric", [])
    if not isinstance(not_numeric, list) or not all(isinstance(n, str) for n in not_numeric):
        raise MalformedResult("not_numeric is not a list of names")
    error = record.get("error")
    if record["status"] == "error":
        if not isinstance(error, dict) or not all(isinstance(error.get(k), str) for k in ("type", "message")) \
                or not isinstance(error.get("where", []), list) \
                or not all(isinstance(line, str) for line in error.get("where", [])):
            raise MalformedResult("the error record is malformed")
    return record


def error_problem(error, task_id, submission_dir):
    """The Problem of an exception raised by the student's code (child's error record, scrubbed)."""
    kind = scrub(error["type"], submission_dir, 100)
    message = scrub(error["message"], submission_dir)
    if kind == "NotImplementedError":
        other = harness.NOT_IMPLEMENTED.search(message)
        if other and other.group(1) != task_id:
            return problem("grade.uses_unimplemented", other=other.group(1), function=other.group(2))
        return problem("grade.not_implemented", message=message or "NotImplementedError")
    if kind == "DependencyCallError":  # a proxied upstream task refused the arguments (dependency_answers.py)
        return problem("dependency.bad_call", message=message)
    if kind == "SystemExit":
        return problem("grade.sys_exit", code=message)
    where = "; ".join(scrub(line, submission_dir, 300) for line in error.get("where", [])[-MAX_WHERE:])
    if where:
        return problem("grade.exception_at", kind=kind, message=message, where=where)
    return problem("grade.exception", kind=kind, message=message)


def _split(arrays, not_numeric, request):
    """The Outcome of an "ok" record: outputs and arguments (call) or losses (loss)."""
    if request["kind"] == "loss":
        losses = arrays.get("loss")
        if set(arrays) != {"loss"} or losses.shape != (len(request["points"]),):
            raise MalformedResult("loss result without the expected losses")
        return Outcome("ok", losses=losses.astype(np.float64))
    outputs = {name[4:]: value for name, value in arrays.items() if name.startswith("out:")}
    args_after = {name[4:]: value for name, value in arrays.items() if name.startswith("arg:")}
    if len(outputs) + len(args_after) != len(arrays):
        raise MalformedResult("call result with unexpected arrays")
    for name in not_numeric:
        if name.startswith("out:"):
            outputs[name[4:]] = np.array(None, dtype=object)  # reported by the checks as not numeric
    return Outcome("ok", outputs=outputs, args_after=args_after)


def read_outcome(results, index, request, submission_dir, finished=True):
    """The Outcome of request ``index`` from ``results/index.result``; never raises.

    finished=False (the child died or was stopped): a file that ends early is a request that did not finish
    writing it, and gives None (the request is then the one that ended the child), not a malformed result."""
    try:
        record, arrays = read_result(_read_capped(results / f"{index}.result", MAX_RESULT_BYTES))
        if record["status"] == "error":
            return failed(error_problem(record["error"], request["task_id"], submission_dir))
        return _split(arrays, record.get("not_numeric", []), request)
    except Incomplete:
        if not finished:
            return None
        print(f"grader: result {index} (task {request['task_id']}) ends early", file=sys.stderr)
    except MalformedResult as error:
        print(f"grader: result {index} (task {request['task_id']}) is malformed: {error}", file=sys.stderr)
    except Exception:  # noqa: BLE001 - whatever the files hold, the request fails, the grader goes on
        print(f"grader: result {index} (task {request['task_id']}) could not be read:\n{traceback.format_exc()}",
              file=sys.stderr)
    return failed(problem("result.malformed"))
