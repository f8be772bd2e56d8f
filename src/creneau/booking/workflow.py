"""The request lifecycle, in one place.

    draft ──verify contact──▶ pending ──allocation run──▶ offered ──confirm──▶ confirmed ──▶ attended
                                 ▲  ▲                        │                      │     └─▶ no_show
                                 │  └──decline / lapse once──┘                      │
                                 └────────── prefecture cancels (re-queued) ────────┘
    side exits: withdrawn (by the applicant), suspended (second lapse; reactivated → pending),
                cancelled (applicant cancels a confirmed appointment), closed (agent, or after no-show)

Every transition is performed by exactly one action function in ``creneau.booking.actions``;
the database refuses any other status change (trigger built from ``TRANSITIONS``, migration 0002).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("brouillon (coordonnées à vérifier)")
    PENDING = "pending", _("en attente")
    OFFERED = "offered", _("rendez-vous proposé")
    CONFIRMED = "confirmed", _("rendez-vous confirmé")
    ATTENDED = "attended", _("reçu au guichet")
    NO_SHOW = "no_show", _("absent au rendez-vous")
    WITHDRAWN = "withdrawn", _("retirée")
    SUSPENDED = "suspended", _("suspendue")
    CANCELLED = "cancelled", _("annulée")
    CLOSED = "closed", _("close")
    EXPIRED = "expired", _("expirée (jamais vérifiée)")


# Statuses that hold a place in the queue: at most one per person × procedure × prefecture.
ACTIVE = (Status.PENDING, Status.OFFERED, Status.CONFIRMED, Status.SUSPENDED)
FINAL = (Status.ATTENDED, Status.NO_SHOW, Status.WITHDRAWN, Status.CANCELLED, Status.CLOSED, Status.EXPIRED)

TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.DRAFT, Status.PENDING): "verify_contact",
    (Status.DRAFT, Status.EXPIRED): "expire_draft",
    (Status.DRAFT, Status.WITHDRAWN): "withdraw",
    (Status.PENDING, Status.OFFERED): "offer",
    (Status.PENDING, Status.WITHDRAWN): "withdraw",
    (Status.PENDING, Status.CLOSED): "close",
    (Status.OFFERED, Status.CONFIRMED): "confirm",
    (Status.OFFERED, Status.PENDING): "decline_or_lapse",
    (Status.OFFERED, Status.SUSPENDED): "lapse",
    (Status.OFFERED, Status.WITHDRAWN): "withdraw",
    (Status.CONFIRMED, Status.ATTENDED): "check_in",
    (Status.CONFIRMED, Status.NO_SHOW): "no_show",
    (Status.CONFIRMED, Status.CANCELLED): "cancel",
    (Status.CONFIRMED, Status.PENDING): "prefecture_cancel",
    (Status.CONFIRMED, Status.WITHDRAWN): "withdraw",
    (Status.SUSPENDED, Status.PENDING): "reactivate",
    (Status.SUSPENDED, Status.WITHDRAWN): "withdraw",
    (Status.SUSPENDED, Status.CLOSED): "close",
    (Status.NO_SHOW, Status.CLOSED): "close",
}


class TransitionError(Exception):
    """A status change the lifecycle does not allow."""


def check_transition(current: str, new: str) -> None:
    if (current, new) not in TRANSITIONS:
        raise TransitionError(f"{current} → {new} is not a transition of the request lifecycle")
