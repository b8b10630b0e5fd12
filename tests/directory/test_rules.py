"""The review policy, rule by rule (pure functions: no database)."""

from genuine.directory import rules
from genuine.directory.rules import Verdict

SCORES = {key: {"score": 3} for key in rules.CRITERIA}


def card(risk="low", ring="not_member"):
    return {
        "badges": {"follower_purchase_risk": {"level": risk}, "follow_back_ring": {"level": ring}}
    }


def evidence(*cards):
    return {
        "accounts": [{"platform": "x", "handle": f"a{i}", "card": c} for i, c in enumerate(cards)]
    }


def test_two_approvals_from_different_reviewers_publish():
    assert rules.outcome([Verdict(1, "approve")], []) is None
    assert rules.outcome([Verdict(1, "approve"), Verdict(1, "approve")], []) is None
    assert rules.outcome([Verdict(1, "approve"), Verdict(2, "approve")], []) == "published"


def test_a_standing_rejection_blocks_publication_until_withdrawn():
    votes = [Verdict(1, "approve"), Verdict(3, "reject"), Verdict(2, "approve")]
    assert rules.outcome(votes, []) is None
    assert rules.outcome([*votes, Verdict(3, "approve")], []) == "published"


def test_two_rejections_reject_and_any_request_for_changes_returns_it():
    assert rules.outcome([Verdict(1, "reject"), Verdict(2, "reject")], []) == "rejected"
    assert rules.outcome([Verdict(1, "approve"), Verdict(2, "request_changes")], []) == (
        "changes_requested"
    )


def test_the_latest_verdict_of_a_reviewer_stands():
    latest = rules.standing([Verdict(1, "reject"), Verdict(2, "approve"), Verdict(1, "approve")])
    assert latest == {1: Verdict(1, "approve"), 2: Verdict(2, "approve")}


def test_nobody_reviews_their_own_or_a_conflicted_submission():
    assert rules.refusal(5, 5, []) == "you cannot review your own submission"
    assert "conflict of interest" in rules.refusal(5, 6, {5})
    assert rules.refusal(5, 6, {7}) is None


def test_risky_accounts_need_an_override_from_each_approving_reviewer():
    risks = rules.account_risks(evidence(card(risk="high"), card(ring="member"), None))
    assert risks == [
        "x:a0 has a high follower-purchase risk",
        "x:a1 is a member of a follow-back ring",
    ]
    assert rules.account_risks(evidence(card(), None)) == []
    plain = [Verdict(1, "approve"), Verdict(2, "approve")]
    assert rules.outcome(plain, risks) is None
    half = [Verdict(1, "approve", "known old purchase, cleaned"), Verdict(2, "approve")]
    assert rules.outcome(half, risks) is None
    both = [Verdict(1, "approve", "explained"), Verdict(2, "approve", "checked")]
    assert rules.outcome(both, risks) == "published"
    problems = rules.review_problems("approve", SCORES, "", "  ", risks)
    assert set(problems) == {"override_reason"}
    assert rules.review_problems("approve", SCORES, "", "ok, explained", risks) == {}


def test_reviews_need_every_score_in_range_and_feedback_when_not_approving():
    assert rules.review_problems("approve", SCORES, "", None, []) == {}
    bad = {**SCORES, "transparency": {"score": 6}, "real_conversation": {}}
    assert set(rules.review_problems("maybe", bad, "", None, [])) == {
        "verdict",
        "transparency",
        "real_conversation",
    }
    assert set(rules.review_problems("reject", SCORES, "no", None, [])) == {"comment"}


def test_what_a_profile_needs_before_submission():
    assert set(rules.missing_for_submit({})) == {
        "name",
        "headline",
        "bio",
        "services",
        "accounts",
        "no_bought_engagement",
        "discloses_partnerships",
    }


def test_approval_summary_averages_scores():
    summary = rules.approval_summary(
        [{"transparency": {"score": 4}}, {"transparency": {"score": 5}}], 2
    )
    assert summary == "Approved by 2 reviewers: transparency 4.5/5."
