"""The one write path for every state change of a request (zulip's check_*/do_* habit).

Each ``do_*`` function validates, writes, audits and enqueues its messages in one transaction;
pages, the API, commands and jobs all call these, never the ORM directly.
"""

from .base import ActionError, ConcurrentChange, DuplicateActiveRequest
from .filing import (
    FilingData,
    do_expire_drafts,
    do_file_draft,
    do_file_verified,
    do_resend_code,
    do_resend_private_link,
    do_verify_contact,
)
from .offers import (
    do_cancel_by_applicant,
    do_cancel_by_prefecture,
    do_check_in,
    do_confirm,
    do_decline,
    do_lapse_due,
    do_mark_attended,
    do_mark_no_show,
    do_reactivate,
    do_send_reminders,
)
from .status import (
    do_confirm_contact_change,
    do_request_contact_change,
    do_update_preferences,
    do_withdraw,
)

__all__ = [
    "ActionError",
    "ConcurrentChange",
    "DuplicateActiveRequest",
    "FilingData",
    "do_cancel_by_applicant",
    "do_cancel_by_prefecture",
    "do_check_in",
    "do_confirm",
    "do_confirm_contact_change",
    "do_decline",
    "do_expire_drafts",
    "do_file_draft",
    "do_file_verified",
    "do_lapse_due",
    "do_mark_attended",
    "do_mark_no_show",
    "do_reactivate",
    "do_request_contact_change",
    "do_resend_code",
    "do_resend_private_link",
    "do_send_reminders",
    "do_update_preferences",
    "do_verify_contact",
    "do_withdraw",
]
