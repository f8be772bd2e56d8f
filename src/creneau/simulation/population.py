"""The world both policies face: applicants and slots, drawn once per seed.

Both policies are run against the very same applicants (arrival times, access, willingness to
pay, patience) and the very same slot schedule, so that differences in outcomes come from the
policy and not from luck ("common random numbers").
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from creneau.simulation.scenario import Scenario

DAY = 86400.0
WEEK = 7 * DAY
HELPER_GROUP = "paid helper"


@dataclass(frozen=True)
class Population:
    """Applicants (struct of arrays, index = applicant number) and slots (index = slot number).

    Times are seconds since the Monday 00:00 (local time) that starts the scenario.
    """

    scenario: Scenario
    # Applicants, in order of arrival.
    arrival: tuple[float, ...]
    procedure: tuple[int, ...]
    access: tuple[int, ...]
    """Index into ``group_names``: the scenario's groups, then the paid-helper group."""
    wtp: tuple[float, ...]
    patience: tuple[float, ...]
    no_show: tuple[bool, ...]
    cancels_at: tuple[float, ...]
    """Fraction of the time between booking and appointment after which the applicant cancels
    (a value >= 1 means never)."""
    # Slots, in order of start.
    slot_start: tuple[float, ...]
    slot_publish: tuple[float, ...]
    slot_procedure: tuple[int, ...]
    slot_day: tuple[int, ...]
    group_names: tuple[str, ...]
    check_rate: tuple[float, ...]
    """Checks per second for each access group."""
    end: float
    measure_until: float
    """Only applicants arriving before this time are measured (later ones cannot be served
    before the end by construction)."""

    def local_datetime(self, seconds: float) -> datetime:
        start = datetime.combine(self.scenario.start, time(0), tzinfo=self.scenario.zone)
        return start + timedelta(seconds=seconds)

    def slot_date(self, slot: int) -> date:
        return self.scenario.start + timedelta(days=self.slot_day[slot])

    def measured(self, applicant: int) -> bool:
        return self.arrival[applicant] < self.measure_until


def draw_population(scenario: Scenario) -> Population:
    rng = random.Random(f"creneau-simulation:population:{scenario.seed}")
    end = scenario.weeks * WEEK
    pub = scenario.publication
    app = scenario.applicants

    arrivals: list[tuple[float, int]] = []
    for index, proc in enumerate(scenario.procedures):
        rate = proc.arrivals_per_week / WEEK
        if rate <= 0:
            continue
        t = rng.expovariate(rate)
        while t < end:
            arrivals.append((t, index))
            t += rng.expovariate(rate)
    arrivals.sort()

    group_names = (*(g.name for g in scenario.groups), HELPER_GROUP)
    intervals = [g.check_interval_minutes for g in scenario.groups] + [app.helper_check_interval_minutes]
    check_rate = tuple(1.0 / (minutes * 60.0) for minutes in intervals)
    weights = [g.share for g in scenario.groups]
    helper_index = len(scenario.groups)
    access, wtp, patience, no_show, cancels_at = [], [], [], [], []
    mu = math.log(app.wtp_median_eur)
    for _, proc_index in arrivals:
        proc = scenario.procedures[proc_index]
        group = rng.choices(range(len(weights)), weights)[0]
        access.append(helper_index if rng.random() < app.helper_share else group)
        wtp.append(rng.lognormvariate(mu, app.wtp_sigma))
        mean_patience = app.patience_days_mean * DAY
        patience.append(rng.expovariate(1.0 / mean_patience) if mean_patience else 0.0)
        no_show.append(rng.random() < proc.no_show_rate)
        cancels_at.append(rng.random() if rng.random() < proc.cancel_rate else 2.0)

    slots: list[tuple[float, float, int, int]] = []
    span = seconds_of_day(pub.last_appointment) - seconds_of_day(pub.first_appointment)
    for day in range(pub.lead_days, scenario.weeks * 7):
        weekday = day % 7
        if weekday not in pub.open_weekdays:
            continue
        rank = sorted(pub.open_weekdays).index(weekday)
        publish_day = (day - pub.lead_days) * DAY
        for index, proc in enumerate(scenario.procedures):
            per_day, extra = divmod(proc.slots_per_week, len(pub.open_weekdays))
            count = per_day + (1 if rank < extra else 0)
            for k in range(count):
                offset = span * k / count if count > 1 else 0.0
                start = day * DAY + seconds_of_day(pub.first_appointment) + offset
                if pub.mode == "daily":
                    publish = publish_day + seconds_of_day(pub.publish_time)
                else:
                    publish = publish_day + rng.random() * DAY
                slots.append((start, publish, index, day))
    slots.sort()

    tail = (pub.lead_days + 7) * DAY
    measure_until = end - tail if end - tail > end / 2 else end / 2
    return Population(
        scenario=scenario,
        arrival=tuple(t for t, _ in arrivals),
        procedure=tuple(p for _, p in arrivals),
        access=tuple(access),
        wtp=tuple(wtp),
        patience=tuple(patience),
        no_show=tuple(no_show),
        cancels_at=tuple(cancels_at),
        slot_start=tuple(s[0] for s in slots),
        slot_publish=tuple(s[1] for s in slots),
        slot_procedure=tuple(s[2] for s in slots),
        slot_day=tuple(s[3] for s in slots),
        group_names=group_names,
        check_rate=check_rate,
        end=end,
        measure_until=measure_until,
    )


def seconds_of_day(moment: time) -> float:
    return moment.hour * 3600.0 + moment.minute * 60.0 + moment.second
