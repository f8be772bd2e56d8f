"""Opening templates, closures and the slots generated from them."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from .places import Desk, Prefecture, Procedure, Site


class OpeningTemplate(models.Model):
    """One desk's recurring opening on one weekday: hours, a break, which procedures, slot length."""

    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="templates")
    weekday = models.PositiveSmallIntegerField(
        choices=[
            (0, _("lundi")),
            (1, _("mardi")),
            (2, _("mercredi")),
            (3, _("jeudi")),
            (4, _("vendredi")),
            (5, _("samedi")),
            (6, _("dimanche")),
        ]
    )
    start_time = models.TimeField()
    end_time = models.TimeField()
    break_start = models.TimeField(null=True, blank=True)
    break_end = models.TimeField(null=True, blank=True)
    procedures = models.ManyToManyField(Procedure, related_name="templates")
    slot_minutes = models.PositiveSmallIntegerField(default=30)
    interpreter_languages = models.JSONField(default=list, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["desk", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_time__lt=models.F("end_time")), name="template_hours_order"
            ),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="template_weekday_range"),
            models.CheckConstraint(condition=models.Q(slot_minutes__gte=5), name="template_slot_minutes_min"),
            models.CheckConstraint(
                condition=(
                    models.Q(break_start__isnull=True, break_end__isnull=True)
                    | models.Q(break_start__lt=models.F("break_end"))
                ),
                name="template_break_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.desk} {self.get_weekday_display()} {self.start_time}-{self.end_time}"


class Closure(models.Model):
    """A site (or one desk) closed on a range of local dates."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="closures")
    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, null=True, blank=True, related_name="closures")
    start_date = models.DateField()
    end_date = models.DateField()
    reason = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_date__lte=models.F("end_date")), name="closure_dates_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.start_date}–{self.end_date}"


class Slot(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("ouvert")
        WITHDRAWN = "withdrawn", _("retiré")

    prefecture = models.ForeignKey(Prefecture, on_delete=models.PROTECT, related_name="slots")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="slots")
    desk = models.ForeignKey(Desk, on_delete=models.PROTECT, related_name="slots")
    template = models.ForeignKey(
        OpeningTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    start = models.DateTimeField(db_index=True)
    duration_minutes = models.PositiveSmallIntegerField()
    procedures = models.ManyToManyField(Procedure, related_name="slots")
    step_free = models.BooleanField(default=False)
    interpreter_languages = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "desk"]
        constraints = [
            models.UniqueConstraint(fields=["desk", "start"], name="slot_unique_per_desk_and_start"),
            models.CheckConstraint(condition=models.Q(duration_minutes__gte=5), name="slot_duration_min"),
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "withdrawn"]), name="slot_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["prefecture", "status", "start"])]

    def __str__(self) -> str:
        return f"{self.desk} {self.start:%Y-%m-%d %H:%M}"

    @property
    def local_start(self) -> datetime.datetime:
        return self.start.astimezone(self.prefecture.tz)

    @property
    def end(self) -> datetime.datetime:
        return self.start + datetime.timedelta(minutes=self.duration_minutes)


__all__ = ["Closure", "OpeningTemplate", "Prefecture", "Site", "Slot"]
