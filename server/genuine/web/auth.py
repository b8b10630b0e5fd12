"""Sign-up, sign-in, sign-out, password reset, and the admin's outbox (Flask-Login sessions).

Passwords are argon2id hashes (genuine.directory.people). Reset links are signed, expiring
tokens that stop working once the password changes. Without SMTP, reset mail sits in the
outbox, which an admin reads at /admin/outbox.
"""

from __future__ import annotations

import hmac
from functools import wraps
from urllib.parse import urlsplit

import flask_login
import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as cookie_session
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from genuine.db import get_db
from genuine.directory import log, people
from genuine.directory.forms import (
    ActionForm,
    ResetForm,
    ResetRequestForm,
    SignInForm,
    SignUpForm,
)
from genuine.models import OutboxMessage, User

bp = Blueprint("auth", __name__)


class LoginManager(flask_login.LoginManager):
    """Flask-Login's, but its after-request hook reads the session only when Flask-Login
    was used in the request.

    The hook moves the remember-me cookie. Reading the session marks it accessed, so Flask
    answered `Vary: Cookie` to every request, badge reads and label queries included, which
    never use it, and the hook and that header were 3% of a badge lookup (issue 16). Only
    login_user, logout_user and loading current_user (session protection) put "_remember"
    in the session, and each leaves the user in g._login_user, where Flask-Login keeps it.
    """

    def _update_remember_cookie(self, response):
        if "_login_user" in g or current_app.config.get("REMEMBER_COOKIE_REFRESH_EACH_REQUEST"):
            return super()._update_remember_cookie(response)
        return response


login_manager = LoginManager()
login_manager.login_view = "auth.signin"
login_manager.login_message = "Sign in to see that page."


@bp.record_once
def _setup(state) -> None:
    login_manager.init_app(state.app)
    # Forms that are only a button (sign out) put the token in by hand.
    state.app.jinja_env.globals.setdefault("csrf_token", generate_csrf)
    # Cookie flags (SameSite, HttpOnly, Secure outside development) are in genuine.config.


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    user_id, _, _digest = session_id.partition(":")
    if not user_id.isdigit():
        return None
    with get_db().session() as session:
        user = session.get(User, int(user_id))
    # A session from before the password last changed no longer signs anyone in.
    return user if user is not None and hmac.compare_digest(user.get_id(), session_id) else None


def role_required(role: str):
    """Signed in with at least `role`; 403 otherwise (admins may do what reviewers may)."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if not current_user.can(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def _safe_next(target: str | None) -> str:
    """Only paths on this site: `next` must never send people elsewhere."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("submit.dashboard")


def _sign_in(user: User) -> None:
    """Sign in with a new CSRF token: one read before sign-in (a shared computer, a page
    an attacker saw) does not carry over into the signed-in session."""
    login_user(user)
    cookie_session.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    g.pop("csrf_token", None)


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    form = SignUpForm()
    if form.validate_on_submit():
        user = _sign_up(form)
        if user is None:
            form.email.errors.append("an account with this email exists: sign in instead")
        else:
            _sign_in(user)
            flash("Welcome. Fill in your profile and save it as a draft whenever you like.")
            return redirect(url_for("submit.edit"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/signup.html", form=form), status


def _sign_up(form: SignUpForm) -> User | None:
    """The new account, or None when the address has one. Two sign-ups for one address at
    the same moment both pass the look-up; the unique index lets one in, and the other gets
    the same answer as if it had come second (see the README's note on accounts)."""
    password_hash = people.hash_password(form.password.data)  # slow: outside the transaction
    try:
        with get_db().session() as session, session.begin():
            if people.by_email(session, form.email.data):
                return None
            user = people.create_user(
                session, form.email.data, form.name.data, "", "consultant", password_hash
            )
            log.record(session, "signed_up", actor_id=user.id)
            return user
    except sa.exc.IntegrityError:
        with get_db().session() as session:
            if people.by_email(session, form.email.data) is None:
                raise  # not the e-mail: a real fault
        return None


@bp.route("/signin", methods=["GET", "POST"])
def signin():
    form = SignInForm()
    if form.validate_on_submit():
        with get_db().session() as session:
            user = people.by_email(session, form.email.data)
            good = people.check_password(user, form.password.data)
        if good:
            _sign_in(user)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("that email and password do not match an account")
    status = 400 if request.method == "POST" else 200
    return render_template("auth/signin.html", form=form), status


@bp.post("/signout")
def signout():
    if ActionForm().validate_on_submit():
        if current_user.is_authenticated:  # end this session everywhere, copies included
            with get_db().session() as session, session.begin():
                session.execute(
                    sa.update(User)
                    .where(User.id == current_user.id)
                    .values(session_version=User.session_version + 1)
                )
        logout_user()
        flash("You are signed out.")
    return redirect(url_for("auth.signin"))


@bp.route("/reset", methods=["GET", "POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        with get_db().session() as session, session.begin():
            user = people.by_email(session, form.email.data)
            if user is not None:
                # From PUBLIC_URL, never the request's Host header: a forged Host would
                # otherwise mail the victim a link that hands their token to another site.
                base = current_app.config["PUBLIC_URL"].rstrip("/")
                link = base + url_for(
                    "auth.reset", token=people.reset_token(user, current_app.config["SECRET_KEY"])
                )
                people.send_mail(
                    session,
                    user.email,
                    "Reset your Genuine password",
                    f"Hello {user.name},\n\nOpen this link within an hour to choose a new "
                    f"password:\n{link}\n\nIf you did not ask for it, ignore this message.",
                    config=current_app.config,
                    secret=link,
                )
        # The same answer either way: the page must not reveal who has an account.
        flash("If an account uses that address, a reset link is on its way.")
        return redirect(url_for("auth.signin"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/reset_request.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    with get_db().session() as session:
        if _token_user(session, token) is None:
            flash("That reset link is invalid, used or expired: ask for a new one.")
            return redirect(url_for("auth.reset_request"))
    form = ResetForm()
    if form.validate_on_submit():
        with get_db().session() as session, session.begin():
            user = _token_user(session, token)
            if user is not None:
                user.password_hash = people.hash_password(form.password.data)
                log.record(session, "password_reset", actor_id=user.id)
        if user is None:  # used meanwhile (another tab, or someone else holding the link)
            flash("That reset link is invalid, used or expired: ask for a new one.")
            return redirect(url_for("auth.reset_request"))
        flash("Your password is changed: sign in with it.")
        return redirect(url_for("auth.signin"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/reset.html", form=form), status


def _token_user(session, token: str):
    config = current_app.config
    return people.user_for_token(
        session, token, config["SECRET_KEY"], config["PASSWORD_RESET_MAX_AGE"]
    )


@bp.get("/admin/outbox")
@role_required("admin")
def outbox():
    with get_db().session() as session:
        messages = list(
            session.execute(
                sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(200)
            ).scalars()
        )
    return render_template("auth/outbox.html", messages=messages)
