"""Fuzzy near-duplicate detection: flags for an agent, never an automatic refusal.

Exact duplicates (same normalised key) are refused by a database constraint; this finds the
cases the key misses: transliteration variants (Mohamed / Mohammed / Muhammad), surname and
given names swapped, a typo in one letter. Uses rapidfuzz (token-set and edit distance).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from rapidfuzz import fuzz

from creneau.identity.normalise import fold, name_tokens

SIMILARITY_THRESHOLD = 85.0


@dataclass(frozen=True)
class Person:
    surnames: str
    given_names: str
    birth_date: datetime.date
    document_number: str = ""


def _full(surnames: str, given_names: str) -> str:
    return " ".join(sorted(name_tokens(surnames) + name_tokens(given_names)))


def similarity(a: Person, b: Person) -> float:
    """0–100: how likely two filings are the same person (birth dates must match)."""
    if a.document_number and b.document_number and fold(a.document_number) == fold(b.document_number):
        return 100.0
    if a.birth_date != b.birth_date:
        return 0.0
    same_order = fuzz.ratio(
        fold(a.surnames) + "|" + fold(a.given_names), fold(b.surnames) + "|" + fold(b.given_names)
    )
    swapped_or_reordered = fuzz.token_sort_ratio(
        _full(a.surnames, a.given_names), _full(b.surnames, b.given_names)
    )
    return float(max(same_order, swapped_or_reordered))


def is_near_duplicate(a: Person, b: Person, threshold: float = SIMILARITY_THRESHOLD) -> bool:
    return similarity(a, b) >= threshold
