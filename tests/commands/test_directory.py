"""`genuine directory export` writes what /api/v1/consultants serves; `flag` re-checks cards."""

import json

from genuine.commands.directory import directory
from tests.directory.helpers import cards, make_card, review, submitted, user


def test_export_writes_the_published_directory(app, runner, client, tmp_path):
    cards(app, make_card("x", "janedoe"))
    sub_id = submitted(app, user(app, "jane@example.org"))
    review(app, user(app, "r1@example.org", "reviewer"), sub_id)
    review(app, user(app, "r2@example.org", "reviewer"), sub_id)
    output = tmp_path / "directory.json"
    result = runner.invoke(directory, ["export", "--output", str(output)])
    assert result.exit_code == 0, result.output
    written = json.loads(output.read_text("utf-8"))
    served = client.get("/api/v1/consultants").get_json()
    assert written["consultants"] == served["consultants"]
    assert [c["slug"] for c in written["consultants"]] == ["jane-doe"]
    bad = runner.invoke(directory, ["export", "--output", str(tmp_path / "no" / "such.json")])
    assert bad.exit_code == 2 and bad.output.startswith("error: cannot write")


def test_flag_sends_bad_cards_back_to_review(app, runner):
    cards(app, make_card("x", "janedoe"))
    sub_id = submitted(app, user(app, "jane@example.org"))
    review(app, user(app, "r1@example.org", "reviewer"), sub_id)
    review(app, user(app, "r2@example.org", "reviewer"), sub_id)
    cards(app, make_card("x", "janedoe", risk="high"))
    assert "flagged 1 consultants" in runner.invoke(directory, ["flag"]).output
    assert "flagged 0 consultants" in runner.invoke(directory, ["flag"]).output
