"""Bluesky through the AT Protocol's public AppView (https://public.api.bsky.app), no sign-in.

Documentation: https://docs.bsky.app/docs/api/app-bsky-actor-get-profile (and
-get-profiles, up to 25 actors), https://docs.bsky.app/docs/api/app-bsky-graph-get-followers
(and -get-follows; cursor pagination, limit <= 100),
https://docs.bsky.app/docs/api/app-bsky-feed-get-author-feed,
https://docs.bsky.app/docs/api/app-bsky-feed-get-post-thread, lexicons in
https://github.com/bluesky-social/atproto/tree/main/lexicons, and
https://docs.bsky.app/docs/advanced-guides/rate-limits (3000 requests per 5 minutes per IP).

Errors come as HTTP 400 with `{"error": ..., "message": ...}`: `AccountTakedown` and
`AccountDeactivated` mean the account is gone, as does the message "Profile not found".
Follower lists carry `profileView`s without counts, so the follower profiles are
fetched again with getProfiles, 25 at a time, for the classifier.

Follow times: the AppView does not say when a follow was made. The follow record's
`createdAt` lives in the follower's own repository, on its PDS (com.atproto.repo.listRecords
for app.bsky.graph.follow), which takes resolving every follower's DID document and
reading its whole follow collection: out of reach for a 2,000-follower sample, so
`followed_at` stays unknown and lockstep evidence comes from imported data only.

GENUINE_BLUESKY_BASE_URL replaces the AppView address. Post ids are `did/rkey` of the
post's at:// URI (hashed when longer than the column).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from genuine.sources.base import Fetched, Progress, http_client
from genuine.sources.common import as_int, domain, enough, parse_time, short_id
from genuine.sources.http import AccountGone, BudgetExceeded, RateLimited, SourceError

APPVIEW = "https://public.api.bsky.app"
PAGE = 100  # getFollowers / getFollows / getAuthorFeed maximum
PROFILES = 25  # getProfiles maximum
GONE_ERRORS = {"AccountTakedown", "AccountDeactivated", "NotFound"}
FOLLOWING_MAX = 500  # followees profiled per audit (ring evidence)


def post_id(uri: str) -> str:
    """`at://did:plc:abc/app.bsky.feed.post/3k2a` → `did:plc:abc/3k2a`."""
    rest = uri.removeprefix("at://")
    did, _, tail = rest.partition("/")
    return short_id(f"{did}/{tail.rsplit('/', 1)[-1]}")


class BlueskySource:
    platform = "bluesky"

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.base = (config.get("BLUESKY_BASE_URL") or APPVIEW).rstrip("/")
        self.http = http_client(config)

    def xrpc(self, method: str, **params: Any) -> dict[str, Any]:
        response = self.http.get(f"{self.base}/xrpc/{method}", params)
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = {}
            body = body if isinstance(body, dict) else {}
            error, message = str(body.get("error") or ""), str(body.get("message") or "")
            if error in GONE_ERRORS or "not found" in message.lower():
                raise AccountGone(f"bluesky: {message or error} ({error or response.status_code})")
            raise SourceError(
                f"bluesky {method} answered HTTP {response.status_code}: {message or error}"
            )
        body = self.http.json(response)
        if not isinstance(body, dict):
            raise SourceError(f"bluesky {method} answered something other than an object")
        return body

    @staticmethod
    def handle_of(view: Mapping[str, Any]) -> str:
        handle = str(view.get("handle") or "")
        if not handle or handle == "handle.invalid":
            return str(view.get("did") or "").lower()
        return domain(handle.lstrip("@"))

    def account(self, view: Mapping[str, Any]) -> dict[str, Any]:
        """profileView(Detailed) → account values (genuine.formats.genuine_folder)."""
        verification = view.get("verification") or {}
        labels = {
            str(label.get("val")) for label in view.get("labels") or [] if isinstance(label, dict)
        }
        return {
            "platform": "bluesky",
            "handle": self.handle_of(view),
            "display_name": view.get("displayName") or None,
            "bio": view.get("description") or None,
            "followers_count": as_int(view.get("followersCount")),
            "following_count": as_int(view.get("followsCount")),
            "posts_count": as_int(view.get("postsCount")),
            "created_at": parse_time(view.get("createdAt")),
            "has_avatar": bool(view.get("avatar")),
            "url": None,  # Bluesky profiles have no website field
            "verified": verification.get("verifiedStatus") == "valid" if verification else None,
            "is_private": False,  # every Bluesky account is public
            "is_bot": True if "bot" in labels else None,
            "extra": {"did": view.get("did"), "has_banner": bool(view.get("banner"))},
        }

    def _graph(self, method: str, key: str, actor: str, limit: int, progress, total) -> list[dict]:
        views: list[dict[str, Any]] = []
        cursor = None
        while len(views) < limit:
            body = self.xrpc(method, actor=actor, limit=PAGE, cursor=cursor)
            page = [v for v in body.get(key) or [] if isinstance(v, dict) and v.get("did")]
            views.extend(page)
            if progress:
                progress(key, min(len(views), limit), total)
            cursor = body.get("cursor")
            if not page or not cursor:
                break
        return views[:limit]

    def _profiles(self, views: list[dict[str, Any]], progress, stage: str) -> list[dict[str, Any]]:
        """Full profiles (with counts) of `views`; a profile gone meanwhile keeps its basic view."""
        detailed: dict[str, dict[str, Any]] = {}
        dids = [v["did"] for v in views]
        for start in range(0, len(dids), PROFILES):
            body = self.xrpc("app.bsky.actor.getProfiles", actors=dids[start : start + PROFILES])
            for profile in body.get("profiles") or []:
                if isinstance(profile, dict) and profile.get("did"):
                    detailed[profile["did"]] = profile
            if progress:
                progress(stage, min(start + PROFILES, len(dids)), len(dids))
        return [self.account(detailed.get(v["did"], v)) for v in views]

    def fetch(
        self,
        handle: str,
        *,
        followers: int,
        posts: int,
        questions: int = 0,
        progress: Progress | None = None,
    ) -> Fetched:
        actor = domain(handle.strip().lstrip("@"))
        profile = self.xrpc("app.bsky.actor.getProfile", actor=actor)
        if not profile.get("did"):
            raise SourceError("bluesky getProfile answered no DID")
        account = self.account(profile)
        out = Fetched("bluesky", account["handle"], f"bluesky:{self.base}", account)
        did = profile["did"]
        stated = account["followers_count"] or 0
        if followers > 0 and stated:
            views = self._graph(
                "app.bsky.graph.getFollowers",
                "followers",
                did,
                followers,
                progress,
                min(stated, followers),
            )
            out.followers = self._profiles(views, progress, "follower profiles")
        following = min(followers, FOLLOWING_MAX, account["following_count"] or 0)
        if following > 0:
            views = self._graph(
                "app.bsky.graph.getFollows", "follows", did, following, progress, following
            )
            out.following = self._profiles(views, progress, "followed profiles")
        out.posts, note = self._posts(did, posts, questions, progress)
        out.notes.append(note)
        out.requests = self.http.total
        return out

    def post(self, view: Mapping[str, Any], parent_author: str | None) -> dict[str, Any] | None:
        """postView → post values; None when it lacks what a post needs."""
        record = view.get("record") or {}
        author = view.get("author") or {}
        created = parse_time(record.get("createdAt")) or parse_time(view.get("indexedAt"))
        if not view.get("uri") or not author or created is None:
            return None
        parent = ((record.get("reply") or {}).get("parent") or {}).get("uri")
        return {
            "platform": "bluesky",
            "post_id": post_id(view["uri"]),
            "author": self.handle_of(author),
            "created_at": created,
            "in_reply_to_post_id": post_id(parent) if parent else None,
            "in_reply_to_author": parent_author if parent else None,
            "text": record.get("text") or None,
            "extra": {},
        }

    def _posts(
        self, did: str, limit: int, wanted: int, progress: Progress | None
    ) -> tuple[list[dict[str, Any]], str]:
        """The account's newest posts (up to ``limit``) and every reply in their threads, read
        page by page until ``wanted`` questions (replies by others to its posts) are found, the
        feed runs out or the request budget is spent; with a note saying which stopped it."""
        out: dict[str, dict[str, Any]] = {}
        own = found = 0
        cursor = None
        stop = "the account has no older posts"
        try:
            while limit > 0:
                if stopped := enough(own, limit, found, wanted):
                    stop = stopped
                    break
                body = self.xrpc(
                    "app.bsky.feed.getAuthorFeed",
                    actor=did,
                    limit=min(PAGE, limit),
                    cursor=cursor,
                    filter="posts_with_replies",
                )
                feed = [i for i in body.get("feed") or [] if isinstance(i, dict)]
                for item in feed:
                    view = item.get("post") or {}
                    if item.get("reason") or (view.get("author") or {}).get("did") != did:
                        continue  # reposts of others' posts
                    parent = ((item.get("reply") or {}).get("parent") or {}).get("author")
                    post = self.post(view, self.handle_of(parent) if parent else None)
                    if enough(own, limit, found, wanted):
                        break
                    if not post:
                        continue
                    own += 1
                    out[post["post_id"]] = post
                    if (as_int(view.get("replyCount")) or 0) > 0:
                        found += self._thread(view["uri"], out)
                        if progress:
                            progress("questions", found, wanted or None)
                cursor = body.get("cursor")
                if not feed or not cursor:
                    break
        except BudgetExceeded:
            stop = f"the request budget is spent (SOURCE_BUDGET {self.http.budget})"
        except RateLimited as e:
            stop = f"the platform's rate limit ({e})"
        note = f"questions_read: {found} found in the newest {own} posts; stopped: {stop}"
        return list(out.values()), note

    def _thread(self, uri: str, out: dict[str, dict[str, Any]]) -> int:
        """Adds every reply below ``uri`` to ``out``; the number of new questions among them."""
        try:
            body = self.xrpc("app.bsky.feed.getPostThread", uri=uri, depth=6, parentHeight=0)
        except AccountGone:
            return 0  # the post was deleted since the feed was read
        return self._walk(body.get("thread") or {}, out)

    def _walk(self, node: Mapping[str, Any], out: dict[str, dict[str, Any]]) -> int:
        """Every reply below a threadViewPost, each knowing its parent's author; returns how
        many were new replies by others to the subject's posts (questions)."""
        subject = self.handle_of(((node.get("post") or {}).get("author")) or {})
        stack, found = [node], 0
        while stack:
            node = stack.pop()
            view = node.get("post")
            if not isinstance(view, dict):
                continue  # notFoundPost / blockedPost
            author = self.handle_of(view.get("author") or {})
            for child in node.get("replies") or []:
                if not isinstance(child, dict) or not isinstance(child.get("post"), dict):
                    continue
                post = self.post(child["post"], author)
                if post and post["post_id"] not in out:
                    out[post["post_id"]] = post
                    found += author == subject and post["author"] != subject
                stack.append(child)
        return found
