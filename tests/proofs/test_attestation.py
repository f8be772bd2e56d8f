"""The attestation of waiting: what it certifies, its PDF in three languages, downloads, public check."""

import datetime
import io

import pypdfium2 as pdfium
import pytest
import time_machine
from pypdf import PdfReader

from creneau.audit.log import Actor
from creneau.audit.models import AuditEvent
from creneau.proofs import tokens
from creneau.proofs.attestation import ATTESTATION_TYP, NOT_REACHED, OFFERED, do_issue_attestation
from creneau.proofs.attestation_render import render_attestation_html, render_attestation_pdf
from creneau.proofs.models import Attestation
from creneau.www.public.views.common import SESSION_REQUESTS
from tests.stats.scenario import days, waiting_story

pytestmark = pytest.mark.django_db

ISSUED = days(30)  # Wednesday 6 January 2027


@pytest.fixture
def story():
    return waiting_story()


def _issue(request, at=ISSUED):
    with time_machine.travel(at, tick=False):
        return do_issue_attestation(request, Actor.system("test"))


def test_it_lists_every_run_since_filing_with_its_outcome_and_rank_class(story):
    _, _, _, ours, runs = story
    claims = tokens.verify(_issue(ours).token, ATTESTATION_TYP)
    assert (claims["ref"], claims["name"], claims["status"]) == (ours.reference, "HADDAD Amina", "offered")
    assert claims["filed_at"] == "2026-12-08T09:00:00Z"
    assert claims["channel"] == "counter"
    assert [r["batch"] for r in claims["runs"]] == [
        run.batch.index for run in runs
    ]  # the run before filing is not one
    assert [r["outcome"] for r in claims["runs"]] == [NOT_REACHED] * 3 + [OFFERED]
    assert [r["batch_class"] for r in claims["runs"]] == ["same", "older", "older", "older"]
    assert {r["priority"] for r in claims["runs"]} == {2}
    assert [r["at"] for r in claims["runs"]][:3] == [
        "2026-12-08T17:00:00Z",
        "2026-12-15T17:00:00Z",
        "2026-12-22T17:00:00Z",
    ]
    assert all(r["allocated"] == r["allocated_procedure"] == 1 for r in claims["runs"])
    assert "email" not in str(claims)
    assert "amina@example.org" not in str(claims)


def test_a_rival_served_in_a_run_is_not_listed_as_not_reached_in_later_runs(story):
    _, _, _, _, runs = story
    first_served = runs[0].offers.get().request  # the lottery chose one of the three older requests
    claims = tokens.verify(_issue(first_served).token, ATTESTATION_TYP)
    outcomes = [r["outcome"] for r in claims["runs"]]
    assert outcomes[0] == OFFERED
    assert set(outcomes[1:]) == {"not_in_queue"}  # it held its offer: later runs could not have reached it


def test_issuing_is_audited_and_each_issue_has_its_own_code(story):
    ours = story[3]
    first, second = _issue(ours), _issue(ours, ISSUED + datetime.timedelta(days=1))
    assert first.code != second.code
    assert len(first.code) == 14
    assert AuditEvent.objects.filter(action="attestation.issued", object_id=second.code).exists()


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", []),
        ("en", ["English"]),
        ("ar", ["العربية"]),
    ],
)
def test_the_pdf_is_in_french_with_the_applicants_language_alongside(story, language, words):
    attestation = _issue(story[3])
    pdf = render_attestation_pdf(attestation, language)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for expected in [
        "Attestation d'attente",
        attestation.code,
        story[3].reference,
        "HADDAD Amina",
        "non atteinte",
        "3 semaines différentes",
        *words,
    ]:
        assert expected in text
    assert attestation.token[:40] in text.replace("\n", "")
    html = render_attestation_html(attestation, language)
    assert ('lang="ar" dir="rtl"' in html) == (language == "ar")
    document = pdfium.PdfDocument(pdf)
    pages = len(document)
    assert pages == (2 if language == "fr" else 3)
    for index in range(pages - 1):  # the French page, and the translated one
        image = document[index].render(scale=0.5).to_pil().convert("L")
        dark = sum(image.histogram()[:128])
        assert dark > 0.01 * image.width * image.height, f"page {index + 1} looks blank"
    if language == "ar":
        arabic = document[1].get_textpage().get_text_range()
        assert "العربية" in arabic
        assert "\ufffd" not in arabic


def _open_session(client, reference):
    session = client.session
    session[SESSION_REQUESTS] = [reference]
    session.save()


def test_the_applicant_downloads_the_pdf_and_the_signed_token(client, story, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    ours = story[3]
    assert client.get(f"/suivi/{ours.reference}/attestation.pdf").status_code == 404  # not their session
    with time_machine.travel(ISSUED, tick=False):
        _open_session(client, ours.reference)
        status_page = client.get(f"/suivi/{ours.reference}/").content.decode()
        response = client.get(f"/suivi/{ours.reference}/attestation.pdf")
    assert f"/suivi/{ours.reference}/attestation.pdf" in status_page
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    attestation = Attestation.objects.get(request=ours)
    jws = client.get(f"/suivi/{ours.reference}/attestation/{attestation.code}.jws")
    assert jws.status_code == 200
    assert jws.content.decode() == attestation.token


def test_the_public_page_checks_a_code_and_says_when_a_newer_attestation_exists(
    client, story, settings, tmp_path
):
    settings.STATIC_ROOT = tmp_path
    ours = story[3]
    old = _issue(ours)
    page = client.get(f"/attestation/{old.code.lower().replace('-', '')}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Attestation authentique" in html
    assert "HADDAD Amina" in html
    assert "non atteinte" in html
    assert "Aucune attestation plus récente" in html
    assert "no-store" in page["Cache-Control"]
    _issue(ours, ISSUED + datetime.timedelta(days=3))
    html = client.get("/attestation/", {"code": old.code}).content.decode()
    assert "Une attestation plus récente a été délivrée" in html
    assert "9 janvier 2027" in html
    assert "amina@example.org" not in html
    assert client.get("/attestation/ZZZZ-ZZZZ-ZZZZ/").status_code == 404
