"""createReport: a Bluesky report, authenticated by a service JWT, becomes a dispute.

The PLC directory is a local stand-in (pytest-httpserver on 127.0.0.1). Tokens are built
and signed in tests/labeler/appeal_helpers.py; every token the server accepts is also
accepted by the atproto SDK's own verifier (``atproto_server.auth.jwt.verify_jwt`` with
keys resolved by ``atproto_identity`` from the same stand-in), and the answers are parsed
by the SDK's ``createReport`` models.
"""

from __future__ import annotations

import socket
import time

import pytest
import sqlalchemy as sa
from atproto_client import models
from atproto_client.models.com.atproto.moderation import create_report
from atproto_client.models.utils import get_model_as_dict, get_or_create
from atproto_crypto.consts import P256_JWT_ALG
from atproto_identity.did.resolver import DidResolver
from atproto_server.auth.jwt import verify_jwt

from genuine.cards.store import save_cards
from genuine.cli import cli
from genuine.db import get_db
from genuine.labeler.emit import LABEL, subjects
from genuine.labeler.service_auth import DidResolver as DocumentCache
from genuine.models import Account, BlueskyActor, Dispute
from tests.labeler.appeal_helpers import METHOD, Reporter
from tests.labeler.helpers import SRC, T0, card, labeler, put

URL = "/xrpc/com.atproto.moderation.createReport"
APPEAL = "com.atproto.moderation.defs#reasonAppeal"
RING = "did:plc:ring"  # the DID helpers.put gives ring.bsky.social


@pytest.fixture
def plc(httpserver):
    return httpserver


@pytest.fixture
def labelled(app, plc):
    app.config.update(LABELER_DID=SRC, PLC_DIRECTORY_URL=plc.url_for("/"))
    with get_db(app).engine.begin() as conn:
        put(conn, card("ring.bsky.social", ring="member"), card("plain.bsky.social"))
        labeler().sync(conn, subjects(conn), T0)
    return app


def publish(plc, reporter: Reporter) -> Reporter:
    plc.expect_request(f"/{reporter.did}").respond_with_json(reporter.document())
    return reporter


def sdk_accepts(plc, token: str) -> bool:
    """The atproto SDK's verdict on a token, with keys it resolves itself."""
    resolver = DidResolver(plc_url=plc.url_for("/").rstrip("/"))
    try:
        verify_jwt(token, lambda iss, fresh: resolver.resolve_atproto_key(iss), own_did=SRC)
    except Exception:  # the SDK raises its token errors, or identity errors for a bad iss
        return False
    return True


def body(subject=None, reason: str | None = "I am not in a follow-back-ring") -> dict:
    data = create_report.Data(
        reason_type=APPEAL,
        subject=subject or models.ComAtprotoAdminDefs.RepoRef(did=RING),
        reason=reason,
    )
    return get_model_as_dict(data)


def post(app, token: str | None, payload=None, **kw):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return app.test_client().post(URL, json=body() if payload is None else payload, headers=headers)


def xrpc_error(answer, status: int, error: str) -> str:
    assert answer.status_code == status, answer.get_data(as_text=True)
    got = answer.get_json()
    assert set(got) == {"error", "message"} and got["error"] == error and got["message"]
    return got["message"]


def open_disputes(app) -> list[Dispute]:
    with get_db(app).session() as session:
        return list(session.scalars(sa.select(Dispute).where(Dispute.status == "open")))


def test_a_report_becomes_a_dispute_and_holds_the_label(labelled, plc, runner):
    reporter = publish(plc, Reporter())
    token = reporter.token(SRC)
    assert sdk_accepts(plc, token)
    answer = post(labelled, token)
    assert answer.status_code == 200, answer.get_json()
    out = get_or_create(answer.get_json(), create_report.Response, strict=True)
    assert out.reported_by == reporter.did and out.reason_type == APPEAL
    assert out.subject.did == RING and out.reason == "I am not in a follow-back-ring"
    (dispute,) = open_disputes(labelled)
    assert out.id == dispute.id
    assert (dispute.platform, dispute.handle) == ("bluesky", "ring.bsky.social")
    assert dispute.badge == "follow_back_ring" and dispute.contact == reporter.did
    assert "reasonAppeal" in dispute.reason and "follow-back-ring" in dispute.reason

    listing = runner.invoke(cli, ["disputes", "list"])
    assert listing.exit_code == 0, listing.output
    assert "bluesky:ring.bsky.social  follow_back_ring" in listing.output
    assert reporter.did in listing.output

    # The card leaves the band: the disputed badge keeps its label until resolved.
    with get_db(labelled).engine.begin() as conn:
        save_cards(conn, [card("ring.bsky.social")])
        held = labeler().sync(conn, subjects(conn), T0)
        assert (held.held, held.negated) == (1, 0)
        conn.execute(sa.update(Dispute.__table__).values(status="resolved"))
        assert labeler().sync(conn, subjects(conn), T0).negated == 1
        last = conn.execute(sa.select(LABEL).order_by(LABEL.c.seq.desc()).limit(1)).first()
        assert (last.uri, last.val, last.neg) == (RING, "follow-back-ring", True)


def test_a_record_subject_and_an_unnamed_badge_dispute_the_whole_card(labelled, plc):
    reporter = publish(plc, Reporter(alg=P256_JWT_ALG))  # P-256 keys sign with ES256
    subject = models.ComAtprotoRepoStrongRef.Main(
        uri=f"at://{RING}/app.bsky.feed.post/3kabc", cid="bafyreidfayvfuwqa7qlnopdjiqrxzs6bl"
    )
    token = reporter.token(SRC, lxm=None)  # lxm is optional
    assert sdk_accepts(plc, token)
    answer = post(labelled, token, body(subject, reason=None))
    assert answer.status_code == 200, answer.get_json()
    out = get_or_create(answer.get_json(), create_report.Response, strict=True)
    assert out.subject.uri.startswith(f"at://{RING}/") and out.reason is None
    (dispute,) = open_disputes(labelled)
    assert dispute.badge is None and dispute.handle == "ring.bsky.social"


@pytest.mark.parametrize("via", ["actor", "label log"])
def test_the_subject_is_found_through_actors_and_the_label_log(labelled, plc, via):
    reporter = publish(plc, Reporter())
    did = "did:plc:jetstreamactor" if via == "actor" else RING
    with get_db(labelled).engine.begin() as conn:
        conn.execute(sa.update(Account.__table__).values(extra={}))  # no DID left on the accounts
        if via == "actor":
            conn.execute(
                BlueskyActor.__table__.insert().values(
                    did=did, handle="plain.bsky.social", first_seen=T0
                )
            )
    subject = models.ComAtprotoAdminDefs.RepoRef(did=did)
    answer = post(labelled, reporter.token(SRC), body(subject))
    assert answer.status_code == 200, answer.get_json()
    expected = "plain.bsky.social" if via == "actor" else "ring.bsky.social"
    assert [d.handle for d in open_disputes(labelled)] == [expected]


def test_a_subject_without_a_card_is_refused(labelled, plc):
    reporter = publish(plc, Reporter())
    subject = models.ComAtprotoAdminDefs.RepoRef(did="did:plc:nobodyweknow")
    message = xrpc_error(post(labelled, reporter.token(SRC), body(subject)), 400, "InvalidRequest")
    assert "no card" in message and open_disputes(labelled) == []


def test_no_token(labelled):
    xrpc_error(post(labelled, None), 401, "MissingJwt")
    xrpc_error(
        labelled.test_client().post(URL, json=body(), headers={"Authorization": "Basic eDp5"}),
        401,
        "MissingJwt",
    )


# sdk: whether the SDK's verifier has a verdict (it reads neither alg nor typ nor lxm).
@pytest.mark.parametrize(
    "make, error, sdk",
    [
        (lambda r: r.token(SRC, exp=time.time() - 5), "JwtExpired", True),
        (lambda r: r.token("did:plc:someotherlabeler"), "BadJwtAudience", True),
        (lambda r: r.token(SRC, lxm="com.atproto.repo.createRecord"), "BadJwtLexiconMethod", False),
        (lambda r: r.token(SRC, signer=Reporter()), "BadJwtSignature", True),
        (lambda r: r.token(SRC, alg="ES256"), "BadJwtSignature", False),  # another curve's alg
        (lambda r: r.token(SRC, alg="HS256"), "BadJwt", False),
        (lambda r: r.token(SRC, typ="at+jwt"), "BadJwtType", False),
        (lambda r: r.token(SRC)[:-4], "BadJwtSignature", True),
        (lambda r: r.token(SRC, iss="not a did"), "BadJwt", True),
        (lambda r: "garbage", "BadJwt", True),
        (lambda r: "a.b.c", "BadJwt", True),
        (lambda r: "e30.e30.", "BadJwt", True),  # {} and {}: no alg, no claims
        (lambda r: r.token(SRC).replace(".", "!.", 1), "BadJwt", True),
        (lambda r: "x" * 9000, "BadJwt", True),
    ],
)
def test_bad_tokens_are_refused_with_the_reference_error_names(labelled, plc, make, error, sdk):
    reporter = publish(plc, Reporter())
    token = make(reporter)
    xrpc_error(post(labelled, token), 401, error)
    if sdk:  # the SDK's verifier refuses it too
        assert not sdk_accepts(plc, token)
    assert open_disputes(labelled) == []


def test_high_s_signatures_are_accepted_like_the_reference_verifier(labelled, plc):
    reporter = publish(plc, Reporter())
    answer = post(labelled, reporter.token(SRC, high_s=True))
    assert answer.status_code == 200, answer.get_json()


def test_an_issuer_the_directory_does_not_know(labelled, plc):
    reporter = Reporter()
    plc.expect_request(f"/{reporter.did}").respond_with_json(
        {"message": f"DID not registered: {reporter.did}"}, status=404
    )
    message = xrpc_error(post(labelled, reporter.token(SRC)), 401, "AuthenticationRequired")
    assert "does not resolve" in message


def test_did_web_issuers_are_unsupported(labelled):
    reporter = Reporter(did="did:web:reporter.example")
    message = xrpc_error(post(labelled, reporter.token(SRC)), 401, "AuthenticationRequired")
    assert "did:web" in message


def test_a_document_without_an_atproto_key(labelled, plc):
    reporter = Reporter()
    document = reporter.document()
    document["verificationMethod"][0]["id"] = f"{reporter.did}#other"
    plc.expect_request(f"/{reporter.did}").respond_with_json(document)
    message = xrpc_error(post(labelled, reporter.token(SRC)), 401, "AuthenticationRequired")
    assert "#atproto" in message


def test_the_directory_down_is_an_upstream_failure(labelled):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    labelled.config["PLC_DIRECTORY_URL"] = f"http://127.0.0.1:{port}"
    xrpc_error(post(labelled, Reporter().token(SRC)), 502, "UpstreamFailure")


def test_the_directory_answering_500_is_an_upstream_failure(labelled, plc):
    reporter = Reporter()
    plc.expect_request(f"/{reporter.did}").respond_with_data("down", status=503)
    xrpc_error(post(labelled, reporter.token(SRC)), 502, "UpstreamFailure")


def test_documents_are_cached_and_refetched_after_a_key_rotation(labelled, plc):
    reporter = publish(plc, Reporter())
    for _ in range(3):
        assert post(labelled, reporter.token(SRC)).status_code == 200
    assert len(plc.log) == 1
    rotated = Reporter(did=reporter.did)
    plc.clear()
    publish(plc, rotated)
    assert post(labelled, rotated.token(SRC)).status_code == 200
    assert len(plc.log) == 1  # the stale key failed once, the fresh document was fetched
    xrpc_error(post(labelled, reporter.token(SRC)), 401, "BadJwtSignature")


@pytest.mark.parametrize(
    "payload",
    [
        [],
        {"subject": {"$type": "com.atproto.admin.defs#repoRef", "did": RING}},
        {"reasonType": "", "subject": {"$type": "com.atproto.admin.defs#repoRef", "did": RING}},
        {"reasonType": APPEAL},
        {"reasonType": APPEAL, "subject": {"did": RING}},
        {"reasonType": APPEAL, "subject": {"$type": "com.atproto.admin.defs#repoRef"}},
        {"reasonType": APPEAL, "subject": {"$type": "com.atproto.admin.defs#repoRef", "did": 1}},
        {"reasonType": APPEAL, "subject": {"$type": "com.atproto.repo.strongRef", "uri": "x"}},
        {
            "reasonType": APPEAL,
            "subject": {"$type": "com.atproto.repo.strongRef", "uri": "at://x/y", "cid": "b"},
        },
        {
            "reasonType": APPEAL,
            "reason": "é" * 10_001,
            "subject": {"$type": "com.atproto.admin.defs#repoRef", "did": RING},
        },
    ],
)
def test_bad_bodies_are_invalid_requests(labelled, plc, payload):
    reporter = publish(plc, Reporter())
    xrpc_error(post(labelled, reporter.token(SRC), payload), 400, "InvalidRequest")


def test_a_body_that_is_not_json(labelled, plc):
    reporter = publish(plc, Reporter())
    answer = labelled.test_client().post(
        URL, data="reasonType=x", headers={"Authorization": f"Bearer {reporter.token(SRC)}"}
    )
    xrpc_error(answer, 400, "InvalidRequest")


def test_long_reasons_are_kept_whole_in_the_answer_and_cut_in_the_dispute(labelled, plc):
    reporter = publish(plc, Reporter())
    answer = post(labelled, reporter.token(SRC), body(reason="x" * 19_000))
    assert answer.status_code == 200 and len(answer.get_json()["reason"]) == 19_000
    (dispute,) = open_disputes(labelled)
    assert len(dispute.reason) == 4000 and dispute.reason.endswith("…")


def test_reports_count_against_the_write_limit(labelled, plc):
    labelled.config["RATE_LIMIT_WRITE"] = "2 per minute"
    reporter = publish(plc, Reporter())
    assert [post(labelled, reporter.token(SRC)).status_code for _ in range(2)] == [200, 200]
    xrpc_error(post(labelled, reporter.token(SRC)), 429, "RateLimitExceeded")


def test_off_by_default(app):
    xrpc_error(post(app, Reporter().token(SRC)), 501, "MethodNotImplemented")


def test_the_sdk_agrees_on_our_test_tokens(plc):
    """The helpers' tokens are what the SDK calls valid (so they test the server, not us)."""
    reporter = publish(plc, Reporter())
    assert sdk_accepts(plc, reporter.token(SRC, lxm=METHOD))
    assert not sdk_accepts(plc, reporter.token(SRC, signer=Reporter()))
    assert not sdk_accepts(plc, reporter.token("did:plc:else"))


def test_an_issuer_with_a_service_fragment_reports_as_its_did(labelled, plc):
    reporter = publish(plc, Reporter())
    answer = post(labelled, reporter.token(SRC, iss=f"{reporter.did}#atproto_labeler"))
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["reportedBy"] == reporter.did


def test_control_characters_and_huge_bodies_get_the_xrpc_shape(labelled, plc):
    reporter = publish(plc, Reporter())
    message = xrpc_error(
        post(labelled, reporter.token(SRC), body(reason="a\x00b")), 400, "InvalidRequest"
    )
    assert "U+0000" in message
    labelled.config["MAX_CONTENT_LENGTH"] = 10_000
    xrpc_error(
        post(labelled, reporter.token(SRC), body(reason="x" * 12_000)), 413, "PayloadTooLarge"
    )
    assert open_disputes(labelled) == []


def test_the_document_cache_expires_and_is_bounded(plc):
    first, second = publish(plc, Reporter()), publish(plc, Reporter())
    cache = DocumentCache(plc.url_for("/"), ttl=60, capacity=1)
    for reporter in (first, first, second, first):
        key = cache.signing_key(reporter.did)
        assert key.key.public_numbers() == reporter.key.public_key().public_numbers()
    assert len(plc.log) == 3  # first, second, first again (evicted by second)
    expired = DocumentCache(plc.url_for("/"), ttl=0)
    expired.signing_key(first.did)
    expired.signing_key(first.did)
    assert len(plc.log) == 5
