"""Label signing per the atproto label spec.

The label without ``sig`` is encoded as deterministic DAG-CBOR (libipld), hashed with
SHA-256 and signed with a secp256k1 key; the signature is the 64-byte compact ``r||s``
with low-S, as atproto requires. The public key is published as a ``did:key`` (multicodec
secp256k1-pub 0xe7 0x01 + compressed point, base58btc multibase ``z...``).
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path
from typing import Any

import coincurve
import libipld
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

_SECP256K1_PUB = b"\xe7\x01"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def generate_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256K1())


def write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> None:
    """PEM (PKCS#8) at ``path``, created 0600; an existing key is never overwritten."""
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)


def load_key(path: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256k1":
        raise ValueError(f"{path}: not a secp256k1 private key")
    return key


def _base58(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = _B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def multibase_public_key(key: ec.EllipticCurvePrivateKey) -> str:
    """``publicKeyMultibase`` for the DID document's ``#atproto_label`` method."""
    point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
    )
    return "z" + _base58(_SECP256K1_PUB + point)


def did_key(key: ec.EllipticCurvePrivateKey) -> str:
    return "did:key:" + multibase_public_key(key)


def signing_bytes(label: dict[str, Any]) -> bytes:
    """The deterministic DAG-CBOR of the label without ``sig``: what is signed."""
    return libipld.encode_dag_cbor({k: v for k, v in label.items() if k != "sig"})


@functools.lru_cache(maxsize=4)
def _signer(secret: bytes) -> coincurve.PrivateKey:
    return coincurve.PrivateKey(secret)


def _sha256(message: bytes) -> bytes:
    return hashlib.sha256(message).digest()


def sign_bytes(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    """64-byte compact low-S ECDSA/SHA-256 signature of ``data``.

    Signed by libsecp256k1 (coincurve): RFC 6979 nonces, and its signatures are always
    normalised to low-S, as atproto requires. It signs about 12 times faster than OpenSSL's
    generic curve code through ``cryptography`` (47,000 against 3,900 labels per CPU second
    here), which kept a 1M-label sync under the spec's 5,000/s goal. The key itself stays a
    ``cryptography`` key (PEM file, public point, verification)."""
    secret = key.private_numbers().private_value.to_bytes(32, "big")
    recoverable = _signer(secret).sign_recoverable(data, hasher=_sha256)
    return recoverable[:64]  # r || s; the 65th byte is the recovery id


def sign_label(key: ec.EllipticCurvePrivateKey, label: dict[str, Any]) -> dict[str, Any]:
    """The label with its ``sig`` (bytes) added."""
    return {**label, "sig": sign_bytes(key, signing_bytes(label))}


def verify(public: ec.EllipticCurvePublicKey, label: dict[str, Any]) -> bool:
    """Our own check (tests use the atproto SDK's instead)."""
    sig = label["sig"]
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    try:
        public.verify(der, signing_bytes(label), ec.ECDSA(hashes.SHA256()))
    except Exception:
        return False
    return True
