"""Build the demo: places, procedures, templates, eight weeks of slots, a few hundred requests.

Requests are filed through the real action (``do_file_verified``), spread over the past weeks'
batches, so the demo's queue, batches and audit chain are what production would hold.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from creneau.audit.log import Actor
from creneau.booking.actions import DuplicateActiveRequest, FilingData, do_file_verified
from creneau.booking.models import Desk, OpeningTemplate, Prefecture, Procedure, Request, Site
from creneau.booking.slots import generate_slots

from .data import GIVEN, NATIONALITIES, PREFECTURES, PROCEDURES, SURNAMES

PROCEDURE_WEIGHTS = {
    "renewal": 45,
    "first_permit": 25,
    "change_of_status": 12,
    "naturalisation": 10,
    "duplicate": 8,
}


@transaction.atomic
def seed_places() -> list[Prefecture]:
    prefectures = []
    for p in PREFECTURES:
        pref, _ = Prefecture.objects.update_or_create(
            code=p["code"],
            defaults={
                "name": p["name"],
                "time_zone": p["time_zone"],
                "holidays_calendar": p["holidays_calendar"],
                "email": p["email"],
            },
        )
        procedures = {}
        for kind, (minutes, documents) in PROCEDURES.items():
            procedures[kind], _ = Procedure.objects.update_or_create(
                prefecture=pref, kind=kind, defaults={"duration_minutes": minutes, "documents": documents}
            )
        for s in p["sites"]:
            site, _ = Site.objects.update_or_create(
                prefecture=pref,
                name=s["name"],
                defaults={
                    "address": s["address"],
                    "postcode": s["postcode"],
                    "city": s["city"],
                    "step_free": s["step_free"],
                },
            )
            for proc in procedures.values():
                if (
                    proc.kind != "naturalisation" or s is p["sites"][0]
                ):  # naturalisation only at the main site
                    proc.sites.add(site)
            for n in range(1, s["desks"] + 1):
                desk, created = Desk.objects.get_or_create(site=site, name=f"Guichet {n}")
                kinds = [k for k in procedures if k != "naturalisation" or (n == 1 and s is p["sites"][0])]
                desk.procedures.set([procedures[k] for k in kinds])
                if created:
                    for weekday in range(5):
                        t = OpeningTemplate.objects.create(
                            desk=desk,
                            weekday=weekday,
                            start_time=datetime.time(8, 30),
                            end_time=datetime.time(16, 0),
                            break_start=datetime.time(12, 0),
                            break_end=datetime.time(13, 30),
                            slot_minutes=30,
                            interpreter_languages=["ar"] if (n == 2 and weekday in (1, 3)) else [],
                        )
                        t.procedures.set(desk.procedures.all())
        prefectures.append(pref)
    return prefectures


def seed_slots(prefectures: list[Prefecture], weeks: int = 8) -> int:
    today = timezone.localdate()
    return sum(generate_slots(pref, today, weeks * 7) for pref in prefectures)


def seed_requests(prefectures: list[Prefecture], count: int, seed: int = 2026, past_days: int = 21) -> int:
    rng = random.Random(seed)
    now = timezone.now()
    actor = Actor.system("demo-seed")
    plan = []
    for i in range(count):
        pref = prefectures[i % len(prefectures)]
        moment = now - datetime.timedelta(seconds=rng.randint(3600, past_days * 86400))
        plan.append((moment, pref))
    plan.sort(key=lambda item: item[0])  # file in time order: batches open and close as in real life
    filed = 0
    for moment, pref in plan:
        kind = rng.choices(list(PROCEDURE_WEIGHTS), weights=list(PROCEDURE_WEIGHTS.values()))[0]
        procedure = Procedure.objects.get(prefecture=pref, kind=kind)
        country = rng.choice(NATIONALITIES[pref.code])
        sites = list(procedure.sites.all())
        chosen = rng.sample(sites, k=rng.randint(1, len(sites)))
        has_email = rng.random() < 0.8
        data = FilingData(
            procedure=procedure,
            surnames=rng.choice(SURNAMES[country]),
            given_names=rng.choice(GIVEN[country]),
            birth_date=datetime.date(rng.randint(1955, 2006), rng.randint(1, 12), rng.randint(1, 28)),
            nationality=country,
            agdref_number="".join(rng.choice("0123456789") for _ in range(10))
            if kind != "first_permit"
            else "",
            passport_number="".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(9)),
            email=f"demandeur{filed + 1}@exemple.fr" if has_email else "",
            phone="" if has_email and rng.random() < 0.5 else f"+336{rng.randint(10000000, 99999999)}",
            language=rng.choices(["fr", "en", "ar"], weights=[60, 15, 25])[0],
            step_free_needed=rng.random() < 0.03,
            interpreter_language="ar" if rng.random() < 0.03 else "",
            sites=chosen,
            unavailable_dates=[timezone.localdate() + datetime.timedelta(days=rng.randint(3, 50))]
            if rng.random() < 0.1
            else [],
            priority=Request.Priority.EXPIRING if rng.random() < 0.05 else Request.Priority.ORDINARY,
        )
        try:
            do_file_verified(
                data,
                actor,
                channel=rng.choice(["online"] * 8 + ["counter", "helper"]),
                attestation="demo data",
                now=moment,
                send_link=False,
            )
        except DuplicateActiveRequest:
            continue
        filed += 1
    return filed
