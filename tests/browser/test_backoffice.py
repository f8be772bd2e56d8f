"""The back office in Chromium, by keyboard where it matters: log in with TOTP, create a site, a
desk and its weekly hours, open slots, close a desk for a day, file at the counter, print the receipt."""

from __future__ import annotations

import datetime
import re

import pytest

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


class Accessibility:
    """Runs axe-core (bundled, no network) on each page met; reports every violation at the end."""

    def __init__(self) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.found: dict[str, list[str]] = {}
        self.checked = 0

    def check(self, page) -> None:  # type: ignore[no-untyped-def]
        options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
        violations = self.axe.run(page, options=options).response["violations"]
        self.checked += 1
        if violations:
            self.found[page.url] = [f"{v['id']}: {v['help']}" for v in violations]


@pytest.fixture
def manager(places):  # type: ignore[no-untyped-def]
    from creneau.accounts.models import Role
    from tests.backoffice.factories import make_agent

    return make_agent(Role.MANAGER, places["93"], username="responsable.test")


def _tick(checkbox) -> None:  # type: ignore[no-untyped-def]
    """DSFR checkboxes are ticked as a keyboard user does: focus, then Space."""
    checkbox.focus()
    checkbox.press("Space")
    assert checkbox.is_checked()


def _log_in(page, base_url, manager, axe) -> None:  # type: ignore[no-untyped-def]
    from tests.backoffice.factories import PASSWORD, code_now

    page.goto(f"{base_url}/agents/connexion/")
    axe.check(page)
    page.get_by_label("Identifiant").fill(manager.user.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("Mot de passe").press("Enter")  # the keyboard submits
    page.wait_for_url("**/agents/connexion/code/")
    axe.check(page)
    page.get_by_label("Code à 6 chiffres").fill(code_now())
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/agents/93/")


def test_a_manager_runs_the_prefecture_and_files_at_the_counter(page, base_url, manager):  # type: ignore[no-untyped-def]
    from creneau.booking.models import Closure, Request, Slot

    axe = Accessibility()
    _log_in(page, base_url, manager, axe)
    axe.check(page)
    assert page.locator("h1").inner_text() == manager.prefectures.first().name

    # A site
    page.get_by_role("link", name="Sites, guichets et horaires").click()
    page.get_by_role("link", name="Ajouter un site").click()
    page.get_by_label("Nom du site").fill("Antenne de Montreuil")
    page.get_by_label("Adresse").fill("12 rue de Paris")
    page.get_by_label("Code postal").fill("93100")
    page.get_by_label("Commune").fill("Montreuil")
    _tick(page.get_by_label("Accès de plain-pied"))
    page.get_by_role("button", name="Créer le site").click()
    page.wait_for_url("**/agents/93/sites/*/")
    axe.check(page)
    assert "Antenne de Montreuil" in page.locator("h1").inner_text()

    # A desk serving renewals, then its weekly hours
    page.get_by_role("link", name="Ajouter un guichet").click()
    page.get_by_label("Nom du guichet").fill("Guichet A")
    _tick(page.get_by_label("Renouvellement de titre de séjour"))
    page.get_by_role("button", name="Créer le guichet").click()
    page.wait_for_url("**/agents/93/guichets/*/")
    axe.check(page)
    desk_url = page.url
    page.get_by_role("link", name="Ajouter des horaires").click()
    axe.check(page)
    page.get_by_label("Ouverture").fill("08:30")
    page.get_by_label("Fermeture").fill("11:30")
    page.get_by_label("Début de la pause").fill("")
    page.get_by_label("Fin de la pause").fill("")
    page.get_by_role("button", name="Enregistrer les horaires").click()
    page.wait_for_url(desk_url)
    assert page.locator("table").first.inner_text().count("08:30") == 5

    # Slots for the coming weeks
    page.goto(f"{base_url}/agents/93/creneaux/")
    axe.check(page)
    page.get_by_label("Nombre de semaines à ouvrir").fill("2")
    page.get_by_role("button", name="Générer les créneaux").click()
    assert "créneaux créés" in page.locator(".fr-alert").first.inner_text()
    new_slots = Slot.objects.filter(site__name="Antenne de Montreuil")
    assert new_slots.exists()

    # Close the new desk for its first open day
    first_day = min(s.local_start.date() for s in new_slots)
    page.goto(desk_url)
    page.get_by_role("link", name="Fermer ce guichet").click()
    day = first_day.strftime("%d/%m/%Y")
    page.get_by_label("Premier jour fermé").fill(day)
    page.get_by_label("Dernier jour fermé").fill(day)
    page.get_by_label("Motif").fill("Formation de l'équipe")
    page.get_by_role("button", name="Enregistrer la fermeture").click()
    page.wait_for_url("**/agents/93/fermetures/")
    axe.check(page)
    assert Closure.objects.filter(desk__name="Guichet A", start_date=first_day).exists()
    fresh = Slot.objects.filter(site__name="Antenne de Montreuil")
    assert {s.status for s in fresh if s.local_start.date() == first_day} == {"withdrawn"}

    # File at the counter for someone with no e-mail and no phone, and print the receipt
    page.goto(f"{base_url}/agents/93/guichet/")
    page.get_by_role("link", name="Renouvellement de titre de séjour").click()
    axe.check(page)
    page.get_by_label("Nom(s) de famille").fill("Haddad")
    page.get_by_label("Prénom(s)").fill("Youssef")
    page.get_by_label("Date de naissance").fill("03/02/1985")
    page.get_by_label("Nationalité").select_option("DZ")
    page.get_by_label(re.compile(r"^\s*Numéro de passeport")).fill("AB1234567")
    _tick(page.get_by_label("J'atteste avoir vu"))
    page.get_by_label("Pièce vue").fill("passeport algérien")
    page.get_by_role("button", name="Enregistrer la demande").click()
    page.wait_for_url("**/agents/93/demandes/*/")
    axe.check(page)
    filed = Request.objects.get(applicant__surnames="Haddad")
    assert filed.reference in page.locator("h1").inner_text()
    link = page.get_by_role("link", name="Imprimer l’accusé de réception (PDF)")
    response = page.context.request.get(base_url + link.get_attribute("href"))
    assert response.ok
    assert response.body().startswith(b"%PDF-")
    assert "no-store" in response.headers["cache-control"]
    assert filed.channel == "counter"
    assert datetime.date.today() >= filed.filed_at.date() - datetime.timedelta(days=1)
    assert axe.checked >= 10
    assert not axe.found, "\n".join(f"{url}\n  " + "\n  ".join(v) for url, v in axe.found.items())
