"""Strict rendering of message templates in a given language.

Messages use their own template engine (same directories and tag libraries as the site's) whose
``string_if_invalid`` raises: a message with a hole in it is a bug, never something to send.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template import Context, Engine, TemplateSyntaxError, engines
from django.utils import translation

from creneau.notify.messages import SMS_MAX_LENGTH

logger = logging.getLogger(__name__)


class UnknownTemplateVariable(TemplateSyntaxError):
    """A message template used a variable its context does not provide."""


class _RaiseOnMissing(str):
    """``string_if_invalid`` that turns Django's silent empty string into an exception."""

    def __contains__(self, item: object) -> bool:
        return item == "%s"

    def __mod__(self, name: object) -> str:
        raise UnknownTemplateVariable(f"unknown variable in message template: {name}")


@functools.cache
def engine() -> Engine:
    site = engines["django"].engine  # type: ignore[attr-defined]
    return Engine(
        dirs=list(site.dirs),
        app_dirs=True,
        libraries=dict(site.libraries),
        string_if_invalid=_RaiseOnMissing("<missing>"),
        autoescape=True,
    )


@dataclass(frozen=True)
class Rendered:
    subject: str = ""
    text: str = ""
    html: str = ""


_BLANK_LINES = re.compile(r"\n[ \t]*(\n[ \t]*)+")
_SPACES = re.compile(r"\s+")


def _render(name: str, context: dict[str, Any]) -> str:
    # Plain-text parts (subject, text body, SMS) are not HTML: no escaping of ' & < >.
    return engine().get_template(name).render(Context(context, autoescape=name.endswith(".html")))


def render(template: str, channel: str, context: dict[str, Any], language: str) -> Rendered:
    """Render one message in ``language``. Raises UnknownTemplateVariable on a hole in a template."""
    base = {"site_name": str(getattr(settings, "SITE_NAME", "Créneau")), "site_url": settings.SITE_URL}
    ctx = {**base, **context}
    with translation.override(language):
        if channel == "sms":
            text = _SPACES.sub(" ", _render(f"notify/{template}/sms.txt", ctx)).strip()
            if len(text) > SMS_MAX_LENGTH:
                # Not worth failing the caller's state change: the provider splits it (tests keep
                # every message under the limit with long values, in every language).
                logger.warning(
                    "SMS %r in %r is %d characters (max %d)", template, language, len(text), SMS_MAX_LENGTH
                )
            return Rendered(text=text)
        subject = _SPACES.sub(" ", _render(f"notify/{template}/subject.txt", ctx)).strip()
        text = _BLANK_LINES.sub("\n\n", _render(f"notify/{template}/body.txt", ctx)).strip() + "\n"
        html = _render(f"notify/{template}/body.html", ctx)
        return Rendered(subject=subject, text=text, html=html)
