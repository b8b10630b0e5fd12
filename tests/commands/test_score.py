import csv
import io
import json
import re

from genuine.cli import cli


def test_demo_then_badge(runner, app):
    result = runner.invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    assert "synthetic" in result.stdout
    assert "/report/x/demo_influencer" in result.stdout
    shown = runner.invoke(cli, ["badge", "x", "@Demo_Influencer"])
    assert shown.exit_code == 0
    assert "follower-purchase risk: high" in shown.stdout
    assert "(synthetic demo data)" in shown.stdout
    as_json = runner.invoke(cli, ["badge", "x", "demo_influencer", "--json"])
    assert '"synthetic": true' in as_json.stdout


def test_badge_for_an_unknown_account_is_one_line(runner, app):
    result = runner.invoke(cli, ["badge", "x", "nobody"])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "genuine score" in result.stderr


def test_score_counts(runner, app):
    runner.invoke(cli, ["demo"])
    result = runner.invoke(cli, ["score", "--platform", "mastodon"])
    assert result.exit_code == 0
    assert result.stdout.startswith("scored ") and "(mastodon " in result.stdout


def test_accounts_seen_only_in_posts_get_cards(runner, app, datasets_dir):
    """The twcs path of the README: posts only, no profiles; every author gets a card."""
    from tests.conftest import dataset_file

    path = dataset_file(datasets_dir, "twcs-sample/twcs_head5000.csv")
    imported = runner.invoke(cli, ["import", str(path), "--format", "twcs", "--platform", "x"])
    assert imported.exit_code == 0, imported.output
    result = runner.invoke(cli, ["score", "--platform", "x"])
    assert result.exit_code == 0, result.output
    scored = int(result.stdout.split()[1].replace(",", ""))
    # Independently, with csv: every author, and every author replied to (a bare carriage
    # return outside quotes in one text would end a row early: a space changes nothing here).
    raw = re.sub(r"\r(?!\n)", " ", path.read_text(encoding="utf-8"))
    rows = list(csv.DictReader(io.StringIO(raw, newline="")))
    authors = {r["tweet_id"]: r["author_id"].lower() for r in rows}
    replied_to = {authors.get((r["in_response_to_tweet_id"] or "").split(".")[0]) for r in rows}
    assert scored == len((set(authors.values()) | replied_to) - {None, ""})
    shown = runner.invoke(cli, ["badge", "x", "AmazonHelp", "--json"])
    assert shown.exit_code == 0, shown.output
    badges = json.loads(shown.stdout)["badges"]
    assert badges["reply_rate"]["level"] == "mixed"
    assert badges["reply_rate"]["sample_size"] == 154  # as in the methodology page's table
    assert badges["follower_purchase_risk"]["level"] == "unknown"
    assert badges["follower_purchase_risk"]["reasons"]
