"""Hypothesis strategies: small, crowded instances where constraints really bite."""

from __future__ import annotations

import datetime

from hypothesis import strategies as st

from creneau.allocation import Params, Request, Slot

PARIS = datetime.timezone(datetime.timedelta(hours=1))
NOW = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=PARIS)  # a Monday morning
PARAMS = Params(now=NOW)
SITES = ["cergy", "pontoise", "argenteuil"]
PROCEDURES = ["first_permit", "renewal"]
LANGUAGES = ["ar", "en"]
# Day 1 is inside the 48-hour notice: slots on it are never eligible.
DAYS = [NOW.date() + datetime.timedelta(days=d) for d in (1, 2, 3, 4)]


@st.composite
def slots(draw: st.DrawFn, max_size: int = 9) -> list[Slot]:
    n = draw(st.integers(0, max_size))
    out = []
    for i in range(n):
        day = draw(st.sampled_from(DAYS))
        hour = draw(st.sampled_from([9, 10, 14]))  # few hours: equal starts happen, ids break ties
        out.append(
            Slot(
                id=f"s{i:02d}",
                site=draw(st.sampled_from(SITES)),
                start=datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS),
                local_date=day,
                procedures=frozenset(draw(st.sets(st.sampled_from(PROCEDURES), min_size=1))),
                step_free=draw(st.booleans()),
                interpreter_languages=frozenset(draw(st.sets(st.sampled_from(LANGUAGES), max_size=1))),
            )
        )
    return out


@st.composite
def requests(draw: st.DrawFn, max_size: int = 11) -> list[Request]:
    n = draw(st.integers(0, max_size))
    out = []
    for i in range(n):
        out.append(
            Request(
                public_id=f"R-{i:03d}",
                priority=draw(st.sampled_from([0, 1, 2, 2, 2])),
                batch_index=draw(st.integers(0, 2)),
                procedure=draw(st.sampled_from(PROCEDURES)),
                sites=frozenset(draw(st.sets(st.sampled_from(SITES), min_size=1))),
                unavailable_dates=frozenset(draw(st.sets(st.sampled_from(DAYS), max_size=2))),
                step_free=draw(st.booleans()) and draw(st.booleans()),
                interpreter=draw(st.one_of(st.none(), st.none(), st.sampled_from(LANGUAGES))),
            )
        )
    return out


seeds = st.binary(min_size=1, max_size=32)


@st.composite
def clustered_instance(draw: st.DrawFn) -> tuple[list[Request], list[Slot]]:
    """Many requests of few shapes against many slots of few classes: the compressed case.

    Requests share (procedure, sites, needs) and slots share (site, date, procedures,
    features), so classes have several slots and types several requests, as nationally.
    """
    slot_shapes = draw(slots(max_size=4))
    request_shapes = draw(requests(max_size=4))
    out_slots = []
    for i in range(draw(st.integers(0, 14))):
        if not slot_shapes:
            break
        proto = draw(st.sampled_from(slot_shapes))
        hour = draw(st.sampled_from([8, 9, 10, 11, 15]))
        start = proto.start.replace(hour=hour)
        out_slots.append(
            Slot(
                f"c{i:02d}",
                proto.site,
                start,
                proto.local_date,
                proto.procedures,
                proto.step_free,
                proto.interpreter_languages,
            )
        )
    out_requests = []
    for i in range(draw(st.integers(0, 16))):
        if not request_shapes:
            break
        proto = draw(st.sampled_from(request_shapes))
        out_requests.append(
            Request(
                f"K-{i:03d}",
                draw(st.sampled_from([1, 2])),
                draw(st.integers(0, 1)),
                proto.procedure,
                proto.sites,
                proto.unavailable_dates,
                proto.step_free,
                proto.interpreter,
            )
        )
    return out_requests, out_slots
