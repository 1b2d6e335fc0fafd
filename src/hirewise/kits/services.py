"""Use cases of hiring kits: the built-in kit, listing, import (create or replace), export and delete."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from hirewise.audit.services import changed, record, snapshot
from hirewise.auth.models import User
from hirewise.errors import Conflict, NotFound, ValidationFailed
from hirewise.extensions import db
from hirewise.kits.models import Kit, KitQuestion, KitSkill
from hirewise.kits.validation import FORMAT_NAME, FORMAT_VERSION, KitSpec, load_kit_document

BUILTIN_KIT_FILES = ("flask_developer.yaml",)
EXPORT_FORMATS = ("yaml", "json")
KIT_FIELDS = ("slug", "name", "description", "version", "is_builtin")


# --- reading -------------------------------------------------------------------------------------


def _with_contents() -> Any:
    return (selectinload(Kit.skills), selectinload(Kit.questions))


def list_kits() -> list[Kit]:
    """Every kit with its skills and questions loaded (a fixed number of queries), built-in first."""
    stmt = select(Kit).options(*_with_contents()).order_by(Kit.is_builtin.desc(), Kit.name, Kit.id)
    return list(db.session.execute(stmt).scalars())


def get_kit(kit_id: int) -> Kit:
    kit = db.session.execute(
        select(Kit).options(*_with_contents()).where(Kit.id == kit_id)
    ).scalar_one_or_none()
    if kit is None:
        raise NotFound(f"There is no kit with the id {kit_id}.")
    return kit


def get_kit_by_slug(slug: str) -> Kit:
    kit = _find_by_slug(slug)
    if kit is None:
        raise NotFound(f'There is no kit with the slug "{slug}".')
    return kit


def _find_by_slug(slug: str) -> Kit | None:
    stmt = select(Kit).options(*_with_contents()).where(Kit.slug == slug)
    return db.session.execute(stmt).scalar_one_or_none()


# --- writing -------------------------------------------------------------------------------------


def _kit_snapshot(kit: Kit) -> dict[str, Any]:
    return {
        **snapshot(kit, KIT_FIELDS),
        "skills": [skill.name for skill in kit.skills],
        "questions": len(kit.questions),
    }


def _fill_contents(kit: Kit, spec: KitSpec) -> None:
    skills = {
        skill.name: KitSkill(
            name=skill.name,
            kind=skill.kind,
            description=skill.description,
            weight=skill.weight,
            pass_bar=skill.pass_bar,
            keywords=list(skill.keywords),
            position=position,
        )
        for position, skill in enumerate(spec.skills)
    }
    kit.skills.extend(skills.values())
    kit.questions.extend(
        KitQuestion(
            text=question.text,
            skill=skills[question.skill] if question.skill else None,
            expected_answer=question.expected_answer,
            key_points=[{"label": p.label, "text": p.text} for p in question.key_points],
            difficulty=question.difficulty,
            type=question.type,
            position=position,
        )
        for position, question in enumerate(spec.questions)
    )


def _create_kit(spec: KitSpec, *, is_builtin: bool = False) -> Kit:
    kit = Kit(slug=spec.slug, name=spec.name, description=spec.description, is_builtin=is_builtin)
    _fill_contents(kit, spec)
    db.session.add(kit)
    db.session.flush()
    return kit


def _replace_contents(kit: Kit, spec: KitSpec) -> None:
    kit.questions.clear()
    kit.skills.clear()
    # The old rows must be gone before new ones reuse their (kit_id, name) pairs.
    db.session.flush()
    kit.name = spec.name
    kit.description = spec.description
    kit.version += 1
    _fill_contents(kit, spec)
    db.session.flush()


def import_kit(
    actor: User | None, content: bytes | str, filename: str | None = None, *, replace: bool = False
) -> Kit:
    """Create a kit from a YAML or JSON kit file, or with ``replace`` swap an existing kit's contents.

    The whole file is validated before anything is written: an invalid file changes nothing.
    """
    spec = load_kit_document(content, filename)
    existing = _find_by_slug(spec.slug)
    if existing is not None and not replace:
        raise Conflict(
            f'A kit with the slug "{spec.slug}" already exists. Import again with "replace" to update it.',
            details={"errors": [f'slug: a kit "{spec.slug}" already exists']},
        )
    try:
        if existing is None:
            kit = _create_kit(spec)
            summary = f'imported kit "{kit.name}" ({len(kit.skills)} skills, {len(kit.questions)} questions)'
            record(actor, "import", "kit", kit.id, summary, after=_kit_snapshot(kit))
        else:
            kit = existing
            before = _kit_snapshot(kit)
            _replace_contents(kit, spec)
            old, new = changed(before, _kit_snapshot(kit))
            summary = f'replaced the contents of kit "{kit.name}" (now version {kit.version})'
            record(actor, "replace", "kit", kit.id, summary, before=old, after=new)
        db.session.commit()
    except IntegrityError as exc:
        # Another import of the same slug won the race between our check and our insert.
        db.session.rollback()
        raise Conflict(f'A kit with the slug "{spec.slug}" was created meanwhile. Try again.') from exc
    return kit


def delete_kit(actor: User, kit: Kit) -> None:
    """Delete an imported kit. Openings made from it keep their own copy of its skills and questions."""
    if kit.is_builtin:
        raise Conflict(f'"{kit.name}" is a built-in kit and cannot be deleted.')
    record(actor, "delete", "kit", kit.id, f'deleted kit "{kit.name}"', before=_kit_snapshot(kit))
    db.session.delete(kit)
    db.session.commit()


def ensure_builtin_kits() -> list[Kit]:
    """Load every built-in kit that is missing; existing ones (even if edited) are left alone."""
    kits: list[Kit] = []
    created = False
    folder = resources.files("hirewise.kits").joinpath("builtin")
    for filename in BUILTIN_KIT_FILES:
        spec = load_kit_document(folder.joinpath(filename).read_bytes(), filename)
        kit = _find_by_slug(spec.slug)
        if kit is None:
            kit = _create_kit(spec, is_builtin=True)
            record(
                None, "import", "kit", kit.id, f'loaded built-in kit "{kit.name}"', after=_kit_snapshot(kit)
            )
            created = True
        kits.append(kit)
    if created:
        db.session.commit()
    return kits


# --- export --------------------------------------------------------------------------------------


def export_kit(kit: Kit) -> dict[str, Any]:
    """The kit as a kit-format document; importing it again gives the same kit."""
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "kit": {
            "slug": kit.slug,
            "name": kit.name,
            "description": kit.description,
            "skills": [
                {
                    "name": skill.name,
                    "kind": str(skill.kind),
                    "weight": skill.weight,
                    "pass_bar": float(skill.pass_bar),
                    "description": skill.description,
                    "keywords": list(skill.keywords),
                }
                for skill in kit.skills
            ],
            "questions": [
                {
                    "text": question.text,
                    "skill": question.skill.name if question.skill else None,
                    "difficulty": str(question.difficulty),
                    "type": str(question.type),
                    "expected_answer": question.expected_answer,
                    "key_points": [{"label": p["label"], "text": p["text"]} for p in question.key_points],
                }
                for question in kit.questions
            ],
        },
    }


class _ReadableDumper(yaml.SafeDumper):
    """Long multi-line texts as YAML block scalars, so exported files stay easy to edit."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ReadableDumper.add_representer(str, _represent_str)


def dump_document(document: dict[str, Any], fmt: str = "yaml") -> str:
    if fmt == "json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if fmt == "yaml":
        return yaml.dump(document, Dumper=_ReadableDumper, sort_keys=False, allow_unicode=True, width=100)
    raise ValidationFailed(
        f'Unknown export format "{fmt}". Use yaml or json.',
        details={"errors": ['format: must be one of "yaml", "json"']},
    )


def dump_kit(kit: Kit, fmt: str = "yaml") -> str:
    """The kit file text in ``fmt`` ("yaml" or "json")."""
    return dump_document(export_kit(kit), fmt)
