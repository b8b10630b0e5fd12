"""`genuine import` and `genuine stats` as a user runs them."""

import pytest

from genuine.cli import cli
from tests.helpers import write_csv
from tests.test_importing import dataset, dump


def invoke(runner, *args):
    return runner.invoke(cli, list(args))


def test_import_prints_a_summary_and_stats_count(runner, app, tmp_path):
    result = invoke(runner, "import", str(dataset(tmp_path)))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("imported 2 accounts (2 new), 2 snapshots (2 new)")
    stats = invoke(runner, "stats")
    assert stats.exit_code == 0
    assert "accounts                2   (x 2)" in stats.stdout
    assert "follows                 2   (x 2)" in stats.stdout


def test_twitter_v1_with_platform_option(runner, app, tmp_path):
    path = write_csv(
        tmp_path / "u.csv",
        ["screen_name", "followers_count", "friends_count", "statuses_count", "created_at"],
        [["Someone", "1", "2", "3", "Fri Apr 06 10:58:22 +0000 2007"]],
    )
    result = invoke(runner, "import", str(path), "--format", "twitter-v1", "--platform", "x")
    assert result.exit_code == 0, result.output
    assert "1 accounts (1 new)" in result.stdout


BAD = {
    "missing column": (
        ["platform", "follower"],
        [["x", "a"]],
        "missing required column(s): followee",
    ),
    "non-number": (
        ["platform", "follower", "followee", "followed_at"],
        [["x", "a", "b", "soon"]],
        "not an ISO 8601 date",
    ),
    "duplicate": (
        ["platform", "follower", "followee"],
        [["x", "a", "b"], ["x", "a", "b"]],
        "duplicate follow",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_line_exit_2_and_changes_nothing(runner, app, tmp_path, case):
    invoke(runner, "import", str(dataset(tmp_path / "good")))
    before = dump(app)
    header, rows, reason = BAD[case]
    path = write_csv(tmp_path / "bad" / "follows.csv", header, rows)
    result = invoke(runner, "import", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0] and reason in lines[0] and "nothing was imported" in lines[0]
    assert dump(app) == before


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (["x", "big", "99999999999999999999", ""], "too large"),
        (["x", "inf", "1e400", ""], "followers_count"),
        (["x", "late", "", "2999-01-01T00:00:00Z"], "in the future"),
        (["mastodon", "gargron", "", ""], "has no instance"),
        (["x", "a" * 300, "", ""], "longer than 15"),
    ],
)
def test_bad_accounts_are_one_line_exit_2_on_every_database(runner, app, tmp_path, row, reason):
    """Values the store cannot hold or no lookup could find: refused before the database
    sees them (a traceback from SQLite's OverflowError or PostgreSQL's COPY, before)."""
    before = dump(app)
    header = ["platform", "handle", "followers_count", "created_at"]
    path = write_csv(tmp_path / "accounts.csv", header, [["x", "ok", "1", ""], row])
    result = invoke(runner, "import", str(path))
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and reason in lines[0], result.stderr
    assert ":3" in lines[0] or "line 3" in lines[0]
    assert dump(app) == before


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary data"),
        (b"platform,follower,followee\nx,\xff\xfe,b\n", "not UTF-8"),
    ],
)
def test_unreadable_files(runner, app, tmp_path, content, reason):
    path = tmp_path / "follows.csv"
    path.write_bytes(content)
    result = invoke(runner, "import", str(path))
    assert result.exit_code == 2
    assert reason in result.stderr and result.stderr.count("\n") == 1


def test_unknown_format_is_refused(runner, app, tmp_path):
    result = invoke(runner, "import", str(tmp_path), "--format", "myspace")
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.stderr
