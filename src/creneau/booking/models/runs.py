"""Batches, allocation runs and the offers (then appointments) they produce."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .places import Prefecture
from .requests import Request
from .schedules import Slot


class Batch(models.Model):
    """Requests filed between two cutoffs. The secret's SHA-256 is public from the batch's opening;
    the secret (and so the lottery seed) is revealed when it closes."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.PROTECT, related_name="batches")
    index = models.PositiveIntegerField()
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    commitment = models.CharField(max_length=64)
    secret = models.CharField(max_length=64)  # hex; published only once the batch is closed
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["prefecture", "index"]
        constraints = [
            models.UniqueConstraint(fields=["prefecture", "index"], name="batch_index_unique_per_prefecture"),
            models.UniqueConstraint(
                fields=["prefecture", "closes_at"], name="batch_cutoff_unique_per_prefecture"
            ),
            models.CheckConstraint(
                condition=models.Q(opens_at__lt=models.F("closes_at")), name="batch_opens_before_close"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefecture.code}-{self.index}"


class AllocationRun(models.Model):
    prefecture = models.ForeignKey(Prefecture, on_delete=models.PROTECT, related_name="runs")
    batch = models.OneToOneField(Batch, on_delete=models.PROTECT, related_name="run")
    cutoff = models.DateTimeField()
    seed_commitment = models.CharField(max_length=64)
    seed = models.CharField(max_length=64)
    beacon = models.CharField(max_length=200, blank=True)
    policy_version = models.CharField(max_length=32)
    input_digest = models.CharField(max_length=64)
    output_digest = models.CharField(max_length=64)
    requests_count = models.PositiveIntegerField()
    slots_count = models.PositiveIntegerField()
    served_count = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    published = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-cutoff"]
        constraints = [
            models.UniqueConstraint(fields=["prefecture", "cutoff"], name="run_unique_per_prefecture_cutoff"),
            models.CheckConstraint(
                condition=models.Q(served_count__lte=models.F("requests_count")),
                name="run_served_le_requests",
            ),
            models.CheckConstraint(
                condition=models.Q(served_count__lte=models.F("slots_count")), name="run_served_le_slots"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefecture_id} {self.cutoff:%Y-%m-%d %H:%M}"


class RunFile(models.Model):
    """The published input/output file of a run (canonical JSON, gzip), replayable by anyone."""

    run = models.OneToOneField(AllocationRun, on_delete=models.PROTECT, related_name="file")
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()

    def __str__(self) -> str:
        return f"run {self.run_id} ({self.size} bytes)"


class Offer(models.Model):
    """A slot offered to a request; once confirmed, the appointment itself."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("proposé")
        CONFIRMED = "confirmed", _("confirmé")
        DECLINED = "declined", _("refusé")
        LAPSED = "lapsed", _("expiré sans réponse")
        CANCELLED = "cancelled", _("annulé par le demandeur")
        CANCELLED_BY_PREFECTURE = "cancelled_pref", _("annulé par la préfecture")
        ATTENDED = "attended", _("reçu")
        NO_SHOW = "no_show", _("absent")

    LIVE = (Status.OFFERED, Status.CONFIRMED)
    HOLDS_SLOT = (Status.OFFERED, Status.CONFIRMED, Status.ATTENDED, Status.NO_SHOW)

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="offers")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="offers")
    run = models.ForeignKey(
        AllocationRun, null=True, blank=True, on_delete=models.PROTECT, related_name="offers"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OFFERED)
    position = models.PositiveIntegerField(null=True, blank=True)
    deadline = models.DateTimeField()
    short_code = models.CharField(max_length=12, unique=True)
    created_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    arrived_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot"],
                condition=models.Q(status__in=["offered", "confirmed", "attended", "no_show"]),
                name="one_live_offer_per_slot",
            ),
            models.UniqueConstraint(
                fields=["request"],
                condition=models.Q(status__in=["offered", "confirmed"]),
                name="one_live_offer_per_request",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status__in=[
                        "offered",
                        "confirmed",
                        "declined",
                        "lapsed",
                        "cancelled",
                        "cancelled_pref",
                        "attended",
                        "no_show",
                    ]
                ),
                name="offer_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.short_code
