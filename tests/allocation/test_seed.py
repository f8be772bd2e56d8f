"""Commit–reveal: neither applicants nor operators can steer the lottery."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import given, settings
from hypothesis import strategies as st

from creneau.allocation import derive_seed, lottery_rank, new_secret, request_ids_digest, seed_commitment
from creneau.allocation.seed import rank_digest_function

IDS = ["RDV-0001", "RDV-0002", "RDV-0003"]


def test_a_new_secret_is_32_fresh_bytes() -> None:
    a, b = new_secret(), new_secret()
    assert len(a) == len(b) == 32
    assert a != b


def test_the_commitment_verifies_the_revealed_secret_and_nothing_else() -> None:
    secret = new_secret()
    commitment = seed_commitment(secret)
    assert commitment == hashlib.sha256(secret).hexdigest()
    assert seed_commitment(secret) == commitment
    assert seed_commitment(bytes(32)) != commitment


def test_the_ids_digest_ignores_arrival_order_but_not_membership() -> None:
    assert request_ids_digest(IDS) == request_ids_digest(reversed(IDS))
    assert request_ids_digest(IDS) == hashlib.sha256("\n".join(sorted(IDS)).encode()).hexdigest()
    assert request_ids_digest(IDS) != request_ids_digest(IDS[:2])
    assert request_ids_digest(IDS) != request_ids_digest([*IDS, "RDV-0004"])


@settings(max_examples=50)
@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=8, unique=True), st.data())
def test_changing_any_one_id_changes_the_seed(ids: list[str], data: st.DataObject) -> None:
    secret = b"s" * 32
    i = data.draw(st.integers(0, len(ids) - 1))
    changed = [*ids[:i], ids[i] + "x", *ids[i + 1 :]]
    assert derive_seed(secret, request_ids_digest(ids)) != derive_seed(secret, request_ids_digest(changed))


def test_the_seed_is_the_hash_of_secret_ids_digest_and_beacon() -> None:
    secret = b"\x01" * 32
    digest = request_ids_digest(IDS)
    assert derive_seed(secret, digest) == hashlib.sha256(secret + digest.encode()).digest()
    assert (
        derive_seed(secret, digest, "drand-4242:ab")
        == hashlib.sha256(secret + digest.encode() + b"drand-4242:ab").digest()
    )
    assert derive_seed(secret, digest, "beacon") != derive_seed(secret, digest)
    assert derive_seed(b"\x02" * 32, digest) != derive_seed(secret, digest)


@settings(max_examples=100)
@given(st.binary(min_size=1, max_size=100), st.text(min_size=1, max_size=20))
def test_the_lottery_rank_is_hmac_sha256_and_the_fast_form_agrees(seed: bytes, public_id: str) -> None:
    rank = lottery_rank(seed, public_id)
    assert rank == hmac.new(seed, public_id.encode(), hashlib.sha256).hexdigest()
    assert rank_digest_function(seed)(public_id.encode()).hex() == rank
