"""Managers' pages for people: the prefecture's accounts, creating one, disabling or enabling it."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from creneau.accounts import roles
from creneau.accounts.actions import (
    do_accredit_organisation,
    do_create_account,
    do_reset_totp,
    do_set_account_active,
    do_withdraw_accreditation,
)
from creneau.accounts.models import AgentProfile, Organisation, Role
from creneau.booking.actions import ActionError
from creneau.booking.models import Prefecture

from ..access import actor_for, profile, scoped, staff_view
from ..forms import AccountForm, OrganisationForm


@staff_view(roles.MANAGE_ACCOUNTS)
def account_list(request: HttpRequest, prefecture: Prefecture) -> HttpResponse:
    profiles = (
        AgentProfile.objects.filter(prefectures=prefecture)
        .select_related("user", "organisation")
        .order_by("user__username")
    )
    enrolled = set(
        TOTPDevice.objects.filter(confirmed=True, user__agent_profile__in=profiles).values_list(
            "user_id", flat=True
        )
    )
    return render(
        request,
        "backoffice/accounts.html",
        {"prefecture": prefecture, "profiles": profiles, "enrolled": enrolled},
    )


@staff_view(roles.MANAGE_ACCOUNTS, methods=("GET", "POST"))
def account_create(request: HttpRequest, prefecture: Prefecture) -> HttpResponse:
    me = profile(request)
    form = AccountForm(
        request.POST or None,
        prefecture=prefecture,
        national=me.role == Role.NATIONAL_ADMIN,
        initial={"role": Role.AGENT},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            created = do_create_account(
                username=d["username"],
                email=d["email"],
                role=d["role"],
                prefectures=[prefecture],
                password=d["password"],
                actor=actor_for(request),
                by=me,
                organisation=d.get("organisation"),
            )
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Compte « %(name)s » créé.") % {"name": created.user.username})
            return redirect("backoffice:accounts", code=prefecture.code)
    return render(
        request,
        "backoffice/form.html",
        {
            "prefecture": prefecture,
            "form": form,
            "title": _("Nouveau compte"),
            "submit": _("Créer le compte"),
            "back": f"/agents/{prefecture.code}/comptes/",
        },
        status=400 if form.errors else 200,
    )


@staff_view(roles.MANAGE_ACCOUNTS, methods=("POST",))
def account_state(request: HttpRequest, prefecture: Prefecture, profile_id: int) -> HttpResponse:
    target = scoped(
        request,
        AgentProfile.objects.select_related("user"),
        prefecture,
        "prefectures",
        "account",
        pk=profile_id,
    )
    me = profile(request)
    if target.role == Role.NATIONAL_ADMIN and me.role != Role.NATIONAL_ADMIN:
        messages.error(request, _("Vous ne pouvez pas modifier ce compte."))
        return redirect("backoffice:accounts", code=prefecture.code)
    action = request.POST.get("action", "")
    try:
        if action in ("disable", "enable"):
            do_set_account_active(target, action == "enable", actor_for(request))
            messages.success(
                request,
                _("Compte désactivé : ses sessions sont terminées.")
                if action == "disable"
                else _("Compte réactivé."),
            )
        elif action == "reset_totp":
            do_reset_totp(target, actor_for(request))
            messages.success(
                request,
                _(
                    "Double authentification réinitialisée : la personne la configurera "
                    "à sa prochaine connexion."
                ),
            )
        else:
            messages.error(request, _("Action inconnue."))
    except ActionError as exc:
        messages.error(request, str(exc.message))
    return redirect("backoffice:accounts", code=prefecture.code)


# --- Helper organisations -------------------------------------------------------------------------


@staff_view(roles.MANAGE_ACCOUNTS, methods=("GET", "POST"))
def organisations(request: HttpRequest, prefecture: Prefecture) -> HttpResponse:
    """The organisations accredited here (with their filings count), and accrediting a new one."""
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_accredit_organisation(
                prefecture, actor_for(request), name=form.cleaned_data["name"], kind=form.cleaned_data["kind"]
            )
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Structure habilitée."))
            return redirect("backoffice:organisations", code=prefecture.code)
    accredited = (
        Organisation.objects.filter(prefectures=prefecture)
        .annotate(filed=Count("filings", filter=Q(filings__request__prefecture=prefecture)))
        .order_by("name")
    )
    return render(
        request,
        "backoffice/organisations.html",
        {
            "prefecture": prefecture,
            "organisations": accredited,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@staff_view(roles.MANAGE_ACCOUNTS, methods=("POST",))
def organisation_withdraw(request: HttpRequest, prefecture: Prefecture, organisation_id: int) -> HttpResponse:
    organisation = scoped(
        request, Organisation.objects.all(), prefecture, "prefectures", "organisation", pk=organisation_id
    )
    disabled = do_withdraw_accreditation(organisation, prefecture, actor_for(request))
    messages.success(
        request, _("Habilitation retirée ; %(n)s compte(s) d'aidant désactivé(s).") % {"n": disabled}
    )
    return redirect("backoffice:organisations", code=prefecture.code)
