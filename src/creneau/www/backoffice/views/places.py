"""Managers' pages: sites, desks, opening templates, closures, slot generation; and the day view."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from creneau.accounts import roles
from creneau.booking.actions import ActionError
from creneau.booking.actions.backoffice import (
    do_close,
    do_delete_template,
    do_generate_slots,
    do_save_desk,
    do_save_site,
    do_save_templates,
)
from creneau.booking.models import Closure, Desk, Offer, OpeningTemplate, Prefecture, Site, Slot

from ..access import actor_for, scoped, staff_view
from ..forms import ClosureForm, DayForm, DeskForm, GenerateSlotsForm, SiteForm, TemplateForm

MANAGE = roles.MANAGE_PLACES


def _form_page(
    request: HttpRequest,
    prefecture: Prefecture,
    form: object,
    title: str,
    submit: str,
    back: str,
    **extra: object,
) -> HttpResponse:
    return render(
        request,
        "backoffice/form.html",
        {"prefecture": prefecture, "form": form, "title": title, "submit": submit, "back": back, **extra},
        status=400 if getattr(form, "errors", None) else 200,
    )


# --- Sites ----------------------------------------------------------------------------------------


@staff_view(MANAGE)
def sites(request: HttpRequest, prefecture: Prefecture) -> HttpResponse:
    return render(
        request,
        "backoffice/sites.html",
        {
            "prefecture": prefecture,
            "sites": prefecture.sites.order_by("name").prefetch_related("desks__procedures"),
        },
    )


@staff_view(MANAGE, methods=("GET", "POST"))
def site_create(request: HttpRequest, prefecture: Prefecture) -> HttpResponse:
    form = SiteForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        try:
            site = do_save_site(prefecture, form.site_data(), actor_for(request))
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Site « %(name)s » créé.") % {"name": site.name})
            return redirect("backoffice:site", code=prefecture.code, site_id=site.pk)
    return _form_page(
        request,
        prefecture,
        form,
        _("Nouveau site"),
        _("Créer le site"),
        back=f"/agents/{prefecture.code}/sites/",
    )


@staff_view(MANAGE, methods=("GET", "POST"))
def site_edit(request: HttpRequest, prefecture: Prefecture, site_id: int) -> HttpResponse:
    site = scoped(request, Site.objects.all(), prefecture, "prefecture", "site", pk=site_id)
    form = SiteForm(request.POST or None, initial=SiteForm.initial_for(site))
    if request.method == "POST" and form.is_valid():
        try:
            do_save_site(prefecture, form.site_data(), actor_for(request), site=site)
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Site enregistré."))
            return redirect("backoffice:site", code=prefecture.code, site_id=site.pk)
    return render(
        request,
        "backoffice/site.html",
        {
            "prefecture": prefecture,
            "site": site,
            "form": form,
            "desks": site.desks.prefetch_related("procedures", "templates__procedures"),
        },
        status=400 if form.errors else 200,
    )


# --- Desks ----------------------------------------------------------------------------------------


@staff_view(MANAGE, methods=("GET", "POST"))
def desk_create(request: HttpRequest, prefecture: Prefecture, site_id: int) -> HttpResponse:
    site = scoped(request, Site.objects.all(), prefecture, "prefecture", "site", pk=site_id)
    form = DeskForm(request.POST or None, prefecture=prefecture, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            desk = do_save_desk(
                site, d["name"], list(d["procedures"]), actor_for(request), is_active=d["is_active"]
            )
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Guichet « %(name)s » créé.") % {"name": desk.name})
            return redirect("backoffice:desk", code=prefecture.code, desk_id=desk.pk)
    return _form_page(
        request,
        prefecture,
        form,
        _("Nouveau guichet — %(site)s") % {"site": site.name},
        _("Créer le guichet"),
        back=f"/agents/{prefecture.code}/sites/{site.pk}/",
    )


@staff_view(MANAGE, methods=("GET", "POST"))
def desk_edit(request: HttpRequest, prefecture: Prefecture, desk_id: int) -> HttpResponse:
    desk = scoped(
        request, Desk.objects.select_related("site"), prefecture, "site__prefecture", "desk", pk=desk_id
    )
    form = DeskForm(
        request.POST or None,
        prefecture=prefecture,
        initial={"name": desk.name, "is_active": desk.is_active, "procedures": list(desk.procedures.all())},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            do_save_desk(
                desk.site,
                d["name"],
                list(d["procedures"]),
                actor_for(request),
                is_active=d["is_active"],
                desk=desk,
            )
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Guichet enregistré."))
            return redirect("backoffice:desk", code=prefecture.code, desk_id=desk.pk)
    return render(
        request,
        "backoffice/desk.html",
        {
            "prefecture": prefecture,
            "desk": desk,
            "form": form,
            "templates": desk.templates.prefetch_related("procedures"),
        },
        status=400 if form.errors else 200,
    )


# --- Opening templates ----------------------------------------------------------------------------


@staff_view(MANAGE, methods=("GET", "POST"))
def template_create(request: HttpRequest, prefecture: Prefecture, desk_id: int) -> HttpResponse:
    desk = scoped(
        request, Desk.objects.select_related("site"), prefecture, "site__prefecture", "desk", pk=desk_id
    )
    form = TemplateForm(
        request.POST or None,
        desk=desk,
        initial={
            "weekdays": [0, 1, 2, 3, 4],
            "start_time": datetime.time(8, 30),
            "end_time": datetime.time(16, 0),
            "break_start": datetime.time(12, 0),
            "break_end": datetime.time(13, 30),
            "slot_minutes": 30,
            "procedures": list(desk.procedures.all()),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = do_save_templates(desk, form.template_data(), actor_for(request))
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)s ouverture hebdomadaire créée.",
                    "%(n)s ouvertures hebdomadaires créées.",
                    len(saved),
                )
                % {"n": len(saved)},
            )
            return redirect("backoffice:desk", code=prefecture.code, desk_id=desk.pk)
    return _form_page(
        request,
        prefecture,
        form,
        _("Nouvelle ouverture hebdomadaire — %(desk)s") % {"desk": desk},
        _("Enregistrer les horaires"),
        back=f"/agents/{prefecture.code}/guichets/{desk.pk}/",
        intro=_(
            "Heures locales de la préfecture (%(tz)s). Les créneaux déjà ouverts ne changent "
            "pas ; générez ensuite les créneaux des semaines à venir."
        )
        % {"tz": prefecture.time_zone},
    )


@staff_view(MANAGE, methods=("GET", "POST"))
def template_edit(request: HttpRequest, prefecture: Prefecture, template_id: int) -> HttpResponse:
    template = scoped(
        request,
        OpeningTemplate.objects.select_related("desk__site"),
        prefecture,
        "desk__site__prefecture",
        "template",
        pk=template_id,
    )
    desk = template.desk
    form = TemplateForm(
        request.POST or None,
        desk=desk,
        single_day=True,
        initial={
            "weekdays": template.weekday,
            "start_time": template.start_time,
            "end_time": template.end_time,
            "break_start": template.break_start,
            "break_end": template.break_end,
            "slot_minutes": template.slot_minutes,
            "procedures": list(template.procedures.all()),
            "interpreter_languages": template.interpreter_languages,
            "valid_from": template.valid_from,
            "valid_until": template.valid_until,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            do_save_templates(desk, form.template_data(), actor_for(request), template=template)
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Horaires enregistrés."))
            return redirect("backoffice:desk", code=prefecture.code, desk_id=desk.pk)
    return _form_page(
        request,
        prefecture,
        form,
        _("Modifier une ouverture — %(desk)s") % {"desk": desk},
        _("Enregistrer les horaires"),
        back=f"/agents/{prefecture.code}/guichets/{desk.pk}/",
    )


@staff_view(MANAGE, methods=("GET", "POST"))
def template_delete(request: HttpRequest, prefecture: Prefecture, template_id: int) -> HttpResponse:
    template = scoped(
        request,
        OpeningTemplate.objects.select_related("desk__site"),
        prefecture,
        "desk__site__prefecture",
        "template",
        pk=template_id,
    )
    desk = template.desk
    if request.method == "POST":
        do_delete_template(template, actor_for(request))
        messages.success(request, _("Ouverture supprimée. Les créneaux déjà ouverts restent."))
        return redirect("backoffice:desk", code=prefecture.code, desk_id=desk.pk)
    return render(
        request,
        "backoffice/confirm.html",
        {
            "prefecture": prefecture,
            "title": _("Supprimer cette ouverture ?"),
            "text": _(
                "%(day)s, %(start)s–%(end)s, %(desk)s. Les créneaux déjà ouverts restent : pour les retirer, "
                "fermez les jours concernés."
            )
            % {
                "day": template.get_weekday_display(),
                "start": template.start_time.strftime("%H:%M"),
                "end": template.end_time.strftime("%H:%M"),
                "desk": desk,
            },
            "submit": _("Supprimer"),
            "back": f"/agents/{prefecture.code}/guichets/{desk.pk}/",
        },
    )


# --- Closures and slots ---------------------------------------------------------------------------


@staff_view(MANAGE)
def closures(request: HttpRequest, prefecture: Prefecture) -> HttpResponse:
    today = timezone.localdate(timezone=prefecture.tz)
    return render(
        request,
        "backoffice/closures.html",
        {
            "prefecture": prefecture,
            "closures": Closure.objects.filter(site__prefecture=prefecture, end_date__gte=today)
            .select_related("site", "desk")
            .order_by("start_date"),
        },
    )


@staff_view(MANAGE, methods=("GET", "POST"))
def closure_create(request: HttpRequest, prefecture: Prefecture) -> HttpResponse:
    initial = {}
    if request.method == "GET":
        for name in ("site", "desk"):
            if request.GET.get(name, "").isdigit():
                initial[name] = int(request.GET[name])
    form = ClosureForm(request.POST or None, prefecture=prefecture, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            result = do_close(
                d["site"], d["start_date"], d["end_date"], d["reason"], actor_for(request), desk=d.get("desk")
            )
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _(
                    "Fermeture enregistrée : %(slots)s créneau(x) retiré(s), "
                    "%(offers)s rendez-vous annulé(s) ; "
                    "ces demandeurs repassent en tête de leur catégorie et sont prévenus."
                )
                % {"slots": result.withdrawn, "offers": len(result.cancelled_offers)},
            )
            return redirect("backoffice:closures", code=prefecture.code)
    return _form_page(
        request,
        prefecture,
        form,
        _("Fermer un site ou un guichet"),
        _("Enregistrer la fermeture"),
        back=f"/agents/{prefecture.code}/fermetures/",
        intro=_(
            "Les rendez-vous de ces jours sont annulés : les demandeurs sont prévenus et "
            "repassent en tête de leur catégorie au prochain tirage."
        ),
    )


@staff_view(MANAGE, methods=("GET", "POST"))
def slots_generate(request: HttpRequest, prefecture: Prefecture) -> HttpResponse:
    form = GenerateSlotsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = do_generate_slots(prefecture, form.cleaned_data["weeks"], actor_for(request))
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, ngettext("%(n)s créneau créé.", "%(n)s créneaux créés.", created) % {"n": created}
            )
            return redirect("backoffice:slots", code=prefecture.code)
    now = timezone.now()
    return _form_page(
        request,
        prefecture,
        form,
        _("Ouvrir des créneaux"),
        _("Générer les créneaux"),
        back=f"/agents/{prefecture.code}/",
        intro=_("%(n)s créneaux ouverts à venir.")
        % {"n": Slot.objects.filter(prefecture=prefecture, status=Slot.Status.OPEN, start__gte=now).count()},
    )


@staff_view(roles.VIEW_DAY)
def day(request: HttpRequest, prefecture: Prefecture, site_id: int) -> HttpResponse:
    site = scoped(request, Site.objects.all(), prefecture, "prefecture", "site", pk=site_id)
    tz = prefecture.tz
    form = DayForm(request.GET)
    chosen = form.cleaned_data.get("date") if form.is_valid() else None
    the_day = chosen or timezone.localdate(timezone=tz)
    begin = datetime.datetime.combine(the_day, datetime.time(), tz)
    end = datetime.datetime.combine(the_day + datetime.timedelta(days=1), datetime.time(), tz)
    slots = list(
        Slot.objects.filter(site=site, start__gte=begin, start__lt=end)
        .select_related("desk")
        .order_by("desk__name", "start")
    )
    offers = {
        o.slot_id: o
        for o in Offer.objects.filter(slot__in=slots, status__in=list(Offer.HOLDS_SLOT)).select_related(
            "request__applicant", "request__procedure"
        )
    }
    desks: dict[int, dict[str, Any]] = {}
    for desk in site.desks.order_by("name"):
        desks[desk.pk] = {"desk": desk, "rows": [], "free": 0, "booked": 0, "arrived": 0}
    for slot in slots:
        entry = desks.setdefault(
            slot.desk_id, {"desk": slot.desk, "rows": [], "free": 0, "booked": 0, "arrived": 0}
        )
        offer = offers.get(slot.pk)
        entry["rows"].append({"slot": slot, "local": slot.start.astimezone(tz), "offer": offer})
        if offer is None and slot.status == Slot.Status.OPEN:
            entry["free"] += 1
        elif offer is not None:
            entry["booked"] += 1
            if offer.arrived_at or offer.status == Offer.Status.ATTENDED:
                entry["arrived"] += 1
    return render(
        request,
        "backoffice/day.html",
        {
            "prefecture": prefecture,
            "site": site,
            "day": the_day,
            "desks": list(desks.values()),
            "previous": the_day - datetime.timedelta(days=1),
            "next": the_day + datetime.timedelta(days=1),
            "can_manage": roles.can(request.agent_profile, MANAGE),  # type: ignore[attr-defined]
            "can_arrive": roles.can(request.agent_profile, roles.RECORD_ARRIVAL),  # type: ignore[attr-defined]
        },
    )
