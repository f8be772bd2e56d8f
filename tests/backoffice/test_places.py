"""Managers' pages: sites, desks, weekly hours, slot generation and the day view — through the pages,
with bad input refused (nothing changed), no caching, and no change on GET."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command

from creneau.accounts.models import Role
from creneau.audit.models import AuditEvent
from creneau.booking.models import Closure, Desk, OpeningTemplate, Site, Slot

pytestmark = pytest.mark.django_db

SITE = {
    "name": "Antenne de Montreuil",
    "address": "12 rue de Paris",
    "postcode": "93100",
    "city": "Montreuil",
    "step_free": "on",
    "accessibility": "Ascenseur, boucle magnétique",
    "access_info": "",
    "is_active": "on",
}


def test_a_manager_creates_a_site_and_it_is_audited_with_the_address(manager_client, manager, prefecture):
    response = manager_client.post(f"/agents/{prefecture.code}/sites/nouveau/", SITE, REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302
    site = Site.objects.get(name="Antenne de Montreuil")
    assert site.prefecture == prefecture
    assert site.step_free
    assert site.accessibility == {"fr": "Ascenseur, boucle magnétique"}
    event = AuditEvent.objects.get(action="site.created")
    assert (event.actor_user, event.ip_address, event.prefecture_code) == (
        manager.user,
        "192.0.2.7",
        prefecture.code,
    )


@pytest.mark.parametrize("bad", [{"postcode": "9310"}, {"name": ""}, {"city": "Montreuil\x00"}])
def test_bad_site_input_is_refused_and_nothing_changes(manager_client, prefecture, bad):
    response = manager_client.post(f"/agents/{prefecture.code}/sites/nouveau/", {**SITE, **bad})
    assert response.status_code == 400
    assert "Le formulaire contient des erreurs" in response.content.decode()
    assert not Site.objects.filter(name__startswith="Antenne").exists()


def test_a_site_name_is_unique_within_the_prefecture(manager_client, prefecture, site):
    response = manager_client.post(
        f"/agents/{prefecture.code}/sites/nouveau/", {**SITE, "name": site.name.upper()}
    )
    assert response.status_code == 400
    assert Site.objects.filter(prefecture=prefecture).count() == 2


def test_desk_then_weekly_hours(manager_client, prefecture, site, procedure):
    response = manager_client.post(
        f"/agents/{prefecture.code}/sites/{site.pk}/guichets/nouveau/",
        {"name": "Guichet 7", "procedures": [procedure.pk], "is_active": "on"},
    )
    assert response.status_code == 302
    desk = Desk.objects.get(name="Guichet 7")
    assert list(desk.procedures.all()) == [procedure]
    url = f"/agents/{prefecture.code}/guichets/{desk.pk}/horaires/nouveau/"
    hours = {
        "weekdays": ["0", "2"],
        "start_time": "08:30",
        "end_time": "16:00",
        "break_start": "12:00",
        "break_end": "13:30",
        "slot_minutes": "30",
        "procedures": [procedure.pk],
    }
    assert manager_client.post(url, hours).status_code == 302
    assert sorted(OpeningTemplate.objects.filter(desk=desk).values_list("weekday", flat=True)) == [0, 2]
    assert AuditEvent.objects.filter(action="template.created").count() == 2
    # the same hours again overlap: refused, nothing added
    response = manager_client.post(url, hours)
    assert response.status_code == 400
    assert "chevauchent" in response.content.decode()
    assert OpeningTemplate.objects.filter(desk=desk).count() == 2


@pytest.mark.parametrize(
    "bad",
    [
        {"start_time": "25:00"},
        {"end_time": "07:00"},
        {"break_start": "12:00", "break_end": ""},
        {"slot_minutes": "0"},
        {"weekdays": []},
        {"procedures": []},
        {"valid_from": "31/02/2026"},
    ],
)
def test_bad_hours_are_refused_and_nothing_changes(manager_client, prefecture, desk, procedure, bad):
    hours = {
        "weekdays": ["1"],
        "start_time": "08:30",
        "end_time": "12:00",
        "break_start": "",
        "break_end": "",
        "slot_minutes": "30",
        "procedures": [procedure.pk],
    }
    response = manager_client.post(
        f"/agents/{prefecture.code}/guichets/{desk.pk}/horaires/nouveau/", {**hours, **bad}
    )
    assert response.status_code == 400
    assert not OpeningTemplate.objects.exists()


def test_deleting_hours_asks_first_and_keeps_existing_slots(manager_client, prefecture, desk, procedure):
    template = OpeningTemplate.objects.create(
        desk=desk, weekday=0, start_time=datetime.time(9), end_time=datetime.time(10)
    )
    url = f"/agents/{prefecture.code}/horaires/{template.pk}/suppression/"
    assert manager_client.get(url).status_code == 200
    assert OpeningTemplate.objects.filter(pk=template.pk).exists()  # GET changes nothing
    assert manager_client.post(url).status_code == 302
    assert not OpeningTemplate.objects.filter(pk=template.pk).exists()
    assert AuditEvent.objects.filter(action="template.deleted").exists()


@time_machine.travel(datetime.datetime(2026, 6, 1, 8, tzinfo=datetime.UTC), tick=False)
def test_generating_slots_from_the_page(manager_client, prefecture, desk, procedure):
    template = OpeningTemplate.objects.create(
        desk=desk, weekday=1, start_time=datetime.time(9), end_time=datetime.time(10)
    )
    template.procedures.add(procedure)
    url = f"/agents/{prefecture.code}/creneaux/"
    assert manager_client.get(url).status_code == 200
    assert not Slot.objects.exists()
    assert manager_client.post(url, {"weeks": "99"}).status_code == 400
    assert manager_client.post(url, {"weeks": "2"}).status_code == 302
    assert Slot.objects.count() == 4  # two Tuesdays, two half-hour slots each
    assert manager_client.post(url, {"weeks": "2"}).status_code == 302
    assert Slot.objects.count() == 4


@time_machine.travel(datetime.datetime(2026, 6, 1, 8, tzinfo=datetime.UTC), tick=False)
def test_the_day_view_shows_each_desks_slots(agent_client, prefecture, site, desk, procedure):
    template = OpeningTemplate.objects.create(
        desk=desk, weekday=1, start_time=datetime.time(9), end_time=datetime.time(10)
    )
    template.procedures.add(procedure)
    call_command("generate_slots", "--weeks", "1", stdout=io.StringIO())
    page = agent_client.get(f"/agents/{prefecture.code}/sites/{site.pk}/journee/", {"date": "02/06/2026"})
    html = page.content.decode()
    assert page.status_code == 200
    assert desk.name in html
    assert "09:00" in html
    assert "09:30" in html
    assert "2 créneau(x) libre(s)" in html
    # a bad date falls back to today, never a 500
    assert (
        agent_client.get(
            f"/agents/{prefecture.code}/sites/{site.pk}/journee/", {"date": "32/13/2026"}
        ).status_code
        == 200
    )


def test_agents_cannot_change_places(agent_client, prefecture, site):
    response = agent_client.post(f"/agents/{prefecture.code}/sites/{site.pk}/", {**SITE, "name": "Renamed"})
    assert response.status_code == 403
    site.refresh_from_db()
    assert site.name != "Renamed"


def test_closing_from_a_desk_of_another_site_is_refused(manager_client, prefecture, site, desk):
    other_site = prefecture.sites.exclude(pk=site.pk).first()
    response = manager_client.post(
        f"/agents/{prefecture.code}/fermetures/nouvelle/",
        {
            "site": other_site.pk,
            "desk": desk.pk,
            "start_date": "01/01/2099",
            "end_date": "01/01/2099",
            "reason": "Travaux",
        },
    )
    assert response.status_code == 400
    assert not Closure.objects.exists()


def test_every_back_office_page_is_no_store_and_every_form_has_csrf(manager_client, prefecture, site, desk):
    for url in (
        f"/agents/{prefecture.code}/",
        f"/agents/{prefecture.code}/sites/nouveau/",
        f"/agents/{prefecture.code}/guichets/{desk.pk}/",
        f"/agents/{prefecture.code}/comptes/",
        "/agents/connexion/",
    ):
        response = manager_client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        html = response.content.decode()
        assert html.count("<form") == html.count("csrfmiddlewaretoken") + html.count('method="get"'), url


def test_the_back_office_is_french_first_and_english_is_available(client, manager):
    assert 'lang="fr"' in client.get("/agents/connexion/").content.decode()
    assert 'lang="en"' in client.get("/en/agents/connexion/").content.decode()


def test_demo_accounts_can_log_in(client, db, settings, tmp_path):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from creneau.accounts.models import AgentProfile
    from creneau.booking.demo.seed import seed_places

    from .factories import code_now

    settings.VAR_DIR = tmp_path
    seed_places()
    out = io.StringIO()
    call_command("demo_accounts", stdout=out)
    text = out.getvalue()
    assert "agent.demo" in text
    assert "responsable.93" in text
    assert "aidant.demo" in text
    assert "TOTP" in text
    assert AgentProfile.objects.filter(role=Role.HELPER, organisation__isnull=False).exists()
    password = (tmp_path / "demo_agent_password").read_text().strip()
    client.post("/agents/connexion/", {"username": "agent.974", "password": password})
    device = TOTPDevice.objects.get(user__username="agent.974")
    assert client.post("/agents/connexion/code/", {"code": code_now(device)}).status_code == 302
    assert client.get("/agents/974/").status_code == 200


@time_machine.travel(datetime.datetime(2026, 6, 2, 6, tzinfo=datetime.UTC), tick=False)
def test_the_day_view_shows_appointments_on_the_local_clock_and_links_to_check_in(
    agent_client, prefecture, site, desk, procedure
):
    from tests.factories import file_request

    from .factories import make_appointment

    slot = Slot.objects.create(
        prefecture=prefecture,
        site=site,
        desk=desk,
        duration_minutes=30,
        start=datetime.datetime(2026, 6, 2, 7, 30, tzinfo=datetime.UTC),
    )
    offer = make_appointment(file_request(procedure), slot, confirmed=True)
    html = agent_client.get(
        f"/agents/{prefecture.code}/sites/{site.pk}/journee/", {"date": "02/06/2026"}
    ).content.decode()
    assert "09:30" in html  # 07:30 UTC is 09:30 in Paris in June
    assert "1 rendez-vous, 0 arrivée(s)" in html
    assert f"/agents/{prefecture.code}/accueil/{site.pk}/rdv/{offer.request.reference}/" in html


@time_machine.travel(datetime.datetime(2026, 6, 1, 8, tzinfo=datetime.UTC), tick=False)
def test_a_desk_with_open_slots_cannot_just_be_switched_off(
    manager_client, prefecture, site, desk, procedure
):
    """Its slots would stay bookable, or vanish with their appointments: close the days first."""
    template = OpeningTemplate.objects.create(
        desk=desk, weekday=1, start_time=datetime.time(9), end_time=datetime.time(10)
    )
    template.procedures.add(procedure)
    call_command("generate_slots", "--weeks", "1", stdout=io.StringIO())
    url = f"/agents/{prefecture.code}/guichets/{desk.pk}/"
    response = manager_client.post(
        url, {"name": desk.name, "procedures": [procedure.pk]}
    )  # is_active unticked
    assert response.status_code == 400
    assert "fermeture" in response.content.decode()
    desk.refresh_from_db()
    assert desk.is_active
    manager_client.post(
        f"/agents/{prefecture.code}/fermetures/nouvelle/",
        {
            "site": site.pk,
            "desk": desk.pk,
            "start_date": "01/06/2026",
            "end_date": "30/06/2026",
            "reason": "Travaux",
        },
    )
    assert manager_client.post(url, {"name": desk.name, "procedures": [procedure.pk]}).status_code == 302
    desk.refresh_from_db()
    assert not desk.is_active
