"""From a served request to the counter: offers, confirmation, decline, lapse, cancellations, check-in.

Every function here is the one write path of its transition (validate, write, audit, outbox).
A slot freed by any of them is not republished anywhere: it is simply free again for the next
allocation run (the run takes every open slot that holds no live offer).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from creneau.audit.log import Actor, record
from creneau.booking.links import local_datetime, request_status_url
from creneau.booking.models import Offer, Request
from creneau.booking.workflow import Status
from creneau.notify.outbox import enqueue_many

from .base import ActionError, ConcurrentChange, notify_applicant, transition


def _offer_context(offer: Offer) -> dict[str, object]:
    request = offer.request
    slot = offer.slot
    lang = request.applicant.language
    with translation.override(lang):
        procedure_name = str(request.procedure.get_kind_display())
    return {
        "reference": request.reference,
        "prefecture_name": request.prefecture.name,
        "procedure_name": procedure_name,
        "appointment_local": local_datetime(slot.start, request.prefecture, lang),
        "place_name": slot.site.name,
        "place_address": slot.site.full_address,
        "documents": request.procedure.documents_in(lang),
        "deadline_local": local_datetime(offer.deadline, request.prefecture, lang),
        "status_url": request_status_url(request),
        "short_code": offer.short_code,
    }


def _send(request: Request, template: str, key: str, context: dict[str, object]) -> None:
    notify_applicant(request, template, key, context, sensitive=True)


def notify_offers(offers: QuerySet[Offer]) -> None:
    """Tell each applicant of a run's offers (inside the run's transaction, in one bulk insert;
    the worker renders each message in the applicant's language just before sending it).

    Reads plain values and formats each date, site and procedure once per language: a run may make
    tens of thousands of offers. The context is the same as ``_offer_context``'s.
    """
    from functools import cache

    from creneau.booking.links import private_token, status_url
    from creneau.booking.models import Procedure, Site

    first = offers.select_related("request__prefecture").first()
    if first is None:
        return
    prefecture = first.request.prefecture
    procedures = {p.pk: p for p in Procedure.objects.filter(prefecture=prefecture)}
    sites = {site.pk: site for site in Site.objects.filter(prefecture=prefecture)}

    @cache
    def when(moment: datetime.datetime, lang: str) -> str:
        return local_datetime(moment, prefecture, lang)

    @cache
    def procedure_texts(procedure_id: int, lang: str) -> tuple[str, tuple[str, ...]]:
        procedure = procedures[procedure_id]
        with translation.override(lang):
            return str(procedure.get_kind_display()), tuple(procedure.documents_in(lang))

    rows = offers.order_by("pk").values_list(
        "pk",
        "deadline",
        "short_code",
        "slot__start",
        "slot__site_id",
        "request__reference",
        "request__link_nonce",
        "request__procedure_id",
        "request__applicant__language",
        "request__applicant__email",
        "request__applicant__phone",
    )
    messages = []
    for (
        pk,
        deadline,
        short_code,
        start,
        site_id,
        reference,
        nonce,
        procedure_id,
        lang,
        email,
        phone,
    ) in rows.iterator(chunk_size=5000):
        procedure_name, documents = procedure_texts(procedure_id, lang)
        site = sites[site_id]
        context = {
            "reference": reference,
            "prefecture_name": prefecture.name,
            "procedure_name": procedure_name,
            "appointment_local": when(start, lang),
            "place_name": site.name,
            "place_address": site.full_address,
            "documents": list(documents),
            "deadline_local": when(deadline, lang),
            "status_url": status_url(reference, private_token(reference, nonce), lang),
            "short_code": short_code,
        }
        for channel, to in (("email", email), ("sms", phone)):
            if to:
                messages.append(
                    {
                        "key": f"offer:{pk}:{channel}",
                        "channel": channel,
                        "to": to,
                        "template": "offer_made",
                        "context": context,
                        "language": lang,
                        "sensitive": True,
                        "prefecture_code": prefecture.code,
                        "request_reference": reference,
                    }
                )
    enqueue_many(messages)


def _live_offer(request: Request, status: str) -> Offer:
    offer = request.offers.filter(status=status).select_related("slot__site", "request").first()
    if offer is None:
        raise ActionError(
            _("Aucun rendez-vous n'est en attente de réponse pour cette demande."), code="no_offer"
        )
    return offer


def _set_offer(offer: Offer, old: str, new: str, **fields: object) -> None:
    if Offer.objects.filter(pk=offer.pk, status=old).update(status=new, **fields) != 1:
        raise ConcurrentChange()
    offer.status = new


def do_confirm(request: Request, actor: Actor) -> Offer:
    """The applicant accepts the offered slot before its deadline: it becomes their appointment."""
    with transaction.atomic():
        offer = _live_offer(request, Offer.Status.OFFERED)
        now = timezone.now()
        if now >= offer.deadline:
            raise ActionError(
                _("Le délai pour confirmer ce rendez-vous est dépassé."), code="deadline_passed"
            )
        _set_offer(offer, Offer.Status.OFFERED, Offer.Status.CONFIRMED, responded_at=now)
        transition(request, Status.CONFIRMED, actor, "request.confirmed", data={"offer": offer.pk})
        _send(request, "offer_confirmed", f"confirmed:{offer.pk}", _offer_context(offer))
    return offer


def do_decline(request: Request, reason: str, actor: Actor) -> None:
    """The applicant declines: the request returns to the queue with its seniority (same batch)."""
    with transaction.atomic():
        offer = _live_offer(request, Offer.Status.OFFERED)
        _set_offer(
            offer,
            Offer.Status.OFFERED,
            Offer.Status.DECLINED,
            responded_at=timezone.now(),
            reason=reason[:200],
        )
        transition(request, Status.PENDING, actor, "request.declined", data={"offer": offer.pk})


def do_lapse_due(now: datetime.datetime | None = None, actor: Actor | None = None) -> int:
    """Offers not confirmed by their deadline lapse: the first time the request keeps its place in
    the queue (seniority kept); the second time it is suspended until the applicant reactivates it."""
    now = now or timezone.now()
    actor = actor or Actor.system("lapse_offers")
    count = 0
    due = Offer.objects.filter(status=Offer.Status.OFFERED, deadline__lte=now).select_related(
        "request__prefecture", "request__applicant", "slot__site"
    )[:500]
    for offer in due:
        request = offer.request
        try:
            with transaction.atomic():
                _set_offer(offer, Offer.Status.OFFERED, Offer.Status.LAPSED, responded_at=now)
                if request.lapse_count == 0:
                    transition(
                        request,
                        Status.PENDING,
                        actor,
                        "request.lapsed",
                        data={"offer": offer.pk},
                        lapse_count=1,
                    )
                    template = "offer_lapsed"
                else:
                    transition(
                        request,
                        Status.SUSPENDED,
                        actor,
                        "request.suspended",
                        data={"offer": offer.pk},
                        lapse_count=request.lapse_count + 1,
                    )
                    template = "request_suspended"
                _send(
                    request,
                    template,
                    f"lapsed:{offer.pk}",
                    {
                        "reference": request.reference,
                        "prefecture_name": request.prefecture.name,
                        "status_url": request_status_url(request),
                    },
                )
        except ActionError:
            continue
        count += 1
    return count


REMINDER_BEFORE = datetime.timedelta(hours=48)


def do_send_reminders(now: datetime.datetime | None = None) -> int:
    """Remind applicants of their confirmed appointment about two days before (once: keyed by offer)."""
    now = now or timezone.now()
    due = Offer.objects.filter(
        status=Offer.Status.CONFIRMED, slot__start__gt=now, slot__start__lte=now + REMINDER_BEFORE
    ).select_related("request__applicant", "request__prefecture", "request__procedure", "slot__site")
    count = 0
    for offer in due.iterator(chunk_size=500):
        with transaction.atomic():
            _send(offer.request, "appointment_reminder", f"reminder:{offer.pk}", _offer_context(offer))
        count += 1
    return count


def do_reactivate(request: Request, actor: Actor) -> None:
    """A suspended request goes back to the queue with its original batch (its seniority)."""
    if request.status != Status.SUSPENDED:
        raise ActionError(_("Cette demande n'est pas suspendue."), code="not_suspended")
    with transaction.atomic():
        transition(request, Status.PENDING, actor, "request.reactivated")


def do_cancel_by_applicant(request: Request, actor: Actor) -> None:
    """The applicant cancels a confirmed appointment; the slot goes to the next allocation run."""
    with transaction.atomic():
        offer = _live_offer(request, Offer.Status.CONFIRMED)
        _set_offer(offer, Offer.Status.CONFIRMED, Offer.Status.CANCELLED, responded_at=timezone.now())
        transition(
            request, Status.CANCELLED, actor, "request.appointment_cancelled", data={"offer": offer.pk}
        )
        _send(request, "appointment_cancelled", f"cancelled:{offer.pk}", _offer_context(offer))


def do_cancel_by_prefecture(offer: Offer, actor: Actor, reason: str) -> None:
    """The prefecture withdraws an offered or confirmed slot (desk closed, emergency): the request
    returns to the queue at the top of its priority class, and the applicant is told."""
    if not reason.strip():
        raise ActionError(_("Indiquez le motif de l'annulation."), code="reason")
    with transaction.atomic():
        offer = Offer.objects.select_related("request__prefecture", "request__applicant", "slot__site").get(
            pk=offer.pk
        )
        if offer.status not in Offer.LIVE:
            raise ActionError(_("Ce rendez-vous n'est plus actif."), code="not_live")
        old = offer.status
        _set_offer(
            offer, old, Offer.Status.CANCELLED_BY_PREFECTURE, responded_at=timezone.now(), reason=reason[:200]
        )
        request = offer.request
        transition(
            request,
            Status.PENDING,
            actor,
            "request.requeued_by_prefecture",
            data={"offer": offer.pk, "reason": reason[:200]},
            requeued_top=True,
        )
        _send(
            request,
            "appointment_cancelled_by_prefecture",
            f"pref_cancel:{offer.pk}",
            {**_offer_context(offer), "reason": reason[:200]},
        )


def do_check_in(offer: Offer, actor: Actor) -> None:
    """The applicant has arrived at the counter (the agent compared their identity document)."""
    with transaction.atomic():
        now = timezone.now()
        if (
            Offer.objects.filter(pk=offer.pk, status=Offer.Status.CONFIRMED, arrived_at__isnull=True).update(
                arrived_at=now
            )
            != 1
        ):
            raise ActionError(_("Ce rendez-vous n'attend pas d'arrivée."), code="not_expected")
        offer.arrived_at = now
        record(
            "appointment.arrived",
            actor,
            obj=offer.request,
            prefecture_code=offer.request.prefecture.code,
            data={"offer": offer.pk},
        )


def do_mark_attended(offer: Offer, actor: Actor) -> None:
    with transaction.atomic():
        if offer.arrived_at is None:
            raise ActionError(_("Enregistrez d'abord l'arrivée du demandeur."), code="not_arrived")
        _set_offer(offer, Offer.Status.CONFIRMED, Offer.Status.ATTENDED)
        transition(offer.request, Status.ATTENDED, actor, "request.attended", data={"offer": offer.pk})


def do_mark_no_show(offer: Offer, actor: Actor) -> None:
    """The applicant did not come: recorded and counted; the request ends (they may file again)."""
    with transaction.atomic():
        if offer.slot.start > timezone.now():
            raise ActionError(_("Le rendez-vous n'a pas encore eu lieu."), code="not_yet")
        _set_offer(offer, Offer.Status.CONFIRMED, Offer.Status.NO_SHOW)
        transition(offer.request, Status.NO_SHOW, actor, "request.no_show", data={"offer": offer.pk})
