"""The one write path for back-office accounts, and the counter route's filing.

Each ``do_*`` validates (``ActionError``, nothing changed), writes in one transaction and records
an audit event (who, when, what, from which address) in that same transaction.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from creneau.audit.log import Actor, record
from creneau.booking.actions import ActionError, FilingData, do_file_verified
from creneau.booking.models import Prefecture, Request

from .models import AgentProfile, HelperFiling, Organisation, Role
from .roles import GRANTABLE_BY_MANAGER, prefectures_of

TOTP_DEVICE_NAME = "application d'authentification"


def agent_actor(user: Any, ip_address: str | None = None) -> Actor:
    """The audit actor for a back-office user: agent, or helper for helper organisation members."""
    profile = getattr(user, "agent_profile", None)
    kind = "helper" if profile is not None and profile.role == Role.HELPER else "agent"
    label = user.get_username()
    if profile is not None and profile.organisation_id:
        label = f"{label} ({profile.organisation.name})"
    return Actor(type=kind, label=label, user=user, ip_address=ip_address)


# --- Accounts -------------------------------------------------------------------------------------


def check_password(password: str, user: Any = None) -> None:
    """At least 12 characters, no composition rules, common and breached passwords refused."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ActionError(" ".join(str(m) for m in exc.messages), code="password") from exc


def do_create_account(
    *,
    username: str,
    email: str,
    role: str,
    prefectures: Iterable[Prefecture],
    password: str,
    actor: Actor,
    by: AgentProfile,
    organisation: Organisation | None = None,
) -> AgentProfile:
    """Create a back-office account. Its owner enrols a TOTP device at first login (mandatory).

    A manager may only create managers, agents, helpers and auditors of their own prefectures.
    """
    prefectures = list(prefectures)
    User = get_user_model()
    if role not in Role.values:
        raise ActionError(_("Rôle inconnu."), code="role")
    if by.role != Role.NATIONAL_ADMIN and role not in GRANTABLE_BY_MANAGER:
        raise ActionError(_("Vous ne pouvez pas attribuer ce rôle."), code="role")
    if role != Role.NATIONAL_ADMIN and not prefectures:
        raise ActionError(_("Choisissez au moins une préfecture."), code="prefectures")
    allowed = set(prefectures_of(by).values_list("pk", flat=True))
    if any(p.pk not in allowed for p in prefectures):
        raise ActionError(_("Vous ne pouvez pas donner accès à cette préfecture."), code="prefectures")
    if role == Role.HELPER and organisation is None:
        raise ActionError(_("Un aidant doit appartenir à une structure habilitée."), code="organisation")
    if role != Role.HELPER:
        organisation = None
    elif organisation is not None:
        accredited = set(organisation.prefectures.values_list("pk", flat=True))
        if not organisation.is_active or any(p.pk not in accredited for p in prefectures):
            raise ActionError(
                _("Cette structure n'est pas habilitée dans cette préfecture."), code="organisation"
            )
    if User.objects.filter(username__iexact=username).exists():
        raise ActionError(_("Cet identifiant est déjà pris."), code="username")
    candidate = User(username=username, email=email)
    check_password(password, candidate)
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, email=email, password=password)
            profile = AgentProfile.objects.create(user=user, role=role, organisation=organisation)
            profile.prefectures.set(prefectures)
            record(
                "account.created",
                actor,
                obj=user,
                object_type="user",
                prefecture_code=prefectures[0].code if len(prefectures) == 1 else "",
                data={
                    "username": username,
                    "role": role,
                    "prefectures": sorted(p.code for p in prefectures),
                    "organisation": organisation.name if organisation else "",
                },
            )
    except IntegrityError as exc:
        raise ActionError(_("Cet identifiant est déjà pris."), code="username") from exc
    return profile


def do_set_account_active(profile: AgentProfile, active: bool, actor: Actor) -> None:
    """Disable (or enable again) an account. Disabling ends every session it has, at once."""
    with transaction.atomic():
        locked = AgentProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
        user = locked.user
        if user.is_active == active:
            return
        if not active and actor.user is not None and actor.user.pk == user.pk:
            raise ActionError(_("Vous ne pouvez pas désactiver votre propre compte."), code="self")
        user.is_active = active
        user.save(update_fields=["is_active"])
        locked.session_version += 1
        locked.disabled_at = None if active else timezone.now()
        locked.save(update_fields=["session_version", "disabled_at"])
        record(
            "account.enabled" if active else "account.disabled",
            actor,
            obj=user,
            object_type="user",
            data={"username": user.get_username()},
        )
    profile.refresh_from_db()


def do_change_password(user: Any, old_password: str, new_password: str, actor: Actor) -> None:
    """Change one's password; other sessions end (the session version moves on)."""
    if not user.check_password(old_password):
        raise ActionError(_("Le mot de passe actuel est incorrect."), code="old_password")
    check_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        AgentProfile.objects.filter(user=user).update(session_version=F("session_version") + 1)
        record("account.password_changed", actor, obj=user, object_type="user")


# --- Helper organisations -----------------------------------------------------------------------


def do_accredit_organisation(
    prefecture: Prefecture,
    actor: Actor,
    *,
    name: str = "",
    kind: str = "",
    organisation: Organisation | None = None,
) -> Organisation:
    """Accredit a helper organisation in ``prefecture`` (creating it when ``organisation`` is None)."""
    name = " ".join(name.split())
    if organisation is None:
        if not name:
            raise ActionError(_("Indiquez le nom de la structure."), code="name")
        if kind not in Organisation.Kind.values:
            raise ActionError(_("Type de structure inconnu."), code="kind")
        if Organisation.objects.filter(name__iexact=name).exists():
            raise ActionError(
                _("Une structure porte déjà ce nom : habilitez-la plutôt que d'en créer une autre."),
                code="name",
            )
    with transaction.atomic():
        if organisation is None:
            organisation = Organisation.objects.create(name=name, kind=kind)
        organisation.prefectures.add(prefecture)
        record(
            "organisation.accredited",
            actor,
            obj=organisation,
            object_type="organisation",
            prefecture_code=prefecture.code,
            data={"name": organisation.name, "kind": organisation.kind},
        )
    return organisation


def do_withdraw_accreditation(organisation: Organisation, prefecture: Prefecture, actor: Actor) -> int:
    """The organisation may no longer file in ``prefecture``; its members there are disabled (their
    sessions end). Filings already made stay, attributed to it. Returns how many accounts were disabled."""
    with transaction.atomic():
        organisation.prefectures.remove(prefecture)
        members = list(
            AgentProfile.objects.filter(
                organisation=organisation, prefectures=prefecture, user__is_active=True
            )
        )
        disabled = 0
        for member in members:
            member.prefectures.remove(prefecture)
            if not member.prefectures.exists():
                do_set_account_active(member, False, actor)
                disabled += 1
        record(
            "organisation.accreditation_withdrawn",
            actor,
            obj=organisation,
            object_type="organisation",
            prefecture_code=prefecture.code,
            data={"name": organisation.name, "members_disabled": disabled},
        )
    return disabled


# --- Second factor --------------------------------------------------------------------------------


def totp_device_for_enrolment(user: Any) -> TOTPDevice:
    """The user's unconfirmed TOTP device, created on first call (the secret is shown to enrol)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def base32_secret(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def check_totp(device: TOTPDevice, token: str) -> bool:
    token = "".join(token.split())
    return len(token) == 6 and token.isdigit() and bool(device.verify_token(token))


def do_confirm_totp(device: TOTPDevice, token: str, actor: Actor) -> None:
    """Enrolment: the first right code confirms the device (then it is required at every login)."""
    if not check_totp(device, token):
        raise ActionError(_("Code incorrect. Vérifiez l'heure de votre téléphone et réessayez."), code="totp")
    with transaction.atomic():
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        TOTPDevice.objects.filter(user=device.user, confirmed=False).exclude(pk=device.pk).delete()
        record("account.totp_enrolled", actor, obj=device.user, object_type="user")
    device.confirmed = True


def do_reset_totp(profile: AgentProfile, actor: Actor) -> None:
    """A manager removes a lost second factor: the person enrols a new one at next login, and
    their current sessions end."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=profile.user).delete()
        AgentProfile.objects.filter(pk=profile.pk).update(session_version=F("session_version") + 1)
        record(
            "account.totp_reset",
            actor,
            obj=profile.user,
            object_type="user",
            data={"username": profile.user.get_username()},
        )


def record_security_event(
    action: str, actor: Actor, data: dict[str, Any] | None = None, prefecture_code: str = "", user: Any = None
) -> None:
    """Audit a security event that changes nothing else (login, failure, throttling, refused access)."""
    with transaction.atomic():
        record(
            action,
            actor,
            obj=user,
            object_type="user" if user is not None else "",
            prefecture_code=prefecture_code,
            data=data,
            chain="main",
        )


# --- Counter route --------------------------------------------------------------------------------


def do_file_for_applicant(
    data: FilingData, actor: Actor, *, profile: AgentProfile, attestation: str
) -> Request:
    """An agent (at a counter) or a helper files for an applicant, who may have no e-mail and no phone.

    Same form rules, same queue, same batch and lottery: the route gives no priority. The
    identity check is the agent's attestation (audited). A helper's filing is attributed to the
    organisation (``HelperFiling``) in the same transaction. Without a contact no message is sent
    at all; the applicant leaves with the printed receipt.
    """
    if data.procedure.prefecture_id not in set(prefectures_of(profile).values_list("pk", flat=True)):
        raise ActionError(_("Vous ne pouvez pas déposer de demande pour cette préfecture."), code="scope")
    if not data.procedure.is_open:
        raise ActionError(_("Cette démarche n'est pas ouverte."), code="closed")
    helper = profile.role == Role.HELPER
    if helper and (profile.organisation is None or not profile.organisation.is_active):
        raise ActionError(_("Votre structure n'est plus habilitée."), code="organisation")
    channel = Request.Channel.HELPER if helper else Request.Channel.COUNTER
    with transaction.atomic():
        request = do_file_verified(
            data, actor, channel=channel, attestation=attestation, send_link=bool(data.email or data.phone)
        )
        if helper:
            assert profile.organisation is not None
            HelperFiling.objects.create(request=request, organisation=profile.organisation, user=profile.user)
            record(
                "request.helper_filing",
                actor,
                obj=request,
                prefecture_code=request.prefecture.code,
                data={"organisation": profile.organisation.name},
            )
    return request
