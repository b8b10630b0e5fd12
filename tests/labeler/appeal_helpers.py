"""Reporters for the createReport tests: keys, DID documents as PLC serves them, and
service tokens built the way ``createServiceJwt`` of ``@atproto/xrpc-server`` builds them.

Nothing here comes from ``genuine``: keys are encoded with the atproto SDK
(``atproto_crypto``), tokens are signed with ``cryptography`` directly, so the server's
verifier is checked against an encoding it did not write.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field

from atproto_crypto.consts import P256_JWT_ALG, SECP256K1_JWT_ALG
from atproto_crypto.did import format_multikey
from atproto_server.auth.utils import base64url_encode
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

METHOD = "com.atproto.moderation.createReport"
ORDERS = {
    SECP256K1_JWT_ALG: 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141,
    P256_JWT_ALG: 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
}
_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"


def plc_did() -> str:
    return "did:plc:" + "".join(secrets.choice(_BASE32) for _ in range(24))


@dataclass
class Reporter:
    alg: str = SECP256K1_JWT_ALG
    did: str = field(default_factory=plc_did)
    key: ec.EllipticCurvePrivateKey = None  # type: ignore[assignment]

    def __post_init__(self):
        if self.key is None:
            curve = ec.SECP256K1() if self.alg == SECP256K1_JWT_ALG else ec.SECP256R1()
            self.key = ec.generate_private_key(curve)

    def multikey(self) -> str:
        point = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return format_multikey(self.alg, point)

    def document(self) -> dict:
        """The DID document as plc.directory serves it."""
        return {
            "@context": [
                "https://www.w3.org/ns/did/v1",
                "https://w3id.org/security/multikey/v1",
                "https://w3id.org/security/suites/secp256k1-2019/v1",
            ],
            "id": self.did,
            "alsoKnownAs": ["at://reporter.bsky.social"],
            "verificationMethod": [
                {
                    "id": f"{self.did}#atproto",
                    "type": "Multikey",
                    "controller": self.did,
                    "publicKeyMultibase": self.multikey(),
                }
            ],
            "service": [
                {
                    "id": "#atproto_pds",
                    "type": "AtprotoPersonalDataServer",
                    "serviceEndpoint": "https://pds.example",
                }
            ],
        }

    def sign(self, data: bytes, high_s: bool = False) -> bytes:
        r, s = decode_dss_signature(self.key.sign(data, ec.ECDSA(hashes.SHA256())))
        order = ORDERS[self.alg]
        if (s > order // 2) != high_s:
            s = order - s
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    def token(self, aud: str, lxm: str | None = METHOD, exp: float | None = None, **kw) -> str:
        header = {"typ": kw.pop("typ", "JWT"), "alg": kw.pop("alg", self.alg)}
        now = int(time.time())
        payload = {"iat": now, "iss": kw.pop("iss", self.did), "aud": aud}
        payload["exp"] = int(exp if exp is not None else now + 60)
        if lxm is not None:
            payload["lxm"] = lxm
        payload["jti"] = secrets.token_hex(16)
        signer = kw.pop("signer", self)
        high_s = kw.pop("high_s", False)
        assert not kw, kw
        encode = lambda part: base64url_encode(json.dumps(part).encode()).decode()  # noqa: E731
        signed = f"{encode(header)}.{encode(payload)}"
        signature = signer.sign(signed.encode(), high_s)
        return f"{signed}.{base64url_encode(signature).decode()}"
