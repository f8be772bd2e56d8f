"""Every back-office URL, for every role of another prefecture: 404 (as if nothing existed) and an
audit event. The URL list comes from the resolver, so a new page is checked without being listed."""

from __future__ import annotations

import datetime
import time

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from creneau.accounts.models import Role
from creneau.audit.models import AuditEvent
from creneau.booking.models import OpeningTemplate, Slot
from tests.factories import DeskFactory, PrefectureFactory, ProcedureFactory, file_request

from .factories import OrganisationFactory, log_in, make_agent, make_appointment

pytestmark = pytest.mark.django_db

# The only back-office pages without a prefecture in their URL: they show the person's own things.
NOT_PREFECTURE_SCOPED = {"login", "login_totp", "login_enrol", "logout", "password", "home"}


def backoffice_patterns() -> list[URLPattern]:
    def walk(patterns, namespace=None):  # type: ignore[no-untyped-def]
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, p.namespace or namespace)
            elif namespace == "backoffice":
                yield p

    found = list(walk(get_resolver().url_patterns))
    assert len(found) > 20
    return found


def params(pattern: URLPattern) -> set[str]:
    return set(pattern.pattern.converters)


@pytest.fixture
def elsewhere(db):
    """Prefecture 93 with one of everything: site, desk, template, request, account."""
    prefecture = PrefectureFactory()
    procedure = ProcedureFactory(prefecture=prefecture)
    site = procedure.sites.first()
    desk = DeskFactory(site=site)
    desk.procedures.add(procedure)
    template = OpeningTemplate.objects.create(
        desk=desk, weekday=0, start_time=datetime.time(9), end_time=datetime.time(12)
    )
    template.procedures.add(procedure)
    request = file_request(procedure)
    slot = Slot.objects.create(
        prefecture=prefecture,
        site=site,
        desk=desk,
        duration_minutes=30,
        start=datetime.datetime(2030, 1, 7, 9, tzinfo=datetime.UTC),
    )
    offer = make_appointment(file_request(procedure, surnames="Martin"), slot, confirmed=True)
    account = make_agent(Role.AGENT, prefecture)
    return {
        "code": prefecture.code,
        "site_id": site.pk,
        "desk_id": desk.pk,
        "template_id": template.pk,
        "reference": request.reference,
        "kind": procedure.kind,
        "profile_id": account.pk,
        "offer_id": offer.pk,
        "organisation_id": OrganisationFactory(prefectures=[prefecture]).pk,
    }


@pytest.fixture
def own_prefecture(db):
    prefecture = PrefectureFactory(alsace=True)
    ProcedureFactory(prefecture=prefecture)
    return prefecture


def test_every_page_without_a_prefecture_is_known():
    unscoped = {p.name for p in backoffice_patterns() if "code" not in params(p)}
    assert unscoped == NOT_PREFECTURE_SCOPED


def _refused(client, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Try GET and POST; each allowed method must answer 404 and add one audit event."""
    tried = []
    for method in ("get", "post"):
        before = AuditEvent.objects.filter(action="backoffice.cross_prefecture").count()
        response = getattr(client, method)(url, {})
        if response.status_code == 405:
            continue
        assert response.status_code == 404, f"{method.upper()} {url} → {response.status_code}"
        assert "no-store" in response["Cache-Control"]
        after = AuditEvent.objects.filter(action="backoffice.cross_prefecture").count()
        assert after == before + 1, f"{method.upper()} {url} was not audited"
        tried.append(method)
    assert tried, f"{url}: no method answered"
    return tried


@pytest.mark.parametrize("role", [Role.MANAGER, Role.AGENT, Role.HELPER, Role.AUDITOR])
def test_another_prefectures_pages_are_404_and_audited(client, elsewhere, own_prefecture, role):
    intruder = make_agent(role, own_prefecture)
    log_in(client, intruder)
    checked = 0
    for pattern in backoffice_patterns():
        names = params(pattern)
        if "code" not in names:
            continue
        url = reverse(f"backoffice:{pattern.name}", kwargs={n: elsewhere[n] for n in names})
        _refused(client, url)
        checked += 1
    assert checked == len(backoffice_patterns()) - len(NOT_PREFECTURE_SCOPED)


def test_another_prefectures_objects_under_ones_own_prefecture_are_404_and_audited(
    client, elsewhere, own_prefecture
):
    intruder = make_agent(Role.MANAGER, own_prefecture)
    log_in(client, intruder)
    checked = 0
    for pattern in backoffice_patterns():
        names = params(pattern) - {"code", "kind"}
        if not names:
            continue
        kwargs = {n: elsewhere[n] for n in names} | {"code": own_prefecture.code}
        if "kind" in params(pattern):
            kwargs["kind"] = elsewhere["kind"]
        _refused(client, reverse(f"backoffice:{pattern.name}", kwargs=kwargs))
        checked += 1
    assert checked >= 10


def test_the_audit_event_says_who_what_and_from_where(client, elsewhere, own_prefecture):
    intruder = make_agent(Role.AGENT, own_prefecture)
    log_in(client, intruder)
    client.get(f"/agents/{elsewhere['code']}/demandes/{elsewhere['reference']}/", REMOTE_ADDR="203.0.113.9")
    event = AuditEvent.objects.filter(action="backoffice.cross_prefecture").last()
    assert event.actor_user == intruder.user
    assert event.ip_address == "203.0.113.9"
    assert event.data["path"].endswith(f"/demandes/{elsewhere['reference']}/")


def test_pages_need_both_factors(client, elsewhere):
    """Logged in with the password only (no verified TOTP): every page sends to the login page."""
    agent = make_agent(Role.MANAGER, PrefectureFactory(code=elsewhere["code"]))
    client.force_login(agent.user)
    session = client.session
    session["bo_login_at"] = session["bo_last_seen"] = int(time.time())
    session["bo_version"] = agent.session_version
    session.save()  # a live session, but no verified second factor
    for pattern in backoffice_patterns():
        names = params(pattern)
        if pattern.name in NOT_PREFECTURE_SCOPED - {"password", "home"}:
            continue
        url = reverse(f"backoffice:{pattern.name}", kwargs={n: elsewhere[n] for n in names})
        response = client.get(url)
        assert response.status_code in (302, 405), url
        if response.status_code == 302:
            assert response["Location"].startswith("/agents/connexion/")
