"""Append-only, hash-chained audit log: one event per state change and per security event.

Each event's hash covers the previous event's hash and the event's own canonical content, so
removing, reordering or editing any event breaks the chain from that point on. The database
refuses UPDATE and DELETE on the table (triggers, see migration 0002).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class ChainHead(models.Model):
    """The last event of a chain; locked (select_for_update) while appending, so appends are serial."""

    chain = models.CharField(max_length=32, primary_key=True)
    seq = models.BigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq}"


class AuditEvent(models.Model):
    class ActorType(models.TextChoices):
        APPLICANT = "applicant", _("demandeur")
        AGENT = "agent", _("agent")
        HELPER = "helper", _("aidant")
        SYSTEM = "system", _("système")
        ANONYMOUS = "anonymous", _("anonyme")

    chain = models.CharField(max_length=32, default="main")
    seq = models.BigIntegerField()
    at = models.DateTimeField()
    actor_type = models.CharField(max_length=16, choices=ActorType.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=64)
    prefecture_code = models.CharField(max_length=8, blank=True)
    object_type = models.CharField(max_length=32, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["chain", "seq"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_seq_unique_per_chain")]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.action} {self.object_type}:{self.object_id}"
