from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hirewise.auth.models import Role
from hirewise.extensions import db
from tests.factories import PASSWORD, UserFactory


def test_migrations_match_models(app):
    """The migrated schema equals the models: no model change lacks a migration."""
    # The test's own connection: on SQLite a second one would wait for the write lock that the
    # test's transaction holds (BEGIN IMMEDIATE).
    context = MigrationContext.configure(db.session.connection(), opts={"compare_type": True})
    diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_login_and_logout(client):
    user = UserFactory(role=Role.RECRUITER)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    response = client.post("/logout")
    assert response.status_code == 302


def test_wrong_password_is_refused(client):
    user = UserFactory()
    response = client.post("/login", data={"email": user.email, "password": "wrong password!"})
    assert response.status_code == 200
    assert b"Wrong email or password" in response.data


def test_factories_build_a_pipeline():
    from tests.factories import ApplicationFactory

    application = ApplicationFactory()
    assert application.stage.name == "Applied"
    assert [s.name for s in application.opening.stages][-1] == "Rejected"
    assert {s.name for s in application.opening.skills} == {"Flask core", "Docker"}
