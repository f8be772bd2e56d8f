"""Every message renders in every language, with exactly the variables the catalogue declares."""

import re
from pathlib import Path

import pytest

import creneau.notify
from creneau.notify.messages import EMAIL_PARTS, MESSAGES, SMS_MAX_LENGTH, SMS_PARTS
from creneau.notify.rendering import UnknownTemplateVariable, render

from .conftest import CONTEXTS

TEMPLATE_DIR = Path(creneau.notify.__file__).parent / "templates" / "notify"
LANGUAGES = ["fr", "en", "ar"]


def test_the_catalogue_and_the_template_directories_agree():
    directories = {p.name for p in TEMPLATE_DIR.iterdir() if p.is_dir()}
    assert directories == set(MESSAGES), "a template directory without a catalogue entry, or the reverse"
    for name in MESSAGES:
        present = {p.name for p in (TEMPLATE_DIR / name).iterdir()}
        assert present == set(EMAIL_PARTS + SMS_PARTS), name
    assert set(CONTEXTS) == set(MESSAGES)
    for name, keys in MESSAGES.items():
        assert set(CONTEXTS[name]) == keys, name


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("template", sorted(MESSAGES))
def test_it_renders_every_message_in_every_language(template, language):
    email = render(template, "email", CONTEXTS[template], language)
    sms = render(template, "sms", CONTEXTS[template], language)

    assert email.subject
    assert "\n" not in email.subject
    assert "R7K2QX" in email.subject
    assert email.text.strip()
    assert email.html.strip()
    assert f'lang="{language}"' in email.html
    assert ('dir="rtl"' in email.html) == (language == "ar")
    assert "R7K2QX" in sms.text
    assert "\n" not in sms.text
    assert "<" not in sms.text
    assert "&#" not in sms.text
    assert len(sms.text) <= SMS_MAX_LENGTH


def _source(template):
    return "".join((TEMPLATE_DIR / template / part).read_text() for part in EMAIL_PARTS + SMS_PARTS)


@pytest.mark.parametrize("template", sorted(MESSAGES))
def test_every_declared_variable_is_used(template):
    source = _source(template)
    for variable in MESSAGES[template]:
        assert re.search(rf"\b{variable}\b", source), f"{template}: {variable} is declared but never used"


@pytest.mark.parametrize("template", sorted(MESSAGES))
def test_a_printed_variable_missing_from_the_context_fails_loudly(template):
    printed = set(re.findall(r"{{\s*(\w+)", _source(template))) & MESSAGES[template]
    for variable in printed:
        context = {k: v for k, v in CONTEXTS[template].items() if k != variable}

        def render_all(context=context):
            render(template, "email", context, "fr")
            render(template, "sms", context, "fr")

        with pytest.raises(UnknownTemplateVariable, match=variable):
            render_all()


def test_an_sms_stays_short_with_long_values():
    context = {
        **CONTEXTS["request_filed"],
        "prefecture_name": "Préfecture de police de Paris – centre de réception des étrangers",
        "procedure_name": "Admission exceptionnelle au séjour – salarié",
        "batch_closes_at_local": "mercredi 31 décembre 2025 à 18 h 00",
        "status_url": "https://rendez-vous.prefecture-exemple.gouv.fr/d/R7K2QX/Zx8f2k1QmPq7Vn3sLt0aBcDeFgHiJk",
    }
    for language in LANGUAGES:
        assert len(render("request_filed", "sms", context, language).text) <= SMS_MAX_LENGTH


def test_an_over_long_sms_is_logged_but_not_refused(caplog):
    context = {**CONTEXTS["private_link"], "status_url": "https://x.example/" + "a" * 300}
    assert len(render("private_link", "sms", context, "fr").text) > SMS_MAX_LENGTH
    assert "max 300" in caplog.text


def test_html_escapes_values_and_text_does_not():
    context = {**CONTEXTS["request_withdrawn"], "prefecture_name": "<b>Ain & Co</b>"}
    email = render("request_withdrawn", "email", context, "fr")

    assert "&lt;b&gt;Ain &amp; Co&lt;/b&gt;" in email.html
    assert "<b>Ain & Co</b>" in email.text
