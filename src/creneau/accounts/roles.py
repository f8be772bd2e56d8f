"""Who may do what, and where: the one place the back office asks."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from creneau.booking.models import Prefecture

from .models import AgentProfile, Role

# Capabilities, each the set of roles that hold it (always within the account's prefectures).
MANAGE_PLACES = "manage_places"  # sites, desks, opening templates, closures, slot generation
MANAGE_ACCOUNTS = "manage_accounts"
FILE_FOR_APPLICANT = "file_for_applicant"
SEARCH_REQUESTS = "search_requests"
CORRECT_IDENTITY = "correct_identity"
VIEW_DAY = "view_day"
RECORD_ARRIVAL = "record_arrival"

CAPABILITIES: dict[str, frozenset[str]] = {
    MANAGE_PLACES: frozenset({Role.NATIONAL_ADMIN, Role.MANAGER}),
    MANAGE_ACCOUNTS: frozenset({Role.NATIONAL_ADMIN, Role.MANAGER}),
    FILE_FOR_APPLICANT: frozenset({Role.NATIONAL_ADMIN, Role.MANAGER, Role.AGENT, Role.HELPER}),
    SEARCH_REQUESTS: frozenset({Role.NATIONAL_ADMIN, Role.MANAGER, Role.AGENT, Role.AUDITOR}),
    CORRECT_IDENTITY: frozenset({Role.NATIONAL_ADMIN, Role.MANAGER, Role.AGENT}),
    VIEW_DAY: frozenset({Role.NATIONAL_ADMIN, Role.MANAGER, Role.AGENT, Role.AUDITOR}),
    RECORD_ARRIVAL: frozenset({Role.NATIONAL_ADMIN, Role.MANAGER, Role.AGENT}),
}

# Which roles a manager may give (a national administrator may give any).
GRANTABLE_BY_MANAGER = (Role.MANAGER, Role.AGENT, Role.HELPER, Role.AUDITOR)


def profile_of(user: Any) -> AgentProfile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        found: AgentProfile = user.agent_profile
        return found
    except AgentProfile.DoesNotExist:
        return None


def can(profile: AgentProfile | None, capability: str) -> bool:
    return profile is not None and profile.role in CAPABILITIES[capability]


def prefectures_of(profile: AgentProfile | None) -> QuerySet[Prefecture]:
    """The prefectures this account may read (and, with the capability, change)."""
    if profile is None:
        return Prefecture.objects.none()
    if profile.role == Role.NATIONAL_ADMIN:
        return Prefecture.objects.all()
    return profile.prefectures.all()


def in_scope(profile: AgentProfile | None, prefecture: Prefecture) -> bool:
    return prefectures_of(profile).filter(pk=prefecture.pk).exists()
