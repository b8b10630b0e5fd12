"""Forms (Flask-WTF: CSRF tokens and validation with messages next to each field)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from genuine.handles import NAMES
from genuine.vocabulary import TITLES

BADGE_CHOICES = [SelectChoice("", "All badges")] + [
    SelectChoice(badge, title) for badge, title in TITLES.items()
]
PLATFORM_CHOICES = [SelectChoice(platform, name) for platform, name in NAMES.items()]


class DisputeForm(FlaskForm):
    badge = SelectField("Which badge is wrong?", choices=BADGE_CHOICES)
    reason = TextAreaField(
        "What is wrong, and how do you know?",
        validators=[DataRequired(), Length(min=10, max=4000)],
    )
    contact = StringField(
        "How can we reach you? (email or profile link)",
        validators=[DataRequired(), Length(min=3, max=200)],
    )


class LookupForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    platform = SelectField("Platform", choices=PLATFORM_CHOICES)
    handle = StringField("Handle", validators=[DataRequired(), Length(max=300)])
