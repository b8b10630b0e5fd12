"""The review page says when an account's audit is still waiting for a worker."""

from genuine.db import get_db
from genuine.pipeline import audits
from tests.directory.helpers import submitted, user
from tests.web.test_auth import sign_in


def test_review_page_says_an_audit_waits_for_a_worker(app, client):
    sub_id = submitted(app, user(app, "jane@example.org"))
    user(app, "rev@example.org", "reviewer")
    sign_in(client, "rev@example.org")
    assert "waited" not in client.get(f"/review/{sub_id}").get_data(as_text=True)
    made, _ = audits.request_audit(get_db(app).engine, "x", "janedoe", followers=10)
    page = client.get(f"/review/{sub_id}").get_data(as_text=True)
    assert 'data-waiting="x:janedoe"' in page and "for a worker" in page
    with get_db(app).engine.begin() as conn:  # a worker took it: no longer waiting
        conn.execute(
            audits.TABLE.update().where(audits.TABLE.c.id == made["id"]).values(status="running")
        )
    assert "data-waiting" not in client.get(f"/review/{sub_id}").get_data(as_text=True)
