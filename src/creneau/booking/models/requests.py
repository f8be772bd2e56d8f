"""Applicants and their requests, contact checks and duplicate flags."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from creneau.booking.workflow import ACTIVE, Status

from .places import Prefecture, Procedure, Site


class Language(models.TextChoices):
    FR = "fr", "Français"
    EN = "en", "English"
    AR = "ar", "العربية"


class Applicant(models.Model):
    """The person, as filed. Identity fields never change except by an agent's audited correction."""

    surnames = models.CharField(_("nom(s)"), max_length=100)
    given_names = models.CharField(_("prénom(s)"), max_length=100, blank=True)
    birth_date = models.DateField(_("date de naissance"))
    nationality = CountryField(_("nationalité"))
    agdref_number = models.CharField(_("numéro étranger (AGDREF)"), max_length=10, blank=True)
    passport_number = models.CharField(_("numéro de passeport"), max_length=20, blank=True)
    email = models.EmailField(_("adresse électronique"), blank=True)
    phone = models.CharField(_("téléphone mobile"), max_length=20, blank=True)  # E.164
    language = models.CharField(_("langue"), max_length=2, choices=Language.choices, default=Language.FR)
    step_free_needed = models.BooleanField(_("accès sans marche nécessaire"), default=False)
    interpreter_language = models.CharField(_("interprète"), max_length=8, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(agdref_number="") | ~models.Q(passport_number=""),
                name="applicant_has_document_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.surnames.upper()} {self.given_names}".strip()


class Request(models.Model):
    class Priority(models.IntegerChoices):
        # Lower is served first (same integers as creneau.allocation's classes).
        COURT_ORDER = 0, _("injonction du juge avec délai")
        EXPIRING = 1, _("titre ou récépissé expirant bientôt")
        ORDINARY = 2, _("ordinaire")

    class Channel(models.TextChoices):
        ONLINE = "online", _("en ligne")
        COUNTER = "counter", _("au guichet")
        HELPER = "helper", _("par un aidant habilité")

    reference = models.CharField(max_length=16, unique=True)
    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="requests")
    prefecture = models.ForeignKey(Prefecture, on_delete=models.PROTECT, related_name="requests")
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="requests")
    sites = models.ManyToManyField(Site, related_name="requests")
    unavailable_dates = models.JSONField(default=list, blank=True)  # ISO dates, local to the prefecture
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.ORDINARY)
    priority_until = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    identity_key = models.CharField(max_length=250, db_index=True)
    batch = models.ForeignKey(
        "booking.Batch", null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.ONLINE)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lapse_count = models.PositiveSmallIntegerField(default=0)
    # Set when the prefecture cancelled this request's appointment (desk closed): the next run
    # serves it at the top of its priority class, ahead of every batch.
    requeued_top = models.BooleanField(default=False)
    # The private link's secret is HMAC(SECRET_KEY, reference, link_nonce) (see booking/links.py):
    # never stored, derivable for every message; a new nonce revokes every earlier link.
    link_nonce = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField()
    filed_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "procedure", "identity_key"],
                condition=models.Q(status__in=list(ACTIVE)),
                name="one_active_request_per_person_procedure_prefecture",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=list(Status.values)), name="request_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[Status.DRAFT, Status.EXPIRED])
                | (models.Q(batch__isnull=False) & models.Q(filed_at__isnull=False)),
                name="request_filed_has_batch",
            ),
            models.CheckConstraint(condition=models.Q(priority__lte=2), name="request_priority_range"),
        ]
        indexes = [
            models.Index(fields=["prefecture", "procedure", "status"]),
            models.Index(fields=["status", "created_at"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    def unavailable_date_objects(self) -> list[datetime.date]:
        return [datetime.date.fromisoformat(d) for d in self.unavailable_dates]


class ContactChallenge(models.Model):
    """A 6-digit code sent to an e-mail address or a mobile phone, proving the applicant reads it."""

    class Purpose(models.TextChoices):
        FILING = "filing", _("dépôt de la demande")
        CONTACT_CHANGE = "contact_change", _("changement de coordonnées")

    class Channel(models.TextChoices):
        EMAIL = "email", _("courriel")
        SMS = "sms", _("SMS")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="challenges")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    destination = models.CharField(max_length=254)
    # For a contact change: the new e-mail and phone, applied once the code is confirmed.
    new_email = models.EmailField(blank=True)
    new_phone = models.CharField(max_length=20, blank=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    last_sent_at = models.DateTimeField()
    send_count = models.PositiveSmallIntegerField(default=1)
    tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(tries__lte=10), name="challenge_tries_bounded"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.channel} #{self.pk}"


class PossibleDuplicate(models.Model):
    """Two requests that look like the same person (fuzzy match), for an agent to review."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "other"], name="duplicate_pair_unique")]

    def __str__(self) -> str:
        return f"{self.request_id} ~ {self.other_id} ({self.score:.0f})"


__all__ = ["Applicant", "ContactChallenge", "Language", "PossibleDuplicate", "Prefecture", "Request"]
