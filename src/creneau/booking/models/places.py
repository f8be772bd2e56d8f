"""Where appointments happen: prefecture → site → desk, and the procedures they handle."""

from __future__ import annotations

import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Fuseau horaire inconnu : %(tz)s"), params={"tz": value}) from exc


def localized(texts: dict[str, str] | None, language: str | None = None) -> str:
    """Pick the text of the current (or given) language from a {"fr": …, "en": …, "ar": …} dict."""
    if not texts:
        return ""
    lang = (language or translation.get_language() or "fr")[:2]
    return texts.get(lang) or texts.get("fr") or next(iter(texts.values()), "")


class Prefecture(models.Model):
    code = models.SlugField(max_length=8, unique=True, help_text=_("Numéro du département, ex. 75, 974"))
    name = models.CharField(_("nom"), max_length=120)
    time_zone = models.CharField(_("fuseau horaire"), max_length=64, validators=[validate_time_zone])
    # Public holidays calendar: "FR" (mainland), "FR-57"/"FR-67"/"FR-68" (Alsace-Moselle), "FR-RE"…
    holidays_calendar = models.CharField(max_length=16, default="FR")
    # Batches close every ``batch_days`` days at ``batch_close_time`` (local time).
    batch_days = models.PositiveSmallIntegerField(default=1)
    batch_close_time = models.TimeField(default=datetime.time(18, 0))
    min_notice_hours = models.PositiveIntegerField(default=48)
    offer_ttl_hours = models.PositiveIntegerField(default=72)
    expiring_permit_days = models.PositiveIntegerField(default=60)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(batch_days__gte=1), name="prefecture_batch_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Site(models.Model):
    prefecture = models.ForeignKey(Prefecture, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(_("nom"), max_length=120)
    address = models.CharField(_("adresse"), max_length=200)
    postcode = models.CharField(_("code postal"), max_length=10)
    city = models.CharField(_("commune"), max_length=80)
    step_free = models.BooleanField(_("accès de plain-pied"), default=False)
    accessibility = models.JSONField(_("accessibilité"), default=dict, blank=True)
    access_info = models.JSONField(_("accès"), default=dict, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["prefecture__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["prefecture", "name"], name="site_name_unique_per_prefecture")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def full_address(self) -> str:
        return f"{self.address}, {self.postcode} {self.city}"


class Procedure(models.Model):
    class Kind(models.TextChoices):
        FIRST_PERMIT = "first_permit", _("Première demande de titre de séjour")
        RENEWAL = "renewal", _("Renouvellement de titre de séjour")
        NATURALISATION = "naturalisation", _("Naturalisation")
        DUPLICATE = "duplicate", _("Duplicata de titre de séjour")
        CHANGE_OF_STATUS = "change_of_status", _("Changement de statut")

    prefecture = models.ForeignKey(Prefecture, on_delete=models.PROTECT, related_name="procedures")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    duration_minutes = models.PositiveSmallIntegerField(default=30)
    # [{"fr": "...", "en": "...", "ar": "..."}, ...]
    documents = models.JSONField(default=list, blank=True)
    sites = models.ManyToManyField(Site, related_name="procedures", blank=True)
    is_open = models.BooleanField(default=True)

    class Meta:
        ordering = ["prefecture__code", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "kind"], name="procedure_kind_unique_per_prefecture"
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=5), name="procedure_duration_min"
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    def documents_in(self, language: str | None = None) -> list[str]:
        return [localized(doc, language) for doc in self.documents]


class Desk(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="desks")
    name = models.CharField(_("nom"), max_length=60)
    procedures = models.ManyToManyField(Procedure, related_name="desks", blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["site", "name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="desk_name_unique_per_site")]

    def __str__(self) -> str:
        return f"{self.site} — {self.name}"
