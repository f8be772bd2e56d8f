"""The applicant's filing flow, driven the way a person does it: by visible labels and buttons.

Labels are looked up in the page's language through Django's own translations of the form, so
the same steps drive the French, English and Arabic pages, and a label that is not wired to its
field (``for``/``id``) makes ``get_by_label`` fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import reverse
from django.utils import translation

from creneau.booking.models import Procedure
from creneau.www.public.forms import CodeForm, FilingForm

PREFIX = {"fr": "", "en": "/en", "ar": "/ar"}
CODE_RE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def latest_code(recipient: str | None = None, reference: str | None = None) -> str:
    """The 6-digit code of the latest verification message in the outbox."""
    from creneau.notify.models import OutboxMessage

    messages = OutboxMessage.objects.filter(template="verification_code")
    if recipient:
        messages = messages.filter(recipient=recipient)
    if reference:
        messages = messages.filter(request_reference=reference)
    message = messages.order_by("-created_at", "-pk").first()
    assert message is not None, "no verification_code message in the outbox"
    found = CODE_RE.search(message.body_text)
    assert found, f"no 6-digit code in {message.body_text!r}"
    return found.group(1)


@dataclass
class Applicant:
    surnames: str = "Haddad"
    given_names: str = "Amina"
    birth_date: str = "17/05/1990"
    nationality: str = "DZ"
    passport_number: str = "AB1234567"
    email: str = "amina.haddad@example.org"


def tr(language: str, text: object) -> str:
    with translation.override(language):
        return str(text)


def label(language: str, field: str, form: type = FilingForm) -> str:
    return tr(language, form.base_fields[field].label)


def kind_name(language: str, kind: str) -> str:
    return tr(language, Procedure.Kind(kind).label)


def by_label(page, text: str):
    """The control whose label starts with ``text`` (labels also hold the hint text and a ``*``)."""
    return page.get_by_label(re.compile(r"^\s*" + re.escape(text) + r"(?=\s|\*|$)"))


def tick(control) -> None:
    """Check a checkbox or radio button with the keyboard (the DSFR draws them over their label)."""
    if not control.is_checked():
        control.press("Space")
    assert control.is_checked()


def url(base_url: str, language: str, path: str = "/") -> str:
    return f"{base_url}{PREFIX[language]}{path}"


def path_for(language: str, name: str, *args: object) -> str:
    """A public page's path in ``language`` (``/ar/...``), from the URLconf: no path is hard-coded."""
    with translation.override(language):
        return reverse(f"public:{name}", args=[str(a) for a in args])


def page_url(base_url: str, language: str, name: str, *args: object) -> str:
    return base_url + path_for(language, name, *args)


def url_pattern(language: str, name: str, *args: object) -> re.Pattern[str]:
    """Matches the page's full URL, whatever the host and port."""
    return re.compile(re.escape(path_for(language, name, *args)) + "$")


def open_form(page, base_url: str, language: str, prefecture_name: str, code: str, kind: str) -> None:
    """Home page → the prefecture's link → the procedure's request button."""
    page.goto(page_url(base_url, language, "home"))
    page.get_by_role("link", name=prefecture_name, exact=True).click()
    page.wait_for_url(url_pattern(language, "prefecture", code))
    form_path = path_for(language, "file", code, kind)
    page.locator(f"a[href='{form_path}']").click()
    page.wait_for_url(url_pattern(language, "file", code, kind))


def fill_form(page, language: str, who: Applicant) -> None:
    """Type into each field found by its label, as a keyboard or screen-reader user would."""
    by_label(page, label(language, "surnames")).fill(who.surnames)
    by_label(page, label(language, "given_names")).fill(who.given_names)
    by_label(page, label(language, "birth_date")).fill(who.birth_date)
    by_label(page, label(language, "nationality")).select_option(who.nationality)
    by_label(page, label(language, "passport_number")).fill(who.passport_number)
    by_label(page, label(language, "email")).fill(who.email)
    language_names = dict(FilingForm.base_fields["language"].choices)
    tick(by_label(page, str(language_names[language])))
    tick(by_label(page, label(language, "step_free_needed")))
    # Every acceptable site is ticked in advance.
    sites = page.get_by_role("group", name=label(language, "sites"))
    boxes = sites.get_by_role("checkbox")
    assert boxes.count() >= 1
    for i in range(boxes.count()):
        assert boxes.nth(i).is_checked()


def submit_form(page, language: str) -> None:
    with translation.override(language):
        from django.utils.translation import gettext

        name = gettext("Envoyer ma demande")
    page.get_by_role("button", name=name).click()


def reference_on_verification_page(page, language: str) -> str:
    marker = "REFERENCEMARKER"
    verify_re = re.compile(re.escape(path_for(language, "verify", marker)).replace(marker, "([^/]+)") + "$")
    page.wait_for_url(verify_re)
    found = verify_re.search(page.url)
    assert found, page.url
    return found.group(1)


def verify_code(page, language: str, who: Applicant) -> str:
    """On the verification page: read the code from the outbox, type it, validate."""
    reference = reference_on_verification_page(page, language)
    code = latest_code(recipient=who.email)
    by_label(page, label(language, "code", CodeForm)).fill(code)
    with translation.override(language):
        from django.utils.translation import gettext

        name = gettext("Valider le code")
    page.get_by_role("button", name=name).click()
    page.wait_for_url(url_pattern(language, "receipt", reference))
    return reference


def file_request(
    page,
    base_url: str,
    language: str,
    prefecture,
    kind: str = "first_permit",
    who: Applicant | None = None,
) -> str:
    """The whole flow, from the home page to the receipt; returns the request's reference."""
    who = who or Applicant()
    open_form(page, base_url, language, prefecture.name, prefecture.code, kind)
    fill_form(page, language, who)
    submit_form(page, language)
    return verify_code(page, language, who)
