"""Créneau's allocation engine: pure Python, standard library only, no Django.

    result = allocate(requests, slots, seed, params)

orders requests by (priority, batch, lottery rank), serves the lexicographically best set
(greedy on the transversal matroid) and gives each served request, in order, the earliest
slot that still lets every other served request be seated. See docs/allocation.md.
"""

from .canonical import dump_instance, load_instance
from .engine import allocate
from .model import (
    POLICY_VERSION,
    PRIORITY_COURT_ORDER,
    PRIORITY_EXPIRING,
    PRIORITY_ORDINARY,
    Assignment,
    Params,
    Request,
    Result,
    Slot,
    is_compatible,
)
from .seed import derive_seed, lottery_rank, new_secret, request_ids_digest, seed_commitment
from .verify import ReplayOutcome, VerifyReport, dump_run, replay, verify_run

__all__ = [
    "POLICY_VERSION",
    "PRIORITY_COURT_ORDER",
    "PRIORITY_EXPIRING",
    "PRIORITY_ORDINARY",
    "Assignment",
    "Params",
    "ReplayOutcome",
    "Request",
    "Result",
    "Slot",
    "VerifyReport",
    "allocate",
    "derive_seed",
    "dump_instance",
    "dump_run",
    "is_compatible",
    "load_instance",
    "lottery_rank",
    "new_secret",
    "replay",
    "request_ids_digest",
    "seed_commitment",
    "verify_run",
]
