"""factory_boy factories. They write through ``db.session`` (the test's rolled-back transaction)."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory

from hirewise.auth.models import Role, User
from hirewise.auth.services import hash_password
from hirewise.candidates.models import Application, ApplicationSource, Candidate
from hirewise.extensions import db
from hirewise.kits.models import Kit, KitSkill, SkillKind
from hirewise.openings.models import DEFAULT_STAGES, Opening, OpeningSkill, OpeningStatus, Stage

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


class KitFactory(BaseFactory):
    class Meta:
        model = Kit

    slug = factory.Sequence(lambda n: f"kit-{n}")
    name = factory.Sequence(lambda n: f"Kit {n}")
    description = "A test kit"

    @factory.post_generation
    def with_skills(self, create: bool, extracted: int | None, **kwargs: object) -> None:
        count = 2 if extracted is None else extracted
        for i in range(count):
            self.skills.append(
                KitSkill(
                    name=f"Skill {i}",
                    kind=SkillKind.MUST_HAVE if i == 0 else SkillKind.NICE_TO_HAVE,
                    weight=3 if i == 0 else 1,
                    keywords=[f"keyword{i}"],
                    position=i,
                )
            )
        if create and count:
            db.session.commit()


class OpeningFactory(BaseFactory):
    """An open opening with the default stages and two skills; add ``team=[user]`` for a hiring team."""

    class Meta:
        model = Opening

    slug = factory.Sequence(lambda n: f"opening-{n}")
    title = factory.Sequence(lambda n: f"Flask Developer {n}")
    status = OpeningStatus.OPEN
    location = "Remote"
    description = "Build **Flask** apps."

    @factory.post_generation
    def stages(self, create: bool, extracted: object, **kwargs: object) -> None:
        for position, (name, kind) in enumerate(DEFAULT_STAGES):
            self.stages.append(Stage(name=name, kind=kind, position=position))
        self.skills.append(
            OpeningSkill(
                name="Flask core", kind=SkillKind.MUST_HAVE, weight=3, keywords=["flask", "blueprint"]
            )
        )
        self.skills.append(
            OpeningSkill(
                name="Docker", kind=SkillKind.NICE_TO_HAVE, weight=1, keywords=["docker"], position=1
            )
        )
        if create:
            db.session.commit()

    @factory.post_generation
    def team(self, create: bool, extracted: list[User] | None, **kwargs: object) -> None:
        if extracted:
            self.team.extend(extracted)
            if create:
                db.session.commit()


def without_must_haves(opening: Opening) -> Opening:
    """The opening with its must-haves made nice-to-haves: its applications' gate always passes, so
    moving them forward needs no confirmation (for tests about something else than the gate)."""
    for skill in opening.skills:
        if skill.kind == SkillKind.MUST_HAVE:
            skill.kind = SkillKind.NICE_TO_HAVE
    db.session.commit()
    return opening


class CandidateFactory(BaseFactory):
    class Meta:
        model = Candidate

    full_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"candidate{n}@example.com")
    phone = "+44 20 7946 0000"


class ApplicationFactory(BaseFactory):
    """An application in the opening's first stage (Applied) unless ``stage`` is given."""

    class Meta:
        model = Application

    candidate = factory.SubFactory(CandidateFactory)
    opening = factory.SubFactory(OpeningFactory)
    stage = factory.LazyAttribute(lambda o: o.opening.stages[0])
    source = ApplicationSource.CAREERS
