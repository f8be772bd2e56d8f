"""First-come-first-served online booking, as prefectures run it today.

Slots appear online when published or freed (a cancellation, a scalper's release). Whoever
checks the site first books one. Each searching applicant checks as a Poisson process at their
group's rate; each active scalper's bot checks every few seconds (Poisson too) and books under
invented names every online slot far enough ahead to be resold, up to its activity level.

Applicants who have searched in vain for their patience turn to resellers, and buy if their
willingness to pay reaches a scalper's price. To hand over a slot, the scalper cancels it and
rebooks it under the buyer's name: for ``name_change_seconds`` the slot is back online, and a
rival bot with room (humans take a minute to fill in the form: too slow) may grab it; the
scalper pays the name-change cost either way and, if the slot is lost, tries another one.
Unsold fake bookings are cancelled ``release_hours`` before the appointment, so they go back
online for humans (bots only take slots ``sell_lead_days`` ahead).
"""

from __future__ import annotations

import bisect
import heapq
import math

from creneau.simulation.market import Market, Scalper
from creneau.simulation.population import DAY, Population


class _Members:
    """A set with O(1) add, remove and uniform draw."""

    __slots__ = ("items", "where")

    def __init__(self) -> None:
        self.items: list[int] = []
        self.where: dict[int, int] = {}

    def add(self, item: int) -> None:
        self.where[item] = len(self.items)
        self.items.append(item)

    def remove(self, item: int) -> None:
        index = self.where.pop(item)
        last = self.items.pop()
        if last != item:
            self.items[index] = last
            self.where[last] = index


class FcfsMarket(Market):
    policy = "fcfs"

    def __init__(self, population: Population) -> None:
        super().__init__(population)
        pub = self.scenario.publication
        sc = self.scenario.scalpers
        self.cutoff = pub.booking_cutoff_hours * 3600.0
        self.sell_lead = sc.sell_lead_days * DAY
        self.bot_rate = 1.0 / sc.check_interval_seconds
        self.online: list[tuple[float, int]] = []
        self.in_pool = [False] * len(population.slot_start)
        self.classes = [_Members() for _ in population.group_names]
        self.searching = [False] * len(population.arrival)
        self.buyers: list[tuple[float, int]] = []
        self.inventory: list[list[tuple[float, int]]] = [[] for _ in self.scalpers]
        self.bot_pending = [False] * len(self.scalpers)
        self._token = 0

    # -- applicants ---------------------------------------------------------------------------

    def on_arrival(self, applicant: int) -> None:
        self.searching[applicant] = True
        self.classes[self.pop.access[applicant]].add(applicant)
        self.at(self.now + self.pop.patience[applicant], self.on_patience_exhausted, applicant)
        self._schedule_human_check()

    def _stop_searching(self, applicant: int) -> None:
        self.searching[applicant] = False
        self.classes[self.pop.access[applicant]].remove(applicant)

    def _schedule_human_check(self) -> None:
        self._token += 1
        if not self.online:
            return
        total = 0.0
        for members, rate in zip(self.classes, self.pop.check_rate, strict=True):
            total += len(members.items) * rate
        if total > 0:
            self.at(self.now + self.rng.expovariate(total), self.on_human_check, self._token)

    def on_human_check(self, token: int) -> None:
        if token != self._token:
            return
        self._purge()
        if not self.online:
            return
        weights = [len(m.items) * r for m, r in zip(self.classes, self.pop.check_rate, strict=True)]
        draw = self.rng.random() * sum(weights)
        chosen = None
        for members, weight in zip(self.classes, weights, strict=True):
            if weight <= 0:
                continue
            chosen = members
            if draw < weight:
                break
            draw -= weight
        if chosen is None:
            return
        applicant = chosen.items[self.rng.randrange(len(chosen.items))]
        _, slot = self.online.pop(0)
        self.in_pool[slot] = False
        self._stop_searching(applicant)
        self.give_to_applicant(slot, applicant)
        self._schedule_human_check()

    def _purge(self) -> None:
        """Slots too close to their start can no longer be booked online."""
        limit = self.now + self.cutoff
        online = self.online
        stale = bisect.bisect_left(online, (limit, -1))
        if stale:
            for _, slot in online[:stale]:
                self.in_pool[slot] = False
            del online[:stale]

    def on_patience_exhausted(self, applicant: int) -> None:
        if not self.searching[applicant]:
            return
        heapq.heappush(self.buyers, (-self.pop.wtp[applicant], applicant))
        for scalper in sorted(self.scalpers, key=lambda s: (s.price, s.index)):
            self._sell(scalper)

    def _top_buyer(self) -> int | None:
        buyers = self.buyers
        while buyers and not self.searching[buyers[0][1]]:
            heapq.heappop(buyers)
        return buyers[0][1] if buyers else None

    def buyers_waiting_at(self, price: float) -> bool:
        top = self._top_buyer()
        return top is not None and self.pop.wtp[top] >= price

    # -- slots --------------------------------------------------------------------------------

    def on_publish(self, slot: int) -> None:
        self._put_online(slot)

    def release(self, slot: int) -> None:
        self._put_online(slot)

    def _put_online(self, slot: int) -> None:
        start = self.pop.slot_start[slot]
        if start <= self.now + self.cutoff:
            return
        bisect.insort(self.online, (start, slot))
        self.in_pool[slot] = True
        self._schedule_human_check()
        if start >= self.now + self.sell_lead:
            for scalper in self.scalpers:
                self._schedule_bot(scalper)

    def withdraw(self, slot: int) -> None:
        if self.in_pool[slot]:
            index = bisect.bisect_left(self.online, (self.pop.slot_start[slot], slot))
            del self.online[index]
            self.in_pool[slot] = False

    # -- scalpers -----------------------------------------------------------------------------

    def _room(self, scalper: Scalper) -> int:
        return scalper.level - len(self.inventory[scalper.index])

    def _schedule_bot(self, scalper: Scalper) -> None:
        k = scalper.index
        if self.bot_pending[k] or self._room(scalper) <= 0:
            return
        if not self.online or self.online[-1][0] < self.now + self.sell_lead:
            return
        self.bot_pending[k] = True
        self.at(self.now + self.rng.expovariate(self.bot_rate), self.on_bot_check, k)

    def on_bot_check(self, k: int) -> None:
        self.bot_pending[k] = False
        scalper = self.scalpers[k]
        threshold = self.now + self.sell_lead
        cost = self.scenario.scalpers.cost_per_booking_eur
        grabbed = False
        while self._room(scalper) > 0 and self.online and self.online[-1][0] >= threshold:
            _, slot = self.online.pop()
            self.in_pool[slot] = False
            self._take(scalper, slot, cost)
            grabbed = True
        if grabbed:
            self._sell(scalper)

    def _take(self, scalper: Scalper, slot: int, cost: float) -> None:
        """The scalper's bot books the slot under an invented name."""
        start = self.pop.slot_start[slot]
        self.holder[slot] = self.last_holder[slot] = -2 - scalper.index
        self.ever_scalped[slot] = True
        self.scalper_cost(scalper, cost, "booking")
        scalper.active_this_week = True
        bisect.insort(self.inventory[scalper.index], (start, slot))
        release_at = start - self.scenario.scalpers.release_hours * 3600.0
        self.at(max(self.now, release_at), self.on_release_unsold, (slot, scalper.index))

    def on_release_unsold(self, argument: tuple[int, int]) -> None:
        slot, k = argument
        if self.holder[slot] != -2 - k:
            return
        inventory = self.inventory[k]
        del inventory[bisect.bisect_left(inventory, (self.pop.slot_start[slot], slot))]
        self.holder[slot] = -1
        self.scalpers[k].week_released += 1
        self.release(slot)
        self._schedule_bot(self.scalpers[k])

    def _sell(self, scalper: Scalper) -> None:
        sc = self.scenario.scalpers
        inventory = self.inventory[scalper.index]
        sold = False
        while inventory:
            buyer = self._top_buyer()
            if buyer is None or self.pop.wtp[buyer] < scalper.price:
                break
            start, slot = inventory.pop(0)
            self.scalper_cost(scalper, sc.cost_per_name_change_eur, "name change")
            rivals = [
                s
                for s in self.scalpers
                if s is not scalper and self._room(s) > 0 and start >= self.now + self.sell_lead
            ]
            window = len(rivals) * self.bot_rate * sc.name_change_seconds
            if rivals and self.rng.random() < 1.0 - math.exp(-window):
                scalper.book.lost_in_name_change += 1
                rival = rivals[self.rng.randrange(len(rivals))]
                self._take(rival, slot, sc.cost_per_booking_eur)
                continue
            heapq.heappop(self.buyers)
            self._stop_searching(buyer)
            self.scalper_sale(scalper, buyer)
            self.give_to_applicant(slot, buyer)
            sold = True
        if sold:
            self._schedule_bot(scalper)

    def on_week_start(self, week: int) -> None:
        for scalper in sorted(self.scalpers, key=lambda s: (s.price, s.index)):
            self._sell(scalper)
            self._schedule_bot(scalper)
