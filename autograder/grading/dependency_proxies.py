"""The dependency channel's wire format, and the proxies the sandbox child installs for a task's upstream tasks.

When task Y uses task X (``uses`` in course.yml), the grader can grade Y relative to a correct X: in Y's sandbox
child, X's function in the student's modules is replaced by a proxy that sends the arguments the student's code
passes over an inherited socket, and the grader (:mod:`autograder.grading.dependency_answers`, outside the
sandbox) answers with the reference's outputs. A forward's cache never crosses: the grader keeps the reference's
cache and sends a :class:`CacheToken`; a backward proxied call sends the token back. The child never receives
reference code, only arrays, numbers and tokens.

This file is loaded by the child (``python -I -S``: standard library and numpy only) from the run directory,
and imported by the grader for the same format. A message is one frame::

    <json length: uint32 LE> <payload length: uint32 LE> <json> <payload: raw array bytes>

whose JSON holds values as trees: ``["none"]``, ``["bool", b]``, ``["int", i]``, ``["float", x]``,
``["str", s]``, ``["array", dtype, shape, offset]`` (numeric dtypes only, bytes in the payload),
``["list"|"tuple", [...]]``, ``["dict", [[key, value], ...]]`` (str or int keys), ``["token", id]``.
No pickle, no object arrays: :func:`decode` checks every node and size.
"""

import json
import math
import struct
import sys

HEADER = struct.Struct("<II")
MAX_JSON = 1024**2
MAX_PAYLOAD = 16 * 1024**2
MAX_DEPTH = 16
MAX_NODES = 20_000
MAX_STR = 1000
MAX_INT = 2**62


class Unencodable(TypeError):
    """A value the channel does not carry (the proxy then calls the student's own function)."""


class MalformedMessage(ValueError):
    """A frame or value tree that this format does not produce."""


class DependencyCallError(Exception):
    """The reference, answering a proxied call of the student's code, could not (bad arguments): Y's problem."""


class CacheToken:
    """An opaque stand-in for a cache the grader keeps (the reference's cache of one proxied forward call)."""
    __slots__ = ("id",)

    def __init__(self, token_id):
        self.id = token_id

    def __repr__(self):
        return f"<cache of a forward call answered by the reference, #{self.id}>"


def encode(np, value, token_of=lambda item: None):
    """(tree, payload bytes) of a value; raises Unencodable for anything else than the types above.

    ``token_of(item)``: the CacheToken that stands for ``item`` (a cache of the student's), or None."""
    chunks, size, count = [], [0], [0]

    def walk(item, depth):
        count[0] += 1
        if depth > MAX_DEPTH or count[0] > MAX_NODES:
            raise Unencodable("too deep or too many values")
        stands_for = token_of(item)
        if stands_for is not None:
            item = stands_for
        if item is None:
            return ["none"]
        if type(item) is CacheToken:
            return ["token", item.id]
        if isinstance(item, (bool, np.bool_)):
            return ["bool", bool(item)]
        if isinstance(item, (int, np.integer)):
            return ["int", int(item)]
        if isinstance(item, (float, np.floating)):
            return ["float", float(item)]
        if isinstance(item, str):
            return ["str", item]
        if isinstance(item, np.ndarray):
            if item.dtype.kind not in "biuf" or item.dtype.hasobject:
                raise Unencodable(f"array of dtype {item.dtype}")
            data = np.ascontiguousarray(item).tobytes()
            chunks.append(data)
            size[0] += len(data)
            return ["array", item.dtype.str, list(item.shape), size[0] - len(data)]
        if type(item) in (list, tuple):
            return [type(item).__name__, [walk(x, depth + 1) for x in item]]
        if type(item) is dict:
            if not all(type(key) in (str, int) for key in item):
                raise Unencodable("dict keys other than str or int")
            return ["dict", [[key, walk(x, depth + 1)] for key, x in item.items()]]
        raise Unencodable(type(item).__name__)

    tree = walk(value, 0)
    return tree, b"".join(chunks)


def decode(np, tree, payload, token=CacheToken):
    """The value of a tree, checked node by node; ``token(id)`` makes what a ``["token", id]`` stands for."""
    count = [0]

    def walk(node, depth):
        count[0] += 1
        if depth > MAX_DEPTH or count[0] > MAX_NODES or not isinstance(node, list) or not node \
                or not isinstance(node[0], str):
            raise MalformedMessage("bad node")
        kind, rest = node[0], node[1:]
        if kind == "none" and not rest:
            return None
        if kind == "bool" and len(rest) == 1 and isinstance(rest[0], bool):
            return rest[0]
        if kind == "int" and len(rest) == 1 and type(rest[0]) is int and abs(rest[0]) < MAX_INT:
            return rest[0]
        if kind == "float" and len(rest) == 1 and type(rest[0]) in (int, float):
            return float(rest[0])
        if kind == "str" and len(rest) == 1 and isinstance(rest[0], str) and len(rest[0]) <= MAX_STR:
            return rest[0]
        if kind == "token" and len(rest) == 1 and type(rest[0]) is int:
            return token(rest[0])
        if kind == "array" and len(rest) == 3:
            return _array(np, *rest, payload)
        if kind in ("list", "tuple") and len(rest) == 1 and isinstance(rest[0], list):
            items = [walk(x, depth + 1) for x in rest[0]]
            return items if kind == "list" else tuple(items)
        if kind == "dict" and len(rest) == 1 and isinstance(rest[0], list):
            out = {}
            for pair in rest[0]:
                if not isinstance(pair, list) or len(pair) != 2 or type(pair[0]) not in (str, int):
                    raise MalformedMessage("bad dict entry")
                out[pair[0]] = walk(pair[1], depth + 1)
            return out
        raise MalformedMessage(f"bad node {kind!r}")

    return walk(tree, 0)


def _array(np, dtype, shape, offset, payload):
    if not isinstance(dtype, str) or len(dtype) > 4 or not isinstance(shape, list) or len(shape) > 8 \
            or not all(type(n) is int and 0 <= n <= MAX_PAYLOAD for n in shape) or type(offset) is not int:
        raise MalformedMessage("bad array header")
    try:
        kind = np.dtype(dtype)
    except TypeError:
        raise MalformedMessage("bad dtype") from None
    if kind.hasobject or kind.kind not in "biuf" or kind.itemsize > 8:
        raise MalformedMessage(f"dtype {kind}")
    size = math.prod(shape) * kind.itemsize
    if not 0 <= offset <= len(payload) - size:
        raise MalformedMessage("array outside the payload")
    return np.frombuffer(payload[offset:offset + size], dtype=kind).reshape(shape).copy()


def frame(message, payload=b""):
    data = json.dumps(message).encode("utf-8")
    if len(data) > MAX_JSON or len(payload) > MAX_PAYLOAD:
        raise Unencodable("message too large for the dependency channel")
    return HEADER.pack(len(data), len(payload)) + data + payload


def _exactly(sock, size):
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1024**2))
        if not chunk:
            raise EOFError("the dependency channel is closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_frame(sock):
    """(message dict, payload) of the next frame; EOFError when closed, MalformedMessage when not a frame."""
    json_size, payload_size = HEADER.unpack(_exactly(sock, HEADER.size))
    if json_size > MAX_JSON or payload_size > MAX_PAYLOAD:
        raise MalformedMessage("frame too large")
    try:
        message = json.loads(_exactly(sock, json_size).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise MalformedMessage("not JSON (or nested too deeply)") from None
    if not isinstance(message, dict):
        raise MalformedMessage("not a JSON object")
    return message, _exactly(sock, payload_size)


# ---- the child's side -------------------------------------------------------------------------------------
class _Caches:
    """The student's own caches that stand for reference caches: the forward proxy returns the cache the
    student's own forward made on the same arguments (so code that looks into it, say for a shape, still works),
    and a backward proxy that receives it sends the token of the reference cache instead."""

    def __init__(self):
        self.tokens = {}  # id(cache) -> (cache, token); the cache is kept alive so its id is not reused

    def token_of(self, item):
        entry = self.tokens.get(id(item))
        return entry[1] if entry is not None and entry[0] is item else None

    def student_caches(self, answer, original, args, kwargs):
        """The answer with each CacheToken replaced by the student's own cache at that position, when the
        student's forward returns one (a tuple, list or dict); the token itself otherwise."""
        if original is None or not isinstance(answer, tuple) or not any(type(x) is CacheToken for x in answer):
            return answer
        try:
            own = original(*args, **kwargs)
        except Exception:  # noqa: BLE001 - the student's forward is wrong: the opaque token will do
            return answer
        if not isinstance(own, tuple) or len(own) != len(answer):
            return answer
        out = list(answer)
        for position, item in enumerate(answer):
            if type(item) is CacheToken and type(own[position]) in (tuple, list, dict) \
                    and self.token_of(own[position]) is None:
                self.tokens[id(own[position])] = (own[position], item)
                out[position] = own[position]
        return tuple(out)


def _proxy(np, sock, caches, task_id, function_name, original):
    def fallback(*args, **kwargs):
        if original is None:
            raise DependencyCallError(f"Task {task_id} ({function_name}): this call cannot be answered by the "
                                      "reference, and your module has no such function")
        return original(*args, **kwargs)

    def proxy(*args, **kwargs):
        try:
            args_tree, args_payload = encode(np, list(args), caches.token_of)
            kwargs_tree, kwargs_payload = encode(np, kwargs, caches.token_of)
            message = frame({"task": task_id, "args": args_tree, "kwargs": _shift(kwargs_tree, len(args_payload))},
                            args_payload + kwargs_payload)
        except Unencodable:
            return fallback(*args, **kwargs)
        try:
            sock.sendall(message)
            answer, payload = read_frame(sock)
        except (EOFError, OSError, MalformedMessage) as error:
            raise DependencyCallError(f"Task {task_id} ({function_name}): the grader's answers are not available "
                                      f"any more ({error})") from None
        if answer.get("fallback") is True:
            return fallback(*args, **kwargs)
        if "error" in answer:
            raise DependencyCallError(f"Task {task_id} ({function_name}), answered by the reference for this "
                                      f"check, rejected the arguments your code passed: {str(answer['error'])[:300]}")
        return caches.student_caches(decode(np, answer["ok"], payload), original, args, kwargs)

    proxy.__name__ = proxy.__qualname__ = function_name
    proxy.__wrapped_task__ = task_id
    return proxy


def _shift(tree, shift):
    """The tree with every array offset moved by ``shift`` (two trees share one payload)."""
    if tree[0] == "array":
        return ["array", tree[1], tree[2], tree[3] + shift]
    if tree[0] in ("list", "tuple"):
        return [tree[0], [_shift(x, shift) for x in tree[1]]]
    if tree[0] == "dict":
        return ["dict", [[key, _shift(x, shift)] for key, x in tree[1]]]
    return tree


def install(np, load, proxies, fd, package):
    """Replace each ``(task_id, module, function)`` of ``proxies`` in the student's package by a proxy.

    The module attribute is replaced, and so is every copy of the original function held by a module of the
    package already imported (``from .rnn import rnn_step_backward``); modules imported later get the proxy
    from the module attribute. Copies held elsewhere (a dict, a default argument, a closure) keep the
    student's own function. Returns the socket (kept open by the caller).
    """
    import socket

    sock = socket.socket(fileno=fd)
    caches = _Caches()
    replaced = {}
    for task_id, module_name, function_name in proxies:
        try:
            module = load(module_name)
        except Exception:  # noqa: BLE001 - the task that imports it fails on its own
            continue
        original = getattr(module, function_name, None)
        proxy = _proxy(np, sock, caches, task_id, function_name, original if callable(original) else None)
        setattr(module, function_name, proxy)
        if original is not None:
            replaced[id(original)] = (original, proxy)
    for name, module in list(sys.modules.items()):
        if name == package or name.startswith(package + "."):
            for attribute, value in list(vars(module).items()):
                entry = replaced.get(id(value))
                if entry is not None and entry[0] is value:
                    setattr(module, attribute, entry[1])
    return sock
