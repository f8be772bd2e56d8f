"""End-to-end allocation run on PostgreSQL: one prefecture, 100,000 pending requests, 25,000 free slots.

Measures a whole run — reading requests and slots, the engine, writing offers, request status
changes, audit events, outbox messages and the published file — as ``run_allocation`` does it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/booking/run_postgres.py [--requests N --slots N --runs 3]

It creates (and drops at the end) a database ``creneau_bench``. Each timed run happens inside a
transaction that is rolled back afterwards so the next run starts from the same state; the commit
itself (one WAL flush) is therefore not in the figure. Target (issue 4): ≤ 30 s.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DB = "creneau_bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--slots", type=int, default=25_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    admin = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    base = admin.rsplit("/", 1)[0]
    subprocess.run(["psql", admin, "-q", "-c", f"DROP DATABASE IF EXISTS {DB}"], check=True)
    subprocess.run(["psql", admin, "-q", "-c", f"CREATE DATABASE {DB}"], check=True)
    os.environ["DATABASE_URL"] = f"{base}/{DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "creneau.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        batch = build(args.requests, args.slots)
        timings = [timed_run(batch) for _ in range(args.runs)]
        served = timings[-1][1]
        seconds = [t for t, _ in timings]
        print(f"requests={args.requests} slots={args.slots} served={served}")
        print(
            "whole run (s): "
            + ", ".join(f"{t:.2f}" for t in seconds)
            + f"  median {statistics.median(seconds):.2f}"
        )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            subprocess.run(["psql", admin, "-q", "-c", f"DROP DATABASE IF EXISTS {DB}"], check=True)


def build(n_requests: int, n_slots: int):  # type: ignore[no-untyped-def]
    """Bulk-load a prefecture (set-up, not measured; the run itself goes through the real code)."""
    from django.utils import timezone

    from creneau import allocation as engine
    from creneau.booking.models import (
        Applicant,
        Batch,
        Desk,
        OpeningTemplate,
        Prefecture,
        Procedure,
        Request,
        Site,
        Slot,
    )
    from creneau.booking.workflow import Status

    rng = random.Random(7)
    t0 = time.perf_counter()
    now = timezone.now()
    pref = Prefecture.objects.create(code="99", name="Préfecture de banc d'essai", time_zone="Europe/Paris")
    sites = [
        Site.objects.create(
            prefecture=pref,
            name=f"Site {i}",
            address="1 rue",
            postcode="75000",
            city="Paris",
            step_free=i % 2 == 0,
        )
        for i in range(6)
    ]
    kinds = [k for k, _ in Procedure.Kind.choices]
    procedures = [Procedure.objects.create(prefecture=pref, kind=k) for k in kinds]
    for p in procedures:
        p.sites.set(sites)
    desks = []
    for site in sites:
        for d in range(5):
            desk = Desk.objects.create(site=site, name=f"Guichet {d}")
            desk.procedures.set(procedures)
            desks.append(desk)
    batches = []
    for i in range(20):
        secret = engine.new_secret()
        batches.append(
            Batch.objects.create(
                prefecture=pref,
                index=i + 1,
                opens_at=now - datetime.timedelta(days=21 - i),
                closes_at=now - datetime.timedelta(days=20 - i),
                secret=secret.hex(),
                commitment=engine.seed_commitment(secret),
            )
        )
    applicants = Applicant.objects.bulk_create(
        [
            Applicant(
                surnames=f"NOM{i}",
                given_names="Prenom",
                birth_date=datetime.date(1990, 1, 1),
                nationality="SN",
                passport_number=f"P{i:08d}",
                email=f"p{i}@example.org",
                language=rng.choice(["fr", "en", "ar"]),
                step_free_needed=rng.random() < 0.02,
                interpreter_language="ar" if rng.random() < 0.03 else "",
            )
            for i in range(n_requests)
        ],
        batch_size=5000,
    )
    reqs = []
    for i, a in enumerate(applicants):
        b = rng.choice(batches)
        reqs.append(
            Request(
                reference=f"B{i:07d}",
                applicant=a,
                prefecture=pref,
                procedure=rng.choice(procedures),
                unavailable_dates=[(now.date() + datetime.timedelta(days=rng.randint(3, 50))).isoformat()]
                if rng.random() < 0.1
                else [],
                priority=2 if rng.random() > 0.05 else 1,
                status=Status.PENDING,
                identity_key=f"K{i}",
                batch=b,
                created_at=b.opens_at,
                filed_at=b.opens_at,
                status_changed_at=b.opens_at,
                link_nonce=f"{i:032x}",
            )
        )
    Request.objects.bulk_create(reqs, batch_size=5000)
    through = Request.sites.through
    rows = []
    for r in Request.objects.filter(prefecture=pref).values_list("pk", flat=True):
        for s in rng.sample(sites, k=rng.choice([1, 1, 2, 3])):
            rows.append(through(request_id=r, site_id=s.pk))
    through.objects.bulk_create(rows, batch_size=10000)
    template = OpeningTemplate.objects.create(
        desk=desks[0], weekday=0, start_time=datetime.time(9), end_time=datetime.time(17)
    )
    start = (now + datetime.timedelta(days=3)).replace(hour=7, minute=0, second=0, microsecond=0)
    slots = []
    per_desk = n_slots // len(desks) + 1
    for d, desk in enumerate(desks):
        for k in range(per_desk):
            if len(slots) >= n_slots:
                break
            day, idx = divmod(k, 16)
            slots.append(
                Slot(
                    prefecture=pref,
                    site=desk.site,
                    desk=desk,
                    template=template,
                    start=start + datetime.timedelta(days=day, minutes=30 * idx),
                    duration_minutes=30,
                    step_free=desk.site.step_free,
                    interpreter_languages=["ar"] if d % 7 == 0 else [],
                )
            )
    Slot.objects.bulk_create(slots, batch_size=5000)
    sthrough = Slot.procedures.through
    sthrough.objects.bulk_create(
        [sthrough(slot_id=s.pk, procedure_id=p.pk) for s in slots for p in procedures], batch_size=10000
    )
    print(
        f"set-up: {n_requests} requests, {len(slots)} slots in {time.perf_counter() - t0:.1f} s", flush=True
    )
    return batches[-1]


def timed_run(batch):  # type: ignore[no-untyped-def]
    from django.db import transaction

    from creneau.booking.allocation_runs import run_allocation

    class Rollback(Exception):
        pass

    served = 0
    t0 = time.perf_counter()
    try:
        with transaction.atomic():
            run = run_allocation(batch)
            served = run.served_count
            elapsed = time.perf_counter() - t0
            raise Rollback
    except Rollback:
        pass
    print(f"  run: {elapsed:.2f} s, {served} offers", flush=True)
    return elapsed, served


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
