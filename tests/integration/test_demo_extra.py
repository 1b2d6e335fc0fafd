"""fpdf2 is in the ``demo`` extra, not in the runtime set: the app runs without it, and ``flask demo-data``
says how to install it instead of failing halfway."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from hirewise.auth.models import User
from hirewise.extensions import db

# None in sys.modules is Python's own mark for a module that cannot be imported: both ``import fpdf`` and
# ``importlib.util.find_spec("fpdf")`` then see it missing, as on an install without the demo extra.
WITHOUT_FPDF = "import sys; sys.modules['fpdf'] = None\n"


def test_demo_data_without_fpdf2_says_how_to_install_it_and_writes_nothing(
    runner: FlaskCliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "fpdf", None)

    result = runner.invoke(args=["demo-data", "--candidates", "2"])

    assert result.exit_code == 1
    assert "fpdf2, which is not installed" in result.output
    assert "pip install 'hirewise[demo]'" in result.output
    assert db.session.execute(select(func.count()).select_from(User)).scalar_one() == 0


def test_the_app_and_its_commands_load_without_fpdf2(tmp_path: Path) -> None:
    program = WITHOUT_FPDF + (
        "from hirewise import create_app\n"
        f"app = create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path / 'app.db'}', 'TESTING': True}})\n"
        "print(sorted(app.cli.commands))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HIREWISE_INSTANCE_PATH": str(tmp_path / "instance")},
    )

    assert completed.returncode == 0, completed.stderr
    assert "'demo-data'" in completed.stdout and "'seed-kit'" in completed.stdout
