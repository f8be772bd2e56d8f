"""Ed25519 signing keys: where the private half lives, which key signs, and the public JWKS.

The private key is never stored in the database nor in the repository. It comes from:

- ``settings.CRENEAU_SIGNING_KEY`` (production): a PEM private key, or the path of a file holding
  one (a mounted secret). Every web process and worker must be given the same key.
- otherwise (zero-configuration start): ``settings.CRENEAU_KEY_DIR/<kid>.pem``, generated on first
  use with mode 0600. This only works when every process shares that directory (one machine).

The public half of each key is registered as a ``SigningKey`` row, whose ``kid`` is the RFC 7638
thumbprint of the key, so the same key always gets the same id in every process.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone
from joserfc.jwk import OKPKey

from creneau.audit.log import Actor, record
from creneau.proofs.models import SigningKey

ALG = "EdDSA"
CURVE = "Ed25519"

# Parsed private keys, per source, so that signing does not re-read and re-parse a PEM each time.
_private_cache: dict[tuple[str, str], OKPKey] = {}


@dataclass(frozen=True)
class ActiveKey:
    kid: str
    private: OKPKey


class RotationConflict(Exception):
    """Another process changed the active key at the same moment; nothing was changed."""


class RevocationError(Exception):
    """A revocation that cannot be done (unknown key, date in the future or later than before)."""


def key_id(key: OKPKey) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key."""
    return key.thumbprint()


def public_jwk(key: OKPKey) -> dict[str, str]:
    pub = key.as_dict(private=False)
    return {
        "kty": "OKP", "crv": str(pub["crv"]), "x": str(pub["x"]),
        "kid": key_id(key), "alg": ALG, "use": "sig",
    }


def public_jwks(*, include_revoked: bool = False) -> dict[str, Any]:
    """Every public key whose tokens may still verify: active and retired (oldest first).

    Revoked keys are left out by default: standard JOSE libraries trust every key of a JWKS, so a
    revoked key listed there would let offline verifiers accept tokens forged with it.
    """
    rows = SigningKey.objects.all()
    if not include_revoked:
        rows = rows.exclude(status=SigningKey.Status.REVOKED)
    return {"keys": [row.public_jwk for row in rows]}


def public_key(kid: str) -> tuple[OKPKey, SigningKey] | None:
    row = SigningKey.objects.filter(kid=kid).first()
    if row is None:
        return None
    return OKPKey.import_key(row.public_jwk), row


def active_key() -> ActiveKey:
    """The key that signs new tokens; generated and registered on first use if none exists."""
    if settings.CRENEAU_SIGNING_KEY:
        return _configured_key(settings.CRENEAU_SIGNING_KEY)
    row = SigningKey.objects.filter(status=SigningKey.Status.ACTIVE).first()
    if row is None:
        return _generate(first_use=True)
    return ActiveKey(row.kid, _read_key_file(row.kid))


def rotate(*, actor: Actor | None = None) -> ActiveKey:
    """Make a new key the active one; the previous active key is retired (its tokens still verify).

    With ``CRENEAU_SIGNING_KEY`` set, rotation means deploying a new key in that variable: the new
    key is registered (and the old one retired) the first time it is used.
    """
    if settings.CRENEAU_SIGNING_KEY:
        raise ImproperlyConfigured(
            "CRENEAU_SIGNING_KEY is set: rotate by deploying a new key in it (see docs/proofs.md)."
        )
    return _generate(first_use=False, actor=actor)


def key_dir() -> Path:
    return Path(settings.CRENEAU_KEY_DIR)


def _pem(private: Ed25519PrivateKey) -> bytes:
    return private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _import_private(pem: bytes, source: str) -> OKPKey:
    try:
        key = OKPKey.import_key(pem)
    except Exception as exc:
        raise ImproperlyConfigured(f"{source}: not a PEM Ed25519 private key") from exc
    if key.as_dict(private=False).get("crv") != CURVE or not key.is_private:
        raise ImproperlyConfigured(f"{source}: not an Ed25519 private key")
    return key


def _configured_key(value: str) -> ActiveKey:
    cache_key = ("env", value)
    key = _private_cache.get(cache_key)
    if key is None:
        if value.lstrip().startswith("-----BEGIN"):
            # Some deployment tools cannot put newlines in a variable and write "\n" instead.
            pem = value.replace("\\n", "\n").encode()
            key = _import_private(pem, "CRENEAU_SIGNING_KEY")
        else:
            key = _import_private(Path(value).read_bytes(), f"CRENEAU_SIGNING_KEY file {value}")
        _private_cache[cache_key] = key
    kid = key_id(key)
    row = SigningKey.objects.filter(kid=kid).first()
    if row is None:
        try:
            row = _register(key, first_use=False, actor=Actor.system("CRENEAU_SIGNING_KEY"))
        except IntegrityError:
            # Another new key was registered at the same moment (rolling deploy): retire it and retry.
            row = _register(key, first_use=False, actor=Actor.system("CRENEAU_SIGNING_KEY"))
    if row.status == SigningKey.Status.REVOKED:
        raise ImproperlyConfigured(f"CRENEAU_SIGNING_KEY holds the revoked key {kid}: deploy a new key")
    # A retired configured key still signs (e.g. old processes during a rolling deploy): its tokens
    # verify, and the database's "active" then just names the newest key deployed.
    return ActiveKey(kid, key)


def _read_key_file(kid: str) -> OKPKey:
    path = key_dir() / f"{kid}.pem"
    cache_key = (str(path), kid)
    key = _private_cache.get(cache_key)
    if key is not None:
        return key
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        raise ImproperlyConfigured(
            f"The active signing key {kid} has no private key at {path}. Restore it, set "
            "CRENEAU_SIGNING_KEY, or run `manage.py rotate_signing_key` to start a new key."
        ) from None
    key = _import_private(pem, str(path))
    if key_id(key) != kid:
        raise ImproperlyConfigured(f"{path} does not hold the key {kid}")
    _private_cache[cache_key] = key
    return key


def _write_key_file(kid: str, pem: bytes) -> Path:
    """Create ``<kid>.pem`` with mode 0600, failing if it exists (O_EXCL): no process overwrites a key."""
    directory = key_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / f"{kid}.pem"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, pem)
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def _generate(*, first_use: bool, actor: Actor | None = None) -> ActiveKey:
    private = Ed25519PrivateKey.generate()
    pem = _pem(private)
    key = OKPKey.import_key(pem)
    kid = key_id(key)
    # The file exists, complete, before its row is visible: whoever sees the row can read the key.
    path = _write_key_file(kid, pem)
    try:
        _register(key, first_use=first_use, actor=actor or Actor.system("signing keys"))
    except IntegrityError:
        path.unlink(missing_ok=True)
        if not first_use:
            raise RotationConflict("another process changed the active signing key; try again") from None
        # Another process generated the first key at the same moment: use theirs.
        row = SigningKey.objects.get(status=SigningKey.Status.ACTIVE)
        return ActiveKey(row.kid, _read_key_file(row.kid))
    _private_cache[(str(path), kid)] = key
    return ActiveKey(kid, key)


def _register(key: OKPKey, *, first_use: bool, actor: Actor) -> SigningKey:
    """Insert the key as the active one, retiring the previous active key, in one transaction.

    Raises IntegrityError if another process registered an active key concurrently (the partial
    unique index "one active key" decides). For a configured key, the concurrent registration of
    the same key is not a conflict: the existing row is returned.
    """
    kid = key_id(key)
    now = timezone.now()
    try:
        with transaction.atomic():
            retired = []
            if not first_use:
                retired = list(
                    SigningKey.objects.filter(status=SigningKey.Status.ACTIVE).values_list("kid", flat=True)
                )
                SigningKey.objects.filter(kid__in=retired, status=SigningKey.Status.ACTIVE).update(
                    status=SigningKey.Status.RETIRED, retired_at=now
                )
            row = SigningKey.objects.create(kid=kid, public_jwk=public_jwk(key), created_at=now)
            record(
                "signing_key.activated", actor, object_type="signing_key", object_id=kid,
                data={"retired": retired},
            )
            return row
    except IntegrityError:
        existing = SigningKey.objects.filter(kid=kid).first()
        if existing is not None:
            return existing
        raise


def do_revoke(kid: str, at: datetime.datetime, *, actor: Actor, reason: str = "") -> SigningKey:
    """Revoke the key ``kid`` from ``at`` on: tokens it signed at or after ``at`` are refused
    (``revoked_key``), those signed before still verify. ``at`` is the earliest moment the private
    key may have leaked: a thief can write any ``iat``, so choose it early. It may be moved earlier
    by revoking again, never later. The key leaves the JWKS; a revoked active key stops signing.
    """
    now = timezone.now()
    if at.tzinfo is None:
        raise RevocationError("the revocation date needs a time zone (e.g. 2025-03-12T10:00:00+00:00)")
    if at > now:
        raise RevocationError("the revocation date is in the future")
    with transaction.atomic():
        row = SigningKey.objects.select_for_update().filter(kid=kid).first()
        if row is None:
            raise RevocationError(f"no signing key {kid}")
        if row.revoked_at is not None and row.revoked_at <= at:
            raise RevocationError(f"key {kid} is already revoked from {row.revoked_at.isoformat()}")
        previous = row.status
        SigningKey.objects.filter(pk=row.pk).update(status=SigningKey.Status.REVOKED, revoked_at=at)
        record("signing_key.revoked", actor, object_type="signing_key", object_id=kid, data={
            "revoked_at": at.isoformat(), "previous_status": previous, "reason": reason[:200],
        })
        row.refresh_from_db()
    return row
