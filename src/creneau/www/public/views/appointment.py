"""The applicant's appointment documents: the convocation (PDF) and the calendar file (.ics).

Only for the browser session that opened the private link, and only while the appointment is
confirmed: anything else is a 404 that reveals nothing.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from creneau.booking.models import Offer
from creneau.proofs.convocation import build_ics, render_convocation_pdf

from .common import SESSION_REQUESTS, request_in_session


def _appointment(request: HttpRequest, reference: str) -> Offer:
    filed = request_in_session(request, SESSION_REQUESTS, reference)
    offer = (
        filed.offers.filter(status=Offer.Status.CONFIRMED)
        .select_related("request__applicant", "request__prefecture", "request__procedure", "slot__site")
        .first()
    )
    if offer is None:
        raise Http404
    return offer


@never_cache
@require_GET
def convocation_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    offer = _appointment(request, reference)
    response = HttpResponse(render_convocation_pdf(offer), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="convocation-{offer.request.reference}.pdf"'
    return response


@never_cache
@require_GET
def calendar_ics(request: HttpRequest, reference: str) -> HttpResponse:
    offer = _appointment(request, reference)
    response = HttpResponse(build_ics(offer), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rendez-vous-{offer.request.reference}.ics"'
    return response
