"""Refuse passwords known to attackers: common ones (also with digits or symbols stuck on the end,
French ones included) and, when a breach list is installed, any password it contains.

The breach list is a file of SHA-1 hashes, one per line, optionally ``HASH:count`` (the format of
Have I Been Pwned's downloadable list), sorted or not; set ``CRENEAU_BREACHED_PASSWORDS_FILE``.
Nothing is sent anywhere: the check is local.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

FRENCH_COMMON = {
    "azerty",
    "azertyuiop",
    "motdepasse",
    "soleil",
    "doudou",
    "loulou",
    "chouchou",
    "bonjour",
    "marseille",
    "prefecture",
    "administrateur",
    "nicolas",
    "julien",
    "camille",
    "football",
    "jetaime",
    "coucou",
    "qwertz",
    "azertyui",
    "1234567890",
    "0000000000",
    "unmotdepasse",
    "motdepasse123",
    "bienvenue",
}


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    return frozenset(CommonPasswordValidator().passwords) | FRENCH_COMMON


@lru_cache(maxsize=4)
def _breached(path: str) -> frozenset[str]:
    lines = Path(path).read_text(encoding="ascii", errors="ignore").splitlines()
    return frozenset(line.split(":", 1)[0].strip().upper() for line in lines if line.strip())


class KnownPasswordValidator:
    def validate(self, password: str, user: Any = None) -> None:
        lowered = password.lower().strip()
        stem = re.sub(r"[\d\W_]+$", "", lowered)
        if lowered in _common() or (stem and stem in _common()) or lowered.replace(" ", "") in _common():
            raise ValidationError(_("Ce mot de passe est trop courant."), code="password_too_common")
        path = getattr(settings, "CRENEAU_BREACHED_PASSWORDS_FILE", "")
        if path and Path(path).exists():
            digest = hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest().upper()
            if digest in _breached(path):
                raise ValidationError(
                    _("Ce mot de passe figure dans une liste de mots de passe divulgués."),
                    code="password_breached",
                )

    def get_help_text(self) -> str:
        return str(_("Les mots de passe courants ou ayant fuité sont refusés."))
