"""Mastodon (any instance) through its REST API, without signing in.

Documentation: https://docs.joinmastodon.org/methods/accounts/ (lookup, followers,
following, statuses), https://docs.joinmastodon.org/methods/statuses/#context (replies),
https://docs.joinmastodon.org/entities/Account/ and .../entities/Status/ (fields),
https://docs.joinmastodon.org/api/rate-limits/ (300 requests per 5 minutes per IP;
`X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` as ISO 8601),
https://docs.joinmastodon.org/api/guidelines/#pagination (Link headers).

Everything is asked of the account's home instance (`user@instance` → https://instance),
or of GENUINE_MASTODON_BASE_URL when set. The instance comes from whoever names the
handle, so without a base URL every request, redirect and `Link: next` page must be
public https (genuine.sources.http.public_https); with one, it must stay on that server.
Handles are `user@instance` in lower case with the domain in its ASCII (IDNA) form;
local accounts' `acct` has no domain, so the instance's is added. Status ids are only
unique per instance: posts are keyed `instance/id`. A follower list is hidden when the
account sets `hide_collections`, or when the instance answers an empty list although
`followers_count` > 0.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from genuine.sources.base import Fetched, Progress, http_client
from genuine.sources.common import as_int, domain, enough, html_text, parse_time, short_id
from genuine.sources.http import (
    AccountGone,
    BudgetExceeded,
    RateLimited,
    SourceError,
    public_https,
    same_origin,
)

PAGE = 80  # accounts per page, the API's maximum
STATUS_PAGE = 40  # statuses per page, the API's maximum
MISSING_AVATAR = "/avatars/original/missing.png"
MISSING_HEADER = "/headers/original/missing.png"
_HREF = re.compile(r'href="(https?://[^"]+)"')
# A host name: dot-separated labels, the last one not all digits (no IP literals, no ports).
_DOMAIN = re.compile(r"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+(?![0-9]+$)[a-z0-9-]{2,63}")


def split_handle(handle: str) -> tuple[str, str]:
    """`@User@Instance.Social` → ("user", "instance.social"); raises SourceError otherwise."""
    text = handle.strip().lstrip("@")
    user, at, instance = text.partition("@")
    host = domain(instance)
    if not at or not user or not _DOMAIN.fullmatch(host) or len(host) > 253:
        raise SourceError(f"{handle!r} is not a Mastodon handle (user@instance)")
    return user.lower(), host


class MastodonSource:
    platform = "mastodon"

    def __init__(self, config: Mapping[str, Any], handle: str) -> None:
        self.user, self.domain = split_handle(handle)
        configured = config.get("MASTODON_BASE_URL")
        self.base = (configured or f"https://{self.domain}").rstrip("/")
        self.http = http_client(config)
        self.http.allow_url = same_origin(self.base) if configured else public_https
        self.names: dict[str, str] = {}  # account id (on this instance) → handle

    def _get(self, path: str, params: Any = None) -> tuple[Any, Any]:
        url = path if path.startswith(("http://", "https://")) else f"{self.base}{path}"
        response = self.http.get(url, params)
        if response.status_code in (404, 410):
            what = "was not found" if response.status_code == 404 else "is suspended or deleted"
            raise AccountGone(
                f"mastodon:{self.user}@{self.domain} {what} (HTTP {response.status_code})"
            )
        if response.status_code >= 400:
            raise SourceError(f"{self.domain} answered HTTP {response.status_code} for {path}")
        return self.http.json(response), response.links.get("next", {}).get("url")

    def handle_of(self, acct: str) -> str:
        user, _, instance = acct.strip().lstrip("@").partition("@")
        return f"{user.lower()}@{domain(instance) if instance else self.domain}"

    def account(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Account entity → account values (genuine.formats.genuine_folder)."""
        handle = self.handle_of(str(raw.get("acct") or raw.get("username") or ""))
        if raw.get("id") is not None:
            self.names[str(raw["id"])] = handle
        fields = raw.get("fields") or []
        links = [m for f in fields for m in _HREF.findall(str(f.get("value") or ""))]
        avatar = str(raw.get("avatar") or "")
        return {
            "platform": "mastodon",
            "handle": handle,
            "display_name": raw.get("display_name") or None,
            "bio": html_text(raw.get("note")),
            "followers_count": as_int(raw.get("followers_count")),
            "following_count": as_int(raw.get("following_count")),
            "posts_count": as_int(raw.get("statuses_count")),
            "created_at": parse_time(raw.get("created_at")),
            "has_avatar": bool(avatar) and not avatar.endswith(MISSING_AVATAR),
            # A website, like Twitter's `url`: the first link among the profile fields.
            "url": links[0] if links else None,
            # Mastodon has no verified badge; verified links are counted in extra.
            "verified": None,
            "is_private": raw.get("locked") if isinstance(raw.get("locked"), bool) else None,
            "is_bot": raw.get("bot") if isinstance(raw.get("bot"), bool) else None,
            "extra": {
                "has_banner": bool(raw.get("header"))
                and not str(raw.get("header")).endswith(MISSING_HEADER),
                "verified_links": sum(1 for f in fields if f.get("verified_at")),
                "group": bool(raw.get("group")),
            },
        }

    def _accounts(self, path: str, limit: int, stage: str, total: int | None, progress):
        found: list[dict[str, Any]] = []
        url: str | None = f"{self.base}{path}"
        params: Any = {"limit": PAGE}
        while url and len(found) < limit:
            page, url = self._get(url, params)
            params = None  # the next link carries its own query
            if not isinstance(page, list):
                raise SourceError(f"{self.domain}: {stage} is not a list")
            if not page:
                break
            found.extend(self.account(a) for a in page if isinstance(a, dict))
            if progress:
                progress(stage, min(len(found), limit), total)
        return found[:limit]

    def status(self, raw: Mapping[str, Any]) -> dict[str, Any] | None:
        """Status entity → post values; None for boosts and statuses without an author."""
        if raw.get("reblog") or not isinstance(raw.get("account"), dict):
            return None
        author = self.account(raw["account"])["handle"]
        for mention in raw.get("mentions") or []:
            if mention.get("id") is not None and mention.get("acct"):
                self.names.setdefault(str(mention["id"]), self.handle_of(mention["acct"]))
        parent = raw.get("in_reply_to_id")
        created = parse_time(raw.get("created_at"))
        if created is None or raw.get("id") is None:
            return None
        return {
            "platform": "mastodon",
            "post_id": short_id(f"{self.domain}/{raw['id']}"),
            "author": author,
            "created_at": created,
            "in_reply_to_post_id": short_id(f"{self.domain}/{parent}") if parent else None,
            "in_reply_to_author": None,
            "_parent_account": raw.get("in_reply_to_account_id"),
            "text": html_text(raw.get("content")),
            "extra": {},
        }

    def fetch(
        self,
        handle: str,
        *,
        followers: int,
        posts: int,
        questions: int = 0,
        progress: Progress | None = None,
    ) -> Fetched:
        raw, _ = self._get("/api/v1/accounts/lookup", {"acct": self.user})
        if not isinstance(raw, dict) or raw.get("id") is None:
            raise SourceError(f"{self.domain}: the account lookup answered no account")
        if raw.get("suspended"):
            raise AccountGone(f"mastodon:{self.user}@{self.domain} is suspended")
        account = self.account(raw)
        # The instance may name its own accounts by its local domain: keep the asked handle.
        account["handle"] = f"{self.user}@{self.domain}"
        self.names[str(raw["id"])] = account["handle"]
        out = Fetched("mastodon", account["handle"], f"mastodon:{self.base}", account, requests=0)
        me = str(raw["id"])
        stated = account["followers_count"] or 0
        if raw.get("hide_collections"):
            out.notes.append("followers_hidden: the account hides its follower list")
        elif followers > 0 and stated > 0:
            out.followers = self._accounts(
                f"/api/v1/accounts/{me}/followers",
                followers,
                "followers",
                min(stated, followers),
                progress,
            )
            if not out.followers and stated > 0:
                out.notes.append("followers_hidden: the instance answered no followers")
            following = min(followers, account["following_count"] or 0)
            if following and not raw.get("hide_collections"):
                out.following = self._accounts(
                    f"/api/v1/accounts/{me}/following", following, "following", following, progress
                )
        out.posts, note = self._posts(me, posts, questions, progress)
        out.notes.append(note)
        out.requests = self.http.total
        return out

    def _posts(
        self, me: str, limit: int, wanted: int, progress: Progress | None
    ) -> tuple[list[dict[str, Any]], str]:
        """The account's newest posts (up to ``limit``) and every reply in their threads, read
        page by page until ``wanted`` questions (replies by others to its posts) are found, the
        posts run out or the request budget is spent; with a note saying which stopped it."""
        statuses: list[dict[str, Any]] = []
        own = found = 0
        path: str | None = f"/api/v1/accounts/{me}/statuses"
        params: Any = {"limit": STATUS_PAGE, "exclude_reblogs": "true"}
        stop = "the account has no older posts"
        try:
            while path and limit > 0:
                if stopped := enough(own, limit, found, wanted):
                    stop = stopped
                    break
                page, path = self._get(path, params)
                params = None
                if not isinstance(page, list) or not page:
                    break
                for status in [s for s in page if isinstance(s, dict)]:
                    if enough(own, limit, found, wanted):
                        break
                    statuses.append(status)
                    own += 1
                    if (as_int(status.get("replies_count")) or 0) <= 0:
                        continue
                    context, _ = self._get(f"/api/v1/statuses/{status['id']}/context")
                    replies = context.get("descendants") if isinstance(context, dict) else None
                    replies = [r for r in replies or [] if isinstance(r, dict)]
                    statuses.extend(replies)
                    found += sum(_asks(r, me) for r in replies)
                    if progress:
                        progress("questions", found, wanted or None)
        except BudgetExceeded:
            stop = f"the request budget is spent (SOURCE_BUDGET {self.http.budget})"
        except RateLimited as e:
            stop = f"the platform's rate limit ({e})"
        note = f"questions_read: {found} found in the newest {own} posts; stopped: {stop}"
        out: dict[str, dict[str, Any]] = {}
        for raw in statuses:
            post = self.status(raw)
            if post is not None:
                out[post["post_id"]] = post
        for post in out.values():
            parent = post.pop("_parent_account")
            if parent is not None:
                post["in_reply_to_author"] = self.names.get(str(parent))
        return list(out.values()), note


def _asks(status: Mapping[str, Any], me: str) -> bool:
    """A reply by another account to one of ``me``'s posts: a question (reply_rate.py)."""
    author = str((status.get("account") or {}).get("id"))
    return str(status.get("in_reply_to_account_id")) == me and author != me
