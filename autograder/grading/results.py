"""Read what the student's process left in ``results/``: untrusted files, read with caps, never trusted.

The child (:mod:`autograder.grading.sandbox_child`) writes ``N.json`` and
``N.npz`` for request N; the student's code runs in that process and may write
those files itself (or symlinks, FIFOs, huge or malformed files, object
arrays). :func:`read_outcome` reads them as plain regular files with size caps,
parses the ``.npz`` members' headers before loading (numeric dtypes only, sizes
consistent with the bytes present, ``allow_pickle=False``), and turns anything
unexpected into that request's failure (``result.malformed``), never an
exception. Error messages of the student's code are truncated and scrubbed of
paths outside the submission before they can reach a report.
"""

import io
import json
import math
import os
import re
import stat
import sys
import traceback
import zipfile
from dataclasses import dataclass, field

import numpy as np

from ..runtime import harness
from ..runtime.problems import problem

MAX_JSON_BYTES = 64 * 1024
MAX_NPZ_BYTES = 64 * 1024**2
MAX_ARRAYS = 10_000
MAX_NAME = 300
MAX_MESSAGE = 500
MAX_WHERE = 3
# the header np.save writes for a numeric array: {'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }
NPY_HEADER = re.compile(r"\{'descr': '(?P<descr>[<>|=]?[biuf]\d{1,2})', 'fortran_order': (?P<fortran>True|False), "
                        r"'shape': \((?P<shape>(?:\d{1,12}, ?)*\d{0,12})\), \} *\n?$")
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


def _npy_header(handle):
    """(shape, fortran_order, dtype) of an .npy stream as np.save writes it; anything else is malformed.

    Parsed with a strict pattern (no literal_eval): a numeric dtype, a bool and a tuple of integers.
    """
    magic = handle.read(8)
    if magic[:6] != b"\x93NUMPY" or magic[6:7] not in (b"\x01", b"\x02", b"\x03"):
        raise MalformedResult("not an .npy member")
    length_bytes = 2 if magic[6:7] == b"\x01" else 4
    length = int.from_bytes(handle.read(length_bytes), "little")
    if length > 4096:
        raise MalformedResult("npy header too long")
    match = NPY_HEADER.match(handle.read(length).decode("latin-1"))
    if not match:
        raise MalformedResult("unexpected npy header")
    dtype = np.dtype(match["descr"])
    if dtype.hasobject or dtype.kind not in "biuf":
        raise MalformedResult(f"dtype {dtype}")
    shape = tuple(int(size) for size in match["shape"].replace(" ", "").split(",") if size)
    return shape, match["fortran"] == "True", dtype


def read_npz(data):
    """{name: numeric array} from the bytes of an .npz, checking each member's header before loading it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
        if len(members) > MAX_ARRAYS or sum(m.file_size for m in members) > MAX_NPZ_BYTES:
            raise MalformedResult("too many or too large arrays")
        arrays = {}
        for member in members:
            name = member.filename[:-4] if member.filename.endswith(".npy") else None
            if not name or len(name) > MAX_NAME:
                raise MalformedResult("unexpected member name")
            with archive.open(member) as handle:
                shape, fortran_order, dtype = _npy_header(handle)
                size = math.prod(shape) * dtype.itemsize
                if size > member.file_size:
                    raise MalformedResult(f"array {name!r} declares more data than it holds")
                data = handle.read(size)
                if len(data) != size:
                    raise MalformedResult(f"array {name!r} is truncated")
                # a copy: writable, and owning its memory (no view of the bytes read)
                order = "F" if fortran_order else "C"
                arrays[name] = np.frombuffer(data, dtype=dtype).reshape(shape, order=order).copy()
        return arrays
    except MalformedResult:
        raise
    except Exception as error:  # noqa: BLE001 - any other failure to parse is a malformed result too
        raise MalformedResult(f"unreadable npz: {type(error).__name__}") from None


def _record(data):
    try:
        record = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise MalformedResult("the .json is not JSON") from None
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


def read_outcome(results, index, request, submission_dir):
    """The Outcome of request ``index`` from ``results/index.json`` and ``.npz``; never raises."""
    try:
        record = _record(_read_capped(results / f"{index}.json", MAX_JSON_BYTES))
        if record["status"] == "error":
            return failed(error_problem(record["error"], request["task_id"], submission_dir))
        arrays = read_npz(_read_capped(results / f"{index}.npz", MAX_NPZ_BYTES))
        return _split(arrays, record.get("not_numeric", []), request)
    except MalformedResult as error:
        print(f"grader: result {index} (task {request['task_id']}) is malformed: {error}", file=sys.stderr)
    except Exception:  # noqa: BLE001 - whatever the files hold, the request fails, the grader goes on
        print(f"grader: result {index} (task {request['task_id']}) could not be read:\n{traceback.format_exc()}",
              file=sys.stderr)
    return failed(problem("result.malformed"))
