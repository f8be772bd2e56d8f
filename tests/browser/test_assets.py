"""Every stylesheet, script and image a public page asks for is served, and no script fails."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from .flow import path_for

pytestmark = pytest.mark.browser

PAGES = [
    ("home", ()),
    ("prefecture", ("93",)),
    ("file", ("93", "first_permit")),
    ("resend_link", ("93", "first_permit")),
]


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_page_assets_load(page, base_url, places, language):
    failed: list[str] = []
    errors: list[str] = []
    origin = urlsplit(base_url).netloc
    page.on(
        "response",
        lambda r: (
            failed.append(f"{r.status} {r.url}")
            if (
                r.status >= 400
                and r.request.resource_type != "document"
                and urlsplit(r.url).netloc == origin
                and not r.url.endswith("/favicon.ico")
            )
            else None
        ),
    )
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    for name, args in PAGES:
        path = path_for(language, name, *args)
        response = page.goto(base_url + path)
        assert response is not None, path
        assert response.status == 200, path
        page.wait_for_load_state("load")
        sheets = page.evaluate("Array.from(document.styleSheets).map(s => s.href).filter(Boolean)")
        assert any(s.endswith("/creneau/creneau.css") for s in sheets), sheets
        if language == "ar":
            assert any(s.endswith("/creneau/rtl.css") for s in sheets), sheets
    assert not failed, f"assets not served: {sorted(set(failed))}"
    assert not errors, f"JavaScript errors: {errors}"
