"""An attestation's claims as words: for its PDF (French, then the applicant's language) and web pages.

Everything shown comes from the signed claims, never from the database's current state, so the
paper, the public page and an offline check of the token all say the same thing.
"""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from creneau.booking.models import Language, Prefecture, Procedure, Request
from creneau.booking.workflow import Status
from creneau.proofs.attestation import NOT_REACHED, OFFERED, token_claims
from creneau.proofs.models import Attestation
from creneau.proofs.qr import qr_svg
from creneau.proofs.receipt import (
    JWKS_PATH,
    _no_fetch,
    _weasyprint_html,
    local_datetime_text,
    site_url,
    utc_offset,
)

CHECK_PATH = "/attestation/"


def check_url(code: str) -> str:
    """The public page that checks an attestation by its code (what its QR code holds)."""
    return site_url(f"{CHECK_PATH}{code}/")


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _when(text: str | None, tz: zoneinfo.ZoneInfo) -> tuple[datetime.datetime | None, str]:
    try:
        moment = datetime.datetime.fromisoformat(str(text)).astimezone(tz)
    except ValueError:
        return None, str(text or "")
    return moment, local_datetime_text(moment, tz)


def outcome_text(outcome: str) -> str:
    if outcome == NOT_REACHED:
        return _("non atteinte : tous les créneaux possibles sont allés à des demandes classées avant")
    if outcome == OFFERED:
        return _("rendez-vous proposé")
    return _("hors de la file à cette date (rendez-vous en cours ou demande suspendue)")


def rank_class_text(priority: Any, batch_class: str) -> str:
    lot = (
        _("lot plus ancien que celui de l'attribution")
        if batch_class == "older"
        else _("lot de l'attribution")
    )
    return f"{_label(Request.Priority, priority)}, {lot}"


def describe(claims: dict[str, Any], kid: str = "") -> dict[str, Any]:
    """Facts, runs and summary of an attestation, in the active language."""
    prefecture = Prefecture.objects.filter(code=claims.get("prefecture")).first()
    tz = prefecture.tz if prefecture is not None else zoneinfo.ZoneInfo("UTC")
    zone = f"{tz.key}"
    filed, filed_text = _when(claims.get("filed_at"), tz)
    _issued, issued_text = _when(claims.get("issued_at"), tz)
    facts = [
        (_("Référence"), str(claims.get("ref", ""))),
        (_("Demandeur"), str(claims.get("name", ""))),
        (_("Préfecture"), prefecture.name if prefecture is not None else str(claims.get("prefecture", ""))),
        (_("Démarche"), _label(Procedure.Kind, claims.get("procedure"))),
        (_("Demande déposée le"), f"{filed_text} ({zone}, {utc_offset(filed)})" if filed else filed_text),
        (_("Déposée"), _label(Request.Channel, claims.get("channel"))),
        (_("Lot"), _("lot n° %(index)s") % {"index": claims.get("batch")}),
        (_("Priorité"), _label(Request.Priority, claims.get("priority"))),
        (_("Situation à la date de l'attestation"), _label(Status, claims.get("status"))),
        (_("Attestation n°"), str(claims.get("code", ""))),
        (_("Délivrée le"), f"{issued_text} ({zone})"),
    ]
    if kid:
        facts.append((_("Clé de signature"), kid))
    runs = []
    weeks = set()
    for line in claims.get("runs") or []:
        moment, text = _when(line.get("at"), tz)
        if line.get("outcome") == NOT_REACHED and moment is not None:
            weeks.add(moment.isocalendar()[:2])
        runs.append(
            {
                "date": text,
                "batch": line.get("batch"),
                "allocated": line.get("allocated"),
                "allocated_procedure": line.get("allocated_procedure"),
                "slots": line.get("slots"),
                "outcome": outcome_text(str(line.get("outcome"))),
                "not_reached": line.get("outcome") == NOT_REACHED,
                "rank_class": rank_class_text(line.get("priority"), str(line.get("batch_class"))),
            }
        )
    not_reached = sum(1 for r in runs if r["not_reached"])
    summary = ngettext(
        "%(runs)s attribution de rendez-vous a eu lieu depuis le dépôt de la demande.",
        "%(runs)s attributions de rendez-vous ont eu lieu depuis le dépôt de la demande.",
        len(runs),
    ) % {"runs": len(runs)}
    if runs:
        summary += (
            " "
            + ngettext(
                "La demande n'a pas été atteinte lors de %(count)s d'entre elles,",
                "La demande n'a pas été atteinte lors de %(count)s d'entre elles,",
                not_reached,
            )
            % {"count": not_reached}
            + " "
            + ngettext(
                "au cours de %(weeks)s semaine.", "au cours de %(weeks)s semaines différentes.", len(weeks)
            )
            % {"weeks": len(weeks)}
        )
    return {
        "facts": facts,
        "runs": runs,
        "summary": summary,
        "time_zone": zone,
        "not_reached": not_reached,
        "weeks": len(weeks),
    }


def _body(claims: dict[str, Any], kid: str, language: str) -> SafeString:
    with translation.override(language):
        return mark_safe(  # noqa: S308 (our own template, autoescaped)
            render_to_string(
                "proofs/attestation_body.html",
                {
                    "a": describe(claims, kid),
                    "check_url": check_url(str(claims.get("code"))),
                    "jwks_url": site_url(JWKS_PATH),
                    "code": claims.get("code"),
                },
            )
        )


def render_attestation_html(attestation: Attestation, language: str | None = None) -> str:
    """The standalone HTML the PDF is made from: French, then the applicant's language if another."""
    claims = token_claims(attestation.token)
    language = language or attestation.request.applicant.language or settings.LANGUAGE_CODE
    other = None
    if language != "fr":
        with translation.override(language):
            other = {
                "lang": language,
                "bidi": translation.get_language_bidi(),
                "body": _body(claims, attestation.kid, language),
                "name": _label(Language, language),
            }
    with translation.override("fr"):
        return render_to_string(
            "proofs/attestation.html",
            {
                "body": _body(claims, attestation.kid, "fr"),
                "other": other,
                "claims": claims,
                "token": attestation.token,
                "qr_svg": mark_safe(  # noqa: S308 (segno output)
                    qr_svg(check_url(attestation.code), title=f"Attestation {attestation.code}")
                ),
            },
        )


def render_attestation_pdf(attestation: Attestation, language: str | None = None) -> bytes:
    html = render_attestation_html(attestation, language)
    pdf: bytes = _weasyprint_html()(string=html, url_fetcher=_no_fetch).write_pdf()
    return pdf
