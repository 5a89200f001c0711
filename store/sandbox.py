"""What a query worker does to itself before it takes queries, and what the parent reads about it.

- :func:`forbid_network` installs a seccomp filter (through the system's libseccomp) that makes
  ``socket()`` of any family but ``AF_UNIX`` fail with ``EPERM`` and refuses io_uring (whose
  operations would not pass the filter), in every thread of the process. The pipe to the parent
  (a Unix socket pair, already open) keeps working. Once installed it cannot be removed: the
  process has ``no_new_privs`` and seccomp filters only ever tighten.
- :func:`limit_address_space` and :func:`cpu_deadline` set kernel limits (``RLIMIT_AS``,
  ``RLIMIT_CPU``) that hold even when the parent and the forkserver are gone.
- :func:`rss_bytes` and :func:`running` read ``/proc`` for the parent's monitor and kills.

Linux only; elsewhere :func:`forbid_network` raises :class:`SandboxUnavailable`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import math
import os
import resource
import socket

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

_SCMP_ACT_ALLOW = 0x7FFF0000
_SCMP_ACT_ERRNO = 0x00050000
_SCMP_CMP_NE = 1
_SCMP_FLTATR_CTL_TSYNC = 4
_SCMP_ARCH_X32 = 0x4000003E  # EM_X86_64 | __AUDIT_ARCH_LE

# syscalls refused whatever their arguments: io_uring can open and connect sockets without
# passing through the socket() system call the filter watches
_REFUSED = ("io_uring_setup", "io_uring_enter", "io_uring_register")


class SandboxUnavailable(RuntimeError):
    """The network filter cannot be installed here (no Linux seccomp, no libseccomp)."""


class _ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64),
                ("datum_b", ctypes.c_uint64)]


def _libseccomp() -> ctypes.CDLL:
    name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
    try:
        lib = ctypes.CDLL(name, use_errno=True)
    except OSError as exc:
        raise SandboxUnavailable(f"libseccomp is not available ({exc}); install libseccomp2") from None
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
                                           ctypes.POINTER(_ArgCmp)]
    lib.seccomp_attr_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    lib.seccomp_arch_add.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    return lib


def forbid_network() -> None:
    """Make every outgoing network connection of this process fail with EPERM (see the module doc).

    Raises :class:`SandboxUnavailable` when the filter cannot be installed.
    """
    if not os.uname().sysname == "Linux":
        raise SandboxUnavailable("the network filter of the query workers needs Linux seccomp")
    lib = _libseccomp()
    ctx = lib.seccomp_init(_SCMP_ACT_ALLOW)
    if not ctx:
        raise SandboxUnavailable("seccomp_init failed")
    refuse = _SCMP_ACT_ERRNO | errno.EPERM
    try:
        _check(lib.seccomp_attr_set(ctx, _SCMP_FLTATR_CTL_TSYNC, 1), "seccomp_attr_set(TSYNC)")
        if os.uname().machine == "x86_64":  # the x32 system calls too (other ABIs are killed outright)
            _check(lib.seccomp_arch_add(ctx, _SCMP_ARCH_X32), "seccomp_arch_add(x32)")
        only_unix = (_ArgCmp * 1)(_ArgCmp(0, _SCMP_CMP_NE, socket.AF_UNIX, 0))
        _check(lib.seccomp_rule_add_array(ctx, refuse, _syscall(lib, "socket"), 1, only_unix), "rule socket")
        for name in _REFUSED:
            nr = lib.seccomp_syscall_resolve_name(name.encode())
            if nr >= 0:  # older architectures lack io_uring: nothing to refuse there
                _check(lib.seccomp_rule_add_array(ctx, refuse, nr, 0, None), f"rule {name}")
        _check(lib.seccomp_load(ctx), "seccomp_load")
    finally:
        lib.seccomp_release(ctx)


def _syscall(lib: ctypes.CDLL, name: str) -> int:
    nr = lib.seccomp_syscall_resolve_name(name.encode())
    if nr < 0:
        raise SandboxUnavailable(f"libseccomp does not know the system call {name}")
    return nr


def _check(rc: int, what: str) -> None:
    if rc < 0:
        raise SandboxUnavailable(f"{what} failed: {os.strerror(-rc)}")


def network_forbidden() -> bool:
    """Whether opening an IPv4 socket fails here (what :func:`forbid_network` ensures)."""
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    except PermissionError:
        return True
    return False


# --------------------------------------------------------------------------- kernel limits

def limit_address_space(extra_bytes: int) -> int:
    """Cap this process's address space at its present size plus ``extra_bytes``
    (``RLIMIT_AS``: an allocation past it fails, whatever the parent does). Returns the cap."""
    cap = vm_size_bytes(os.getpid()) + extra_bytes
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    return cap


def cpu_deadline(seconds: float | None) -> None:
    """Let the kernel stop this process (SIGXCPU) once it has used ``seconds`` more CPU time
    (plus one second of grace); None lifts the limit again."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if seconds is None:
        soft = hard
    else:
        used = resource.getrusage(resource.RUSAGE_SELF)
        soft = math.ceil(used.ru_utime + used.ru_stime + seconds + 1)
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def no_core_dumps() -> None:
    """No core file when the kernel stops this process (SIGXCPU, or an abort on a refused allocation)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (0, hard))


# --------------------------------------------------------------------------- read from /proc

def rss_bytes(pid: int) -> int | None:
    """Resident memory of ``pid`` in bytes (None when the process is gone)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return None


def vm_size_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/statm", "rb") as fh:
        return int(fh.read().split()[0]) * PAGE


def start_time(pid: int) -> int | None:
    """The kernel's start time of ``pid`` (tells a process from a later one with the same pid)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return None
    return int(stat[stat.rindex(b")") + 2:].split()[19])


def running(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return False
    return stat[stat.rindex(b")") + 2:][:1] not in (b"Z", b"X")
