from .places import Desk, Prefecture, Procedure, Site, localized
from .requests import Applicant, ContactChallenge, Language, PossibleDuplicate, Request
from .runs import AllocationRun, Batch, Offer, RunFile
from .schedules import Closure, OpeningTemplate, Slot

__all__ = [
    "AllocationRun",
    "Applicant",
    "Batch",
    "Closure",
    "ContactChallenge",
    "Desk",
    "Language",
    "Offer",
    "OpeningTemplate",
    "PossibleDuplicate",
    "Prefecture",
    "Procedure",
    "Request",
    "RunFile",
    "Site",
    "Slot",
    "localized",
]
