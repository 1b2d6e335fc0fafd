"""gunicorn as configured by ``gunicorn.conf.py``, started for real: slow clients cannot starve it.

A client that sends its headers and then trickles (or stalls) its body holds a gthread worker
thread while the application reads the body. Six of them once stalled ``/healthz`` for 17 s.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SLOW_CLIENTS = 6


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _healthz(port: int, timeout: float) -> tuple[int, float]:
    started = time.perf_counter()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=timeout) as response:
        response.read()
        return response.status, time.perf_counter() - started


class Server:
    def __init__(self, process: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.process, self.port, self.log = process, port, log


def _start(tmp_path: Path, **settings: str) -> Iterator[Server]:
    port = _free_port()
    environment = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",  # the hardest case: every slow client lands on the one worker
        "HIREWISE_ENV": "production",
        "SECRET_KEY": "a-production-secret-for-this-test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'gunicorn.db'}",
        "HIREWISE_INSTANCE_PATH": str(tmp_path / "instance"),
        "HIREWISE_EMBEDDED_SCHEDULER": "false",
        "HIREWISE_TASKS": "inline",
        "RATELIMIT_STORAGE_URI": "memory://",
        "LOG_LEVEL": "warning",
    }
    for name in list(environment):
        if name.startswith("GUNICORN_") or name in ("REDIS_URL", "CELERY_BROKER_URL"):
            environment.pop(name)
    environment.update(settings)
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, port, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited: {log.read_text()[-3000:]}")
            try:
                if _healthz(port, timeout=2)[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not answer: {log.read_text()[-3000:]}")
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[Server]:
    """The configuration as shipped."""
    yield from _start(tmp_path)


@pytest.fixture
def gunicorn_quick_timeout(tmp_path: Path) -> Iterator[Server]:
    """The same, with a 2-second client timeout so that the test need not wait 20."""
    yield from _start(tmp_path, GUNICORN_CLIENT_TIMEOUT="2")


def _slow_client(port: int, trickle: bool, stop: threading.Event, opened: list[socket.socket]) -> None:
    """Headers announcing a large form, then a body that trickles a byte now and then, or stalls."""
    client = socket.create_connection(("127.0.0.1", port), timeout=5)
    opened.append(client)
    client.sendall(
        b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000\r\n\r\nemail=a"
    )
    while trickle and not stop.wait(0.5):
        try:
            client.sendall(b"a")
        except OSError:
            return


def test_healthz_answers_promptly_while_slow_clients_stall(gunicorn):
    stop = threading.Event()
    opened: list[socket.socket] = []
    clients = [
        threading.Thread(target=_slow_client, args=(gunicorn.port, index % 2 == 0, stop, opened), daemon=True)
        for index in range(SLOW_CLIENTS)
    ]
    try:
        for client in clients:
            client.start()
        time.sleep(1)  # every slow client is in, each holding a worker thread
        answers = []
        for _ in range(3):
            try:
                answers.append(_healthz(gunicorn.port, timeout=2))  # a generous bound
            except OSError as exc:
                pytest.fail(f"/healthz did not answer within 2 s while {SLOW_CLIENTS} clients stall: {exc!r}")
            time.sleep(1)
        assert [status for status, _ in answers] == [200, 200, 200]
    finally:
        stop.set()
        for client in opened:
            client.close()


@pytest.mark.parametrize("trickle", [False, True], ids=["stalls", "trickles"])
def test_a_slow_request_is_dropped_after_the_client_timeout(gunicorn_quick_timeout, trickle):
    client = socket.create_connection(("127.0.0.1", gunicorn_quick_timeout.port), timeout=30)
    try:
        started = time.monotonic()
        client.sendall(
            b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nemail="
        )
        answer = b""
        while not answer:
            client.settimeout(0.5 if trickle else 30)
            try:
                answer = client.recv(4096) or b"closed"  # the server gives up: an error status, or a close
            except TimeoutError:
                client.sendall(b"a")  # one byte every half second: far below the minimum rate
            except ConnectionResetError:
                answer = b"reset"
            if time.monotonic() - started > 25:
                break
        elapsed = time.monotonic() - started
    finally:
        client.close()
    assert elapsed < 2 + 5, f"the slow request held its thread for {elapsed:.0f} s"
    assert answer in (b"closed", b"reset") or answer.startswith((b"HTTP/1.1 4", b"HTTP/1.1 5"))


def test_headers_over_the_limits_are_refused(gunicorn):
    with socket.create_connection(("127.0.0.1", gunicorn.port), timeout=10) as client:
        headers = b"".join(b"X-Filler-%d: x\r\n" % number for number in range(60))
        client.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + b"\r\n")
        assert client.recv(4096).startswith(b"HTTP/1.1 431")
    with socket.create_connection(("127.0.0.1", gunicorn.port), timeout=10) as client:
        client.sendall(b"GET /healthz?" + b"q" * 5000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert client.recv(4096).startswith(b"HTTP/1.1 414")
