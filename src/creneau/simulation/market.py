"""What both policies share: the event loop, slot bookkeeping, scalpers' books and decisions.

The simulation is event-driven: a heap of ``(time, sequence, handler, argument)``. Nothing is
stepped second by second; applicants' and bots' checks are Poisson processes, so only the checks
that can change something (a slot is online) are drawn, using the memoryless property.

Scalpers are profit-seeking. Each Monday a scalper looks at last week's realised profit
(revenue − cost per fake booking − cost per name change − fixed weekly cost): if positive it
expands its activity by ``growth``, otherwise halves it, and quits below one. A scalper who quit
tries again after ``reentry_weeks`` weeks at the initial level. Its price goes up 10 % when
buyers are waiting at the current price and nothing went unsold, down 15 % when more than a
third of its bookings went unsold.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from creneau.simulation.outcome import GroupWaits, Outcome, ScalperBook, SlotFate
from creneau.simulation.population import WEEK, Population


@dataclass
class Scalper:
    index: int
    level: int
    price: float
    book: ScalperBook = field(default_factory=ScalperBook)
    idle_weeks: int = 0
    # This week's tallies, reset each Monday.
    week_revenue: float = 0.0
    week_costs: float = 0.0
    week_sold: int = 0
    week_released: int = 0
    active_this_week: bool = False


Handler = Callable[[Any], None]


class Market:
    policy = "abstract"

    def __init__(self, population: Population) -> None:
        self.pop = population
        self.scenario = population.scenario
        self.rng = random.Random(f"creneau-simulation:{self.policy}:{self.scenario.seed}")
        self.now = 0.0
        self._events: list[tuple[float, int, Handler, Any]] = []
        self._sequence = 0
        n_slots = len(population.slot_start)
        n_apps = len(population.arrival)
        # Slot holder: -1 nobody, >= 0 an applicant, <= -2 scalper (-2 - index).
        self.holder = [-1] * n_slots
        self.last_holder = [-1] * n_slots
        self.fate: list[SlotFate | None] = [None] * n_slots
        self.ever_scalped = [False] * n_slots
        # Applicants.
        self.appointment = [-1] * n_apps
        self.bought = [False] * n_apps
        self.paid_scalpers = [0.0] * n_apps
        self.paid_helpers = [0.0] * n_apps
        self.real_bookings = 0
        sc = self.scenario.scalpers
        self.scalpers = [Scalper(i, sc.initial_inventory, sc.price_eur) for i in range(sc.count)]
        for scalper in self.scalpers:
            scalper.active_this_week = scalper.level > 0
        self.weekly_activity: list[int] = []
        self.weekly_profit: list[float] = []

    # -- event loop ---------------------------------------------------------------------------

    def at(self, when: float, handler: Handler, argument: Any = None) -> None:
        self._sequence += 1
        heapq.heappush(self._events, (when, self._sequence, handler, argument))

    def run(self) -> Outcome:
        pop = self.pop
        for applicant, arrival in enumerate(pop.arrival):
            self.at(arrival, self.on_arrival, applicant)
        for slot, start in enumerate(pop.slot_start):
            self.at(pop.slot_publish[slot], self.on_publish, slot)
            self.at(start, self.on_appointment, slot)
        for week in range(1, self.scenario.weeks + 1):
            self.at(week * WEEK - 1e-6, self.on_week_end, week)
        self.start()
        events = self._events
        while events:
            when, _, handler, argument = heapq.heappop(events)
            self.now = when
            handler(argument)
        return self.outcome()

    def start(self) -> None:
        """Policy-specific events scheduled before the run (e.g. batch runs)."""

    # -- hooks for the policies ---------------------------------------------------------------

    def on_arrival(self, applicant: int) -> None:
        raise NotImplementedError

    def on_publish(self, slot: int) -> None:
        raise NotImplementedError

    def on_week_start(self, week: int) -> None:
        """Called after scalpers revised their activity for ``week`` (0-based)."""

    # -- shared bookkeeping -------------------------------------------------------------------

    def give_to_applicant(self, slot: int, applicant: int) -> None:
        """The applicant now holds the slot under their own name (and may cancel it later)."""
        self.holder[slot] = applicant
        self.last_holder[slot] = applicant
        self.real_bookings += 1
        if self.appointment[applicant] < 0:
            self.appointment[applicant] = slot
        if self.pop.access[applicant] == len(self.scenario.groups):
            self.paid_helpers[applicant] = self.helper_fee()
        fraction = self.pop.cancels_at[applicant]
        if fraction < 1.0:
            start = self.pop.slot_start[slot]
            self.at(self.now + fraction * (start - self.now), self.on_cancel, slot)

    def helper_fee(self) -> float:
        return self.scenario.applicants.helper_fee_eur

    def on_cancel(self, slot: int) -> None:
        if self.holder[slot] < 0:  # pragma: no cover - only applicants schedule cancellations
            return
        self.holder[slot] = -1
        self.release(slot)

    def release(self, slot: int) -> None:
        """A held slot becomes free again: online (FCFS) or for the next batch."""
        raise NotImplementedError

    def on_appointment(self, slot: int) -> None:
        holder = self.holder[slot]
        if holder >= 0:
            self.fate[slot] = SlotFate.NO_SHOW if self.pop.no_show[holder] else SlotFate.USED
        elif holder <= -2 or self.last_holder[slot] <= -2:
            self.fate[slot] = SlotFate.SCALPER_WASTE
        else:
            self.fate[slot] = SlotFate.UNBOOKED
        self.withdraw(slot)

    def withdraw(self, slot: int) -> None:
        """The slot's time has come: take it out of whatever pool it is in."""

    def scalper_cost(self, scalper: Scalper, amount: float, kind: str) -> None:
        scalper.week_costs += amount
        if kind == "booking":
            scalper.book.booking_costs += amount
            scalper.book.bookings += 1
        else:
            scalper.book.name_change_costs += amount
            scalper.book.name_changes += 1

    def scalper_sale(self, scalper: Scalper, applicant: int) -> None:
        scalper.week_revenue += scalper.price
        scalper.week_sold += 1
        scalper.book.revenue += scalper.price
        scalper.book.sales += 1
        self.paid_scalpers[applicant] += scalper.price
        self.bought[applicant] = True

    def buyers_waiting_at(self, price: float) -> bool:
        return False

    def on_week_end(self, week: int) -> None:
        """Scalpers look back at the week just ended and decide the next one."""
        sc = self.scenario.scalpers
        total_profit = 0.0
        for s in self.scalpers:
            fixed = sc.fixed_cost_per_week_eur if s.active_this_week else 0.0
            s.book.fixed_costs += fixed
            profit = s.week_revenue - s.week_costs - fixed
            total_profit += profit
            if s.level == 0:
                s.idle_weeks += 1
                if s.idle_weeks >= sc.reentry_weeks:
                    s.level, s.idle_weeks = sc.initial_inventory, 0
            elif profit > 0:
                s.level = min(sc.max_inventory, math.ceil(s.level * sc.growth))
            else:
                s.level //= 2
                if s.level < 1:
                    s.level, s.idle_weeks = 0, 0
            unsold_share = s.week_released / max(1, s.week_sold + s.week_released)
            if unsold_share > 1 / 3:
                s.price = max(sc.min_price_eur, s.price * 0.85)
            elif s.week_released == 0 and self.buyers_waiting_at(s.price * 1.1):
                s.price = min(sc.max_price_eur, s.price * 1.1)
            s.week_revenue = s.week_costs = 0.0
            s.week_sold = s.week_released = 0
            s.active_this_week = s.level > 0
        self.weekly_profit.append(total_profit)
        self.weekly_activity.append(sum(s.level for s in self.scalpers))
        if week < self.scenario.weeks:
            self.on_week_start(week)

    # -- results ------------------------------------------------------------------------------

    def outcome(self) -> Outcome:
        pop = self.pop
        fates = tuple(f if f is not None else SlotFate.UNBOOKED for f in self.fate)
        waits: dict[str, list[float]] = {name: [] for name in pop.group_names}
        unserved = dict.fromkeys(pop.group_names, 0)
        for a, arrival in enumerate(pop.arrival):
            if not pop.measured(a):
                continue
            name = pop.group_names[pop.access[a]]
            slot = self.appointment[a]
            if slot >= 0:
                waits[name].append((pop.slot_start[slot] - arrival) / 86400.0)
            else:
                unserved[name] += 1
        groups = tuple(GroupWaits.of(name, waits[name], unserved[name]) for name in pop.group_names)
        attended = tuple(
            (slot, self.holder[slot]) for slot, fate in enumerate(fates) if fate is SlotFate.USED
        )
        return Outcome(
            policy=self.policy,
            scenario=self.scenario.name,
            seed=self.scenario.seed,
            demand_ratio=self.scenario.arrivals_per_week / self.scenario.slots_per_week,
            applicants=len(pop.arrival),
            fates=fates,
            attended=attended,
            served=sum(1 for slot in self.appointment if slot >= 0),
            real_bookings=self.real_bookings,
            slots_scalped=sum(self.ever_scalped),
            bought=sum(self.bought),
            paid_to_scalpers=math.fsum(self.paid_scalpers),
            paid_to_helpers=math.fsum(self.paid_helpers),
            scalpers=tuple(s.book.frozen(s.price) for s in self.scalpers),
            groups=groups,
            weekly_activity=tuple(self.weekly_activity),
            weekly_profit=tuple(self.weekly_profit),
        )
