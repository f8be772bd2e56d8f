"""Check-in at the counter: read the convocation (or type its code), compare the identity, arrival,
received or absent; every refusal with its reason; other prefectures see nothing."""

from __future__ import annotations

import contextlib
import datetime

import pytest
import time_machine

from creneau.accounts.models import Role
from creneau.audit.log import Actor
from creneau.audit.models import AuditEvent
from creneau.booking.actions import do_cancel_by_prefecture
from creneau.booking.models import Offer, Request
from creneau.booking.workflow import Status
from creneau.proofs import tokens
from creneau.proofs.convocation import checkin_claims, sign_checkin
from tests.factories import PrefectureFactory, ProcedureFactory, SiteFactory, file_request
from tests.proofs.test_convocation import APPOINTMENT_DAY, FILED, at_local, make_appointment

from .factories import log_in, make_agent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _static_root(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()


@pytest.fixture
def offer(db):
    return make_appointment()


@pytest.fixture
def token(offer):
    with time_machine.travel(FILED + datetime.timedelta(days=1), tick=False):
        return sign_checkin(offer)


@pytest.fixture
def desk_agent(client, offer):
    client.profile = make_agent(Role.AGENT, offer.request.prefecture)
    log_in(client, client.profile)
    return client


def as_agent(client, profile):  # type: ignore[no-untyped-def]
    client.profile = profile
    return client


@contextlib.contextmanager
def on(client, moment: datetime.datetime):  # type: ignore[no-untyped-def]
    """At ``moment``, with the client's agent freshly logged in (sessions time out in real time)."""
    with time_machine.travel(moment, tick=False):
        log_in(client, client.profile)
        yield


def page(offer, site=None) -> str:
    site = site or offer.slot.site
    return f"/agents/{site.prefecture.code}/accueil/{site.pk}/"


def appointment(offer) -> str:
    return f"{page(offer)}rdv/{offer.request.reference}/"


def read(client, offer, code: str, site=None):  # type: ignore[no-untyped-def]
    return client.post(page(offer, site), {"code": code})


def refused(response, reason: str) -> str:
    assert response.status_code == 400, response.status_code
    html = response.content.decode()
    assert 'role="alert"' in html
    assert f"Motif : {reason}" in html, html[:3000]
    return html


def test_the_site_is_chosen_among_the_prefectures_sites(desk_agent, offer):
    response = desk_agent.get(f"/agents/{offer.request.prefecture.code}/accueil/")
    assert response.status_code == 200
    for site in offer.request.procedure.sites.all():
        assert page(offer, site) in response.content.decode()


def test_reading_page_works_without_javascript(desk_agent, offer):
    with on(desk_agent, at_local(offer)):
        response = desk_agent.get(page(offer))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<form method="post" id="checkin-form"' in html
    assert 'name="code"' in html
    assert '<label class="fr-label" for="id_code">' in html
    # The camera button is hidden until the script finds BarcodeDetector.
    assert '<div id="checkin-camera-item" class="fr-mt-2w" hidden>' in html
    assert "creneau/checkin.js" in html
    assert "no-store" in response["Cache-Control"]
    # Today's list names the appointment and counts it as expected.
    assert offer.short_code in html
    assert "1 attendu(s), 0 arrivé(s), 0 reçu(s), 0 absent(s)." in html


def test_the_qr_code_leads_to_the_identity_then_arrival_then_received(desk_agent, offer, token):
    with on(desk_agent, at_local(offer, 9)):
        response = read(desk_agent, offer, token)
        assert response.status_code == 302
        assert response["Location"] == appointment(offer)
        html = desk_agent.get(appointment(offer)).content.decode()
        for identity in ("DIALLO", "Amina Fatou", "17/05/1990", "Sénégal", "1234567890"):
            assert identity in html, identity
        assert "Arrivé : identité vérifiée" in html
        assert "Reçu : rendez-vous terminé" not in html

        response = desk_agent.post(f"{appointment(offer)}arrivee/")
        assert response.status_code == 302
        offer.refresh_from_db()
        assert offer.arrived_at is not None
        assert offer.status == Offer.Status.CONFIRMED
        html = desk_agent.get(appointment(offer)).content.decode()
        assert "Reçu : rendez-vous terminé" in html
        assert "Arrivé : identité vérifiée" not in html

        response = desk_agent.post(f"{appointment(offer)}recu/")
        assert response.status_code == 302
        assert response["Location"] == page(offer)
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ATTENDED
    assert Request.objects.get(pk=offer.request_id).status == Status.ATTENDED
    assert AuditEvent.objects.filter(action="appointment.arrived").count() == 1
    assert AuditEvent.objects.filter(action="request.attended").count() == 1
    with on(desk_agent, at_local(offer, 11)):
        html = refused(read(desk_agent, offer, token), "already_attended")
        assert "déjà été reçu" in html
        assert "0 attendu(s), 0 arrivé(s), 1 reçu(s), 0 absent(s)." in html


def test_the_short_code_or_the_reference_can_be_typed(desk_agent, offer):
    with on(desk_agent, at_local(offer)):
        for typed in (offer.short_code.lower(), offer.request.reference):
            response = read(desk_agent, offer, typed)
            assert response.status_code == 302, typed
            assert response["Location"] == appointment(offer)


def test_a_no_show_is_recorded_counted_and_the_person_may_file_again(desk_agent, offer):
    with on(desk_agent, at_local(offer, 8)):
        html = desk_agent.get(appointment(offer)).content.decode()
        assert "Absent" not in html  # not before the appointment's time
        desk_agent.post(f"{appointment(offer)}absent/")
        offer.refresh_from_db()
        assert offer.status == Offer.Status.CONFIRMED
    with on(desk_agent, at_local(offer, 11)):
        assert ">Absent</button>" in desk_agent.get(appointment(offer)).content.decode()
        response = desk_agent.post(f"{appointment(offer)}absent/")
        assert response.status_code == 302
        offer.refresh_from_db()
        assert offer.status == Offer.Status.NO_SHOW
        assert Request.objects.get(pk=offer.request_id).status == Status.NO_SHOW
        assert (
            "0 attendu(s), 0 arrivé(s), 0 reçu(s), 1 absent(s)."
            in desk_agent.get(page(offer)).content.decode()
        )
        # The request has ended: the same person may file again for the same procedure.
        again = file_request(offer.request.procedure)
        assert again.status == Status.PENDING
        assert again.applicant.surnames == "Diallo"


def test_a_token_for_another_day_is_refused(desk_agent, offer, token):
    with on(desk_agent, at_local(offer, day=APPOINTMENT_DAY - datetime.timedelta(days=1))):
        html = refused(read(desk_agent, offer, token), "other_day")
        assert "pas aujourd'hui" in html.replace("&#x27;", "'")
    with on(desk_agent, at_local(offer, day=APPOINTMENT_DAY + datetime.timedelta(days=2))):
        refused(read(desk_agent, offer, token), "other_day")
    offer.refresh_from_db()
    assert offer.arrived_at is None


def test_a_token_for_another_site_is_refused(desk_agent, offer, token):
    other = offer.request.procedure.sites.exclude(pk=offer.slot.site_id).first()
    with on(desk_agent, at_local(offer)):
        html = refused(read(desk_agent, offer, token, site=other), "other_site")
    assert offer.slot.site.name in html


def test_a_token_of_another_prefecture_is_refused_and_logged(client, offer, token):
    elsewhere = PrefectureFactory(code="94", name="Préfecture du Val-de-Marne")
    site = SiteFactory(prefecture=elsewhere)
    as_agent(client, make_agent(Role.AGENT, elsewhere))
    with on(client, at_local(offer)):
        refused(read(client, offer, token, site=site), "other_prefecture")
        # Its short code or reference finds nothing in this prefecture.
        refused(read(client, offer, offer.short_code, site=site), "not_found")
    assert AuditEvent.objects.filter(action="checkin.refused", data__reason="other_prefecture").count() == 1


def test_a_cancelled_appointment_is_refused(desk_agent, offer, token):
    with time_machine.travel(FILED + datetime.timedelta(days=2), tick=False):
        do_cancel_by_prefecture(offer, Actor.system("test"), "guichet fermé")
    with on(desk_agent, at_local(offer)):
        html = refused(read(desk_agent, offer, token), "not_confirmed")
        assert "annulé par la préfecture" in html
        refused(read(desk_agent, offer, offer.short_code), "not_confirmed")
        # Nothing can be recorded on it either.
        desk_agent.post(f"{appointment(offer)}arrivee/")
    offer.refresh_from_db()
    assert offer.arrived_at is None


def test_forged_and_altered_tokens_are_refused_and_logged(desk_agent, offer, token):
    import base64
    import json

    header, payload, signature = token.split(".")
    claims = {**checkin_claims(offer), "ref": "ZZZZ-ZZZZ"}
    altered = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with on(desk_agent, at_local(offer)):
        refused(read(desk_agent, offer, f"{header}.{altered}.{signature}"), "forged")
        flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
        refused(read(desk_agent, offer, f"{header}.{payload}.{flipped}"), "forged")
        unsigned = (
            base64.urlsafe_b64encode(b'{"alg":"none","typ":"creneau-checkin+jwt"}').rstrip(b"=").decode()
        )
        refused(read(desk_agent, offer, f"{unsigned}.{payload}.{signature}"), "forged")
    assert AuditEvent.objects.filter(action="checkin.refused", data__reason="forged").count() == 3


def test_a_receipt_or_a_token_of_another_type_is_refused(desk_agent, offer):
    with on(desk_agent, at_local(offer)):
        refused(read(desk_agent, offer, tokens.sign_receipt(offer.request)), "wrong_type")
        refused(
            read(desk_agent, offer, tokens.sign(checkin_claims(offer), "creneau-attestation+jwt")),
            "wrong_type",
        )


def test_an_empty_or_unknown_code_says_what_to_do(desk_agent, offer):
    with on(desk_agent, at_local(offer)):
        refused(read(desk_agent, offer, ""), "empty")
        refused(read(desk_agent, offer, "ABCD2345"), "not_found")


def test_an_auditor_may_look_but_not_record(client, offer, token):
    as_agent(client, make_agent(Role.AUDITOR, offer.request.prefecture))
    with on(client, at_local(offer)):
        assert read(client, offer, token).status_code == 302
        html = client.get(appointment(offer)).content.decode()
        assert "DIALLO" in html
        assert "Arrivé : identité vérifiée" not in html
        assert client.post(f"{appointment(offer)}arrivee/").status_code == 403
    offer.refresh_from_db()
    assert offer.arrived_at is None


def test_a_helper_has_no_check_in(client, offer):
    log_in(client, make_agent(Role.HELPER, offer.request.prefecture))
    assert client.get(page(offer)).status_code == 403


def test_another_prefectures_agent_gets_404(client, offer):
    elsewhere = PrefectureFactory(code="94", name="Préfecture du Val-de-Marne")
    ProcedureFactory(prefecture=elsewhere)
    log_in(client, make_agent(Role.MANAGER, elsewhere))
    for url in (f"/agents/{offer.request.prefecture.code}/accueil/", page(offer), appointment(offer)):
        assert client.get(url).status_code == 404
    assert client.post(f"{appointment(offer)}arrivee/").status_code == 404
    own_site = elsewhere.sites.first()
    url = f"/agents/94/accueil/{own_site.pk}/rdv/{offer.request.reference}/"
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(action="backoffice.cross_prefecture").count() >= 5
