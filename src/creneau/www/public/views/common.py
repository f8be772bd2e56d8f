"""Helpers shared by the applicant pages: who is allowed to see which request, client address."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from creneau.audit.log import Actor
from creneau.booking.models import Request

SESSION_REQUESTS = "creneau_requests"
SESSION_DRAFTS = "creneau_drafts"
MAX_REMEMBERED = 10


def client_ip(http_request: HttpRequest) -> str | None:
    return http_request.META.get("REMOTE_ADDR") or None


def applicant_actor(http_request: HttpRequest, request: Request | None = None) -> Actor:
    return Actor.applicant(request.reference if request else "", ip_address=client_ip(http_request))


def remember(http_request: HttpRequest, key: str, reference: str) -> None:
    refs = [r for r in http_request.session.get(key, []) if r != reference]
    http_request.session[key] = [*refs, reference][-MAX_REMEMBERED:]


def forget(http_request: HttpRequest, key: str, reference: str) -> None:
    http_request.session[key] = [r for r in http_request.session.get(key, []) if r != reference]


def request_in_session(http_request: HttpRequest, key: str, reference: str) -> Request:
    """The request, if this browser session was given access to it; else 404 (reveal nothing)."""
    if reference not in http_request.session.get(key, []):
        raise Http404
    try:
        return Request.objects.select_related("applicant", "prefecture", "procedure", "batch").get(
            reference=reference
        )
    except Request.DoesNotExist as exc:
        raise Http404 from exc
