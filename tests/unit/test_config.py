"""Settings come only from the environment; the defaults describe embedded mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from hirewise import create_app
from hirewise.config import ConfigurationError, load_config, normalize_database_url

ENV_VARS = (
    "HIREWISE_ENV",
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "HIREWISE_TASKS",
    "RATELIMIT_STORAGE_URI",
    "SESSION_COOKIE_SECURE",
    "FILESYSTEM_BROKER_DIR",
    "LOGIN_RATE_LIMIT",
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("env_name", ["staging", "demo"])
def test_any_environment_but_development_and_testing_needs_a_secret_key(clean_env, tmp_path, env_name):
    clean_env.setenv("HIREWISE_ENV", env_name)
    with pytest.raises(ConfigurationError, match=f"SECRET_KEY must be set when HIREWISE_ENV={env_name}"):
        load_config(str(tmp_path))


def test_production_refuses_to_start_without_secret_key(clean_env, tmp_path):
    clean_env.setenv("HIREWISE_ENV", "production")
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        load_config(str(tmp_path))
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app()


def test_production_with_secret_key_uses_secure_cookies(clean_env, tmp_path):
    clean_env.setenv("HIREWISE_ENV", "production")
    clean_env.setenv("SECRET_KEY", "a-long-random-production-secret")
    config = load_config(str(tmp_path))
    assert config["SECRET_KEY"] == "a-long-random-production-secret"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["PREFERRED_URL_SCHEME"] == "https"


def test_development_cookies_are_not_secure_but_still_httponly_and_lax(clean_env, tmp_path):
    config = load_config(str(tmp_path))
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db:5432/hw", "postgresql+psycopg://u:p@db:5432/hw"),
        ("postgresql://u:p@db/hw", "postgresql+psycopg://u:p@db/hw"),
        ("postgresql+psycopg://u@db/hw", "postgresql+psycopg://u@db/hw"),
        ("sqlite:////var/lib/hirewise.db", "sqlite:////var/lib/hirewise.db"),
    ],
)
def test_database_url_is_normalised_to_psycopg3(given, expected):
    assert normalize_database_url(given) == expected


def test_database_url_from_environment_is_normalised(clean_env, tmp_path):
    clean_env.setenv("DATABASE_URL", "postgres://hirewise:secret@postgres:5432/hirewise")
    config = load_config(str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://hirewise:secret@postgres:5432/hirewise"


def test_embedded_defaults_need_no_server(clean_env, tmp_path):
    config = load_config(str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'hirewise.db'}"
    assert config["TASK_MODE"] == "inline"
    assert config["CELERY"]["task_always_eager"] is True
    assert config["CELERY"]["broker_url"] == "memory://"
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert config["ENV_NAME"] == "development"
    assert config["SECRET_KEY"]


def test_redis_url_switches_to_celery_and_redis_rate_limits(clean_env, tmp_path):
    clean_env.setenv("REDIS_URL", "redis://redis:6379/0")
    config = load_config(str(tmp_path))
    assert config["TASK_MODE"] == "celery"
    assert config["CELERY"]["task_always_eager"] is False
    assert config["CELERY"]["broker_url"] == "redis://redis:6379/0"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://redis:6379/0"


def test_separate_broker_url_wins_over_redis_url(clean_env, tmp_path):
    clean_env.setenv("REDIS_URL", "redis://redis:6379/0")
    clean_env.setenv("CELERY_BROKER_URL", "redis://broker:6379/1")
    config = load_config(str(tmp_path))
    assert config["CELERY"]["broker_url"] == "redis://broker:6379/1"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://redis:6379/0"


def test_testing_keeps_tasks_inline_even_when_redis_is_configured(clean_env, tmp_path):
    clean_env.setenv("REDIS_URL", "redis://redis:6379/0")
    config = load_config(str(tmp_path), {"ENV": "testing"})
    assert config["TASK_MODE"] == "inline"
    assert config["CELERY"]["task_always_eager"] is True
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_celery_task_mode_can_be_forced_in_testing(clean_env, tmp_path):
    clean_env.setenv("REDIS_URL", "redis://redis:6379/0")
    clean_env.setenv("HIREWISE_TASKS", "celery")
    config = load_config(str(tmp_path), {"ENV": "testing"})
    assert config["TASK_MODE"] == "celery"
    assert config["CELERY"]["task_always_eager"] is False


def test_celery_task_mode_without_a_broker_is_refused(clean_env, tmp_path):
    clean_env.setenv("HIREWISE_TASKS", "celery")
    with pytest.raises(ConfigurationError, match="REDIS_URL or CELERY_BROKER_URL"):
        load_config(str(tmp_path))


def test_unknown_task_mode_is_refused(clean_env, tmp_path):
    clean_env.setenv("HIREWISE_TASKS", "threads")
    with pytest.raises(ConfigurationError, match="HIREWISE_TASKS"):
        load_config(str(tmp_path))


def test_filesystem_broker_uses_one_shared_folder(clean_env, tmp_path):
    broker_dir = tmp_path / "broker"
    clean_env.setenv("CELERY_BROKER_URL", "filesystem://")
    clean_env.setenv("FILESYSTEM_BROKER_DIR", str(broker_dir))
    config = load_config(str(tmp_path))
    options = config["CELERY"]["broker_transport_options"]
    assert config["TASK_MODE"] == "celery"
    assert options["data_folder_in"] == options["data_folder_out"] == str(broker_dir / "queue")
    assert Path(options["data_folder_in"]).is_dir()
    assert Path(options["processed_folder"]).is_dir()


def test_filesystem_broker_without_folder_is_refused(clean_env, tmp_path):
    clean_env.setenv("CELERY_BROKER_URL", "filesystem://")
    with pytest.raises(ConfigurationError, match="FILESYSTEM_BROKER_DIR"):
        load_config(str(tmp_path))


def test_rate_limit_and_cookie_settings_come_from_the_environment(clean_env, tmp_path):
    clean_env.setenv("LOGIN_RATE_LIMIT", "5 per minute")
    clean_env.setenv("SESSION_COOKIE_SECURE", "true")
    config = load_config(str(tmp_path))
    assert config["LOGIN_RATE_LIMIT"] == "5 per minute"
    assert config["SESSION_COOKIE_SECURE"] is True


def test_overrides_are_applied_last(clean_env, tmp_path):
    config = load_config(str(tmp_path), {"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
    assert config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"
    assert config["TESTING"] is True
    assert config["LOGIN_RATE_LIMIT"] == "1000 per minute"
