"""Speed buys nothing: arrival order is not an input; the seed alone draws the lottery."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from creneau.allocation import Request, Slot, allocate

from .strategies import PARAMS, requests, seeds, slots


@settings(max_examples=100, deadline=None)
@given(requests(max_size=20), slots(max_size=15), seeds, st.randoms(use_true_random=False))
def test_permuting_the_arrival_order_of_requests_and_slots_changes_nothing(
    reqs: list[Request], sl: list[Slot], seed: bytes, rnd: object
) -> None:
    first = allocate(reqs, sl, seed, PARAMS)
    shuffled_requests, shuffled_slots = list(reqs), list(sl)
    rnd.shuffle(shuffled_requests)  # type: ignore[attr-defined]
    rnd.shuffle(shuffled_slots)  # type: ignore[attr-defined]
    second = allocate(shuffled_requests, shuffled_slots, seed, PARAMS)
    assert second == first  # assignments, order, digests, counts: everything


@settings(max_examples=50, deadline=None)
@given(requests(max_size=15), slots(max_size=10), seeds)
def test_same_inputs_give_the_same_digests(reqs: list[Request], sl: list[Slot], seed: bytes) -> None:
    a = allocate(reqs, sl, seed, PARAMS)
    b = allocate(tuple(reqs), iter(sl), seed, PARAMS)
    assert (a.input_digest, a.output_digest) == (b.input_digest, b.output_digest)
    assert len(a.input_digest) == len(a.output_digest) == 64


def test_a_different_seed_draws_a_different_order() -> None:
    reqs = [
        Request(
            public_id=f"R-{i:03d}", priority=2, batch_index=0, procedure="renewal", sites=frozenset({"x"})
        )
        for i in range(30)
    ]
    one = allocate(reqs, [], b"seed one", PARAMS)
    two = allocate(reqs, [], b"seed two", PARAMS)
    assert one.order != two.order
    assert sorted(one.order) == sorted(two.order)
    assert one.input_digest != two.input_digest  # the seed is an input
    assert one.output_digest != two.output_digest


def test_the_digest_pins_the_input() -> None:
    reqs = [Request(public_id="R-1", priority=2, batch_index=0, procedure="renewal", sites=frozenset({"x"}))]
    base = allocate(reqs, [], b"seed", PARAMS)
    moved = allocate([Request("R-1", 2, 1, "renewal", frozenset({"x"}))], [], b"seed", PARAMS)
    assert base.order == moved.order
    assert base.input_digest != moved.input_digest
