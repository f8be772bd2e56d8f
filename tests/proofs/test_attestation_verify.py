"""Refused attestations say why: forged, altered, expired, revoked key, wrong type; key revocation by date."""

import base64
import datetime
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from joserfc import jws
from joserfc.jwk import OKPKey

from creneau.audit.models import AuditEvent
from creneau.proofs import keys, tokens
from creneau.proofs.attestation import ATTESTATION_TYP
from creneau.proofs.models import Attestation, SigningKey

from .conftest import make_request

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2025, 3, 20, 9, 0, tzinfo=datetime.UTC)


def _sign(at=T0, **kwargs):
    with time_machine.travel(at, tick=False):
        return tokens.sign(
            {"ref": "R974-7KQ3-2F9X", "code": "AAAA-BBBB-CCCC", "runs": []}, ATTESTATION_TYP, **kwargs
        )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _reason(client, token):
    html = client.get("/verifier/", {"jeton": token}).content.decode()
    if "Preuve authentique" in html:
        return "ok"
    return html.split("<code>")[1].split("</code>")[0]


@pytest.fixture(autouse=True)
def _prefecture(db):
    make_request()


def test_a_genuine_attestation_is_accepted(client):
    assert _reason(client, _sign()) == "ok"


def test_a_forged_attestation_is_refused(client):
    stranger = OKPKey.generate_key("Ed25519")
    header = {"alg": "EdDSA", "kid": keys.active_key().kid, "typ": ATTESTATION_TYP}  # claims our key
    forged = jws.serialize_compact(
        header, b'{"ref":"R974-7KQ3-2F9X","runs":[]}', stranger, registry=tokens._REGISTRY
    )
    assert _reason(client, forged) == "bad_signature"
    own_kid = {**header, "kid": stranger.thumbprint()}
    assert (
        _reason(client, jws.serialize_compact(own_kid, b"{}", stranger, registry=tokens._REGISTRY))
        == "unknown_key"
    )


def test_an_altered_attestation_is_refused(client):
    header, payload, signature = _sign().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["runs"] = [{"at": "2025-03-19T14:00:00Z", "outcome": "not_reached"}]
    assert _reason(client, f"{header}.{_b64(json.dumps(claims).encode())}.{signature}") == "bad_signature"


def test_an_expired_attestation_is_refused(client):
    token = _sign(expires_in=datetime.timedelta(days=1))
    with time_machine.travel(T0 + datetime.timedelta(days=2), tick=False):
        assert _reason(client, token) == "expired"


def test_a_token_of_an_unknown_type_is_refused(client):
    with time_machine.travel(T0, tick=False):
        token = tokens.sign({"ref": "x"}, "creneau-something+jwt")
    assert _reason(client, token) == "wrong_type"


def test_the_code_page_refuses_an_attestation_of_another_type_or_altered_in_the_database(client):
    request = make_request(code="971", tz="America/Guadeloupe", reference="R971-AAAA-BBBB")
    receipt = tokens.sign_receipt(request)
    Attestation.objects.create(code="AAAA-BBBB-CCCC", request=request, issued_at=T0, kid="k", token=receipt)
    html = client.get("/attestation/AAAA-BBBB-CCCC/").content.decode()
    assert "Attestation refusée" in html
    assert "wrong_type" in html
    header, _payload, signature = _sign().split(".")
    Attestation.objects.create(
        code="DDDD-EEEE-FFFF",
        request=request,
        issued_at=T0,
        kid="k",
        token=f"{header}.{_b64(b'{}')}.{signature}",
    )
    assert "bad_signature" in client.get("/attestation/DDDD-EEEE-FFFF/").content.decode()


def test_revocation_refuses_what_the_key_signed_from_its_date_on_only(client):
    before = _sign(T0)
    after = _sign(T0 + datetime.timedelta(days=2))
    kid = keys.active_key().kid
    out = io.StringIO()
    with time_machine.travel(T0 + datetime.timedelta(days=3), tick=False):
        call_command(
            "revoke_signing_key", kid, "--at", "2025-03-21T00:00:00Z", "--reason", "leak", stdout=out
        )
    assert f"Revoked {kid}" in out.getvalue()
    assert "Active signing key" in out.getvalue()
    row = SigningKey.objects.get(kid=kid)
    assert row.status == SigningKey.Status.REVOKED
    assert row.revoked_at == datetime.datetime(2025, 3, 21, tzinfo=datetime.UTC)
    assert _reason(client, before) == "ok"
    assert _reason(client, after) == "revoked_key"
    assert "révoquée" in client.get("/verifier/", {"jeton": after}).content.decode()
    assert kid not in json.dumps(keys.public_jwks())  # offline verifiers no longer trust it
    assert keys.active_key().kid != kid  # a new key signs from now on
    event = AuditEvent.objects.get(action="signing_key.revoked")
    assert event.object_id == kid
    assert event.data["reason"] == "leak"


def test_revocation_dates_only_move_earlier_and_need_a_zone():
    kid = keys.active_key().kid
    with pytest.raises(CommandError, match="offset"):
        call_command("revoke_signing_key", kid, "--at", "2025-03-21T00:00:00")
    with pytest.raises(CommandError, match="no signing key"):
        call_command("revoke_signing_key", "nope", "--at", "2020-01-01T00:00:00Z")
    call_command("revoke_signing_key", kid, "--at", "2024-01-01T00:00:00Z", stdout=io.StringIO())
    with pytest.raises(CommandError, match="already revoked"):
        call_command("revoke_signing_key", kid, "--at", "2024-06-01T00:00:00Z")
    call_command("revoke_signing_key", kid, "--at", "2023-01-01T00:00:00Z", stdout=io.StringIO())
    with pytest.raises(CommandError, match="future"):
        call_command("revoke_signing_key", kid, "--at", "2999-01-01T00:00:00Z")
