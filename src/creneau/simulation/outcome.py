"""Results of one simulated run: plain frozen dataclasses, equal for equal seeds."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass


class SlotFate(enum.Enum):
    USED = "used"
    """Attended by the applicant who booked it."""
    NO_SHOW = "no-show"
    """Booked by a real applicant who did not come: wasted."""
    SCALPER_WASTE = "scalper-waste"
    """Last held under an invented name and never used: wasted."""
    UNBOOKED = "unbooked"
    """Published (or freed) but nobody held it when its time came."""


@dataclass
class ScalperBook:
    """A scalper's accounts over the whole run (mutable while running)."""

    revenue: float = 0.0
    booking_costs: float = 0.0
    name_change_costs: float = 0.0
    fixed_costs: float = 0.0
    bookings: int = 0
    name_changes: int = 0
    lost_in_name_change: int = 0
    sales: int = 0

    @property
    def profit(self) -> float:
        return self.revenue - self.booking_costs - self.name_change_costs - self.fixed_costs

    def frozen(self, price: float) -> ScalperAccounts:
        return ScalperAccounts(
            final_price=price,
            revenue=self.revenue,
            costs=self.booking_costs + self.name_change_costs + self.fixed_costs,
            bookings=self.bookings,
            name_changes=self.name_changes,
            lost_in_name_change=self.lost_in_name_change,
            sales=self.sales,
        )


@dataclass(frozen=True)
class ScalperAccounts:
    revenue: float
    costs: float
    bookings: int
    """Fake-name bookings (FCFS) or fake-name requests (batch)."""
    name_changes: int
    lost_in_name_change: int
    """Name changes in which a rival bot grabbed the slot while it was back online."""
    sales: int
    final_price: float

    @property
    def profit(self) -> float:
        return self.revenue - self.costs


@dataclass(frozen=True)
class GroupWaits:
    """Waits (days from request to appointment) of the measured applicants of one group."""

    group: str
    applicants: int
    waits: tuple[float, ...]
    """Sorted waits of those who got an appointment."""

    @classmethod
    def of(cls, group: str, waits: list[float], unserved: int) -> GroupWaits:
        return cls(group=group, applicants=len(waits) + unserved, waits=tuple(sorted(waits)))

    @property
    def served_share(self) -> float:
        return len(self.waits) / self.applicants if self.applicants else 0.0

    def quantile(self, q: float) -> float:
        """Wait not exceeded by a share ``q`` of the group; inf if fewer were served."""
        if not self.applicants:
            return math.nan
        rank = math.ceil(q * self.applicants) - 1
        return self.waits[max(rank, 0)] if rank < len(self.waits) else math.inf


@dataclass(frozen=True)
class Outcome:
    policy: str
    scenario: str
    seed: int
    demand_ratio: float
    applicants: int
    fates: tuple[SlotFate, ...]
    """Final fate of every published slot, by slot number."""
    attended: tuple[tuple[int, int], ...]
    """(slot, applicant) for every used slot."""
    served: int
    """Applicants who got an appointment (measured or not)."""
    real_bookings: int
    """Bookings under real applicants' names (including re-bookings after a name change)."""
    slots_scalped: int
    """Slots held under an invented name at least once."""
    bought: int
    """Applicants who got their appointment from a scalper."""
    paid_to_scalpers: float
    paid_to_helpers: float
    scalpers: tuple[ScalperAccounts, ...]
    groups: tuple[GroupWaits, ...]
    weekly_activity: tuple[int, ...]
    """Sum of scalpers' activity levels decided at the end of each week."""
    weekly_profit: tuple[float, ...]
    """Scalpers' total realised profit of each week."""

    def count(self, fate: SlotFate) -> int:
        return sum(1 for f in self.fates if f is fate)

    @property
    def slots(self) -> int:
        return len(self.fates)

    @property
    def wasted_share(self) -> float:
        """Share of slots booked but unused (no-shows and fake names)."""
        wasted = self.count(SlotFate.NO_SHOW) + self.count(SlotFate.SCALPER_WASTE)
        return wasted / self.slots if self.slots else 0.0

    @property
    def scalped_share(self) -> float:
        """Share of applicants' appointments that went through a scalper."""
        return self.bought / self.served if self.served else 0.0

    @property
    def scalper_revenue(self) -> float:
        return math.fsum(s.revenue for s in self.scalpers)

    @property
    def scalper_profit(self) -> float:
        return math.fsum(s.profit for s in self.scalpers)

    @property
    def scalpers_active_at_end(self) -> int:
        return self.weekly_activity[-1] if self.weekly_activity else 0
