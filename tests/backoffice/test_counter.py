"""The counter route: an agent or a helper files for an applicant, who leaves with the printed receipt."""

from __future__ import annotations

import pytest

from creneau.accounts.models import HelperFiling, Role
from creneau.audit.models import AuditEvent
from creneau.booking.models import Request
from creneau.booking.workflow import Status
from creneau.notify.models import OutboxMessage
from tests.factories import file_request

from .factories import log_in, make_agent

pytestmark = pytest.mark.django_db

FORM = {
    "surnames": "Haddad",
    "given_names": "Youssef",
    "birth_date": "03/02/1985",
    "nationality": "DZ",
    "agdref_number": "",
    "passport_number": "ab 123 4567",
    "email": "",
    "phone": "",
    "language": "ar",
    "permit_expires_on": "",
    "interpreter_language": "",
    "unavailable_dates": "",
    "identity_seen": "on",
    "document_seen": "passeport algérien",
}


@pytest.fixture
def form(procedure):
    return {**FORM, "sites": [s.pk for s in procedure.sites.all()]}


def _url(procedure):  # type: ignore[no-untyped-def]
    return f"/agents/{procedure.prefecture.code}/guichet/{procedure.kind}/"


def test_an_agent_files_for_an_applicant_without_email_or_phone(agent_client, agent, procedure, form):
    response = agent_client.post(_url(procedure), form, REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 302, response.content.decode()[:3000]
    filed = Request.objects.get()
    assert response["Location"] == f"/agents/{procedure.prefecture.code}/demandes/{filed.reference}/"
    assert filed.status == Status.PENDING
    assert filed.batch is not None
    assert filed.channel == Request.Channel.COUNTER
    assert filed.filed_by == agent.user
    assert filed.applicant.passport_number == "AB1234567"
    assert not OutboxMessage.objects.exists()  # no contact: no e-mail, no SMS, nothing at all
    event = AuditEvent.objects.get(action="request.filed")
    assert event.actor_user == agent.user
    assert event.ip_address == "192.0.2.10"
    assert "passeport algérien" in event.data["attestation"]


def test_the_route_gives_no_priority(agent_client, procedure, form):
    online = file_request(procedure, channel=Request.Channel.ONLINE)
    agent_client.post(_url(procedure), form)
    counter = Request.objects.exclude(pk=online.pk).get()
    assert counter.batch_id == online.batch_id
    assert counter.priority == online.priority == Request.Priority.ORDINARY
    assert not counter.requeued_top


def test_the_identity_attestation_is_required(agent_client, procedure, form):
    form.pop("identity_seen")
    response = agent_client.post(_url(procedure), form)
    assert response.status_code == 400
    assert "attestation" in response.content.decode()
    assert not Request.objects.exists()


def test_same_validation_as_online(agent_client, procedure, form):
    response = agent_client.post(_url(procedure), {**form, "surnames": "حداد", "birth_date": "31/02/1985"})
    assert response.status_code == 400
    assert not Request.objects.exists()


def test_a_duplicate_is_refused_at_the_counter_too(agent_client, procedure, form):
    agent_client.post(_url(procedure), form)
    response = agent_client.post(_url(procedure), form)
    assert response.status_code == 409
    assert Request.objects.count() == 1


def test_with_a_contact_the_applicant_gets_their_private_link(agent_client, procedure, form):
    agent_client.post(_url(procedure), {**form, "email": "y.haddad@example.org"})
    assert OutboxMessage.objects.filter(recipient="y.haddad@example.org", template="request_filed").exists()


def test_a_helpers_filing_is_attributed_to_the_organisation(client, prefecture, procedure, form):
    helper = make_agent(Role.HELPER, prefecture)
    log_in(client, helper)
    assert client.post(_url(procedure), form).status_code == 302
    filed = Request.objects.get()
    assert filed.channel == Request.Channel.HELPER
    attribution = HelperFiling.objects.get(request=filed)
    assert attribution.organisation == helper.organisation
    assert attribution.user == helper.user
    event = AuditEvent.objects.get(action="request.filed")
    assert event.actor_type == "helper"
    assert helper.organisation.name in event.actor_label


def test_a_helper_sees_their_organisations_filings_only(client, prefecture, procedure, form):
    helper = make_agent(Role.HELPER, prefecture)
    log_in(client, helper)
    client.post(_url(procedure), form)
    mine = Request.objects.get()
    other = file_request(procedure, surnames="Martin")
    code = prefecture.code
    assert client.get(f"/agents/{code}/demandes/{mine.reference}/").status_code == 200
    assert client.get(f"/agents/{code}/demandes/{other.reference}/").status_code == 404
    assert client.get(f"/agents/{code}/demandes/").status_code == 403  # no search for helpers


def test_the_receipt_is_the_signed_pdf(agent_client, procedure, form):
    agent_client.post(_url(procedure), form)
    filed = Request.objects.get()
    response = agent_client.get(
        f"/agents/{procedure.prefecture.code}/demandes/{filed.reference}/accuse-reception.pdf"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "no-store" in response["Cache-Control"]


def test_search_by_reference_or_by_name_and_birth_date(agent_client, procedure):
    amina = file_request(procedure)
    file_request(
        procedure, surnames="Diallo", given_names="Moussa", birth_date=__import__("datetime").date(1970, 1, 1)
    )
    code = procedure.prefecture.code
    page = agent_client.get(
        f"/agents/{code}/demandes/", {"reference": amina.reference.lower()}
    ).content.decode()
    assert amina.reference in page
    page = agent_client.get(f"/agents/{code}/demandes/", {"surnames": "DIALLO", "birth_date": "17/05/1990"})
    assert page.status_code == 200
    assert amina.reference in page.content.decode()
    assert "Moussa" not in page.content.decode()
    assert agent_client.get(f"/agents/{code}/demandes/", {"surnames": "Diallo"}).status_code == 400


def test_an_agent_corrects_a_typo_with_a_reason(agent_client, agent, procedure):
    filed = file_request(procedure, surnames="Dialo")
    url = f"/agents/{procedure.prefecture.code}/demandes/{filed.reference}/identite/"
    data = {
        "surnames": "Diallo",
        "given_names": "Amina Fatou",
        "birth_date": "17/05/1990",
        "nationality": "SN",
        "agdref_number": "1234567890",
        "passport_number": "",
        "reason": "",
    }
    assert agent_client.post(url, data).status_code == 400  # a reason is required
    filed.applicant.refresh_from_db()
    assert filed.applicant.surnames == "Dialo"
    assert agent_client.post(url, {**data, "reason": "faute de frappe, passeport vu"}).status_code == 302
    filed.refresh_from_db()
    assert filed.applicant.surnames == "Diallo"
    assert filed.identity_key.startswith("DIALLO|")
    event = AuditEvent.objects.get(action="identity.corrected")
    assert event.actor_user == agent.user
    assert event.data["before"] == {"surnames": "Dialo"}
    assert event.data["reason"].startswith("faute")


def test_an_auditor_reads_but_cannot_file_or_correct(client, prefecture, procedure, form):
    auditor = make_agent(Role.AUDITOR, prefecture)
    log_in(client, auditor)
    filed = file_request(procedure)
    code = prefecture.code
    assert client.get(f"/agents/{code}/demandes/{filed.reference}/").status_code == 200
    assert client.post(_url(procedure), form).status_code == 403
    assert client.post(f"/agents/{code}/demandes/{filed.reference}/identite/", {}).status_code == 403
    assert Request.objects.count() == 1
