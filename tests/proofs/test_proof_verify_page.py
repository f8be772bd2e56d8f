import datetime

import pytest
import time_machine

from creneau.proofs import tokens

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2025, 3, 13, 9, 0, tzinfo=datetime.UTC)


@time_machine.travel(NOW, tick=False)
def test_the_page_confirms_a_genuine_receipt_in_the_prefectures_time(client, receipt_request):
    token = tokens.sign_receipt(receipt_request)
    # Copied from the PDF, the token comes with line breaks.
    pasted = "\n".join(token[i:i + 90] for i in range(0, len(token), 90))

    response = client.get("/verifier/", {"jeton": pasted})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Preuve authentique" in page
    assert "R974-7KQ3-2F9X" in page
    assert "Préfecture de La Réunion" in page
    assert "12 mars 2025 à 14:30 (Indian/Reunion, UTC+04:00)" in page
    assert "Première demande de titre de séjour" in page
    assert "lot n° 42" in page
    assert "Haddad" not in page  # the token holds no name, and the page looks nothing else up
    assert response["Referrer-Policy"] == "no-referrer"


def test_the_page_refuses_an_altered_receipt_in_plain_words(client, receipt_request):
    header, payload, signature = tokens.sign_receipt(receipt_request).split(".")
    altered = f"{header}.{payload[:-4]}AAAA.{signature}"

    page = client.get("/verifier/", {"jeton": altered}).content.decode()

    assert "Preuve refusée" in page
    assert "bad_signature" in page
    assert "Preuve authentique" not in page


@pytest.mark.parametrize(("token", "reason"), [("n'importe quoi", "malformed"), ("a.b.c", "malformed")])
def test_the_page_refuses_garbage(client, token, reason):
    page = client.get("/verifier/", {"jeton": token}).content.decode()

    assert reason in page
    assert "Preuve refusée" in page


def test_the_page_refuses_a_proof_of_an_unknown_kind(client, receipt_request):
    token = tokens.sign({"ref": "R1"}, "creneau-other+jwt")

    page = client.get("/verifier/", {"jeton": token}).content.decode()

    assert "wrong_type" in page


def test_the_empty_page_shows_the_form(client):
    response = client.get("/verifier/")

    assert response.status_code == 200
    assert 'name="jeton"' in response.content.decode()
    assert "Preuve refusée" not in response.content.decode()


def test_the_page_speaks_arabic(client, receipt_request):
    token = tokens.sign_receipt(receipt_request)

    page = client.get("/verifier/", {"jeton": token}, HTTP_ACCEPT_LANGUAGE="ar").content.decode()

    assert "إثبات صحيح" in page
    assert "R974-7KQ3-2F9X" in page


def test_the_page_follows_the_language_chosen_on_the_site(client, receipt_request, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get("/verifier/", {"jeton": tokens.sign_receipt(receipt_request)})

    assert "Genuine proof" in response.content.decode()
    assert response["Content-Language"] == "en"
