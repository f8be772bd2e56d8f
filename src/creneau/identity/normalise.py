"""Normalised identity: the key behind "one person, one place in the queue".

Two filings are the same person when surnames, given names and date of birth match after
ignoring case, accents, spaces, hyphens and apostrophes, and the order of given names.
Pure functions, no Django.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—'’`´.]+")
# Names are written as on the passport's machine-readable zone or the French residence
# permit: Latin letters with their accents, spaces, hyphens and apostrophes.
_NAME_RE = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿĀ-žƀ-ɏḀ-ỿ]+(?:[ \-'’.]+[A-Za-zÀ-ÖØ-öø-ÿĀ-žƀ-ɏḀ-ỿ]+)*[.]?$")


def is_latin_name(value: str) -> bool:
    """True if ``value`` is a plausible name in Latin script (accents allowed)."""
    return bool(_NAME_RE.match(unicodedata.normalize("NFC", value.strip())))


def fold(value: str) -> str:
    """Upper-case, accent-free, separator-free form of one name part ("Jean-Loïc" → "JEANLOIC")."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    replacements = {
        "ß": "SS",
        "Æ": "AE",
        "æ": "AE",
        "Œ": "OE",
        "œ": "OE",
        "Ø": "O",
        "ø": "O",
        "Ð": "D",
        "đ": "D",
        "Đ": "D",
        "Ł": "L",
        "ł": "L",
        "ı": "I",
        "Þ": "TH",
        "þ": "TH",
    }
    stripped = "".join(replacements.get(ch, ch) for ch in stripped)
    return _SEPARATORS.sub("", stripped).upper()


def name_tokens(value: str) -> list[str]:
    """Folded words of a name, split on spaces (hyphens join: "Jean-Marie" is one token)."""
    words = [w for w in re.split(r"\s+", unicodedata.normalize("NFC", value.strip())) if w]
    return [f for f in (fold(w) for w in words) if f]


def identity_key(surnames: str, given_names: str, birth_date: datetime.date) -> str:
    """Canonical key: surnames joined in order, given names sorted, date of birth.

    Surnames keep their order but lose their separators ("GARCIA LOPEZ" = "García-López");
    given names are sorted, so "Jean Marie" = "Marie Jean" = "JEAN  MARIE".
    """
    surname_part = fold(surnames)
    given_part = ".".join(sorted(name_tokens(given_names)))
    return f"{surname_part}|{given_part}|{birth_date.isoformat()}"
