"""Who gets in and what they see: every back-office view goes through ``staff_view``.

- not logged in with both factors → the login page;
- a prefecture (``code`` in the URL) or an object outside the account's prefectures → 404 and an
  audit event (``backoffice.cross_prefecture``), exactly as if it did not exist;
- a role without the capability → 403 and an audit event;
- every response: ``Cache-Control: no-store``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import require_http_methods

from creneau.accounts.actions import agent_actor, record_security_event
from creneau.accounts.models import AgentProfile
from creneau.accounts.roles import can, in_scope, profile_of
from creneau.audit.log import Actor
from creneau.booking.models import Prefecture


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def actor_for(request: HttpRequest) -> Actor:
    return agent_actor(request.user, client_ip(request))


def no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    return response


def refuse(request: HttpRequest, what: str, ident: Any, prefecture_code: str = "") -> None:
    """Audit an attempt to reach something outside the account's prefectures, then 404."""
    record_security_event(
        "backoffice.cross_prefecture",
        actor_for(request),
        prefecture_code=prefecture_code,
        data={"what": what, "id": str(ident)[:64], "path": request.path[:200], "method": request.method},
    )
    raise Http404


def scoped(
    request: HttpRequest,
    queryset: QuerySet[Any],
    prefecture: Prefecture,
    prefecture_path: str,
    what: str,
    **lookup: Any,
) -> Any:
    """The object matching ``lookup`` within ``prefecture``; else 404 (audited when it exists elsewhere)."""
    found = queryset.filter(**{prefecture_path: prefecture}, **lookup).first()
    if found is not None:
        return found
    if queryset.model._default_manager.filter(**lookup).exists():
        refuse(request, what, next(iter(lookup.values())), prefecture.code)
    raise Http404


def staff_view(capability: str | None = None, methods: tuple[str, ...] = ("GET",)) -> Callable[..., Any]:
    """Decorate a back-office view. Views with a ``code`` URL argument receive ``prefecture``."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return no_store(_guarded(view, capability, request, *args, **kwargs))

        return require_http_methods(list(methods))(wrapper)

    return decorator


def _guarded(
    view: Callable[..., HttpResponse], capability: str | None, request: HttpRequest, *args: Any, **kwargs: Any
) -> HttpResponse:
    profile = profile_of(request.user)
    if profile is None or not request.user.is_verified():  # type: ignore[union-attr]  # django-otp adds it
        return redirect_to_login(request.get_full_path(), "backoffice:login")
    request.agent_profile = profile  # type: ignore[attr-defined]
    try:
        if "code" in kwargs:
            code = kwargs.pop("code")
            prefecture = Prefecture.objects.filter(code=code).first()
            if prefecture is None:
                raise Http404
            if not in_scope(profile, prefecture):
                refuse(request, "prefecture", code, code)
            kwargs["prefecture"] = prefecture
            timezone.activate(prefecture.tz)  # times are shown on the prefecture's wall clock
        if capability is not None and not can(profile, capability):
            record_security_event(
                "backoffice.forbidden",
                actor_for(request),
                prefecture_code=getattr(kwargs.get("prefecture"), "code", ""),
                data={"capability": capability, "path": request.path[:200]},
            )
            return render(request, "backoffice/forbidden.html", status=403)
        return view(request, *args, **kwargs)
    except Http404:
        return render(request, "backoffice/not_found.html", status=404)
    finally:
        timezone.deactivate()


def profile(request: HttpRequest) -> AgentProfile:
    return request.agent_profile  # type: ignore[attr-defined,no-any-return]


__all__ = ["actor_for", "client_ip", "no_store", "profile", "refuse", "scoped", "staff_view"]
