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
