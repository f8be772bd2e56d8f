"""Capacity planning for managers: the prefecture's queue projected week by week (chart and table),
and the weekly slots it takes to bring the median wait under N days by a date.

Reading the data is ``creneau.stats.planning_data``; projecting is the pure
``creneau.simulation.capacity``. The page is a GET form: it changes nothing, works without JavaScript.
Capability: ``MANAGE_PLACES`` (managers open the slots, so they size them); no new capability.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from creneau.accounts import roles
from creneau.booking.models import Prefecture, Procedure
from creneau.simulation.capacity import DAYS_PER_WEEK, Projection, project, required_capacity
from creneau.stats.charts import bar_chart
from creneau.stats.planning_data import ALL, MAX_RATE, MIN_OUTCOMES, planning_input, week_start
from creneau.stats.privacy import Cell

from ..access import staff_view

DEFAULT_WEEKS = 26
MAX_WEEKS = 104
MAX_SLOTS = 100_000
MAX_TARGET_DAYS = 3650
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class PlanningForm(forms.Form):
    procedure = forms.ChoiceField(label=gettext_lazy("Démarche"), required=False)
    weeks = forms.IntegerField(
        label=gettext_lazy("Horizon (semaines)"),
        help_text=gettext_lazy("Vide : 26 semaines."),
        required=False,
        min_value=1,
        max_value=MAX_WEEKS,
        error_messages={
            "invalid": gettext_lazy("Indiquez un nombre entier de semaines."),
            "min_value": gettext_lazy("L'horizon doit compter au moins %(limit_value)s semaine."),
            "max_value": gettext_lazy("L'horizon ne peut dépasser %(limit_value)s semaines."),
        },
    )
    slots = forms.IntegerField(
        label=gettext_lazy("Créneaux par semaine à simuler"),
        help_text=gettext_lazy("Vide : la moyenne actuelle."),
        required=False,
        min_value=0,
        max_value=MAX_SLOTS,
        error_messages={
            "invalid": gettext_lazy("Indiquez un nombre entier de créneaux."),
            "min_value": gettext_lazy("Le nombre de créneaux ne peut pas être négatif."),
            "max_value": gettext_lazy("Au plus %(limit_value)s créneaux par semaine."),
        },
    )
    target_days = forms.IntegerField(
        label=gettext_lazy("Objectif : attente médiane d’au plus (jours)"),
        required=False,
        min_value=0,
        max_value=MAX_TARGET_DAYS,
        error_messages={
            "invalid": gettext_lazy("Indiquez un nombre entier de jours."),
            "min_value": gettext_lazy("Le nombre de jours ne peut pas être négatif."),
            "max_value": gettext_lazy("Au plus %(limit_value)s jours."),
        },
    )
    by = forms.DateField(
        label=gettext_lazy("… au plus tard le (JJ/MM/AAAA)"),
        required=False,
        input_formats=DATE_FORMATS,
        error_messages={"invalid": gettext_lazy("Indiquez une date au format JJ/MM/AAAA.")},
    )
    no_show_percent = forms.IntegerField(
        label=gettext_lazy("Taux d'absence (%)"),
        help_text=gettext_lazy("Vide : le taux mesuré."),
        required=False,
        min_value=0,
        max_value=round(MAX_RATE * 100),
        error_messages={
            "invalid": gettext_lazy("Indiquez un pourcentage entier."),
            "min_value": gettext_lazy("Un taux ne peut pas être négatif."),
            "max_value": gettext_lazy("Au plus %(limit_value)s %%."),
        },
    )
    lapse_percent = forms.IntegerField(
        label=gettext_lazy("Taux de propositions expirées (%)"),
        help_text=gettext_lazy("Vide : le taux mesuré."),
        required=False,
        min_value=0,
        max_value=round(MAX_RATE * 100),
        error_messages={
            "invalid": gettext_lazy("Indiquez un pourcentage entier."),
            "min_value": gettext_lazy("Un taux ne peut pas être négatif."),
            "max_value": gettext_lazy("Au plus %(limit_value)s %%."),
        },
    )

    def __init__(self, *args: Any, prefecture: Prefecture, start: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start = start
        kinds = Procedure.objects.filter(prefecture=prefecture).order_by("kind")
        self.procedure_choices: list[tuple[str, str]] = [("", _("Toutes les démarches"))] + [
            (p.kind, p.get_kind_display()) for p in kinds
        ]
        field = self.fields["procedure"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = self.procedure_choices
        field.error_messages["invalid_choice"] = _("Choisissez une démarche de la liste.")

    def clean_weeks(self) -> int:
        return self.cleaned_data.get("weeks") or DEFAULT_WEEKS

    def clean(self) -> dict[str, Any]:
        super().clean()
        data: dict[str, Any] = self.cleaned_data
        target, by = data.get("target_days"), data.get("by")
        if "target_days" in data and "by" in data and (target is None) != (by is None):
            self.add_error(
                "by" if by is None else "target_days",
                _("Indiquez à la fois le nombre de jours et la date de l'objectif."),
            )
        if by is not None:
            if by < self.start:
                self.add_error(
                    "by",
                    _("La date doit tomber au plus tôt le %(start)s, début de la projection.")
                    % {"start": self.start.strftime("%d/%m/%Y")},
                )
            elif (by - self.start).days // DAYS_PER_WEEK >= MAX_WEEKS:
                self.add_error(
                    "by",
                    _("La date ne peut être à plus de %(weeks)s semaines.") % {"weeks": MAX_WEEKS},
                )
        return data


def _projection_rows(projection: Projection) -> list[dict[str, Any]]:
    return [
        {
            "start": w.start,
            "arrivals": w.arrivals,
            "slots": w.slots,
            "served": w.served,
            "backlog": w.backlog,
            "median_wait_days": w.median_wait_days,
        }
        for w in projection.weeks
    ]


def _charts(projection: Projection) -> list[dict[str, Any]]:
    labels = [w.start.strftime("%d/%m") for w in projection.weeks]
    backlog = bar_chart(
        _("Demandes en attente en fin de semaine"),
        [(label, Cell(round(w.backlog))) for label, w in zip(labels, projection.weeks, strict=True)],
    )
    waits = bar_chart(
        _("Attente médiane des personnes reçues (jours)"),
        [
            (label, Cell(w.median_wait_days if w.median_wait_days is not None else 0))
            for label, w in zip(labels, projection.weeks, strict=True)
        ],
    )
    return [{"id": "backlog", "chart": backlog}, {"id": "wait", "chart": waits}]


def _answer_text(
    target: int, by: datetime.date, needed: int | None, now_slots: int, by_week: datetime.date
) -> str:
    if needed is None:
        return _(
            "Objectif hors d'atteinte d'ici le %(by)s, même avec un nombre illimité de créneaux : "
            "les absences et les propositions expirées perdent tous les créneaux."
        ) % {"by": by.strftime("%d/%m/%Y")}
    values = {
        "slots": needed,
        "days": target,
        "by": by.strftime("%d/%m/%Y"),
        "week": by_week.strftime("%d/%m/%Y"),
        "now": now_slots,
    }
    head = (
        ngettext(
            "Il faut %(slots)s créneau par semaine pour que l'attente médiane soit de %(days)s jours "
            "au plus la semaine du %(week)s (date visée : %(by)s)",
            "Il faut %(slots)s créneaux par semaine pour que l'attente médiane soit de %(days)s jours "
            "au plus la semaine du %(week)s (date visée : %(by)s)",
            needed,
        )
        % values
    )
    delta = needed - now_slots
    if delta > 0:
        tail = ngettext(
            "soit %(delta)s de plus qu'aujourd'hui (%(now)s).",
            "soit %(delta)s de plus qu'aujourd'hui (%(now)s).",
            delta,
        ) % {**values, "delta": delta}
    elif delta == 0:
        tail = _("soit autant qu'aujourd'hui.")
    else:
        tail = ngettext(
            "soit %(delta)s de moins qu'aujourd'hui (%(now)s) : la capacité actuelle suffit.",
            "soit %(delta)s de moins qu'aujourd'hui (%(now)s) : la capacité actuelle suffit.",
            -delta,
        ) % {**values, "delta": -delta}
    return f"{head}, {tail}"


@staff_view(roles.MANAGE_PLACES)
def planning(request: HttpRequest, prefecture: Prefecture) -> HttpResponse:
    now = timezone.now()
    start = week_start(now.astimezone(prefecture.tz).date()) + datetime.timedelta(weeks=1)
    form = PlanningForm(request.GET, prefecture=prefecture, start=start)
    context: dict[str, Any] = {"prefecture": prefecture, "form": form, "min_outcomes": MIN_OUTCOMES}
    if not form.is_valid():
        return render(request, "backoffice/planning.html", context, status=400)
    d = form.cleaned_data
    percent = {k: (None if d[k] is None else d[k] / 100) for k in ("no_show_percent", "lapse_percent")}
    data = planning_input(
        prefecture,
        d["procedure"] or ALL,
        now=now,
        no_show_rate=percent["no_show_percent"],
        lapse_rate=percent["lapse_percent"],
    )
    forecast = data.forecast
    slots = forecast.slots_per_week if d["slots"] is None else d["slots"]
    projection = project(forecast, d["weeks"], slots)
    context.update(
        data=data,
        forecast=forecast,
        slots=slots,
        projection=projection,
        rows=_projection_rows(projection),
        charts=_charts(projection),
        procedure_label=dict(form.procedure_choices).get(d["procedure"] or ""),
        no_show_percent=round(forecast.no_show_rate * 100, 1),
        lapse_percent=round(forecast.lapse_rate * 100, 1),
    )
    if d["target_days"] is not None and d["by"] is not None:
        answer = required_capacity(forecast, d["target_days"], d["by"])
        by_week = forecast.start + datetime.timedelta(weeks=(d["by"] - forecast.start).days // DAYS_PER_WEEK)
        context["answer"] = answer
        context["answer_text"] = _answer_text(
            d["target_days"], d["by"], answer.slots_per_week, forecast.slots_per_week, by_week
        )
        if answer.slots_per_week is not None and answer.slots_per_week != slots:
            query: dict[str, str] = {k: str(v) for k, v in request.GET.items() if v != ""}
            query["slots"] = str(answer.slots_per_week)
            context["answer_link"] = "?" + urlencode(query)
    return render(request, "backoffice/planning.html", context)
