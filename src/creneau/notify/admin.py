"""Administrators see the outbox (read-only), filter dead letters and queue them again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from creneau.audit.log import Actor
from creneau.audit.models import AuditEvent
from creneau.notify.models import OutboxMessage
from creneau.notify.outbox import retry

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[OutboxMessage]
else:
    _ModelAdmin = admin.ModelAdmin

HIDDEN = _("(masqué : message sensible)")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(_ModelAdmin):
    list_display = [
        "created_at",
        "template",
        "channel",
        "recipient",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "request_reference",
    ]
    list_filter = ["status", "channel", "template", "language", "sensitive", "prefecture_code"]
    search_fields = ["key", "request_reference", "recipient"]
    date_hierarchy = "created_at"
    actions = ["retry_dead"]
    FIELDS = (
        "key",
        "channel",
        "recipient",
        "language",
        "template",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_by",
        "claimed_until",
        "sent_at",
        "last_error",
        "message_id",
        "prefecture_code",
        "request_reference",
        "created_at",
        "sensitive",
        "subject",
        "shown_text",
        "shown_html",
    )
    fields = FIELDS
    readonly_fields = FIELDS

    @admin.display(description=_("texte"))
    def shown_text(self, obj: OutboxMessage) -> str:
        return str(HIDDEN) if obj.sensitive else obj.body_text

    @admin.display(description=_("HTML"))
    def shown_html(self, obj: OutboxMessage) -> str:
        return str(HIDDEN) if obj.sensitive else obj.body_html

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboxMessage | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OutboxMessage | None = None) -> bool:
        return False

    @admin.action(description=_("Remettre en file les messages en échec définitif"), permissions=["view"])
    def retry_dead(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        actor = Actor(
            type=AuditEvent.ActorType.AGENT,
            label=request.user.get_username(),
            user=request.user,
            ip_address=request.META.get("REMOTE_ADDR"),
        )
        done = sum(retry(key, actor) for key in queryset.values_list("key", flat=True))
        self.message_user(request, _("%(n)d message(s) remis en file.") % {"n": done}, messages.SUCCESS)
