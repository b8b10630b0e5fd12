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
