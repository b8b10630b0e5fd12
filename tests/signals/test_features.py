"""Features from account value dicts: transforms, ages, and explicit missingness."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from genuine.signals.features import FEATURE_NAMES, build_features, describe

REF = datetime(2025, 1, 1, tzinfo=UTC)


def account(**overrides):
    values = {
        "platform": "x",
        "handle": "anna1984",
        "bio": "hello",
        "followers_count": 12,
        "following_count": 4100,
        "posts_count": 0,
        "created_at": REF - timedelta(days=100),
        "has_avatar": False,
        "url": None,
        "verified": False,
        "is_private": False,
        "extra": {"favourites_count": 3},
    }
    values.update(overrides)
    return values


def col(fm, name):
    return fm.X[:, FEATURE_NAMES.index(name)]


def test_transforms_are_logs_and_ratios():
    fm = build_features([account()], reference_time=REF)
    assert col(fm, "log_followers")[0] == pytest.approx(math.log1p(12))
    assert col(fm, "follow_ratio")[0] == pytest.approx(math.log1p(4100) - math.log1p(12))
    assert col(fm, "no_posts")[0] == 1.0
    assert col(fm, "log_age_days")[0] == pytest.approx(math.log1p(100))
    assert col(fm, "handle_digit_share")[0] == pytest.approx(4 / 8)
    assert col(fm, "log_bio_length")[0] == pytest.approx(math.log1p(5))
    assert col(fm, "has_url")[0] == 0.0
    assert col(fm, "log_favourites")[0] == pytest.approx(math.log1p(3))


def test_age_is_measured_when_the_record_was_observed():
    observed = REF - timedelta(days=60)
    fm = build_features([account(extra={"observed_at": observed})], reference_time=REF)
    assert fm.raw["age_days"][0] == pytest.approx(40)


def test_missing_fields_stay_missing():
    fm = build_features(
        [account(created_at=None, followers_count=None, has_avatar=None, extra={})],
        reference_time=REF,
    )
    for name in ("log_age_days", "posts_per_day", "log_followers", "follow_ratio", "has_avatar"):
        assert np.isnan(col(fm, name)[0]), name
    for name in ("log_listed", "log_favourites", "has_banner"):
        assert np.isnan(col(fm, name)[0]), name
    assert col(fm, "log_following")[0] == pytest.approx(math.log1p(4100))


def test_instafake_schema_uses_its_lengths_and_has_no_url():
    values = account(
        platform="instagram",
        handle=None,
        bio=None,
        created_at=None,
        extra={"username_length": 10, "username_digits": 3, "bio_length": 20},
    )
    fm = build_features([values], reference_time=REF)
    assert fm.raw["handle_length"][0] == 10
    assert col(fm, "handle_digit_share")[0] == pytest.approx(0.3)
    assert fm.raw["bio_length"][0] == 20
    assert np.isnan(col(fm, "has_url")[0])
    assert np.isnan(col(fm, "log_age_days")[0])


def test_unknown_handle_is_missing_not_zero():
    fm = build_features([account(handle=None)], reference_time=REF)
    assert np.isnan(col(fm, "handle_length")[0])


def test_reasons_quote_the_accounts_numbers():
    fm = build_features([account()], reference_time=REF)
    raw = {k: float(v[0]) for k, v in fm.raw.items()}
    assert describe("audience", raw) == ("follows_many", "follows 4,100 accounts, followed by 12")
    assert describe("activity", raw) == ("never_posted", "never posted")
    assert describe("avatar", raw) == ("no_avatar", "no profile picture")
    assert describe("handle", raw)[1] == "handle has 4 digits in 8 characters"


def test_observed_at_read_back_from_the_store_as_text_counts_like_a_datetime():
    from datetime import UTC, datetime

    from genuine.signals.features import build_features

    created = datetime(2010, 1, 1, tzinfo=UTC)
    as_date = {"created_at": created, "extra": {"observed_at": datetime(2015, 1, 1, tzinfo=UTC)}}
    as_text = {"created_at": created, "extra": {"observed_at": "2015-01-01T00:00:00+00:00"}}
    first, second = build_features([as_date, as_text]).raw["age_days"]
    assert first == second == 1826.0
