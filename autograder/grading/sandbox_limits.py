"""Applied inside the sandbox just before the child starts: resource limits and, on request, no network.

Started (by every isolation backend, see ``isolation.py``) as::

    python -I -S sandbox_limits.py --cpu S --memory B --output B --processes N --network allow|deny -- CHILD ARGS

it sets the limits on itself and then runs ``CHILD ARGS`` in this same interpreter (already ``-I -S``; the limits and
the seccomp filter are the process's, so the child has them): one interpreter start per child, not two.
Setting them here, rather than in the grader before the sandbox starts, puts them inside bubblewrap's user
namespace, where ``RLIMIT_NPROC`` counts only the sandbox's processes. ``--processes none`` leaves the process
count unlimited (same-user mode, where the grader's user's other processes would count).

``--network deny`` installs a seccomp filter that makes ``socket()`` and ``io_uring_setup()`` fail with EACCES
(``socketpair`` stays allowed), and forbids the syscalls of other ABIs (x32, i386), for backends that have no
network namespace (privilege drop). Standard library only: this runs before anything else is importable.
"""

import errno
import os
import resource
import runpy
import sys

# machine -> (AUDIT_ARCH, socket, io_uring_setup) syscall numbers
SECCOMP_ARCHES = {"x86_64": (0xC000003E, 41, 425), "aarch64": (0xC00000B7, 198, 425)}
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2


def parse(argv):
    """``[--name value]... -- child args`` -> ({name: value}, child args)."""
    split = argv.index("--")
    options = dict(zip(argv[:split:2], argv[1:split:2]))
    return options, argv[split + 1:]


def apply_limits(options):
    cpu = int(options["--cpu"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_AS, (int(options["--memory"]),) * 2)
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(options["--output"]),) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if options["--processes"] != "none":
        resource.setrlimit(resource.RLIMIT_NPROC, (int(options["--processes"]),) * 2)


def deny_network():
    """Install the seccomp filter described in the module docstring (raises OSError if the kernel refuses)."""
    import ctypes
    import struct

    machine = os.uname().machine
    if machine not in SECCOMP_ARCHES:
        raise OSError(errno.ENOSYS, f"no seccomp network filter for {machine}")
    arch, socket_call, io_uring_call = SECCOMP_ARCHES[machine]
    load, jump_equal, jump_at_least, ret = 0x20, 0x15, 0x35, 0x06  # BPF_LD|W|ABS, BPF_JMP|JEQ|K, JGE|K, BPF_RET|K
    allow, deny = 0x7FFF0000, 0x00050000 | errno.EACCES  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | EACCES
    program = [
        (load, 0, 0, 4),  # seccomp_data.arch
        (jump_equal, 1, 0, arch),
        (ret, 0, 0, deny),  # another ABI: nothing
        (load, 0, 0, 0),  # seccomp_data.nr
        (jump_at_least, 3, 0, 0x40000000),  # x32 syscalls
        (jump_equal, 2, 0, socket_call),
        (jump_equal, 1, 0, io_uring_call),
        (ret, 0, 0, allow),
        (ret, 0, 0, deny),
    ]
    code = b"".join(struct.pack("HBBI", *instruction) for instruction in program)
    buffer = ctypes.create_string_buffer(code, len(code))

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    libc = ctypes.CDLL(None, use_errno=True)
    fprog = Program(len(program), ctypes.addressof(buffer))
    for call in ((PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0)):
        if libc.prctl(*(ctypes.c_ulong(value) for value in call)) != 0:
            raise OSError(ctypes.get_errno(), "prctl failed while installing the seccomp network filter")


def main(argv):
    options, child = parse(argv)
    apply_limits(options)
    if options["--network"] == "deny":
        deny_network()
    sys.argv = list(child)
    runpy.run_path(child[0], run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
