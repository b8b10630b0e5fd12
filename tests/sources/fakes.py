"""Fake Mastodon and Bluesky servers answering exactly the documented shapes.

Each fake is a werkzeug handler: tests mount it on pytest-httpserver, the benchmark
serves it with werkzeug. Data is generated deterministically: an account with
`followers` followers (one in five looks bought: no avatar, no posts, digits in the
handle, a fresh account), some posts, replies from followers, answers from the account.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from werkzeug import Request, Response

BASE_TIME = datetime(2026, 11, 1, tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _json(body, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(body), status=status, headers=headers, mimetype="application/json")


def _fake(i: int) -> bool:
    return i % 5 == 0


def answered(k: int, share: float | None) -> bool:
    """Whether the account answers the question on its post ``k``: every other question by
    default, else a share of them spread evenly (golden-ratio sequence: any run of posts has
    nearly that share)."""
    if share is None:
        return k % 4 == 0
    return (k * 0.6180339887498949) % 1.0 < share


class FakeMastodon:
    """One instance, `domain`, holding `user` and its followers (some remote)."""

    def __init__(
        self,
        domain: str = "social.test",
        user: str = "alice",
        followers: int = 200,
        posts: int = 12,
        answer_share: float | None = None,
    ) -> None:
        self.domain, self.user = domain, user
        self.answer_share = answer_share
        self.hide_collections = False
        self.empty_followers = False
        self.calls: list[str] = []
        self.main = self._account(1, user, followers_count=followers, following=3)
        self.followers = [self._follower(i) for i in range(followers)]
        self.following = self.followers[1:4]
        self.statuses, self.contexts = self._statuses(posts)

    def _account(self, n: int, username: str, *, followers_count: int, following: int, remote=None):
        fake = n > 1 and _fake(n)
        return {
            "id": str(n),
            "username": username,
            "acct": f"{username}@{remote}" if remote else username,
            "display_name": "" if fake else f"Person {n} ✨",
            "locked": False,
            "bot": False,
            "group": False,
            "created_at": _iso(BASE_TIME - timedelta(days=3 if fake else 400 + n)),
            "note": "" if fake else f"<p>I write about things &amp; more #{n}</p>",
            "url": f"https://{remote or self.domain}/@{username}",
            "avatar": f"https://{self.domain}/avatars/original/missing.png"
            if fake
            else f"https://{self.domain}/system/accounts/avatars/{n}.png",
            "header": f"https://{self.domain}/headers/original/missing.png",
            "followers_count": followers_count,
            "following_count": 900 if fake else following,
            "statuses_count": 0 if fake else 50 + n,
            "last_status_at": "2026-10-30",
            "emojis": [],
            "fields": [
                {
                    "name": "web",
                    "value": f'<a href="https://example.org/{n}" rel="me">example.org</a>',
                    "verified_at": None,
                }
            ],
        }

    def _follower(self, i: int):
        n = i + 2
        name = f"user{n}x{n * 7919 % 10000}" if _fake(n) else f"person_{n}"
        remote = "other.example" if n % 3 == 0 else None
        return self._account(
            n, name, followers_count=2 if _fake(n) else 100 + n, following=50, remote=remote
        )

    def _statuses(self, count: int):
        statuses, contexts = [], {}
        for k in range(count):
            sid = str(1000 + k)
            created = BASE_TIME - timedelta(days=2 * (count - k))
            replies = []
            if k % 2 == 0 or self.answer_share is not None:
                asker = self.followers[k % len(self.followers)] if self.followers else self.main
                qid = str(5000 + k)
                replies.append(self._status(qid, asker, created + timedelta(minutes=5), sid, "1"))
                if answered(k, self.answer_share):
                    replies.append(
                        self._status(
                            str(8000 + k),
                            self.main,
                            created + timedelta(minutes=30),
                            qid,
                            asker["id"],
                            mention=asker,
                        )
                    )
            statuses.append(self._status(sid, self.main, created, None, None, replies=len(replies)))
            contexts[sid] = replies
        statuses.reverse()  # newest first, as the API answers
        return statuses, contexts

    def _status(self, sid, account, created, parent, parent_account, *, replies=0, mention=None):
        return {
            "id": sid,
            "created_at": _iso(created),
            "in_reply_to_id": parent,
            "in_reply_to_account_id": parent_account,
            "visibility": "public",
            "content": f"<p>Status {sid}: is this right? &lt;yes&gt;</p>",
            "account": account,
            "reblog": None,
            "replies_count": replies,
            "mentions": [
                {
                    "id": mention["id"],
                    "username": mention["username"],
                    "acct": mention["acct"],
                    "url": mention["url"],
                }
            ]
            if mention
            else [],
        }

    def rate_headers(self) -> dict:
        return {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "299",
            "X-RateLimit-Reset": _iso(datetime.now(UTC) + timedelta(minutes=5)),
        }

    def _page(self, request: Request, items: list, size: int, path: str) -> Response:
        limit = min(int(request.args.get("limit", size)), size)
        start = int(request.args.get("max_id", 0))
        page = items[start : start + limit]
        headers = self.rate_headers()
        if start + limit < len(items):
            query = urlencode({"limit": limit, "max_id": start + limit})
            headers["Link"] = f'<{request.host_url.rstrip("/")}{path}?{query}>; rel="next"'
        return _json(page, headers=headers)

    def __call__(self, request: Request) -> Response:
        path = request.path
        self.calls.append(path)
        if path == "/api/v1/accounts/lookup":
            if request.args.get("acct", "").lower() != self.user:
                return _json({"error": "Record not found"}, 404)
            return _json(
                {**self.main, "hide_collections": self.hide_collections},
                headers=self.rate_headers(),
            )
        match = re.fullmatch(r"/api/v1/accounts/(\d+)/(followers|following|statuses)", path)
        if match and match.group(1) == "1":
            kind = match.group(2)
            if kind == "statuses":
                return self._page(request, self.statuses, 40, path)
            items = self.followers if kind == "followers" else self.following
            if self.hide_collections or (self.empty_followers and kind == "followers"):
                items = []
            return self._page(request, items, 80, path)
        match = re.fullmatch(r"/api/v1/statuses/(\d+)/context", path)
        if match and match.group(1) in self.contexts:
            return _json({"ancestors": [], "descendants": self.contexts[match.group(1)]})
        return _json({"error": "Record not found"}, 404)


class FakeBluesky:
    """The public AppView for one account, `handle`, and its followers."""

    def __init__(
        self,
        handle: str = "alice.bsky.test",
        followers: int = 200,
        posts: int = 12,
        did: str = "did:plc:alice000000000000000000",
        answer_share: float | None = None,
    ) -> None:
        self.handle = handle
        self.answer_share = answer_share
        self.did = did
        self.calls: list[str] = []
        self.main = self._profile(0, handle, self.did, followers)
        self.followers = [self._profile(i + 1, None, None, 0) for i in range(followers)]
        self.by_did = {p["did"]: p for p in [self.main, *self.followers]}
        self.follows = self.followers[:3]
        self.feed, self.threads = self._posts(posts)

    def _profile(self, n: int, handle, did, followers):
        fake = n > 0 and _fake(n)
        handle = handle or (
            f"u{n}x{n * 7919 % 10000}.bsky.social" if fake else f"person{n}.bsky.social"
        )
        return {
            "did": did or f"did:plc:{n:024d}",
            "handle": handle,
            "displayName": "" if fake else f"Person {n} ✨",
            "description": "" if fake else f"Writing about things #{n}",
            "avatar": None if fake else f"https://cdn.bsky.app/img/avatar/{n}.jpg",
            "followersCount": followers or (2 if fake else 100 + n),
            "followsCount": 900 if fake else 50,
            "postsCount": 0 if fake else 50 + n,
            "createdAt": _iso(BASE_TIME - timedelta(days=3 if fake else 400 + n)),
            "indexedAt": _iso(BASE_TIME),
            "labels": [],
        }

    @staticmethod
    def basic(profile: dict) -> dict:
        keys = (
            "did",
            "handle",
            "displayName",
            "description",
            "avatar",
            "createdAt",
            "indexedAt",
            "labels",
        )
        return {k: profile[k] for k in keys if k in profile}

    def _post(self, author: dict, rkey: str, created: datetime, parent: dict | None, replies=0):
        record = {
            "$type": "app.bsky.feed.post",
            "text": f"Post {rkey}: right?",
            "createdAt": _iso(created),
        }
        if parent:
            record["reply"] = {
                "root": {"uri": parent["uri"], "cid": "c"},
                "parent": {"uri": parent["uri"], "cid": "c"},
            }
        return {
            "uri": f"at://{author['did']}/app.bsky.feed.post/{rkey}",
            "cid": "bafy" + rkey,
            "author": self.basic(author),
            "record": record,
            "replyCount": replies,
            "indexedAt": _iso(created),
        }

    def _posts(self, count: int):
        feed, threads = [], {}
        for k in range(count):
            created = BASE_TIME - timedelta(days=2 * (count - k))
            asked = k % 2 == 0 or self.answer_share is not None
            post = self._post(self.main, f"3k{k:011d}", created, None, replies=int(asked))
            thread = {"$type": "app.bsky.feed.defs#threadViewPost", "post": post, "replies": []}
            if asked and self.followers:
                asker = self.followers[k % len(self.followers)]
                question = self._post(asker, f"3q{k:011d}", created + timedelta(minutes=5), post)
                node = {
                    "$type": "app.bsky.feed.defs#threadViewPost",
                    "post": question,
                    "replies": [],
                }
                if answered(k, self.answer_share):
                    answer = self._post(
                        self.main, f"3a{k:011d}", created + timedelta(minutes=30), question
                    )
                    node["replies"].append(
                        {
                            "$type": "app.bsky.feed.defs#threadViewPost",
                            "post": answer,
                            "replies": [],
                        }
                    )
                    feed.append({"post": answer, "reply": {"root": post, "parent": question}})
                thread["replies"].append(node)
                thread["replies"].append(
                    {
                        "$type": "app.bsky.feed.defs#notFoundPost",
                        "uri": "at://x/y/z",
                        "notFound": True,
                    }
                )
            threads[post["uri"]] = thread
            feed.append({"post": post})
        feed.reverse()
        return feed, threads

    def _page(self, request: Request, items: list, key: str, extra: dict) -> Response:
        limit = min(int(request.args.get("limit", 50)), 100)
        start = int(request.args.get("cursor") or 0)
        body = {**extra, key: items[start : start + limit]}
        if start + limit < len(items):
            body["cursor"] = str(start + limit)
        return _json(body, headers={"RateLimit-Limit": "3000", "RateLimit-Remaining": "2999"})

    def __call__(self, request: Request) -> Response:
        method = request.path.removeprefix("/xrpc/")
        self.calls.append(method)
        actor = request.args.get("actor")
        if actor is not None and actor not in (self.handle, self.did):
            return _json({"error": "InvalidRequest", "message": "Profile not found"}, 400)
        if method == "app.bsky.actor.getProfile":
            return _json(self.main)
        if method == "app.bsky.actor.getProfiles":
            actors = request.args.getlist("actors")
            if len(actors) > 25:
                return _json({"error": "InvalidRequest", "message": "actors must be <= 25"}, 400)
            return _json({"profiles": [self.by_did[a] for a in actors if a in self.by_did]})
        subject = {"subject": self.basic(self.main)}
        if method == "app.bsky.graph.getFollowers":
            return self._page(
                request, [self.basic(p) for p in self.followers], "followers", subject
            )
        if method == "app.bsky.graph.getFollows":
            return self._page(request, [self.basic(p) for p in self.follows], "follows", subject)
        if method == "app.bsky.feed.getAuthorFeed":
            return self._page(request, self.feed, "feed", {})
        if method == "app.bsky.feed.getPostThread":
            thread = self.threads.get(request.args.get("uri"))
            if thread is None:
                return _json({"error": "NotFound", "message": "Post not found"}, 400)
            return _json({"thread": thread})
        return _json({"error": "MethodNotImplemented", "message": method}, 501)


class FakeX:
    """X API v2 (app-only bearer auth) for one user, `username`, and its followers.

    Answers users/by/username, users/:id/followers and users/:id/tweets as documented at
    docs.x.com/x-api: objects carry `id`, `name`, `username` plus only the asked
    `user.fields` / `tweet.fields`; pages have `meta.result_count` and `meta.next_token`;
    a missing or suspended user is HTTP 200 with an `errors` list and no `data`; a bad
    token is 401; every answer has `x-rate-limit-*` headers (reset in epoch seconds).
    """

    def __init__(
        self,
        username: str = "AliceX",
        followers: int = 2500,
        tweets: int = 12,
        user_id: str = "2244994945",
        token: str = "test-token",
    ) -> None:
        self.username, self.user_id, self.token = username, user_id, token
        self.suspended: set[str] = set()  # lower-case usernames answered as suspended
        self.calls: list[str] = []
        self.main = self._user(0, username, user_id, followers)
        self.followers = [self._user(i + 1, None, None, 0) for i in range(followers)]
        self.tweets = self._tweets(tweets)

    def _user(self, n: int, username, user_id, followers: int) -> dict:
        fake = n > 0 and _fake(n)
        image = "default_profile_images/default_profile" if fake else f"profile_images/{n}/a"
        return {
            "id": user_id or str(10**15 + n),
            "name": "" if fake else f"Person {n} ✨",
            "username": username or (f"u{n}x{n * 7919 % 10000}" if fake else f"Person_{n}"),
            "created_at": _iso(BASE_TIME - timedelta(days=3 if fake else 400 + n)),
            "description": "" if fake else f"Writing about things #{n}",
            "profile_image_url": f"https://pbs.twimg.com/{image}_normal.png",
            "protected": False,
            "verified": n == 0,
            "url": "" if fake else f"https://t.co/link{n}",
            "public_metrics": {
                "followers_count": followers or (2 if fake else 100 + n),
                "following_count": 900 if fake else 50,
                "tweet_count": 0 if fake else 50 + n,
                "listed_count": 0 if fake else n % 7,
                "like_count": 3,
            },
        }

    def _tweets(self, count: int) -> list[dict]:
        tweets = []
        for k in range(count):
            tweet = {
                "id": str(1_800_000_000_000_000_000 + k),
                "text": f"Tweet {k}: right?",
                "edit_history_tweet_ids": [str(1_800_000_000_000_000_000 + k)],
                "created_at": _iso(BASE_TIME - timedelta(days=2 * (count - k))),
            }
            if k % 3 == 2 and self.followers:  # the account answering one of its followers
                tweet["in_reply_to_user_id"] = self.followers[k]["id"]
                tweet["referenced_tweets"] = [
                    {"type": "replied_to", "id": str(1_700_000_000_000_000_000 + k)}
                ]
            tweets.append(tweet)
        tweets.reverse()  # newest first, as the API answers
        return tweets

    @staticmethod
    def _only(item: dict, fields: str | None, always: tuple[str, ...]) -> dict:
        asked = set(always) | set((fields or "").split(","))
        return {k: v for k, v in item.items() if k in asked}

    @staticmethod
    def rate_headers() -> dict:
        reset = int(datetime.now(UTC).timestamp()) + 900
        return {
            "x-rate-limit-limit": "15",
            "x-rate-limit-remaining": "14",
            "x-rate-limit-reset": str(reset),
        }

    @staticmethod
    def _error(status: int, title: str, detail: str) -> Response:
        return _json(
            {"title": title, "detail": detail, "type": "about:blank", "status": status}, status
        )

    def _page(self, request: Request, items: list, low: int, high: int, extra) -> Response:
        default = 100 if high == 1000 else 10  # followers, tweets
        try:
            size = int(request.args.get("max_results", default))
        except ValueError:
            size = -1
        if not low <= size <= high:
            return self._error(
                400,
                "Invalid Request",
                f"The `max_results` query parameter value [{size}] is not between {low} and {high}",
            )
        start = int(request.args.get("pagination_token") or 0)
        data = [extra(item) for item in items[start : start + size]]
        meta: dict = {"result_count": len(data)}
        if start + size < len(items):
            meta["next_token"] = str(start + size)
        if start:
            meta["previous_token"] = str(max(0, start - size))
        return _json(
            {"data": data, "meta": meta} if data else {"meta": meta}, headers=self.rate_headers()
        )

    def __call__(self, request: Request) -> Response:
        path = request.path
        self.calls.append(path)
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return self._error(401, "Unauthorized", "Unauthorized")
        user_fields = request.args.get("user.fields")
        match = re.fullmatch(r"/2/users/by/username/([^/]+)", path)
        if match:
            name = match.group(1)
            if name.lower() == self.username.lower():
                return _json(
                    {"data": self._only(self.main, user_fields, ("id", "name", "username"))},
                    headers=self.rate_headers(),
                )
            detail = (
                f"User has been suspended: [{name}]."
                if name.lower() in self.suspended
                else f"Could not find user with username: [{name}]."
            )
            title = "Forbidden" if name.lower() in self.suspended else "Not Found Error"
            return _json(
                {
                    "errors": [
                        {
                            "value": name,
                            "detail": detail,
                            "title": title,
                            "resource_type": "user",
                            "parameter": "username",
                            "resource_id": name,
                            "type": "https://api.twitter.com/2/problems/resource-not-found",
                        }
                    ]
                },
                headers=self.rate_headers(),
            )
        match = re.fullmatch(r"/2/users/(\d+)/(followers|tweets)", path)
        if match and match.group(1) == self.user_id:
            if match.group(2) == "followers":
                return self._page(
                    request,
                    self.followers,
                    1,
                    1000,
                    lambda u: self._only(u, user_fields, ("id", "name", "username")),
                )
            tweet_fields = request.args.get("tweet.fields")
            return self._page(
                request,
                self.tweets,
                5,
                100,
                lambda t: self._only(t, tweet_fields, ("id", "text", "edit_history_tweet_ids")),
            )
        return self._error(404, "Not Found Error", f"No route for {path}")
