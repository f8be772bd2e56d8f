"""Logging in with a password then a TOTP code (enrolled at first login), logging out, password."""

from __future__ import annotations

import time

import segno
from django.contrib.auth import authenticate, get_user_model, login, logout, update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from creneau.accounts import throttle
from creneau.accounts.actions import (
    agent_actor,
    base32_secret,
    check_totp,
    confirmed_device,
    do_change_password,
    do_confirm_totp,
    record_security_event,
    totp_device_for_enrolment,
)
from creneau.accounts.middleware import start_session
from creneau.accounts.models import AgentProfile
from creneau.accounts.roles import profile_of
from creneau.audit.log import Actor
from creneau.booking.actions import ActionError

from ..access import actor_for, client_ip, no_store, profile, staff_view
from ..forms import LoginForm, PasswordChangeForm, TotpForm

PENDING = "bo_pending"  # {"user": id, "at": epoch, "next": path} between the password and the code
PENDING_SECONDS = 300


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def _throttled_page(request: HttpRequest, form: object, template: str) -> HttpResponse:
    return render(request, template, {"form": form, "throttled": True}, status=429)


@csrf_protect
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    ended = request.session.pop("bo_ended", None)
    ip = client_ip(request)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip()
        anonymous = Actor(type="anonymous", label=username[:150], ip_address=ip)
        if throttle.is_throttled(username, ip):
            record_security_event("account.login_throttled", anonymous)
            form.add_error(
                None, _("Trop d'essais infructueux. Attendez quelques minutes avant de réessayer.")
            )
            return no_store(_throttled_page(request, form, "backoffice/login.html"))
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is None or profile_of(user) is None:
            throttle.count_failure(username, ip)
            record_security_event("account.login_failed", anonymous, data={"step": "password"})
            form.add_error(None, _("Identifiant ou mot de passe incorrect."))
        else:
            request.session.cycle_key()
            request.session[PENDING] = {"user": user.pk, "at": int(time.time()), "next": _next(request)}
            if confirmed_device(user) is None:
                return no_store(redirect("backoffice:login_enrol"))
            return no_store(redirect("backoffice:login_totp"))
    return no_store(
        render(
            request,
            "backoffice/login.html",
            {"form": form, "ended": ended, "next": _next(request)},
            status=400 if form.errors else 200,
        )
    )


def _pending_user(request: HttpRequest):  # type: ignore[no-untyped-def]
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    return user if profile_of(user) is not None else None


def _finish_login(request: HttpRequest, user, device) -> HttpResponse:  # type: ignore[no-untyped-def]
    target = request.session.get(PENDING, {}).get("next") or ""
    request.session.pop(PENDING, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    otp_login(request, device)
    start_session(request, user.agent_profile.session_version)
    record_security_event("account.login", agent_actor(user, client_ip(request)), user=user)
    return redirect(target or "backoffice:home")


@csrf_protect
@require_http_methods(["GET", "POST"])
def login_totp(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return no_store(redirect("backoffice:login"))
    device = confirmed_device(user)
    if device is None:
        return no_store(redirect("backoffice:login_enrol"))
    form = TotpForm(request.POST or None)
    ip = client_ip(request)
    if request.method == "POST" and form.is_valid():
        if throttle.is_throttled(user.get_username(), ip):
            record_security_event("account.login_throttled", agent_actor(user, ip), user=user)
            form.add_error(
                None, _("Trop d'essais infructueux. Attendez quelques minutes avant de réessayer.")
            )
            return no_store(_throttled_page(request, form, "backoffice/login_totp.html"))
        if check_totp(device, form.cleaned_data["code"]):
            return no_store(_finish_login(request, user, device))
        throttle.count_failure(user.get_username(), ip)
        record_security_event("account.login_failed", agent_actor(user, ip), data={"step": "totp"}, user=user)
        form.add_error("code", _("Code incorrect ou déjà utilisé. Attendez le code suivant et réessayez."))
    return no_store(
        render(request, "backoffice/login_totp.html", {"form": form}, status=400 if form.errors else 200)
    )


@csrf_protect
@require_http_methods(["GET", "POST"])
def login_enrol(request: HttpRequest) -> HttpResponse:
    """First login: show the TOTP secret (QR and text), and confirm it with a first code."""
    user = _pending_user(request)
    if user is None:
        return no_store(redirect("backoffice:login"))
    if confirmed_device(user) is not None:
        return no_store(redirect("backoffice:login_totp"))
    device = totp_device_for_enrolment(user)
    form = TotpForm(request.POST or None)
    ip = client_ip(request)
    if request.method == "POST" and form.is_valid():
        if throttle.is_throttled(user.get_username(), ip):
            form.add_error(
                None, _("Trop d'essais infructueux. Attendez quelques minutes avant de réessayer.")
            )
            return no_store(_throttled_page(request, form, "backoffice/login_enrol.html"))
        try:
            do_confirm_totp(device, form.cleaned_data["code"], agent_actor(user, ip))
        except ActionError as exc:
            throttle.count_failure(user.get_username(), ip)
            form.add_error("code", exc.message)
        else:
            return no_store(_finish_login(request, user, device))
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, title=_("QR code de configuration"))
    return no_store(
        render(
            request,
            "backoffice/login_enrol.html",
            {
                "form": form,
                "qr_svg": mark_safe(qr),  # noqa: S308 - generated by segno
                "secret": base32_secret(device),
            },
            status=400 if form.errors else 200,
        )
    )


@csrf_protect
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record_security_event("account.logout", actor_for(request), user=request.user)
    logout(request)
    return no_store(redirect("backoffice:login"))


@staff_view(methods=("GET", "POST"))
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_change_password(
                request.user,
                form.cleaned_data["old_password"],
                form.cleaned_data["new_password"],
                actor_for(request),
            )
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            user = profile(request).user
            update_session_auth_hash(request, user)
            start_session(request, AgentProfile.objects.get(user=user).session_version)
            return redirect("backoffice:home")
    return render(
        request,
        "backoffice/form.html",
        {"form": form, "title": _("Changer mon mot de passe"), "submit": _("Changer le mot de passe")},
        status=400 if form.errors else 200,
    )
