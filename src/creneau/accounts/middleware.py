"""Back-office sessions: idle and absolute time-outs, and the end of a disabled account's sessions."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

SESSION_LOGIN_AT = "bo_login_at"
SESSION_LAST_SEEN = "bo_last_seen"
SESSION_VERSION = "bo_version"


def start_session(request: HttpRequest, session_version: int) -> None:
    now = int(time.time())
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_LAST_SEEN] = now
    request.session[SESSION_VERSION] = session_version


def _ended_because(request: HttpRequest) -> str | None:
    user = request.user
    profile = getattr(user, "agent_profile", None)
    now = int(time.time())
    login_at = request.session.get(SESSION_LOGIN_AT)
    last_seen = request.session.get(SESSION_LAST_SEEN)
    if profile is not None and request.session.get(SESSION_VERSION) != profile.session_version:
        return "revoked"
    if login_at is None or last_seen is None:
        return "revoked" if profile is not None else None
    if now - login_at > settings.CRENEAU_SESSION_ABSOLUTE_SECONDS:
        return "absolute_timeout"
    if now - last_seen > settings.CRENEAU_SESSION_IDLE_SECONDS:
        return "idle_timeout"
    return None


class BackOfficeSessionMiddleware:
    """After authentication: ends sessions that are too old, idle too long, or revoked."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = _ended_because(request)
            if reason:
                from .actions import agent_actor, record_security_event

                actor = agent_actor(user, request.META.get("REMOTE_ADDR") or None)
                logout(request)
                request.session["bo_ended"] = reason
                record_security_event("account.session_ended", actor, data={"reason": reason}, user=user)
            elif request.session.get(SESSION_LOGIN_AT) is not None:
                request.session[SESSION_LAST_SEEN] = int(time.time())
        return self.get_response(request)
