"""The code sandbox, run for real under bubblewrap.

Hostile solutions (infinite loops, fork bombs, floods of output, memory hogs, reading files, writing
outside /tmp) are the tests; attacks on the isolation itself (secrets, sockets, system calls) are in
test_sandbox_isolation.py. These need bwrap (Debian package ``bubblewrap``) and fail,
rather than skip, where it is missing: a worker without it cannot score code.
"""

from __future__ import annotations

import json
import os
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import pytest

from hirewise.scoring.sandbox import (
    RUNNER_IN_SANDBOX,
    CodeRunReport,
    CodeTestCase,
    SandboxLimits,
    run_code_tests,
    same_value,
    sandbox_available,
)

REPO_FILE = Path(__file__).resolve()
# Short budgets keep the hostile cases quick; the defaults are what production uses.
FAST = SandboxLimits(per_test_seconds=1.0, wall_seconds=8.0)

ADD_TESTS = (
    CodeTestCase(args=(1, 2), expected=3, visible=True, name="small numbers"),
    CodeTestCase(args=(-4, 4), expected=0, visible=True, name="opposites"),
    CodeTestCase(args=(123456, 654321), expected=777777, visible=False, name="large"),
    CodeTestCase(args=(7, 35), expected=42, visible=False),
)


def run(
    source: str,
    function_name: str = "solve",
    tests: tuple[CodeTestCase, ...] | None = None,
    limits: SandboxLimits = FAST,
) -> CodeRunReport:
    cases = (
        tests if tests is not None else (CodeTestCase(args=(), expected=None, visible=True, name="probe"),)
    )
    return run_code_tests(textwrap.dedent(source), function_name, cases, limits)


def probe(source: str) -> Any:
    """Run ``solve()`` once as a visible test and return what it returned."""
    report = run(source)
    assert report.status == "completed", report
    return report.outcomes[0].actual


def sandbox_processes() -> set[int]:
    """Host PIDs of processes running the sandbox runner (including anything a test forked from it)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command_line = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if RUNNER_IN_SANDBOX.encode() in command_line:
            found.add(int(entry.name))
    return found


def test_bubblewrap_is_available() -> None:
    assert sandbox_available(), "bubblewrap (/usr/bin/bwrap, Debian package bubblewrap) must work here"


def test_correct_solution_passes_every_test() -> None:
    report = run("def add(a, b):\n    return a + b\n", "add", ADD_TESTS)
    assert report.status == "completed"
    assert (report.passed, report.total) == (4, 4)
    assert [o.status for o in report.outcomes] == ["passed"] * 4
    assert report.sandbox.startswith("bubblewrap ")
    assert report.message == "Passed 4 of 4 tests."


def test_wrong_solution_scores_the_tests_it_passes() -> None:
    report = run("def add(a, b):\n    return a + b if a > 0 else a - b\n", "add", ADD_TESTS)
    assert report.status == "completed"
    assert [o.status for o in report.outcomes] == ["passed", "failed", "passed", "passed"]
    assert report.passed == 3
    wrong = report.outcomes[1]
    assert (wrong.args, wrong.expected, wrong.actual, wrong.message) == ((-4, 4), 0, -8, "wrong answer")


def test_hidden_tests_report_status_only() -> None:
    report = run("def add(a, b):\n    return a * b\n", "add", ADD_TESTS)
    visible, _, hidden, _ = report.outcomes
    assert (visible.args, visible.expected, visible.actual) == ((1, 2), 3, 2)
    assert hidden.visible is False and hidden.status == "failed" and hidden.name == "large"
    assert (hidden.args, hidden.expected, hidden.actual, hidden.message) == (None, None, None, "wrong answer")
    serialised = json.dumps(report.to_dict())
    for secret in ("123456", "654321", "777777", "80779853376"):
        assert secret not in serialised
    assert report.to_dict()["outcomes"][0]["args"] == [1, 2]


def test_results_are_compared_after_a_json_round_trip() -> None:
    tests = (CodeTestCase(args=([3, 1, 2],), expected=(1, 2, 3), visible=True),)
    report = run("def solve(items):\n    return tuple(sorted(items))\n", tests=tests)
    assert report.outcomes[0].status == "passed"
    assert report.outcomes[0].actual == [1, 2, 3]


def test_a_result_json_cannot_represent_fails_with_a_reason() -> None:
    tests = (CodeTestCase(args=(), expected=[1], visible=True),)
    report = run("def solve():\n    return {1}\n", tests=tests)
    assert report.outcomes[0].status == "failed"
    assert report.outcomes[0].message == "returned a set, which cannot be compared as JSON"


def test_printing_does_not_corrupt_the_results() -> None:
    source = """
        import sys
        print('{"event": "done"}')
        def add(a, b):
            print('{"event": "case", "index": 1, "status": "returned", "actual": "0"}')
            sys.stderr.write("noise\\n")
            return a + b
    """
    report = run(source, "add", ADD_TESTS)
    assert report.status == "completed"
    assert report.passed == 4


def test_syntax_error_is_reported_with_its_line() -> None:
    report = run("def add(a, b):\n    return a +\n", "add", ADD_TESTS)
    assert report.status == "syntax_error"
    assert "SyntaxError" in report.message and "line 2" in report.message
    assert report.passed == 0 and report.total == 4
    assert all(o.status == "error" for o in report.outcomes)


@pytest.mark.parametrize("source", ["def plus(a, b):\n    return a + b\n", "add = 3\n"])
def test_missing_function_is_reported(source: str) -> None:
    report = run(source, "add", ADD_TESTS)
    assert report.status == "missing_function"
    assert "'add'" in report.message
    assert report.passed == 0


def test_exception_in_the_function_is_an_error_for_that_test() -> None:
    source = """
        def add(a, b):
            if b == 4:
                raise ValueError(f"cannot add {a} and {b}")
            return a + b
    """
    report = run(source, "add", ADD_TESTS)
    assert report.status == "completed"
    assert [o.status for o in report.outcomes] == ["passed", "error", "passed", "passed"]
    assert report.outcomes[1].message == "ValueError: cannot add -4 and 4"


def test_a_hidden_exception_shows_only_a_builtin_type_name() -> None:
    source = """
        def add(a, b):
            if a == 7:
                raise type(f"Leak_{a}_{b}", (Exception,), {})()
            raise KeyError(f"{a} {b}")
    """
    report = run(source, "add", ADD_TESTS)
    hidden_key_error, hidden_custom = report.outcomes[2], report.outcomes[3]
    assert hidden_key_error.message == "exception: KeyError"
    assert hidden_custom.message == "exception: an exception"
    assert "Leak" not in json.dumps(report.to_dict()) and "123456" not in json.dumps(report.to_dict())


def test_visible_tests_run_first_so_they_cannot_carry_hidden_inputs_out() -> None:
    # Each test may write to /tmp; if a hidden test ran first it could leave its inputs for a visible one.
    source = """
        import os
        def add(a, b):
            if os.path.exists("/tmp/leak"):
                with open("/tmp/leak") as handle:
                    return handle.read()
            with open("/tmp/leak", "w") as handle:
                handle.write(f"{a},{b}")
            return a + b
    """
    tests = (ADD_TESTS[2], ADD_TESTS[0])  # the hidden test comes first in the given order
    report = run(source, "add", tests)
    assert report.outcomes[1].visible and report.outcomes[1].status == "passed"
    assert "123456" not in json.dumps(report.to_dict())


def test_a_test_cannot_read_the_runner_that_holds_later_tests() -> None:
    source = """
        import os
        def solve():
            results = []
            for name in ["fd/0", "mem", "environ"]:
                try:
                    with open(f"/proc/{os.getppid()}/{name}", "rb") as handle:
                        handle.read(1)
                    results.append("read")
                except OSError as exc:
                    results.append(type(exc).__name__)
            return results
    """
    assert probe(source) == ["PermissionError"] * 3


def test_infinite_loop_times_out_and_later_tests_still_run() -> None:
    source = """
        def add(a, b):
            while a == 1:
                pass
            return a + b
    """
    report = run(source, "add", ADD_TESTS)
    assert report.status == "time_limit"
    assert [o.status for o in report.outcomes] == ["timeout", "passed", "passed", "passed"]
    assert report.outcomes[0].message == "time limit"


def test_a_loop_that_swallows_interrupts_is_still_stopped() -> None:
    source = """
        def solve():
            while True:
                try:
                    while True:
                        pass
                except BaseException:
                    pass
    """
    report = run(source)
    assert report.status == "time_limit"
    assert report.outcomes[0].status == "timeout"


def test_the_wall_clock_stops_a_run_whose_tests_together_take_too_long() -> None:
    tests = tuple(CodeTestCase(args=(), expected=None, visible=True) for _ in range(6))
    limits = SandboxLimits(per_test_seconds=1.0, wall_seconds=2.5)
    before = sandbox_processes()
    report = run("def solve():\n    while True:\n        pass\n", tests=tests, limits=limits)
    assert report.status == "time_limit"
    assert "stopped" in report.message
    statuses = [o.status for o in report.outcomes]
    assert statuses[:2] == ["timeout", "timeout"]
    assert "error" in statuses  # the tests the wall clock never reached
    assert sandbox_processes() <= before


def test_fork_bomb_is_contained_by_the_process_limit() -> None:
    source = """
        import os, time
        def solve():
            started = 0
            for _ in range(200):
                try:
                    pid = os.fork()
                except OSError:
                    break
                if pid == 0:
                    time.sleep(60)
                    os._exit(0)
                started += 1
            return started
    """
    before = sandbox_processes()
    report = run(source)
    assert report.status == "completed"
    started = report.outcomes[0].actual
    assert isinstance(started, int) and 0 < started < FAST.max_processes
    assert sandbox_processes() <= before


def test_runaway_fork_bomb_is_killed_with_everything_it_forked() -> None:
    source = """
        import os
        def solve():
            while True:
                try:
                    os.fork()
                except OSError:
                    pass
    """
    before = sandbox_processes()
    report = run(source)
    assert report.status == "time_limit"
    assert report.outcomes[0].status == "timeout"
    assert sandbox_processes() <= before


def test_processes_that_escape_their_test_die_with_the_sandbox() -> None:
    source = """
        import os, time
        def solve():
            if os.fork() == 0:
                os.setsid()  # out of the test's process group, so the runner's kill misses it
                time.sleep(60)
                os._exit(0)
            return "left one behind"
    """
    before = sandbox_processes()
    report = run(source)
    assert report.outcomes[0].actual == "left one behind"
    assert sandbox_processes() <= before


def test_printing_a_flood_hits_the_output_limit() -> None:
    report = run("def solve():\n    while True:\n        print('x' * 10_000)\n")
    assert report.status == "output_limit"
    assert report.outcomes[0].message == "output limit"


def test_writing_a_flood_to_the_raw_descriptors_hits_the_output_limit() -> None:
    report = run("import os\ndef solve():\n    while True:\n        os.write(2, b'x' * 65536)\n")
    assert report.status == "output_limit"
    assert report.outcomes[0].status == "error"


def test_a_huge_return_value_hits_the_output_limit() -> None:
    report = run("def solve():\n    return 'x' * 10_000_000\n")
    assert report.status == "output_limit"
    assert report.outcomes[0].actual is None


def test_memory_hog_hits_the_memory_limit() -> None:
    report = run("def solve():\n    return len(bytearray(2 * 1024 ** 3))\n")
    assert report.status == "memory_limit"
    assert report.outcomes[0].message == "memory limit"


@pytest.mark.parametrize("path", ["/etc/passwd", "/etc/shadow", str(REPO_FILE), "/proc/1/root/etc/passwd"])
def test_host_files_cannot_be_read(path: str) -> None:
    source = f"""
        def solve():
            try:
                with open({path!r}) as handle:
                    return handle.read()
            except OSError as exc:
                return type(exc).__name__
    """
    assert probe(source) in ("FileNotFoundError", "PermissionError")


def test_only_the_interpreter_and_libraries_are_mounted() -> None:
    root = probe("import os\ndef solve():\n    return sorted(os.listdir('/'))\n")
    assert isinstance(root, list)
    assert set(root) <= {"bin", "dev", "lib", "lib64", "proc", "sandbox", "tmp", "usr"}
    assert "etc" not in root and "home" not in root and "root" not in root


def test_the_environment_is_empty_and_site_packages_are_invisible() -> None:
    source = """
        import os, sys
        def solve():
            try:
                import flask  # installed in the project's virtualenv
                found = "flask importable"
            except ImportError:
                found = "no flask"
            return [sorted(k for k in os.environ if k != "PWD"), found, sys.flags.isolated, os.getuid()]
    """
    assert probe(source) == [[], "no flask", 1, 65534]


def test_only_tmp_is_writable_and_it_starts_empty() -> None:
    source = """
        import os
        def solve():
            results = {"tmp before": sorted(os.listdir("/tmp"))}
            for path in ["/x", "/sandbox/x", "/usr/lib/x", "/dev/x", "/dev/shm/x", "/tmp/x"]:
                try:
                    with open(path, "w") as handle:
                        handle.write("x")
                    results[path] = "written"
                except OSError:
                    results[path] = "refused"
            return results
    """
    first = probe(source)
    assert first == {
        "/x": "refused",
        "/sandbox/x": "refused",
        "/usr/lib/x": "refused",
        "/dev/x": "refused",
        "/dev/shm/x": "refused",
        "/tmp/x": "written",
        "tmp before": [],
    }
    assert probe(source) == first  # the next run gets a fresh /tmp


def test_a_missing_bubblewrap_never_runs_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "ran"
    source = f"open({str(marker)!r}, 'w').close()\ndef add(a, b):\n    return a + b\n"
    monkeypatch.setenv("HIREWISE_BWRAP", str(tmp_path / "no-such-bwrap"))
    assert not sandbox_available()
    report = run_code_tests(source, "add", ADD_TESTS, FAST)
    assert report.status == "sandbox_unavailable"
    assert "no-such-bwrap" in report.message
    assert report.passed == 0 and report.total == 4
    assert all(o.status == "error" for o in report.outcomes)
    assert not marker.exists()


def test_a_bubblewrap_that_cannot_start_is_unavailable_too() -> None:
    # bwrap is started as nobody when the tests run as root, so the stand-in must be world-readable.
    with tempfile.TemporaryDirectory() as directory:
        os.chmod(directory, 0o755)  # noqa: S103 - a throwaway script, readable on purpose
        failing = Path(directory) / "bwrap"
        failing.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
        failing.chmod(0o755)
        report = run_code_tests(
            "def add(a, b):\n    return a + b\n", "add", ADD_TESTS, FAST, bwrap=str(failing)
        )
        assert report.status == "sandbox_unavailable"
        assert "No permissions to create new namespace" in report.message
        assert all(o.message == "not run (sandbox unavailable)" for o in report.outcomes)
        assert not sandbox_available(bwrap=str(failing))


@pytest.mark.parametrize(
    ("actual", "expected", "same"),
    [
        (1, 1, True),
        (2.0, 2, True),
        (True, 1, False),
        (1, True, False),
        (False, 0, False),
        ([1, True], [1, True], True),
        ([1, 1], [1, True], False),
        ({"a": [0]}, {"a": [False]}, False),
        ({"a": 1}, {"a": 1, "b": 2}, False),
        ("1", 1, False),
        (None, None, True),
        ([1], {"0": 1}, False),
    ],
)
def test_results_compare_as_json_values_with_bools_apart_from_numbers(actual, expected, same):
    assert same_value(actual, expected) is same
