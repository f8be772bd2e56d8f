"""The convocation: check-in token (claims, every refusal), bilingual PDF with its QR code, calendar file."""

from __future__ import annotations

import base64
import datetime
import io
import json

import icalendar
import pypdf
import pytest
import time_machine
import zxingcpp

from creneau.audit.log import Actor
from creneau.booking.actions import do_cancel_by_applicant, do_check_in, do_confirm, do_mark_attended
from creneau.booking.allocation_runs import _short_code
from creneau.booking.models import Offer, Request, Slot
from creneau.booking.workflow import Status
from creneau.proofs import convocation, tokens
from creneau.proofs.convocation import CHECKIN_TYP, CheckinError, find_appointment, verify_checkin
from tests.factories import DeskFactory, PrefectureFactory, ProcedureFactory, SiteFactory, file_request

pytestmark = pytest.mark.django_db

# Monday 7 December 2026, 09:00 UTC: the request is filed and offered.
FILED = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)
APPOINTMENT_DAY = datetime.date(2026, 12, 14)


def make_appointment(
    *,
    reunion: bool = False,
    language: str = "fr",
    at: datetime.time = datetime.time(9, 30),
    day: datetime.date = APPOINTMENT_DAY,
    confirm: bool = True,
    prefecture=None,
    **applicant,
) -> Offer:
    """A confirmed appointment (an Offer confirmed through ``do_confirm``) at the procedure's first site."""
    if prefecture is None:
        prefecture = PrefectureFactory(reunion=True) if reunion else PrefectureFactory()
    procedure = ProcedureFactory(prefecture=prefecture)
    site = procedure.sites.order_by("pk").first()
    desk = DeskFactory(site=site)
    desk.procedures.add(procedure)
    with time_machine.travel(FILED, tick=False):
        request = file_request(procedure, language=language, **applicant)
        start = datetime.datetime.combine(day, at, tzinfo=prefecture.tz)
        slot = Slot.objects.create(
            prefecture=prefecture,
            site=site,
            desk=desk,
            start=start,
            duration_minutes=30,
            step_free=site.step_free,
        )
        slot.procedures.add(procedure)
        now = FILED
        # What an allocation run writes (see booking.allocation_runs), for this one request and slot.
        offer = Offer.objects.create(
            request=request,
            slot=slot,
            deadline=now + datetime.timedelta(hours=72),
            short_code=_short_code(),
            created_at=now,
        )
        Request.objects.filter(pk=request.pk).update(status=Status.OFFERED)
        request.refresh_from_db()
        if confirm:
            do_confirm(request, Actor.applicant(request.reference))
    return Offer.objects.select_related("request__applicant", "request__prefecture", "slot__site").get(
        pk=offer.pk
    )


def at_local(offer: Offer, hour: int = 8, day: datetime.date = APPOINTMENT_DAY) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=offer.request.prefecture.tz)


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def qr_of_pdf(pdf: bytes) -> str:
    """Render the first page (pypdfium2) and decode its QR code (zxing-cpp)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=200 / 72).to_pil()
    finally:
        document.close()
    [barcode] = zxingcpp.read_barcodes(image)
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    return barcode.text


# --- Claims and signature ------------------------------------------------------------------------


def test_the_claims_name_the_appointment_its_site_and_local_day_and_expire_at_its_end():
    offer = make_appointment(reunion=True)
    claims = convocation.checkin_claims(offer)
    assert claims == {
        "offer": offer.pk,
        "code": offer.short_code,
        "ref": offer.request.reference,
        "prefecture": "974",
        "site": offer.slot.site_id,
        "date": "2026-12-14",
        "start": "2026-12-14T05:30:00Z",
        # Midnight at the end of 14 December in La Réunion (UTC+4) is 20:00 UTC.
        "exp": int(datetime.datetime(2026, 12, 14, 20, 0, tzinfo=datetime.UTC).timestamp()),
    }
    token = convocation.sign_checkin(offer)
    assert tokens.unverified_header(token)["typ"] == CHECKIN_TYP
    with time_machine.travel(at_local(offer), tick=False):
        assert tokens.verify(token, CHECKIN_TYP)["ref"] == offer.request.reference


def test_a_valid_token_today_at_its_site_gives_the_appointment():
    offer = make_appointment()
    token = convocation.sign_checkin(offer)
    with time_machine.travel(at_local(offer), tick=False):
        assert verify_checkin(token, site=offer.slot.site, today_local=APPOINTMENT_DAY) == offer
        assert convocation.today_at(offer.slot.site) == APPOINTMENT_DAY


def _refusal(token, site, today=APPOINTMENT_DAY) -> CheckinError:
    with pytest.raises(CheckinError) as caught:
        verify_checkin(token, site=site, today_local=today)
    assert caught.value.message  # a sentence for the agent, never empty
    assert isinstance(caught.value, tokens.ProofError)
    return caught.value


def test_a_token_for_another_day_is_refused():
    offer = make_appointment()
    token = convocation.sign_checkin(offer)
    site = offer.slot.site
    # The day before: the token has not expired, but its date is not today.
    with time_machine.travel(at_local(offer, day=APPOINTMENT_DAY - datetime.timedelta(days=1)), tick=False):
        error = _refusal(token, site, APPOINTMENT_DAY - datetime.timedelta(days=1))
    assert error.reason == "other_day"
    assert "14" in error.message
    # The day after: the token has expired (its exp is the end of the appointment's local day).
    with time_machine.travel(at_local(offer, day=APPOINTMENT_DAY + datetime.timedelta(days=1)), tick=False):
        error = _refusal(token, site, APPOINTMENT_DAY + datetime.timedelta(days=1))
    assert error.reason == "other_day"


def test_the_day_is_the_prefectures_local_day():
    offer = make_appointment(reunion=True, at=datetime.time(8, 0))
    token = convocation.sign_checkin(offer)
    # 23:30 UTC on the 13th is already 03:30 on the 14th in La Réunion: valid there and then.
    with time_machine.travel(datetime.datetime(2026, 12, 13, 23, 30, tzinfo=datetime.UTC), tick=False):
        assert (
            verify_checkin(token, site=offer.slot.site, today_local=convocation.today_at(offer.slot.site))
            == offer
        )
    # 20:30 UTC on the 14th is 00:30 on the 15th in La Réunion: expired.
    with time_machine.travel(datetime.datetime(2026, 12, 14, 20, 30, tzinfo=datetime.UTC), tick=False):
        assert _refusal(token, offer.slot.site, convocation.today_at(offer.slot.site)).reason == "other_day"


def test_a_token_for_another_site_is_refused_naming_the_right_one():
    offer = make_appointment()
    other = offer.request.procedure.sites.exclude(pk=offer.slot.site_id).first()
    with time_machine.travel(at_local(offer), tick=False):
        error = _refusal(convocation.sign_checkin(offer), other)
    assert error.reason == "other_site"
    assert offer.slot.site.name in error.message


def test_a_token_of_another_prefecture_is_refused():
    offer = make_appointment()
    elsewhere = SiteFactory(prefecture=PrefectureFactory(code="94", name="Préfecture du Val-de-Marne"))
    with time_machine.travel(at_local(offer), tick=False):
        assert _refusal(convocation.sign_checkin(offer), elsewhere).reason == "other_prefecture"


def test_a_cancelled_appointment_is_refused():
    offer = make_appointment()
    token = convocation.sign_checkin(offer)
    with time_machine.travel(FILED + datetime.timedelta(days=1), tick=False):
        do_cancel_by_applicant(offer.request, Actor.applicant(offer.request.reference))
    with time_machine.travel(at_local(offer), tick=False):
        error = _refusal(token, offer.slot.site)
    assert error.reason == "not_confirmed"
    assert str(Offer.Status.CANCELLED.label) in error.message


def test_an_appointment_already_attended_is_refused():
    offer = make_appointment()
    token = convocation.sign_checkin(offer)
    with time_machine.travel(at_local(offer, 10), tick=False):
        do_check_in(offer, Actor.system("test"))
        do_mark_attended(offer, Actor.system("test"))
        assert _refusal(token, offer.slot.site).reason == "already_attended"


def test_a_forged_or_altered_token_is_refused():
    offer = make_appointment()
    token = convocation.sign_checkin(offer)
    header, payload, signature = token.split(".")
    claims = tokens._json_object(payload)

    def b64(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    # Altered: the same signature over another day.
    other = {**claims, "date": "2026-12-15"}
    with time_machine.travel(at_local(offer), tick=False):
        assert _refusal(f"{header}.{b64(other)}.{signature}", offer.slot.site).reason == "forged"
        # Forged: signed by a key Créneau never published.
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from joserfc import jws
        from joserfc.jwk import OKPKey

        rogue = OKPKey.import_key(Ed25519PrivateKey.generate())
        forged = jws.serialize_compact(
            {"alg": "EdDSA", "kid": "rogue", "typ": CHECKIN_TYP},
            json.dumps(claims).encode(),
            rogue,
            registry=tokens._REGISTRY,
        )
        assert _refusal(forged, offer.slot.site).reason == "unknown_key"
        # With the real kid but a rogue key: the signature does not match.
        real_kid = tokens.unverified_header(token)["kid"]
        forged = jws.serialize_compact(
            {"alg": "EdDSA", "kid": real_kid, "typ": CHECKIN_TYP},
            json.dumps(claims).encode(),
            rogue,
            registry=tokens._REGISTRY,
        )
        assert _refusal(forged, offer.slot.site).reason == "forged"
        assert _refusal("not.a.token", offer.slot.site).reason == "malformed"


def test_a_receipt_or_another_type_is_not_a_convocation():
    offer = make_appointment()
    with time_machine.travel(at_local(offer), tick=False):
        receipt = tokens.sign_receipt(offer.request)
        assert _refusal(receipt, offer.slot.site).reason == "wrong_type"
        other_typ = tokens.sign(convocation.checkin_claims(offer), "creneau-attestation+jwt")
        assert _refusal(other_typ, offer.slot.site).reason == "wrong_type"


# --- Typed codes ---------------------------------------------------------------------------------


def test_the_short_code_or_the_reference_finds_the_appointment_in_this_prefecture_only():
    offer = make_appointment()
    site = offer.slot.site
    code = offer.short_code
    with time_machine.travel(at_local(offer), tick=False):
        for typed in (
            code,
            code.lower(),
            f"{code[:4]} {code[4:]}",
            f" {code[:4]}-{code[4:]} ",
            offer.request.reference,
            offer.request.reference.replace("-", "").lower(),
        ):
            assert find_appointment(typed, site=site, today_local=APPOINTMENT_DAY) == offer, typed
        elsewhere = SiteFactory(prefecture=PrefectureFactory(code="94", name="Préfecture du Val-de-Marne"))
        with pytest.raises(CheckinError) as caught:
            find_appointment(code, site=elsewhere, today_local=APPOINTMENT_DAY)
        assert caught.value.reason == "not_found"
        with pytest.raises(CheckinError) as caught:
            find_appointment("", site=site, today_local=APPOINTMENT_DAY)
        assert caught.value.reason == "empty"
        # A token pasted with the line breaks of the PDF still works.
        token = convocation.sign_checkin(offer)
        wrapped = "\n".join(token[i : i + 60] for i in range(0, len(token), 60))
        assert find_appointment(wrapped, site=site, today_local=APPOINTMENT_DAY) == offer


def test_a_typed_code_is_checked_like_a_token():
    offer = make_appointment()
    other = offer.request.procedure.sites.exclude(pk=offer.slot.site_id).first()
    with pytest.raises(CheckinError) as caught:
        find_appointment(offer.short_code, site=other, today_local=APPOINTMENT_DAY)
    assert caught.value.reason == "other_site"
    with pytest.raises(CheckinError) as caught:
        find_appointment(
            offer.short_code, site=offer.slot.site, today_local=APPOINTMENT_DAY + datetime.timedelta(1)
        )
    assert caught.value.reason == "other_day"


# --- The PDF -------------------------------------------------------------------------------------


def test_the_french_convocation_is_in_french_only_with_the_facts_and_a_readable_qr_code():
    offer = make_appointment()
    with time_machine.travel(FILED + datetime.timedelta(days=1), tick=False):
        pdf = convocation.render_convocation_pdf(offer)
        html = convocation.render_convocation_html(offer)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    for fact in (
        "DIALLO Amina Fatou",
        "Renouvellement de titre de séjour",
        offer.slot.site.name,
        "1 esplanade Jean Moulin, 93000 Bobigny",
        "lundi 14 décembre 2026",
        "09:30",
        "Europe/Paris",
        "Passeport en cours de validité",
        offer.request.reference,
    ):
        assert fact in text, fact
    assert f"{offer.short_code[:4]} {offer.short_code[4:]}" in text
    assert html.count('<section class="part"') == 1
    token = qr_of_pdf(pdf)
    with time_machine.travel(at_local(offer), tick=False):
        assert verify_checkin(token, site=offer.slot.site, today_local=APPOINTMENT_DAY) == offer


def test_the_arabic_convocation_has_an_arabic_right_to_left_part_and_a_french_part():
    offer = make_appointment(language="ar", reunion=True)
    html = convocation.render_convocation_html(offer)
    assert html.count('<section class="part"') == 2
    assert '<section class="part" lang="ar" dir="rtl">' in html
    assert '<section class="part" lang="fr" dir="ltr">' in html
    assert "جواز سفر ساري المفعول" in html
    assert "Passeport en cours de validité" in html
    assert "Indian/Reunion" in html
    assert "UTC+04:00" in html
    pdf = convocation.render_convocation_pdf(offer)
    text = pdf_text(pdf)
    assert "Passeport en cours de validité" in text
    assert qr_of_pdf(pdf).count(".") == 2


def test_the_english_convocation_has_an_english_and_a_french_part():
    offer = make_appointment(language="en")
    html = convocation.render_convocation_html(offer)
    assert '<section class="part" lang="en" dir="ltr">' in html
    assert '<section class="part" lang="fr" dir="ltr">' in html
    assert "Valid passport" in html
    assert "Passeport en cours de validité" in html


# --- The calendar file ---------------------------------------------------------------------------


def test_the_calendar_file_is_rfc_5545_in_the_prefectures_time_zone():
    offer = make_appointment(reunion=True)
    ics = convocation.build_ics(offer)
    assert b"\r\n" in ics
    assert ics.startswith(b"BEGIN:VCALENDAR\r\n")
    calendar = icalendar.Calendar.from_ical(ics)
    assert str(calendar["VERSION"]) == "2.0"
    assert "Créneau" in str(calendar["PRODID"])
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Indian/Reunion"
    [event] = calendar.walk("VEVENT")
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert event["DTSTART"].params["TZID"] == "Indian/Reunion"
    assert (start.replace(tzinfo=None), end.replace(tzinfo=None)) == (
        datetime.datetime(2026, 12, 14, 9, 30),
        datetime.datetime(2026, 12, 14, 10, 0),
    )
    assert start == offer.slot.start
    assert str(event["LOCATION"]) == f"{offer.slot.site.name}, {offer.slot.site.full_address}"
    description = str(event["DESCRIPTION"])
    assert offer.short_code in description
    assert "Passeport en cours de validité" in description
    assert offer.request.reference in description
    # The same appointment always has the same UID (a re-import updates it instead of duplicating it).
    assert str(event["UID"]) == str(
        icalendar.Calendar.from_ical(convocation.build_ics(offer)).walk("VEVENT")[0]["UID"]
    )
    assert str(event["UID"]).endswith("@creneau.example")


def test_the_calendar_file_in_paris_time_and_in_the_applicants_language():
    offer = make_appointment(language="en")
    event = icalendar.Calendar.from_ical(convocation.build_ics(offer)).walk("VEVENT")[0]
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.decoded("DTSTART").replace(tzinfo=None) == datetime.datetime(2026, 12, 14, 9, 30)
    assert "Valid passport" in str(event["DESCRIPTION"])
