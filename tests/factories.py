"""Factories with traits, and helpers that build rows through the real actions."""

from __future__ import annotations

import datetime

import factory

from creneau.audit.log import Actor
from creneau.booking.actions import FilingData, do_file_verified
from creneau.booking.models import Desk, Prefecture, Procedure, Request, Site

DOCS = [{"fr": "Passeport en cours de validité", "en": "Valid passport", "ar": "جواز سفر ساري المفعول"}]


class PrefectureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prefecture
        django_get_or_create = ("code",)

    code = "93"
    name = "Préfecture de la Seine-Saint-Denis"
    time_zone = "Europe/Paris"

    class Params:
        reunion = factory.Trait(
            code="974",
            name="Préfecture de La Réunion",
            time_zone="Indian/Reunion",
            holidays_calendar="FR-974",
        )
        alsace = factory.Trait(code="67", name="Préfecture du Bas-Rhin", holidays_calendar="FR-6AE")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    prefecture = factory.SubFactory(PrefectureFactory)
    name = factory.Sequence(lambda n: f"Site {n}")
    address = "1 esplanade Jean Moulin"
    postcode = "93000"
    city = "Bobigny"
    step_free = True


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure
        django_get_or_create = ("prefecture", "kind")
        skip_postgeneration_save = True

    prefecture = factory.SubFactory(PrefectureFactory)
    kind = Procedure.Kind.RENEWAL
    duration_minutes = 30
    documents = DOCS

    @factory.post_generation
    def sites(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if not create:
            return
        if extracted is None:
            extracted = [SiteFactory(prefecture=self.prefecture), SiteFactory(prefecture=self.prefecture)]
        self.sites.add(*extracted)


class DeskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Desk

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Guichet {n}")


def filing_data(procedure: Procedure, **overrides) -> FilingData:  # type: ignore[no-untyped-def]
    values = {
        "procedure": procedure,
        "surnames": "Diallo",
        "given_names": "Amina Fatou",
        "birth_date": datetime.date(1990, 5, 17),
        "nationality": "SN",
        "agdref_number": "1234567890",
        "email": "amina.diallo@example.org",
        "language": "fr",
        "sites": list(procedure.sites.all()),
    }
    values.update(overrides)
    return FilingData(**values)


def file_request(procedure: Procedure, **overrides) -> Request:  # type: ignore[no-untyped-def]
    """A pending request filed through the real action (as at a counter)."""
    channel = overrides.pop("channel", Request.Channel.COUNTER)
    now = overrides.pop("now", None)
    return do_file_verified(
        filing_data(procedure, **overrides),
        Actor.system("test"),
        channel=channel,
        attestation="identity document seen",
        now=now,
        send_link=False,
    )
