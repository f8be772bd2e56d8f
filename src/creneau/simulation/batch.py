"""Créneau's batch allocation, driven by the real engine (``creneau.allocation.allocate``).

Every applicant files one nominative request on arrival; it joins the open batch. Once a day at
``batch.run_time`` the batch closes and the engine allocates the slots in the pool (published,
free, at least ``min_notice_hours`` ahead) to pending requests, older batches first, lottery
within a batch. An offer not confirmed within ``offer_deadline_hours`` lapses: the slot returns
to the pool for the next run, the request keeps its seniority once, then is suspended. A
cancelled slot also returns to the pool, never online.

Scalpers can only file requests under invented names. The appointment is nominative and the
identity cannot change, so an offer to an invented name cannot be sold: nobody confirms it, it
lapses and the slot goes back to the next batch (wasted if too close by then).

For speed, each run hands the engine the oldest whole batches holding at least twice as many
requests as there are slots for their procedure: later batches could not be reached anyway,
since every request fits every slot of its procedure here.
"""

from __future__ import annotations

from datetime import timedelta

from creneau.allocation import PRIORITY_ORDINARY, Params, Request, Slot, allocate
from creneau.simulation.market import Market
from creneau.simulation.population import DAY, WEEK, Population, seconds_of_day


class BatchMarket(Market):
    policy = "batch"

    def __init__(self, population: Population) -> None:
        super().__init__(population)
        batch = self.scenario.batch
        self.min_notice = timedelta(hours=batch.min_notice_hours)
        self.deadline = batch.offer_deadline_hours * 3600.0
        self.open_batch = 0
        self.pool: set[int] = set()
        n_procedures = len(self.scenario.procedures)
        # Pending requests per procedure: batch index -> request keys (insertion-ordered).
        self.pending: list[dict[int, dict[int, None]]] = [{} for _ in range(n_procedures)]
        self.request_batch: dict[int, int] = {}
        self.request_procedure: dict[int, int] = {}
        self.lapsed: set[int] = set()
        # Fake requests are numbered after the applicants; fake_owner[j] is for key n + j.
        self.first_fake = len(population.arrival)
        self.fake_owner: list[int] = []
        self._requests: dict[int, Request] = {}
        self._slots: dict[int, Slot] = {}
        self._fake_weights = [p.slots_per_week for p in self.scenario.procedures]

    def helper_fee(self) -> float:
        return self.scenario.batch.helper_fee_eur

    def start(self) -> None:
        run_at = seconds_of_day(self.scenario.batch.run_time)
        for day in range(self.scenario.weeks * 7):
            self.at(day * DAY + run_at, self.on_run, day)
        self.on_week_start(0)

    # -- requests -----------------------------------------------------------------------------

    def _file(self, key: int, procedure: int, batch_index: int) -> None:
        self.request_batch[key] = batch_index
        self.request_procedure[key] = procedure
        self.pending[procedure].setdefault(batch_index, {})[key] = None

    def on_arrival(self, applicant: int) -> None:
        self._file(applicant, self.pop.procedure[applicant], self.open_batch)

    def on_week_start(self, week: int) -> None:
        for scalper in self.scalpers:
            for _ in range(scalper.level):
                self.at(self.now + self.rng.random() * WEEK, self.on_fake_request, scalper.index)

    def on_fake_request(self, k: int) -> None:
        scalper = self.scalpers[k]
        self.scalper_cost(scalper, self.scenario.scalpers.cost_per_booking_eur, "booking")
        scalper.active_this_week = True
        key = self.first_fake + len(self.fake_owner)
        self.fake_owner.append(k)
        procedure = self.rng.choices(range(len(self._fake_weights)), self._fake_weights)[0]
        self._file(key, procedure, self.open_batch)

    # -- slots --------------------------------------------------------------------------------

    def on_publish(self, slot: int) -> None:
        self.pool.add(slot)

    def release(self, slot: int) -> None:
        self.pool.add(slot)

    def withdraw(self, slot: int) -> None:
        self.pool.discard(slot)

    # -- allocation runs ----------------------------------------------------------------------

    def on_run(self, day: int) -> None:
        pop = self.pop
        earliest = self.now + self.min_notice.total_seconds() + 3600.0  # an hour's margin for DST
        eligible: list[list[int]] = [[] for _ in self.scenario.procedures]
        for slot in sorted(self.pool):
            if pop.slot_start[slot] >= earliest:
                eligible[pop.slot_procedure[slot]].append(slot)
            else:
                self.pool.discard(slot)  # too late to offer: it will go unused
        requests: list[Request] = []
        slots: list[Slot] = []
        for procedure, its_slots in enumerate(eligible):
            if not its_slots:
                continue
            slots.extend(self._slot(slot) for slot in its_slots)
            wanted = len(requests) + 2 * len(its_slots)
            pending = self.pending[procedure]
            for batch_index in sorted(pending):
                requests.extend(self._request(key) for key in pending[batch_index])
                if len(requests) >= wanted:
                    break
        self.open_batch += 1
        if not requests or not slots:
            return
        seed = self.rng.getrandbits(256).to_bytes(32, "big")
        params = Params(now=pop.local_datetime(self.now), min_notice=self.min_notice)
        result = allocate(requests, slots, seed, params)
        for assignment in result.assignments:
            self._offer(int(assignment.request_id), int(assignment.slot_id))

    def _request(self, key: int) -> Request:
        request = self._requests.get(key)
        if request is None:
            procedure = self.scenario.procedures[self.request_procedure[key]]
            request = Request(
                public_id=str(key),
                priority=PRIORITY_ORDINARY,
                batch_index=self.request_batch[key],
                procedure=procedure.name,
                sites=frozenset({procedure.site}),
            )
            self._requests[key] = request
        return request

    def _slot(self, slot: int) -> Slot:
        value = self._slots.get(slot)
        if value is None:
            procedure = self.scenario.procedures[self.pop.slot_procedure[slot]]
            value = Slot(
                id=str(slot),
                site=procedure.site,
                start=self.pop.local_datetime(self.pop.slot_start[slot]),
                local_date=self.pop.slot_date(slot),
                procedures=frozenset({procedure.name}),
            )
            self._slots[slot] = value
        return value

    def _offer(self, key: int, slot: int) -> None:
        procedure = self.request_procedure[key]
        bucket = self.pending[procedure][self.request_batch[key]]
        del bucket[key]
        if not bucket:
            del self.pending[procedure][self.request_batch[key]]
        self.pool.discard(slot)
        if key >= self.first_fake:
            owner = self.fake_owner[key - self.first_fake]
            self.last_holder[slot] = -2 - owner
            self.ever_scalped[slot] = True
            self.at(self.now + self.deadline, self.on_lapse, (key, slot))
        elif self.rng.random() < self.scenario.batch.lapse_rate:
            self.at(self.now + self.deadline, self.on_lapse, (key, slot))
        else:
            self.give_to_applicant(slot, key)

    def on_lapse(self, argument: tuple[int, int]) -> None:
        key, slot = argument
        if self.pop.slot_start[slot] > self.now:
            self.pool.add(slot)
        if key in self.lapsed:
            return  # second lapse: the request is suspended
        self.lapsed.add(key)
        self._file(key, self.request_procedure[key], self.request_batch[key])
