"""Publishing and checking allocation runs.

A published run is one canonical JSON document::

    {"format": "creneau-allocation-run/1",
     "instance": <dump_instance object: params, requests, seed, slots>,
     "result": {"assignments": [...], "counts": {...}, "input_digest": ..., "order": [...],
                "output_digest": ..., "policy_version": ..., "unserved": [...]}}

`input_digest` is the SHA-256 of the canonical instance, `output_digest` the SHA-256 of the
canonical result without its `output_digest` key. `verify_run` re-derives both from the
instance alone, by re-running the engine, and compares them with what was published.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, NamedTuple

from .canonical import RUN_FORMAT, canonical_json, dump_instance, instance_from_obj, result_obj, sha256_hex
from .engine import allocate
from .model import Params, Request, Result, Slot


class ReplayOutcome(NamedTuple):
    """What `replay` found: the recomputed result and whether it matched what was expected."""

    result: Result
    matches: bool


def replay(
    data: bytes, expected_input_digest: str | None = None, expected_output_digest: str | None = None
) -> ReplayOutcome:
    """Re-run an instance (`dump_instance` bytes, or a whole run file) and compare digests.

    With a run file, the expected digests default to the ones it records. A digest that is
    neither given nor recorded is not compared.
    """
    obj = json.loads(data)
    if isinstance(obj, dict) and obj.get("format") == RUN_FORMAT:
        recorded = obj.get("result") or {}
        expected_input_digest = expected_input_digest or recorded.get("input_digest")
        expected_output_digest = expected_output_digest or recorded.get("output_digest")
        obj = obj["instance"]
    requests, slots, seed, params = instance_from_obj(obj)
    result = allocate(requests, slots, seed, params)
    matches = (expected_input_digest is None or expected_input_digest == result.input_digest) and (
        expected_output_digest is None or expected_output_digest == result.output_digest
    )
    return ReplayOutcome(result, matches)


def dump_run(
    requests: list[Request], slots: list[Slot], seed: bytes, params: Params, result: Result
) -> bytes:
    """The canonical published form of a run: its instance and its result."""
    instance = json.loads(dump_instance(requests, slots, seed, params))
    return canonical_json({"format": RUN_FORMAT, "instance": instance, "result": result_obj(result)})


@dataclass(frozen=True)
class VerifyReport:
    recorded_input_digest: str | None
    recomputed_input_digest: str
    recorded_output_digest: str | None
    recomputed_output_digest: str
    input_digest_ok: bool  # the instance is the one the run was made on
    output_digest_ok: bool  # the recorded result hashes to its recorded digest, which is the re-run's
    assignments_ok: bool  # the recorded assignments (and order) are exactly the re-run's
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.input_digest_ok and self.output_digest_ok and self.assignments_ok


def _recorded_assignments(recorded: dict[str, Any]) -> list[tuple[Any, Any, Any]]:
    return [
        (a.get("request_id"), a.get("slot_id"), a.get("position")) for a in recorded.get("assignments", [])
    ]


def verify_run(data: bytes) -> VerifyReport:
    """Check a published run (`dump_run` bytes) by re-running its instance."""
    obj = json.loads(data)
    if not isinstance(obj, dict) or obj.get("format") != RUN_FORMAT:
        raise ValueError(f"not a {RUN_FORMAT} document")
    recorded: dict[str, Any] = obj.get("result") or {}
    requests, slots, seed, params = instance_from_obj(obj["instance"])
    result = allocate(requests, slots, seed, params)
    problems = []

    input_ok = recorded.get("input_digest") == result.input_digest
    if not input_ok:
        problems.append("the instance does not hash to the recorded input digest")
    body = {k: v for k, v in recorded.items() if k != "output_digest"}
    self_consistent = sha256_hex(canonical_json(body)) == recorded.get("output_digest")
    if not self_consistent:
        problems.append("the recorded result does not hash to its recorded output digest")
    output_ok = self_consistent and recorded.get("output_digest") == result.output_digest
    if self_consistent and not output_ok:
        problems.append("re-running the instance gives a different output digest")
    expected = [(a.request_id, a.slot_id, a.position) for a in result.assignments]
    got = _recorded_assignments(recorded)
    assignments_ok = got == expected and recorded.get("order") == list(result.order)
    if not assignments_ok:
        diff = next((i for i, (a, b) in enumerate(zip(got, expected, strict=False)) if a != b), None)
        where = f" (first difference at assignment {diff})" if diff is not None else ""
        problems.append(f"recorded assignments or order differ from the re-run{where}")
    return VerifyReport(
        recorded_input_digest=recorded.get("input_digest"),
        recomputed_input_digest=result.input_digest,
        recorded_output_digest=recorded.get("output_digest"),
        recomputed_output_digest=result.output_digest,
        input_digest_ok=input_ok,
        output_digest_ok=output_ok,
        assignments_ok=assignments_ok,
        problems=tuple(problems),
    )
