"""Public halves of the signing keys. Private keys never enter the database (see keys.py)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SigningKey(models.Model):
    """An Ed25519 key that signs receipts, convocations and attestations.

    ``active``: signs new tokens (at most one, enforced by the database). ``retired``: no longer
    signs, but its tokens still verify and it stays in the JWKS. ``revoked``: its tokens are refused.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        RETIRED = "retired", _("retirée")
        REVOKED = "revoked", _("révoquée")

    # RFC 7638 thumbprint of the public key (base64url SHA-256): the same key always has the same id.
    kid = models.CharField(max_length=64, unique=True)
    public_jwk = models.JSONField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("clé de signature")
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="active"), name="proofs_one_active_signing_key"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "retired", "revoked"]),
                name="proofs_signing_key_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kid} ({self.status})"


class Attestation(models.Model):
    """One attestation of waiting as issued: its short public code and the signed token it printed.

    Kept so that the public page can check a code and tell whether a newer attestation exists for
    the same request; it shows only what the token itself certifies.
    """

    code = models.CharField(max_length=16, unique=True)
    request = models.ForeignKey("booking.Request", on_delete=models.PROTECT, related_name="attestations")
    issued_at = models.DateTimeField()
    kid = models.CharField(max_length=64)
    token = models.TextField()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("attestation d'attente")
        indexes = [models.Index(fields=["request", "issued_at"])]

    def __str__(self) -> str:
        return self.code
