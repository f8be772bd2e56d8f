"""What the statistics app stores: the audit chain's head at the end of each day, as published."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyHead(models.Model):
    """The last event of ``chain`` recorded before the end of ``day`` (UTC), and its hash.

    Published with the statistics: anyone who kept a copy can tell if the chain up to that event is
    later rewritten, since every later hash depends on it.
    """

    chain = models.CharField(max_length=32)
    day = models.DateField()  # a UTC day
    seq = models.BigIntegerField()  # 0 when the chain had no event yet
    head_hash = models.CharField(max_length=64)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["chain", "day"]
        verbose_name = _("empreinte quotidienne du journal")
        constraints = [
            models.UniqueConstraint(fields=["chain", "day"], name="daily_head_unique_per_chain_day")
        ]

    def __str__(self) -> str:
        return f"{self.chain} {self.day}: #{self.seq} {self.head_hash[:12]}"
