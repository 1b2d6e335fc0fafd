"""Run a candidate's Python function against test cases inside a bubblewrap sandbox.

Called on the worker, never in the web process. The candidate's code runs under the system interpreter
(``-I -S -B``: no site-packages, no environment, no bytecode writes) in a bubblewrap sandbox that has
no network, no host files except the interpreter, its standard library and the shared libraries it
links (all read-only), a small private ``/tmp``, its own ``/proc`` and ``/dev``, no capabilities and an
empty environment. When this process is root, bubblewrap is started as ``nobody`` (uid 65534): the
kernel never applies the process-count limit to uid 0.

Limits and who enforces them:

- CPU seconds, address space, file size, open files (and no core dumps): ``setrlimit`` before bwrap
  starts, inherited by everything inside. CPU time and memory therefore apply per process.
- processes: ``RLIMIT_NPROC`` set by the runner as its first act inside the sandbox's user namespace, so
  it counts that sandbox's processes only (set outside, it would count every ``nobody`` process on the
  machine, including other sandboxes).
- per-test time: the runner runs every test in its own forked process and kills its process group when
  the budget is spent.
- wall time: this side kills the whole sandbox (its PID namespace) when ``wall_seconds`` have passed.
- output: printed output is counted against ``output_bytes`` inside; this side reads the runner's
  streams with a cap and kills the sandbox when a stream exceeds it.

The runner never receives expected values (the comparison happens here), and visible tests run before
hidden ones, so nothing a visible test reports can carry a hidden test's inputs. Reports show a hidden
test's status and a generic category only.

If bubblewrap or the interpreter cannot start, the result is ``sandbox_unavailable``: the code is never
run unsandboxed. ``HIREWISE_BWRAP`` overrides the bubblewrap binary, ``HIREWISE_SANDBOX_PYTHON`` the
interpreter (it must be readable by uid 65534 when the worker runs as root).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import resource
import selectors
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from hirewise.scoring.seccomp import UnsupportedArchitecture, filter_program

TestStatus = Literal["passed", "failed", "error", "timeout"]
RunStatus = Literal[
    "completed",
    "sandbox_unavailable",
    "syntax_error",
    "missing_function",
    "time_limit",
    "memory_limit",
    "output_limit",
    "crashed",
]

BWRAP_ENV = "HIREWISE_BWRAP"
PYTHON_ENV = "HIREWISE_SANDBOX_PYTHON"
DEFAULT_BWRAP = "/usr/bin/bwrap"
SYSTEM_PYTHON = "/usr/bin/python3"
NOBODY = 65534
RUNNER_SOURCE = Path(__file__).with_name("sandbox_runner.py")
RUNNER_IN_SANDBOX = "/sandbox/runner.py"
TMPFS_BYTES = 16 * 1024 * 1024
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_OPEN_FILES = 64
PROTOCOL_LINE_OVERHEAD = 2048  # per test: event names, statuses and clipped messages around the values
STDERR_KEPT_FOR_DIAGNOSIS = 2000
TEARDOWN_SECONDS = 5.0
FRAME_HEADER = struct.Struct(">Q")
# bubblewrap itself starts with this environment, not only the code it runs: its first process stays
# in the sandbox as PID 1, where the candidate's code could read its /proc/1/environ.
SANDBOX_ENVIRONMENT: dict[str, str] = {}


@dataclass(frozen=True, slots=True)
class SandboxLimits:
    cpu_seconds: int = 5
    wall_seconds: float = 10.0
    memory_mb: int = 256
    max_processes: int = 16
    output_bytes: int = 64_000
    per_test_seconds: float = 2.0


@dataclass(frozen=True, slots=True)
class CodeTestCase:
    args: tuple[Any, ...]
    expected: Any
    visible: bool
    name: str = ""


@dataclass(frozen=True, slots=True)
class CodeTestOutcome:
    """One test's result. For a hidden test ``args``, ``expected`` and ``actual`` are None and ``message``
    is a generic category ("wrong answer", "exception: ValueError", "time limit")."""

    index: int
    name: str
    visible: bool
    status: TestStatus
    args: tuple[Any, ...] | None
    expected: Any | None
    actual: Any | None
    message: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "name": self.name,
            "visible": self.visible,
            "status": self.status,
            "args": None if self.args is None else _json_round_trip(list(self.args)),
            "expected": _json_round_trip(self.expected) if self.visible else None,
            "actual": self.actual if self.visible else None,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class CodeRunReport:
    """Score = ``passed`` of ``total``; ``outcomes`` has one entry per test, in the order given."""

    status: RunStatus
    outcomes: tuple[CodeTestOutcome, ...]
    passed: int
    total: int
    message: str
    sandbox: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable; hidden outcomes carry no inputs, expected or actual values."""
        return {
            "status": self.status,
            "passed": self.passed,
            "total": self.total,
            "message": self.message,
            "sandbox": self.sandbox,
            "outcomes": [outcome.to_dict() for outcome in self.outcomes],
        }


class SandboxUnavailable(Exception):
    """bubblewrap or the sandbox interpreter cannot be used on this machine."""


def sandbox_available(*, bwrap: str | None = None) -> bool:
    """Whether a trivial program runs in the sandbox here (bubblewrap present and user namespaces allowed)."""
    try:
        with _seccomp_filter() as seccomp_fd:
            command = _sandbox_command(_bwrap_path(bwrap), ["-c", "pass"], seccomp_fd)
            completed = subprocess.run(  # noqa: S603 - our own bwrap command line, no shell
                command,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=10,
                check=False,
                cwd="/",
                env=SANDBOX_ENVIRONMENT,
                pass_fds=(seccomp_fd,),
                **_identity(),
            )
    except (SandboxUnavailable, OSError, subprocess.SubprocessError):
        return False
    return completed.returncode == 0


def run_code_tests(
    source: str,
    function_name: str,
    tests: Sequence[CodeTestCase],
    limits: SandboxLimits = SandboxLimits(),
    *,
    bwrap: str | None = None,
) -> CodeRunReport:
    """Run ``function_name(*case.args)`` from ``source`` for every test, each in a fresh process, in the sandbox.

    ``bwrap`` overrides the bubblewrap binary (default: ``$HIREWISE_BWRAP``, else the one on PATH).
    """
    expected = [_json_round_trip(test.expected) for test in tests]  # fails early on a malformed test
    order = sorted(range(len(tests)), key=lambda index: (not tests[index].visible, index))
    bwrap_path = _bwrap_path(bwrap)
    try:
        sandbox_name = _bwrap_version(bwrap_path)
        with (
            tempfile.TemporaryDirectory(prefix="hirewise-sandbox-") as work_dir,
            _seccomp_filter() as seccomp,
        ):
            run = _run_in_sandbox(
                bwrap_path, Path(work_dir), seccomp, source, function_name, tests, order, limits
            )
    except SandboxUnavailable as exc:
        return _unavailable_report(tests, str(exc))
    if run.unavailable_reason is not None:
        return _unavailable_report(tests, run.unavailable_reason)
    return _build_report(run, tests, expected, function_name, sandbox_name)


# --- running -------------------------------------------------------------------------------------------


@dataclass
class _SandboxRun:
    """What came back from the runner, before it is turned into a report."""

    events: list[dict[str, Any]] = field(default_factory=list)
    killed_for: RunStatus | None = None
    unavailable_reason: str | None = None
    protocol_error: str | None = None
    exit_code: int | None = None


def _bwrap_path(explicit: str | None) -> str:
    if explicit:
        return explicit
    return os.environ.get(BWRAP_ENV) or shutil.which("bwrap") or DEFAULT_BWRAP


@functools.lru_cache(maxsize=8)
def _bwrap_version(bwrap_path: str) -> str:
    if not os.access(bwrap_path, os.X_OK):
        raise SandboxUnavailable(f"bubblewrap was not found at {bwrap_path}; the code was not run.")
    try:
        completed = subprocess.run(  # noqa: S603 - the configured bwrap binary, no shell
            [bwrap_path, "--version"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise SandboxUnavailable(
            f"bubblewrap at {bwrap_path} does not start ({exc}); the code was not run."
        ) from exc
    return completed.stdout.strip() or "bubblewrap"


def _sandbox_python() -> str:
    configured = os.environ.get(PYTHON_ENV)
    if configured:
        return configured
    if os.path.exists(SYSTEM_PYTHON):
        return SYSTEM_PYTHON
    return getattr(sys, "_base_executable", sys.executable)


@dataclass(frozen=True, slots=True)
class _InterpreterLayout:
    executable: str
    readable: tuple[str, ...]  # host paths bound read-only
    hidden: tuple[str, ...]  # folders inside those that the sandbox sees empty (installed packages)


@functools.lru_cache(maxsize=8)
def _interpreter_layout(python: str) -> _InterpreterLayout:
    """The interpreter's real path and the host paths it needs, asked of the interpreter itself.

    Installed packages (``site-packages``) often sit inside the standard library's folder; where the
    app is installed into the sandbox's interpreter, that is where its code is. They are hidden.
    """
    probe = (
        "import json, os, sys, sysconfig\n"
        "paths = sysconfig.get_paths()\n"
        "libdir = sysconfig.get_config_var('LIBDIR') or ''\n"
        "library = sysconfig.get_config_var('LDLIBRARY') or ''\n"
        "multiarch = sysconfig.get_config_var('MULTIARCH') or ''\n"
        "print(json.dumps({'executable': os.path.realpath(sys.executable),"
        " 'stdlib': paths['stdlib'], 'platstdlib': paths['platstdlib'],"
        " 'packages': [paths['purelib'], paths['platlib']],"
        " 'libpython': os.path.join(libdir, library) if libdir and library else '',"
        " 'multiarch': multiarch}))\n"
    )
    try:
        completed = subprocess.run(  # noqa: S603 - the configured interpreter running our own probe
            [python, "-I", "-S", "-c", probe], capture_output=True, text=True, timeout=30, check=True
        )
        layout = json.loads(completed.stdout)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        raise SandboxUnavailable(f"the sandbox interpreter {python} does not start ({exc}).") from exc
    readable = [layout["executable"], layout["stdlib"], layout["platstdlib"]]
    libpython = layout["libpython"]
    if libpython and os.path.exists(libpython):
        readable.append(os.path.realpath(libpython))
    multiarch = layout["multiarch"]
    readable += ["/lib", "/lib64", "/usr/lib64"]
    if multiarch:
        readable += [f"/usr/lib/{multiarch}", f"/lib/{multiarch}"]
    hidden = [
        path
        for path in dict.fromkeys(layout["packages"])
        if os.path.isdir(path) and any(path.startswith(folder + "/") for folder in readable)
    ]
    return _InterpreterLayout(layout["executable"], tuple(dict.fromkeys(readable)), tuple(hidden))


def _mount_arguments(paths: Sequence[str]) -> list[str]:
    """Read-only binds of exactly these host paths; host symlinks (merged /usr) are recreated as symlinks."""
    arguments: list[str] = []
    for path in paths:
        if any(path.startswith(other + "/") for other in paths):
            continue  # already visible through a directory bound whole
        if os.path.islink(path):
            arguments += ["--symlink", os.readlink(path), path]
        elif os.path.realpath(path) != path:
            continue  # reached through a symlinked parent, which is recreated and its target bound
        elif os.path.exists(path):
            arguments += ["--ro-bind", path, path]
    return arguments


def _bwrap_supports_disable_userns(version: str) -> bool:
    """``--disable-userns`` arrived in bubblewrap 0.8.0; the seccomp filter refuses namespaces either way."""
    numbers = version.rpartition(" ")[2].split(".")
    try:
        return tuple(int(part) for part in numbers[:2]) >= (0, 8)
    except ValueError:
        return False


def _sandbox_command(
    bwrap_path: str, python_arguments: list[str], seccomp_fd: int, work_dir: Path | None = None
) -> list[str]:
    if not os.access(bwrap_path, os.X_OK):
        raise SandboxUnavailable(f"bubblewrap was not found at {bwrap_path}; the code was not run.")
    layout = _interpreter_layout(_sandbox_python())
    no_nested_namespaces = (
        ["--disable-userns"] if _bwrap_supports_disable_userns(_bwrap_version(bwrap_path)) else []
    )
    hide_packages: list[str] = []
    for folder in layout.hidden:
        hide_packages += ["--tmpfs", folder, "--remount-ro", folder]
    return [
        bwrap_path,
        "--unshare-all",
        "--unshare-user",  # not only "-try": the uid below and --disable-userns rely on it
        *no_nested_namespaces,
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--cap-drop",
        "ALL",
        "--uid",
        str(NOBODY),
        "--gid",
        str(NOBODY),
        "--hostname",
        "sandbox",
        *_mount_arguments(layout.readable),
        *hide_packages,
        *(["--ro-bind", str(work_dir), "/sandbox"] if work_dir is not None else []),
        "--size",
        str(TMPFS_BYTES),
        "--tmpfs",
        "/tmp",  # noqa: S108 - the sandbox's own private tmpfs, not the host's /tmp
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--remount-ro",  # bwrap's /dev is an unbounded tmpfs; its device nodes stay usable
        "/dev",
        "--remount-ro",
        "/",
        "--chdir",
        "/tmp",  # noqa: S108 - inside the sandbox
        "--seccomp",
        str(seccomp_fd),
        "--",
        layout.executable,
        "-I",
        "-S",
        "-B",
        *python_arguments,
    ]


@contextlib.contextmanager
def _seccomp_filter() -> Iterator[int]:
    """A pipe holding the compiled filter, for ``bwrap --seccomp``; yields the end bwrap reads."""
    try:
        program = filter_program()
    except UnsupportedArchitecture as exc:
        raise SandboxUnavailable(f"{exc}; the code was not run.") from exc
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, program)  # a few hundred bytes: far below a pipe's buffer
    finally:
        os.close(write_end)
    try:
        yield read_end
    finally:
        os.close(read_end)


def _identity() -> dict[str, Any]:
    """Start bwrap as nobody when we are root, so the kernel applies RLIMIT_NPROC inside."""
    if os.geteuid() == 0:
        return {"user": NOBODY, "group": NOBODY, "extra_groups": []}
    return {}


def _limit_resources(limits: SandboxLimits) -> Callable[[], None]:
    memory = limits.memory_mb * 1024 * 1024
    settings = (
        (resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1)),
        (resource.RLIMIT_AS, (memory, memory)),
        (resource.RLIMIT_FSIZE, (MAX_FILE_BYTES, MAX_FILE_BYTES)),
        (resource.RLIMIT_NOFILE, (MAX_OPEN_FILES, MAX_OPEN_FILES)),
        (resource.RLIMIT_CORE, (0, 0)),
    )

    def apply() -> None:
        for kind, value in settings:
            resource.setrlimit(kind, value)

    return apply


def _frame(value: Any) -> bytes:
    data = json.dumps(value).encode()
    return FRAME_HEADER.pack(len(data)) + data


def _run_in_sandbox(
    bwrap_path: str,
    work_dir: Path,
    seccomp_fd: int,
    source: str,
    function_name: str,
    tests: Sequence[CodeTestCase],
    order: Sequence[int],
    limits: SandboxLimits,
) -> _SandboxRun:
    # bwrap may run as nobody, which must be able to read the runner it is given.
    work_dir.chmod(0o755)
    runner = work_dir / "runner.py"
    shutil.copyfile(RUNNER_SOURCE, runner)
    runner.chmod(0o644)
    info_read, info_write = os.pipe()
    command = _sandbox_command(bwrap_path, [RUNNER_IN_SANDBOX], seccomp_fd, work_dir)
    command[1:1] = ["--info-fd", str(info_write)]
    header = {
        "source": source,
        "function_name": function_name,
        "per_test_seconds": limits.per_test_seconds,
        "output_bytes": limits.output_bytes,
        "max_processes": limits.max_processes,
        "case_count": len(order),
    }
    payload = _frame(header) + b"".join(
        _frame({"index": index, "args": _json_round_trip(list(tests[index].args))}) for index in order
    )
    try:
        process = subprocess.Popen(  # noqa: S603 - our own bwrap command line, no shell
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(info_write, seccomp_fd),
            start_new_session=True,
            preexec_fn=_limit_resources(limits),  # only setrlimit calls run between fork and exec
            cwd="/",
            env=SANDBOX_ENVIRONMENT,
            **_identity(),
        )
    except OSError as exc:
        os.close(info_read)
        os.close(info_write)
        raise SandboxUnavailable(f"bubblewrap could not be started ({exc}); the code was not run.") from exc
    os.close(info_write)
    try:
        return _communicate(process, info_read, payload, limits, len(tests))
    finally:
        os.close(info_read)


def _communicate(
    process: subprocess.Popen[bytes], info_fd: int, payload: bytes, limits: SandboxLimits, test_count: int
) -> _SandboxRun:
    """Feed the payload and read stdout/stderr/info with caps until the sandbox ends or is killed."""
    assert process.stdin and process.stdout and process.stderr
    caps = {
        "stdout": limits.output_bytes + PROTOCOL_LINE_OVERHEAD * (test_count + 8),
        "stderr": limits.output_bytes,
        "info": 64 * 1024,
    }
    received: dict[str, bytearray] = {name: bytearray() for name in caps}
    run = _SandboxRun()
    selector = selectors.DefaultSelector()
    os.set_blocking(process.stdin.fileno(), False)
    selector.register(process.stdin, selectors.EVENT_WRITE, "stdin")
    selector.register(process.stdout, selectors.EVENT_READ, "stdout")
    selector.register(process.stderr, selectors.EVENT_READ, "stderr")
    selector.register(info_fd, selectors.EVENT_READ, "info")
    deadline = time.monotonic() + limits.wall_seconds
    pending = memoryview(payload)
    open_streams = 3  # stdout, stderr, info; the run is over when all have closed
    try:
        while open_streams:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                run.killed_for = "time_limit"
                break
            for key, _ in selector.select(remaining):
                name = key.data
                if name == "stdin":
                    try:
                        written = os.write(key.fd, pending[:65536])
                    except (BrokenPipeError, BlockingIOError) as exc:
                        written = len(pending) if isinstance(exc, BrokenPipeError) else 0
                    pending = pending[written:]
                    if not pending:
                        selector.unregister(key.fileobj)
                        process.stdin.close()
                    continue
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    open_streams -= 1
                    continue
                received[name] += chunk
                if len(received[name]) > caps[name]:
                    run.killed_for = "output_limit"
                    open_streams = 0
                    break
    finally:
        selector.close()
        if not process.stdin.closed:
            process.stdin.close()
        if run.killed_for is not None:
            _kill_sandbox(process, bytes(received["info"]))
        run.exit_code = _wait(process)
        process.stdout.close()
        process.stderr.close()
    _parse_events(run, bytes(received["stdout"]))
    if not any(event.get("event") == "ready" for event in run.events) and run.killed_for is None:
        diagnosis = bytes(received["stderr"][:STDERR_KEPT_FOR_DIAGNOSIS]).decode("utf-8", "replace").strip()
        run.unavailable_reason = (
            f"The sandbox did not start (exit code {run.exit_code}): {diagnosis or 'no output'}. "
            "The code was not run."
        )
    return run


def _kill_sandbox(process: subprocess.Popen[bytes], info: bytes) -> None:
    """Kill the sandbox's PID 1, which takes every process in its namespace with it, then bwrap itself.

    Waiting for bwrap after killing its child means the namespace is gone when this returns; killing
    only bwrap would leave the teardown racing with the caller.
    """
    try:
        sandbox_init = int(json.loads(info.decode() or "{}").get("child-pid", 0))
    except (ValueError, AttributeError):
        sandbox_init = 0
    if sandbox_init > 0:
        with contextlib.suppress(OSError):
            os.kill(sandbox_init, signal.SIGKILL)
        try:
            process.wait(TEARDOWN_SECONDS)
            return
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(OSError):
        os.killpg(process.pid, signal.SIGKILL)


def _wait(process: subprocess.Popen[bytes]) -> int:
    try:
        return process.wait(TEARDOWN_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(OSError):
            os.killpg(process.pid, signal.SIGKILL)
        return process.wait()


def _parse_events(run: _SandboxRun, output: bytes) -> None:
    for line in output.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            run.protocol_error = "the runner wrote something unreadable"
            return
        if not isinstance(event, dict):
            run.protocol_error = "the runner wrote something unreadable"
            return
        run.events.append(event)


# --- reporting -----------------------------------------------------------------------------------------


# A test that ran into one of these marks the whole run with the first one met, in test order.
_CASE_STATUS_TO_RUN: dict[str, RunStatus] = {
    "timeout": "time_limit",
    "memory": "memory_limit",
    "output_limit": "output_limit",
    "crashed": "crashed",
}
_RUN_MESSAGES: dict[RunStatus, str] = {
    "time_limit": "Time limit exceeded.",
    "memory_limit": "Memory limit exceeded.",
    "output_limit": "Output limit exceeded.",
    "crashed": "The program stopped unexpectedly.",
}


def _build_report(
    run: _SandboxRun,
    tests: Sequence[CodeTestCase],
    expected: Sequence[Any],
    function_name: str,
    sandbox_name: str,
) -> CodeRunReport:
    results: dict[int, dict[str, Any]] = {}
    running: int | None = None
    status: RunStatus | None = None
    message = ""
    finished = False
    for event in run.events:
        kind = event.get("event")
        if kind == "syntax_error":
            status, message = "syntax_error", str(event.get("message", "SyntaxError"))
        elif kind == "missing_function":
            status, message = (
                "missing_function",
                f"The solution does not define a function {function_name!r}.",
            )
        elif kind == "import_error":
            index = _index(event, len(tests))
            visible = index is not None and tests[index].visible
            status = "crashed"
            message = f"Loading the solution raised {_exception_text(event, visible)}."
        elif kind == "start":
            running = _index(event, len(tests))
        elif kind == "case":
            index = _index(event, len(tests))
            if index is not None:
                results.setdefault(index, event)
            running = None
        elif kind == "done":
            finished = True

    if run.killed_for is not None:
        status, message = run.killed_for, _RUN_MESSAGES[run.killed_for] + " The run was stopped."
        if running is not None and running not in results:
            results[running] = {"status": "timeout" if run.killed_for == "time_limit" else "output_limit"}
    elif status is None and (run.protocol_error or not finished):
        status, message = "crashed", _RUN_MESSAGES["crashed"]
    if status is None:
        for index in range(len(tests)):
            case_status = str(results.get(index, {}).get("status", ""))
            if case_status in _CASE_STATUS_TO_RUN:
                status = _CASE_STATUS_TO_RUN[case_status]
                message = _RUN_MESSAGES[status]
                break
    final_status: RunStatus = status or "completed"
    not_run = "not run (" + final_status.replace("_", " ") + ")"
    outcomes = tuple(
        _outcome(index, tests[index], expected[index], results.get(index), not_run)
        for index in range(len(tests))
    )
    passed = sum(outcome.status == "passed" for outcome in outcomes)
    summary = f"Passed {passed} of {len(tests)} tests."
    return CodeRunReport(
        status=final_status,
        outcomes=outcomes,
        passed=passed,
        total=len(tests),
        message=f"{message} {summary}".strip(),
        sandbox=sandbox_name,
    )


def _outcome(
    index: int, test: CodeTestCase, expected: Any, result: dict[str, Any] | None, not_run: str
) -> CodeTestOutcome:
    visible = test.visible
    detail: str | None
    if result is None:
        status: TestStatus = "error"
        actual: Any = None
        detail, category = not_run, "not run"
    else:
        status, actual, detail, category = _judge(result, expected, visible)
    return CodeTestOutcome(
        index=index,
        name=test.name,
        visible=visible,
        status=status,
        args=tuple(test.args) if visible else None,
        expected=test.expected if visible else None,
        actual=actual if visible else None,
        message=detail if visible else category,
    )


def same_value(actual: Any, expected: Any) -> bool:
    """Equality of JSON values where ``True`` is not ``1``: ``==`` alone would let a function that returns
    a bool pass a test expecting a count. Integers and floats of equal value stay equal (``2 == 2.0``)."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(actual, list) and isinstance(expected, list):
        return len(actual) == len(expected) and all(map(same_value, actual, expected))
    if isinstance(actual, dict) and isinstance(expected, dict):
        return actual.keys() == expected.keys() and all(same_value(actual[k], expected[k]) for k in actual)
    if isinstance(actual, (list, dict)) or isinstance(expected, (list, dict)):
        return False
    return bool(actual == expected)


def _judge(result: dict[str, Any], expected: Any, visible: bool) -> tuple[TestStatus, Any, str | None, str]:
    """(status, actual value, message for a visible test, category for a hidden one)."""
    kind = result.get("status")
    if kind == "returned":
        try:
            actual = json.loads(str(result.get("actual")))
        except ValueError:
            return "error", None, "the result could not be read", "error"
        if same_value(actual, expected):
            return "passed", actual, None, "passed"
        return "failed", actual, "wrong answer", "wrong answer"
    if kind == "unserialisable":
        type_name = str(result.get("type", "object"))
        return "failed", None, f"returned a {type_name}, which cannot be compared as JSON", "wrong answer"
    if kind == "exception":
        return (
            "error",
            None,
            _exception_text(result, visible=True),
            "exception: " + _exception_text(result, False),
        )
    if kind == "timeout":
        return "timeout", None, "time limit", "time limit"
    if kind == "memory":
        return "error", None, "memory limit", "memory limit"
    if kind == "output_limit":
        return "error", None, "output limit", "output limit"
    reason = str(result.get("reason", "")).strip()
    return "error", None, f"crashed: {reason}" if reason else "crashed", "crashed"


def _exception_text(result: dict[str, Any], visible: bool) -> str:
    type_name = str(result.get("type", "Exception"))
    if visible:
        detail = str(result.get("message", ""))
        return f"{type_name}: {detail}" if detail else type_name
    # A candidate-defined exception class could be named after the hidden inputs.
    return type_name if result.get("builtin") is True else "an exception"


def _index(event: dict[str, Any], count: int) -> int | None:
    index = event.get("index")
    return index if isinstance(index, int) and 0 <= index < count else None


def _unavailable_report(tests: Sequence[CodeTestCase], reason: str) -> CodeRunReport:
    outcomes = tuple(
        CodeTestOutcome(
            index=index,
            name=test.name,
            visible=test.visible,
            status="error",
            args=tuple(test.args) if test.visible else None,
            expected=test.expected if test.visible else None,
            actual=None,
            message="not run (sandbox unavailable)",
        )
        for index, test in enumerate(tests)
    )
    return CodeRunReport(
        status="sandbox_unavailable",
        outcomes=outcomes,
        passed=0,
        total=len(tests),
        message=reason,
        sandbox="unavailable",
    )


def _json_round_trip(value: Any) -> Any:
    """What the value looks like after JSON (tuples become lists), which is how results are compared."""
    return json.loads(json.dumps(value))
