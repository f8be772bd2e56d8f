"""The transactional outbox: every e-mail and SMS, written in the transaction of the change it reports.

A row is rendered once, at enqueue time, in the recipient's language, then delivered at least once
by a worker (see ``delivery.py``). The unique ``key`` makes enqueueing idempotent, and receivers
collapse the rare redelivery with ``message_id`` (e-mail) or the key (SMS ``Idempotency-Key``).

Lifecycle: ``pending → sending → sent``; a failed attempt goes back to ``pending`` with a later
``next_attempt_at``; a permanent failure or too many attempts ends in ``dead`` (administrators
see those and can retry them).
"""

from __future__ import annotations

import hashlib

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def message_id_for(key: str) -> str:
    """Stable RFC 5322 Message-ID for a dedup key: a redelivered e-mail carries the same one."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@creneau>"


class OutboxMessage(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("courriel")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("à envoyer")
        SENDING = "sending", _("en cours d'envoi")
        SENT = "sent", _("envoyé")
        DEAD = "dead", _("en échec définitif")

    key = models.CharField(_("clé de déduplication"), max_length=200, unique=True)
    channel = models.CharField(_("canal"), max_length=8, choices=Channel.choices)
    recipient = models.CharField(_("destinataire"), max_length=254)
    language = models.CharField(_("langue"), max_length=8)
    template = models.CharField(_("modèle"), max_length=64)
    subject = models.CharField(_("objet"), max_length=255, blank=True)
    body_text = models.TextField(_("texte"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    sensitive = models.BooleanField(
        _("sensible"), default=False, help_text=_("Contient un code ou un lien privé : effacé après envoi.")
    )
    status = models.CharField(_("état"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("tentatives"), default=0)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), default=timezone.now)
    claimed_until = models.DateTimeField(_("réservé jusqu'à"), null=True, blank=True)
    claimed_by = models.CharField(_("réservé par"), max_length=100, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=100)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    prefecture_code = models.CharField(_("préfecture"), max_length=8, blank=True)
    request_reference = models.CharField(_("demande"), max_length=16, blank=True, db_index=True)
    # Messages enqueued in bulk (an allocation run's thousands of offers) are rendered by the
    # worker just before sending, from this context; ``rendered`` says whether that was done.
    context = models.JSONField(_("contexte"), default=dict, blank=True)
    rendered = models.BooleanField(_("rédigé"), default=True)

    class Meta:
        verbose_name = _("message sortant")
        verbose_name_plural = _("messages sortants")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sending", "sent", "dead"]),
                name="outbox_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=["email", "sms"]), name="outbox_channel_valid"
            ),
            models.CheckConstraint(condition=models.Q(attempts__gte=0), name="outbox_attempts_non_negative"),
            models.CheckConstraint(
                condition=~models.Q(status="sending") | models.Q(claimed_until__isnull=False),
                name="outbox_sending_has_lease",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="outbox_sent_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.template} → {self.recipient} [{self.status}]"

    @property
    def scrubbed(self) -> bool:
        return self.sensitive and self.status == self.Status.SENT and not self.body_text
