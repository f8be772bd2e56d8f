import io
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from joserfc.jwk import OKPKey

from creneau.audit.models import AuditEvent
from creneau.proofs import keys
from creneau.proofs.models import SigningKey

pytestmark = pytest.mark.django_db


def pem_key() -> str:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def test_it_generates_a_key_on_first_use_and_reuses_it(settings):
    first = keys.active_key()
    again = keys.active_key()

    assert again.kid == first.kid
    assert SigningKey.objects.get().kid == first.kid
    path = settings.CRENEAU_KEY_DIR / f"{first.kid}.pem"
    assert path.exists()
    assert list(settings.CRENEAU_KEY_DIR.iterdir()) == [path]
    assert AuditEvent.objects.filter(action="signing_key.activated", object_id=first.kid).count() == 1


def test_it_writes_the_private_key_with_mode_0600(settings):
    kid = keys.active_key().kid

    mode = stat.S_IMODE((settings.CRENEAU_KEY_DIR / f"{kid}.pem").stat().st_mode)
    assert mode == 0o600
    assert stat.S_IMODE(settings.CRENEAU_KEY_DIR.stat().st_mode) & 0o077 == 0


def test_it_never_stores_the_private_key_in_the_database():
    keys.active_key()

    jwk = SigningKey.objects.get().public_jwk
    assert "d" not in jwk
    assert jwk["kty"] == "OKP"
    assert jwk["crv"] == "Ed25519"


def test_it_reads_the_key_again_from_its_file_in_a_new_process(settings):
    kid = keys.active_key().kid
    keys._private_cache.clear()  # as a freshly started process

    assert keys.active_key().kid == kid


def test_a_second_process_racing_on_first_use_reuses_the_winners_key(settings, monkeypatch):
    winner = keys.active_key()
    # The loser saw no active key, generated its own and failed to register it (unique active key).
    real_filter = SigningKey.objects.filter
    calls = []

    def filter_once_empty(*args, **kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            return real_filter(pk=-1)
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(SigningKey.objects, "filter", filter_once_empty)
    loser = keys.active_key()

    assert loser.kid == winner.kid
    assert SigningKey.objects.count() == 1
    assert [p.name for p in settings.CRENEAU_KEY_DIR.iterdir()] == [f"{winner.kid}.pem"]


def test_it_refuses_to_start_when_the_active_keys_file_is_missing(settings):
    kid = keys.active_key().kid
    (settings.CRENEAU_KEY_DIR / f"{kid}.pem").unlink()
    keys._private_cache.clear()

    with pytest.raises(ImproperlyConfigured, match="rotate_signing_key"):
        keys.active_key()


def test_it_uses_the_key_from_the_environment_when_set(settings):
    pem = pem_key()
    settings.CRENEAU_SIGNING_KEY = pem

    active = keys.active_key()

    expected = OKPKey.import_key(pem.encode()).thumbprint()
    assert active.kid == expected
    assert SigningKey.objects.get().kid == expected
    assert not settings.CRENEAU_KEY_DIR.exists()


def test_it_accepts_a_configured_key_with_escaped_newlines_or_as_a_file(settings, tmp_path):
    pem = pem_key()
    kid = OKPKey.import_key(pem.encode()).thumbprint()
    settings.CRENEAU_SIGNING_KEY = pem.replace("\n", "\\n")
    assert keys.active_key().kid == kid

    secret = tmp_path / "signing_key.pem"
    secret.write_text(pem)
    settings.CRENEAU_SIGNING_KEY = str(secret)
    assert keys.active_key().kid == kid


def test_a_new_configured_key_retires_the_previous_one(settings):
    old = keys.active_key().kid
    settings.CRENEAU_SIGNING_KEY = pem_key()

    new = keys.active_key().kid

    assert SigningKey.objects.get(kid=old).status == SigningKey.Status.RETIRED
    assert SigningKey.objects.get(kid=new).status == SigningKey.Status.ACTIVE


def test_it_refuses_a_configured_key_that_is_not_ed25519(settings):
    settings.CRENEAU_SIGNING_KEY = "-----BEGIN PRIVATE KEY-----\nnonsense\n-----END PRIVATE KEY-----\n"

    with pytest.raises(ImproperlyConfigured):
        keys.active_key()


def test_rotation_retires_the_old_key_and_keeps_it_published(settings):
    old = keys.active_key().kid

    out = io.StringIO()
    call_command("rotate_signing_key", stdout=out)

    new = keys.active_key().kid
    assert new != old
    assert new in out.getvalue()
    statuses = dict(SigningKey.objects.values_list("kid", "status"))
    assert statuses == {old: "retired", new: "active"}
    assert SigningKey.objects.get(kid=old).retired_at is not None
    assert {k["kid"] for k in keys.public_jwks()["keys"]} == {old, new}


def test_rotation_is_refused_when_the_key_comes_from_the_environment(settings):
    settings.CRENEAU_SIGNING_KEY = pem_key()

    with pytest.raises(ImproperlyConfigured):
        keys.rotate()


def test_revoked_keys_are_left_out_of_the_jwks():
    kid = keys.active_key().kid
    SigningKey.objects.filter(kid=kid).update(status=SigningKey.Status.REVOKED)

    assert keys.public_jwks() == {"keys": []}
    assert [k["kid"] for k in keys.public_jwks(include_revoked=True)["keys"]] == [kid]
