"""What the applicant can do from the status page: withdraw, change preferences or contact."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creneau.audit.log import Actor, record
from creneau.booking.models import ContactChallenge, Request, Site
from creneau.booking.workflow import ACTIVE, Status

from .base import ActionError, notify_applicant, transition
from .filing import _open_challenge, _start_challenge, check_code

WITHDRAWABLE = (Status.DRAFT, Status.PENDING, Status.OFFERED, Status.CONFIRMED, Status.SUSPENDED)


def _notify_all(request: Request, template: str, key: str) -> None:
    context = {"reference": request.reference, "prefecture_name": request.prefecture.name}
    notify_applicant(request, template, key, context)


def do_withdraw(request: Request, actor: Actor) -> None:
    """The applicant gives up their place. A live offer is released back to the next run."""
    if request.status not in WITHDRAWABLE:
        raise ActionError(_("Cette demande ne peut plus être retirée."), code="not_withdrawable")
    with transaction.atomic():
        live = request.offers.filter(status__in=["offered", "confirmed"])
        released = [o.pk for o in live]
        live.update(status="cancelled", responded_at=timezone.now(), reason="withdrawn")
        transition(request, Status.WITHDRAWN, actor, "request.withdrawn", data={"released_offers": released})
        _notify_all(request, "request_withdrawn", f"withdrawn:{request.reference}")


def do_update_preferences(
    request: Request, sites: list[Site], unavailable_dates: list[datetime.date], actor: Actor
) -> None:
    """Change acceptable sites and unavailable dates (never identity). Seniority is kept."""
    if request.status not in ACTIVE:
        raise ActionError(_("Cette demande n'est plus active."), code="not_active")
    allowed = set(request.procedure.sites.values_list("pk", flat=True))
    if not sites:
        raise ActionError(_("Choisissez au moins un lieu d'accueil."))
    if any(site.pk not in allowed for site in sites):
        raise ActionError(_("Un des lieux choisis ne traite pas cette démarche."))
    with transaction.atomic():
        locked = Request.objects.select_for_update().get(pk=request.pk)
        if locked.status not in ACTIVE:
            raise ActionError(_("Cette demande n'est plus active."), code="not_active")
        before = {
            "sites": sorted(locked.sites.values_list("pk", flat=True)),
            "dates": locked.unavailable_dates,
        }
        locked.unavailable_dates = sorted({d.isoformat() for d in unavailable_dates})
        locked.save(update_fields=["unavailable_dates"])
        locked.sites.set(sites)
        record(
            "request.preferences_changed",
            actor,
            obj=locked,
            prefecture_code=locked.prefecture.code,
            data={
                "before": before,
                "after": {"sites": sorted(s.pk for s in sites), "dates": locked.unavailable_dates},
            },
        )
        request.unavailable_dates = locked.unavailable_dates


def do_request_contact_change(request: Request, email: str, phone: str, actor: Actor) -> ContactChallenge:
    """Start a change of contact: a code goes to the NEW address; nothing changes until it is confirmed."""
    if request.status not in ACTIVE:
        raise ActionError(_("Cette demande n'est plus active."), code="not_active")
    if not (email or phone):
        raise ActionError(_("Indiquez une adresse électronique ou un numéro de téléphone mobile."))
    with transaction.atomic():
        request.challenges.filter(
            purpose=ContactChallenge.Purpose.CONTACT_CHANGE, used_at__isnull=True
        ).update(used_at=timezone.now())
        record("contact.change_requested", actor, obj=request, prefecture_code=request.prefecture.code)
        return _start_challenge(request, ContactChallenge.Purpose.CONTACT_CHANGE, email, phone)


def do_confirm_contact_change(request: Request, code: str, actor: Actor) -> None:
    challenge = _open_challenge(request, ContactChallenge.Purpose.CONTACT_CHANGE)
    check_code(challenge, code)
    with transaction.atomic():
        applicant = request.applicant
        old = {"email": bool(applicant.email), "phone": bool(applicant.phone)}
        applicant.email = challenge.new_email
        applicant.phone = challenge.new_phone
        applicant.save(update_fields=["email", "phone"])
        record(
            "contact.changed",
            actor,
            obj=request,
            prefecture_code=request.prefecture.code,
            data={"had": old, "has": {"email": bool(applicant.email), "phone": bool(applicant.phone)}},
        )
        _notify_all(request, "contact_changed", f"contact:{challenge.pk}")
