"""A cheap phone: 360×640 screen, and a browser with JavaScript turned off."""

from __future__ import annotations

import re

import pytest

from creneau.booking.models import Request
from creneau.booking.workflow import Status

from .flow import Applicant, file_request, page_url, path_for

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 640}
TOLERANCE = 2  # px: sub-pixel rounding


def scroll_width(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


OVERFLOWING_JS = """(width) => Array.from(document.querySelectorAll('body *'))
    .filter(e => { const r = e.getBoundingClientRect();
                   return r.width && (r.right > width + 2 || r.left < -2); })
    .slice(0, 10)
    .map(e => { const r = e.getBoundingClientRect();
                const cls = typeof e.className === 'string' && e.className
                    ? '.' + e.className.split(' ').join('.') : '';
                return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + cls
                       + ' [' + Math.round(r.left) + ',' + Math.round(r.right) + ']'; })"""


def _overflowing(page) -> list[str]:
    """Elements sticking out of the viewport, to say what breaks the layout when the check fails."""
    return page.evaluate(OVERFLOWING_JS, PHONE["width"])


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("language", ["fr", "ar"])
def test_form_fits_a_small_screen(new_context, base_url, places, language, javascript):
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=javascript)
    page = context.new_page()
    for name, args in (("home", ()), ("prefecture", ("93",)), ("file", ("93", "first_permit"))):
        path = path_for(language, name, *args)
        page.goto(base_url + path)
        width = scroll_width(page)
        assert width <= PHONE["width"] + TOLERANCE, (path, width, _overflowing(page))
    # With the errors shown, too.
    page.locator("form[method=post] button[type=submit]").last.click()
    page.wait_for_load_state()
    assert page.locator(".fr-alert--error").count() >= 1
    width = scroll_width(page)
    assert width <= PHONE["width"] + TOLERANCE, ("form with errors", width, _overflowing(page))


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_whole_flow_without_javascript_on_a_phone(new_context, base_url, places, language):
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False)
    page = context.new_page()
    who = Applicant(
        surnames="Nguyen",
        given_names="Thi Lan",
        birth_date="09/09/1979",
        nationality="VN",
        passport_number="C1234567",
        email=f"lan.nguyen.{language}@example.org",
    )
    reference = file_request(page, base_url, language, places["974"], kind="first_permit", who=who)
    assert Request.objects.get(reference=reference).status == Status.PENDING
    assert page.locator(".creneau-ref").inner_text().strip() == reference
    assert scroll_width(page) <= PHONE["width"] + TOLERANCE, ("receipt", _overflowing(page))
    # The PDF link is a plain link: it works without JavaScript too.
    with page.expect_download() as info:
        page.locator(f"a[href='{path_for(language, 'receipt_pdf', reference)}']").click()
    assert open(info.value.path(), "rb").read(5) == b"%PDF-"  # noqa: SIM115
    # The status page, and the language switcher (a plain form) still work.
    page.goto(page_url(base_url, language, "status", reference))
    assert re.search(reference, page.content())
    assert scroll_width(page) <= PHONE["width"] + TOLERANCE, ("status", _overflowing(page))
