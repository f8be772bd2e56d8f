"""Browser tests: real Chromium driven by Playwright against Django's live server.

They run only when asked (``CRENEAU_BROWSER_TESTS=1``) and when a Chromium binary exists
(``/usr/bin/chromium``, or the path in ``CRENEAU_CHROMIUM``); otherwise every test in this
directory is skipped (with ``CRENEAU_BROWSER_TESTS=require``, as in CI, the run fails instead),
so the default fast suite needs neither Chromium nor Playwright's driver.
Playwright never downloads a browser here: it launches the system Chromium.
"""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio event loop in the test thread; Django's ORM would then
# refuse to run there (SynchronousOnlyOperation), although the calls are in fact synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

HERE = Path(__file__).resolve().parent

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these, Chromium's own background connections are refused in the sandboxed CI and
    # slow every page down.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    candidate = os.environ.get("CRENEAU_CHROMIUM") or "/usr/bin/chromium"
    if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
        return candidate
    return shutil.which(candidate) if os.sep not in candidate else None


def _requested() -> str:
    return os.environ.get("CRENEAU_BROWSER_TESTS", "").strip().lower()


def browser_tests_requested() -> bool:
    """``1``/``true``/``yes``: run them if Chromium is there; ``require``: run them or fail (CI)."""
    return _requested() in ("1", "true", "yes", "on", "require")


def _skip_reason() -> str | None:
    if not browser_tests_requested():
        return "browser tests run only with CRENEAU_BROWSER_TESTS=1 (see docs/testing.md)"
    if chromium_path() is None:
        return "no Chromium: install it (apt-get install chromium) or set CRENEAU_CHROMIUM"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[dev]')"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test of this directory ``browser``; skip them all unless asked and possible."""
    mine = [item for item in items if HERE in Path(str(item.path)).resolve().parents]
    if not mine:
        return
    reason = _skip_reason()
    if reason and _requested() == "require":
        raise pytest.UsageError(f"CRENEAU_BROWSER_TESTS=require, but {reason}")
    for item in mine:
        item.add_marker(pytest.mark.browser)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))


# --- Playwright fixtures (pytest-playwright is not used: it would try to download browsers) ---


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance):
    path = chromium_path()
    assert path, "no Chromium binary"
    browser = playwright_instance.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def _new_context(browser, **kwargs):
    context = browser.new_context(accept_downloads=True, **kwargs)
    context.set_default_timeout(15_000)
    context.set_default_navigation_timeout(30_000)
    return context


@pytest.fixture
def context(browser):
    context = _new_context(browser, viewport={"width": 1280, "height": 900})
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def new_context(browser):
    """Factory for contexts with other options (small viewport, JavaScript off); closed at teardown."""
    made = []

    def make(**kwargs):
        ctx = _new_context(browser, **kwargs)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


# --- Application fixtures ---


@pytest.fixture
def places(transactional_db, settings, tmp_path):
    """The demo's prefectures, sites and procedures (and slots), visible to the live server thread."""
    from django.core.cache import cache

    from creneau.booking.demo.seed import seed_places, seed_slots

    # WhiteNoise warns (an error under the suite's filterwarnings) when STATIC_ROOT does not exist.
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir(exist_ok=True)
    cache.clear()  # rate-limit counters from earlier tests must not refuse our submissions
    prefectures = seed_places()
    seed_slots(prefectures, weeks=2)
    yield {p.code: p for p in prefectures}
    _clear_audit_trail()


def _clear_audit_trail() -> None:
    """Let the flush after a transactional test empty the append-only audit table.

    The filing flow writes audit events, and the database refuses to delete them; lift the
    protection (the audit migration's own backwards/forwards), delete, and put it back.
    """
    from django.db import connection

    from creneau.audit.models import AuditEvent

    migration = importlib.import_module("creneau.audit.migrations.0002_append_only")
    with connection.schema_editor() as editor:
        migration.backwards(None, editor)
    try:
        AuditEvent.objects.all().delete()
    finally:
        with connection.schema_editor() as editor:
            migration.forwards(None, editor)


@pytest.fixture
def base_url(live_server) -> str:
    return live_server.url
