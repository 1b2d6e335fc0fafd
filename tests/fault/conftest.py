"""The fault tests' shared set-up: committed rows (workers read them), a private Redis, and the
environment of an app and its workers on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.worker_support import PrivateRedis


@pytest.fixture(autouse=True)
def _transaction() -> Iterator[None]:
    """Replaces conftest's rollback-per-test: the workers must see committed rows."""
    yield


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fault_environment(tmp_path: Path) -> dict[str, str]:
    """Celery mode, emails held, and a sweep every 2 seconds so a test waits seconds, not minutes."""
    return {
        "HIREWISE_TASKS": "celery",
        "HIREWISE_INSTANCE_PATH": str(tmp_path / "instance"),
        "HIREWISE_EMBEDDED_SCHEDULER": "false",
        "MAIL_SERVER": "",
        "TASK_SWEEP_SECONDS": "2",
        "TASK_DISPATCH_GRACE_SECONDS": "2",
    }
