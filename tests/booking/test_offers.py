"""From an offer to the counter: confirm, decline, lapse, suspend, reactivate, cancel, remind."""

import datetime

import pytest
import time_machine
from django.test import Client

from creneau.audit.log import Actor
from creneau.booking.actions import ActionError
from creneau.booking.actions.offers import (
    do_cancel_by_prefecture,
    do_check_in,
    do_lapse_due,
    do_mark_attended,
    do_mark_no_show,
    do_send_reminders,
)
from creneau.booking.allocation_runs import run_allocation
from creneau.booking.models import Offer, Request, Slot
from creneau.booking.workflow import Status
from creneau.notify.models import OutboxMessage
from tests.factories import DeskFactory, ProcedureFactory, file_request

pytestmark = pytest.mark.django_db

MONDAY = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)
AGENT = Actor(type="agent", label="agent.test")


def _offer_for(request, day=7):
    desk = DeskFactory(site=request.procedure.sites.first())
    with time_machine.travel(MONDAY, tick=False):
        slot = Slot.objects.create(
            prefecture=desk.site.prefecture,
            site=desk.site,
            desk=desk,
            start=MONDAY + datetime.timedelta(days=day),
            duration_minutes=30,
        )
        slot.procedures.add(request.procedure)
    with time_machine.travel(request.batch.closes_at + datetime.timedelta(minutes=1), tick=False):
        run_allocation(request.batch)
    return Offer.objects.get(request=request, status=Offer.Status.OFFERED)


@pytest.fixture
def applicant():
    """A pending request whose private link was opened in a browser; returns (browser, request)."""
    procedure = ProcedureFactory()
    with time_machine.travel(MONDAY, tick=False):
        request = file_request(procedure, channel=Request.Channel.ONLINE)
    browser = Client()
    open_link(browser, request)
    return browser, request


def open_link(browser, request):
    from creneau.booking.links import private_token

    browser.get(f"/suivi/{request.reference}/acces/{private_token(request.reference, request.link_nonce)}/")


def _refresh(request):
    request.refresh_from_db()
    return request.status


def test_the_offer_is_shown_and_confirmed_on_the_status_page(applicant):
    browser, request = applicant
    offer = _offer_for(request)
    with time_machine.travel(MONDAY + datetime.timedelta(days=1), tick=False):
        page = browser.get(f"/suivi/{request.reference}/").content.decode()
        assert "Un rendez-vous vous est proposé" in page
        response = browser.post(f"/suivi/{request.reference}/rendez-vous/confirmer/")
    assert response.status_code == 302
    assert _refresh(request) == Status.CONFIRMED
    offer.refresh_from_db()
    assert offer.status == Offer.Status.CONFIRMED
    assert OutboxMessage.objects.filter(template="offer_confirmed").exists()


def test_the_history_names_each_step_in_plain_words(applicant):
    browser, request = applicant
    _offer_for(request)
    browser.post(f"/suivi/{request.reference}/rendez-vous/confirmer/")
    page = browser.get(f"/suivi/{request.reference}/").content.decode()
    assert "Rendez-vous proposé à l&#x27;attribution du lot" in page
    assert "request.offered" not in page
    assert "request.confirmed" not in page


def test_declining_keeps_the_place_in_the_queue(applicant):
    browser, request = applicant
    offer = _offer_for(request)
    batch_before = request.batch_id
    browser.post(f"/suivi/{request.reference}/rendez-vous/refuser/", {"reason": "je travaille ce jour-là"})
    assert _refresh(request) == Status.PENDING
    assert request.batch_id == batch_before
    offer.refresh_from_db()
    assert offer.status == Offer.Status.DECLINED
    # The slot is free again for the next run, never published anywhere.
    assert not Offer.objects.filter(slot=offer.slot, status__in=Offer.LIVE).exists()


def test_a_late_confirmation_is_refused(applicant):
    browser, request = applicant
    offer = _offer_for(request)
    with time_machine.travel(offer.deadline + datetime.timedelta(minutes=1), tick=False):
        open_link(browser, request)  # sessions last two weeks; the applicant opens the link again
        response = browser.post(f"/suivi/{request.reference}/rendez-vous/confirmer/")
    assert response.status_code == 409
    assert "délai" in response.content.decode()
    assert _refresh(request) == Status.OFFERED


def test_a_first_lapse_keeps_seniority_and_a_second_suspends_until_reactivated(applicant):
    browser, request = applicant
    first = _offer_for(request)
    with time_machine.travel(first.deadline + datetime.timedelta(minutes=1), tick=False):
        assert do_lapse_due() == 1
    assert _refresh(request) == Status.PENDING
    assert request.lapse_count == 1
    second = Offer.objects.create(
        request=request,
        slot=first.slot,
        deadline=first.deadline + datetime.timedelta(days=1),
        short_code="SECOND22",
        created_at=first.deadline,
    )
    Request.objects.filter(pk=request.pk).update(status=Status.OFFERED)
    with time_machine.travel(second.deadline + datetime.timedelta(minutes=1), tick=False):
        assert do_lapse_due() == 1
    assert _refresh(request) == Status.SUSPENDED
    assert OutboxMessage.objects.filter(template="request_suspended").exists()
    response = browser.post(f"/suivi/{request.reference}/reactiver/")
    assert response.status_code == 302
    assert _refresh(request) == Status.PENDING


def test_the_applicant_can_cancel_a_confirmed_appointment(applicant):
    browser, request = applicant
    _offer_for(request)
    browser.post(f"/suivi/{request.reference}/rendez-vous/confirmer/")
    assert (
        browser.post(f"/suivi/{request.reference}/rendez-vous/annuler/").status_code == 409
    )  # box not ticked
    assert _refresh(request) == Status.CONFIRMED
    browser.post(f"/suivi/{request.reference}/rendez-vous/annuler/", {"confirm": "yes"})
    assert _refresh(request) == Status.CANCELLED


def test_a_prefecture_cancellation_requeues_at_the_top_and_tells_the_applicant(applicant):
    _browser, request = applicant
    offer = _offer_for(request)
    with pytest.raises(ActionError):
        do_cancel_by_prefecture(offer, AGENT, reason="  ")
    do_cancel_by_prefecture(offer, AGENT, reason="guichet fermé")
    assert _refresh(request) == Status.PENDING
    assert request.requeued_top
    assert OutboxMessage.objects.filter(template="appointment_cancelled_by_prefecture").exists()


def test_check_in_then_attended_or_no_show(applicant):
    browser, request = applicant
    offer = _offer_for(request)
    browser.post(f"/suivi/{request.reference}/rendez-vous/confirmer/")
    offer.refresh_from_db()
    with pytest.raises(ActionError):
        do_mark_attended(offer, AGENT)  # not arrived yet
    do_check_in(offer, AGENT)
    do_mark_attended(offer, AGENT)
    assert _refresh(request) == Status.ATTENDED


def test_a_no_show_ends_the_request_and_the_person_may_file_again(applicant):
    browser, request = applicant
    offer = _offer_for(request)
    browser.post(f"/suivi/{request.reference}/rendez-vous/confirmer/")
    offer.refresh_from_db()
    with pytest.raises(ActionError):
        do_mark_no_show(offer, AGENT)  # the appointment has not happened yet
    with time_machine.travel(offer.slot.start + datetime.timedelta(hours=1), tick=False):
        do_mark_no_show(offer, AGENT)
    assert _refresh(request) == Status.NO_SHOW
    again = file_request(request.procedure)
    assert again.status == Status.PENDING


def test_a_reminder_is_sent_once_about_two_days_before(applicant):
    browser, request = applicant
    offer = _offer_for(request)
    browser.post(f"/suivi/{request.reference}/rendez-vous/confirmer/")
    with time_machine.travel(offer.slot.start - datetime.timedelta(days=3), tick=False):
        do_send_reminders()
    assert not OutboxMessage.objects.filter(template="appointment_reminder").exists()
    with time_machine.travel(offer.slot.start - datetime.timedelta(hours=47), tick=False):
        do_send_reminders()
        do_send_reminders()
    assert OutboxMessage.objects.filter(template="appointment_reminder").count() == 1  # e-mail only: one row


def test_offer_actions_refuse_get_and_other_browsers(applicant):
    browser, request = applicant
    _offer_for(request)
    assert browser.get(f"/suivi/{request.reference}/rendez-vous/confirmer/").status_code == 405
    assert Client().post(f"/suivi/{request.reference}/rendez-vous/confirmer/").status_code == 404
    assert _refresh(request) == Status.OFFERED


def test_the_private_link_in_the_offer_message_opens_the_status_page(applicant):
    _, request = applicant
    _offer_for(request)
    url = OutboxMessage.objects.get(template="offer_made").context["status_url"]
    path = "/" + url.split("/", 3)[3]
    assert Client().get(path).status_code == 302
