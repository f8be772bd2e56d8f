"""A synthetic national instance: a whole country's pending requests against 8 weeks of slots.

Shape (at scale 1): 1,000,000 pending requests, 250,000 slots, 100 sites in 40 prefectures
grouped in 10 regions (4 overseas sites in their own time zones), 5 procedures.

* Slots: 40 working days from the Monday after "now"; each site has desks of three kinds
  (first permit / renewal / change of status; naturalisation; renewal / duplicates), every
  20 minutes from 9:00; 80 % of sites are step-free; 5 % of slots come with an interpreter.
  Site sizes are uneven (a few big prefecture seats, many small sub-prefectures).
* Requests: prefecture drawn with demand that is 2 to 8 times its supply; 60 % accept one
  site, 30 % two, 10 % three, all in the same prefecture or, failing that, the same region,
  and handling the procedure; 10 % give 1 to 8 unavailable dates, 2 % need step-free access,
  3 % an interpreter; 1 % court orders, 3 % expiring permits; 20 batches, newer ones larger.

Deterministic for a given (scale, seed).
"""

from __future__ import annotations

import datetime
import random
import string
from zoneinfo import ZoneInfo

from creneau.allocation import (
    PRIORITY_COURT_ORDER,
    PRIORITY_EXPIRING,
    PRIORITY_ORDINARY,
    Params,
    Request,
    Slot,
)

PROCEDURES = ["first_permit", "renewal", "change_of_status", "naturalisation", "duplicate"]
PROCEDURE_WEIGHTS = [25, 45, 10, 15, 5]
DESK_KINDS = [
    frozenset({"first_permit", "renewal", "change_of_status"}),
    frozenset({"naturalisation"}),
    frozenset({"renewal", "duplicate"}),
]
LANGUAGES = ["ar", "en", "es", "ru", "zh", "tr", "ps", "ta"]
PARIS = ZoneInfo("Europe/Paris")
OVERSEAS = [
    ZoneInfo("America/Cayenne"),
    ZoneInfo("Indian/Reunion"),
    ZoneInfo("America/Martinique"),
    ZoneInfo("Indian/Mayotte"),
]
NOW = datetime.datetime(2025, 3, 5, 18, 0, tzinfo=PARIS)


def _id(rng: random.Random, prefix: str) -> str:
    return prefix + "".join(rng.choices(string.ascii_uppercase + string.digits, k=10))


def generate(scale: float = 1.0, seed: int = 2025) -> tuple[list[Request], list[Slot], Params]:
    rng = random.Random(seed)
    n_requests = round(1_000_000 * scale)
    n_slots = round(250_000 * scale)
    n_sites, n_prefectures, n_regions = 100, 40, 10

    # Geography: each prefecture has a seat; the other 60 sites are spread unevenly.
    site_prefecture = list(range(n_prefectures)) + [rng.randrange(n_prefectures) for _ in range(n_sites - 40)]
    prefecture_region = [p % n_regions for p in range(n_prefectures)]
    site_tz = [PARIS] * n_sites
    for i, tz in enumerate(OVERSEAS):  # the last four prefectures are overseas, one site each
        p = n_prefectures - 1 - i
        site_prefecture = [q if q != p or s == p else 0 for s, q in enumerate(site_prefecture)]
        site_tz[p] = tz
    site_names = [f"site-{s:03d}" for s in range(n_sites)]
    site_weight = [rng.paretovariate(1.5) * (3 if s < n_prefectures else 1) for s in range(n_sites)]
    site_step_free = [rng.random() < 0.8 for _ in range(n_sites)]
    site_desks = [
        list(range(3)) if s < n_prefectures else rng.sample(range(3), rng.choice([1, 2]))
        for s in range(n_sites)
    ]
    sites_of_prefecture: list[list[int]] = [[] for _ in range(n_prefectures)]
    for s, p in enumerate(site_prefecture):
        sites_of_prefecture[p].append(s)

    # Slots.
    first_day = (NOW + datetime.timedelta(days=7 - NOW.weekday())).date()
    days = [
        first_day + datetime.timedelta(days=d)
        for d in range(56)
        if (first_day + datetime.timedelta(d)).weekday() < 5
    ]
    slot_site = rng.choices(range(n_sites), weights=site_weight, k=n_slots)
    slots = []
    for i, s in enumerate(slot_site):
        day = rng.choice(days)
        desk = rng.choice(site_desks[s])
        minute = 9 * 60 + 20 * rng.randrange(22)
        start = datetime.datetime.combine(day, datetime.time(minute // 60, minute % 60), tzinfo=site_tz[s])
        languages = frozenset({rng.choice(LANGUAGES)}) if rng.random() < 0.05 else frozenset()
        slots.append(
            Slot(
                id=f"S{i:07d}",
                site=site_names[s],
                start=start,
                local_date=day,
                procedures=DESK_KINDS[desk],
                step_free=site_step_free[s],
                interpreter_languages=languages,
            )
        )

    # Requests: demand per prefecture is 2-8 times its supply.
    supply = [0.0] * n_prefectures
    for s in slot_site:
        supply[site_prefecture[s]] += 1
    demand_weight = [supply[p] * rng.uniform(2, 8) for p in range(n_prefectures)]
    procedures_at = [set().union(*(DESK_KINDS[d] for d in site_desks[s])) for s in range(n_sites)]
    site_sets: dict[frozenset[str], frozenset[str]] = {}
    date_pool = [*days, *(first_day - datetime.timedelta(days=d) for d in (1, 2))]
    requests = []
    prefectures = rng.choices(range(n_prefectures), weights=demand_weight, k=n_requests)
    for p in prefectures:
        procedure = rng.choices(PROCEDURES, weights=PROCEDURE_WEIGHTS)[0]
        local = [s for s in sites_of_prefecture[p] if procedure in procedures_at[s]]
        if not local:
            local = [
                s
                for s in range(n_sites)
                if prefecture_region[site_prefecture[s]] == prefecture_region[p]
                and procedure in procedures_at[s]
                and site_tz[s] is site_tz[p]
            ]
        wanted = rng.choices([1, 2, 3], weights=[60, 30, 10])[0]
        chosen = frozenset(site_names[s] for s in rng.sample(local, min(wanted, len(local))))
        chosen = site_sets.setdefault(chosen, chosen)
        roll = rng.random()
        priority = (
            PRIORITY_COURT_ORDER if roll < 0.01 else PRIORITY_EXPIRING if roll < 0.04 else PRIORITY_ORDINARY
        )
        unavailable = (
            frozenset(rng.sample(date_pool, rng.randint(1, 8))) if rng.random() < 0.10 else frozenset()
        )
        requests.append(
            Request(
                public_id=_id(rng, "R"),
                priority=priority,
                batch_index=min(19, int(20 * rng.random() ** 0.7)),
                procedure=procedure,
                sites=chosen,
                unavailable_dates=unavailable,
                step_free=rng.random() < 0.02,
                interpreter=rng.choice(LANGUAGES) if rng.random() < 0.03 else None,
            )
        )
    return requests, slots, Params(now=NOW)
