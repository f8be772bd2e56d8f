import re

import pytest
from django.test import Client

from creneau.notify.models import OutboxMessage
from tests.factories import ProcedureFactory

FORM = {
    "surnames": "Diallo",
    "given_names": "Amina Fatou",
    "birth_date": "17/05/1990",
    "nationality": "SN",
    "agdref_number": "1234567890",
    "passport_number": "",
    "email": "amina.diallo@example.org",
    "phone": "",
    "language": "fr",
    "permit_expires_on": "",
    "interpreter_language": "",
    "unavailable_dates": "",
}


@pytest.fixture
def procedure(db):
    return ProcedureFactory()


@pytest.fixture
def form_data(procedure):
    return {**FORM, "sites": [s.pk for s in procedure.sites.all()]}


@pytest.fixture
def file_url(procedure):
    return f"/prefectures/{procedure.prefecture.code}/{procedure.kind}/demande/"


def last_code(to=None):
    qs = OutboxMessage.objects.filter(template="verification_code").order_by("-id")
    if to:
        qs = qs.filter(recipient=to)
    return re.search(r"\b(\d{6})\b", qs.first().body_text).group(1)


def last_status_path(to=None):
    qs = OutboxMessage.objects.filter(template__in=["request_filed", "private_link"]).order_by("-id")
    if to:
        qs = qs.filter(recipient=to)
    url = re.search(r"https?://\S+/acces/\S+?/", qs.first().body_text).group(0)
    return "/" + url.split("/", 3)[3]


@pytest.fixture
def filed(client: Client, file_url, form_data):
    """A request filed through the pages; returns (client, reference)."""
    response = client.post(file_url, form_data)
    assert response.status_code == 302, response.content.decode()[:2000]
    reference = response["Location"].split("/")[2]
    response = client.post(f"/demande/{reference}/verification/", {"code": last_code()})
    assert response.status_code == 302
    return client, reference
