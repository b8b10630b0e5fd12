from datetime import UTC, datetime

import pytest

from genuine.formats import FormatError, read
from tests.helpers import write_csv


def folder(tmp_path):
    write_csv(
        tmp_path / "accounts.csv",
        ["platform", "handle", "followers_count", "created_at", "has_avatar", "bio", "extra_col"],
        [
            ["x", "@AmazonHelp", "2000000", "2009-01-02T03:04:05Z", "true", "We help", "ignored"],
            ["mastodon", "Gargron@Mastodon.Social", "", "2016-03-16", "", "Ünïcødé 🐘", ""],
        ],
    )
    write_csv(
        tmp_path / "follows.csv",
        ["platform", "follower", "followee", "followed_at"],
        [["x", "a", "AmazonHelp", "2024-05-01T10:00:00+02:00"]],
    )
    write_csv(
        tmp_path / "posts.csv",
        [
            "platform",
            "post_id",
            "author",
            "created_at",
            "in_reply_to_post_id",
            "in_reply_to_author",
            "text",
        ],
        [
            ["x", "1", "a", "2024-05-01T10:00:00Z", "", "", "hi @amazonhelp"],
            ["x", "2", "amazonhelp", "2024-05-01T10:05:00Z", "1", "@A", "hello"],
        ],
    )
    write_csv(
        tmp_path / "snapshots.csv",
        ["platform", "handle", "taken_at", "followers_count"],
        [["x", "amazonhelp", "2024-05-01", "1999000"]],
    )
    return tmp_path


def test_reads_every_file_in_dependency_order(tmp_path):
    records = list(read(folder(tmp_path)))
    assert [r.kind for r in records] == ["account", "account", "snapshot", "follow", "post", "post"]
    first, second = records[0].values, records[1].values
    assert first["handle"] == "amazonhelp"
    assert first["followers_count"] == 2_000_000
    assert first["created_at"] == datetime(2009, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert first["has_avatar"] is True
    assert "extra_col" not in first
    assert second["handle"] == "gargron@mastodon.social"
    assert second["followers_count"] is None and second["has_avatar"] is None
    assert second["bio"] == "Ünïcødé 🐘"
    follow = records[3].values
    assert follow["followee"] == "amazonhelp"
    assert follow["followed_at"] == datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    assert records[5].values["in_reply_to_author"] == "a"


def test_single_file_and_platform_override(tmp_path):
    write_csv(tmp_path / "follows.csv", ["follower", "followee"], [["A.example", "@ B.Example "]])
    (record,) = read(tmp_path / "follows.csv", "genuine", "bluesky")
    assert record.values == {
        "platform": "bluesky",
        "follower": "a.example",
        "followee": "b.example",
        "followed_at": None,
    }


@pytest.mark.parametrize(
    ("header", "row", "reason"),
    [
        (["platform", "handle", "followers_count"], ["x", "a", "many"], "not a number"),
        (["platform", "handle", "followers_count"], ["x", "a", "-3"], "whole number"),
        (["platform", "handle", "created_at"], ["x", "a", "yesterday"], "not an ISO 8601 date"),
        (["platform", "handle", "has_avatar"], ["x", "a", "maybe"], "not a boolean"),
        (["platform", "handle"], ["myspace", "a"], "unknown platform"),
        (["platform", "handle"], ["x", "@"], "holds no handle"),
        (["platform", "handle"], ["x", ""], "is empty"),
        (["platform", "handle"], ["x", "a" * 300], "longer than 15"),
        (["platform", "handle"], ["mastodon", "a@" + "b." * 150 + "org"], "longer than 255"),
        (["platform", "handle"], ["mastodon", "gargron"], "has no instance"),
        (["platform", "handle"], ["x", "<b>x</b>"], "holds HTML"),
        (["platform", "handle"], ["x", "ja ck"], "holds a space"),
        (["platform", "handle", "followers_count"], ["x", "a", "9" * 20], "too large"),
        (["platform", "handle", "followers_count"], ["x", "a", "1e400"], "whole number"),
        (["platform", "handle", "created_at"], ["x", "a", "2999-01-01"], "in the future"),
    ],
)
def test_bad_account_rows(tmp_path, header, row, reason):
    write_csv(tmp_path / "accounts.csv", header, [["x", "ok"] + [""] * (len(header) - 2), row])
    with pytest.raises(FormatError) as info:
        list(read(tmp_path))
    assert info.value.line == 3
    assert reason in info.value.reason


def test_folder_without_dataset_files(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(FormatError, match="folder holds none of"):
        list(read(tmp_path))
    with pytest.raises(FormatError, match="a dataset file is named"):
        list(read(tmp_path / "notes.txt"))


def test_columns_are_what_the_readers_take(tmp_path):
    """COLUMNS (the headers the demo and benchmarks write) is read whole, key columns first."""
    from genuine.formats.genuine_folder import COLUMNS, FILES

    assert set(COLUMNS) == set(FILES)
    row = {"platform": "x", "handle": "a", "follower": "a", "followee": "b", "post_id": "1"}
    row |= {"author": "a", "created_at": "2024-01-01", "taken_at": "2024-01-01"}
    for name, columns in COLUMNS.items():
        write_csv(tmp_path / name, list(columns), [[row.get(c, "") for c in columns]])
        (record,) = read(tmp_path / name)
        assert set(columns) <= set(record.values), name
