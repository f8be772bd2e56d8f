"""The engine implements DESIGN.md §4, checked against an independent solver (oracle.py)."""

from __future__ import annotations

import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creneau.allocation import PRIORITY_COURT_ORDER, PRIORITY_ORDINARY, Params, Request, Slot, allocate

from . import oracle
from .strategies import DAYS, NOW, PARAMS, PARIS, clustered_instance, requests, seeds, slots

ORACLE = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@ORACLE
@given(requests(), slots(), seeds)
def test_served_requests_are_the_greedy_matroid_basis(
    reqs: list[Request], sl: list[Slot], seed: bytes
) -> None:
    """Each request, in rank order, is served iff it can be seated with everyone served before it."""
    result = allocate(reqs, sl, seed, PARAMS)
    expected = oracle.greedy_basis(reqs, sl, seed, PARAMS)
    assert [a.request_id for a in result.assignments] == [r.public_id for r in expected]


@ORACLE
@given(requests(), slots(), seeds)
def test_each_served_request_gets_the_earliest_slot_that_leaves_the_rest_seatable(
    reqs: list[Request], sl: list[Slot], seed: bytes
) -> None:
    result = allocate(reqs, sl, seed, PARAMS)
    served = oracle.greedy_basis(reqs, sl, seed, PARAMS)
    assert result.slot_of() == oracle.slots_by_definition(served, sl, PARAMS)


@settings(max_examples=40, deadline=None)
@given(requests(max_size=30), slots(max_size=22), seeds)
def test_agrees_with_the_oracle_on_larger_crowded_instances(
    reqs: list[Request], sl: list[Slot], seed: bytes
) -> None:
    result = allocate(reqs, sl, seed, PARAMS)
    served = oracle.greedy_basis(reqs, sl, seed, PARAMS)
    assert result.slot_of() == oracle.slots_by_definition(served, sl, PARAMS)
    assert [a.request_id for a in result.assignments] == [r.public_id for r in served]


@settings(max_examples=60, deadline=None)
@given(requests(max_size=25), slots(max_size=20), seeds)
def test_serves_as_many_requests_as_a_maximum_matching(
    reqs: list[Request], sl: list[Slot], seed: bytes
) -> None:
    result = allocate(reqs, sl, seed, PARAMS)
    assert result.counts["served"] == oracle.maximum_matching_size(reqs, sl, PARAMS)


@settings(max_examples=80, deadline=None)
@given(requests(max_size=25), slots(max_size=20), seeds)
def test_no_slot_is_given_twice_and_every_assignment_respects_every_constraint(
    reqs: list[Request], sl: list[Slot], seed: bytes
) -> None:
    result = allocate(reqs, sl, seed, PARAMS)
    by_request = {r.public_id: r for r in reqs}
    by_slot = {s.id: s for s in sl}
    slot_ids = [a.slot_id for a in result.assignments]
    assert len(slot_ids) == len(set(slot_ids))
    for a in result.assignments:
        assert oracle.compatible(by_request[a.request_id], by_slot[a.slot_id], PARAMS)
        assert result.order[a.position] == a.request_id
    assert sorted(result.order) == sorted(by_request)
    assert set(result.unserved) == set(by_request) - {a.request_id for a in result.assignments}
    assert result.counts == {
        "requests": len(reqs),
        "slots": len(sl),
        "eligible_slots": sum(s.start >= NOW + PARAMS.min_notice for s in sl),
        "served": len(result.assignments),
        "unserved": len(result.unserved),
    }


def _slot(slot_id: str, day: datetime.date, hour: int, **kw: object) -> Slot:
    return Slot(
        id=slot_id,
        site=str(kw.pop("site", "cergy")),
        start=datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS),
        local_date=day,
        procedures=frozenset({"renewal"}),
        **kw,  # type: ignore[arg-type]
    )


def _request(public_id: str, **kw: object) -> Request:
    fields: dict[str, object] = {"priority": PRIORITY_ORDINARY, "batch_index": 0, "procedure": "renewal"}
    fields.update(kw)
    fields.setdefault("sites", frozenset({"cergy"}))
    return Request(public_id=public_id, **fields)  # type: ignore[arg-type]


def test_a_naive_earliest_slot_greedy_strands_a_constrained_request_the_engine_does_not() -> None:
    """A step-free request ranked second must not lose the only step-free slot to the first."""
    day1, day2 = DAYS[1], DAYS[2]
    step_free_slot = _slot("early-step-free", day1, 9, step_free=True)
    plain_slot = _slot("later-plain", day2, 9)
    first = _request("A-first", priority=PRIORITY_COURT_ORDER)  # ranked first by priority
    wheelchair = _request("B-wheelchair", step_free=True)

    naive: dict[str, str] = {}
    free = [step_free_slot, plain_slot]
    for r in (first, wheelchair):
        fitting = [s for s in free if oracle.compatible(r, s, PARAMS)]
        if fitting:
            naive[r.public_id] = fitting[0].id
            free.remove(fitting[0])
    assert naive == {"A-first": "early-step-free"}  # the wheelchair user is stranded

    result = allocate([first, wheelchair], [step_free_slot, plain_slot], b"seed", PARAMS)
    assert result.slot_of() == {"A-first": "later-plain", "B-wheelchair": "early-step-free"}
    assert result.unserved == ()


def test_priority_classes_then_batches_go_first() -> None:
    day = DAYS[2]
    court = _request("Z-court", priority=PRIORITY_COURT_ORDER, batch_index=5)
    old = _request("Y-old", batch_index=0)
    new = _request("X-new", batch_index=1)
    result = allocate([new, old, court], [_slot("only", day, 9)], b"seed", PARAMS)
    assert result.order == ("Z-court", "Y-old", "X-new")
    assert result.slot_of() == {"Z-court": "only"}
    assert result.unserved == ("Y-old", "X-new")


def test_slots_inside_the_minimum_notice_are_not_offered() -> None:
    too_soon = Slot(
        id="tomorrow",
        site="cergy",
        start=NOW + datetime.timedelta(hours=47),
        local_date=(NOW + datetime.timedelta(hours=47)).date(),
        procedures=frozenset({"renewal"}),
    )
    just_in_time = Slot(
        id="in-48h",
        site="cergy",
        start=NOW + datetime.timedelta(hours=48),
        local_date=(NOW + datetime.timedelta(hours=48)).date(),
        procedures=frozenset({"renewal"}),
    )
    result = allocate([_request("A"), _request("B")], [too_soon, just_in_time], b"seed", PARAMS)
    assert [a.slot_id for a in result.assignments] == ["in-48h"]
    assert result.counts["eligible_slots"] == 1
    shorter = allocate(
        [_request("A"), _request("B")],
        [too_soon, just_in_time],
        b"seed",
        Params(now=NOW, min_notice=datetime.timedelta(hours=24)),
    )
    assert shorter.counts["served"] == 2


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(DAYS[1:]), min_size=1, max_size=6))
def test_slots_are_handed_out_earliest_first_when_nothing_competes(days: list[datetime.date]) -> None:
    sl = [_slot(f"s{i}", d, 9 + i) for i, d in enumerate(days)]
    reqs = [_request(f"R{i}") for i in range(len(days))]
    result = allocate(reqs, sl, b"seed", PARAMS)
    by_id = {s.id: s for s in sl}
    starts = [by_id[a.slot_id].start for a in result.assignments]
    assert starts == sorted(starts)


@settings(max_examples=80, deadline=None)
@given(clustered_instance(), seeds)
def test_agrees_with_the_oracle_when_slots_and_requests_come_in_large_identical_groups(
    instance: tuple[list[Request], list[Slot]], seed: bytes
) -> None:
    reqs, sl = instance
    result = allocate(reqs, sl, seed, PARAMS)
    served = oracle.greedy_basis(reqs, sl, seed, PARAMS)
    assert [a.request_id for a in result.assignments] == [r.public_id for r in served]
    assert result.slot_of() == oracle.slots_by_definition(served, sl, PARAMS)
