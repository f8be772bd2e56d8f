"""Opening templates → slots (local wall clock across DST, the right holidays), and closures that
move appointments back to the queue instead of letting them vanish."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine

from creneau.accounts.actions import agent_actor
from creneau.audit.log import Actor
from creneau.audit.models import AuditEvent
from creneau.booking.actions import ActionError
from creneau.booking.actions.backoffice import TemplateData, do_close, do_generate_slots, do_save_templates
from creneau.booking.models import Closure, Offer, Slot
from creneau.booking.workflow import Status
from creneau.notify.models import OutboxMessage
from tests.backoffice.factories import make_appointment
from tests.factories import DeskFactory, PrefectureFactory, ProcedureFactory, file_request

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
REUNION = zoneinfo.ZoneInfo("Indian/Reunion")
ACTOR = Actor(type="agent", label="test", ip_address="192.0.2.1")


def _desk_with_template(
    prefecture,
    weekdays=(0, 1, 2, 3, 4),
    start=datetime.time(8, 30),  # type: ignore[no-untyped-def]
    end=datetime.time(10, 30),
):
    procedure = ProcedureFactory(prefecture=prefecture)
    desk = DeskFactory(site=procedure.sites.first())
    desk.procedures.add(procedure)
    do_save_templates(
        desk,
        TemplateData(
            weekdays=list(weekdays), start_time=start, end_time=end, slot_minutes=30, procedures=[procedure]
        ),
        ACTOR,
    )
    return desk


def _local_days(prefecture, tz):  # type: ignore[no-untyped-def]
    return sorted({s.start.astimezone(tz).date() for s in Slot.objects.filter(prefecture=prefecture)})


@time_machine.travel(datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC), tick=False)
def test_slots_keep_0830_local_across_the_march_dst_change():
    prefecture = PrefectureFactory()
    _desk_with_template(prefecture, weekdays=[0])
    do_generate_slots(prefecture, 2, ACTOR, start=datetime.date(2026, 3, 23))  # Mondays 23 and 30 March
    firsts = sorted(Slot.objects.filter(prefecture=prefecture).order_by("start"), key=lambda s: s.start)[::4]
    assert [s.start.astimezone(PARIS).strftime("%d %H:%M") for s in firsts] == ["23 08:30", "30 08:30"]
    assert [s.start.astimezone(datetime.UTC).strftime("%H:%M") for s in firsts] == ["07:30", "06:30"]


@time_machine.travel(datetime.datetime(2026, 10, 1, 12, tzinfo=datetime.UTC), tick=False)
def test_slots_keep_0830_local_across_the_october_dst_change():
    prefecture = PrefectureFactory()
    _desk_with_template(prefecture, weekdays=[4])
    do_generate_slots(prefecture, 2, ACTOR, start=datetime.date(2026, 10, 19))  # Fridays 23 and 30 October
    starts = sorted(s.start for s in Slot.objects.filter(prefecture=prefecture))
    assert {s.astimezone(PARIS).strftime("%H:%M") for s in starts[::4]} == {"08:30"}
    assert [s.astimezone(datetime.UTC).strftime("%H:%M") for s in starts[::4]] == ["06:30", "07:30"]


@time_machine.travel(datetime.datetime(2027, 12, 1, tzinfo=datetime.UTC), tick=False)
def test_reunion_has_no_dst_and_closes_on_20_december():
    prefecture = PrefectureFactory(reunion=True)
    _desk_with_template(prefecture)
    do_generate_slots(prefecture, 2, ACTOR, start=datetime.date(2027, 12, 13))
    days = _local_days(prefecture, REUNION)
    assert datetime.date(2027, 12, 20) not in days  # abolition of slavery, La Réunion
    assert datetime.date(2027, 12, 21) in days
    assert {
        s.start.astimezone(datetime.UTC).strftime("%H:%M")
        for s in Slot.objects.filter(prefecture=prefecture)
        if s.start.astimezone(REUNION).strftime("%H:%M") == "08:30"
    } == {"04:30"}


@time_machine.travel(datetime.datetime(2025, 12, 1, tzinfo=datetime.UTC), tick=False)
def test_alsace_closes_on_26_december_and_good_friday_but_mainland_does_not():
    alsace, mainland = PrefectureFactory(alsace=True), PrefectureFactory(code="75", name="Paris")
    for prefecture in (alsace, mainland):
        _desk_with_template(prefecture)
        do_generate_slots(prefecture, 2, ACTOR, start=datetime.date(2025, 12, 22))
        do_generate_slots(prefecture, 1, ACTOR, start=datetime.date(2026, 3, 30))
    assert datetime.date(2025, 12, 26) not in _local_days(alsace, PARIS)
    assert datetime.date(2026, 4, 3) not in _local_days(alsace, PARIS)  # Good Friday
    assert datetime.date(2025, 12, 26) in _local_days(mainland, PARIS)
    assert datetime.date(2026, 4, 3) in _local_days(mainland, PARIS)
    assert datetime.date(2025, 12, 25) not in _local_days(mainland, PARIS)


@time_machine.travel(datetime.datetime(2026, 6, 1, 8, tzinfo=datetime.UTC), tick=False)
def test_generating_twice_creates_nothing_twice_and_is_audited():
    prefecture = PrefectureFactory()
    _desk_with_template(prefecture)
    first = do_generate_slots(prefecture, 2, ACTOR)
    assert first == Slot.objects.count() > 0
    assert do_generate_slots(prefecture, 2, ACTOR) == 0
    assert Slot.objects.count() == first
    assert AuditEvent.objects.filter(action="slots.generated").count() == 2


def test_weeks_out_of_range_are_refused(db):
    with pytest.raises(ActionError):
        do_generate_slots(PrefectureFactory(), 0, ACTOR)


def test_overlapping_templates_on_a_desk_are_refused(db):
    desk = _desk_with_template(PrefectureFactory(), weekdays=[0])
    procedure = desk.procedures.first()
    with pytest.raises(ActionError, match="chevauchent"):
        do_save_templates(
            desk,
            TemplateData(
                weekdays=[0, 1],
                start_time=datetime.time(10),
                end_time=datetime.time(12),
                slot_minutes=30,
                procedures=[procedure],
            ),
            ACTOR,
        )
    assert desk.templates.count() == 1


def test_a_slot_shorter_than_the_procedure_is_refused(db):
    desk = _desk_with_template(PrefectureFactory(), weekdays=[0])
    procedure = desk.procedures.first()
    procedure.duration_minutes = 45
    procedure.save()
    with pytest.raises(ActionError, match="trop court"):
        do_save_templates(
            desk,
            TemplateData(
                weekdays=[2],
                start_time=datetime.time(9),
                end_time=datetime.time(12),
                slot_minutes=30,
                procedures=[procedure],
            ),
            ACTOR,
        )


# --- Closing a desk for a day ---------------------------------------------------------------------

MONDAY = datetime.date(2026, 6, 8)


@pytest.fixture
def day_with_appointments(db):
    with time_machine.travel(datetime.datetime(2026, 6, 1, 8, tzinfo=datetime.UTC), tick=False):
        prefecture = PrefectureFactory()
        desk = _desk_with_template(prefecture)
        other = DeskFactory(site=desk.site)
        other.procedures.add(*desk.procedures.all())
        do_save_templates(
            other,
            TemplateData(
                weekdays=[0],
                start_time=datetime.time(8, 30),
                end_time=datetime.time(10, 30),
                slot_minutes=30,
                procedures=list(desk.procedures.all()),
            ),
            ACTOR,
        )
        do_generate_slots(prefecture, 2, ACTOR)
        procedure = desk.procedures.first()
        slots = [
            s for s in Slot.objects.filter(desk=desk).order_by("start") if s.local_start.date() == MONDAY
        ]
        offered = make_appointment(file_request(procedure, email="a@example.org"), slots[0])
        confirmed = make_appointment(
            file_request(procedure, surnames="Nguyen", email="", phone="+33612345678"),
            slots[1],
            confirmed=True,
        )
    return {
        "prefecture": prefecture,
        "desk": desk,
        "other": other,
        "offered": offered,
        "confirmed": confirmed,
    }


@time_machine.travel(datetime.datetime(2026, 6, 2, 8, tzinfo=datetime.UTC), tick=False)
def test_closing_a_desk_for_a_day_withdraws_its_slots_and_requeues_appointments(day_with_appointments):
    d = day_with_appointments
    before_other = Slot.objects.filter(desk=d["other"], status="open").count()
    result = do_close(d["desk"].site, MONDAY, MONDAY, "Panne informatique", ACTOR, desk=d["desk"])
    assert result.withdrawn == 4
    assert len(result.cancelled_offers) == 2
    monday_slots = [s for s in Slot.objects.filter(desk=d["desk"]) if s.local_start.date() == MONDAY]
    assert {s.status for s in monday_slots} == {"withdrawn"}
    assert Slot.objects.filter(desk=d["desk"], status="open").count() > 0  # other days untouched
    assert Slot.objects.filter(desk=d["other"], status="open").count() == before_other
    for key in ("offered", "confirmed"):
        offer = Offer.objects.get(pk=d[key].pk)
        assert offer.status == Offer.Status.CANCELLED_BY_PREFECTURE
        assert offer.request.status == Status.PENDING
        assert offer.request.requeued_top
        assert OutboxMessage.objects.filter(
            request_reference=offer.request.reference, template="appointment_cancelled_by_prefecture"
        ).exists()
    event = AuditEvent.objects.get(action="closure.created")
    assert event.data["withdrawn_slots"] == 4


@time_machine.travel(datetime.datetime(2026, 6, 2, 8, tzinfo=datetime.UTC), tick=False)
def test_a_closed_day_is_skipped_by_later_generation(day_with_appointments):
    d = day_with_appointments
    do_close(d["desk"].site, MONDAY, MONDAY, "Formation", ACTOR, desk=d["desk"])
    assert do_generate_slots(d["prefecture"], 2, ACTOR) == 0 or not any(
        s.local_start.date() == MONDAY and s.status == "open" for s in Slot.objects.filter(desk=d["desk"])
    )
    assert not any(
        s.local_start.date() == MONDAY and s.status == "open" for s in Slot.objects.filter(desk=d["desk"])
    )


@time_machine.travel(datetime.datetime(2026, 6, 2, 8, tzinfo=datetime.UTC), tick=False)
def test_a_closure_in_the_past_or_without_reason_changes_nothing(day_with_appointments):
    d = day_with_appointments
    with pytest.raises(ActionError):
        do_close(d["desk"].site, datetime.date(2026, 6, 1), MONDAY, "Trop tard", ACTOR)
    with pytest.raises(ActionError):
        do_close(d["desk"].site, MONDAY, MONDAY, "   ", ACTOR)
    assert not Closure.objects.exists()
    assert Offer.objects.filter(status__in=list(Offer.LIVE)).count() == 2


@time_machine.travel(datetime.datetime(2026, 6, 2, 8, tzinfo=datetime.UTC), tick=False)
def test_the_manager_closes_a_desk_from_the_page(client, day_with_appointments):
    from creneau.accounts.models import Role

    from .factories import log_in, make_agent

    d = day_with_appointments
    manager = make_agent(Role.MANAGER, d["prefecture"])
    log_in(client, manager)
    url = f"/agents/{d['prefecture'].code}/fermetures/nouvelle/"
    assert client.get(url, {"site": d["desk"].site_id, "desk": d["desk"].pk}).status_code == 200
    response = client.post(
        url,
        {
            "site": d["desk"].site_id,
            "desk": d["desk"].pk,
            "start_date": "08/06/2026",
            "end_date": "08/06/2026",
            "reason": "Panne",
        },
        REMOTE_ADDR="192.0.2.44",
    )
    assert response.status_code == 302
    assert Offer.objects.filter(status=Offer.Status.CANCELLED_BY_PREFECTURE).count() == 2
    event = AuditEvent.objects.get(action="closure.created")
    assert event.actor_user == manager.user
    assert event.ip_address == "192.0.2.44"
    day = client.get(
        f"/agents/{d['prefecture'].code}/sites/{d['desk'].site_id}/journee/", {"date": "08/06/2026"}
    )
    assert "retiré (fermeture)" in day.content.decode()
    assert agent_actor  # imported for readers: the page's actor is the logged-in agent
