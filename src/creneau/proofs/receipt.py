"""The filing receipt: what the applicant keeps to prove when they asked, as a page and as a PDF.

``receipt_context`` is shared by the HTML receipt page and the PDF, so both say the same thing.
Times are shown in the prefecture's time zone (La Réunion is not in Paris time), with the zone.
"""

from __future__ import annotations

import datetime
import logging
import warnings
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from creneau.proofs.qr import qr_svg
from creneau.proofs.tokens import RECEIPT_TYP, sign_receipt, unverified_header

VERIFY_PATH = "/verifier/"
JWKS_PATH = "/.well-known/jwks.json"


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def utc_offset(moment: datetime.datetime) -> str:
    """``UTC+04:00`` (``UTC`` alone when there is no offset)."""
    offset = moment.utcoffset() or datetime.timedelta(0)
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def local_datetime_text(moment: datetime.datetime, tz: datetime.tzinfo) -> str:
    """"12 mars 2025 à 14:30" in the active language, in the given zone (the zone is named apart)."""
    local = moment.astimezone(tz)
    return _("%(date)s à %(time)s") % {
        "date": formats.date_format(local, "DATE_FORMAT"),
        "time": local.strftime("%H:%M"),
    }


def receipt_context(request: Any) -> dict[str, Any]:
    """Everything a receipt shows, under one ``receipt`` key; strings in the active language.

    Signs a fresh receipt token (same claims every time; only ``iat`` changes).
    """
    if request.filed_at is None or request.batch_id is None:
        raise ValueError(f"request {request.reference} is not filed: it has no receipt")
    prefecture = request.prefecture
    tz = prefecture.tz
    token = sign_receipt(request)
    filed_local = request.filed_at.astimezone(tz)
    closes_local = request.batch.closes_at.astimezone(tz)
    language = translation.get_language()
    return {
        "receipt": {
            "reference": request.reference,
            "applicant_name": str(request.applicant),
            "prefecture_name": prefecture.name,
            "procedure_name": request.procedure.get_kind_display(),
            "channel": request.get_channel_display(),
            "time_zone": prefecture.time_zone,
            "filed_at": filed_local,
            "filed_at_text": local_datetime_text(filed_local, tz),
            "filed_at_offset": utc_offset(filed_local),
            "batch_index": request.batch.index,
            "batch_closes_at": closes_local,
            "batch_closes_at_text": local_datetime_text(closes_local, tz),
            "batch_closes_at_offset": utc_offset(closes_local),
            "sites": [{"name": s.name, "address": s.full_address} for s in request.sites.order_by("name")],
            "documents": request.procedure.documents_in(language),
            "token": token,
            "token_type": RECEIPT_TYP,
            "kid": unverified_header(token)["kid"],
            "qr_svg": mark_safe(qr_svg(token, title=_("Preuve signée de la demande %(reference)s")  # noqa: S308
                                       % {"reference": request.reference})),
            "verify_url": site_url(VERIFY_PATH),
            "jwks_url": site_url(JWKS_PATH),
            "generated_at_text": local_datetime_text(timezone.now(), tz),
        }
    }


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the receipt is self-contained; refusing to fetch {url}")


def render_receipt_html(request: Any) -> str:
    """The standalone HTML the PDF is made from, in the applicant's language."""
    language = request.applicant.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            **receipt_context(request),
            "lang": language,
            "bidi": translation.get_language_bidi(),
        }
        return render_to_string("proofs/receipt.html", context)


def render_receipt_pdf(request: Any) -> bytes:
    """The receipt as a one-page A4 PDF (fonts subset: a few tens of kB)."""
    html = render_receipt_html(request)
    pdf: bytes = _weasyprint_html()(string=html, url_fetcher=_no_fetch).write_pdf()
    return pdf


def _weasyprint_html() -> Any:
    """WeasyPrint's HTML class, imported on first use (it loads Pango: slow, and only PDFs need it).

    Without the system library libharfbuzz-subset0, WeasyPrint 66+ warns at import that it will
    need it one day (it subsets fonts with fontTools meanwhile); that notice is for the deployer
    (see docs/proofs.md), not an error in a request.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        from weasyprint import HTML
    # WeasyPrint logs each rendering step, fontTools each font subset, at INFO: noise in our logs.
    for name in ("weasyprint.progress", "fontTools"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return HTML
