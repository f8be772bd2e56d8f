"""Turning a verified token into facts a person can read (the public verification page)."""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from creneau.booking.models import Prefecture, Procedure, Request
from creneau.proofs.receipt import local_datetime_text, utc_offset
from creneau.proofs.tokens import RECEIPT_TYP, ProofError, WrongType, unverified_header, verify_full

REASONS = {
    "malformed": gettext_lazy("Ce texte n'est pas une preuve Créneau : il est incomplet ou mal copié."),
    "bad_algorithm": gettext_lazy(
        "Cette preuve n'est pas signée avec l'algorithme de Créneau : elle est fausse."
    ),
    "unknown_key": gettext_lazy("Cette preuve est signée avec une clé que Créneau n'a jamais publiée : "
                                "elle est fausse, ou vient d'un autre service."),
    "revoked_key": gettext_lazy("La clé qui a signé cette preuve a été révoquée : la preuve n'est plus "
                                "valable. Téléchargez-en une nouvelle."),
    "bad_signature": gettext_lazy("La signature ne correspond pas : la preuve a été modifiée ou fabriquée."),
    "wrong_type": gettext_lazy("Créneau ne sait pas vérifier ce type de preuve."),
    "expired": gettext_lazy("Cette preuve a expiré."),
}
ATTESTATION_TYP = "creneau-attestation+jwt"  # = creneau.proofs.attestation.ATTESTATION_TYP
TYPE_NAMES = {
    RECEIPT_TYP: gettext_lazy("Accusé de réception d'une demande de rendez-vous"),
    ATTESTATION_TYP: gettext_lazy("Attestation d'attente d'un rendez-vous"),
}


@dataclass
class Outcome:
    ok: bool
    reason: str = ""
    message: str = ""
    type_name: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    summary: str = ""


def check(token: str, expected_typ: str | None = None) -> Outcome:
    """Verify a Créneau proof (of any known kind, or of ``expected_typ`` only) and describe it, or say
    in plain words why it is refused."""
    try:
        typ = expected_typ or unverified_header(token).get("typ")
        if typ not in TYPE_NAMES:
            raise WrongType(f"unknown typ {typ!r}")
        verified = verify_full(token, typ)
    except ProofError as exc:
        return Outcome(ok=False, reason=exc.reason, message=str(REASONS.get(exc.reason, exc.reason)))
    if typ == ATTESTATION_TYP:
        from creneau.proofs.attestation_render import describe

        described = describe(verified.claims)
        outcome = Outcome(ok=True, type_name=str(TYPE_NAMES[typ]), facts=described["facts"],
                          runs=described["runs"], summary=described["summary"])
        key = f"{verified.key.kid} ({verified.key.get_status_display()})"
        outcome.facts.append((_("Clé de signature"), key))
        return outcome
    facts = describe_receipt(verified.claims)
    signed_at = datetime.datetime.fromtimestamp(verified.claims.get("iat", 0), datetime.UTC)
    facts.append((_("Signée le"), f"{local_datetime_text(signed_at, datetime.UTC)} (UTC)"))
    facts.append((_("Clé de signature"), f"{verified.key.kid} ({verified.key.get_status_display()})"))
    return Outcome(ok=True, type_name=str(TYPE_NAMES[typ]), facts=facts)


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def describe_receipt(claims: dict[str, Any]) -> list[tuple[str, str]]:
    prefecture = Prefecture.objects.filter(code=claims.get("prefecture")).first()
    tz = prefecture.tz if prefecture is not None else zoneinfo.ZoneInfo("UTC")
    facts = [
        (_("Référence"), str(claims.get("ref", ""))),
        (_("Préfecture"), prefecture.name if prefecture is not None else str(claims.get("prefecture", ""))),
        (_("Démarche"), _label(Procedure.Kind, claims.get("procedure"))),
        (_("Lot"), _("lot n° %(index)s") % {"index": claims.get("batch")}),
    ]
    try:
        filed_at = datetime.datetime.fromisoformat(str(claims.get("filed_at")))
    except ValueError:
        filed_at = None
    if filed_at is not None:
        local = filed_at.astimezone(tz)
        when = f"{local_datetime_text(local, tz)} ({tz.key}, {utc_offset(local)})"
        facts.append((_("Demande déposée le"), when))
    facts.append((_("Déposée"), _label(Request.Channel, claims.get("channel"))))
    return facts
