"""The small-cell rule: no published figure describes fewer than ``MIN_CELL`` people.

- A count of people below ``MIN_CELL`` (zero included) is not published: it appears empty with a flag.
- Where a total is published beside its parts (all procedures beside each procedure; a week beside its
  days), the parts left out could be found by subtraction: more parts are left out, smallest first,
  until what is hidden adds up to ``MIN_CELL`` people or more ("secondary suppression").
- A median or a percentile is published only over ``MIN_CELL`` people or more; a rate only when both
  the people it counts and the others are ``MIN_CELL`` or more.

Counts of slots (not people) are not concerned.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

MIN_CELL = 10

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Cell:
    value: float | None
    suppressed: bool = False

    @property
    def shown(self) -> bool:
        return not self.suppressed and self.value is not None


SUPPRESSED = Cell(None, True)


def people(count: int) -> Cell:
    return Cell(count) if count >= MIN_CELL else SUPPRESSED


def group(total: int, parts: Mapping[K, int], hidden: set[K] | None = None) -> tuple[Cell, dict[K, Cell]]:
    """Protect a total and its additive parts together (``hidden``: parts that must be left out anyway)."""
    total_cell = people(total)
    cells = {k: (SUPPRESSED if hidden and k in hidden else people(v)) for k, v in parts.items()}
    if total_cell.suppressed:
        return total_cell, dict.fromkeys(parts, SUPPRESSED)
    while True:
        hidden_keys = [k for k, c in cells.items() if c.suppressed]
        if not hidden_keys or sum(parts[k] for k in hidden_keys) >= MIN_CELL:
            return total_cell, cells
        visible = sorted((k for k, c in cells.items() if not c.suppressed), key=lambda k: (parts[k], str(k)))
        if not visible:  # cannot happen: then the hidden parts add up to the total, which is ≥ MIN_CELL
            return total_cell, cells
        cells[visible[0]] = SUPPRESSED


def remainder_ok(total: int, published_parts: Sequence[int]) -> bool:
    """Whether publishing ``total`` beside these published parts reveals no small hidden remainder."""
    rest = total - sum(published_parts)
    return rest == 0 or rest >= MIN_CELL


def percentile(values: Sequence[float], q: float) -> Cell:
    """The q-th percentile (nearest rank), over ``MIN_CELL`` values or more."""
    if len(values) < MIN_CELL:
        return SUPPRESSED
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return Cell(ordered[rank - 1])


def median(values: Sequence[float]) -> Cell:
    if len(values) < MIN_CELL:
        return SUPPRESSED
    ordered = sorted(values)
    mid = len(ordered) // 2
    return Cell(ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2)


def rate(count: int, out_of: int) -> Cell:
    if count < MIN_CELL or out_of - count < MIN_CELL:
        return SUPPRESSED
    return Cell(round(count / out_of, 3))
