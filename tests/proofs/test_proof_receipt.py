import datetime
import io
import re
import shutil
import subprocess

import pypdf
import pytest
import time_machine
import zxingcpp
from PIL import Image

from creneau.proofs import qr, tokens
from creneau.proofs.receipt import receipt_context, render_receipt_html, render_receipt_pdf

from .conftest import SITE_URL, make_request

pytestmark = pytest.mark.django_db

# The receipt is downloaded a day after filing; the PDF must still show the filing time.
NOW = datetime.datetime(2025, 3, 13, 9, 0, tzinfo=datetime.UTC)
ARABIC = re.compile(r"[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")


def pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def token_in(text: str) -> str:
    """The token printed under the QR code (pypdf breaks it into lines)."""
    compact = re.sub(r"\s+", "", text)
    match = re.search(r"eyJ[\w-]+\.eyJ[\w-]+\.[\w-]{86}", compact)
    assert match, "no token printed in the PDF"
    return match.group(0)


@time_machine.travel(NOW, tick=False)
def test_the_pdf_shows_the_reference_and_the_filing_time_in_the_prefectures_zone(receipt_request):
    pdf = render_receipt_pdf(receipt_request)

    assert pdf.startswith(b"%PDF-")
    assert len(pdf) < 80_000
    text = pdf_text(pdf)
    assert "R974-7KQ3-2F9X" in text
    assert "Accusé de réception" in text
    assert "12 mars 2025 à 14:30" in text  # 10:30 UTC in La Réunion (UTC+4)
    assert "11:30" not in text  # what Paris time would have said
    assert "Indian/Reunion" in text
    assert "UTC+04:00" in text
    assert "12 mars 2025 à 18:00" in text  # the batch closes at 18:00 local
    assert "lot n° 42" in text
    assert "Passeport en cours de validité" in text
    assert "Saint-Denis" in text
    assert "Saint-Pierre" not in text  # a site the applicant did not accept
    assert f"{SITE_URL}/verifier/" in text
    assert "ne vaut pas autorisation de séjour" in text


@time_machine.travel(NOW, tick=False)
def test_the_token_printed_in_the_pdf_is_a_valid_receipt(receipt_request):
    text = pdf_text(render_receipt_pdf(receipt_request))

    token = token_in(text)
    claims = tokens.verify(token, tokens.RECEIPT_TYP)
    assert claims["ref"] == "R974-7KQ3-2F9X"
    assert claims["filed_at"] == "2025-03-12T10:30:00Z"
    assert tokens.unverified_header(token)["kid"] in re.sub(r"\s+", "", text)


@time_machine.travel(NOW, tick=False)
def test_the_qr_code_decodes_to_the_signed_token(receipt_request):
    receipt = receipt_context(receipt_request)["receipt"]

    title = f"Preuve signée de la demande {receipt['reference']}"
    assert receipt["qr_svg"] == qr.qr_svg(receipt["token"], title=title)
    image = Image.open(io.BytesIO(qr.qr_png(receipt["token"])))
    [barcode] = zxingcpp.read_barcodes(image)
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    assert barcode.ec_level == "M"
    assert barcode.text == receipt["token"]
    assert tokens.verify(barcode.text, tokens.RECEIPT_TYP)["ref"] == "R974-7KQ3-2F9X"


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler) is not installed")
@time_machine.travel(NOW, tick=False)
def test_the_qr_code_in_the_pdf_itself_decodes(receipt_request, tmp_path):
    (tmp_path / "receipt.pdf").write_bytes(render_receipt_pdf(receipt_request))
    command = ["pdftoppm", "-r", "200", "-png", "-singlefile", "receipt.pdf", "page"]
    subprocess.run(command, cwd=tmp_path, check=True)

    [barcode] = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert tokens.verify(barcode.text, tokens.RECEIPT_TYP)["ref"] == "R974-7KQ3-2F9X"


@time_machine.travel(NOW, tick=False)
def test_the_arabic_receipt_is_right_to_left_and_renders(db):
    request = make_request(language="ar")

    html = render_receipt_html(request)
    assert '<html lang="ar" dir="rtl">' in html
    assert "إشعار باستلام طلب موعدك" in html
    assert "جواز سفر ساري المفعول" in html  # the checklist in the applicant's language
    # pypdf gives Arabic letters back (not always in logical order), so only their presence is checked.
    text = pdf_text(render_receipt_pdf(request))
    assert ARABIC.search(text)
    assert "R974-7KQ3-2F9X" in text
    assert "UTC+04:00" in text


@time_machine.travel(NOW, tick=False)
def test_the_english_receipt_is_in_english(db):
    request = make_request(language="en")

    text = pdf_text(render_receipt_pdf(request))

    assert "Acknowledgement of your appointment request" in text
    assert "at 14:30" in text
    assert "Valid passport" in text


@time_machine.travel(NOW, tick=False)
def test_the_pdf_is_rendered_in_the_applicants_language_whatever_the_pages(receipt_request, settings):
    from django.utils import translation

    with translation.override("en"):
        html = render_receipt_html(receipt_request)

    assert '<html lang="fr" dir="ltr">' in html
    assert "Accusé de réception" in html


def test_the_receipt_html_fetches_nothing(receipt_request):
    html = render_receipt_html(receipt_request)

    assert "<link" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "url(" not in html
    assert 'font-family: "DejaVu Sans", sans-serif' in html


@time_machine.travel(NOW, tick=False)
def test_the_context_speaks_the_prefectures_time_not_paris_time(receipt_request):
    receipt = receipt_context(receipt_request)["receipt"]

    assert receipt["filed_at"].isoformat() == "2025-03-12T14:30:00+04:00"
    assert receipt["filed_at_text"] == "12 mars 2025 à 14:30"
    assert receipt["time_zone"] == "Indian/Reunion"
    assert receipt["batch_closes_at_text"] == "12 mars 2025 à 18:00"
    assert receipt["generated_at_text"] == "13 mars 2025 à 13:00"
    [site] = receipt["sites"]
    assert site == {"name": "Saint-Denis", "address": "6 rue des Messageries, 97400 Saint-Denis"}
    assert receipt["jwks_url"] == f"{SITE_URL}/.well-known/jwks.json"


def test_a_draft_has_no_receipt(receipt_request):
    receipt_request.filed_at = None

    with pytest.raises(ValueError, match="not filed"):
        receipt_context(receipt_request)
