"""factory_boy factories. They write through ``db.session`` (the test's rolled-back transaction)."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory

from hirewise.auth.models import Role, User
from hirewise.auth.services import hash_password
from hirewise.extensions import db

PASSWORD = "correct horse battery staple"
# argon2 is deliberately slow; hash the shared test password once.
PASSWORD_HASH = hash_password(PASSWORD)


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    role = Role.RECRUITER
    password_hash = PASSWORD_HASH
    active = True
