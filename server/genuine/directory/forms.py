"""Forms for sign-in and the directory (Flask-WTF: CSRF, and a message next to each field).

Every limit is here, once. A form with errors is redisplayed with what the person typed,
because WTForms keeps the submitted values on the fields.
"""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, ValidationError

from genuine.directory.people import PASSWORD_MAX, PASSWORD_MIN
from genuine.directory.rules import CRITERIA, STATEMENTS, VERDICTS
from genuine.handles import HINTS, NAMES, check

EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="enter an email address")
URL = Regexp(r"^https?://[^\s/$.?#][^\s]*$", message="enter a web address starting with https://")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
MAX_ACCOUNTS, MAX_CASE_STUDIES, MAX_REFERENCES, MAX_ITEMS, ITEM_MAX = 6, 5, 3, 10, 60
PLATFORMS = [SelectChoice("", "—")] + [SelectChoice(p, name) for p, name in NAMES.items()]


class ActionForm(FlaskForm):
    """A button that changes something: carries only the CSRF token."""


class SignUpForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=100)])
    email = StringField("Email", validators=[DataRequired(), Length(max=254), EMAIL])
    password = PasswordField(
        f"Password (at least {PASSWORD_MIN} characters)",
        validators=[DataRequired(), Length(min=PASSWORD_MIN, max=PASSWORD_MAX)],
    )
    confirm = PasswordField(
        "The same password again",
        validators=[DataRequired(), EqualTo("password", message="the passwords differ")],
    )


class SignInForm(FlaskForm):
    email = StringField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])


class ResetRequestForm(FlaskForm):
    email = StringField("Email", validators=[DataRequired(), Length(max=254), EMAIL])


class ResetForm(FlaskForm):
    password = SignUpForm.password
    confirm = SignUpForm.confirm


def _items(text: str | None) -> list[str]:
    return [item.strip() for item in (text or "").split(",") if item.strip()]


def _item_list(_form, field) -> None:
    items = _items(field.data)
    if len(items) > MAX_ITEMS:
        raise ValidationError(f"at most {MAX_ITEMS} items")
    if any(len(item) > ITEM_MAX for item in items):
        raise ValidationError(f"each item at most {ITEM_MAX} characters")


def _languages(_form, field) -> None:
    _item_list(_form, field)
    bad = [item for item in _items(field.data) if not LANGUAGE.match(item)]
    if bad:
        raise ValidationError("use language codes such as en, fr or pt-BR")


class AccountForm(Form):
    # Checked in ProfileForm.validate: slots left empty have no platform, and that is fine.
    platform = SelectField("Platform", choices=PLATFORMS, validate_choice=False)
    handle = StringField("Handle", validators=[Length(max=300)])


class CaseStudyForm(Form):
    title = StringField("Title", validators=[Length(max=120)])
    summary = TextAreaField("Summary", validators=[Length(max=1000)])
    url = StringField("Link (optional)", validators=[Optional(), Length(max=300), URL])


class ReferenceForm(Form):
    # Not `name`: a FormField's own `name` attribute would hide it.
    person = StringField("Name", validators=[Length(max=100)])
    contact = StringField("Email or profile link", validators=[Length(max=200)])


class ProfileForm(FlaskForm):
    name = StringField("Name shown in the directory", validators=[DataRequired(), Length(max=100)])
    headline = StringField("Headline (one line)", validators=[Length(max=140)])
    bio = TextAreaField("Biography (Markdown)", validators=[Length(max=5000)])
    services = StringField("Services, separated by commas", validators=[_item_list])
    regions = StringField("Regions you work in, separated by commas", validators=[_item_list])
    languages = StringField("Languages (codes such as en, fr), by commas", validators=[_languages])
    website = StringField("Website (optional)", validators=[Optional(), Length(max=300), URL])
    accounts = FieldList(FormField(AccountForm), min_entries=3, max_entries=MAX_ACCOUNTS)
    case_studies = FieldList(FormField(CaseStudyForm), min_entries=2, max_entries=MAX_CASE_STUDIES)
    references = FieldList(FormField(ReferenceForm), min_entries=2, max_entries=MAX_REFERENCES)
    no_bought_engagement = BooleanField(STATEMENTS["no_bought_engagement"])
    discloses_partnerships = BooleanField(STATEMENTS["discloses_partnerships"])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        self.group_errors: dict[str, list[str]] = {}
        seen = set()
        for entry in self.accounts:
            platform, handle = entry.platform.data or "", (entry.handle.data or "").strip()
            if not handle and not platform:
                continue
            if platform not in HINTS:
                entry.platform.errors.append("choose the platform")
            elif (normal := check(platform, handle)) is None:
                entry.handle.errors.append(f"not a {platform} handle: {HINTS[platform]}")
            elif (platform, normal) in seen:
                entry.handle.errors.append("listed twice")
            else:
                seen.add((platform, normal))
                continue
            ok = False
        for entry in self.case_studies:
            title, summary = (entry.title.data or "").strip(), (entry.summary.data or "").strip()
            if (title or summary or entry.url.data) and not (title and summary):
                (entry.summary if title else entry.title).errors.append(
                    "a case study needs a title and a summary"
                )
                ok = False
        for entry in self.references:
            name, contact = (entry.person.data or "").strip(), (entry.contact.data or "").strip()
            if (name or contact) and not (name and contact):
                (entry.contact if name else entry.person).errors.append(
                    "a reference needs a name and a way to reach them"
                )
                ok = False
        return ok

    def profile(self) -> dict[str, Any]:
        """The validated form as the profile JSON stored on the submission."""
        return {
            "name": self.name.data.strip(),
            "headline": (self.headline.data or "").strip(),
            "bio": (self.bio.data or "").strip(),
            "services": _items(self.services.data),
            "regions": _items(self.regions.data),
            "languages": _items(self.languages.data),
            "website": (self.website.data or "").strip() or None,
            "accounts": [
                {
                    "platform": e.platform.data,
                    "handle": check(e.platform.data, e.handle.data),
                }
                for e in self.accounts
                if e.platform.data and (e.handle.data or "").strip()
            ],
            "case_studies": [
                {
                    "title": e.title.data.strip(),
                    "summary": e.summary.data.strip(),
                    "url": (e.url.data or "").strip() or None,
                }
                for e in self.case_studies
                if (e.title.data or "").strip()
            ],
            "references": [
                {"name": e.person.data.strip(), "contact": e.contact.data.strip()}
                for e in self.references
                if (e.person.data or "").strip()
            ],
            "statements": {
                "no_bought_engagement": bool(self.no_bought_engagement.data),
                "discloses_partnerships": bool(self.discloses_partnerships.data),
            },
        }


def form_data(profile: dict[str, Any]) -> dict[str, Any]:
    """A stored profile as the data to prefill ProfileForm with (the inverse of .profile())."""
    statements = profile.get("statements") or {}
    return {
        **{k: profile.get(k) or "" for k in ("name", "headline", "bio", "website")},
        **{k: ", ".join(profile.get(k) or []) for k in ("services", "regions", "languages")},
        "accounts": profile.get("accounts") or [],
        "case_studies": profile.get("case_studies") or [],
        "references": [
            {"person": r.get("name", ""), "contact": r.get("contact", "")}
            for r in profile.get("references") or []
        ],
        **{k: bool(statements.get(k)) for k in STATEMENTS},
    }


SCORES = [SelectChoice(str(n), str(n)) for n in range(1, 6)]


class ReviewForm(FlaskForm):
    verdict = RadioField(
        "Verdict",
        choices=[SelectChoice(k, v) for k, v in VERDICTS.items()],
        validators=[DataRequired()],
    )
    comment = TextAreaField("Feedback to the consultant", validators=[Length(max=4000)])
    override_reason = TextAreaField(
        "Override: why approve despite the risks on their own accounts",
        validators=[Length(max=2000)],
    )

    def scores(self) -> dict[str, dict[str, Any]]:
        result = {}
        for criterion in CRITERIA:
            raw = getattr(self, f"score_{criterion}").data
            result[criterion] = {
                "score": int(raw) if raw and str(raw).isdigit() else None,
                "comment": (getattr(self, f"comment_{criterion}").data or "").strip()[:1000],
            }
        return result


for _criterion, _label in CRITERIA.items():
    setattr(
        ReviewForm,
        f"score_{_criterion}",
        RadioField(_label, choices=SCORES, validate_choice=False),
    )
    setattr(
        ReviewForm,
        f"comment_{_criterion}",
        StringField(f"{_label}: comment", validators=[Length(max=1000)]),
    )


class ConflictForm(FlaskForm):
    reason = StringField("Your conflict of interest", validators=[DataRequired(), Length(max=1000)])


class ReasonForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(min=10, max=2000)])


class AppealForm(FlaskForm):
    statement = TextAreaField(
        "Why should reviewers look again?", validators=[DataRequired(), Length(min=10, max=4000)]
    )
