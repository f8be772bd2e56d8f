"""An applicant files a request from the home page to the signed receipt."""

import re

import pytest
from django.test import Client

from creneau.audit.log import verify_chain
from creneau.booking.models import Request
from creneau.booking.workflow import Status
from creneau.notify.models import OutboxMessage

from .conftest import last_code, last_status_path

pytestmark = pytest.mark.django_db


def test_home_explains_the_queue_and_lists_prefectures(client, procedure):
    page = client.get("/").content.decode()
    assert "tirage au sort" in page
    assert "lot" in page
    assert procedure.prefecture.name in page


def test_prefecture_page_shows_documents_and_sites(client, procedure):
    page = client.get(f"/prefectures/{procedure.prefecture.code}/").content.decode()
    assert "Passeport en cours de validité" in page
    for site in procedure.sites.all():
        assert site.name in page


def test_filing_then_code_makes_the_request_pending_in_the_current_batch(client, file_url, form_data):
    response = client.post(file_url, form_data)
    assert response.status_code == 302
    request = Request.objects.get()
    assert request.status == Status.DRAFT
    assert request.batch is None

    response = client.post(response["Location"], {"code": last_code()})
    assert response.status_code == 302
    assert response["Location"].endswith("/accuse-reception/")
    request.refresh_from_db()
    assert request.status == Status.PENDING
    assert request.batch is not None
    assert request.batch.opens_at <= request.filed_at < request.batch.closes_at
    assert verify_chain().ok


def test_the_receipt_shows_reference_batch_and_a_signed_qr_code(filed):
    client, reference = filed
    page = client.get(f"/suivi/{reference}/accuse-reception/").content.decode()
    assert reference in page
    assert "<svg" in page
    token = re.search(r"eyJ[\w-]+\.[\w-]+\.[\w-]+", page).group(0)
    header = __import__("json").loads(__import__("base64").urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["alg"] == "EdDSA"
    assert header["kid"]
    pdf = client.get(f"/suivi/{reference}/accuse-reception.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_the_private_link_opens_the_status_page_in_a_new_browser(filed):
    _, reference = filed
    other_browser = Client()
    assert other_browser.get(f"/suivi/{reference}/").status_code == 404
    response = other_browser.get(last_status_path())
    assert response.status_code == 302
    assert response["Location"] == f"/suivi/{reference}/"
    page = other_browser.get(f"/suivi/{reference}/").content.decode()
    assert reference in page
    assert "Historique" in page
    assert "en attente" in page


def test_personal_pages_are_never_cached(filed):
    client, reference = filed
    for path in (
        f"/suivi/{reference}/",
        f"/suivi/{reference}/accuse-reception/",
        f"/suivi/{reference}/accuse-reception.pdf",
    ):
        assert "no-store" in client.get(path)["Cache-Control"]


def test_filing_works_in_arabic_and_english(client, procedure, form_data):
    for lang in ("ar", "en"):
        page = client.get(f"/{lang}/prefectures/{procedure.prefecture.code}/{procedure.kind}/demande/")
        assert f'lang="{lang}"' in page.content.decode()
    assert 'dir="rtl"' in client.get("/ar/").content.decode()


def test_the_code_and_the_link_are_sent_in_the_applicants_language(client, file_url, form_data):
    client.post(file_url, {**form_data, "language": "ar"})
    message = OutboxMessage.objects.get(template="verification_code")
    assert message.language == "ar"


def test_an_sms_only_applicant_gets_the_code_by_sms(client, file_url, form_data):
    response = client.post(file_url, {**form_data, "email": "", "phone": "06 12 34 56 78"})
    assert response.status_code == 302
    message = OutboxMessage.objects.get(template="verification_code")
    assert message.channel == "sms"
    assert message.recipient == "+33612345678"
