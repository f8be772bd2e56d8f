"""Every run is reproducible from its published inputs, and tampering shows."""

from __future__ import annotations

import dataclasses
import datetime
import json

import pytest
from hypothesis import given, settings

from creneau.allocation import (
    Request,
    Slot,
    allocate,
    dump_instance,
    dump_run,
    load_instance,
    replay,
    verify_run,
)
from creneau.allocation.canonical import canonical_json, request_obj, slot_obj
from creneau.allocation.cli import main as replay_main

from .strategies import PARAMS, requests, seeds, slots


def _instance() -> tuple[list[Request], list[Slot], bytes]:
    reqs = [
        Request(
            "R-b", 2, 0, "renewal", frozenset({"cergy", "pontoise"}), frozenset({datetime.date(2025, 3, 6)})
        ),
        Request("R-a", 0, 1, "renewal", frozenset({"cergy"}), step_free=True),
        Request("R-é", 2, 0, "first_permit", frozenset({"cergy"}), interpreter="ar"),
    ]
    tz = datetime.timezone(datetime.timedelta(hours=-3))  # an overseas prefecture
    sl = [
        Slot(
            f"S{i}",
            "cergy",
            datetime.datetime(2025, 3, 6 + i, 9, tzinfo=tz),
            datetime.date(2025, 3, 6 + i),
            frozenset({"renewal", "first_permit"}),
            step_free=i == 1,
            interpreter_languages=frozenset({"ar"}),
        )
        for i in range(3)
    ]
    return reqs, sl, b"\x07" * 32


@settings(max_examples=60, deadline=None)
@given(requests(), slots(), seeds)
def test_dump_load_round_trip_is_exact(reqs: list[Request], sl: list[Slot], seed: bytes) -> None:
    data = dump_instance(reqs, sl, seed, PARAMS)
    loaded_requests, loaded_slots, loaded_seed, loaded_params = load_instance(data)
    assert sorted(loaded_requests, key=lambda r: r.public_id) == sorted(reqs, key=lambda r: r.public_id)
    assert sorted(loaded_slots, key=lambda s: s.id) == sorted(sl, key=lambda s: s.id)
    assert (loaded_seed, loaded_params) == (seed, PARAMS)
    assert dump_instance(loaded_requests, loaded_slots, loaded_seed, loaded_params) == data


@settings(max_examples=60, deadline=None)
@given(requests(), slots(), seeds)
def test_the_instance_is_plain_canonical_json_and_hashes_to_the_input_digest(
    reqs: list[Request], sl: list[Slot], seed: bytes
) -> None:
    data = dump_instance(reqs, sl, seed, PARAMS)
    obj = json.loads(data)
    assert canonical_json(obj) == data  # what any JSON library re-serialising it would produce
    assert obj["requests"] == [request_obj(r) for r in sorted(reqs, key=lambda r: r.public_id)]
    assert obj["slots"] == [slot_obj(s) for s in sorted(sl, key=lambda s: s.id)]
    import hashlib

    assert allocate(reqs, sl, seed, PARAMS).input_digest == hashlib.sha256(data).hexdigest()


def test_datetimes_are_published_in_utc_with_a_z() -> None:
    reqs, sl, seed = _instance()
    obj = json.loads(dump_instance(reqs, sl, seed, PARAMS))
    assert obj["slots"][0]["start"] == "2025-03-06T12:00:00Z"
    assert obj["params"]["now"] == "2025-03-03T08:00:00Z"
    assert obj["requests"][2]["public_id"] == "R-é"


def test_replay_reproduces_the_run_and_its_digests() -> None:
    reqs, sl, seed = _instance()
    result = allocate(reqs, sl, seed, PARAMS)
    outcome = replay(dump_instance(reqs, sl, seed, PARAMS), result.input_digest, result.output_digest)
    assert outcome.matches
    assert outcome.result == result
    again, matches = replay(dump_instance(reqs, sl, seed, PARAMS), expected_output_digest="0" * 64)
    assert not matches
    assert again == result


def test_a_published_run_verifies() -> None:
    reqs, sl, seed = _instance()
    result = allocate(reqs, sl, seed, PARAMS)
    report = verify_run(dump_run(reqs, sl, seed, PARAMS, result))
    assert report.ok, report.problems
    assert report.recomputed_input_digest == result.input_digest
    assert replay(dump_run(reqs, sl, seed, PARAMS, result)).matches


def _tampered(data: bytes, edit: object) -> bytes:
    obj = json.loads(data)
    edit(obj)  # type: ignore[operator]
    return canonical_json(obj)


def _rehash_output(obj: dict) -> None:  # type: ignore[type-arg]
    """What a careful forger does: fix up the output digest after editing the result."""
    import hashlib

    body = {k: v for k, v in obj["result"].items() if k != "output_digest"}
    obj["result"]["output_digest"] = hashlib.sha256(canonical_json(body)).hexdigest()


def test_altering_one_assignment_is_detected_even_with_the_digest_fixed_up() -> None:
    reqs, sl, seed = _instance()
    run = dump_run(reqs, sl, seed, PARAMS, allocate(reqs, sl, seed, PARAMS))

    def swap_slot(obj: dict) -> None:  # type: ignore[type-arg]
        obj["result"]["assignments"][0]["slot_id"] = "S2"

    report = verify_run(_tampered(run, swap_slot))
    assert not report.ok
    assert not report.output_digest_ok
    assert not report.assignments_ok
    assert report.input_digest_ok

    def swap_and_rehash(obj: dict) -> None:  # type: ignore[type-arg]
        swap_slot(obj)
        _rehash_output(obj)

    report = verify_run(_tampered(run, swap_and_rehash))
    assert not report.ok
    assert not report.output_digest_ok
    assert not report.assignments_ok


def test_altering_one_input_is_detected() -> None:
    reqs, sl, seed = _instance()
    run = dump_run(reqs, sl, seed, PARAMS, allocate(reqs, sl, seed, PARAMS))

    def drop_an_unavailable_date(obj: dict) -> None:  # type: ignore[type-arg]
        obj["instance"]["requests"][1]["unavailable_dates"] = []

    report = verify_run(_tampered(run, drop_an_unavailable_date))
    assert not report.ok
    assert not report.input_digest_ok

    def change_the_seed(obj: dict) -> None:  # type: ignore[type-arg]
        obj["instance"]["seed"] = "00" * 32

    assert not verify_run(_tampered(run, change_the_seed)).input_digest_ok


def test_the_cli_replays_a_published_run(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    import pathlib

    reqs, sl, seed = _instance()
    result = allocate(reqs, sl, seed, PARAMS)
    good = pathlib.Path(str(tmp_path)) / "run.json"
    good.write_bytes(dump_run(reqs, sl, seed, PARAMS, result))
    assert replay_main(["replay", str(good)]) == 0
    out = capsys.readouterr().out
    assert result.input_digest in out
    assert result.output_digest in out
    assert out.strip().endswith("OK")

    bad = pathlib.Path(str(tmp_path)) / "bad.json"
    bad.write_bytes(
        dump_run(reqs, sl, seed, dataclasses.replace(PARAMS, now=PARAMS.now), result).replace(
            b'"batch_index":1', b'"batch_index":0'
        )
    )
    assert replay_main(["replay", str(bad)]) == 1
    assert "MISMATCH" in capsys.readouterr().out
