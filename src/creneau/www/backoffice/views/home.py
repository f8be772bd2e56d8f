"""The back office's front page: the account's prefectures, and each prefecture's dashboard."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from creneau.accounts import roles
from creneau.booking.models import Prefecture, Procedure

from ..access import profile, staff_view


@staff_view()
def home(request: HttpRequest) -> HttpResponse:
    prefectures = list(roles.prefectures_of(profile(request)))
    if len(prefectures) == 1:
        return redirect("backoffice:dashboard", code=prefectures[0].code)
    return render(request, "backoffice/home.html", {"prefectures": prefectures})


@staff_view()
def dashboard(request: HttpRequest, prefecture: Prefecture) -> HttpResponse:
    me = profile(request)
    return render(
        request,
        "backoffice/dashboard.html",
        {
            "prefecture": prefecture,
            "sites": prefecture.sites.order_by("name"),
            "procedures": Procedure.objects.filter(prefecture=prefecture, is_open=True),
            "can_manage": roles.can(me, roles.MANAGE_PLACES),
            "can_accounts": roles.can(me, roles.MANAGE_ACCOUNTS),
            "can_file": roles.can(me, roles.FILE_FOR_APPLICANT),
            "can_search": roles.can(me, roles.SEARCH_REQUESTS),
            "can_day": roles.can(me, roles.VIEW_DAY),
        },
    )
