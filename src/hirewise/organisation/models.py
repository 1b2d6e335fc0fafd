"""Organisation-wide settings: one typed row, changed by admins.

Hirewise is single-tenant, so the organisation is the installation. The migration inserts the row;
each setting is a typed column with a safe default, and later settings (retention, privacy) are new
columns of the same row.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hirewise.auth.models import User
from hirewise.db import Base, TimestampMixin

SETTINGS_ID = 1


class OrganisationSettings(TimestampMixin, Base):
    __tablename__ = "organisation_settings"
    __table_args__ = (CheckConstraint(f"id = {SETTINGS_ID}", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # Code questions run a candidate's Python on the server (in the sandbox): recruiters and admins
    # always write them, hiring managers only when an admin allows it.
    hiring_managers_write_code_questions: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    updated_by: Mapped[User | None] = relationship()

    @classmethod
    def defaults(cls) -> OrganisationSettings:
        """The settings of a new installation, unsaved."""
        return cls(id=SETTINGS_ID, hiring_managers_write_code_questions=False, updated_by_id=None)
