"""Inter-service authentication: the Bearer JWT a PDS forwards with a proxied request.

The atproto spec ("Inter-Service Authentication (JWT)" in the XRPC spec) and the reference
verifier (``verifyJwt`` in ``@atproto/xrpc-server``):

* header ``alg`` ``ES256K`` (secp256k1) or ``ES256`` (P-256); ``typ`` must not be one of
  the token types that are not service tokens (``at+jwt``, ``refresh+jwt``, ``dpop+jwt``);
* claims ``iss`` (the account's DID, possibly with a ``#service`` fragment), ``aud`` (our
  labeler's DID), ``exp`` (seconds), optional ``lxm`` (the method's NSID: when present it
  must name the method called; tokens without it are accepted, as the spec marks it
  optional), optional ``iat``;
* the signature is the 64-byte ``r||s`` over ``header.payload``, checked with the
  ``#atproto`` verification method of the issuer's DID document. High-S signatures are
  accepted, as the reference verifier does (``allowMalleableSig``).

DID documents come from the PLC directory (``GET {PLC}/{did}``), cached for ``ttl``
seconds; a signature that fails against a cached key is retried once with a fresh document
(the key may have been rotated). ``did:web`` issuers are refused as unsupported: resolving
them means fetching an arbitrary host's ``/.well-known/did.json``.

Failures raise ``AuthFailed`` (401, with the reference verifier's error names) or
``ResolverDown`` (the directory did not answer: 502 ``UpstreamFailure``).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import libipld
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from genuine.sources.http import HttpClient, SourceError, same_origin

TOKEN_MAX = 8192  # a service token is a few hundred bytes
DOCUMENT_MAX = 64 * 1024
PLC_DID = re.compile(r"did:plc:[a-z2-7]{24}")
# Multicodec prefixes (varint) of the two key types atproto allows.
CURVES = {b"\xe7\x01": (ec.SECP256K1(), "ES256K"), b"\x80\x24": (ec.SECP256R1(), "ES256")}
REFUSED_TYPES = ("at+jwt", "refresh+jwt", "dpop+jwt")


class AuthFailed(Exception):
    """The request is not authenticated; ``error`` is the XRPC error name."""

    def __init__(self, message: str, error: str = "AuthenticationRequired"):
        super().__init__(message)
        self.error, self.message = error, message


class ResolverDown(Exception):
    """The DID directory could not be asked; the request may be retried."""


@dataclass(frozen=True)
class ServiceToken:
    iss: str  # the issuer's DID, without a fragment
    aud: str
    exp: int
    lxm: str | None


@dataclass(frozen=True)
class SigningKey:
    key: ec.EllipticCurvePublicKey
    alg: str  # the JWT alg that goes with the key's curve


def _b64url(segment: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", segment):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _json_segment(segment: str) -> dict[str, Any]:
    value = json.loads(_b64url(segment))
    if not isinstance(value, dict):
        raise ValueError("not an object")
    return value


def parse_multikey(multibase: str) -> SigningKey:
    """A ``publicKeyMultibase`` (``z`` + base58btc of multicodec prefix + compressed point)."""
    if not isinstance(multibase, str) or not multibase.startswith("z"):
        raise ValueError("publicKeyMultibase must be base58btc (a 'z' prefix)")
    _, data = libipld.decode_multibase(multibase)
    prefix, point = bytes(data[:2]), bytes(data[2:])
    if prefix not in CURVES:
        raise ValueError("the key is neither secp256k1 nor P-256")
    if len(point) != 33:
        raise ValueError("the key is not a compressed point")
    curve, alg = CURVES[prefix]
    return SigningKey(ec.EllipticCurvePublicKey.from_encoded_point(curve, point), alg)


def atproto_key(document: Any, did: str) -> SigningKey:
    """The ``#atproto`` verification method of ``did``'s document."""
    if not isinstance(document, dict) or document.get("id") != did:
        raise AuthFailed(f"the DID document of {did} is not about {did}")
    methods = document.get("verificationMethod")
    for method in methods if isinstance(methods, list) else ():
        if isinstance(method, dict) and method.get("id") in ("#atproto", f"{did}#atproto"):
            try:
                return parse_multikey(method.get("publicKeyMultibase"))
            except (ValueError, TypeError) as exc:
                raise AuthFailed(f"bad #atproto key for {did}: {exc}") from None
    raise AuthFailed(f"the DID document of {did} has no #atproto key")


class DidResolver:
    """Signing keys of ``did:plc`` DIDs from one PLC directory, cached briefly."""

    def __init__(
        self,
        plc_url: str,
        *,
        ttl: float = 300.0,
        timeout: float = 5.0,
        capacity: int = 10_000,
        public_url: str = "http://127.0.0.1",
    ):
        self.plc_url, self.ttl, self.timeout = plc_url.rstrip("/"), ttl, timeout
        self.capacity, self.public_url = capacity, public_url
        self._cache: OrderedDict[str, tuple[float, SigningKey]] = OrderedDict()
        self._lock = threading.Lock()

    def _fetch(self, did: str) -> Any:
        client = HttpClient(
            public_url=self.public_url,
            timeout=self.timeout,
            retries=1,
            budget=4,
            max_wait=2.0,
            backoff=0.2,
            max_bytes=DOCUMENT_MAX,
            allow_url=same_origin(self.plc_url),
        )
        try:
            response = client.get(f"{self.plc_url}/{did}")
            if response.status_code in (404, 410):
                raise AuthFailed(f"{did} does not resolve (the directory has no such DID)")
            if response.status_code != 200:
                raise ResolverDown(f"the DID directory answered HTTP {response.status_code}")
            return client.json(response)
        except SourceError as exc:
            raise ResolverDown(f"the DID directory could not be asked: {exc}") from None
        finally:
            client.close()

    def signing_key(self, did: str, fresh: bool = False) -> SigningKey:
        if did.startswith("did:web:"):
            raise AuthFailed("did:web issuers are not supported by this labeler")
        if not PLC_DID.fullmatch(did):
            raise AuthFailed(f"the issuer is not a did:plc DID: {did[:100]}", "BadJwt")
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(did)
        if cached and not fresh and cached[0] > now:
            return cached[1]
        key = atproto_key(self._fetch(did), did)
        with self._lock:
            self._cache[did] = (now + self.ttl, key)
            self._cache.move_to_end(did)
            while len(self._cache) > self.capacity:
                self._cache.popitem(last=False)
        return key


def _signature_ok(key: SigningKey, alg: str, message: bytes, signature: bytes) -> bool:
    if alg != key.alg or len(signature) != 64:
        return False
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    try:
        key.key.verify(encode_dss_signature(r, s), message, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


def parse(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """Header, payload, signed bytes and signature of a compact JWT; BadJwt otherwise."""
    parts = token.split(".")
    if len(token) > TOKEN_MAX or len(parts) != 3:
        raise AuthFailed("poorly formatted jwt", "BadJwt")
    try:
        header, payload = _json_segment(parts[0]), _json_segment(parts[1])
        signature = _b64url(parts[2])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise AuthFailed("poorly formatted jwt", "BadJwt") from None
    if not isinstance(header.get("alg"), str):
        raise AuthFailed("poorly formatted jwt: no alg", "BadJwt")
    exp = payload.get("exp")
    if (
        not isinstance(payload.get("iss"), str)
        or not isinstance(payload.get("aud"), str)
        or not isinstance(exp, int | float)
        or isinstance(exp, bool)
        or not isinstance(payload.get("lxm", ""), str)
    ):
        raise AuthFailed("poorly formatted jwt: iss, aud and exp are required", "BadJwt")
    return header, payload, f"{parts[0]}.{parts[1]}".encode(), signature


def verify(
    token: str,
    audience: str,
    method: str,
    resolver: DidResolver,
    now: float | None = None,
) -> ServiceToken:
    """The checked claims of ``token``, a service JWT for ``method`` on ``audience``."""
    header, payload, message, signature = parse(token)
    if header.get("typ") in REFUSED_TYPES:
        raise AuthFailed(f"invalid jwt type {header['typ']!r}", "BadJwtType")
    if header["alg"] not in ("ES256K", "ES256"):
        raise AuthFailed(f"unsupported jwt alg {header['alg'][:20]!r}", "BadJwt")
    if (now if now is not None else time.time()) > payload["exp"]:
        raise AuthFailed("jwt expired", "JwtExpired")
    if payload["aud"] != audience:
        raise AuthFailed("jwt audience does not match service did", "BadJwtAudience")
    lxm = payload.get("lxm")
    if lxm is not None and lxm != method:
        raise AuthFailed(f"bad jwt lexicon method (lxm): must be {method}", "BadJwtLexiconMethod")
    did = payload["iss"].split("#", 1)[0]
    key = resolver.signing_key(did)
    if not _signature_ok(key, header["alg"], message, signature):
        fresh = resolver.signing_key(did, fresh=True)
        if fresh == key or not _signature_ok(fresh, header["alg"], message, signature):
            raise AuthFailed("jwt signature does not match jwt issuer", "BadJwtSignature")
    return ServiceToken(did, payload["aud"], int(payload["exp"]), lxm)
