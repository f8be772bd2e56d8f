"""Signed proofs as JWS compact tokens (RFC 7515), EdDSA over Ed25519 (RFC 8037).

Header: ``{"alg": "EdDSA", "kid": <RFC 7638 thumbprint>, "typ": <token type>}``; payload: a JSON
object of claims with ``iss`` (settings.SITE_URL) and ``iat`` (seconds since the epoch, UTC).
Anyone can verify a token with the JWKS at ``/.well-known/jwks.json`` and any JOSE library.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from joserfc import jws
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jws import JWSRegistry

from creneau.proofs.keys import ALG, active_key, public_key
from creneau.proofs.models import SigningKey

RECEIPT_TYP = "creneau-receipt+jwt"

MAX_TOKEN_LENGTH = 8000


class ProofError(Exception):
    """A token that does not prove anything. ``reason`` is a stable code, for pages and the API."""

    reason = "invalid"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.reason)
        self.detail = detail


class MalformedToken(ProofError):
    reason = "malformed"


class BadAlgorithm(ProofError):
    """``alg`` is not EdDSA (e.g. ``none``, or HS256 keyed with the public key)."""

    reason = "bad_algorithm"


class UnknownKey(ProofError):
    reason = "unknown_key"


class RevokedKey(ProofError):
    reason = "revoked_key"


class BadSignature(ProofError):
    reason = "bad_signature"


class WrongType(ProofError):
    reason = "wrong_type"


class Expired(ProofError):
    reason = "expired"


class _EdDSA(type(JWSRegistry.algorithms[ALG])):  # type: ignore[misc]
    # RFC 9864 deprecates "EdDSA" for the fully specified "Ed25519"; we keep "EdDSA", which every
    # JOSE library verifies today (see docs/proofs.md), so joserfc's deprecation warning is not wanted.
    security_warning = None


class _Registry(JWSRegistry):
    algorithms = {ALG: _EdDSA()}


_REGISTRY = _Registry(algorithms=[ALG])


@dataclass(frozen=True)
class Verified:
    claims: dict[str, Any]
    header: dict[str, Any]
    key: SigningKey


def _json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(claims: dict[str, Any], typ: str, *, expires_in: datetime.timedelta | None = None) -> str:
    """Sign ``claims`` with the active key. Adds ``iss`` and ``iat`` (and ``exp`` if asked)."""
    key = active_key()
    now = int(timezone.now().timestamp())
    payload = {"iss": settings.SITE_URL, "iat": now, **claims}
    if expires_in is not None:
        payload["exp"] = now + int(expires_in.total_seconds())
    header = {"alg": ALG, "kid": key.kid, "typ": typ}
    return jws.serialize_compact(header, _json(payload), key.private, registry=_REGISTRY)


def _b64decode(part: str) -> bytes:
    if not part or "=" in part:
        raise ValueError("empty or padded segment")
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _json_object(part: str) -> dict[str, Any]:
    try:
        value = json.loads(_b64decode(part))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise MalformedToken("segment is not base64url JSON") from exc
    if not isinstance(value, dict):
        raise MalformedToken("segment is not a JSON object")
    return value


def unverified_header(token: str) -> dict[str, Any]:
    """The header of a compact JWS, NOT verified: only for choosing the key or showing details."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:
        raise MalformedToken("not a JWS compact token")
    return _json_object(token.split(".", 1)[0])


def verify_full(token: str, expected_typ: str) -> Verified:
    """Check a token completely; raise a ``ProofError`` subclass naming the first problem found.

    Order: shape, algorithm, key id, signature, payload, type, expiry.
    """
    token = token.strip() if isinstance(token, str) else token
    header = unverified_header(token)
    if header.get("alg") != ALG:
        raise BadAlgorithm(f"alg {header.get('alg')!r} is not {ALG}")
    kid = header.get("kid")
    found = public_key(kid) if isinstance(kid, str) and kid else None
    if found is None:
        raise UnknownKey(f"no key {kid!r}")
    key, row = found
    if row.status == SigningKey.Status.REVOKED and row.revoked_at is None:
        raise RevokedKey(f"key {kid} was revoked")
    try:
        obj = jws.deserialize_compact(token, key, registry=_REGISTRY)
    except BadSignatureError as exc:
        raise BadSignature("the signature does not match") from exc
    except (JoseError, ValueError, binascii.Error) as exc:
        raise MalformedToken(str(exc)) from exc
    try:
        claims = json.loads(obj.payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedToken("payload is not JSON") from exc
    if not isinstance(claims, dict):
        raise MalformedToken("payload is not a JSON object")
    if row.status == SigningKey.Status.REVOKED and row.revoked_at is not None:
        # Revoked from ``revoked_at`` on (the earliest moment the key may have leaked): what it signed
        # before still holds, what it signed (or claims to have signed) since does not.
        iat = claims.get("iat")
        if not isinstance(iat, int | float) or isinstance(iat, bool) or iat >= row.revoked_at.timestamp():
            raise RevokedKey(f"key {kid} was revoked on {row.revoked_at.isoformat()}")
    if header.get("typ") != expected_typ:
        raise WrongType(f"typ {header.get('typ')!r}, expected {expected_typ!r}")
    exp = claims.get("exp")
    if exp is not None:
        if not isinstance(exp, int | float) or isinstance(exp, bool):
            raise MalformedToken("exp is not a number")
        if timezone.now().timestamp() >= exp:
            raise Expired("the token has expired")
    return Verified(claims=claims, header=header, key=row)


def verify(token: str, expected_typ: str) -> dict[str, Any]:
    """The claims of a valid token of type ``expected_typ``; a ``ProofError`` otherwise."""
    return verify_full(token, expected_typ).claims


def receipt_claims(request: Any) -> dict[str, Any]:
    """What a filing receipt proves. Only the reference identifies the request: no name, no contact
    detail, nothing personal (the token is printed as a QR code)."""
    filed_at = request.filed_at
    return {
        "ref": request.reference,
        "prefecture": request.prefecture.code,
        "procedure": request.procedure.kind,
        "batch": request.batch.index if request.batch_id else None,
        "filed_at": filed_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if filed_at else None,
        "channel": request.channel,
    }


def sign_receipt(request: Any) -> str:
    return sign(receipt_claims(request), RECEIPT_TYP)
