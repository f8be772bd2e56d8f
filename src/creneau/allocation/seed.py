"""The lottery: ranks drawn from a seed that nobody can steer (commit–reveal).

How a batch's seed comes to be
------------------------------
1. When the batch opens, the system draws a 32-byte `secret` (`new_secret`) and publishes
   `seed_commitment(secret)` = SHA-256(secret), before any request of the batch exists.
2. When the batch closes, the list of request ids taking part is frozen and summarised by
   `request_ids_digest(ids)` (SHA-256 of the sorted ids, one per line), which is published.
3. Optionally a public randomness beacon value that was unknown at closing time (e.g. the
   drand round that follows the cutoff) is recorded.
4. The seed is `derive_seed(secret, ids_digest, beacon)` = SHA-256(secret ‖ ids_digest ‖ beacon),
   and each request's lottery rank is `lottery_rank(seed, public_id)` = HMAC-SHA256(seed, id).
5. After the run, the secret is revealed. Anyone can check SHA-256(secret) against the
   commitment, recompute the seed, every rank, and re-run the allocation (`replay`).

Threat model
------------
* Applicants (and bots, and resellers) cannot steer their rank: the rank is a keyed hash
  of their public id under a seed that contains a 256-bit secret they do not know until
  after the run. Filing early, late, many times or from many connections changes nothing:
  arrival order is not an input, and public ids are assigned by the system, not chosen.
* Operators cannot steer ranks either, once the commitment is published: the secret is
  fixed before any request of the batch exists (it cannot be "re-rolled" without the
  published commitment failing to verify), and the seed also depends on the exact set of
  request ids, so the operator cannot precompute ranks while the batch is open and then
  insert or drop requests to favour someone: every change of the id set changes every
  rank unpredictably. With a beacon, even an operator who knows the secret while the batch
  is open cannot know any rank before the beacon value exists, i.e. after the cutoff.
* What this does NOT protect against:
  - an operator who knows the secret and, without a beacon, tries many variations of the
    id set (fake requests added or real ones withheld) to find one that favours a target;
    the beacon and the published ids digest (auditable against the open-data counts and
    each applicant's receipt) are the defences, not the hash;
  - an operator who withholds the reveal, or publishes a commitment after the fact: the
    commitment must be published (and timestamped by third parties) when the batch opens;
  - manipulation outside the lottery: wrong priority classes, falsified eligibility data,
    slots not published to the run. Those are audited by the booking app, not here;
  - a compromised beacon, if one is used alone without the secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from typing import Any

SECRET_BYTES = 32


def new_secret() -> bytes:
    """A fresh 32-byte secret from the operating system's CSPRNG."""
    return secrets.token_bytes(SECRET_BYTES)


def seed_commitment(secret: bytes) -> str:
    """SHA-256 of the secret, hex: published when the batch opens."""
    return hashlib.sha256(secret).hexdigest()


def request_ids_digest(ids: Iterable[str]) -> str:
    """SHA-256 (hex) of the sorted request ids joined by newlines: what the batch contained."""
    return hashlib.sha256("\n".join(sorted(ids)).encode("utf-8")).hexdigest()


def derive_seed(secret: bytes, ids_digest: str, beacon: str | None = None) -> bytes:
    """The run's seed: SHA-256(secret ‖ ids_digest (ASCII) ‖ beacon (UTF-8, or nothing))."""
    material = secret + ids_digest.encode("ascii") + (beacon.encode("utf-8") if beacon is not None else b"")
    return hashlib.sha256(material).digest()


def lottery_rank(seed: bytes, public_id: str) -> str:
    """HMAC-SHA256(key=seed, msg=public_id), hex: lower ranks are drawn first."""
    return hmac.new(seed, public_id.encode("utf-8"), hashlib.sha256).hexdigest()


def hmac_states(seed: bytes) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """Copy functions for HMAC-SHA256's precomputed inner and outer states under `seed` (RFC 2104)."""
    key = hashlib.sha256(seed).digest() if len(seed) > 64 else seed
    key = key.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    return inner.copy, outer.copy


def rank_digest_function(seed: bytes) -> Callable[[bytes], bytes]:
    """The raw-bytes form of `lottery_rank`, fast for a million ids.

    Same HMAC written out with precomputed inner and outer states; raw digests sort exactly
    like their hex forms. `tests/allocation` checks both agree.
    """
    inner_copy, outer_copy = hmac_states(seed)

    def rank_digest(message: bytes) -> bytes:
        inner = inner_copy()
        inner.update(message)
        outer = outer_copy()
        outer.update(inner.digest())
        digest: bytes = outer.digest()
        return digest

    return rank_digest
