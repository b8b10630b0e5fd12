"""`genuine users create|grant|list`."""

import sqlalchemy as sa

from genuine.commands.users import users
from genuine.db import get_db
from genuine.models import User


def test_create_grant_and_list(app, runner):
    made = runner.invoke(users, ["create", "Rev@Example.org", "--password", "long enough pass"])
    assert made.exit_code == 0, made.output
    assert "created consultant rev@example.org" in made.output
    granted = runner.invoke(users, ["grant", "reviewer", "rev@example.org"])
    assert granted.exit_code == 0 and "now reviewer (was consultant)" in granted.output
    with get_db(app).session() as session:
        assert session.execute(sa.select(User.role)).scalar_one() == "reviewer"
    assert "reviewer    rev@example.org" in runner.invoke(users, ["list"]).output


def test_user_mistakes_are_one_line_and_exit_2(app, runner):
    runner.invoke(users, ["create", "a@example.org", "--password", "long enough pass"])
    for args in (
        ["create", "a@example.org", "--password", "long enough pass"],
        ["create", "not-an-email", "--password", "long enough pass"],
        ["create", "b@example.org", "--password", "short"],
        ["grant", "reviewer", "nobody@example.org"],
    ):
        result = runner.invoke(users, args)
        assert result.exit_code == 2 and result.output.startswith("error: "), args
        assert "Traceback" not in result.output


def test_password_is_prompted_when_not_given(app, runner):
    result = runner.invoke(
        users,
        ["create", "p@example.org", "--role", "admin"],
        input="long enough pass\nlong enough pass\n",
    )
    assert result.exit_code == 0 and "created admin p@example.org" in result.output
