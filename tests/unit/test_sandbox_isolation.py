"""Candidates' code attacks the sandbox, for real under bubblewrap, while this process holds secrets.

The process that runs the sandbox (the Celery worker in production, the web process in embedded mode,
this test process here) has a canary secret in its environment, under the names the real secrets have.
Each hostile solution tries one way to reach the host or its secrets; the canary must never come back
in the report, and the attempt must fail the way the isolation says it does.

Like tests/unit/test_sandbox.py these need bubblewrap (`make test` and `.ci/run` install it) and fail,
never skip, without it.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sqlite3
import sys
import sysconfig
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import hirewise
from hirewise.scoring import sandbox
from hirewise.scoring.sandbox import CodeTestCase, SandboxLimits, run_code_tests
from hirewise.scoring.seccomp import architecture_of
from tests.unit.test_sandbox import sandbox_processes

FAST = SandboxLimits(per_test_seconds=2.0, wall_seconds=10.0)
CANARY = "hwcanary-" + secrets.token_hex(16)
MARKER = "hwcanary-"  # what the attacks search for; the random rest is known only to this process
SECRET_NAMES = ("SECRET_KEY", "DATABASE_URL", "MAIL_PASSWORD", "REDIS_URL", "HIREWISE_CANARY")
NUMBERS = dict(architecture_of().numbers)


@pytest.fixture(autouse=True)
def secrets_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in SECRET_NAMES:
        monkeypatch.setenv(name, f"{name.lower()}-{CANARY}")
    yield


def attack(source: str, limits: SandboxLimits = FAST) -> Any:
    """Run ``solve()`` once as a visible test (so its return value is reported in full) and return it."""
    test = CodeTestCase(args=(), expected="never equal", visible=True, name="attack")
    report = run_code_tests(textwrap.dedent(source), "solve", (test,), limits)
    reported = json.dumps(report.to_dict())
    assert CANARY not in reported, f"the sandbox leaked a secret: {reported[:2000]}"
    assert report.status == "completed", report
    return report.outcomes[0].actual


def test_the_reported_finding_reads_nothing_from_pid_1() -> None:
    # The attack from the issue: bwrap, PID 1 of the sandbox, used to carry the worker's environment.
    assert attack("def solve():\n    return open('/proc/1/environ').read()\n") == ""


def test_no_process_in_the_sandbox_holds_an_environment_or_a_secret_command_line() -> None:
    found = attack(
        """
        import os
        def solve():
            seen = {}
            for pid in sorted(p for p in os.listdir('/proc') if p.isdigit()):
                for name in ('environ', 'cmdline'):
                    try:
                        with open(f'/proc/{pid}/{name}', 'rb') as handle:
                            seen[f'{pid}/{name}'] = handle.read().decode('latin-1')
                    except OSError as exc:
                        seen[f'{pid}/{name}'] = type(exc).__name__
            return seen
        """
    )
    pids = {key.split("/")[0] for key in found}
    # Its own PID namespace: bwrap's init, the runner and this test's process, nothing of the host.
    assert pids <= {"1", "2", "3"} and "1" in pids
    environments = [value for key, value in found.items() if key.endswith("environ")]
    assert all(value in ("", "PermissionError") for value in environments), environments
    assert found["1/environ"] == ""


def test_its_own_environment_is_empty() -> None:
    found = attack(
        """
        import os
        def solve():
            try:
                own = open('/proc/self/environ').read()
            except OSError as exc:
                own = type(exc).__name__
            return [dict(os.environ), own]
        """
    )
    environment, own = found
    assert set(environment) <= {"PWD"}
    assert own in ("", "PermissionError")


def test_no_readable_memory_of_any_process_holds_a_secret() -> None:
    found = attack(
        f"""
        import os, re
        def solve():
            results = {{}}
            for pid in sorted(p for p in os.listdir('/proc') if p.isdigit()):
                try:
                    regions = open(f'/proc/{{pid}}/maps').read().splitlines()
                    hits = scanned = 0
                    with open(f'/proc/{{pid}}/mem', 'rb', 0) as memory:
                        for line in regions:
                            span, permissions = line.split()[:2]
                            if 'r' not in permissions:
                                continue
                            start, end = (int(part, 16) for part in span.split('-'))
                            try:
                                memory.seek(start)
                                data = memory.read(end - start)
                            except (OSError, OverflowError, ValueError):
                                continue
                            scanned += len(data)
                            hits += len(re.findall({MARKER.encode()!r}, data))
                    results[pid] = ['scanned', scanned, hits]
                except OSError as exc:
                    results[pid] = [type(exc).__name__]
            return results
        """
    )
    # bwrap's PID 1 is readable by the code (same user inside): it must hold nothing of the host's.
    assert found["1"][0] == "scanned" and found["1"][1] > 0
    assert [hits for _, _, hits in (r for r in found.values() if r[0] == "scanned")] == [0] * sum(
        r[0] == "scanned" for r in found.values()
    )
    # The runner (which holds the later tests) and the test's own process refuse to be read.
    assert {pid: result for pid, result in found.items() if pid != "1"} == {
        pid: ["PermissionError"] for pid in found if pid != "1"
    }


@pytest.fixture
def database_file(tmp_path: Path) -> Path:
    path = tmp_path / "hirewise.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE secrets (value TEXT)")
        connection.execute("INSERT INTO secrets VALUES (?)", (CANARY,))
    path.chmod(0o644)
    return path


def host_paths(database_file: Path) -> list[str]:
    return [
        str(Path(hirewise.__file__)),  # the app's code
        str(Path(hirewise.__file__).parents[2] / "pyproject.toml"),
        str(database_file),
        str(database_file.parent),
        str(Path.home()),
        "/etc/shadow",
        "/etc/passwd",
        "/proc/1/root/etc/passwd",
        "/var/run/postgresql",
        "/var/lib/postgresql",
        "/var/lib/redis",
    ]


def test_files_of_the_app_the_home_folder_and_the_database_cannot_be_read(database_file: Path) -> None:
    paths = host_paths(database_file)
    assert all(os.path.exists(path) for path in paths[:5]), "the host files themselves exist"
    found = attack(
        f"""
        import os
        def solve():
            results = {{}}
            for path in {paths!r}:
                try:
                    if os.path.isdir(path):
                        results[path] = ['listed', os.listdir(path)]
                    else:
                        with open(path, 'rb') as handle:
                            results[path] = ['read', handle.read(4096).decode('latin-1')]
                except OSError as exc:
                    results[path] = [type(exc).__name__]
            return results
        """
    )
    assert found == {path: ["FileNotFoundError"] for path in paths}


def test_the_sandbox_interpreter_sees_no_installed_packages() -> None:
    found = attack(
        """
        import sys
        def solve():
            found = []
            for name in ('flask', 'sqlalchemy', 'celery', 'redis', 'psycopg', 'hirewise'):
                try:
                    __import__(name)
                    found.append(name)
                except ImportError:
                    pass
            return [found, [path for path in sys.path if 'packages' in path]]
        """
    )
    assert found[0] == []


def test_installed_packages_inside_the_standard_library_folder_are_hidden() -> None:
    # Interpreters built from source (pyenv, the python:3.11 image) keep site-packages inside the
    # standard library's folder, which the sandbox mounts: it must be mounted empty over.
    python = getattr(sys, "_base_executable", sys.executable)
    layout = sandbox._interpreter_layout(python)
    packages = sysconfig.get_paths()["purelib"]
    stdlib = sysconfig.get_paths()["stdlib"]
    if packages.startswith(stdlib + "/"):
        assert packages in layout.hidden
    else:  # Debian's interpreter keeps them apart; then they are not mounted at all
        assert not any(packages.startswith(folder + "/") for folder in layout.readable)
    command = sandbox._sandbox_command(sandbox._bwrap_path(None), ["-c", "pass"], seccomp_fd=99)
    for folder in sandbox._interpreter_layout(sandbox._sandbox_python()).hidden:
        position = command.index(folder)
        assert command[position - 1] == "--tmpfs" and command[position + 1 : position + 3] == [
            "--remount-ro",
            folder,
        ]


@pytest.fixture
def host_listeners(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Servers on the host the code must not reach: TCP and UDP on loopback, a unix socket in a
    folder, and an abstract unix socket (those are per network namespace)."""
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    folder = tmp_path / "sockets"
    folder.mkdir()
    folder.chmod(0o755)
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix_path = folder / "redis.sock"
    unix.bind(str(unix_path))
    unix_path.chmod(0o777)
    unix.listen()
    abstract = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    abstract_name = "\0hirewise-test-" + secrets.token_hex(8)
    abstract.bind(abstract_name)
    abstract.listen()
    listeners = [tcp, udp, unix, abstract]
    for listener in listeners:
        listener.setblocking(False)
    try:
        yield {
            "tcp": tcp.getsockname()[1],
            "udp": udp.getsockname()[1],
            "unix": str(unix_path),
            "abstract": abstract_name,
            "sockets": listeners,
        }
    finally:
        for listener in listeners:
            listener.close()


def test_no_network_and_no_host_socket_is_reachable(host_listeners: dict[str, Any]) -> None:
    found = attack(
        f"""
        import socket
        def outcome(action):
            try:
                action()
                return 'reached'
            except OSError as exc:
                return type(exc).__name__
        def tcp(port):
            return lambda: socket.create_connection(('127.0.0.1', port), timeout=1).close()
        def udp():
            sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sender.sendto(b'{MARKER}', ('127.0.0.1', {host_listeners["udp"]}))
        def unix(address):
            def connect():
                client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                client.settimeout(1)
                client.connect(address)
            return connect
        def family(number, kind=socket.SOCK_RAW):
            return lambda: socket.socket(number, kind).close()
        def solve():
            return {{
                'tcp to a host server': outcome(tcp({host_listeners["tcp"]})),
                'tcp to PostgreSQL': outcome(tcp(5432)),
                'tcp to Redis': outcome(tcp(6379)),
                'udp': outcome(udp),
                'ipv6': outcome(family(socket.AF_INET6, socket.SOCK_STREAM)),
                'netlink': outcome(family(socket.AF_NETLINK)),
                'packet': outcome(family(socket.AF_PACKET)),
                'unix socket of the host': outcome(unix({host_listeners["unix"]!r})),
                'PostgreSQL unix socket': outcome(unix('/var/run/postgresql/.s.PGSQL.5432')),
                'Redis unix socket': outcome(unix('/run/redis/redis-server.sock')),
                'abstract unix socket of the host': outcome(unix({host_listeners["abstract"]!r})),
            }}
        """
    )
    assert found == {
        "tcp to a host server": "PermissionError",
        "tcp to PostgreSQL": "PermissionError",
        "tcp to Redis": "PermissionError",
        "udp": "PermissionError",
        "ipv6": "PermissionError",
        "netlink": "PermissionError",
        "packet": "PermissionError",
        "unix socket of the host": "FileNotFoundError",
        "PostgreSQL unix socket": "FileNotFoundError",
        "Redis unix socket": "FileNotFoundError",
        # An abstract socket lives in a network namespace: the sandbox has its own, empty one.
        "abstract unix socket of the host": "ConnectionRefusedError",
    }
    for listener in host_listeners["sockets"]:
        if listener.type == socket.SOCK_STREAM:
            with pytest.raises(BlockingIOError):
                listener.accept()
        else:
            with pytest.raises(BlockingIOError):
                listener.recv(64)


# Each call is made straight through libc's syscall(), with the numbers of this machine, so that no
# wrapper of the C library or of Python stands between the code and the kernel.
SYSCALL_ATTACKS = {
    "unshare a user namespace": ("unshare", "0x10000000"),
    "unshare a mount namespace": ("unshare", "0x00020000"),
    "unshare a network namespace": ("unshare", "0x40000000"),
    "join the host's namespaces": ("setns", "os.open('/proc/1/ns/user', os.O_RDONLY), 0"),
    "clone into a user namespace": ("clone", "0x10000000 | 17, 0, 0, 0, 0"),
    "clone into a PID namespace": ("clone", "0x20000000 | 17, 0, 0, 0, 0"),
    "clone3": ("clone3", "0, 0"),
    "ptrace the runner": ("ptrace", "16, os.getppid(), 0, 0"),  # PTRACE_ATTACH
    "ptrace PID 1": ("ptrace", "16, 1, 0, 0"),
    "be traced": ("ptrace", "0, 0, 0, 0"),  # PTRACE_TRACEME
    "mount": ("mount", "b'none', b'/tmp', b'tmpfs', 0, 0"),
    "unmount": ("umount2", "b'/proc', 2"),
    "pivot_root": ("pivot_root", "b'/tmp', b'/tmp'"),
    "keyctl": ("keyctl", "0, -3, 0"),  # KEYCTL_GET_KEYRING_ID of the session keyring
    "add_key": ("add_key", "b'user', b'x', b'x', 1, -3"),
    "bpf": ("bpf", "5, 0, 0"),  # BPF_PROG_LOAD
    "perf_event_open": ("perf_event_open", "ctypes.create_string_buffer(128), 0, -1, -1, 0"),
    "read the runner's memory": ("process_vm_readv", "os.getppid(), 0, 0, 0, 0, 0"),
    "write the runner's memory": ("process_vm_writev", "os.getppid(), 0, 0, 0, 0, 0"),
    "steal a descriptor": ("pidfd_getfd", "0, 0, 0"),
    "userfaultfd": ("userfaultfd", "0"),
    "io_uring": ("io_uring_setup", "1, ctypes.create_string_buffer(120)"),
    "turn address randomisation off": ("personality", "0x0040000"),  # ADDR_NO_RANDOMIZE
    "load a kernel module": ("finit_module", "0, b'', 0"),
}


def test_the_seccomp_filter_refuses_every_dangerous_call() -> None:
    calls = {
        label: f"libc.syscall({NUMBERS[name]}, {arguments})"
        for label, (name, arguments) in SYSCALL_ATTACKS.items()
    }
    lines = "\n".join(f"    results[{label!r}] = attempt(lambda: {call})" for label, call in calls.items())
    source = f"""
import ctypes, errno, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def attempt(call):
    try:
        result = call()
    except OSError as exc:
        return 'OSError ' + errno.errorcode.get(exc.errno, str(exc.errno))
    if result == 0 and os.getpid() != parent:
        os._exit(0)  # a clone that went through: the child must not run on
    if result == -1:
        return errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))
    return 'allowed'
def solve():
    global parent
    parent = os.getpid()
    results = {{}}
{lines}
    return results
"""
    found = attack(source)
    expected = {label: "EPERM" for label in SYSCALL_ATTACKS}
    expected["clone3"] = "ENOSYS"  # so the C library falls back to clone(), whose flags are checked
    assert found == expected


def test_no_capabilities_and_no_new_privileges() -> None:
    found = attack(
        """
        def solve():
            status = dict(line.split(':', 1) for line in open('/proc/self/status').read().splitlines())
            fields = ('Uid', 'CapEff', 'CapPrm', 'CapBnd', 'NoNewPrivs', 'Seccomp')
            return {name: status[name].split() for name in fields}
        """
    )
    assert found["Uid"] == ["65534"] * 4
    assert found["CapEff"] == found["CapPrm"] == found["CapBnd"] == ["0000000000000000"]
    assert found["NoNewPrivs"] == ["1"] and found["Seccomp"] == ["2"]


def test_on_the_host_the_code_runs_as_an_unprivileged_user() -> None:
    # Seen from outside: as root, the worker hands the sandbox to nobody; otherwise it is the worker's
    # own uid, whose files the mounts keep out of sight.
    expected = 65534 if os.geteuid() == 0 else os.geteuid()
    seen: dict[int, set[int]] = {}

    def watch(stop: threading.Event) -> None:
        while not stop.is_set():
            for pid in sandbox_processes():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                uids = next(line for line in status.splitlines() if line.startswith("Uid:"))
                seen[pid] = {int(value) for value in uids.split()[1:]}
            time.sleep(0.02)

    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(stop,))
    watcher.start()
    try:
        assert attack("import time\ndef solve():\n    time.sleep(1.5)\n    return 'slept'\n") == "slept"
    finally:
        stop.set()
        watcher.join()
    assert seen, "the watcher saw the sandbox's processes"
    assert all(uids == {expected} for uids in seen.values()), seen


def test_ordinary_solutions_still_work_under_the_filter() -> None:
    found = attack(
        """
        import asyncio, os, subprocess, sys, threading
        def solve():
            results = []
            worker = threading.Thread(target=lambda: results.append('thread'))
            worker.start()
            worker.join()
            async def job():
                await asyncio.sleep(0)
                return 'asyncio'
            results.append(asyncio.run(job()))
            pid = os.fork()
            if pid == 0:
                os._exit(7)
            results.append(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
            child = subprocess.run([sys.executable, '-I', '-c', 'print(6 * 7)'], capture_output=True, text=True)
            results.append(child.stdout.strip())
            return results
        """
    )
    assert found == ["thread", "asyncio", 7, "42"]


def test_a_machine_without_a_filter_never_runs_the_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "ran"
    monkeypatch.setattr("platform.machine", lambda: "riscv64")
    report = run_code_tests(
        f"open({str(marker)!r}, 'w').close()\ndef solve():\n    return 1\n",
        "solve",
        (CodeTestCase(args=(), expected=1, visible=True),),
        FAST,
    )
    assert report.status == "sandbox_unavailable"
    assert "riscv64" in report.message and "not run" in report.message
    assert not marker.exists()
    assert not sandbox.sandbox_available()
