"""Home page and a prefecture's procedures."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from creneau.booking.models import Prefecture, Procedure


def home(request: HttpRequest) -> HttpResponse:
    prefectures = Prefecture.objects.order_by("name")
    return render(request, "public/home.html", {"prefectures": prefectures})


def prefecture(request: HttpRequest, code: str) -> HttpResponse:
    pref = get_object_or_404(Prefecture, code=code)
    procedures = (
        Procedure.objects.filter(prefecture=pref, is_open=True).prefetch_related("sites").order_by("kind")
    )
    return render(request, "public/prefecture.html", {"prefecture": pref, "procedures": procedures})
