"""End to end in Chromium: an applicant confirms the offered appointment and downloads the
convocation; an agent checks them in with the QR code read out of that PDF (decoded here, as a
camera or a handheld scanner would), then marks them received."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


def _appointment_today(prefecture):  # type: ignore[no-untyped-def]
    """A request filed yesterday for a site of its own, with one slot today, offered by a real
    allocation run over its (closed) batch. Returns the request."""
    from django.utils import timezone

    from creneau.booking.allocation_runs import run_allocation
    from creneau.booking.models import Prefecture, Procedure, Site, Slot
    from tests.factories import DeskFactory, file_request

    # The run happens after the batch's cutoff, the appointment is today: no minimum notice here.
    Prefecture.objects.filter(pk=prefecture.pk).update(min_notice_hours=0)
    prefecture.refresh_from_db()
    procedure = Procedure.objects.filter(prefecture=prefecture, kind=Procedure.Kind.RENEWAL).first()
    site = Site.objects.create(
        prefecture=prefecture,
        name="Antenne du Raincy",
        address="121 avenue de la Résistance",
        postcode="93340",
        city="Le Raincy",
        step_free=True,
    )
    procedure.sites.add(site)
    desk = DeskFactory(site=site, name="Guichet 1")
    desk.procedures.add(procedure)
    now = timezone.now()
    request = file_request(
        procedure,
        sites=[site],
        surnames="Haddad",
        given_names="Amina",
        agdref_number="",
        passport_number="AB1234567",
        nationality="DZ",
        now=now - datetime.timedelta(days=1),
    )
    cutoff = request.batch.closes_at
    assert cutoff <= now
    tz = prefecture.tz
    start = now.astimezone(tz).replace(second=0, microsecond=0)
    if start <= cutoff + datetime.timedelta(minutes=1):
        start = cutoff + datetime.timedelta(minutes=2)
    slot = Slot.objects.create(
        prefecture=prefecture, site=site, desk=desk, start=start, duration_minutes=30, step_free=True
    )
    slot.procedures.add(procedure)
    run = run_allocation(request.batch, now=cutoff + datetime.timedelta(minutes=1))
    assert run.served_count == 1
    request.refresh_from_db()
    assert request.offers.get().slot == slot
    return request


CHECKIN_JS = Path(__file__).resolve().parents[2] / "src/creneau/static/creneau/checkin.js"


def _serve_script(context) -> None:  # type: ignore[no-untyped-def]
    """Serve the check-in script from the source tree whatever the static files set-up.

    (``src/creneau/static/`` is not on the staticfiles finders' path at the time of writing: the
    live server answers 404 for every file under it until it is collected.)
    """
    context.route(
        "**/static/creneau/checkin.js",
        lambda route: route.fulfill(path=str(CHECKIN_JS), content_type="text/javascript"),
    )


def _log_in(page, base_url, agent) -> None:  # type: ignore[no-untyped-def]
    from tests.backoffice.factories import PASSWORD, code_now

    page.goto(f"{base_url}/agents/connexion/")
    page.get_by_label("Identifiant").fill(agent.user.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("Mot de passe").press("Enter")
    page.wait_for_url("**/agents/connexion/code/")
    page.get_by_label("Code à 6 chiffres").fill(code_now())
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/agents/93/")


def test_applicant_confirms_downloads_the_convocation_and_an_agent_checks_them_in(
    page, new_context, base_url, places
):  # type: ignore[no-untyped-def]
    from django.urls import reverse

    from creneau.accounts.models import Role
    from creneau.booking.links import private_token
    from creneau.booking.models import Offer
    from creneau.booking.workflow import Status
    from creneau.proofs import tokens
    from creneau.proofs.convocation import CHECKIN_TYP
    from tests.backoffice.factories import make_agent
    from tests.proofs.test_convocation import qr_of_pdf

    request = _appointment_today(places["93"])
    offer = request.offers.get()

    # The applicant follows their private link, confirms, and downloads the convocation.
    link = reverse(
        "public:status_entry",
        kwargs={
            "reference": request.reference,
            "token": private_token(request.reference, request.link_nonce),
        },
    )
    page.goto(base_url + link)
    page.wait_for_url(f"**/suivi/{request.reference}/")
    page.get_by_role("button", name="Je confirme ce rendez-vous").click()
    page.wait_for_url(f"**/suivi/{request.reference}/")
    offer.refresh_from_db()
    assert offer.status == Offer.Status.CONFIRMED
    assert offer.short_code in page.locator("#offer-title").locator("..").inner_text()
    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger ma convocation (PDF)").click()
    pdf = open(info.value.path(), "rb").read()  # noqa: SIM115
    assert pdf.startswith(b"%PDF-")
    token = qr_of_pdf(pdf)
    assert tokens.unverified_header(token)["typ"] == CHECKIN_TYP

    # An agent, on another device, chooses the site and reads the QR code into the form.
    agent = make_agent(Role.AGENT, places["93"], username="accueil.test")
    agent_context = new_context(viewport={"width": 1280, "height": 900})
    _serve_script(agent_context)
    counter = agent_context.new_page()
    script_errors: list[str] = []
    counter.on("pageerror", lambda error: script_errors.append(str(error)))
    _log_in(counter, base_url, agent)
    counter.goto(f"{base_url}/agents/93/accueil/")
    counter.get_by_role("link", name="Antenne du Raincy").click()
    counter.wait_for_url(f"**/agents/93/accueil/{offer.slot.site_id}/")
    field = counter.get_by_label("QR code, code court ou référence")
    assert field.evaluate("el => el === document.activeElement")  # ready for a handheld scanner
    field.fill(token)
    field.press("Enter")
    counter.wait_for_url(f"**/accueil/{offer.slot.site_id}/rdv/{request.reference}/")
    identity = counter.locator("dl.creneau-facts").first.inner_text()
    assert "HADDAD" in identity
    assert "Amina" in identity
    assert "AB1234567" in identity
    assert "Algérie" in identity

    counter.get_by_role("button", name="Arrivé : identité vérifiée").click()
    counter.wait_for_url(f"**/rdv/{request.reference}/")
    assert "Arrivée enregistrée" in counter.locator(".fr-alert").first.inner_text()
    offer.refresh_from_db()
    assert offer.arrived_at is not None

    counter.get_by_role("button", name="Reçu : rendez-vous terminé").click()
    counter.wait_for_url(f"**/agents/93/accueil/{offer.slot.site_id}/")
    offer.refresh_from_db()
    request.refresh_from_db()
    assert offer.status == Offer.Status.ATTENDED
    assert request.status == Status.ATTENDED
    assert "1 reçu(s)" in counter.content()

    # The same convocation read again is refused, with its reason.
    field = counter.get_by_label("QR code, code court ou référence")
    field.fill(token)
    field.press("Enter")
    alert = counter.get_by_role("alert")
    assert "déjà été reçu" in alert.inner_text()
    # The camera script ran without error; its button shows only where BarcodeDetector reads QR codes
    # (not in headless Chromium on Linux).
    assert script_errors == []
    assert not counter.get_by_role("button", name="Lire le QR code avec la caméra").is_visible()


FAKE_CAMERA = """
(() => {
  const token = %s;
  class FakeBarcodeDetector {
    static async getSupportedFormats() { return ["qr_code"]; }
    constructor(options) { this.formats = options.formats; }
    async detect(source) { return [{ rawValue: token, format: "qr_code" }]; }
  }
  window.BarcodeDetector = FakeBarcodeDetector;
  navigator.mediaDevices.getUserMedia = async () => {
    const canvas = document.createElement("canvas");
    canvas.width = 64; canvas.height = 64;
    canvas.getContext("2d").fillRect(0, 0, 64, 64);
    return canvas.captureStream(5);
  };
})();
"""


def test_the_camera_button_reads_the_qr_code_and_sends_the_form(new_context, base_url, places):  # type: ignore[no-untyped-def]
    """Where the browser has BarcodeDetector (faked here: headless Chromium on Linux has none, and no
    camera), the camera button appears, and what it reads is sent like a typed code."""
    import json

    from creneau.accounts.models import Role
    from creneau.audit.log import Actor
    from creneau.booking.actions import do_confirm
    from creneau.proofs.convocation import sign_checkin
    from tests.backoffice.factories import make_agent

    request = _appointment_today(places["93"])
    offer = do_confirm(request, Actor.applicant(request.reference))
    token = sign_checkin(offer)
    context = new_context(viewport={"width": 800, "height": 900})
    context.add_init_script(FAKE_CAMERA % json.dumps(token))
    _serve_script(context)
    counter = context.new_page()
    _log_in(counter, base_url, make_agent(Role.AGENT, places["93"], username="camera.test"))
    counter.goto(f"{base_url}/agents/93/accueil/{offer.slot.site_id}/")
    camera = counter.get_by_role("button", name="Lire le QR code avec la caméra")
    camera.click()
    counter.wait_for_url(f"**/accueil/{offer.slot.site_id}/rdv/{request.reference}/")
    assert "HADDAD" in counter.locator("dl.creneau-facts").first.inner_text()
