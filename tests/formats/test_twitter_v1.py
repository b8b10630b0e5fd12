from datetime import UTC, datetime

import pytest

from genuine.formats import FormatError, read
from tests.helpers import write_csv

HEADER = [
    "id",
    "name",
    "screen_name",
    "statuses_count",
    "followers_count",
    "friends_count",
    "favourites_count",
    "listed_count",
    "created_at",
    "url",
    "default_profile",
    "default_profile_image",
    "profile_image_url",
    "profile_banner_url",
    "protected",
    "verified",
    "description",
    "updated",
    "dataset",
    "label",
    "label",
]


def row(**over):
    base = {
        "id": "1",
        "name": "Simone",
        "screen_name": "eKoeS",
        "statuses_count": "3131",
        "followers_count": "506",
        "friends_count": "381",
        "favourites_count": "9",
        "listed_count": "40",
        "created_at": "Mon Apr 30 15:08:42 +0000 2007",
        "url": "http://example.org/",
        "default_profile": "",
        "default_profile_image": "",
        "profile_image_url": "http://a0.twimg.com/x.png",
        "profile_banner_url": "",
        "protected": "",
        "verified": "1",
        "description": "Engineer",
        "updated": "2015-02-14 10:54:49",
        "dataset": "E13",
        "label": "human",
    }
    base.update(over)
    return [base[name] for name in HEADER[:-1]] + [base["label"]]


def test_maps_v1_fields(tmp_path):
    path = write_csv(
        tmp_path / "users.csv",
        HEADER,
        [row(), row(screen_name="Egg", default_profile_image="1", verified="", protected="1.0")],
    )
    first, second = (r.values for r in read(path, "twitter-v1"))
    assert first["platform"] == "x" and first["handle"] == "ekoes"
    assert first["following_count"] == 381 and first["posts_count"] == 3131
    assert first["created_at"] == datetime(2007, 4, 30, 15, 8, 42, tzinfo=UTC)
    assert first["verified"] is True and first["is_private"] is False
    assert first["has_avatar"] is True
    assert first["extra"]["listed_count"] == 40
    assert first["extra"]["observed_at"] == datetime(2015, 2, 14, 10, 54, 49, tzinfo=UTC)
    assert second["has_avatar"] is False and second["is_private"] is True
    assert second["verified"] is False


def test_never_reads_labels(tmp_path):
    human = write_csv(tmp_path / "a.csv", HEADER, [row(label="human", dataset="E13")])
    fake = write_csv(tmp_path / "b.csv", HEADER, [row(label="fake", dataset="INT")])
    assert [r.values for r in read(human, "twitter-v1")] == [
        r.values for r in read(fake, "twitter-v1")
    ]
    assert "label" not in str(next(read(human, "twitter-v1")).values)


def test_bad_twitter_date_names_the_line(tmp_path):
    path = write_csv(tmp_path / "u.csv", HEADER, [row(), row(created_at="2007-04-30")])
    with pytest.raises(FormatError) as info:
        list(read(path, "twitter-v1"))
    assert info.value.line == 3 and "Twitter date" in info.value.reason


def test_real_cresci_file(datasets_dir):
    path = datasets_dir / "cresci-2015" / "users_train.csv"
    records = list(read(path, "twitter-v1"))
    assert len(records) == 3114
    assert all(r.values["created_at"] is not None for r in records)
