"""What prefecture managers and agents change: sites, desks, opening templates, closures, slots,
and an identity typo corrected with a reason.

Same rules as every action: validate (``ActionError``, nothing changed), write in one
transaction, audit in that transaction. Scope (which prefecture the agent may touch) is checked
by the caller, which looked the objects up within the agent's prefecture.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creneau.audit.log import Actor, record
from creneau.booking.models import (
    Batch,
    Closure,
    Desk,
    Offer,
    OpeningTemplate,
    Prefecture,
    Procedure,
    Request,
    Site,
    Slot,
)
from creneau.booking.slots import generate_slots
from creneau.booking.workflow import ACTIVE
from creneau.identity.normalise import identity_key

from .base import ActionError, DuplicateActiveRequest
from .offers import do_cancel_by_prefecture

# --- Sites ----------------------------------------------------------------------------------------


@dataclass
class SiteData:
    name: str
    address: str
    postcode: str
    city: str
    step_free: bool = False
    accessibility: str = ""  # free text in French, shown to applicants
    access_info: str = ""
    is_active: bool = True


def do_save_site(prefecture: Prefecture, data: SiteData, actor: Actor, site: Site | None = None) -> Site:
    """Create a site of ``prefecture``, or change ``site`` (which must belong to it)."""
    if site is not None and site.prefecture_id != prefecture.pk:
        raise ActionError(_("Ce site n'appartient pas à cette préfecture."), code="scope")
    if (
        Site.objects.filter(prefecture=prefecture, name__iexact=data.name)
        .exclude(pk=site.pk if site is not None else 0)
        .exists()
    ):
        raise ActionError(_("Un site porte déjà ce nom dans cette préfecture."), code="duplicate_name")
    created = site is None
    if site is not None and site.is_active and not data.is_active:
        _check_no_open_future_slots(Slot.objects.filter(site=site), _("ce site"))
    with transaction.atomic():
        site = site or Site(prefecture=prefecture)
        before = _site_fields(site) if not created else {}
        site.name, site.address, site.postcode, site.city = data.name, data.address, data.postcode, data.city
        site.step_free, site.is_active = data.step_free, data.is_active
        site.accessibility = (
            {**(site.accessibility or {}), "fr": data.accessibility} if data.accessibility else {}
        )
        site.access_info = {**(site.access_info or {}), "fr": data.access_info} if data.access_info else {}
        site.save()
        after = _site_fields(site)
        record(
            "site.created" if created else "site.changed",
            actor,
            obj=site,
            prefecture_code=prefecture.code,
            data={"changed": sorted(k for k in after if before.get(k) != after[k])},
        )
    return site


def _site_fields(site: Site) -> dict[str, Any]:
    return {
        "name": site.name,
        "address": site.address,
        "postcode": site.postcode,
        "city": site.city,
        "step_free": site.step_free,
        "is_active": site.is_active,
        "accessibility": site.accessibility,
        "access_info": site.access_info,
    }


def _check_no_open_future_slots(slots: Any, what: Any) -> None:
    """Taking a site or desk out of service must not leave slots (or appointments) behind silently:
    the manager closes the coming days first, which withdraws the slots and re-queues appointments."""
    count = slots.filter(status=Slot.Status.OPEN, start__gte=timezone.now()).count()
    if count:
        raise ActionError(
            _(
                "%(count)s créneau(x) à venir sont ouverts pour %(what)s : enregistrez d'abord une fermeture "
                "couvrant ces jours (les rendez-vous seront remis en file et les demandeurs prévenus)."
            )
            % {"count": count, "what": what},
            code="open_slots",
        )


# --- Desks ----------------------------------------------------------------------------------------


def do_save_desk(
    site: Site,
    name: str,
    procedures: list[Procedure],
    actor: Actor,
    *,
    is_active: bool = True,
    desk: Desk | None = None,
) -> Desk:
    """Create or change a desk and the procedures it serves (the site then handles them too)."""
    if desk is not None and desk.site_id != site.pk:
        raise ActionError(_("Ce guichet n'appartient pas à ce site."), code="scope")
    if any(p.prefecture_id != site.prefecture_id for p in procedures):
        raise ActionError(_("Une des démarches n'appartient pas à cette préfecture."), code="scope")
    if (
        Desk.objects.filter(site=site, name__iexact=name)
        .exclude(pk=desk.pk if desk is not None else 0)
        .exists()
    ):
        raise ActionError(_("Un guichet porte déjà ce nom sur ce site."), code="duplicate_name")
    created = desk is None
    if desk is not None and desk.is_active and not is_active:
        _check_no_open_future_slots(Slot.objects.filter(desk=desk), _("ce guichet"))
    with transaction.atomic():
        desk = desk or Desk(site=site)
        desk.name, desk.is_active = name, is_active
        desk.save()
        desk.procedures.set(procedures)
        for procedure in procedures:
            procedure.sites.add(site)
        record(
            "desk.created" if created else "desk.changed",
            actor,
            obj=desk,
            prefecture_code=site.prefecture.code,
            data={
                "site": site.pk,
                "name": name,
                "active": is_active,
                "procedures": sorted(p.kind for p in procedures),
            },
        )
    return desk


# --- Opening templates ----------------------------------------------------------------------------


@dataclass
class TemplateData:
    weekdays: list[int]
    start_time: datetime.time
    end_time: datetime.time
    slot_minutes: int
    procedures: list[Procedure]
    break_start: datetime.time | None = None
    break_end: datetime.time | None = None
    interpreter_languages: list[str] = field(default_factory=list)
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None


def _minutes(t: datetime.time) -> int:
    return t.hour * 60 + t.minute


def check_template(desk: Desk, data: TemplateData, template: OpeningTemplate | None = None) -> None:
    if not data.weekdays or any(not 0 <= d <= 6 for d in data.weekdays):
        raise ActionError(_("Choisissez au moins un jour de la semaine."), code="weekdays")
    if data.start_time >= data.end_time:
        raise ActionError(_("L'heure de fin doit être après l'heure de début."), code="hours")
    if (data.break_start is None) != (data.break_end is None):
        raise ActionError(_("Indiquez le début et la fin de la pause, ou aucune des deux."), code="break")
    if (
        data.break_start
        and data.break_end
        and not (data.start_time < data.break_start < data.break_end < data.end_time)
    ):
        raise ActionError(_("La pause doit commencer et finir pendant les heures d'ouverture."), code="break")
    if not 5 <= data.slot_minutes <= 240:
        raise ActionError(
            _("La durée d'un rendez-vous doit être comprise entre 5 et 240 minutes."), code="length"
        )
    if _minutes(data.end_time) - _minutes(data.start_time) < data.slot_minutes:
        raise ActionError(_("L'ouverture est plus courte qu'un rendez-vous."), code="length")
    if not data.procedures:
        raise ActionError(_("Choisissez au moins une démarche."), code="procedures")
    served = set(desk.procedures.values_list("pk", flat=True))
    if any(p.pk not in served for p in data.procedures):
        raise ActionError(_("Ce guichet ne traite pas une des démarches choisies."), code="procedures")
    too_long = [p for p in data.procedures if p.duration_minutes > data.slot_minutes]
    if too_long:
        raise ActionError(
            _(
                "Un rendez-vous de %(minutes)s minutes est trop court pour « %(procedure)s » "
                "(%(needed)s minutes)."
            )
            % {
                "minutes": data.slot_minutes,
                "procedure": too_long[0].get_kind_display(),
                "needed": too_long[0].duration_minutes,
            },
            code="length",
        )
    if data.valid_from and data.valid_until and data.valid_from > data.valid_until:
        raise ActionError(_("La date de fin de validité doit suivre la date de début."), code="validity")
    others = OpeningTemplate.objects.filter(desk=desk, weekday__in=data.weekdays).exclude(
        pk=template.pk if template is not None else 0
    )
    for other in others:
        overlap_hours = other.start_time < data.end_time and data.start_time < other.end_time
        overlap_dates = (
            not other.valid_until or not data.valid_from or data.valid_from <= other.valid_until
        ) and (not data.valid_until or not other.valid_from or other.valid_from <= data.valid_until)
        if overlap_hours and overlap_dates:
            raise ActionError(
                _("Ces horaires chevauchent une autre ouverture de ce guichet le %(day)s.")
                % {"day": other.get_weekday_display()},
                code="overlap",
            )


def do_save_templates(
    desk: Desk, data: TemplateData, actor: Actor, template: OpeningTemplate | None = None
) -> list[OpeningTemplate]:
    """Create one template per chosen weekday, or change ``template`` (then exactly one weekday).

    Existing slots are not touched: a changed template applies to slots generated afterwards.
    """
    if template is not None and (template.desk_id != desk.pk or len(data.weekdays) != 1):
        raise ActionError(_("Modifiez une ouverture à la fois, pour un seul jour."), code="weekdays")
    check_template(desk, data, template)
    saved = []
    with transaction.atomic():
        for weekday in sorted(set(data.weekdays)):
            t = template or OpeningTemplate(desk=desk)
            t.weekday, t.start_time, t.end_time = weekday, data.start_time, data.end_time
            t.break_start, t.break_end, t.slot_minutes = data.break_start, data.break_end, data.slot_minutes
            t.interpreter_languages = list(data.interpreter_languages)
            t.valid_from, t.valid_until = data.valid_from, data.valid_until
            t.save()
            t.procedures.set(data.procedures)
            saved.append(t)
            record(
                "template.changed" if template else "template.created",
                actor,
                object_type="openingtemplate",
                object_id=str(t.pk),
                prefecture_code=desk.site.prefecture.code,
                data={
                    "desk": desk.pk,
                    "weekday": weekday,
                    "start": data.start_time.isoformat(),
                    "end": data.end_time.isoformat(),
                    "slot_minutes": data.slot_minutes,
                    "break": [data.break_start.isoformat(), data.break_end.isoformat()]
                    if data.break_start and data.break_end
                    else None,
                    "procedures": sorted(p.kind for p in data.procedures),
                },
            )
    return saved


def do_delete_template(template: OpeningTemplate, actor: Actor) -> None:
    """Remove an opening template. Slots already generated stay (close the days to withdraw them)."""
    with transaction.atomic():
        record(
            "template.deleted",
            actor,
            object_type="openingtemplate",
            object_id=str(template.pk),
            prefecture_code=template.desk.site.prefecture.code,
            data={
                "desk": template.desk_id,
                "weekday": template.weekday,
                "start": template.start_time.isoformat(),
                "end": template.end_time.isoformat(),
            },
        )
        template.delete()


# --- Slots ----------------------------------------------------------------------------------------


def do_generate_slots(
    prefecture: Prefecture, weeks: int, actor: Actor, start: datetime.date | None = None
) -> int:
    """Generate ``weeks`` weeks of slots from tomorrow (prefecture's local date), skipping the
    prefecture's public holidays and closures. Idempotent: a second run creates nothing."""
    if not 1 <= weeks <= settings.CRENEAU_SLOT_WEEKS_MAX:
        raise ActionError(
            _("Indiquez un nombre de semaines entre 1 et %(max)s.")
            % {"max": settings.CRENEAU_SLOT_WEEKS_MAX},
            code="weeks",
        )
    start = start or timezone.localdate(timezone=prefecture.tz) + datetime.timedelta(days=1)
    with transaction.atomic():
        created = generate_slots(prefecture, start, weeks * 7)
        record(
            "slots.generated",
            actor,
            object_type="prefecture",
            object_id=prefecture.code,
            prefecture_code=prefecture.code,
            data={"from": start.isoformat(), "days": weeks * 7, "created": created},
        )
    return created


# --- Closures -------------------------------------------------------------------------------------


@dataclass
class ClosureResult:
    closure: Closure
    withdrawn: int
    cancelled_offers: list[int]


def cancel_offer_for_closure(offer: Offer, actor: Actor, reason: str) -> None:
    """The swap point: a prefecture cancels one live offer or appointment (desk closed).

    Delegates to ``creneau.booking.actions.offers.do_cancel_by_prefecture``: the offer becomes
    ``cancelled_pref``, the request goes back to ``pending`` at the top of its priority class
    (``requeued_top``) and the applicant is notified.
    """
    do_cancel_by_prefecture(offer, actor, reason)


def do_close(
    site: Site,
    start_date: datetime.date,
    end_date: datetime.date,
    reason: str,
    actor: Actor,
    desk: Desk | None = None,
) -> ClosureResult:
    """Close a site, or one of its desks, on local dates ``start_date``…``end_date``.

    Its open slots on those days are withdrawn; each live offer or appointment they held is
    cancelled by the prefecture, which puts the request back at the top of its priority class
    and notifies the applicant. Nothing disappears silently. Future slot generation skips them.
    """
    prefecture = site.prefecture
    if desk is not None and desk.site_id != site.pk:
        raise ActionError(_("Ce guichet n'appartient pas à ce site."), code="scope")
    reason = reason.strip()
    if not reason:
        raise ActionError(_("Indiquez le motif de la fermeture."), code="reason")
    if start_date > end_date:
        raise ActionError(_("La date de fin doit suivre la date de début."), code="dates")
    today = timezone.localdate(timezone=prefecture.tz)
    if start_date < today:
        raise ActionError(_("Une fermeture ne peut pas commencer dans le passé."), code="past")
    if (end_date - start_date).days > 366:
        raise ActionError(_("Une fermeture dure au plus un an."), code="too_long")
    tz = prefecture.tz
    begin = datetime.datetime.combine(start_date, datetime.time(), tz)
    end = datetime.datetime.combine(end_date + datetime.timedelta(days=1), datetime.time(), tz)
    with transaction.atomic():
        # An allocation run holds its batch row locked while it reads slots and writes offers. Taking
        # the prefecture's not-yet-allocated batch rows here serialises the closure with any run:
        # either the run's offers exist and are cancelled below, or the run starts after this commit
        # and no longer sees the withdrawn slots. (A no-op on SQLite, whose writers are serial.)
        list(
            Batch.objects.select_for_update(of=("self",))
            .filter(prefecture=prefecture, run__isnull=True)
            .values_list("pk")
        )
        closure = Closure.objects.create(
            site=site, desk=desk, start_date=start_date, end_date=end_date, reason=reason[:200]
        )
        slots = Slot.objects.select_for_update().filter(
            site=site, start__gte=begin, start__lt=end, status=Slot.Status.OPEN
        )
        if desk is not None:
            slots = slots.filter(desk=desk)
        slot_ids = list(slots.values_list("pk", flat=True))
        offers = list(
            Offer.objects.filter(slot_id__in=slot_ids, status__in=list(Offer.LIVE))
            .select_related("request__prefecture", "request__applicant", "slot")
            .order_by("slot__start")
        )
        for offer in offers:
            cancel_offer_for_closure(offer, actor, reason[:200])
        withdrawn = Slot.objects.filter(pk__in=slot_ids, status=Slot.Status.OPEN).update(
            status=Slot.Status.WITHDRAWN
        )
        record(
            "closure.created",
            actor,
            object_type="closure",
            object_id=str(closure.pk),
            prefecture_code=prefecture.code,
            data={
                "site": site.pk,
                "desk": desk.pk if desk else None,
                "from": start_date.isoformat(),
                "to": end_date.isoformat(),
                "reason": reason[:200],
                "withdrawn_slots": withdrawn,
                "cancelled_offers": [o.pk for o in offers],
            },
        )
    return ClosureResult(closure, withdrawn, [o.pk for o in offers])


# --- Identity correction --------------------------------------------------------------------------

CORRECTABLE = ("surnames", "given_names", "birth_date", "nationality", "agdref_number", "passport_number")


def do_correct_identity(request: Request, changes: dict[str, Any], reason: str, actor: Actor) -> list[str]:
    """An agent corrects a typo in the applicant's identity, with a reason; both are audited.

    The one-person key is recomputed: if the corrected identity already holds another active
    request for this procedure, the correction is refused. Returns the changed field names.
    """
    reason = reason.strip()
    if not reason:
        raise ActionError(_("Indiquez le motif de la correction."), code="reason")
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise ActionError(_("Ce champ ne peut pas être corrigé."), code="field")
    applicant = request.applicant
    changed = [name for name in CORRECTABLE if name in changes and getattr(applicant, name) != changes[name]]
    if not changed:
        raise ActionError(_("Aucune modification à enregistrer."), code="unchanged")
    new = {name: changes.get(name, getattr(applicant, name)) for name in CORRECTABLE}
    if not (new["agdref_number"] or new["passport_number"]):
        raise ActionError(
            _("Indiquez le numéro étranger (AGDREF) ou le numéro de passeport."), code="document"
        )
    key = identity_key(new["surnames"], new["given_names"], new["birth_date"])
    try:
        with transaction.atomic():
            if (
                request.status in ACTIVE
                and Request.objects.filter(
                    prefecture_id=request.prefecture_id,
                    procedure_id=request.procedure_id,
                    identity_key=key,
                    status__in=list(ACTIVE),
                )
                .exclude(pk=request.pk)
                .exists()
            ):
                raise DuplicateActiveRequest()
            before = {name: str(getattr(applicant, name)) for name in changed}
            for name in changed:
                setattr(applicant, name, new[name])
            applicant.save(update_fields=changed)
            Request.objects.filter(pk=request.pk).update(identity_key=key)
            request.identity_key = key
            record(
                "identity.corrected",
                actor,
                obj=request,
                prefecture_code=request.prefecture.code,
                data={
                    "reason": reason[:500],
                    "fields": changed,
                    "before": before,
                    "after": {name: str(new[name]) for name in changed},
                },
            )
    except IntegrityError as exc:
        raise DuplicateActiveRequest() from exc
    return changed
