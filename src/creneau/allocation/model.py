"""The allocation engine's vocabulary: requests, slots, parameters and the result of a run.

These are plain frozen values with no database behind them: the booking app turns its rows
into them, calls `allocate`, and writes the `Result` back.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

POLICY_VERSION = "creneau-allocation/1"

# Priority classes: lower is served first.
PRIORITY_COURT_ORDER = 0  # a judge ordered an appointment by a deadline
PRIORITY_EXPIRING = 1  # permit or receipt (récépissé) expiring soon
PRIORITY_ORDINARY = 2

# Bounds that keep the ordering key compact; far beyond anything a prefecture needs.
MAX_PRIORITY = 0xFFFF
MAX_BATCH_INDEX = 0xFFFF_FFFF


def _require_aware(value: datetime.datetime, what: str) -> None:
    if not isinstance(value, datetime.datetime):
        raise ValueError(f"{what} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {value.isoformat()}")


@dataclass(frozen=True, slots=True)
class Request:
    """A pending request, as the engine sees it: who, in which queue, and what fits."""

    public_id: str
    priority: int
    batch_index: int
    procedure: str
    sites: frozenset[str]
    unavailable_dates: frozenset[datetime.date] = frozenset()
    step_free: bool = False
    interpreter: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.public_id, str) or not self.public_id:
            raise ValueError(f"public_id must be a non-empty string, got {self.public_id!r}")
        for name, bound in (("priority", MAX_PRIORITY), ("batch_index", MAX_BATCH_INDEX)):
            value = getattr(self, name)
            if type(value) is not int or not 0 <= value <= bound:
                raise ValueError(f"{name} must be an int in [0, {bound}], got {value!r} ({self.public_id})")
        if type(self.sites) is not frozenset:
            object.__setattr__(self, "sites", frozenset(self.sites))
        if type(self.unavailable_dates) is not frozenset:
            object.__setattr__(self, "unavailable_dates", frozenset(self.unavailable_dates))


@dataclass(frozen=True, slots=True)
class Slot:
    """One appointment at one desk. `local_date` is the date in the prefecture's time zone."""

    id: str
    site: str
    start: datetime.datetime
    local_date: datetime.date
    procedures: frozenset[str]
    step_free: bool = False
    interpreter_languages: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ValueError(f"slot id must be a non-empty string, got {self.id!r}")
        _require_aware(self.start, f"slot {self.id} start")
        if type(self.local_date) is not datetime.date:
            raise ValueError(f"slot {self.id} local_date must be a date, got {self.local_date!r}")
        if type(self.procedures) is not frozenset:
            object.__setattr__(self, "procedures", frozenset(self.procedures))
        if type(self.interpreter_languages) is not frozenset:
            object.__setattr__(self, "interpreter_languages", frozenset(self.interpreter_languages))


@dataclass(frozen=True)
class Params:
    """What a run depends on besides requests, slots and seed."""

    now: datetime.datetime
    min_notice: datetime.timedelta = datetime.timedelta(hours=48)
    policy_version: str = POLICY_VERSION

    def __post_init__(self) -> None:
        _require_aware(self.now, "Params.now")
        if self.min_notice < datetime.timedelta(0):
            raise ValueError("min_notice must not be negative")

    @property
    def earliest_start(self) -> datetime.datetime:
        return self.now + self.min_notice


def is_compatible(request: Request, slot: Slot, params: Params) -> bool:
    """The single definition of "this slot fits this request" (the engine uses it in bulk form)."""
    return (
        request.procedure in slot.procedures
        and slot.site in request.sites
        and slot.local_date not in request.unavailable_dates
        and slot.start >= params.earliest_start
        and (not request.step_free or slot.step_free)
        and (request.interpreter is None or request.interpreter in slot.interpreter_languages)
    )


@dataclass(frozen=True, slots=True)
class Assignment:
    request_id: str
    slot_id: str
    position: int  # 0-based place of the request in the run's global order


@dataclass(frozen=True)
class Result:
    assignments: tuple[Assignment, ...]  # in rank order
    order: tuple[str, ...]  # every request id, in rank order
    unserved: tuple[str, ...]  # in rank order
    input_digest: str
    output_digest: str
    policy_version: str
    counts: dict[str, int] = field(default_factory=dict)

    def slot_of(self) -> dict[str, str]:
        """request id → slot id, for the served requests."""
        return {a.request_id: a.slot_id for a in self.assignments}
