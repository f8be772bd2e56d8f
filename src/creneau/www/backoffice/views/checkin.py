"""Check-in at the counter: read the convocation's QR code (or type its short code or the request's
reference), compare the identity document, record the arrival, then "received" or "absent".

The checks live in ``creneau.proofs.convocation``; the writes are the booking actions
(``do_check_in``, ``do_mark_attended``, ``do_mark_no_show``). Everything is scoped to the agent's
prefectures by ``staff_view`` (another prefecture's pages and objects are a 404, audited).
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from creneau.accounts import roles
from creneau.accounts.actions import record_security_event
from creneau.booking.actions import ActionError, do_check_in, do_mark_attended, do_mark_no_show
from creneau.booking.models import Offer, Prefecture, Site
from creneau.proofs.convocation import CheckinError, check_appointment, find_appointment, today_at

from ..access import actor_for, profile, scoped, staff_view

# Look at the check-in pages: every counter role, and auditors. Record arrivals and outcomes: the
# roles that work at a counter (the same set that may correct an identity; helpers and auditors not).
VIEW = roles.VIEW_DAY
CHECK_IN = roles.CORRECT_IDENTITY

# Refusals worth an entry in the security log: a forged or foreign convocation shown at a counter.
SUSPICIOUS = {"forged", "unknown_key", "revoked_key", "bad_algorithm", "other_prefecture"}

SHOWN_TODAY = (Offer.Status.CONFIRMED, Offer.Status.ATTENDED, Offer.Status.NO_SHOW)
# What the appointment page may show (an appointment, whatever became of it).
SHOWN = (*SHOWN_TODAY, Offer.Status.CANCELLED, Offer.Status.CANCELLED_BY_PREFECTURE)


class LookupForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("QR code, code court ou référence"),
        help_text=gettext_lazy(
            "Lisez le QR code de la convocation avec la caméra ou une douchette, ou saisissez "
            "le code court de 8 caractères imprimé dessous, ou la référence de la demande."
        ),
        max_length=8000,
        required=False,
        strip=True,
    )


def _site(request: HttpRequest, prefecture: Prefecture, site_id: int) -> Site:
    found: Site = scoped(
        request, Site.objects.select_related("prefecture"), prefecture, "prefecture", "site", pk=site_id
    )
    return found


def _day_bounds(day: datetime.date, prefecture: Prefecture) -> tuple[datetime.datetime, datetime.datetime]:
    tz = prefecture.tz
    begin = datetime.datetime.combine(day, datetime.time(), tz)
    return begin, datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tz)


def _today(site: Site, day: datetime.date) -> dict[str, object]:
    """Today's appointments at the site, and the counts (expected, arrived, received, absent)."""
    begin, end = _day_bounds(day, site.prefecture)
    offers = list(
        Offer.objects.filter(
            slot__site=site, slot__start__gte=begin, slot__start__lt=end, status__in=list(SHOWN_TODAY)
        )
        .select_related("request__applicant", "request__procedure", "slot__desk")
        .order_by("slot__start")
    )
    tz = site.prefecture.tz
    rows = [{"offer": o, "local": o.slot.start.astimezone(tz)} for o in offers]
    counts = {
        "expected": sum(1 for o in offers if o.status == Offer.Status.CONFIRMED and o.arrived_at is None),
        "arrived": sum(1 for o in offers if o.status == Offer.Status.CONFIRMED and o.arrived_at is not None),
        "attended": sum(1 for o in offers if o.status == Offer.Status.ATTENDED),
        "no_show": sum(1 for o in offers if o.status == Offer.Status.NO_SHOW),
    }
    return {"rows": rows, "counts": counts}


@staff_view(VIEW)
def checkin_sites(request: HttpRequest, prefecture: Prefecture) -> HttpResponse:
    sites = list(prefecture.sites.filter(is_active=True).order_by("name"))
    if len(sites) == 1:
        return redirect("backoffice:checkin", code=prefecture.code, site_id=sites[0].pk)
    return render(request, "backoffice/checkin_sites.html", {"prefecture": prefecture, "sites": sites})


@staff_view(VIEW, methods=("GET", "POST"))
def checkin(request: HttpRequest, prefecture: Prefecture, site_id: int) -> HttpResponse:
    """The reading page: a form that works without JavaScript; the camera fills it where it can."""
    site = _site(request, prefecture, site_id)
    day = today_at(site)
    form = LookupForm(request.POST or None)
    refusal: CheckinError | None = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            offer = find_appointment(form.cleaned_data["code"], site=site, today_local=day)
        except CheckinError as exc:
            refusal = exc
            status = 400
            if exc.reason in SUSPICIOUS:
                record_security_event(
                    "checkin.refused",
                    actor_for(request),
                    prefecture_code=prefecture.code,
                    data={"reason": exc.reason, "site": site.pk, "detail": str(exc.detail)[:200]},
                )
            form = LookupForm()  # an empty field, ready for the next reading
        else:
            return redirect(
                "backoffice:checkin_appointment",
                code=prefecture.code,
                site_id=site.pk,
                reference=offer.request.reference,
            )
    return render(
        request,
        "backoffice/checkin.html",
        {
            "prefecture": prefecture,
            "site": site,
            "day": day,
            "lookup": form,
            "refusal": refusal,
            "can_check_in": roles.can(profile(request), CHECK_IN),
            **_today(site, day),
        },
        status=status,
    )


def _offer(request: HttpRequest, prefecture: Prefecture, site: Site, reference: str) -> Offer:
    """The request's latest appointment at this site (404 if none; audited if the request is elsewhere)."""
    offers = (
        Offer.objects.select_related(
            "request__applicant", "request__prefecture", "request__procedure", "slot__site", "slot__desk"
        )
        .filter(status__in=list(SHOWN))
        .order_by("-created_at")
    )
    offer: Offer = scoped(
        request, offers, prefecture, "request__prefecture", "request", request__reference=reference
    )
    if offer.slot.site_id != site.pk:
        here = offers.filter(
            request__prefecture=prefecture, request__reference=reference, slot__site=site
        ).first()
        if here is None:
            raise Http404
        offer = here
    return offer


@staff_view(VIEW)
def checkin_appointment(
    request: HttpRequest, prefecture: Prefecture, site_id: int, reference: str
) -> HttpResponse:
    """The appointment found: the identity to compare with the document, and the next step."""
    site = _site(request, prefecture, site_id)
    offer = _offer(request, prefecture, site, reference)
    day = today_at(site)
    problem = None
    if offer.status == Offer.Status.CONFIRMED:
        try:
            check_appointment(offer, site=site, today_local=day)
        except CheckinError as exc:
            problem = exc
    applicant = offer.request.applicant
    started = offer.slot.start <= timezone.now()
    return render(
        request,
        "backoffice/checkin_appointment.html",
        {
            "prefecture": prefecture,
            "site": site,
            "offer": offer,
            "filed": offer.request,
            "applicant": applicant,
            "local": offer.slot.start.astimezone(prefecture.tz),
            "problem": problem,
            "can_check_in": roles.can(profile(request), CHECK_IN),
            "may_arrive": offer.status == Offer.Status.CONFIRMED
            and offer.arrived_at is None
            and problem is None,
            "may_attend": offer.status == Offer.Status.CONFIRMED and offer.arrived_at is not None,
            "may_no_show": offer.status == Offer.Status.CONFIRMED and offer.arrived_at is None and started,
        },
    )


def _act(
    request: HttpRequest, prefecture: Prefecture, site_id: int, reference: str, what: str
) -> HttpResponse:
    site = _site(request, prefecture, site_id)
    offer = _offer(request, prefecture, site, reference)
    actor = actor_for(request)
    try:
        if what == "arrived":
            check_appointment(offer, site=site, today_local=today_at(site))
            do_check_in(offer, actor)
            messages.success(
                request, _("Arrivée enregistrée : %(name)s.") % {"name": offer.request.applicant}
            )
        elif what == "attended":
            do_mark_attended(offer, actor)
            messages.success(
                request, _("%(name)s a été reçu(e). Rendez-vous terminé.") % {"name": offer.request.applicant}
            )
        else:
            do_mark_no_show(offer, actor)
            messages.success(
                request,
                _(
                    "Absence enregistrée. La demande est close ; la personne peut déposer une "
                    "nouvelle demande."
                ),
            )
    except CheckinError as exc:
        messages.error(request, exc.message)
    except ActionError as exc:
        messages.error(request, exc.message)
    if what == "attended" and offer.status == Offer.Status.ATTENDED:
        return redirect("backoffice:checkin", code=prefecture.code, site_id=site.pk)
    return redirect(
        "backoffice:checkin_appointment",
        code=prefecture.code,
        site_id=site.pk,
        reference=offer.request.reference,
    )


@staff_view(CHECK_IN, methods=("POST",))
def checkin_arrived(
    request: HttpRequest, prefecture: Prefecture, site_id: int, reference: str
) -> HttpResponse:
    return _act(request, prefecture, site_id, reference, "arrived")


@staff_view(CHECK_IN, methods=("POST",))
def checkin_attended(
    request: HttpRequest, prefecture: Prefecture, site_id: int, reference: str
) -> HttpResponse:
    return _act(request, prefecture, site_id, reference, "attended")


@staff_view(CHECK_IN, methods=("POST",))
def checkin_no_show(
    request: HttpRequest, prefecture: Prefecture, site_id: int, reference: str
) -> HttpResponse:
    return _act(request, prefecture, site_id, reference, "no_show")
