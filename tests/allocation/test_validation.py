"""Bad inputs are refused loudly rather than allocated quietly."""

from __future__ import annotations

import datetime

import pytest

from creneau.allocation import Params, Request, Slot, allocate

from .strategies import NOW, PARAMS

DAY = datetime.date(2025, 3, 10)
START = datetime.datetime(2025, 3, 10, 9, tzinfo=datetime.UTC)


def _request(public_id: str = "R-1") -> Request:
    return Request(public_id, 2, 0, "renewal", frozenset({"cergy"}))


def _slot(slot_id: str = "S-1") -> Slot:
    return Slot(slot_id, "cergy", START, DAY, frozenset({"renewal"}))


def test_duplicate_request_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate request ids"):
        allocate([_request("R-1"), _request("R-1")], [_slot()], b"seed", PARAMS)


def test_duplicate_slot_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate slot ids"):
        allocate([_request()], [_slot("S-1"), _slot("S-1")], b"seed", PARAMS)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Slot("S-1", "cergy", datetime.datetime(2025, 3, 10, 9), DAY, frozenset({"renewal"}))
    with pytest.raises(ValueError, match="timezone-aware"):
        Params(now=datetime.datetime(2025, 3, 3, 9))


@pytest.mark.parametrize(
    ("field", "value"),
    [("priority", -1), ("priority", 1.5), ("priority", True), ("batch_index", -3), ("public_id", "")],
)
def test_malformed_requests_are_refused(field: str, value: object) -> None:
    fields: dict[str, object] = {
        "public_id": "R-1",
        "priority": 2,
        "batch_index": 0,
        "procedure": "renewal",
        "sites": frozenset({"c"}),
    }
    fields[field] = value
    with pytest.raises(ValueError, match=field):
        Request(**fields)  # type: ignore[arg-type]


def test_an_empty_seed_or_an_unknown_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="seed"):
        allocate([_request()], [_slot()], b"", PARAMS)
    with pytest.raises(ValueError, match="policy"):
        allocate([_request()], [_slot()], b"seed", Params(now=NOW, policy_version="other/9"))


def test_sets_given_as_lists_are_frozen() -> None:
    r = Request("R-1", 2, 0, "renewal", ["cergy"])  # type: ignore[arg-type]
    assert r.sites == frozenset({"cergy"})
