"""Gunicorn settings for production: ``gunicorn --config gunicorn.conf.py`` (the Docker image does this).

Every value can be changed from the environment, so one image fits a laptop and a large host.
Behind a TLS-terminating proxy, set ``FORWARDED_ALLOW_IPS`` (read by gunicorn itself) to the
proxy's address so ``X-Forwarded-Proto: https`` is trusted.
"""

import multiprocessing
import os

wsgi_app = "hirewise.wsgi:app"

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104 - inside a container

# The usual 2 x cores + 1, capped: each worker holds database connections.
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 12)))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak in any library cannot grow forever.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")

# No runtime control socket: it would be written under $HOME, which the container user does not own.
control_socket_disable = True

# Heartbeat files on a tmpfs: a container's overlay filesystem can stall them and get workers killed.
if os.path.isdir("/dev/shm"):  # noqa: S108 - a private tmpfs, the documented gunicorn setting
    worker_tmp_dir = "/dev/shm"  # noqa: S108
