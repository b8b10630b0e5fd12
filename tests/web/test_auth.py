"""Sign-up, sign-in, sign-out, password reset through the outbox, and CSRF."""

import re

import sqlalchemy as sa

from genuine.db import get_db
from genuine.models import DirectoryLog, OutboxMessage, User
from tests.directory.helpers import PASSWORD, csrf, user


def sign_in(client, email, password=PASSWORD):
    token = csrf(client.get("/signin").get_data(as_text=True))
    return client.post("/signin", data={"csrf_token": token, "email": email, "password": password})


def test_sign_up_stores_an_argon2_hash_and_signs_in(app, client):
    token = csrf(client.get("/signup").get_data(as_text=True))
    form = {"csrf_token": token, "name": "Jane", "email": "Jane@Example.org"}
    response = client.post("/signup", data={**form, "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302 and response.location.endswith("/me/profile")
    with get_db(app).session() as session:
        stored = session.execute(sa.select(User)).scalar_one()
    assert stored.email == "jane@example.org" and stored.role == "consultant"
    assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash
    assert "Signed in as Jane" in client.get("/me").get_data(as_text=True)


def test_sign_up_errors_are_shown_next_to_the_fields_with_what_was_typed(client, app):
    user(app, "taken@example.org")
    token = csrf(client.get("/signup").get_data(as_text=True))
    page = client.post(
        "/signup",
        data={
            "csrf_token": token,
            "name": "Jo",
            "email": "not-an-email",
            "password": "short",
            "confirm": "other",
        },
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "enter an email address" in text and 'value="not-an-email"' in text
    assert "the passwords differ" in text and "Field must be between 12 and 200" in text
    again = client.post(
        "/signup",
        data={
            "csrf_token": token,
            "name": "Jo",
            "email": "TAKEN@example.org",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert again.status_code == 400 and "an account with this email exists" in again.get_data(True)


def test_sign_in_checks_the_password_and_refuses_foreign_next(app, client):
    user(app, "jane@example.org")
    wrong = sign_in(client, "jane@example.org", "wrong password!!")
    assert wrong.status_code == 400 and "do not match" in wrong.get_data(as_text=True)
    token = csrf(client.get("/signin").get_data(as_text=True))
    right = client.post(
        "/signin?next=//evil.example/x",
        data={"csrf_token": token, "email": "jane@example.org", "password": PASSWORD},
    )
    assert right.status_code == 302 and right.location == "/me"
    token = csrf(client.get("/me").get_data(as_text=True))
    assert client.post("/signout", data={"csrf_token": token}).status_code == 302
    assert client.get("/me").status_code == 302  # signed out: back to sign-in


def test_csrf_is_enforced_on_every_form(app, client):
    user(app, "jane@example.org")
    assert client.post("/signup", data={"name": "x"}).status_code == 400
    no_token = client.post("/signin", data={"email": "jane@example.org", "password": PASSWORD})
    assert no_token.status_code == 400 and "CSRF token is missing" in no_token.get_data(True)
    assert sign_in(client, "jane@example.org").status_code == 302
    for path in ("/me/profile", "/me/submit", "/me/withdraw", "/me/appeal"):
        assert client.post(path, data={"name": "x"}).status_code in (400, 302), path
    assert "Signed in as" in client.get("/me").get_data(as_text=True)
    with get_db(app).session() as session:
        assert session.execute(sa.select(DirectoryLog.action)).scalars().all() == []


def test_password_reset_by_signed_single_use_link_from_the_outbox(app, client):
    user(app, "jane@example.org")
    admin = user(app, "admin@example.org", "admin")
    token = csrf(client.get("/reset").get_data(as_text=True))
    client.post("/reset", data={"csrf_token": token, "email": "nobody@example.org"})
    client.post("/reset", data={"csrf_token": token, "email": "jane@example.org"})
    with get_db(app).session() as session:
        mail = session.execute(sa.select(OutboxMessage)).scalars().all()
    assert [m.recipient for m in mail] == ["jane@example.org"]
    link = re.search(r"http://127\.0\.0\.1:5000(/reset/\S+)", mail[0].body).group(1)
    assert client.get("/reset/forged-token").status_code == 302
    form_token = csrf(client.get(link).get_data(as_text=True))
    new = "a brand new password"
    done = client.post(link, data={"csrf_token": form_token, "password": new, "confirm": new})
    assert done.status_code == 302
    assert client.get(link).status_code == 302  # used: the link no longer works
    assert sign_in(client, "jane@example.org").status_code == 400
    assert sign_in(client, "jane@example.org", new).status_code == 302
    assert client.get("/admin/outbox").status_code == 403  # a consultant
    client.post("/signout", data={"csrf_token": csrf(client.get("/me").get_data(True))})
    sign_in(client, admin.email)
    assert "Reset your Genuine password" in client.get("/admin/outbox").get_data(as_text=True)


def test_reset_links_expire(app, client, monkeypatch):
    jane = user(app, "jane@example.org")
    from genuine.directory import people

    token = people.reset_token(jane, app.config["SECRET_KEY"])
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    assert client.get(f"/reset/{token}").status_code == 302


def test_a_password_reset_ends_other_sessions(app, client):
    user(app, "jane@example.org")
    assert sign_in(client, "jane@example.org").status_code == 302
    assert client.get("/me").status_code == 200
    from genuine.directory import people

    with get_db(app).session() as session, session.begin():
        jane = people.by_email(session, "jane@example.org")
        jane.password_hash = people.hash_password("a brand new password")
    assert client.get("/me").status_code == 302  # the old session no longer signs in
    assert sign_in(client, "jane@example.org", "a brand new password").status_code == 302
    assert client.get("/me").status_code == 200


def test_sign_in_sign_up_and_reset_posts_are_rate_limited(app, client):
    app.config["RATE_LIMIT_AUTH"] = "3 per minute"
    user(app, "jane@example.org")
    statuses = [sign_in(client, "jane@example.org", "wrong password!!").status_code for _ in "abcd"]
    assert statuses == [400, 400, 400, 429]
    token = csrf(client.get("/reset").get_data(as_text=True))
    form = {"csrf_token": token, "email": "jane@example.org"}
    statuses = [client.post("/reset", data=form).status_code for _ in "abcd"]
    assert statuses == [302, 302, 302, 429]  # each form counts on its own
    with get_db(app).session() as session:
        assert len(session.execute(sa.select(OutboxMessage)).scalars().all()) == 3
    assert client.get("/signin").status_code == 200  # the pages themselves still open


def test_session_cookie_flags(app, client, tmp_path):
    from genuine import create_app

    user(app, "jane@example.org")
    cookie = sign_in(client, "jane@example.org").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development: plain http://127.0.0.1 works
    production = create_app(
        {"INSTANCE_PATH": str(tmp_path / "p"), "ENVIRONMENT": "production", "SECRET_KEY": "s" * 40}
    )
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_reset_links_use_the_public_url_not_the_host_header(app, client):
    """A forged Host must not turn the mailed link into one that leaks the token elsewhere."""
    user(app, "jane@example.org")
    app.config["PUBLIC_URL"] = "https://genuine.example/"
    forged = {"base_url": "http://evil.example"}
    token = csrf(client.get("/reset", **forged).get_data(as_text=True))
    sent = client.post("/reset", data={"csrf_token": token, "email": "jane@example.org"}, **forged)
    assert sent.status_code == 302
    with get_db(app).session() as session:
        body = session.execute(sa.select(OutboxMessage.body)).scalar_one()
    assert "https://genuine.example/reset/" in body and "evil.example" not in body


def test_reset_links_sent_over_smtp_are_not_kept_in_the_outbox(app, client, monkeypatch):
    from genuine.directory import people

    delivered = []
    monkeypatch.setattr(people, "_smtp_send", lambda url, sender, msg: delivered.append(msg.body))
    app.config["SMTP_URL"] = "smtp://mail.invalid:25"
    user(app, "jane@example.org")
    token = csrf(client.get("/reset").get_data(as_text=True))
    client.post("/reset", data={"csrf_token": token, "email": "jane@example.org"})
    with get_db(app).session() as session:
        stored = session.execute(sa.select(OutboxMessage)).scalar_one()
    assert re.search(r"/reset/\S+", delivered[0])  # the mail itself carries the link
    assert "/reset/" not in stored.body and people.SECRET_REMOVED in stored.body
    assert stored.sent_at is not None


def test_simultaneous_sign_ups_with_one_email_answer_as_for_a_taken_email(app):
    """Many sign-ups for one address at the same moment: one account, every other request
    told that the address has an account (never a 500 from the unique index)."""
    import threading

    app.config["RATE_LIMIT_AUTH"] = "1000 per minute"
    count = 8
    barrier, answers = threading.Barrier(count), []
    clients = [app.test_client() for _ in range(count)]
    tokens = [csrf(c.get("/signup").get_data(as_text=True)) for c in clients]

    def sign_up(client, token):
        form = {"csrf_token": token, "name": "Jo", "email": "same@example.org"}
        barrier.wait()
        try:
            response = client.post(
                "/signup", data={**form, "password": PASSWORD, "confirm": PASSWORD}
            )
        except Exception as exc:  # TESTING propagates what would be a 500
            answers.append((500, repr(exc)))
        else:
            answers.append((response.status_code, response.get_data(as_text=True)))

    threads = [
        threading.Thread(target=sign_up, args=pair) for pair in zip(clients, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = sorted(status for status, _ in answers)
    assert statuses == [302] + [400] * (count - 1), [t[:300] for s, t in answers if s == 500]
    assert all(
        "an account with this email exists" in text for status, text in answers if status == 400
    )
    with get_db(app).session() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(User)).scalar() == 1


def test_sign_in_rotates_the_csrf_token(app, client):
    """A token read before sign-in (on a shared computer, say) is no good after it."""
    user(app, "jane@example.org")
    before = csrf(client.get("/signin").get_data(as_text=True))
    assert (
        client.post(
            "/signin",
            data={"csrf_token": before, "email": "jane@example.org", "password": PASSWORD},
        ).status_code
        == 302
    )
    after = csrf(client.get("/me").get_data(as_text=True))
    assert after != before
    stale = client.post("/signout", data={"csrf_token": before})
    assert client.get("/me").status_code == 200  # the stale token did not sign out
    assert stale.status_code == 302
    assert client.post("/signout", data={"csrf_token": after}).status_code == 302
    assert client.get("/me").status_code == 302


def test_sign_out_ends_the_session_for_copies_of_the_cookie(app, client):
    """A cookie copied before sign-out (a shared computer, a stolen cookie) signs no one in."""
    user(app, "jane@example.org")
    assert sign_in(client, "jane@example.org").status_code == 302
    copied = client.get_cookie("session").value
    token = csrf(client.get("/me").get_data(as_text=True))
    assert client.post("/signout", data={"csrf_token": token}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/me").status_code == 302  # sent to sign in
    assert sign_in(client, "jane@example.org").status_code == 302  # signing in again works
    assert client.get("/me").status_code == 200


def test_flask_login_reads_the_session_only_where_it_is_used(app, client):
    """Badge reads and the API answer without `Vary: Cookie` (nothing there reads the
    session); pages that show who is signed in send it; signing out still clears a
    remember-me cookie through Flask-Login's own after-request hook."""
    lookup = {"accounts": [{"platform": "x", "handle": "nobody"}]}
    assert "Vary" not in client.post("/api/v1/badges/lookup", json=lookup).headers
    assert "Vary" not in client.get("/api/v1/meta").headers
    assert "Cookie" in client.get("/signin").headers["Vary"]
    user(app, "jane@example.org")
    sign_in(client, "jane@example.org")
    client.set_cookie("remember_token", "1|stale")
    token = csrf(client.get("/me").get_data(as_text=True))
    cookies = client.post("/signout", data={"csrf_token": token}).headers.getlist("Set-Cookie")
    assert any(c.startswith("remember_token=;") and "1970" in c for c in cookies), cookies
