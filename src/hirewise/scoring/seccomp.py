"""The seccomp filter of the code sandbox: the system calls a candidate's code is refused.

bubblewrap loads it (``--seccomp FD``) right before it starts the runner, so it binds the runner and
everything the candidate's code forks. The namespaces already keep the code away from the host; the
filter removes the kernel interfaces the runner never needs and that an escape would start from:
debugging other processes and reading their memory, mounting, new namespaces (a nested user namespace
hands the code every capability inside it), keyrings, eBPF, perf, kernel modules, io_uring, and
sockets other than local (AF_UNIX) ones.

The program is classic BPF, assembled here (no libseccomp needed), for the two architectures we run
on. Anything made for another ABI of the same CPU (x86's 32-bit ``int 0x80``, x32) is refused too, so
the numbers below cannot be sidestepped. A machine of another architecture gets no filter, and the
sandbox refuses to run rather than run without it.

Refused calls fail with ``EPERM`` (a clear ``PermissionError`` in Python), except ``clone3``, which
fails with ``ENOSYS``: its flags live in memory a filter cannot read, and on ``ENOSYS`` the C library
falls back to ``clone``, whose flags are checked.
"""

from __future__ import annotations

import errno
import platform
import struct
from collections.abc import Mapping
from dataclasses import dataclass

# seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6]. Arguments are read as their
# low 32 bits (little-endian), which holds every flag and family tested here.
_NR_OFFSET = 0
_ARCH_OFFSET = 4
_ARGS_OFFSET = 16

# Classic BPF opcodes (linux/bpf_common.h).
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_JSET_K = 0x45
_RET_K = 0x06

RET_KILL_PROCESS = 0x80000000
RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000

X32_SYSCALL_BIT = 0x40000000
AF_UNIX = 1
# Namespace flags of clone(2). CLONE_NEWTIME (0x80) is not among them: in clone(2) the low byte is
# the exit signal, and clone3, the only way to ask for a new time namespace, is refused.
CLONE_NAMESPACE_FLAGS = 0x7E020000
# personality(2) may be queried (0xffffffff) or set to plain Linux; anything else, such as turning
# off address-space randomisation for what the code starts next, is refused.
PERSONALITY_ALLOWED = (0x0, 0xFFFFFFFF)

# Refused outright. Grouped by why; every name must exist in each architecture's table below
# unless listed in that architecture's ``absent``.
DENIED = (
    # other processes: debugging, reading or writing their memory, stealing their descriptors
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "pidfd_getfd",
    "process_madvise",
    "kcmp",
    "move_pages",
    "migrate_pages",
    # namespaces and the filesystem tree
    "unshare",
    "setns",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "mount_setattr",
    "open_tree",
    "move_mount",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "open_by_handle_at",
    "name_to_handle_at",
    # kernel interfaces an exploit starts from
    "keyctl",
    "add_key",
    "request_key",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "init_module",
    "finit_module",
    "delete_module",
    "kexec_load",
    "kexec_file_load",
    "lookup_dcookie",
    "fanotify_init",
    "modify_ldt",
    "iopl",
    "ioperm",
    "uselib",
    "_sysctl",
    "nfsservctl",
    # the machine's state
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "quotactl",
    "quotactl_fd",
    "syslog",
    "settimeofday",
    "clock_settime",
    "adjtimex",
    "clock_adjtime",
    "sethostname",
    "setdomainname",
    "vhangup",
)


@dataclass(frozen=True, slots=True)
class Architecture:
    name: str
    audit_arch: int  # AUDIT_ARCH_* of linux/audit.h
    numbers: Mapping[str, int]
    absent: frozenset[str]  # names of DENIED this architecture never had
    x32: bool = False  # whether the x32 ABI shares this audit architecture


X86_64 = Architecture(
    name="x86_64",
    audit_arch=0xC000003E,
    numbers={
        "ptrace": 101,
        "process_vm_readv": 310,
        "process_vm_writev": 311,
        "pidfd_getfd": 438,
        "process_madvise": 440,
        "kcmp": 312,
        "move_pages": 279,
        "migrate_pages": 256,
        "unshare": 272,
        "setns": 308,
        "mount": 165,
        "umount2": 166,
        "pivot_root": 155,
        "chroot": 161,
        "mount_setattr": 442,
        "open_tree": 428,
        "move_mount": 429,
        "fsopen": 430,
        "fsconfig": 431,
        "fsmount": 432,
        "fspick": 433,
        "open_by_handle_at": 304,
        "name_to_handle_at": 303,
        "keyctl": 250,
        "add_key": 248,
        "request_key": 249,
        "bpf": 321,
        "perf_event_open": 298,
        "userfaultfd": 323,
        "io_uring_setup": 425,
        "io_uring_enter": 426,
        "io_uring_register": 427,
        "init_module": 175,
        "finit_module": 313,
        "delete_module": 176,
        "kexec_load": 246,
        "kexec_file_load": 320,
        "lookup_dcookie": 212,
        "fanotify_init": 300,
        "modify_ldt": 154,
        "iopl": 172,
        "ioperm": 173,
        "uselib": 134,
        "_sysctl": 156,
        "nfsservctl": 180,
        "reboot": 169,
        "swapon": 167,
        "swapoff": 168,
        "acct": 163,
        "quotactl": 179,
        "quotactl_fd": 443,
        "syslog": 103,
        "settimeofday": 164,
        "clock_settime": 227,
        "adjtimex": 159,
        "clock_adjtime": 305,
        "sethostname": 170,
        "setdomainname": 171,
        "vhangup": 153,
        "clone": 56,
        "clone3": 435,
        "socket": 41,
        "personality": 135,
    },
    absent=frozenset(),
    x32=True,
)

AARCH64 = Architecture(
    name="aarch64",
    audit_arch=0xC00000B7,
    numbers={
        "ptrace": 117,
        "process_vm_readv": 270,
        "process_vm_writev": 271,
        "pidfd_getfd": 438,
        "process_madvise": 440,
        "kcmp": 272,
        "move_pages": 239,
        "migrate_pages": 238,
        "unshare": 97,
        "setns": 268,
        "mount": 40,
        "umount2": 39,
        "pivot_root": 41,
        "chroot": 51,
        "mount_setattr": 442,
        "open_tree": 428,
        "move_mount": 429,
        "fsopen": 430,
        "fsconfig": 431,
        "fsmount": 432,
        "fspick": 433,
        "open_by_handle_at": 265,
        "name_to_handle_at": 264,
        "keyctl": 219,
        "add_key": 217,
        "request_key": 218,
        "bpf": 280,
        "perf_event_open": 241,
        "userfaultfd": 282,
        "io_uring_setup": 425,
        "io_uring_enter": 426,
        "io_uring_register": 427,
        "init_module": 105,
        "finit_module": 273,
        "delete_module": 106,
        "kexec_load": 104,
        "kexec_file_load": 294,
        "lookup_dcookie": 18,
        "fanotify_init": 262,
        "nfsservctl": 42,
        "reboot": 142,
        "swapon": 224,
        "swapoff": 225,
        "acct": 89,
        "quotactl": 60,
        "quotactl_fd": 443,
        "syslog": 116,
        "settimeofday": 170,
        "clock_settime": 112,
        "adjtimex": 171,
        "clock_adjtime": 266,
        "sethostname": 161,
        "setdomainname": 162,
        "vhangup": 58,
        "clone": 220,
        "clone3": 435,
        "socket": 198,
        "personality": 92,
    },
    absent=frozenset({"modify_ldt", "iopl", "ioperm", "uselib", "_sysctl"}),
)

ARCHITECTURES = {arch.name: arch for arch in (X86_64, AARCH64)}
_MACHINE_ALIASES = {"amd64": "x86_64", "arm64": "aarch64"}


class UnsupportedArchitecture(Exception):
    """No filter is written for this machine's architecture."""


def architecture_of(machine: str | None = None) -> Architecture:
    name = (machine or platform.machine()).lower()
    name = _MACHINE_ALIASES.get(name, name)
    try:
        return ARCHITECTURES[name]
    except KeyError:
        raise UnsupportedArchitecture(
            f"the code sandbox has no seccomp filter for the {name} architecture"
        ) from None


def _errno(code: int) -> int:
    return _RET_ERRNO | code


def _statement(code: int, k: int) -> tuple[int, int, int, int]:
    return (code, 0, 0, k)


def _jump(code: int, k: int, if_true: int, if_false: int) -> tuple[int, int, int, int]:
    return (code, if_true, if_false, k)


def _load_arg(index: int) -> tuple[int, int, int, int]:
    return _statement(_LD_W_ABS, _ARGS_OFFSET + 8 * index)


def instructions(arch: Architecture) -> list[tuple[int, int, int, int]]:
    """The program as ``(code, jump if true, jump if false, k)`` tuples, in order."""
    numbers = arch.numbers
    deny = _errno(errno.EPERM)
    program = [
        _statement(_LD_W_ABS, _ARCH_OFFSET),
        _jump(_JEQ_K, arch.audit_arch, 1, 0),
        _statement(_RET_K, RET_KILL_PROCESS),
        _statement(_LD_W_ABS, _NR_OFFSET),
    ]
    if arch.x32:
        program += [_jump(_JGE_K, X32_SYSCALL_BIT, 0, 1), _statement(_RET_K, deny)]
    for name in DENIED:
        if name in arch.absent:
            continue
        program += [_jump(_JEQ_K, numbers[name], 0, 1), _statement(_RET_K, deny)]
    program += [_jump(_JEQ_K, numbers["clone3"], 0, 1), _statement(_RET_K, _errno(errno.ENOSYS))]
    # Each block below returns on both paths, so loading an argument over the number is safe.
    program += [
        _jump(_JEQ_K, numbers["clone"], 0, 4),
        _load_arg(0),
        _jump(_JSET_K, CLONE_NAMESPACE_FLAGS, 0, 1),
        _statement(_RET_K, deny),
        _statement(_RET_K, RET_ALLOW),
    ]
    program += [
        _jump(_JEQ_K, numbers["socket"], 0, 4),
        _load_arg(0),
        _jump(_JEQ_K, AF_UNIX, 1, 0),
        _statement(_RET_K, deny),
        _statement(_RET_K, RET_ALLOW),
    ]
    allowed_personalities = len(PERSONALITY_ALLOWED)
    program += [_jump(_JEQ_K, numbers["personality"], 0, 3 + allowed_personalities), _load_arg(0)]
    for position, value in enumerate(PERSONALITY_ALLOWED):
        program.append(_jump(_JEQ_K, value, allowed_personalities - position, 0))
    program += [_statement(_RET_K, deny), _statement(_RET_K, RET_ALLOW)]
    program.append(_statement(_RET_K, RET_ALLOW))
    return program


_SOCK_FILTER = struct.Struct("=HBBI")  # struct sock_filter, in this machine's byte order


def filter_program(machine: str | None = None) -> bytes:
    """The compiled filter for ``machine`` (default: this one), in the form ``bwrap --seccomp`` reads."""
    return b"".join(_SOCK_FILTER.pack(*instruction) for instruction in instructions(architecture_of(machine)))
