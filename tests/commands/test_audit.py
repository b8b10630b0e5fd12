import re

from genuine.cli import cli
from tests.sources.fakes import FakeBluesky, FakeMastodon


def test_audit_runs_in_the_foreground(app, runner, httpserver):
    httpserver.expect_request(re.compile("^/api/.*")).respond_with_handler(
        FakeMastodon(followers=50)
    )
    app.config["MASTODON_BASE_URL"] = httpserver.url_for("/").rstrip("/")
    result = runner.invoke(cli, ["audit", "mastodon", "@Alice@Social.Test", "--followers", "20"])
    assert result.exit_code == 0, result.output
    assert "audited mastodon:alice@social.test with 10 requests" in result.stdout
    badge = runner.invoke(cli, ["badge", "mastodon", "alice@social.test", "--json"])
    assert '"sample_size": 20' in badge.stdout


def test_audit_queue_prints_the_id(runner):
    result = runner.invoke(cli, ["audit", "bluesky", "Alice.Bsky.Social", "--queue"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("queued")
    again = runner.invoke(cli, ["audit", "bluesky", "alice.bsky.social", "--queue"])
    assert "already under way" in again.stdout


def test_user_mistakes_and_failures(app, runner, httpserver):
    insta = runner.invoke(cli, ["audit", "instagram", "someone"])
    assert insta.exit_code == 2 and "Instagram has no open API" in insta.stderr
    x = runner.invoke(cli, ["audit", "x", "someone"])
    assert x.exit_code == 2 and "GENUINE_X_BEARER_TOKEN" in x.stderr
    bad = runner.invoke(cli, ["audit", "mastodon", "nodomain"])
    assert bad.exit_code == 2 and "user@instance" in bad.stderr
    httpserver.expect_request(re.compile("^/xrpc/.*")).respond_with_handler(FakeBluesky())
    app.config["BLUESKY_BASE_URL"] = httpserver.url_for("/").rstrip("/")
    gone = runner.invoke(cli, ["audit", "bluesky", "nobody.bsky.social"])
    assert gone.exit_code == 1 and "Profile not found" in gone.output
    assert "Traceback" not in gone.output
