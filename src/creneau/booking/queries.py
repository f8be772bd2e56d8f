"""Read-side questions about the queue (no writes here)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from creneau.audit.models import AuditEvent
from creneau.booking.models import Request
from creneau.booking.workflow import Status


@dataclass(frozen=True)
class QueuePosition:
    ahead: int  # pending requests served before this one whatever the lottery (higher class or older batch)
    same_batch: int  # others in the same class and batch: their order against this one is drawn by lot


def queue_position(request: Request) -> QueuePosition | None:
    if request.status != Status.PENDING or request.batch is None:
        return None
    same_queue = Request.objects.filter(
        prefecture_id=request.prefecture_id, procedure_id=request.procedure_id, status=Status.PENDING
    ).exclude(pk=request.pk)
    ahead = same_queue.filter(
        Q(priority__lt=request.priority) | Q(priority=request.priority, batch__index__lt=request.batch.index)
    ).count()
    same_batch = same_queue.filter(priority=request.priority, batch__index=request.batch.index).count()
    return QueuePosition(ahead=ahead, same_batch=same_batch)


def request_history(request: Request) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type="request", object_id=request.reference).order_by("at", "seq")
    )


EVENT_LABELS = {
    "request.drafted": _("Demande saisie"),
    "contact.code_resent": _("Nouveau code envoyé"),
    "request.filed": _("Coordonnées vérifiées : demande enregistrée dans la file"),
    "request.link_resent": _("Lien personnel renvoyé"),
    "request.preferences_changed": _("Lieux ou dates d'indisponibilité modifiés"),
    "contact.change_requested": _("Changement de coordonnées demandé"),
    "contact.changed": _("Coordonnées modifiées"),
    "request.withdrawn": _("Demande retirée"),
    "request.draft_expired": _("Demande expirée (coordonnées jamais vérifiées)"),
    "request.helper_filing": _("Déposée par une structure d'aide habilitée"),
    "request.offered": _("Rendez-vous proposé à l'attribution du lot"),
    "request.confirmed": _("Rendez-vous confirmé"),
    "request.declined": _("Rendez-vous refusé : la demande garde sa place"),
    "request.lapsed": _("Rendez-vous non confirmé à temps : la demande garde sa place"),
    "request.suspended": _("Demande suspendue (second rendez-vous non confirmé)"),
    "request.reactivated": _("Demande réactivée"),
    "request.appointment_cancelled": _("Rendez-vous annulé par le demandeur"),
    "request.requeued_by_prefecture": _(
        "Rendez-vous annulé par la préfecture : demande remise en tête de file"
    ),
    "appointment.arrived": _("Arrivée au guichet enregistrée"),
    "request.attended": _("Reçu au guichet"),
    "request.no_show": _("Absent au rendez-vous"),
    "identity.corrected": _("Identité corrigée par un agent"),
    "attestation.issued": _("Attestation d'attente délivrée"),
}


def event_label(action: str) -> str:
    return str(EVENT_LABELS.get(action, _("Mise à jour de la demande")))
