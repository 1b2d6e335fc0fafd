"""The sandbox's seccomp filter as a program: run on a small classic-BPF interpreter, for every
architecture we ship numbers for (the sandbox tests check this machine's kernel agrees)."""

from __future__ import annotations

import errno
import struct

import pytest

from hirewise.scoring.seccomp import (
    AARCH64,
    ARCHITECTURES,
    DENIED,
    RET_ALLOW,
    RET_KILL_PROCESS,
    X86_64,
    Architecture,
    UnsupportedArchitecture,
    architecture_of,
    filter_program,
    instructions,
)

EPERM = 0x00050000 | errno.EPERM
ENOSYS = 0x00050000 | errno.ENOSYS
CLONE_NEWUSER = 0x10000000
SIGCHLD = 17
AF_UNIX, AF_INET, AF_NETLINK = 1, 2, 16


def seccomp_data(arch: int, nr: int, *args: int) -> bytes:
    padded = list(args) + [0] * (6 - len(args))
    return struct.pack("<iIQ6Q", nr, arch, 0, *padded)


def run(program: list[tuple[int, int, int, int]], data: bytes) -> int:
    """A classic-BPF interpreter for the instructions the filter uses; returns the action."""
    accumulator = 0
    pc = 0
    while True:
        code, if_true, if_false, k = program[pc]
        if code == 0x20:  # ld [k]
            (accumulator,) = struct.unpack_from("<I", data, k)
            pc += 1
        elif code in (0x15, 0x35, 0x45):  # jeq, jge, jset
            taken = {0x15: accumulator == k, 0x35: accumulator >= k, 0x45: bool(accumulator & k)}[code]
            pc += 1 + (if_true if taken else if_false)
        elif code == 0x06:
            return k
        else:
            raise AssertionError(f"unexpected opcode {code:#x}")


def verdict(arch: Architecture, name: str, *args: int) -> int:
    return run(instructions(arch), seccomp_data(arch.audit_arch, arch.numbers[name], *args))


@pytest.mark.parametrize("arch", ARCHITECTURES.values(), ids=lambda a: a.name)
def test_every_denied_call_fails_with_eperm(arch: Architecture) -> None:
    for name in DENIED:
        if name not in arch.absent:
            assert verdict(arch, name) == EPERM, name


@pytest.mark.parametrize("arch", ARCHITECTURES.values(), ids=lambda a: a.name)
def test_ordinary_calls_are_allowed(arch: Architecture) -> None:
    program = instructions(arch)
    forbidden = {arch.numbers[name] for name in (*DENIED, "clone3") if name not in arch.absent}
    for number in range(0, 460):
        if number in forbidden or number in {arch.numbers[n] for n in ("clone", "socket", "personality")}:
            continue
        assert run(program, seccomp_data(arch.audit_arch, number)) == RET_ALLOW, number


@pytest.mark.parametrize("arch", ARCHITECTURES.values(), ids=lambda a: a.name)
def test_clone_is_checked_by_its_flags_and_clone3_falls_back(arch: Architecture) -> None:
    assert verdict(arch, "clone", SIGCHLD) == RET_ALLOW  # fork
    assert verdict(arch, "clone", 0x003D0F00) == RET_ALLOW  # a thread's flags
    for flag in (0x00020000, 0x02000000, 0x04000000, 0x08000000, CLONE_NEWUSER, 0x20000000, 0x40000000):
        assert verdict(arch, "clone", flag | SIGCHLD) == EPERM, hex(flag)
    assert verdict(arch, "clone3") == ENOSYS


@pytest.mark.parametrize("arch", ARCHITECTURES.values(), ids=lambda a: a.name)
def test_only_local_sockets_and_plain_personalities(arch: Architecture) -> None:
    assert verdict(arch, "socket", AF_UNIX) == RET_ALLOW
    assert verdict(arch, "socket", AF_INET) == EPERM
    assert verdict(arch, "socket", AF_NETLINK) == EPERM
    assert verdict(arch, "personality", 0xFFFFFFFF) == RET_ALLOW
    assert verdict(arch, "personality", 0) == RET_ALLOW
    assert verdict(arch, "personality", 0x0040000) == EPERM


def test_another_abi_is_killed_and_x32_is_refused() -> None:
    program = instructions(X86_64)
    i386 = 0x40000003
    assert run(program, seccomp_data(i386, 1)) == RET_KILL_PROCESS
    assert run(program, seccomp_data(AARCH64.audit_arch, 1)) == RET_KILL_PROCESS
    assert run(program, seccomp_data(X86_64.audit_arch, 0x40000000 + 101)) == EPERM
    assert run(instructions(AARCH64), seccomp_data(X86_64.audit_arch, 1)) == RET_KILL_PROCESS


def test_every_table_names_every_denied_call() -> None:
    for arch in ARCHITECTURES.values():
        assert set(DENIED) - arch.absent <= set(arch.numbers), arch.name
        assert len(set(arch.numbers.values())) == len(arch.numbers), f"{arch.name} has a number twice"


def test_compiled_program_and_architecture_names() -> None:
    assert len(filter_program("x86_64")) == 8 * len(instructions(X86_64))
    assert architecture_of("amd64") is X86_64 and architecture_of("arm64") is AARCH64
    with pytest.raises(UnsupportedArchitecture, match="riscv64"):
        filter_program("riscv64")
