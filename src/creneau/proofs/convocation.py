"""The convocation: a signed check-in token (QR code + short code), the PDF and the calendar file.

The check-in token (``typ`` = ``creneau-checkin+jwt``) names one appointment (an ``Offer`` with
status confirmed) and is valid only on that appointment's local day: its ``exp`` is the end of that
day in the prefecture's time zone. At the counter, ``verify_checkin`` checks the signature, then
that the token is for this prefecture, this site and today, then that the appointment is still
confirmed. ``find_appointment`` does the same for what an agent typed: a token, the 8-character
short code printed under the QR code, or the request's reference (no signature then: the agent
compares the identity document).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from creneau.booking.models import Offer, Site
from creneau.proofs import tokens
from creneau.proofs.qr import qr_svg
from creneau.proofs.receipt import _no_fetch, _weasyprint_html, utc_offset

CHECKIN_TYP = "creneau-checkin+jwt"

# Offers an agent may look at the counter (the appointment, whatever became of it).
_SHOWN = (
    Offer.Status.CONFIRMED,
    Offer.Status.ATTENDED,
    Offer.Status.NO_SHOW,
    Offer.Status.CANCELLED,
    Offer.Status.CANCELLED_BY_PREFECTURE,
)


class CheckinError(tokens.ProofError):
    """Why a convocation (or a typed code) is refused at the counter: a stable ``reason`` code and
    a ``message`` in the active language, to show the agent as it is."""

    def __init__(self, reason: str, message: str, detail: str = "", offer: Offer | None = None) -> None:
        super().__init__(detail or reason)
        self.reason = reason
        self.message = message
        self.offer = offer

    def __str__(self) -> str:
        return self.message


def _token_message(error: tokens.ProofError) -> str:
    if isinstance(error, tokens.MalformedToken):
        return _(
            "Ce code n'est pas une convocation lisible. Saisissez le code court imprimé sous le QR code, "
            "ou la référence de la demande."
        )
    if isinstance(error, tokens.WrongType):
        return _(
            "Ce document n'est pas une convocation (par exemple un accusé de réception de demande). "
            "Demandez la convocation au rendez-vous."
        )
    if isinstance(error, tokens.UnknownKey):
        return _(
            "Convocation refusée : elle n'a pas été signée par Créneau (clé inconnue). Elle est peut-être "
            "falsifiée. Cherchez le rendez-vous par la référence de la demande."
        )
    if isinstance(error, tokens.RevokedKey):
        return _(
            "Convocation refusée : la clé qui l'a signée a été révoquée. Cherchez le rendez-vous par la "
            "référence de la demande."
        )
    # bad_signature, bad_algorithm, anything else: forged or altered.
    return _(
        "Convocation refusée : la signature ne correspond pas. Le document a été falsifié ou modifié. "
        "Cherchez le rendez-vous par la référence de la demande."
    )


def _refused_token(error: tokens.ProofError) -> CheckinError:
    reason = "forged" if error.reason in ("bad_signature", "bad_algorithm") else error.reason
    return CheckinError(reason, _token_message(error), detail=str(error))


def local_day_end(moment: datetime.datetime, tz: datetime.tzinfo) -> datetime.datetime:
    """The first instant of the next local day (an exclusive bound), in ``tz``."""
    day = moment.astimezone(tz).date() + datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=tz)


def checkin_claims(offer: Offer) -> dict[str, Any]:
    """What the QR code of a convocation proves: which appointment, where, which local day.

    No name, no contact detail: the agent compares the identity document with the record.
    """
    slot = offer.slot
    prefecture = offer.request.prefecture
    tz = prefecture.tz
    return {
        "offer": offer.pk,
        "code": offer.short_code,
        "ref": offer.request.reference,
        "prefecture": prefecture.code,
        "site": slot.site_id,
        "date": slot.start.astimezone(tz).date().isoformat(),
        "start": slot.start.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "exp": int(local_day_end(slot.start, tz).timestamp()),
    }


def sign_checkin(offer: Offer) -> str:
    return tokens.sign(checkin_claims(offer), CHECKIN_TYP)


def today_at(site: Site) -> datetime.date:
    """Today's date on the site's prefecture's wall clock."""
    return timezone.now().astimezone(site.prefecture.tz).date()


def _day_text(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _payload(token: str) -> dict[str, Any]:
    return tokens._json_object(token.strip().split(".")[1])


def verify_checkin(token: str, *, site: Site, today_local: datetime.date) -> Offer:
    """The confirmed appointment a convocation token names, checked for this site today; else a
    ``CheckinError``. Order: signature and type, prefecture, site, day, the appointment itself."""
    try:
        claims = tokens.verify(token, CHECKIN_TYP)
    except tokens.Expired as exc:
        # ``exp`` is the end of the appointment's local day, and the signature was checked first.
        claims = _payload(token)
        raise _other_day(claims, today_local) from exc
    except tokens.ProofError as exc:
        raise _refused_token(exc) from exc
    prefecture = site.prefecture
    if claims.get("prefecture") != prefecture.code:
        raise CheckinError(
            "other_prefecture",
            _(
                "Ce rendez-vous relève d'une autre préfecture (%(code)s). Le demandeur doit se présenter "
                "à la préfecture indiquée sur sa convocation."
            )
            % {"code": claims.get("prefecture")},
        )
    if claims.get("site") != site.pk:
        other = Site.objects.filter(pk=_int(claims.get("site")), prefecture=prefecture).first()
        raise CheckinError(
            "other_site",
            _("Ce rendez-vous a lieu sur un autre site : %(site)s.") % {"site": other.name if other else "?"},
        )
    if claims.get("date") != today_local.isoformat():
        raise _other_day(claims, today_local)
    offer = (
        Offer.objects.select_related(
            "request__applicant", "request__prefecture", "request__procedure", "slot__site", "slot__desk"
        )
        .filter(
            pk=_int(claims.get("offer")),
            short_code=claims.get("code"),
            request__reference=claims.get("ref"),
            slot__site=site,
        )
        .first()
    )
    if offer is None:
        raise CheckinError("not_found", _("Aucun rendez-vous ne correspond à cette convocation."))
    check_appointment(offer, site=site, today_local=today_local)
    return offer


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def _other_day(claims: dict[str, Any], today_local: datetime.date) -> CheckinError:
    try:
        day = datetime.date.fromisoformat(str(claims.get("date")))
    except ValueError:
        return CheckinError("other_day", _("Cette convocation n'est pas pour aujourd'hui."))
    if day < today_local:
        message = _("Ce rendez-vous était le %(date)s : la convocation n'est plus valable.")
    else:
        message = _("Ce rendez-vous est le %(date)s, pas aujourd'hui.")
    return CheckinError("other_day", message % {"date": _day_text(day)})


def check_appointment(offer: Offer, *, site: Site, today_local: datetime.date) -> None:
    """Refuse (``CheckinError``) an appointment that is not at ``site`` today, or no longer confirmed."""
    prefecture = site.prefecture
    if offer.request.prefecture_id != prefecture.pk:
        raise CheckinError("other_prefecture", _("Ce rendez-vous relève d'une autre préfecture."))
    if offer.slot.site_id != site.pk:
        raise CheckinError(
            "other_site",
            _("Ce rendez-vous a lieu sur un autre site : %(site)s.") % {"site": offer.slot.site.name},
            offer=offer,
        )
    day = offer.slot.start.astimezone(prefecture.tz).date()
    if day != today_local:
        raise _other_day({"date": day.isoformat()}, today_local)
    if offer.status == Offer.Status.ATTENDED:
        raise CheckinError(
            "already_attended", _("Ce demandeur a déjà été reçu pour ce rendez-vous."), offer=offer
        )
    if offer.status != Offer.Status.CONFIRMED:
        raise CheckinError(
            "not_confirmed",
            _("Ce rendez-vous n'est plus valable : %(status)s.") % {"status": offer.get_status_display()},
            offer=offer,
        )


_TOKEN_RE = re.compile(r"^[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+$")
_SEPARATORS = re.compile(r"[\s\-‐‑–—_.]+")


def find_appointment(text: str, *, site: Site, today_local: datetime.date) -> Offer:
    """What the agent typed or the camera read: a convocation token, the short code printed under
    the QR code, or the request's reference. Only this prefecture's appointments are looked up."""
    raw = "".join(text.split())  # line breaks copied from a PDF, spaces typed between groups
    if not raw:
        raise CheckinError(
            "empty",
            _(
                "Lisez le QR code de la convocation, ou saisissez son code court ou la "
                "référence de la demande."
            ),
        )
    if raw.count(".") == 2 and len(raw) > 40:
        if not _TOKEN_RE.match(raw):
            raise _refused_token(tokens.MalformedToken("not base64url"))
        return verify_checkin(raw, site=site, today_local=today_local)
    compact = _SEPARATORS.sub("", raw).upper()
    offers = Offer.objects.select_related(
        "request__applicant", "request__prefecture", "request__procedure", "slot__site", "slot__desk"
    ).filter(request__prefecture=site.prefecture, status__in=_SHOWN)
    offer = None
    if len(compact) == 8:
        offer = offers.filter(short_code=compact).first()
        if offer is None:
            offer = (
                offers.filter(request__reference=f"{compact[:4]}-{compact[4:]}")
                .order_by("-created_at")
                .first()
            )
    if offer is None:
        raise CheckinError(
            "not_found",
            _(
                "Aucun rendez-vous de cette préfecture ne correspond à « %(code)s ». "
                "Vérifiez le code court (8 caractères) ou la référence."
            )
            % {"code": text.strip()[:40]},
        )
    check_appointment(offer, site=site, today_local=today_local)
    return offer


# --- The convocation as a document ------------------------------------------------------------


def _part(offer: Offer, language: str) -> dict[str, Any]:
    """The facts of the convocation, in ``language`` (one section of the bilingual PDF)."""
    request = offer.request
    prefecture = request.prefecture
    start = offer.slot.start.astimezone(prefecture.tz)
    with translation.override(language):
        return {
            "lang": language,
            "bidi": translation.get_language_bidi(),
            "procedure_name": str(request.procedure.get_kind_display()),
            "date_text": formats.date_format(start, "l j F Y"),
            "time_text": start.strftime("%H:%M"),
            "documents": request.procedure.documents_in(language),
            "access_info": _localized(offer.slot.site.access_info, language),
        }


def _localized(texts: Any, language: str) -> str:
    from creneau.booking.models.places import localized

    return localized(texts, language) if isinstance(texts, dict) else ""


def convocation_context(offer: Offer) -> dict[str, Any]:
    """Everything the convocation shows; ``parts`` holds the applicant's language, then French."""
    request = offer.request
    applicant = request.applicant
    prefecture = request.prefecture
    site = offer.slot.site
    start = offer.slot.start.astimezone(prefecture.tz)
    language = applicant.language or settings.LANGUAGE_CODE
    languages = [language] if language == "fr" else [language, "fr"]
    token = sign_checkin(offer)
    with translation.override(language):
        title = _("QR code de convocation au rendez-vous %(code)s") % {"code": offer.short_code}
    return {
        "lang": language,
        "languages": languages,
        "parts": [_part(offer, lang) for lang in languages],
        "reference": request.reference,
        "short_code": offer.short_code,
        "short_code_spaced": f"{offer.short_code[:4]} {offer.short_code[4:]}",
        "applicant_name": str(applicant),
        "birth_date": applicant.birth_date,
        "prefecture_name": prefecture.name,
        "site_name": site.name,
        "site_address": site.full_address,
        "time_zone": prefecture.time_zone,
        "utc_offset": utc_offset(start),
        "date_iso": start.date().isoformat(),
        "time_text": start.strftime("%H:%M"),
        "token": token,
        "qr_svg": mark_safe(qr_svg(token, title=title)),  # noqa: S308 (segno's own SVG, escaped title)
    }


def render_convocation_html(offer: Offer) -> str:
    context = convocation_context(offer)
    # The document's main language is the applicant's; each part sets its own lang and dir.
    with translation.override(context["lang"]):
        return render_to_string("proofs/convocation.html", context)


def render_convocation_pdf(offer: Offer) -> bytes:
    """The convocation as an A4 PDF, in the applicant's language and in French."""
    html = render_convocation_html(offer)
    pdf: bytes = _weasyprint_html()(string=html, url_fetcher=_no_fetch).write_pdf()
    return pdf


# --- The calendar file --------------------------------------------------------------------------


def build_ics(offer: Offer) -> bytes:
    """An RFC 5545 calendar with the appointment as one event, in the prefecture's time zone
    (VTIMEZONE included, DTSTART/DTEND with its TZID), in the applicant's language."""
    import icalendar

    request = offer.request
    prefecture = request.prefecture
    slot = offer.slot
    site = slot.site
    tz = prefecture.tz
    language = request.applicant.language or settings.LANGUAGE_CODE
    with translation.override(language):
        procedure_name = str(request.procedure.get_kind_display())
        summary = _("Rendez-vous en préfecture : %(procedure)s") % {"procedure": procedure_name}
        lines = [
            _("Préfecture : %(name)s") % {"name": prefecture.name},
            _("Lieu : %(site)s, %(address)s") % {"site": site.name, "address": site.full_address},
            _("Référence de la demande : %(reference)s") % {"reference": request.reference},
            _("Code court de la convocation : %(code)s") % {"code": offer.short_code},
            "",
            _("Documents à apporter :"),
            *[f"- {doc}" for doc in request.procedure.documents_in(language)],
            "",
            _("Apportez la convocation (PDF ou imprimée) et une pièce d'identité."),
        ]
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Créneau//Rendez-vous en préfecture//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    event = icalendar.Event()
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "creneau"
    event.add("uid", f"offer-{offer.pk}-{offer.short_code}@{host}")
    event.add("dtstamp", (offer.responded_at or offer.created_at).astimezone(datetime.UTC))
    event.add("dtstart", slot.start.astimezone(tz))
    event.add("dtend", slot.end.astimezone(tz))
    event.add("summary", summary)
    event.add("location", f"{site.name}, {site.full_address}")
    event.add("description", "\n".join(lines))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    # A VTIMEZONE for just the years around the appointment keeps the file small.
    year = slot.start.astimezone(tz).year
    calendar.add_missing_timezones(
        first_date=datetime.date(year - 1, 1, 1), last_date=datetime.date(year + 2, 1, 1)
    )
    ics: bytes = calendar.to_ical()
    return ics
