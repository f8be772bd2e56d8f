"""The applicant downloads the convocation and the calendar file: own session, confirmed appointment only."""

from __future__ import annotations

import datetime

import icalendar
import pytest
import time_machine

from creneau.audit.log import Actor
from creneau.booking.actions import do_cancel_by_applicant
from creneau.proofs import tokens
from creneau.proofs.convocation import CHECKIN_TYP
from creneau.www.public.views.common import SESSION_REQUESTS
from tests.proofs.test_convocation import FILED, make_appointment, qr_of_pdf

pytestmark = pytest.mark.django_db

LATER = FILED + datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _static_root(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()


def open_link(client, reference: str) -> None:
    """What following the private link leaves in the session."""
    session = client.session
    session[SESSION_REQUESTS] = [reference]
    session.save()


def urls(reference: str) -> tuple[str, str]:
    return f"/suivi/{reference}/convocation.pdf", f"/suivi/{reference}/rendez-vous.ics"


@time_machine.travel(LATER, tick=False)
def test_the_applicant_downloads_the_convocation_and_the_calendar_file(client):
    offer = make_appointment(reunion=True)
    reference = offer.request.reference
    open_link(client, reference)
    pdf_url, ics_url = urls(reference)

    response = client.get(pdf_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-cache" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert f'filename="convocation-{reference}.pdf"' in response["Content-Disposition"]
    token = qr_of_pdf(response.content)
    assert tokens.unverified_header(token)["typ"] == CHECKIN_TYP
    assert tokens.verify(token, CHECKIN_TYP)["code"] == offer.short_code

    response = client.get(ics_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "no-cache" in response["Cache-Control"]
    event = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event["DTSTART"].params["TZID"] == "Indian/Reunion"


@time_machine.travel(LATER, tick=False)
def test_another_session_gets_nothing(client):
    offer = make_appointment()
    for url in urls(offer.request.reference):
        assert client.get(url).status_code == 404
    open_link(client, "OTHR-REF1")
    for url in urls(offer.request.reference):
        assert client.get(url).status_code == 404


@time_machine.travel(LATER, tick=False)
def test_an_offer_not_yet_confirmed_or_a_cancelled_appointment_has_no_convocation(client):
    offered = make_appointment(confirm=False)
    open_link(client, offered.request.reference)
    for url in urls(offered.request.reference):
        assert client.get(url).status_code == 404

    confirmed = make_appointment(surnames="Haddad", at=datetime.time(10, 0))
    open_link(client, confirmed.request.reference)
    pdf_url, ics_url = urls(confirmed.request.reference)
    assert client.get(ics_url).status_code == 200
    do_cancel_by_applicant(confirmed.request, Actor.applicant(confirmed.request.reference))
    assert client.get(pdf_url).status_code == 404
    assert client.get(ics_url).status_code == 404


@time_machine.travel(LATER, tick=False)
def test_only_get(client):
    offer = make_appointment()
    open_link(client, offer.request.reference)
    assert client.post(urls(offer.request.reference)[1]).status_code == 405
