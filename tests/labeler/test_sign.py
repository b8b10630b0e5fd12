import libipld
import pytest
from atproto_crypto.did import parse_did_key
from atproto_crypto.verify import verify_signature

from genuine.labeler import sign

N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

LABEL = {
    "ver": 1,
    "src": "did:plc:genuinelabeler",
    "uri": "did:plc:abc123",
    "val": "follow-back-ring",
    "cts": "2026-12-03T08:00:00.000Z",
    "exp": "2027-01-02T08:00:00.000Z",
}


@pytest.fixture(scope="module")
def key():
    return sign.generate_key()


def test_did_key_parses_as_secp256k1_in_the_sdk(key):
    parsed = parse_did_key(sign.did_key(key))
    assert parsed.jwt_alg == "ES256K"
    assert sign.did_key(key) == "did:key:" + sign.multibase_public_key(key)
    assert sign.multibase_public_key(key).startswith("zQ3s")


def test_sdk_verifies_our_signatures_and_they_are_low_s(key):
    for i in range(40):
        label = sign.sign_label(key, {**LABEL, "uri": f"did:plc:acct{i}"})
        sig = label["sig"]
        assert len(sig) == 64
        assert int.from_bytes(sig[32:], "big") <= N // 2
        assert verify_signature(sign.did_key(key), sign.signing_bytes(label), sig)
        assert sign.verify(key.public_key(), label)


def test_tampered_label_fails_sdk_verification(key):
    label = sign.sign_label(key, LABEL)
    forged = {**label, "val": "rarely-answers"}
    assert not verify_signature(sign.did_key(key), sign.signing_bytes(forged), label["sig"])
    other = sign.generate_key()
    assert not verify_signature(sign.did_key(other), sign.signing_bytes(label), label["sig"])


def test_signing_bytes_are_deterministic_dag_cbor_without_sig(key):
    label = sign.sign_label(key, LABEL)
    shuffled = dict(reversed(list(LABEL.items())))
    assert sign.signing_bytes(label) == sign.signing_bytes(shuffled)
    assert libipld.decode_dag_cbor(sign.signing_bytes(label)) == LABEL


def test_key_file_is_0600_and_never_overwritten(tmp_path, key):
    path = tmp_path / "labeler.pem"
    sign.write_key(key, path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert sign.did_key(sign.load_key(path)) == sign.did_key(key)
    with pytest.raises(FileExistsError):
        sign.write_key(sign.generate_key(), path)
