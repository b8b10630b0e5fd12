"""X (Twitter) through API v2, only when GENUINE_X_BEARER_TOKEN is set (app-only auth).

Documentation: https://docs.x.com/x-api/users/user-lookup-by-username,
https://docs.x.com/x-api/users/followers, https://docs.x.com/x-api/posts/user-posts-timeline
(`x-rate-limit-reset` is epoch seconds). Not found and suspended users come back as
HTTP 200 with an `errors` list and no `data`.

Replies others left under the account's posts need the search endpoints (not on
every access tier), so an X audit fetches the account's own posts but no replies to
them: its reply-rate badge stays `unknown` unless imported data says more.
GENUINE_X_BASE_URL replaces https://api.x.com (tests).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from genuine.sources.base import Fetched, Progress, http_client
from genuine.sources.common import as_int, parse_time
from genuine.sources.http import AccountGone, SourceError

API = "https://api.x.com"
USER_FIELDS = "created_at,description,profile_image_url,protected,public_metrics,url,verified"
DEFAULT_AVATAR = "default_profile_images"
# The API's pattern for users/by/username: the name goes into the URL path, so nothing else may.
USERNAME = re.compile(r"[A-Za-z0-9_]{1,15}")


class XSource:
    platform = "x"

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.base = (config.get("X_BASE_URL") or API).rstrip("/")
        self.http = http_client(config, Authorization=f"Bearer {config['X_BEARER_TOKEN']}")

    def _get(self, path: str, **params: Any) -> dict[str, Any]:
        response = self.http.get(f"{self.base}{path}", params)
        if response.status_code == 404:
            raise AccountGone(f"x: {path} was not found")
        if response.status_code >= 400:
            raise SourceError(f"x answered HTTP {response.status_code} for {path}")
        body = self.http.json(response)
        if not isinstance(body, dict):
            raise SourceError("x answered something other than an object")
        return body

    @staticmethod
    def account(user: Mapping[str, Any]) -> dict[str, Any]:
        metrics = user.get("public_metrics") or {}
        avatar = str(user.get("profile_image_url") or "")
        return {
            "platform": "x",
            "handle": str(user.get("username") or "").lower(),
            "display_name": user.get("name") or None,
            "bio": user.get("description") or None,
            "followers_count": as_int(metrics.get("followers_count")),
            "following_count": as_int(metrics.get("following_count")),
            "posts_count": as_int(metrics.get("tweet_count")),
            "created_at": parse_time(user.get("created_at")),
            "has_avatar": bool(avatar) and DEFAULT_AVATAR not in avatar,
            "url": user.get("url") or None,
            "verified": user.get("verified") if isinstance(user.get("verified"), bool) else None,
            "is_private": user.get("protected")
            if isinstance(user.get("protected"), bool)
            else None,
            "is_bot": None,
            "extra": {"listed_count": as_int(metrics.get("listed_count"))},
        }

    def fetch(
        self,
        handle: str,
        *,
        followers: int,
        posts: int,
        questions: int = 0,  # X replies need the search API: no questions are read
        progress: Progress | None = None,
    ) -> Fetched:
        name = handle.strip().lstrip("@").lower()
        if not USERNAME.fullmatch(name):
            raise SourceError(f"{handle[:40]!r} is not an X username (1-15 of A-Z, 0-9, _)")
        body = self._get(f"/2/users/by/username/{name}", **{"user.fields": USER_FIELDS})
        user = body.get("data")
        if not isinstance(user, dict):
            errors = body.get("errors") or [{}]
            raise AccountGone(f"x:{name}: {errors[0].get('detail') or 'not found'}")
        account = self.account(user)
        out = Fetched("x", account["handle"], f"x:{self.base}", account)
        token = None
        while len(out.followers) < followers and account["followers_count"]:
            params = {"max_results": 1000, "user.fields": USER_FIELDS}
            if token:
                params["pagination_token"] = token
            page = self._get(f"/2/users/{user['id']}/followers", **params)
            out.followers.extend(
                self.account(u) for u in page.get("data") or [] if isinstance(u, dict)
            )
            if progress:
                progress("followers", min(len(out.followers), followers), followers)
            token = (page.get("meta") or {}).get("next_token")
            if not token or not page.get("data"):
                break
        out.followers = out.followers[:followers]
        if posts > 0:
            page = self._get(
                f"/2/users/{user['id']}/tweets",
                max_results=max(5, min(100, posts)),
                exclude="retweets",
                **{"tweet.fields": "created_at,in_reply_to_user_id,referenced_tweets"},
            )
            for tweet in (page.get("data") or [])[:posts]:  # max_results is at least 5
                created = parse_time(tweet.get("created_at"))
                if not created or not tweet.get("id"):
                    continue
                parent = next(
                    (
                        r.get("id")
                        for r in tweet.get("referenced_tweets") or []
                        if r.get("type") == "replied_to"
                    ),
                    None,
                )
                out.posts.append(
                    {
                        "platform": "x",
                        "post_id": str(tweet["id"]),
                        "author": out.handle,
                        "created_at": created,
                        "in_reply_to_post_id": str(parent) if parent else None,
                        "in_reply_to_author": None,
                        "text": tweet.get("text") or None,
                        "extra": {},
                    }
                )
        out.notes.append("no_replies: X replies need the search API, not fetched")
        out.requests = self.http.total
        return out
