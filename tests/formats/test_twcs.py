from datetime import UTC, datetime

from genuine.formats import read
from tests.helpers import write_csv

HEADER = [
    "tweet_id",
    "author_id",
    "inbound",
    "created_at",
    "text",
    "response_tweet_id",
    "in_response_to_tweet_id",
]


def test_reply_authors_resolved_within_the_file(tmp_path):
    path = write_csv(
        tmp_path / "t.csv",
        HEADER,
        [
            [1, "sprintcare", False, "Tue Oct 31 22:10:47 +0000 2017", "@115712 hi", 2, 3.0],
            [2, 115712, True, "Tue Oct 31 22:11:45 +0000 2017", "@sprintcare\nhow", "", 1.0],
            [3, 115712, True, "Tue Oct 31 22:08:27 +0000 2017", "@SprintCare help", 1, ""],
            [4, "sprintcare", False, "Tue Oct 31 22:12:00 +0000 2017", "@x", "", 999.0],
        ],
    )
    posts = [r.values for r in read(path, "twcs")]
    assert [p["post_id"] for p in posts] == ["1", "2", "3", "4"]
    assert posts[0]["in_reply_to_post_id"] == "3" and posts[0]["in_reply_to_author"] == "115712"
    assert posts[1]["in_reply_to_author"] == "sprintcare"
    assert posts[1]["text"] == "@sprintcare\nhow"
    assert posts[2]["in_reply_to_post_id"] is None
    assert posts[3]["in_reply_to_post_id"] == "999" and posts[3]["in_reply_to_author"] is None
    assert posts[1]["extra"] == {"inbound": True}
    assert posts[0]["created_at"] == datetime(2017, 10, 31, 22, 10, 47, tzinfo=UTC)


def test_real_twcs_sample_keeps_every_row(datasets_dir):
    path = datasets_dir / "twcs-sample" / "twcs_head5000.csv"
    posts = [r.values for r in read(path, "twcs")]
    # The README says 5,000 rows; one holds bare carriage returns in an unquoted field,
    # which a plain csv.reader would split into extra rows.
    assert len(posts) == 5000
    assert len({p["post_id"] for p in posts}) == 5000
    (carriage,) = [p for p in posts if p["post_id"] == "3399"]
    assert carriage["text"] == (
        "@AskPayPal \n\nI just love the start of email \U0001f601 https://t.co/8u1Pf5rJoN"
    )
