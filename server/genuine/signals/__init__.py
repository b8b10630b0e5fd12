"""Pure scoring: one module per signal; numpy/scipy arrays in, results out.

No Flask and no database here, so signals can be tested, benchmarked and batch-run alike
(the nested ruff.toml in this folder refuses those imports).

`SIGNALS` lists every badge a card carries, in card order: the badge key, the module
that computes it, its entry function, and its methodology page. The modules it names in
`parts` are the helpers that signal is built from. A new signal is one module here, one
line in SIGNALS, a tests/signals/test_<module>.py and a methodology page; the registry
test (tests/test_registry.py) fails when one is missing. The registry names modules as
strings so that importing `genuine.signals` stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Signal:
    badge: str  # key under a card's "badges"
    module: str  # genuine.signals.<module>
    function: str  # the module's entry point; its result has to_card()
    page: str  # site/docs/methodology/<page>
    parts: tuple[str, ...] = ()  # helper modules in genuine.signals it is built from


SIGNALS: dict[str, Signal] = {
    s.badge: s
    for s in (
        Signal(
            "follower_purchase_risk",
            "purchase_risk",
            "assess",
            "follower-purchase-risk.md",
            ("classifier", "features", "jumps", "stats"),
        ),
        Signal(
            "reply_rate",
            "reply_rate",
            "reply_rates",
            "reply-rate.md",
            ("posts", "questions", "wording"),
        ),
        Signal(
            "follow_back_ring",
            "rings",
            "detect_rings",
            "follow-back-rings.md",
            ("rings_graph", "rings_evidence", "rings_stats", "rings_decide"),
        ),
    )
}
