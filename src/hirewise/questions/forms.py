"""HTML forms of the question bank. They turn text boxes into lists; the services check the rules."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import Field, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, ValidationError

from hirewise.kits.models import Difficulty, QuestionType
from hirewise.questions.models import BankQuestion

TYPE_CHOICES = [SelectChoice(t.value, t.value.capitalize()) for t in QuestionType]
DIFFICULTY_CHOICES = [SelectChoice(d.value, d.value.capitalize()) for d in Difficulty]
KEY_POINTS_HINT = 'One key point per line, in order, as "Label: what a good answer says".'


def parse_key_points(text: str) -> list[dict[str, str]]:
    """``"Label: text"`` lines to key points; ``ValueError`` names the first line that is not one."""
    points = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        label, colon, body = line.partition(":")
        if not colon or not label.strip() or not body.strip():
            raise ValueError(f'Line {number}: write the key point as "Label: text".')
        points.append({"label": label.strip(), "text": body.strip()})
    return points


def format_key_points(points: list[Any]) -> str:
    return "\n".join(f"{point['label']}: {point['text']}" for point in points)


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class QuestionForm(FlaskForm):
    text = TextAreaField("Question", validators=[DataRequired("Write the question.")], render_kw={"rows": 3})
    type = SelectField("Type", choices=TYPE_CHOICES, default=QuestionType.TECHNICAL.value)
    difficulty = SelectField("Difficulty", choices=DIFFICULTY_CHOICES, default=Difficulty.MEDIUM.value)
    skill = StringField("Skill", description="The scorecard skill this question assesses, e.g. Flask core.")
    expected_answer = TextAreaField("Expected answer", render_kw={"rows": 6})
    key_points = TextAreaField("Key points", description=KEY_POINTS_HINT, render_kw={"rows": 5})
    follow_ups = TextAreaField("Follow-up prompts", description="One per line.", render_kw={"rows": 3})
    tags = StringField("Tags", description="Separated by commas, e.g. orm, performance.")

    def validate_key_points(self, field: Field) -> None:
        try:
            parse_key_points(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc

    def fill_from(self, question: BankQuestion) -> None:
        self.text.data = question.text
        self.type.data = str(question.type)
        self.difficulty.data = str(question.difficulty)
        self.skill.data = question.skill
        self.expected_answer.data = question.expected_answer
        self.key_points.data = format_key_points(question.key_points)
        self.follow_ups.data = "\n".join(question.follow_ups)
        self.tags.data = ", ".join(question.tags)

    def question_fields(self) -> dict[str, Any]:
        """The submitted question as the service's keyword arguments."""
        return {
            "text": self.text.data,
            "type": self.type.data,
            "difficulty": self.difficulty.data,
            "skill": self.skill.data or "",
            "expected_answer": self.expected_answer.data or "",
            "key_points": parse_key_points(self.key_points.data),
            "follow_ups": _lines(self.follow_ups.data),
            "tags": [tag.strip() for tag in (self.tags.data or "").split(",") if tag.strip()],
        }

    def show_errors(self, details: Any) -> None:
        """Attach a service's field errors to the matching inputs."""
        for name, message in (details or {}).items() if isinstance(details, dict) else ():
            field = getattr(self, name, None)
            if isinstance(field, Field):
                field.errors = (
                    [*field.errors, str(message)] if isinstance(field.errors, list) else [str(message)]
                )


class QuestionImportForm(FlaskForm):
    file = FileField(
        "Kit file with questions (YAML or JSON)", validators=[FileRequired("Choose a kit file to import.")]
    )
