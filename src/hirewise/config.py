"""Settings, read only from the environment.

The defaults describe *embedded mode*: a SQLite file under ``instance/`` and an in-process task
runner, so a developer needs no server. Production sets ``DATABASE_URL`` (PostgreSQL) and
``REDIS_URL`` (Celery broker, rate-limit storage) and must set ``SECRET_KEY`` or ``SECRET_KEY_FILE``.

A host without Redis can still run a real worker through kombu's filesystem transport:
``CELERY_BROKER_URL=filesystem://`` with ``FILESYSTEM_BROKER_DIR`` naming a directory that the web
processes and the worker share (the worker test uses this).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hirewise.secret_key import KEY_FILE_NAME, SecretKeyError, ensure_key_file, new_key, read_key_file

MAX_RESUME_BYTES = 5 * 1024 * 1024
BROKER_CONNECT_TIMEOUT = 2.0  # seconds before a request gives up on an unreachable Redis


class ConfigurationError(RuntimeError):
    """The environment does not describe a runnable configuration."""


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _positive_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number of seconds, not {raw!r}.") from None
    if value <= 0:
        raise ConfigurationError(f"{name} must be above 0.")
    return value


def normalize_database_url(url: str) -> str:
    """Accept the ``postgres://`` and ``postgresql://`` spellings and use the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def filesystem_broker_options(directory: str) -> dict[str, Any]:
    """Transport options for kombu's filesystem broker: every process reads and writes one folder."""
    if not directory:
        raise ConfigurationError("CELERY_BROKER_URL=filesystem:// needs FILESYSTEM_BROKER_DIR.")
    root = Path(directory)
    queue, processed = root / "queue", root / "processed"
    for folder in (queue, processed):
        folder.mkdir(parents=True, exist_ok=True)  # kombu expects them to exist
    return {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(processed),
        "control_folder": str(root / "control"),
    }


def _secret_key(env: str, instance_path: str, overrides: dict[str, Any]) -> tuple[str, str | None]:
    """The key and, if it came from a file, the file's path (see :mod:`hirewise.secret_key`)."""
    given = overrides.get("SECRET_KEY") or os.environ.get("SECRET_KEY")
    if given:
        return str(given), None
    try:
        if os.environ.get("SECRET_KEY_FILE"):
            path = Path(os.environ["SECRET_KEY_FILE"])
            return read_key_file(path), str(path)
        if env == "development":
            path = Path(instance_path) / KEY_FILE_NAME
            return ensure_key_file(path), str(path)
    except SecretKeyError as exc:
        raise ConfigurationError(str(exc)) from exc
    if env == "testing":
        return new_key(), None  # a fresh key per test process
    raise ConfigurationError(
        f"SECRET_KEY must be set when HIREWISE_ENV={env} (or SECRET_KEY_FILE, naming a file that holds it)."
    )


def load_config(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from the environment, then apply ``overrides`` (tests)."""
    overrides = dict(overrides or {})
    env = overrides.pop("ENV", None) or os.environ.get("HIREWISE_ENV", "development")
    testing = env == "testing" or bool(overrides.get("TESTING"))
    production = env == "production"

    secret_key, secret_key_file = _secret_key(env, instance_path, overrides)

    default_db = "sqlite:///" + str(Path(instance_path) / "hirewise.db")
    database_url = normalize_database_url(os.environ.get("DATABASE_URL", default_db))
    redis_url = os.environ.get("REDIS_URL", "")
    broker_url = os.environ.get("CELERY_BROKER_URL", redis_url)
    # Tests run tasks in-process even when CI exports REDIS_URL; the worker test opts in explicitly.
    task_mode = os.environ.get("HIREWISE_TASKS") or ("celery" if broker_url and not testing else "inline")
    if task_mode not in {"inline", "celery"}:
        raise ConfigurationError("HIREWISE_TASKS must be 'inline' or 'celery'.")
    if task_mode == "celery" and not broker_url:
        raise ConfigurationError("HIREWISE_TASKS=celery needs REDIS_URL or CELERY_BROKER_URL.")
    transport_options: dict[str, Any] = {}
    if broker_url.startswith("filesystem://"):
        transport_options = filesystem_broker_options(os.environ.get("FILESYSTEM_BROKER_DIR", ""))
    elif broker_url.startswith(("redis://", "rediss://")):
        # A broker that is down must not hold a request: the task's row waits for the sweep instead.
        # (the worker's own connection keeps retrying: Celery gives it broker_connection_max_retries).
        transport_options = {"socket_connect_timeout": BROKER_CONNECT_TIMEOUT, "max_retries": 0}
    sweep_seconds = _positive_float("TASK_SWEEP_SECONDS", 15.0)
    # Implicit TLS (port 465) or STARTTLS (587): STARTTLS stays the default unless SSL is chosen.
    mail_use_ssl = _bool("MAIL_USE_SSL", False)

    config: dict[str, Any] = {
        "ENV_NAME": env,
        "TESTING": testing,
        "SECRET_KEY": secret_key,
        # Where the key was read from, when a file: `flask rotate-secret` writes the new key there.
        "SECRET_KEY_FILE": secret_key_file,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SQLALCHEMY_RECORD_QUERIES": _bool("SQLALCHEMY_RECORD_QUERIES", False),
        "MAX_CONTENT_LENGTH": MAX_RESUME_BYTES + 512 * 1024,
        "MAX_RESUME_BYTES": MAX_RESUME_BYTES,
        # A résumé is read by a child process with these limits; over them it is "could not be read".
        "RESUME_READING_MEMORY_MB": int(os.environ.get("RESUME_READING_MEMORY_MB", "256")),
        "RESUME_READING_CPU_SECONDS": int(os.environ.get("RESUME_READING_CPU_SECONDS", "5")),
        "RESUME_READING_WALL_SECONDS": _positive_float("RESUME_READING_WALL_SECONDS", 10.0),
        # Scans (no selectable text) are read with Tesseract when installed, within this much time.
        "RESUME_READING_OCR_SECONDS": _positive_float("RESUME_READING_OCR_SECONDS", 30.0),
        # Sessions live in the database (hirewise.auth.sessions): the cookie holds only a random id.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        # A session unused this long ends; one in use ends this long after signing in; "Keep me signed
        # in" keeps it (used or not) for SESSION_REMEMBER_DAYS instead.
        "SESSION_IDLE_MINUTES": max(1, int(os.environ.get("HIREWISE_SESSION_IDLE_MINUTES", "720"))),
        "SESSION_LIFETIME_HOURS": max(1, int(os.environ.get("HIREWISE_SESSION_LIFETIME_HOURS", "24"))),
        "SESSION_REMEMBER_DAYS": max(1, int(os.environ.get("HIREWISE_SESSION_REMEMBER_DAYS", "30"))),
        # Flask-Login's remember-me cookie is no longer issued (a lasting session replaces it); these
        # apply to the header that deletes one left from before.
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,
        # Tasks: "inline" runs them in-process right after the request's commit (embedded mode);
        # "celery" sends them to the broker for a worker.
        "TASK_MODE": task_mode,
        # Inline, a task marked runs_long (an import of many rows) runs in a thread of its own, so the
        # request answers at once and the page shows its progress; tests run it in the request.
        "INLINE_LONG_TASKS_IN_THREAD": _bool("HIREWISE_LONG_TASKS_IN_THREAD", not testing),
        # Embedded mode has no Celery beat: a thread of the serving process runs the periodic tasks.
        "EMBEDDED_SCHEDULER": _bool("HIREWISE_EMBEDDED_SCHEDULER", not testing),
        "CELERY": {
            "broker_url": broker_url or "memory://",
            "broker_transport_options": transport_options,
            "result_backend": None,
            "task_ignore_result": True,
            "task_always_eager": task_mode != "celery",
            "task_eager_propagates": testing,
            "task_acks_late": True,
            "worker_prefetch_multiplier": 1,
            "broker_connection_retry_on_startup": True,
            # Publishing fails at once when the broker is down: the task's row is in the database,
            # and the sweep sends it when the broker is back.
            "task_publish_retry": False,
            # Run by `celery -A hirewise.worker beat` (production only): re-queues emails whose task was lost.
            "beat_schedule": {
                "flush-outbox": {"task": "hirewise.tasks.mail.flush_outbox", "schedule": 60.0},
                "feedback-reminders": {
                    "task": "hirewise.tasks.reminders.send_feedback_reminders",
                    "schedule": 900.0,
                },
                # Submits attempts whose candidate never pressed Submit, once the deadline has passed.
                "submit-overdue-attempts": {
                    "task": "hirewise.tasks.assessments.submit_overdue_attempts",
                    "schedule": 30.0,
                },
                # Sends tasks that waited for the broker, and again those whose worker died.
                "sweep-background-tasks": {
                    "task": "hirewise.tasks.leases.sweep_background_tasks",
                    "schedule": sweep_seconds,
                },
                "remove-expired-records": {
                    "task": "hirewise.tasks.housekeeping.remove_expired_records",
                    "schedule": 3600.0,
                },
                # Hourly: each digest user gets one email once their oldest unsent notification is a day old.
                "notification-digests": {
                    "task": "hirewise.tasks.notifications.send_notification_digests",
                    "schedule": 3600.0,
                },
                # Hourly: retention notices before a candidate's retention date, erasure after it.
                "enforce-retention": {"task": "hirewise.tasks.privacy.enforce_retention", "schedule": 3600.0},
            },
        },
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", redis_url or "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # The careers site's "email me my data" form: per client address.
        "PRIVACY_REQUEST_RATE_LIMIT": os.environ.get("PRIVACY_REQUEST_RATE_LIMIT", "5 per hour"),
        # While Redis is down, each process counts in its own memory (and says so in the log) rather
        # than failing sign-ins, applications and candidates' answers.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_STORAGE_OPTIONS": {
            "socket_connect_timeout": BROKER_CONNECT_TIMEOUT,
            "socket_timeout": BROKER_CONNECT_TIMEOUT,
        },
        # A worker renews the lease of the task it runs every third of this; when the worker dies the
        # lease runs out and the sweep (every TASK_SWEEP_SECONDS) sends the task again.
        "TASK_LEASE_SECONDS": _positive_float("TASK_LEASE_SECONDS", 30.0),
        "TASK_SWEEP_SECONDS": sweep_seconds,
        "TASK_DISPATCH_GRACE_SECONDS": _positive_float("TASK_DISPATCH_GRACE_SECONDS", 30.0),
        "TASK_MAX_ATTEMPTS": max(1, int(os.environ.get("TASK_MAX_ATTEMPTS", "5"))),
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "APPLY_RATE_LIMIT": os.environ.get("APPLY_RATE_LIMIT", "20 per hour"),
        # Candidate assessment pages and their API: autosave every few seconds fits, scanning does not.
        "ASSESSMENT_ATTEMPT_RATE_LIMIT": os.environ.get("ASSESSMENT_ATTEMPT_RATE_LIMIT", "240 per minute"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "465" if mail_use_ssl else "587")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", not mail_use_ssl),
        "MAIL_USE_SSL": mail_use_ssl,
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Hirewise <no-reply@hirewise.local>"),
        "COMPANY_NAME": os.environ.get("HIREWISE_COMPANY_NAME", "Hirewise Demo Co."),
        # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
        "PROXY_COUNT": int(os.environ.get("HIREWISE_PROXY_COUNT", "0")),
        "BASE_URL": os.environ.get("HIREWISE_BASE_URL", "http://127.0.0.1:5000"),
        # Answers saved up to this long after an assessment's deadline still count (network delays).
        "ASSESSMENT_GRACE_SECONDS": max(0, int(os.environ.get("ASSESSMENT_GRACE_SECONDS", "30"))),
        # How often a candidate may run a code question's examples in the sandbox, per attempt.
        "ASSESSMENT_EXAMPLE_RUNS_PER_MINUTE": max(
            1, int(os.environ.get("ASSESSMENT_EXAMPLE_RUNS_PER_MINUTE", "10"))
        ),
        "ASSESSMENT_EXAMPLE_RUNS_PER_ATTEMPT": max(
            1, int(os.environ.get("ASSESSMENT_EXAMPLE_RUNS_PER_ATTEMPT", "60"))
        ),
        "DATA_RETENTION_DAYS": int(os.environ.get("DATA_RETENTION_DAYS", "365")),
        "INVITATION_TTL_HOURS": int(os.environ.get("INVITATION_TTL_HOURS", "72")),
        # Interviewers are reminded once per this many hours after an interview until they submit feedback.
        "FEEDBACK_REMINDER_HOURS": max(1, int(os.environ.get("FEEDBACK_REMINDER_HOURS", "24"))),
        "API_TITLE": "Hirewise API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer", "description": "Personal API token"}
                }
            },
            "security": [{"bearerAuth": []}],
        },
    }
    if testing:
        config.update(
            {
                "LOGIN_RATE_LIMIT": "1000 per minute",
                "APPLY_RATE_LIMIT": "1000 per minute",
                "PRIVACY_REQUEST_RATE_LIMIT": "1000 per minute",
                "ASSESSMENT_ATTEMPT_RATE_LIMIT": "1000 per minute",
                "RATELIMIT_STORAGE_URI": "memory://",
            }
        )
    config.update(overrides)
    if config["MAIL_USE_SSL"] and config["MAIL_USE_TLS"]:
        raise ConfigurationError(
            "MAIL_USE_SSL (implicit TLS, port 465) and MAIL_USE_TLS (STARTTLS, port 587) exclude each "
            "other: set only one of them to true."
        )
    return config
