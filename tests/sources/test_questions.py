"""Live audits read enough questions for a reply-rate level, and measure it.

Against the fake Mastodon and Bluesky servers, an account answering 20%, 55% or 95% of the
replies to its posts: the source pages back through its posts until it has 60 questions
(AUDIT_QUESTIONS), the note says what stopped it, and the reply-rate signal on what was
fetched is within 0.05 of the share the account really answers.
"""

from __future__ import annotations

import pytest

from genuine.signals.posts import Posts
from genuine.signals.reply_rate import reply_rate
from genuine.sources import open_source
from tests.sources.conftest import ANY, config
from tests.sources.fakes import FakeBluesky, FakeMastodon, answered

FAKES = {
    "mastodon": (lambda share: FakeMastodon(followers=40, posts=150, answer_share=share)),
    "bluesky": (lambda share: FakeBluesky(followers=40, posts=150, answer_share=share)),
}
HANDLES = {"mastodon": "alice@social.test", "bluesky": "alice.bsky.test"}


def audit(httpserver, base, platform, share, **settings):
    fake = FAKES[platform](share)
    httpserver.expect_request(ANY).respond_with_handler(fake)
    handle = HANDLES[platform]
    source = open_source(platform, config(base, **settings.pop("extra", {})), handle)
    got = source.fetch(handle, followers=0, **{"posts": 200, "questions": 60, **settings})
    return fake, got, reply_rate(Posts.from_records(got.posts), handle)


@pytest.mark.parametrize("platform", ["mastodon", "bluesky"])
@pytest.mark.parametrize("share", [0.2, 0.55, 0.95])
def test_an_audit_reads_60_questions_and_measures_the_share(httpserver, base, platform, share):
    _fake, got, rate = audit(httpserver, base, platform, share)
    # The questions an account got on its 60 newest posts, and what it really answered.
    truth = sum(answered(k, share) for k in range(150 - 60, 150)) / 60
    assert abs(truth - share) < 0.02
    assert rate.sample_size == 60
    assert abs(rate.answered_share - share) < 0.05
    assert got.notes[-1].startswith("questions_read: 60 found in the newest ")
    assert got.notes[-1].endswith("posts; stopped: enough questions (AUDIT_QUESTIONS is 60)")


@pytest.mark.parametrize("platform", ["mastodon", "bluesky"])
def test_the_note_says_when_posts_or_the_budget_ran_out(httpserver, base, platform):
    _fake, got, rate = audit(httpserver, base, platform, 0.5, questions=500, posts=1000)
    assert got.notes[-1].startswith("questions_read: 150 found in the newest ")
    assert got.notes[-1].endswith("posts; stopped: the account has no older posts")
    assert rate.sample_size == 150
    httpserver.clear()
    _fake, got, rate = audit(httpserver, base, platform, 0.5, posts=30)
    assert got.notes[-1].endswith("in the newest 30 posts; stopped: 30 posts read (AUDIT_POSTS)")
    httpserver.clear()
    _fake, got, rate = audit(httpserver, base, platform, 0.5, extra={"SOURCE_BUDGET": 12})
    assert got.notes[-1].endswith("stopped: the request budget is spent (SOURCE_BUDGET 12)")
    assert 0 < rate.sample_size < 12 and got.requests == 12
