"""Runs inside the bubblewrap sandbox: executes a candidate's function on test arguments, one process per test.

This file is copied into the sandbox and run by the system interpreter with ``-I -S -B``, so it may only
use the standard library and must not import anything from ``hirewise``. It never sees expected values:
it reports what the function returned and the host compares, so candidate code cannot read the answers
from memory.

Wire format, both directions: frames of an 8-byte big-endian length followed by that many bytes of JSON.

- host → runner on stdin: one header ``{"source", "function_name", "per_test_seconds", "output_bytes",
  "max_processes", "case_count"}``, then ``case_count`` frames ``{"index", "args"}``. The runner reads a
  case only when it is about to run it, so a test never has later tests' arguments in its memory (the
  host sends the visible tests first: their reports can show values, so they must not be able to carry
  hidden inputs out).
- runner → host on the original stdout: JSON lines, one event each (``ready``, ``syntax_error``,
  ``start``, ``case``, ``missing_function``, ``import_error``, ``done``).

The candidate's ``print`` output goes to a bounded in-memory sink and is discarded; file-descriptor
level writes to 1 or 2 land on stderr, which the host caps. Neither can reach the protocol stream.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import json
import os
import resource
import select
import signal
import struct
import sys
import time
import types
from typing import Any, NoReturn

FRAME_HEADER = struct.Struct(">Q")
MAX_TEXT = 300  # characters of an exception message or type name kept in a report
FRAME_OVERHEAD = 4096  # room for the status fields around a returned value
PR_SET_DUMPABLE = 4
CHILD_FAILURE_EXIT = 70


class OutputLimitExceeded(Exception):
    """Raised into candidate code when its printed output exceeds the run's budget."""


class BoundedSink(io.TextIOBase):
    """A text stream that counts what is written and refuses to grow past ``budget`` bytes."""

    def __init__(self, budget: int) -> None:
        super().__init__()
        self.budget = budget
        self.used = 0
        self.exceeded = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        size = len(str(text).encode("utf-8", "replace"))
        if self.exceeded or self.used + size > self.budget:
            self.exceeded = True
            raise OutputLimitExceeded("output limit exceeded")
        self.used += size
        return len(text)


def read_exact(fd: int, size: int) -> bytes:
    """Read exactly ``size`` bytes, unbuffered, so nothing beyond the frame is pulled into memory."""
    chunks = []
    while size:
        chunk = os.read(fd, size)
        if not chunk:
            raise EOFError("stream ended inside a frame")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int) -> Any:
    (size,) = FRAME_HEADER.unpack(read_exact(fd, FRAME_HEADER.size))
    return json.loads(read_exact(fd, size))


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def describe_exception(exc: BaseException) -> dict[str, Any]:
    """Type name, message, and whether the type is a builtin.

    Only a builtin type's name is safe to show for a hidden test: a candidate could otherwise create an
    exception class named after the hidden arguments.
    """
    exc_type = type(exc)
    name = getattr(exc_type, "__name__", "Exception")
    builtin = exc_type.__module__ == "builtins" and getattr(builtins, str(name), None) is exc_type
    try:
        message = str(exc)
    except BaseException:
        message = ""
    return {"type": clip(str(name)), "builtin": builtin, "message": clip(message)}


def make_undumpable() -> None:
    """Keep test processes out of this process's /proc entries (its memory and stdin hold later tests)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (ImportError, OSError, AttributeError):
        pass  # the sandbox still holds; this only narrows what one test can see of the next


def execute_case(code: types.CodeType, function_name: str, args: list[Any], budget: int) -> dict[str, Any]:
    """Load the solution fresh and call the function; never raises."""
    sink = BoundedSink(budget)
    sys.stdout = sys.stderr = sink
    module = types.ModuleType("solution")
    module.__file__ = "solution.py"
    sys.modules["solution"] = module
    try:
        exec(code, module.__dict__)  # noqa: S102 - running the candidate's code is the point, in here
    except MemoryError:
        return {"status": "memory"}
    except BaseException as exc:
        if sink.exceeded:
            return {"status": "output_limit"}
        return {"status": "import_error", **describe_exception(exc)}
    function = module.__dict__.get(function_name)
    if not callable(function):
        return {"status": "missing_function"}
    try:
        value = function(*args)
    except MemoryError:
        return {"status": "memory"}
    except BaseException as exc:
        if sink.exceeded:
            return {"status": "output_limit"}
        return {"status": "exception", **describe_exception(exc)}
    if sink.exceeded:
        return {"status": "output_limit"}
    try:
        actual = json.dumps(value)
    except MemoryError:
        return {"status": "memory"}
    except BaseException:
        return {"status": "unserialisable", "type": clip(type(value).__name__)}
    if sink.used + len(actual) > budget:
        return {"status": "output_limit"}
    return {"status": "returned", "actual": actual, "output_used": sink.used + len(actual)}


def child_main(
    result_fd: int, protocol_fd: int, code: types.CodeType, function_name: str, args: list[Any], budget: int
) -> NoReturn:
    os.setpgid(0, 0)  # so the runner can kill this test together with anything it forks
    os.close(protocol_fd)
    devnull = os.open("/dev/null", os.O_RDONLY)
    os.dup2(devnull, 0)  # the host's stdin still carries later tests
    os.close(devnull)
    sys.stdin = io.StringIO()
    reporter = os.getpid()
    result = execute_case(code, function_name, args, budget)
    if os.getpid() == reporter:  # processes the candidate forked must not report
        data = json.dumps(result).encode()
        write_all(result_fd, FRAME_HEADER.pack(len(data)) + data)
    os._exit(0)


def kill_group(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)


def run_case(
    protocol_fd: int, code: types.CodeType, function_name: str, args: list[Any], budget: int, seconds: float
) -> dict[str, Any]:
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError as exc:
        os.close(read_fd)
        os.close(write_fd)
        return {"status": "crashed", "reason": clip(f"could not start the test: {exc.strerror}")}
    if pid == 0:
        try:
            os.close(read_fd)
            child_main(write_fd, protocol_fd, code, function_name, args, budget)
        finally:
            os._exit(CHILD_FAILURE_EXIT)
    os.close(write_fd)
    with contextlib.suppress(OSError):  # the child may have done it already, or exited
        os.setpgid(pid, pid)
    frame_limit = budget + FRAME_OVERHEAD
    received = b""
    expected_size: int | None = None
    timed_out = False
    too_large = False
    deadline = time.monotonic() + seconds
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        ready, _, _ = select.select([read_fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(read_fd, 65536)
        if not chunk:
            break
        received += chunk
        if expected_size is None and len(received) >= FRAME_HEADER.size:
            (expected_size,) = FRAME_HEADER.unpack(received[: FRAME_HEADER.size])
            if expected_size > frame_limit:
                too_large = True
                break
        if expected_size is not None and len(received) >= FRAME_HEADER.size + expected_size:
            break
    os.close(read_fd)
    kill_group(pid)  # whatever the test left running must not eat into the next test's time
    _, wait_status = os.waitpid(pid, 0)
    if too_large:
        return {"status": "output_limit"}
    if expected_size is not None and len(received) >= FRAME_HEADER.size + expected_size:
        try:
            result: dict[str, Any] = json.loads(
                received[FRAME_HEADER.size : FRAME_HEADER.size + expected_size]
            )
            return result
        except ValueError:
            return {"status": "crashed", "reason": "the test reported garbage"}
    if timed_out:
        return {"status": "timeout"}
    if os.WIFSIGNALED(wait_status):
        number = os.WTERMSIG(wait_status)
        if number == signal.SIGXCPU:
            return {"status": "timeout"}
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return {"status": "crashed", "reason": f"killed by {name}"}
    return {"status": "crashed", "reason": f"exited with code {os.waitstatus_to_exitcode(wait_status)}"}


def emit(protocol_fd: int, event: dict[str, Any]) -> None:
    write_all(protocol_fd, json.dumps(event).encode() + b"\n")


def main() -> int:
    protocol_fd = os.dup(1)
    os.dup2(2, 1)  # stray writes to fd 1 go to stderr, which the host caps, never into the protocol
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-large file write should fail, not kill
    make_undumpable()
    header = read_frame(0)
    # Set here rather than before bwrap: the limit must count this sandbox's processes only, and a
    # process running as root (uid 0 outside) is exempt from it.
    processes = int(header["max_processes"])
    resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
    emit(protocol_fd, {"event": "ready"})
    try:
        code = compile(header["source"], "solution.py", "exec", dont_inherit=True)
    except SyntaxError as exc:
        emit(protocol_fd, {"event": "syntax_error", "message": clip(f"{type(exc).__name__}: {exc}")})
        return 0
    except (ValueError, OverflowError, RecursionError, MemoryError) as exc:
        emit(protocol_fd, {"event": "syntax_error", "message": clip(f"{type(exc).__name__}: {exc}")})
        return 0
    budget = int(header["output_bytes"])
    for _ in range(int(header["case_count"])):
        case = read_frame(0)
        index = int(case["index"])
        emit(protocol_fd, {"event": "start", "index": index})
        result = run_case(
            protocol_fd,
            code,
            header["function_name"],
            case["args"],
            budget,
            float(header["per_test_seconds"]),
        )
        if result["status"] == "missing_function":
            emit(protocol_fd, {"event": "missing_function"})
            return 0
        if result["status"] == "import_error":
            emit(protocol_fd, {"event": "import_error", "index": index, **result})
            return 0
        budget = max(0, budget - int(result.pop("output_used", 0)))
        emit(protocol_fd, {"event": "case", "index": index, **result})
    emit(protocol_fd, {"event": "done"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
