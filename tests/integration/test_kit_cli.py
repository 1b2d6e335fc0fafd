"""``flask kit list | import | export``."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from hirewise.audit.models import AuditEvent
from hirewise.extensions import db
from hirewise.kits import services
from hirewise.kits.models import Kit

FIXTURES = Path(__file__).parent.parent / "fixtures" / "kits"


def kit_count() -> int:
    return db.session.execute(select(func.count()).select_from(Kit)).scalar_one()


def test_list_without_kits_explains_how_to_load_one(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["kit", "list"])
    assert result.exit_code == 0
    assert "flask seed-kit" in result.output


def test_list_shows_every_kit(runner: FlaskCliRunner) -> None:
    services.ensure_builtin_kits()
    services.import_kit(None, (FIXTURES / "data_engineer.yaml").read_bytes(), "data_engineer.yaml")
    result = runner.invoke(args=["kit", "list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert "flask-developer" in lines[0] and "(built-in)" in lines[0]
    assert "[12 skills, 11 questions, version 1]" in lines[0]
    assert "data-engineer" in lines[1] and "[3 skills, 2 questions, version 1]" in lines[1]


def test_import_a_valid_file(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["kit", "import", str(FIXTURES / "data_engineer.yaml")])
    assert result.exit_code == 0, result.output
    assert "Imported kit data-engineer: 3 skills, 2 questions." in result.output
    kit = services.get_kit_by_slug("data-engineer")
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.object_type == "kit", AuditEvent.object_id == kit.id)
    ).scalar_one()
    assert (event.action, event.actor_label) == ("import", "system")


def test_import_an_invalid_file_prints_every_problem_and_exits_1(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["kit", "import", str(FIXTURES / "many_problems.yaml")])
    assert result.exit_code == 1
    assert "Error: The kit file has 6 problems." in result.output
    for line in (
        "  skills[1].weight: must be between 1 and 10",
        '  skills[2].name: duplicate skill "Python"',
        '  questions[1].skill: unknown skill "Flsk"',
        '  questions[1].difficulty: must be one of "easy", "medium", "hard" (got "extreme")',
    ):
        assert line in result.output.splitlines()
    assert kit_count() == 0


def test_import_malformed_yaml_exits_1_with_the_location(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["kit", "import", str(FIXTURES / "malformed.yaml")])
    assert result.exit_code == 1
    assert "line 6, column 9:" in result.output


def test_import_conflict_needs_replace(runner: FlaskCliRunner) -> None:
    path = str(FIXTURES / "data_engineer.yaml")
    assert runner.invoke(args=["kit", "import", path]).exit_code == 0
    result = runner.invoke(args=["kit", "import", path])
    assert result.exit_code == 1
    assert 'A kit with the slug "data-engineer" already exists' in result.output
    result = runner.invoke(args=["kit", "import", path, "--replace"])
    assert result.exit_code == 0
    assert "Replaced (now version 2) kit data-engineer" in result.output


def test_import_of_a_missing_file_is_a_usage_error(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["kit", "import", "/nonexistent/kit.yaml"])
    assert result.exit_code == 2


def test_export_to_stdout_and_to_a_file(runner: FlaskCliRunner, tmp_path: Path) -> None:
    [kit] = services.ensure_builtin_kits()
    result = runner.invoke(args=["kit", "export", "flask-developer"])
    assert result.exit_code == 0
    assert yaml.safe_load(result.output) == services.export_kit(kit)

    target = tmp_path / "kit.json"
    result = runner.invoke(args=["kit", "export", "flask-developer", "--format", "json", "-o", str(target)])
    assert result.exit_code == 0
    assert json.loads(target.read_text("utf-8")) == services.export_kit(kit)


def test_export_then_import_round_trip(runner: FlaskCliRunner, tmp_path: Path) -> None:
    services.ensure_builtin_kits()
    target = tmp_path / "flask.yaml"
    assert runner.invoke(args=["kit", "export", "flask-developer", "-o", str(target)]).exit_code == 0
    target.write_text(target.read_text("utf-8").replace("slug: flask-developer", "slug: flask-copy"), "utf-8")
    result = runner.invoke(args=["kit", "import", str(target)])
    assert result.exit_code == 0, result.output
    assert "Imported kit flask-copy: 12 skills, 11 questions." in result.output


def test_export_of_an_unknown_slug_fails(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["kit", "export", "nope"])
    assert result.exit_code == 1
    assert 'There is no kit with the slug "nope".' in result.output


def test_export_rejects_an_unknown_format(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["kit", "export", "flask-developer", "--format", "xml"])
    assert result.exit_code == 2
