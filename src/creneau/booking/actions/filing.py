"""Filing a request: draft, contact check, joining the current batch; and the private link again."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from creneau.audit.log import Actor, record
from creneau.booking.batches import current_batch
from creneau.booking.links import local_datetime, new_link_nonce, private_token, status_url
from creneau.booking.models import Applicant, ContactChallenge, PossibleDuplicate, Procedure, Request, Site
from creneau.booking.workflow import ACTIVE, Status
from creneau.identity.fuzzy import Person, similarity
from creneau.identity.normalise import identity_key
from creneau.notify.outbox import enqueue

from .base import (
    ActionError,
    DuplicateActiveRequest,
    hash_code,
    new_reference,
    notify_applicant,
    transition,
)


@dataclass
class FilingData:
    """What the filing form (or the counter, or the API) collected, already cleaned."""

    procedure: Procedure
    surnames: str
    given_names: str
    birth_date: datetime.date
    nationality: str
    agdref_number: str = ""
    passport_number: str = ""
    email: str = ""
    phone: str = ""
    language: str = "fr"
    step_free_needed: bool = False
    interpreter_language: str = ""
    sites: list[Site] = field(default_factory=list)
    unavailable_dates: list[datetime.date] = field(default_factory=list)
    priority: int = Request.Priority.ORDINARY
    permit_expires_on: datetime.date | None = None


def _create_request(
    data: FilingData, key: str, actor: Actor, channel: str, moment: datetime.datetime, **fields: Any
) -> Request:
    """The applicant and their request as filed (a draft unless ``fields`` say otherwise), with its sites."""
    procedure = data.procedure
    applicant = Applicant.objects.create(
        surnames=data.surnames,
        given_names=data.given_names,
        birth_date=data.birth_date,
        nationality=data.nationality,
        agdref_number=data.agdref_number,
        passport_number=data.passport_number,
        email=data.email,
        phone=data.phone,
        language=data.language,
        step_free_needed=data.step_free_needed,
        interpreter_language=data.interpreter_language,
    )
    request = Request.objects.create(
        reference=new_reference(),
        applicant=applicant,
        prefecture=procedure.prefecture,
        procedure=procedure,
        unavailable_dates=sorted(d.isoformat() for d in set(data.unavailable_dates)),
        identity_key=key,
        channel=channel,
        created_at=moment,
        status_changed_at=moment,
        priority=data.priority,
        priority_until=data.permit_expires_on,
        filed_by=actor.user if getattr(actor.user, "pk", None) else None,
        **fields,
    )
    request.sites.set(data.sites)
    return request


def _check_filing(data: FilingData) -> None:
    if not (data.email or data.phone):
        raise ActionError(_("Indiquez une adresse électronique ou un numéro de téléphone mobile."))
    if not (data.agdref_number or data.passport_number):
        raise ActionError(_("Indiquez votre numéro étranger (AGDREF) ou votre numéro de passeport."))
    if not data.sites:
        raise ActionError(_("Choisissez au moins un lieu d'accueil."))
    allowed = set(data.procedure.sites.values_list("pk", flat=True))
    if any(site.pk not in allowed for site in data.sites):
        raise ActionError(_("Un des lieux choisis ne traite pas cette démarche."))


def _new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _send_code(challenge: ContactChallenge, request: Request, code: str) -> None:
    enqueue(
        key=f"code:{challenge.pk}:{challenge.send_count}",
        channel=challenge.channel,
        to=challenge.destination,
        template="verification_code",
        context={
            "code": code,
            "minutes": settings.CRENEAU_CODE_TTL_SECONDS // 60,
            "reference": request.reference,
            "prefecture_name": request.prefecture.name,
        },
        language=request.applicant.language,
        sensitive=True,
        prefecture_code=request.prefecture.code,
        request_reference=request.reference,
    )


def _start_challenge(request: Request, purpose: str, email: str, phone: str) -> ContactChallenge:
    now = timezone.now()
    channel = ContactChallenge.Channel.EMAIL if email else ContactChallenge.Channel.SMS
    code = _new_code()
    challenge = ContactChallenge(
        request=request,
        purpose=purpose,
        channel=channel,
        destination=email or phone,
        new_email=email if purpose == ContactChallenge.Purpose.CONTACT_CHANGE else "",
        new_phone=phone if purpose == ContactChallenge.Purpose.CONTACT_CHANGE else "",
        code_hash="",
        created_at=now,
        last_sent_at=now,
        expires_at=now + datetime.timedelta(seconds=settings.CRENEAU_CODE_TTL_SECONDS),
    )
    challenge.save()
    challenge.code_hash = hash_code(str(challenge.pk), code)
    challenge.save(update_fields=["code_hash"])
    _send_code(challenge, request, code)
    return challenge


def _active_request(prefecture_id: int, procedure_id: int, key: str) -> Request | None:
    return Request.objects.filter(
        prefecture_id=prefecture_id, procedure_id=procedure_id, identity_key=key, status__in=list(ACTIVE)
    ).first()


def do_file_draft(data: FilingData, actor: Actor, *, channel: str = Request.Channel.ONLINE) -> Request:
    """Create the applicant and a draft request, and send the contact-check code.

    Refuses (``DuplicateActiveRequest``) when the same person already holds an active request for
    this procedure at this prefecture; the caller may then offer ``do_resend_private_link``.
    """
    _check_filing(data)
    procedure = data.procedure
    key = identity_key(data.surnames, data.given_names, data.birth_date)
    with transaction.atomic():
        if _active_request(procedure.prefecture_id, procedure.pk, key):
            record(
                "request.duplicate_refused",
                actor,
                object_type="procedure",
                object_id=str(procedure.pk),
                prefecture_code=procedure.prefecture.code,
            )
            raise DuplicateActiveRequest()
        request = _create_request(data, key, actor, channel, timezone.now())
        record(
            "request.drafted",
            actor,
            obj=request,
            prefecture_code=procedure.prefecture.code,
            data={"procedure": procedure.kind, "channel": channel},
        )
        _start_challenge(request, ContactChallenge.Purpose.FILING, data.email, data.phone)
    return request


def _open_challenge(request: Request, purpose: str) -> ContactChallenge:
    challenge = (
        request.challenges.filter(purpose=purpose, used_at__isnull=True).order_by("-created_at").first()
    )
    if challenge is None:
        raise ActionError(_("Aucun code n'est en attente pour cette demande."), code="no_challenge")
    return challenge


def do_resend_code(request: Request, actor: Actor, purpose: str = ContactChallenge.Purpose.FILING) -> None:
    """Send a new code (the previous one stops working). Limited in rate and in number."""
    with transaction.atomic():
        challenge = _open_challenge(request, purpose)
        now = timezone.now()
        wait = challenge.last_sent_at + datetime.timedelta(seconds=settings.CRENEAU_CODE_RESEND_SECONDS) - now
        if wait.total_seconds() > 0:
            raise ActionError(
                _("Veuillez attendre %(seconds)s secondes avant de demander un nouveau code.")
                % {"seconds": int(wait.total_seconds()) + 1},
                code="resend_too_soon",
            )
        if challenge.send_count >= settings.CRENEAU_CODE_MAX_SENDS:
            raise ActionError(
                _("Trop de codes envoyés. Recommencez votre demande plus tard."), code="too_many_sends"
            )
        code = _new_code()
        updated = ContactChallenge.objects.filter(pk=challenge.pk, send_count=challenge.send_count).update(
            code_hash=hash_code(str(challenge.pk), code),
            last_sent_at=now,
            send_count=challenge.send_count + 1,
            tries=0,
            expires_at=now + datetime.timedelta(seconds=settings.CRENEAU_CODE_TTL_SECONDS),
        )
        if updated != 1:
            raise ActionError(_("Un code vient d'être envoyé."), code="resend_too_soon")
        challenge.refresh_from_db()
        record(
            "contact.code_resent",
            actor,
            obj=request,
            prefecture_code=request.prefecture.code,
            data={"channel": challenge.channel, "send_count": challenge.send_count},
        )
        _send_code(challenge, request, code)


def check_code(challenge: ContactChallenge, code: str) -> None:
    """Count one try and raise ``ActionError`` unless ``code`` is right, fresh and unused.

    The try is counted in its own committed write (so that failures count even though the
    caller's transaction is rolled back on error).
    """
    if challenge.used_at is not None:
        raise ActionError(_("Ce code a déjà été utilisé."), code="code_used")
    if challenge.tries >= settings.CRENEAU_CODE_MAX_TRIES:
        raise ActionError(_("Trop d'essais : demandez un nouveau code."), code="too_many_tries")
    if timezone.now() >= challenge.expires_at:
        raise ActionError(_("Ce code a expiré : demandez-en un nouveau."), code="code_expired")
    cleaned = "".join(ch for ch in code if not ch.isspace())
    ok = (
        len(cleaned) == 6
        and cleaned.isascii()
        and cleaned.isdigit()
        and secrets.compare_digest(hash_code(str(challenge.pk), cleaned), challenge.code_hash)
    )
    if not ok:
        updated = ContactChallenge.objects.filter(pk=challenge.pk, tries=challenge.tries).update(
            tries=challenge.tries + 1
        )
        left = settings.CRENEAU_CODE_MAX_TRIES - challenge.tries - updated
        if left <= 0:
            raise ActionError(
                _("Code incorrect. Trop d'essais : demandez un nouveau code."), code="too_many_tries"
            )
        raise ActionError(
            _("Code incorrect. Il vous reste %(left)s essai(s).") % {"left": left}, code="code_wrong"
        )
    used = ContactChallenge.objects.filter(pk=challenge.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if used != 1:
        raise ActionError(_("Ce code a déjà été utilisé."), code="code_used")


def _flag_near_duplicates(request: Request) -> None:
    applicant = request.applicant
    me = Person(
        applicant.surnames,
        applicant.given_names,
        applicant.birth_date,
        applicant.agdref_number or applicant.passport_number,
    )
    others = (
        Request.objects.filter(
            prefecture=request.prefecture, procedure=request.procedure, status__in=list(ACTIVE)
        )
        .exclude(pk=request.pk)
        .filter(applicant__birth_date=applicant.birth_date)
        .select_related("applicant")[:500]
    )
    for other in others:
        oa = other.applicant
        score = similarity(
            me, Person(oa.surnames, oa.given_names, oa.birth_date, oa.agdref_number or oa.passport_number)
        )
        if score >= 85:
            PossibleDuplicate.objects.get_or_create(request=request, other=other, defaults={"score": score})


def _send_private_link(request: Request, template: str, key: str) -> str:
    nonce = new_link_nonce()
    Request.objects.filter(pk=request.pk).update(link_nonce=nonce)
    request.link_nonce = nonce
    token = private_token(request.reference, nonce)
    lang = request.applicant.language
    with translation.override(lang):
        procedure_name = str(request.procedure.get_kind_display())
    context: dict[str, object] = {
        "reference": request.reference,
        "prefecture_name": request.prefecture.name,
        "procedure_name": procedure_name,
        "status_url": status_url(request.reference, token, lang),
    }
    batch = request.batch
    if batch is not None:
        context["batch_index"] = batch.index
        context["batch_closes_at_local"] = local_datetime(batch.closes_at, request.prefecture, lang)
    notify_applicant(request, template, key, context, sensitive=True)
    return token


def do_verify_contact(request: Request, code: str, actor: Actor) -> str:
    """Confirm the code: the request becomes ``pending`` and joins the current batch.

    Returns the private-link secret (also sent by e-mail and/or SMS).
    """
    if request.status != Status.DRAFT:
        raise ActionError(_("Cette demande est déjà enregistrée."), code="not_draft")
    challenge = _open_challenge(request, ContactChallenge.Purpose.FILING)
    check_code(challenge, code)  # commits the try / the use on its own
    try:
        with transaction.atomic():
            now = timezone.now()
            batch = current_batch(request.prefecture, now)
            transition(
                request,
                Status.PENDING,
                actor,
                "request.filed",
                data={"batch": batch.index},
                batch=batch,
                filed_at=now,
            )
            request.batch = batch
            token = _send_private_link(request, "request_filed", f"filed:{request.reference}")
            _flag_near_duplicates(request)
    except IntegrityError as exc:  # the one-active-request constraint: filed elsewhere meanwhile
        raise DuplicateActiveRequest() from exc
    return token


def do_resend_private_link(
    procedure: Procedure, surnames: str, given_names: str, birth_date: datetime.date, actor: Actor
) -> None:
    """Send the private link again to the contact given when filing, if such a request exists.

    Says nothing either way to the caller: the page shows the same text whether or not a request
    exists, and the link only ever goes to the contact that was verified at filing.
    """
    key = identity_key(surnames, given_names, birth_date)
    with transaction.atomic():
        request = _active_request(procedure.prefecture_id, procedure.pk, key)
        if request is None:
            record(
                "request.link_resend_unknown",
                actor,
                object_type="procedure",
                object_id=str(procedure.pk),
                prefecture_code=procedure.prefecture.code,
            )
            return
        minute = timezone.now().strftime("%Y%m%d%H%M")
        _send_private_link(request, "private_link", f"link:{request.reference}:{minute}")
        record("request.link_resent", actor, obj=request, prefecture_code=request.prefecture.code)


def do_expire_drafts(actor: Actor | None = None) -> int:
    """Drafts whose contact was never verified expire after CRENEAU_DRAFT_TTL_HOURS."""
    actor = actor or Actor.system("expire_drafts")
    limit = timezone.now() - datetime.timedelta(hours=settings.CRENEAU_DRAFT_TTL_HOURS)
    count = 0
    for request in Request.objects.filter(status=Status.DRAFT, created_at__lt=limit).select_related(
        "prefecture"
    )[:1000]:
        with transaction.atomic():
            try:
                transition(request, Status.EXPIRED, actor, "request.draft_expired")
            except ActionError:
                continue
        count += 1
    return count


def do_file_verified(
    data: FilingData,
    actor: Actor,
    *,
    channel: str,
    attestation: str,
    now: datetime.datetime | None = None,
    send_link: bool = True,
) -> Request:
    """File a request whose identity and contact were checked by other means: an agent or an
    accredited helper saw the identity document at a counter (``attestation`` says so, audited).

    Same queue, same batch and lottery as an online filing: the route gives no priority.
    ``now`` lets the demo seed file requests in past batches; everything else uses the clock.
    """
    if not attestation.strip():
        raise ActionError(_("L'attestation de vérification d'identité est obligatoire."), code="attestation")
    if not data.sites:
        raise ActionError(_("Choisissez au moins un lieu d'accueil."))
    procedure = data.procedure
    key = identity_key(data.surnames, data.given_names, data.birth_date)
    moment = now or timezone.now()
    try:
        with transaction.atomic():
            if _active_request(procedure.prefecture_id, procedure.pk, key):
                raise DuplicateActiveRequest()
            batch = current_batch(procedure.prefecture, moment)
            request = _create_request(
                data,
                key,
                actor,
                channel,
                moment,
                status=Status.PENDING,
                batch=batch,
                filed_at=moment,
                link_nonce=new_link_nonce(),
            )
            record(
                "request.filed",
                actor,
                obj=request,
                prefecture_code=procedure.prefecture.code,
                data={
                    "batch": batch.index,
                    "channel": channel,
                    "attestation": attestation[:200],
                    "from": Status.DRAFT,
                    "to": Status.PENDING,
                },
            )
            if send_link and (data.email or data.phone):
                _send_private_link(request, "request_filed", f"filed:{request.reference}")
            _flag_near_duplicates(request)
    except IntegrityError as exc:
        raise DuplicateActiveRequest() from exc
    return request
