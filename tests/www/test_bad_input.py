"""Bad input of every kind gets a clear, translated error, changes nothing, and never a 500."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from creneau.audit.models import AuditEvent
from creneau.booking.models import Applicant, ContactChallenge, Request
from creneau.booking.workflow import Status
from creneau.notify.models import OutboxMessage
from tests.factories import ProcedureFactory, SiteFactory

from .conftest import last_code

pytestmark = pytest.mark.django_db

TOMORROW = (datetime.date.today() + datetime.timedelta(days=1)).strftime("%d/%m/%Y")

BAD_FIELDS = [
    ({"surnames": ""}, "surnames", "Ce champ est obligatoire"),
    ({"birth_date": ""}, "birth_date", "Ce champ est obligatoire"),
    ({"birth_date": TOMORROW}, "birth_date", "futur"),
    ({"birth_date": "31/02/1990"}, "birth_date", "JJ/MM/AAAA"),
    ({"birth_date": "01/01/1850"}, "birth_date", "Vérifiez"),
    ({"surnames": "x" * 10_000}, "surnames", "au plus 100"),
    ({"surnames": "محمد"}, "surnames", "lettres latines"),
    ({"given_names": "Иван"}, "given_names", "lettres latines"),
    ({"surnames": "Diallo 😀"}, "surnames", "lettres latines"),
    ({"surnames": "Robert'); DROP TABLE booking_request;--"}, "surnames", "lettres latines"),
    ({"surnames": "Diallo\x00"}, "surnames", "caractère nul"),
    ({"surnames": "Diallo\x07"}, "surnames", "caractères invalides"),
    ({"nationality": "XX"}, "nationality", "Sélectionnez un choix valide"),
    ({"agdref_number": "12345", "passport_number": ""}, "agdref_number", "10 chiffres"),
    ({"agdref_number": "", "passport_number": ""}, "agdref_number", "AGDREF"),
    ({"agdref_number": "", "passport_number": "<script>"}, "passport_number", "5 à 20"),
    ({"email": "", "phone": ""}, "email", "adresse électronique ou un numéro"),
    ({"email": "not-an-email"}, "email", "pas valide"),
    ({"email": "a@" + "b" * 300 + ".fr"}, "email", ""),
    ({"email": "", "phone": "12"}, "phone", "pas valide"),
    ({"email": "", "phone": "01 40 00 00 00"}, "phone", "mobile"),  # a landline cannot receive SMS
    ({"language": "de"}, "language", "Sélectionnez un choix valide"),
    ({"sites": []}, "sites", "au moins un lieu"),
    ({"sites": ["abc"]}, "sites", "ne traite pas"),
    ({"sites": [999999]}, "sites", "ne traite pas"),
    ({"unavailable_dates": "01/01/2001"}, "unavailable_dates", "passée"),
    ({"unavailable_dates": "demain"}, "unavailable_dates", "n'est pas une date"),
    ({"unavailable_dates": "x" * 5000}, "unavailable_dates", "au plus 1000"),
    ({"interpreter_language": "klingon"}, "interpreter_language", "Sélectionnez un choix valide"),
]


def _counts():
    return (
        Request.objects.count(),
        Applicant.objects.count(),
        OutboxMessage.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize(("change", "field", "message"), BAD_FIELDS)
def test_a_bad_field_is_refused_with_a_clear_error_and_nothing_changes(
    client, file_url, form_data, change, field, message
):
    before = _counts()
    response = client.post(file_url, {**form_data, **change})
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_{field}' in page or f"checkboxes-id_{field}" in page
    assert "fr-error-text" in page or "errorlist" in page
    if message:
        assert message in page.replace("&#x27;", "'").replace("&quot;", '"')
    assert _counts() == before


def test_errors_are_translated(client, procedure, form_data):
    url = f"/en/prefectures/{procedure.prefecture.code}/{procedure.kind}/demande/"
    page = client.post(url, {**form_data, "surnames": "محمد"}).content.decode()
    assert "Latin letters" in page
    page = client.post("/ar" + url[3:], {**form_data, "surnames": "محمد"}).content.decode()
    assert "بالحروف اللاتينية" in page


def test_a_site_of_another_prefecture_is_refused(client, file_url, form_data):
    elsewhere = SiteFactory(
        prefecture=ProcedureFactory(
            prefecture__code="974", prefecture__name="La Réunion", prefecture__time_zone="Indian/Reunion"
        ).prefecture
    )
    before = _counts()
    response = client.post(file_url, {**form_data, "sites": [elsewhere.pk]})
    assert response.status_code == 400
    assert _counts() == before


@pytest.mark.parametrize(
    "path",
    [
        "/prefectures/00/renewal/demande/",
        "/prefectures/93/unknown/demande/",
        "/prefectures/%27%3B--/",
        "/demande/AAAA-BBBB/verification/",
        "/suivi/AAAA-BBBB/",
        "/suivi/AAAA-BBBB/accuse-reception.pdf",
    ],
)
def test_unknown_things_are_a_404_not_a_500(client, procedure, path):
    assert client.get(path).status_code == 404


def test_forms_need_a_csrf_token(procedure, form_data, file_url):
    strict = Client(enforce_csrf_checks=True)
    before = _counts()
    assert strict.post(file_url, form_data).status_code == 403
    assert _counts() == before


def test_state_changes_refuse_get(filed):
    client, reference = filed
    for action in ("retrait", "preferences", "coordonnees"):
        assert client.get(f"/suivi/{reference}/{action}/").status_code == 405
    assert Request.objects.get(reference=reference).status == Status.PENDING


class TestContactCode:
    def _draft(self, client, file_url, form_data):
        response = client.post(file_url, form_data)
        return response["Location"], Request.objects.get()

    def test_a_wrong_code_is_refused_and_counted(self, client, file_url, form_data):
        url, request = self._draft(client, file_url, form_data)
        right = last_code()
        wrong = "000000" if right != "000000" else "111111"
        response = client.post(url, {"code": wrong})
        assert response.status_code == 400
        assert "Il vous reste 4 essai" in response.content.decode()
        request.refresh_from_db()
        assert request.status == Status.DRAFT

    def test_after_five_wrong_codes_even_the_right_one_is_refused(self, client, file_url, form_data):
        url, request = self._draft(client, file_url, form_data)
        right = last_code()
        wrong = "000000" if right != "000000" else "111111"
        for _ in range(5):
            client.post(url, {"code": wrong})
        response = client.post(url, {"code": right})
        assert "Trop d" in response.content.decode()
        request.refresh_from_db()
        assert request.status == Status.DRAFT

    @pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦", "' OR 1=1 --", "😀" * 6])
    def test_malformed_codes_are_refused(self, client, file_url, form_data, code):
        url, request = self._draft(client, file_url, form_data)
        assert client.post(url, {"code": code}).status_code == 400
        request.refresh_from_db()
        assert request.status == Status.DRAFT

    def test_an_expired_code_is_refused(self, client, file_url, form_data):
        url, request = self._draft(client, file_url, form_data)
        code = last_code()
        with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
            response = client.post(url, {"code": code})
        assert "expiré" in response.content.decode()
        request.refresh_from_db()
        assert request.status == Status.DRAFT

    def test_a_code_cannot_be_replayed(self, client, file_url, form_data):
        url, _request = self._draft(client, file_url, form_data)
        code = last_code()
        assert client.post(url, {"code": code}).status_code == 302
        challenge = ContactChallenge.objects.get()
        assert challenge.used_at is not None
        from creneau.booking.actions import ActionError
        from creneau.booking.actions.filing import check_code

        with pytest.raises(ActionError, match="déjà été utilisé"):
            check_code(challenge, code)

    def test_resending_is_rate_limited_and_replaces_the_code(self, client, file_url, form_data):
        url, _request = self._draft(client, file_url, form_data)
        first = last_code()
        assert client.post(url, {"resend": "1"}).status_code == 429  # too soon
        with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61)):
            assert client.post(url, {"resend": "1"}).status_code == 200
            second = last_code()
            if first != second:
                assert client.post(url, {"code": first}).status_code == 400
            assert client.post(url, {"code": second}).status_code == 302

    def test_someone_elses_draft_cannot_be_verified_from_another_browser(self, client, file_url, form_data):
        url, request = self._draft(client, file_url, form_data)
        assert Client().post(url, {"code": last_code()}).status_code == 404
        request.refresh_from_db()
        assert request.status == Status.DRAFT


class TestPrivateLink:
    @pytest.mark.parametrize(
        "mangle",
        [
            lambda p: p[:-2] + "x/",  # altered secret
            lambda p: p.replace("/acces/", "/acces/A"),
            lambda p: p.rsplit("/acces/", 1)[0] + "/acces/" + "A" * 32 + "/",
        ],
    )
    def test_a_tampered_link_opens_nothing(self, filed, mangle):
        from .conftest import last_status_path

        _, reference = filed
        browser = Client()
        response = browser.get(mangle(last_status_path()))
        assert response.status_code == 404
        assert browser.get(f"/suivi/{reference}/").status_code == 404

    def test_a_link_does_not_open_another_request(self, filed, procedure, form_data, file_url):
        from .conftest import last_status_path

        _, reference = filed
        mine = last_status_path()
        other = Client()
        response = other.post(file_url, {**form_data, "surnames": "Haddad", "email": "haddad@example.org"})
        other.post(response["Location"], {"code": last_code("haddad@example.org")})
        other_reference = Request.objects.exclude(reference=reference).get().reference
        browser = Client()
        browser.get(mine.replace(reference, other_reference))
        assert browser.get(f"/suivi/{other_reference}/").status_code == 404
