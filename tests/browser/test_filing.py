"""End to end in Chromium: an applicant files a request and gets the signed receipt."""

from __future__ import annotations

import pytest

from creneau.booking.models import Request
from creneau.booking.workflow import Status

from .flow import Applicant, file_request, path_for

pytestmark = pytest.mark.browser


def _check_receipt(page, language: str, reference: str) -> None:
    assert page.locator(".creneau-ref").inner_text().strip() == reference
    qr = page.locator(".creneau-qr svg")
    assert qr.count() == 1
    box = qr.bounding_box()
    assert box, "the QR code is not displayed"
    assert box["width"] > 50, "the QR code is too small"
    assert box["height"] > 50, "the QR code is too small"
    filed = Request.objects.get(reference=reference)
    assert filed.status == Status.PENDING
    assert filed.batch is not None


def _download_pdf(page, language: str, reference: str) -> bytes:
    link = page.locator(f"a[href='{path_for(language, 'receipt_pdf', reference)}']")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    data = open(download.path(), "rb").read()  # noqa: SIM115
    assert data.startswith(b"%PDF-"), data[:20]
    assert b"%%EOF" in data[-1024:]
    return data


def test_file_request_in_french(page, base_url, places):
    reference = file_request(page, base_url, "fr", places["93"])
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("html").get_attribute("dir") == "ltr"
    _check_receipt(page, "fr", reference)
    _download_pdf(page, "fr", reference)
    filed = Request.objects.select_related("applicant").get(reference=reference)
    assert filed.applicant.surnames.lower() == "haddad"
    assert filed.applicant.language == "fr"
    assert filed.applicant.step_free_needed is True
    assert filed.sites.count() == places["93"].sites.count()


def test_file_request_in_arabic(page, base_url, places):
    who = Applicant(
        surnames="Benali",
        given_names="Karim",
        birth_date="03/11/1985",
        nationality="MA",
        passport_number="MA7654321",
        email="karim.benali@example.org",
    )
    reference = file_request(page, base_url, "ar", places["67"], kind="renewal", who=who)
    html = page.locator("html")
    assert html.get_attribute("lang") == "ar"
    assert html.get_attribute("dir") == "rtl"
    assert page.locator("html[dir=rtl]").count() == 1
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.url.startswith(f"{base_url}/ar/")
    _check_receipt(page, "ar", reference)
    _download_pdf(page, "ar", reference)
    filed = Request.objects.select_related("applicant").get(reference=reference)
    assert filed.applicant.language == "ar"
    assert filed.procedure.kind == "renewal"
