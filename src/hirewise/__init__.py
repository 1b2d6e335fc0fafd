"""Hirewise: structured hiring for software teams."""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask, Response, request
from flask_login import current_user
from werkzeug.routing import IntegerConverter, Map

from hirewise import extensions as ext
from hirewise.config import load_config


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. Nothing here touches the database: schema and data come from the CLI."""
    app = Flask(__name__, instance_path=os.environ.get("HIREWISE_INSTANCE_PATH") or None)
    app.config.from_mapping(load_config(app.instance_path, config))
    os.makedirs(app.instance_path, exist_ok=True)

    register_logging(app)

    register_extensions(app)
    register_sessions(app)
    register_blueprints(app)
    register_api_routes(app)
    register_errors(app)
    register_templates(app)
    register_security_headers(app)
    register_proxy_fix(app)
    register_tasks(app)
    register_commands(app)
    return app


def register_logging(app: Flask) -> None:
    """Send the app's and its extensions' log to stderr when nothing else has set logging up.

    gunicorn and ``flask run`` leave the root logger bare, so warnings such as the rate limiter's
    "storage unreachable - falling back to in-memory storage" would be lost (Flask-Limiter gives its
    logger a NullHandler, so not even Python's last-resort handler prints them). Celery's worker and
    the tests configure logging themselves, and are left alone.
    """
    if logging.getLogger().handlers:
        return
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s [%(name)s] %(message)s",
    )


def register_extensions(app: Flask) -> None:
    import hirewise.models  # noqa: F401 - complete metadata before anything maps or migrates
    from hirewise.db import configure_engine_events

    ext.db.init_app(app)
    configure_engine_events()
    ext.migrate.init_app(app, ext.db, directory=_migrations_directory(app))
    ext.csrf.init_app(app)
    ext.limiter.init_app(app)
    login_manager = ext.login_manager
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    from hirewise.auth.sessions import signed_in_user

    @login_manager.user_loader
    def load_user(user_id: str) -> Any:
        # Only the user a sign-in bound to this request's server-side session row.
        return signed_in_user(user_id) if user_id.isdigit() else None


def register_sessions(app: Flask) -> None:
    """Sessions in the database, the cookie holding only a random id (see hirewise.auth.sessions)."""
    from hirewise.auth import sessions

    sessions.init_app(app)


def _migrations_directory(app: Flask) -> str:
    # The Alembic scripts ship inside the package, so `pip install .` can upgrade a database.
    default = os.path.join(app.root_path, "migrations")
    return os.environ.get("HIREWISE_MIGRATIONS_DIR", default)


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` ids above a 32-bit integer are a 404, not an overflow inside the database driver."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntConverter
    from hirewise.assessments.candidate_views import bp as candidate_assessments_bp
    from hirewise.assessments.views import bp as assessments_bp
    from hirewise.audit.views import bp as audit_bp
    from hirewise.auth.views import bp as auth_bp
    from hirewise.candidates.views import bp as candidates_bp
    from hirewise.careers.views import bp as careers_bp
    from hirewise.decisions.views import bp as decisions_bp
    from hirewise.feedback.views import bp as feedback_bp
    from hirewise.health import bp as health_bp
    from hirewise.home.views import bp as home_bp
    from hirewise.interviews.views import bp as interviews_bp
    from hirewise.kits.views import bp as kits_bp
    from hirewise.mail.views import bp as mail_bp
    from hirewise.notifications.views import bp as notifications_bp
    from hirewise.openings.views import bp as openings_bp
    from hirewise.organisation.views import bp as organisation_bp
    from hirewise.privacy.views import bp as privacy_bp
    from hirewise.questions.views import bp as questions_bp
    from hirewise.reports.views import bp as reports_bp

    for blueprint in (
        auth_bp,
        openings_bp,
        kits_bp,
        questions_bp,
        candidates_bp,
        careers_bp,
        mail_bp,
        audit_bp,
        organisation_bp,
        health_bp,
        interviews_bp,
        decisions_bp,
        feedback_bp,
        assessments_bp,
        candidate_assessments_bp,
        home_bp,
        notifications_bp,
        reports_bp,
        privacy_bp,
    ):
        app.register_blueprint(blueprint)


def register_api_routes(app: Flask) -> None:
    from hirewise.api import register_api

    register_api(app)


def register_errors(app: Flask) -> None:
    from hirewise.errors import register_error_handlers

    register_error_handlers(app)


def register_templates(app: Flask) -> None:
    from hirewise import templating

    templating.init_app(app)


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def register_proxy_fix(app: Flask) -> None:
    """Behind a proxy, trust its X-Forwarded-* headers so rate limits and URLs see the real client."""
    count = app.config["PROXY_COUNT"]
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def set_security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        # What a signed-in user sees (candidates, feedback, scores) is never kept in a browser or proxy
        # cache, unless the view chose its own caching; static files keep theirs.
        private = request.endpoint != "static" and current_user.is_authenticated
        if private and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response


def register_tasks(app: Flask) -> None:
    from hirewise.tasks import celery_init_app
    from hirewise.tasks.embedded import install_embedded_scheduler

    celery_init_app(app)
    install_embedded_scheduler(app)


def register_commands(app: Flask) -> None:
    from hirewise.cli import register_cli

    register_cli(app)
