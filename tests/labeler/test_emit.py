from datetime import timedelta

import pytest
import sqlalchemy as sa
from atproto_crypto.verify import verify_signature

from genuine.db import get_db
from genuine.labeler.emit import LABEL, parse_timestamp, published, subjects
from genuine.labeler.sign import did_key, signing_bytes
from genuine.models import Dispute
from tests.labeler.helpers import KEY, SRC, T0, card, dispute, labeler, put


@pytest.fixture
def conn(app):
    with get_db(app).engine.begin() as conn:
        yield conn


def rows(conn):
    return list(conn.execute(sa.select(LABEL).order_by(LABEL.c.seq)))


def sync(conn, now=T0, **kw):
    return labeler(**kw).sync(conn, subjects(conn), now)


def test_entering_a_band_emits_a_signed_label_with_exp(conn):
    put(conn, card("ring1.bsky.social", ring="member"), card("calm.bsky.social", ring="not_member"))
    out = sync(conn)
    assert (out.emitted, out.negated) == (1, 0)
    [row] = rows(conn)
    label = published(row)
    assert (label["uri"], label["val"], label["src"]) == ("did:plc:ring1", "follow-back-ring", SRC)
    assert "neg" not in label
    assert parse_timestamp(label["exp"]) - parse_timestamp(label["cts"]) == timedelta(days=30)
    assert verify_signature(did_key(KEY), signing_bytes(label), label["sig"])
    # Nothing changed: a second run emits nothing.
    assert sync(conn, T0 + timedelta(days=1)).seqs == []


def test_leaving_a_band_negates(conn):
    put(conn, card("acct.bsky.social", purchase="high"))
    sync(conn)
    put(conn, card("acct.bsky.social", purchase="medium"))
    out = sync(conn, T0 + timedelta(hours=1))
    assert (out.emitted, out.negated) == (1, 1)
    new = [published(r) for r in rows(conn)[1:]]
    neg = next(x for x in new if x.get("neg"))
    assert neg["val"] == "bought-followers-high" and "exp" not in neg
    assert verify_signature(did_key(KEY), signing_bytes(neg), neg["sig"])
    assert {x["val"] for x in new if not x.get("neg")} == {"bought-followers-medium"}


def test_turning_unknown_negates_every_label(conn):
    put(conn, card("acct.bsky.social", ring="member", reply="unresponsive", equity="favours_big"))
    assert sync(conn).emitted == 3
    put(conn, card("acct.bsky.social"))
    out = sync(conn, T0 + timedelta(hours=1))
    assert (out.emitted, out.negated) == (0, 3)


def test_labels_are_re_emitted_before_they_expire(conn):
    put(conn, card("acct.bsky.social", ring="member"))
    sync(conn)
    assert sync(conn, T0 + timedelta(days=22)).renewed == 0
    out = sync(conn, T0 + timedelta(days=24))
    assert out.renewed == 1
    last = published(rows(conn)[-1])
    assert parse_timestamp(last["exp"]) == T0 + timedelta(days=54)


def test_an_expired_label_is_emitted_afresh(conn):
    put(conn, card("acct.bsky.social", ring="member"))
    sync(conn)
    assert sync(conn, T0 + timedelta(days=31)).emitted == 1


def test_open_dispute_holds_the_label_until_resolved(conn):
    put(conn, card("acct.bsky.social", ring="member", purchase="high"))
    sync(conn)
    dispute_id = dispute(conn, "acct.bsky.social", "follow_back_ring")
    put(conn, card("acct.bsky.social"))
    out = sync(conn, T0 + timedelta(hours=1))
    assert (out.negated, out.held) == (1, 1)  # purchase negated, ring held
    # A held label is still renewed while the dispute stays open.
    assert sync(conn, T0 + timedelta(days=25)).renewed == 1
    table = Dispute.__table__
    conn.execute(table.update().where(table.c.id == dispute_id).values(status="resolved"))
    out = sync(conn, T0 + timedelta(days=26))
    assert out.negated == 1 and published(rows(conn)[-1])["val"] == "follow-back-ring"


def test_accounts_without_did_and_other_platforms_get_no_label(conn):
    put(conn, card("nodid.bsky.social", ring="member"), did=False)
    put(conn, card("someone", ring="member", platform="x"))
    out = sync(conn)
    assert out.skipped_no_did == 1 and rows(conn) == []


def test_a_card_that_disappears_is_negated(conn):
    put(conn, card("acct.bsky.social", ring="member"))
    sync(conn)
    conn.execute(sa.text("DELETE FROM badgecard"))
    assert sync(conn, T0 + timedelta(hours=1)).negated == 1


def test_the_log_is_append_only(conn):
    put(conn, card("acct.bsky.social", ring="member"))
    sync(conn)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), conn.begin_nested():
        conn.execute(LABEL.update().values(val="x"))
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), conn.begin_nested():
        conn.execute(LABEL.delete())
    if conn.dialect.name == "postgresql":  # TRUNCATE fires no row trigger: a statement one
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), conn.begin_nested():
            conn.execute(sa.text("TRUNCATE label"))
