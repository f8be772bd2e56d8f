"""Canonical JSON for allocation runs: the bytes that are hashed and published.

Canonical means: UTF-8, keys sorted, no whitespace (`json.dumps(obj, sort_keys=True,
separators=(",", ":"), ensure_ascii=False)`), requests sorted by public id, slots by id,
sets as sorted lists, dates as ISO `YYYY-MM-DD`, datetimes in UTC as ISO with a `Z`.
Anyone can therefore re-derive the digests with any JSON library.

The request list of a national run has a million entries, so requests are written by a
template that produces exactly what `json.dumps` would (a test holds it to that).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Sequence
from itertools import islice
from operator import attrgetter
from typing import Any

from .model import Params, Request, Result, Slot

INSTANCE_FORMAT = "creneau-allocation-instance/1"
RUN_FORMAT = "creneau-allocation-run/1"

_encode_str = json.encoder.encode_basestring  # what json.dumps uses with ensure_ascii=False


def needs_escape(text: str) -> bool:
    """Whether JSON (with ensure_ascii=False) would escape any character of `text`."""
    return json.encoder.ESCAPE.search(text) is not None


def _str_list(values: Sequence[str]) -> str:
    """`_dump(list(values))` for a list of strings, joined in one go when nothing needs escaping."""
    if not values:
        return "[]"
    if needs_escape(",".join(values)):
        return "[" + ",".join(map(_encode_str, values)) + "]"
    return '["' + '","'.join(values) + '"]'


def canonical_json(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def utc_iso(value: datetime.datetime) -> str:
    utc = value.astimezone(datetime.UTC).replace(tzinfo=None)
    return utc.isoformat() + "Z"


def parse_utc(text: str) -> datetime.datetime:
    if not text.endswith("Z"):
        raise ValueError(f"expected a UTC datetime ending in Z, got {text!r}")
    return datetime.datetime.fromisoformat(text[:-1]).replace(tzinfo=datetime.UTC)


def request_obj(r: Request) -> dict[str, Any]:
    return {
        "batch_index": r.batch_index,
        "interpreter": r.interpreter,
        "priority": r.priority,
        "procedure": r.procedure,
        "public_id": r.public_id,
        "sites": sorted(r.sites),
        "step_free": r.step_free,
        "unavailable_dates": sorted(d.isoformat() for d in r.unavailable_dates),
    }


def slot_obj(s: Slot) -> dict[str, Any]:
    return {
        "id": s.id,
        "interpreter_languages": sorted(s.interpreter_languages),
        "local_date": s.local_date.isoformat(),
        "procedures": sorted(s.procedures),
        "site": s.site,
        "start": utc_iso(s.start),
        "step_free": s.step_free,
    }


def _seconds(delta: datetime.timedelta) -> int | float:
    seconds = delta.total_seconds()
    return int(seconds) if seconds.is_integer() else seconds


def params_obj(p: Params) -> dict[str, Any]:
    return {
        "min_notice_seconds": _seconds(p.min_notice),
        "now": utc_iso(p.now),
        "policy_version": p.policy_version,
    }


def _dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class _Fragments:
    """Cached JSON text of the values that many requests or slots share."""

    def __init__(self) -> None:
        self.strings: dict[str, str] = {}
        self.lists: dict[frozenset[str], str] = {}
        self.dates: dict[frozenset[datetime.date], str] = {}
        self.date: dict[datetime.date, str] = {}
        self.instants: dict[datetime.datetime, str] = {}

    def string(self, value: str) -> str:
        text = self.strings.get(value)
        if text is None:
            text = self.strings[value] = _encode_str(value)
        return text

    def string_list(self, values: frozenset[str]) -> str:
        text = self.lists.get(values)
        if text is None:
            text = self.lists[values] = "[" + ",".join(_encode_str(v) for v in sorted(values)) + "]"
        return text

    def date_list(self, values: frozenset[datetime.date]) -> str:
        text = self.dates.get(values)
        if text is None:
            # ISO dates (four-digit years) sort as text exactly as the dates do.
            text = self.dates[values] = "[" + ",".join(sorted(map(self.one_date, values))) + "]"
        return text

    def one_date(self, value: datetime.date) -> str:
        text = self.date.get(value)
        if text is None:
            text = self.date[value] = f'"{value.isoformat()}"'
        return text

    def instant(self, value: datetime.datetime) -> str:
        text = self.instants.get(value)
        if text is None:
            text = self.instants[value] = f'"{utc_iso(value)}"'
        return text


_BOOL = {True: "true", False: "false"}


_shape = attrgetter("interpreter", "procedure", "sites", "step_free", "unavailable_dates")


class RequestTexts:
    """The JSON text of a request around its batch, priority and id, cached per shape.

    A request's object is `{"batch_index":B` + t0 + `P` + t1 + `"ID"` + t2, where
    (t0, t1, t2) = `shape(...)` depends only on the request's other fields.
    """

    def __init__(self) -> None:
        self.f = _Fragments()

    def shape(
        self,
        interpreter: str | None,
        procedure: str,
        sites: frozenset[str],
        step_free: bool,
        unavailable_dates: frozenset[datetime.date],
    ) -> tuple[str, str, str]:
        f = self.f
        dates = f.date_list(unavailable_dates) if unavailable_dates else "[]"
        return (
            f',"interpreter":{"null" if interpreter is None else f.string(interpreter)},"priority":',
            f',"procedure":{f.string(procedure)},"public_id":',
            f',"sites":{f.string_list(sites)},"step_free":{_BOOL[step_free]},"unavailable_dates":{dates}}}',
        )


def _requests_json(requests: Iterable[Request]) -> str:
    """`_dump([request_obj(r) for r in requests])`, written by template (tests hold it to that).

    Everything but the batch, priority and id is cached per request shape.
    """
    texts = RequestTexts()
    shapes: dict[tuple[object, ...], tuple[str, str, str]] = {}
    parts: list[str] = []
    append = parts.append
    for r in requests:
        shape = _shape(r)
        t = shapes.get(shape)
        if t is None:
            t = shapes[shape] = texts.shape(*shape)
        append(f'{{"batch_index":{r.batch_index}{t[0]}{r.priority}{t[1]}{_encode_str(r.public_id)}{t[2]}')
    return "[" + ",".join(parts) + "]"


def _slots_json(slots: Iterable[Slot]) -> str:
    """`_dump([slot_obj(s) for s in slots])`, written by template (tests hold it to that)."""
    f = _Fragments()
    parts = [
        f'{{"id":{_encode_str(s.id)},"interpreter_languages":{f.string_list(s.interpreter_languages)},'
        f'"local_date":{f.one_date(s.local_date)},"procedures":{f.string_list(s.procedures)},'
        f'"site":{f.string(s.site)},"start":{f.instant(s.start)},"step_free":{_BOOL[s.step_free]}}}'
        for s in slots
    ]
    return "[" + ",".join(parts) + "]"


def instance_json(requests: Iterable[Request], slots: Iterable[Slot], seed: bytes, params: Params) -> str:
    """The canonical instance as text; `requests` and `slots` must already be sorted by id."""
    return (
        f'{{"format":{_dump(INSTANCE_FORMAT)},"params":{canonical_json(params_obj(params)).decode()},'
        f'"requests":{_requests_json(requests)},"seed":{_dump(seed.hex())},'
        f'"slots":{_slots_json(slots)}}}'
    )


def instance_digest(
    request_texts: Iterable[str], slots: Iterable[Slot], seed: bytes, params: Params, chunk: int = 1 << 15
) -> str:
    """SHA-256 (hex) of `dump_instance`, fed in pieces instead of building the whole text.

    `request_texts` are the requests' JSON objects, already in order of public id; `slots`
    must already be sorted by id.
    """
    h = hashlib.sha256()
    h.update(
        f'{{"format":{_dump(INSTANCE_FORMAT)},"params":{canonical_json(params_obj(params)).decode()},'
        f'"requests":['.encode()
    )
    it = iter(request_texts)
    sep = ""
    while True:
        piece = ",".join(islice(it, chunk))
        if not piece:
            break
        h.update((sep + piece).encode("utf-8"))
        sep = ","
    h.update(f'],"seed":{_dump(seed.hex())},"slots":'.encode())
    h.update(_slots_json(slots).encode("utf-8"))
    h.update(b"}")
    return h.hexdigest()


def dump_instance(requests: Iterable[Request], slots: Iterable[Slot], seed: bytes, params: Params) -> bytes:
    """Canonical JSON of a run's inputs; its SHA-256 is the run's `input_digest`."""
    return instance_json(
        sorted(requests, key=attrgetter("public_id")), sorted(slots, key=attrgetter("id")), seed, params
    ).encode("utf-8")


def instance_from_obj(obj: Any) -> tuple[list[Request], list[Slot], bytes, Params]:
    if not isinstance(obj, dict) or obj.get("format") != INSTANCE_FORMAT:
        raise ValueError(f"not a {INSTANCE_FORMAT} document")
    p = obj["params"]
    params = Params(
        now=parse_utc(p["now"]),
        min_notice=datetime.timedelta(seconds=p["min_notice_seconds"]),
        policy_version=p["policy_version"],
    )
    requests = [
        Request(
            public_id=r["public_id"],
            priority=r["priority"],
            batch_index=r["batch_index"],
            procedure=r["procedure"],
            sites=frozenset(r["sites"]),
            unavailable_dates=frozenset(datetime.date.fromisoformat(d) for d in r["unavailable_dates"]),
            step_free=r["step_free"],
            interpreter=r["interpreter"],
        )
        for r in obj["requests"]
    ]
    slots = [
        Slot(
            id=s["id"],
            site=s["site"],
            start=parse_utc(s["start"]),
            local_date=datetime.date.fromisoformat(s["local_date"]),
            procedures=frozenset(s["procedures"]),
            step_free=s["step_free"],
            interpreter_languages=frozenset(s["interpreter_languages"]),
        )
        for s in obj["slots"]
    ]
    return requests, slots, bytes.fromhex(obj["seed"]), params


def load_instance(data: bytes) -> tuple[list[Request], list[Slot], bytes, Params]:
    """Inverse of `dump_instance` (also accepts a whole run file and reads its instance)."""
    obj = json.loads(data)
    if isinstance(obj, dict) and obj.get("format") == RUN_FORMAT:
        obj = obj["instance"]
    return instance_from_obj(obj)


def result_body(
    order: Sequence[str],
    assignments: Sequence[tuple[str, str, int]],
    unserved: Sequence[str],
    input_digest: str,
    policy_version: str,
    counts: dict[str, int],
) -> str:
    """Canonical JSON of a run's outputs, without the output digest (which is its SHA-256)."""
    if needs_escape("".join(rid + sid for rid, sid, _ in assignments)):
        assignment_list = ",".join(
            f'{{"position":{pos},"request_id":{_encode_str(rid)},"slot_id":{_encode_str(sid)}}}'
            for rid, sid, pos in assignments
        )
    else:
        assignment_list = ",".join(
            f'{{"position":{pos},"request_id":"{rid}","slot_id":"{sid}"}}' for rid, sid, pos in assignments
        )
    return (
        f'{{"assignments":[{assignment_list}],"counts":{canonical_json(counts).decode()},'
        f'"input_digest":{_dump(input_digest)},"order":{_str_list(order)},'
        f'"policy_version":{_dump(policy_version)},"unserved":{_str_list(unserved)}}}'
    )


def result_obj(result: Result) -> dict[str, Any]:
    """The published form of a result (what `dump_run` writes under "result")."""
    return {
        "assignments": [
            {"position": a.position, "request_id": a.request_id, "slot_id": a.slot_id}
            for a in result.assignments
        ],
        "counts": dict(result.counts),
        "input_digest": result.input_digest,
        "order": list(result.order),
        "output_digest": result.output_digest,
        "policy_version": result.policy_version,
        "unserved": list(result.unserved),
    }
