"""The HTTP client every source shares: one `requests.Session` per source.

What it adds to `requests`:

- a User-Agent that names the project and where to reach whoever runs it
  (`Genuine/<version> (+PUBLIC_URL)`), so instance admins know who is asking;
- connect and read timeouts on every request;
- retries with exponential backoff and full jitter on 429 and 5xx answers and on
  connection errors, waiting at least what the server asked for (`Retry-After`, or
  `X-RateLimit-Reset` when `X-RateLimit-Remaining` is 0; X spells them
  `x-rate-limit-reset` / `x-rate-limit-remaining`, read as well);
- pacing: when a server says its window is used up (`X-RateLimit-Remaining: 0`),
  the next request to that host waits for the reset instead of earning a 429;
- a per-host budget: an audit may not make more than `budget` requests to one host,
  so a huge follower list or a loop in pagination cannot run away;
- a size and time bound on every response body (`max_bytes`, read timeout x 6), so a
  hostile server can neither fill the worker's memory nor drip bytes forever;
- an optional `allow_url` check, run before every request and every redirect hop: a
  source whose host comes from a handle (Mastodon's `user@instance`) uses
  `public_https`, so a handle, a redirect or a `Link: next` header cannot make the
  server fetch 127.0.0.1, 10.x, 169.254.169.254 or any other non-public address.

Waits longer than `max_wait` are not slept through (a worker would sit idle for
minutes): they raise `RateLimited`, and the audit fails with that reason and is
retried later by the schedule.
"""

from __future__ import annotations

import ipaddress
import json
import random
import socket
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from genuine.version import __version__


class SourceError(Exception):
    """A platform could not give us what we asked for; the message says why, in words."""


class AccountGone(SourceError):
    """The account does not exist, was deleted, or was suspended by its platform."""


class RateLimited(SourceError):
    """The platform asks us to wait longer than an audit is willing to."""


class BudgetExceeded(SourceError):
    """An audit reached its request budget for one host."""


class UnsafeAddress(SourceError):
    """A URL this server must not fetch (not public https, or off the configured server)."""


MAX_REDIRECTS = 5
# Rate-limit headers: Mastodon writes `X-RateLimit-*`, X writes `x-rate-limit-*`.
REMAINING = ("X-RateLimit-Remaining", "X-Rate-Limit-Remaining")
RESET = ("X-RateLimit-Reset", "X-Rate-Limit-Reset")


def _header(response: requests.Response, names: tuple[str, ...]) -> str | None:
    return next((response.headers[n] for n in names if n in response.headers), None)


NAT64_WELL_KNOWN = ipaddress.ip_network(
    "64:ff9b::/96"
)  # RFC 6052: the IPv4 address is the last 32 bits
NAT64_LOCAL_USE = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: never globally reachable
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # RFC 4291, deprecated


def is_public_address(text: str) -> bool:
    """True when `text` is a globally reachable address, including every IPv4 address that
    an IPv6 form carries (IPv4-mapped, IPv4-compatible, NAT64, 6to4): `::ffff:127.0.0.1`,
    `::127.0.0.1`, `64:ff9b::7f00:1` and `2002:7f00:1::` all reach loopback."""
    address = ipaddress.ip_address(text.split("%", 1)[0])
    if not address.is_global:
        return False
    if isinstance(address, ipaddress.IPv4Address):
        return True
    if address in NAT64_LOCAL_USE:
        return False
    embedded = address.ipv4_mapped or address.sixtofour
    if embedded is None and (address in NAT64_WELL_KNOWN or address in IPV4_COMPATIBLE):
        embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return embedded is None or embedded.is_global


def public_https(url: str, resolve: Callable[..., Any] | None = None) -> None:
    """Raise UnsafeAddress unless `url` is https on port 443 to a host whose every address
    is public. (A name can still be re-pointed between this check and the connection; an
    egress firewall is what closes that gap.)"""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    host = parts.hostname
    if parts.scheme != "https" or not host or port not in (None, 443) or parts.username:
        raise UnsafeAddress(f"refusing {url[:120]!r}: only https:// on the default port")
    try:
        found = (resolve or socket.getaddrinfo)(host, 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise SourceError(f"{host} could not be resolved") from None
    addresses = {info[4][0] for info in found}
    if not addresses or not all(is_public_address(a) for a in addresses):
        raise UnsafeAddress(f"refusing {host}: it does not resolve to public addresses only")


def same_origin(base: str) -> Callable[[str], None]:
    """An `allow_url` check that keeps every request on the origin of `base`."""

    def origin(url: str) -> tuple[str, str]:
        parts = urlsplit(url)
        return parts.scheme.lower(), parts.netloc.lower()

    allowed = origin(base)

    def check(url: str) -> None:
        if origin(url) != allowed:
            raise UnsafeAddress(f"refusing {url[:120]!r}: not on {base}")

    return check


def user_agent(public_url: str) -> str:
    return f"Genuine/{__version__} (+{public_url})"


def _reset_seconds(value: str | None, now: float) -> float | None:
    """Seconds until a reset header's moment; it may be seconds, epoch seconds or ISO 8601.

    Mastodon sends an ISO 8601 timestamp, X sends epoch seconds, Retry-After sends
    seconds or an HTTP date (RFC 9110).
    """
    if not value:
        return None
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        return max(0.0, number - now) if number > 1e9 else max(0.0, number)
    for parse in (
        lambda v: datetime.fromisoformat(v.replace("Z", "+00:00")),
        parsedate_to_datetime,
    ):
        try:
            moment = parse(value)
        except (ValueError, TypeError):
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return max(0.0, moment.timestamp() - now)
    return None


class HttpClient:
    """GET JSON from one platform with retries, pacing and a budget per host."""

    def __init__(
        self,
        *,
        public_url: str,
        timeout: float = 10.0,
        retries: int = 4,
        budget: int = 1000,
        max_wait: float = 60.0,
        backoff: float = 0.5,
        headers: dict[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_bytes: int = 16 * 1024 * 1024,
        allow_url: Callable[[str], None] | None = None,
    ) -> None:
        self.session = requests.Session()
        self.session.headers.update(
            {"User-Agent": user_agent(public_url), "Accept": "application/json", **(headers or {})}
        )
        self.timeout, self.retries, self.budget = (min(timeout, 5.0), timeout), retries, budget
        self.max_wait, self.backoff, self.sleep = max_wait, backoff, sleep
        self.requests: Counter[str] = Counter()  # per host, including retries
        self._not_before: dict[str, float] = {}
        self.on_request: Callable[[], None] | None = None
        self.max_bytes, self.allow_url = max_bytes, allow_url

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    def close(self) -> None:
        self.session.close()

    def _wait(self, host: str, seconds: float, why: str) -> None:
        if seconds > self.max_wait:
            raise RateLimited(f"{host} asks us to wait {seconds:.0f} s ({why}); try again later")
        if seconds > 0:
            self.sleep(seconds)

    def get(self, url: str, params: Any = None) -> requests.Response:
        """The response to GET `url` (2xx or 4xx); 429/5xx are retried, then raise SourceError."""
        host = urlsplit(url).netloc
        attempt = 0
        while True:
            pause = self._not_before.pop(host, 0.0) - time.time()
            if pause > 0:
                self._wait(host, pause, "rate-limit window used up")
            if self.requests[host] >= self.budget:
                raise BudgetExceeded(
                    f"{host}: request budget of {self.budget} used up for this audit"
                )
            self.requests[host] += 1
            if self.on_request:
                self.on_request()
            try:
                response = self._fetch(url, params)
            except requests.RequestException as exc:
                if attempt >= self.retries:
                    raise SourceError(f"{host} unreachable: {exc.__class__.__name__}") from None
                self._wait(host, self._backoff(attempt), "connection error")
                attempt += 1
                continue
            self._pace(host, response)
            if response.status_code == 429 or response.status_code >= 500:
                if attempt >= self.retries:
                    raise SourceError(
                        f"{host} answered HTTP {response.status_code} "
                        f"{self.retries + 1} times in a row"
                    )
                asked = _reset_seconds(response.headers.get("Retry-After"), time.time())
                if asked is None and response.status_code == 429:
                    asked = _reset_seconds(_header(response, RESET), time.time())
                self._wait(host, max(asked or 0.0, self._backoff(attempt)), "HTTP 429/5xx")
                attempt += 1
                continue
            return response

    def _fetch(self, url: str, params: Any) -> requests.Response:
        """One GET with its body read (bounded); redirects are checked hop by hop when
        `allow_url` is set (requests itself follows them otherwise)."""
        if self.allow_url is None:
            response = self.session.get(url, params=params, timeout=self.timeout, stream=True)
            return self._read(response)
        for _ in range(MAX_REDIRECTS + 1):
            self.allow_url(url)
            response = self.session.get(
                url, params=params, timeout=self.timeout, stream=True, allow_redirects=False
            )
            if not response.is_redirect:
                return self._read(response)
            url, params = urljoin(response.url, response.headers["Location"]), None
            response.close()
        raise SourceError(f"{urlsplit(url).netloc}: more than {MAX_REDIRECTS} redirects")

    def _read(self, response: requests.Response) -> requests.Response:
        """Read the body into the response, refusing more than `max_bytes` (decoded) or
        longer than six read timeouts in all."""
        host = urlsplit(response.url).netloc
        declared = response.headers.get("Content-Length", "")
        body = bytearray()
        deadline = time.monotonic() + 6 * self.timeout[1]
        try:
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise SourceError(f"{host} answered more than {self.max_bytes:,} bytes")
            for chunk in response.iter_content(64 * 1024):
                body += chunk
                if len(body) > self.max_bytes:
                    raise SourceError(f"{host} answered more than {self.max_bytes:,} bytes")
                if time.monotonic() > deadline:
                    raise SourceError(f"{host} took too long to send its answer")
        except BaseException:
            response.close()
            raise
        response._content = bytes(body)
        return response

    def _backoff(self, attempt: int) -> float:
        # Full jitter (AWS architecture blog): spreads retries of many workers apart.
        return random.uniform(0, self.backoff * 2**attempt)

    def _pace(self, host: str, response: requests.Response) -> None:
        remaining = _header(response, REMAINING)
        if remaining is not None and remaining.strip() in ("0", "0.0"):
            wait = _reset_seconds(_header(response, RESET), time.time())
            if wait:
                self._not_before[host] = time.time() + wait

    def json(self, response: requests.Response) -> Any:
        try:
            return response.json()
        except (ValueError, json.JSONDecodeError):
            host = urlsplit(response.url).netloc
            raise SourceError(
                f"{host} answered HTTP {response.status_code} with malformed JSON"
            ) from None
