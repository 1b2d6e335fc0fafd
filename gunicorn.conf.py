"""Gunicorn settings for production: ``gunicorn --config gunicorn.conf.py`` (the Docker image does this).

Every value can be changed from the environment, so one image fits a laptop and a large host.
Behind a TLS-terminating proxy, set ``FORWARDED_ALLOW_IPS`` (read by gunicorn itself) to the
proxy's address so ``X-Forwarded-Proto: https`` is trusted.

Slow clients. Workers are ``gthread``: a connection waits in the worker's poller, holding no
thread, until it sends something; then one thread reads the request and runs the application.
A client that sends its headers and then trickles its body would hold that thread for as long as
it likes, so a handful of them could starve every thread (``/healthz`` included). Two settings
bound that here, on top of enough threads per worker:

- ``GUNICORN_CLIENT_TIMEOUT`` (20 s): a request may take this long to arrive, plus one second per
  ``GUNICORN_CLIENT_MIN_RATE`` bytes (1024) received: a slow but honest upload keeps going, a
  client that stalls or trickles is dropped and its thread is free again;
- ``limit_request_line`` / ``limit_request_fields`` / ``limit_request_field_size``: headers stay small.

The real protection is a reverse proxy that buffers whole requests before passing them on (nginx:
``proxy_request_buffering on``, ``client_body_timeout``, ``client_max_body_size``); see the README.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import time
from typing import Any

from gunicorn.http.errors import NoMoreData
from gunicorn.workers.gthread import ThreadWorker

wsgi_app = "hirewise.wsgi:app"

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104 - inside a container

# The usual 2 x cores + 1, capped: each worker holds database connections.
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 12)))
# Threads wait on the network and the database, not the CPU: several per worker keep a few slow
# clients from taking all of them. Each may hold a database connection during a request, so keep
# WEB_CONCURRENCY x GUNICORN_THREADS (of every web container) below the database's max_connections.
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# gthread: a worker is killed only if its main loop stops (it keeps beating while threads work).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Idle keep-alive connections wait in the poller (no thread); behind a proxy that reuses upstream
# connections, make this longer than the proxy's own keep-alive timeout.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak in any library cannot grow forever.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200

# Small headers: a request line of 4 KB (our longest URLs are search filters), 50 headers of 8 KB.
limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE", "4094"))
limit_request_fields = int(os.environ.get("GUNICORN_LIMIT_REQUEST_FIELDS", "50"))
limit_request_field_size = int(os.environ.get("GUNICORN_LIMIT_REQUEST_FIELD_SIZE", "8190"))

CLIENT_TIMEOUT = float(os.environ.get("GUNICORN_CLIENT_TIMEOUT", "20"))
CLIENT_MIN_RATE = float(os.environ.get("GUNICORN_CLIENT_MIN_RATE", "1024"))

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")

# No runtime control socket: it would be written under $HOME, which the container user does not own.
control_socket_disable = True

# Heartbeat files on a tmpfs: a container's overlay filesystem can stall them and get workers killed.
if os.path.isdir("/dev/shm"):  # noqa: S108 - a private tmpfs, the documented gunicorn setting
    worker_tmp_dir = "/dev/shm"  # noqa: S108


class ClientTooSlow(NoMoreData):
    """The client did not send its request in time; gunicorn closes such connections quietly."""

    def __str__(self) -> str:
        return "the client was too slow sending its request"


class ClientSocket(socket.socket):
    """A client connection whose reads must keep up with the request's deadline.

    The deadline is ``CLIENT_TIMEOUT`` seconds after the request started plus one second per
    ``CLIENT_MIN_RATE`` bytes received. Before each read the socket's timeout is set to what
    remains (or to gunicorn's own, shorter one while it drains a body); writes are left blocking,
    as gunicorn has them.
    """

    started: float | None = None
    received = 0
    _armed: float | None = None

    @classmethod
    def adopt(cls, sock: socket.socket) -> ClientSocket:
        return cls(sock.family, sock.type, sock.proto, fileno=sock.detach())

    def start_request(self) -> None:
        self.started, self.received = time.monotonic(), 0

    def _arm(self) -> None:
        if self.started is None:
            return
        remaining = self.started + CLIENT_TIMEOUT + self.received / CLIENT_MIN_RATE - time.monotonic()
        if remaining <= 0:
            raise ClientTooSlow()
        current = self.gettimeout()
        if current and current != self._armed:  # gunicorn's own deadline (draining a body)
            remaining = min(current, remaining)
        self._armed = remaining
        self.settimeout(remaining)

    def _disarm(self) -> None:
        if self._armed is not None and self.gettimeout() == self._armed:
            self.settimeout(None)
        self._armed = None

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        self._arm()
        try:
            data = super().recv(bufsize, flags)
        except TimeoutError:
            raise ClientTooSlow() from None
        self.received += len(data)
        return data

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        self._arm()
        try:
            count = super().recv_into(buffer, nbytes, flags)
        except TimeoutError:
            raise ClientTooSlow() from None
        self.received += count
        return count

    def sendall(self, data: Any, flags: int = 0) -> None:
        self._disarm()
        super().sendall(data, flags)

    def send(self, data: Any, flags: int = 0) -> int:
        self._disarm()
        return super().send(data, flags)

    def sendfile(self, file: Any, offset: int = 0, count: int | None = None) -> int:
        self._disarm()
        return super().sendfile(file, offset, count)


class DeadlineThreadWorker(ThreadWorker):
    """gunicorn's gthread worker, with each request's reads under a :class:`ClientSocket` deadline."""

    def handle(self, conn: Any) -> Any:
        if not isinstance(conn.sock, ClientSocket):
            conn.sock = ClientSocket.adopt(conn.sock)  # before the parser holds it: first request only
        conn.sock.start_request()
        return super().handle(conn)


worker_class = DeadlineThreadWorker
