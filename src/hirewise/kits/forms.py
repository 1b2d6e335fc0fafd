"""Forms of the kits pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField


class KitImportForm(FlaskForm):
    file = FileField("Kit file (YAML or JSON)", validators=[FileRequired("Choose a kit file to import.")])
    replace = BooleanField("Replace the kit with the same slug if it exists")
