"""The catalogue of messages: each template name, the context it needs, and where its files live.

A message is this entry plus its templates under ``notify/<name>/``: ``subject.txt``,
``body.txt`` and ``body.html`` for e-mail, ``sms.txt`` for SMS. ``enqueue`` refuses a context
missing one of these keys, and the strict template engine refuses any other unknown variable.
"""

from __future__ import annotations

MESSAGES: dict[str, frozenset[str]] = {
    "verification_code": frozenset({"code", "minutes", "reference", "prefecture_name"}),
    "request_filed": frozenset(
        {
            "reference",
            "prefecture_name",
            "procedure_name",
            "batch_index",
            "batch_closes_at_local",
            "status_url",
        }
    ),
    "private_link": frozenset({"reference", "prefecture_name", "procedure_name", "status_url"}),
    "request_withdrawn": frozenset({"reference", "prefecture_name"}),
    "contact_changed": frozenset({"reference", "prefecture_name"}),
    # Offers and appointments (creneau.booking.actions.offers).
    "offer_made": frozenset(
        {
            "reference",
            "prefecture_name",
            "procedure_name",
            "appointment_local",
            "place_name",
            "place_address",
            "documents",
            "deadline_local",
            "status_url",
        }
    ),
    "offer_confirmed": frozenset(
        {
            "reference",
            "prefecture_name",
            "procedure_name",
            "appointment_local",
            "place_name",
            "place_address",
            "documents",
            "short_code",
            "status_url",
        }
    ),
    "offer_lapsed": frozenset({"reference", "prefecture_name", "status_url"}),
    "request_suspended": frozenset({"reference", "prefecture_name", "status_url"}),
    "appointment_cancelled": frozenset({"reference", "prefecture_name", "appointment_local", "place_name"}),
    "appointment_reminder": frozenset(
        {
            "reference",
            "prefecture_name",
            "appointment_local",
            "place_name",
            "place_address",
            "short_code",
            "status_url",
        }
    ),
    "appointment_cancelled_by_prefecture": frozenset(
        {"reference", "prefecture_name", "appointment_local", "place_name", "reason", "status_url"}
    ),
}

EMAIL_PARTS = ("subject.txt", "body.txt", "body.html")
SMS_PARTS = ("sms.txt",)
SMS_MAX_LENGTH = 300
