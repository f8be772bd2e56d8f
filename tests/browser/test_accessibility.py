"""axe-core finds no WCAG 2.0/2.1 A or AA violation on any public page, in French, Arabic and English.

axe-core is the copy bundled with axe-playwright-python (no network). Each test walks the
applicant's whole journey in one language and checks every page it meets, then reports all the
violations at once, page by page, so one run shows everything that needs fixing.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils.translation import gettext_lazy

from creneau.www.public.forms import CodeForm

from .flow import (
    Applicant,
    by_label,
    fill_form,
    label,
    page_url,
    reference_on_verification_page,
    submit_form,
    tr,
    url,
    verify_code,
)

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}

_axe = Axe()


def axe_violations(page) -> list[dict]:
    return _axe.run(page, options=AXE_OPTIONS).response["violations"]


def describe(where: str, violations: list[dict]) -> str:
    lines = [f"== {where}"]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"      at {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"        {summary[:300]}")
        if len(v["nodes"]) > 5:
            lines.append(f"      … and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


class Audit:
    def __init__(self, page, language: str) -> None:
        self.page = page
        self.language = language
        self.report: list[str] = []
        self.pages: list[str] = []

    def check(self, name: str) -> None:
        assert self.page.locator("html").get_attribute("lang") == self.language, name
        expected_dir = "rtl" if self.language == "ar" else "ltr"
        assert self.page.locator("html").get_attribute("dir") == expected_dir, name
        self.pages.append(name)
        found = axe_violations(self.page)
        if found:
            self.report.append(describe(f"{self.language} {name} ({self.page.url})", found))

    def assert_clean(self) -> None:
        assert not self.report, "axe-core found accessibility violations:\n" + "\n".join(self.report)


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_every_public_page_passes_axe(page, base_url, places, language):
    audit = Audit(page, language)
    prefecture = places["93"]

    page.goto(page_url(base_url, language, "home"))
    audit.check("home")
    page.goto(page_url(base_url, language, "prefecture", prefecture.code))
    audit.check("prefecture")
    page.goto(page_url(base_url, language, "file", prefecture.code, "first_permit"))
    audit.check("form (empty)")

    # An invalid submission: no identity, a malformed date, no contact.
    by_label(page, label(language, "birth_date")).fill("31/02/19")
    submit_form(page, language)
    page.wait_for_selector(".fr-alert--error")
    audit.check("form (with errors)")

    who = Applicant(email=f"axe-{language}@example.org", passport_number=f"AX{language.upper()}12345")
    fill_form(page, language, who)
    submit_form(page, language)
    reference_on_verification_page(page, language)
    audit.check("verification")

    # A wrong code shows the error state of the verification page.
    by_label(page, label(language, "code", CodeForm)).fill("000000")
    page.get_by_role("button", name=tr(language, gettext_lazy("Valider le code"))).click()
    page.wait_for_load_state()
    audit.check("verification (wrong code)")

    reference = verify_code(page, language, who)
    audit.check("receipt")
    page.goto(page_url(base_url, language, "status", reference))
    audit.check("status")
    page.goto(page_url(base_url, language, "status_entry", reference, "not-the-right-token"))
    audit.check("link invalid")
    page.goto(page_url(base_url, language, "resend_link", prefecture.code, "first_permit"))
    audit.check("resend link")
    page.goto(url(base_url, language, "/cette-page-n-existe-pas/"))
    audit.check("404")

    assert len(audit.pages) == 11
    audit.assert_clean()


def test_axe_really_runs_and_reports(page, base_url, places):
    """Guard against a silent pass: the same check flags a page with known violations."""
    page.goto(url(base_url, "fr"))
    page.evaluate("""() => {
        const img = document.createElement('img'); img.src = '/static/creneau/none.png';
        document.querySelector('main').appendChild(img);
        const input = document.createElement('input'); input.type = 'text';
        document.querySelector('main').appendChild(input);
    }""")
    ids = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "label"} <= ids, ids
