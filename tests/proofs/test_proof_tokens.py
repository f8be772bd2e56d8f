import base64
import datetime
import hashlib
import hmac
import json

import jwt as pyjwt
import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from joserfc import jws
from joserfc.jwk import OKPKey
from jwcrypto import jwk as jc_jwk
from jwcrypto import jws as jc_jws

from creneau.proofs import keys, tokens
from creneau.proofs.models import SigningKey

from .conftest import SITE_URL

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2025, 3, 12, 10, 30, tzinfo=datetime.UTC)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64json(value) -> str:
    return b64(json.dumps(value).encode())


def served_jwks(client) -> dict:
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    return response.json()


def test_the_jwks_is_served_with_the_right_shape(client):
    kid = keys.active_key().kid

    response = client.get("/.well-known/jwks.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/jwk-set+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "max-age=300" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    [key] = response.json()["keys"]
    assert set(key) == {"kty", "crv", "x", "kid", "alg", "use"}
    assert key["kid"] == kid
    assert (key["kty"], key["crv"], key["alg"], key["use"]) == ("OKP", "Ed25519", "EdDSA", "sig")
    assert len(base64.urlsafe_b64decode(key["x"] + "=")) == 32


def test_the_jwks_refuses_writes(client):
    assert client.post("/.well-known/jwks.json").status_code == 405


@time_machine.travel(NOW, tick=False)
def test_a_token_carries_issuer_issue_time_key_id_and_type():
    token = tokens.sign({"ref": "R1"}, "creneau-test+jwt")

    header = tokens.unverified_header(token)
    assert header == {"alg": "EdDSA", "kid": keys.active_key().kid, "typ": "creneau-test+jwt"}
    claims = tokens.verify(token, "creneau-test+jwt")
    assert claims == {"iss": SITE_URL, "iat": int(NOW.timestamp()), "ref": "R1"}


def test_receipt_claims_hold_no_personal_data(receipt_request):
    claims = tokens.receipt_claims(receipt_request)

    assert claims == {
        "ref": "R974-7KQ3-2F9X", "prefecture": "974", "procedure": "first_permit", "batch": 42,
        "filed_at": "2025-03-12T10:30:00Z", "channel": "online",
    }
    text = json.dumps(claims)
    for personal in ("Haddad", "Amina", "1990", "AB1234567", "amina@example.org"):
        assert personal not in text


def test_a_receipt_verifies_with_pyjwt_against_the_served_jwks(client, receipt_request):
    token = tokens.sign_receipt(receipt_request)

    jwks = pyjwt.PyJWKSet.from_dict(served_jwks(client))
    kid = pyjwt.get_unverified_header(token)["kid"]
    claims = pyjwt.decode(token, jwks[kid].key, algorithms=["EdDSA"], issuer=SITE_URL)

    assert claims["ref"] == "R974-7KQ3-2F9X"
    assert claims["filed_at"] == "2025-03-12T10:30:00Z"
    assert pyjwt.get_unverified_header(token)["typ"] == tokens.RECEIPT_TYP


def test_a_receipt_verifies_with_jwcrypto_against_the_served_jwks(client, receipt_request):
    token = tokens.sign_receipt(receipt_request)

    keyset = jc_jwk.JWKSet.from_json(json.dumps(served_jwks(client)))
    signed = jc_jws.JWS()
    signed.deserialize(token)
    signed.verify(keyset)  # picks the key by kid, raises if invalid

    assert json.loads(signed.payload)["ref"] == "R974-7KQ3-2F9X"
    assert signed.jose_header["alg"] == "EdDSA"


def test_old_tokens_still_verify_after_rotation(client, receipt_request):
    old_token = tokens.sign_receipt(receipt_request)
    old_kid = tokens.unverified_header(old_token)["kid"]

    call_command("rotate_signing_key", stdout=None)
    new_token = tokens.sign_receipt(receipt_request)

    assert tokens.unverified_header(new_token)["kid"] != old_kid
    assert tokens.verify(old_token, tokens.RECEIPT_TYP)["ref"] == "R974-7KQ3-2F9X"
    assert tokens.verify(new_token, tokens.RECEIPT_TYP)["ref"] == "R974-7KQ3-2F9X"
    jwks = pyjwt.PyJWKSet.from_dict(served_jwks(client))
    assert pyjwt.decode(old_token, jwks[old_kid].key, algorithms=["EdDSA"])["ref"] == "R974-7KQ3-2F9X"


def refused(token, typ=tokens.RECEIPT_TYP) -> str:
    with pytest.raises(tokens.ProofError) as excinfo:
        tokens.verify(token, typ)
    return excinfo.value.reason


def test_a_token_forged_with_another_key_under_our_kid_is_refused(receipt_request):
    genuine = tokens.sign_receipt(receipt_request)
    header = tokens.unverified_header(genuine)
    other = OKPKey.generate_key("Ed25519")

    forged = jws.serialize_compact(header, json.dumps(tokens.receipt_claims(receipt_request)), other,
                                   registry=tokens._REGISTRY)

    assert refused(forged) == "bad_signature"


def test_an_altered_payload_is_refused(receipt_request):
    header, payload, signature = tokens.sign_receipt(receipt_request).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["batch"] = 1  # pretend to be older

    assert refused(f"{header}.{b64json(claims)}.{signature}") == "bad_signature"


def test_an_altered_header_is_refused(receipt_request):
    header, payload, signature = tokens.sign_receipt(receipt_request).split(".")
    fields = json.loads(base64.urlsafe_b64decode(header + "=="))

    retyped = b64json({**fields, "typ": "creneau-other+jwt"})
    assert refused(f"{retyped}.{payload}.{signature}") == "bad_signature"


def test_alg_none_is_refused(receipt_request):
    header, payload, _ = tokens.sign_receipt(receipt_request).split(".")
    fields = json.loads(base64.urlsafe_b64decode(header + "=="))

    assert refused(f"{b64json({**fields, 'alg': 'none'})}.{payload}.") == "bad_algorithm"


def test_hs256_keyed_with_the_public_key_is_refused(receipt_request):
    header, payload, _ = tokens.sign_receipt(receipt_request).split(".")
    fields = json.loads(base64.urlsafe_b64decode(header + "=="))
    public = SigningKey.objects.get(kid=fields["kid"]).public_jwk
    signing_input = f"{b64json({**fields, 'alg': 'HS256'})}.{payload}"

    for secret in (json.dumps(public).encode(), base64.urlsafe_b64decode(public["x"] + "=")):
        mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        assert refused(f"{signing_input}.{b64(mac)}") == "bad_algorithm"


def test_a_token_of_another_type_is_refused(receipt_request):
    token = tokens.sign(tokens.receipt_claims(receipt_request), "creneau-attestation+jwt")

    assert refused(token) == "wrong_type"


def test_an_unknown_key_id_is_refused(receipt_request):
    stranger = OKPKey.generate_key("Ed25519")
    header = {"alg": "EdDSA", "kid": stranger.thumbprint(), "typ": tokens.RECEIPT_TYP}

    token = jws.serialize_compact(header, b"{}", stranger, registry=tokens._REGISTRY)

    assert refused(token) == "unknown_key"
    assert refused(jws.serialize_compact({"alg": "EdDSA"}, b"{}", stranger, registry=tokens._REGISTRY)) == (
        "unknown_key"
    )


def test_a_token_signed_by_a_revoked_key_is_refused(receipt_request):
    token = tokens.sign_receipt(receipt_request)
    SigningKey.objects.update(status=SigningKey.Status.REVOKED)

    assert refused(token) == "revoked_key"


def test_an_expired_token_is_refused():
    with time_machine.travel(NOW, tick=False):
        token = tokens.sign({"ref": "R1"}, "creneau-test+jwt", expires_in=datetime.timedelta(hours=1))
        assert tokens.verify(token, "creneau-test+jwt")["exp"] == int(NOW.timestamp()) + 3600
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        assert refused(token, "creneau-test+jwt") == "expired"


@pytest.mark.parametrize(
    "garbage",
    ["", "abc", "a.b", "a.b.c.d", "!!!.???.***", f"{b64(b'[1]')}.{b64(b'{}')}.", f"{b64(b'{}')}x.e30.", 12345,
     None, "x" * 10000],
)
def test_garbage_is_refused_as_malformed(garbage):
    keys.active_key()

    assert refused(garbage) == "malformed"


def test_a_well_signed_token_whose_payload_is_not_an_object_is_refused(receipt_request):
    key = keys.active_key()
    header = {"alg": "EdDSA", "kid": key.kid, "typ": tokens.RECEIPT_TYP}

    token = jws.serialize_compact(header, b"[1, 2]", key.private, registry=tokens._REGISTRY)

    assert refused(token) == "malformed"


def test_a_signature_from_an_unrelated_ed25519_key_is_refused_even_with_valid_shape(receipt_request):
    header, payload, _ = tokens.sign_receipt(receipt_request).split(".")
    rogue = Ed25519PrivateKey.generate().sign(f"{header}.{payload}".encode())

    assert refused(f"{header}.{payload}.{b64(rogue)}") == "bad_signature"
