"""Back-office people: accounts with a role, prefectures, a confirmed TOTP device; and logging them in."""

from __future__ import annotations

import time

import factory
from django.contrib.auth import get_user_model
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from creneau.accounts.middleware import start_session
from creneau.accounts.models import AgentProfile, Organisation, Role

PASSWORD = "correct horse battery staple"
# Fixed 20-byte key (hex), so tests can compute codes.
TOTP_KEY = "3132333435363738393031323334353637383930"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@prefecture.example")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            self.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Association d'aide {n}")

    @factory.post_generation
    def prefectures(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            self.prefectures.set(extracted)


def make_agent(
    role: str,
    *prefectures,
    organisation: Organisation | None = None,
    totp: bool = True,
    username: str | None = None,
) -> AgentProfile:
    """An account with ``role`` on ``prefectures``, with a confirmed TOTP device unless ``totp=False``."""
    user = UserFactory(**({"username": username} if username else {}))
    if role == Role.HELPER and organisation is None:
        organisation = OrganisationFactory(prefectures=list(prefectures))
    profile = AgentProfile.objects.create(user=user, role=role, organisation=organisation)
    profile.prefectures.set(prefectures)
    if totp:
        TOTPDevice.objects.create(user=user, name="test", key=TOTP_KEY, confirmed=True)
    return profile


def code_now(device: TOTPDevice | None = None, at: float | None = None) -> str:
    key = bytes.fromhex(device.key if device else TOTP_KEY)
    return f"{totp(key, step=30, t0=0, digits=6, drift=0) if at is None else _totp_at(key, at):06d}"


def _totp_at(key: bytes, at: float) -> int:
    from django_otp.oath import TOTP

    t = TOTP(key, step=30, t0=0, digits=6)
    t.time = at
    return t.token()


def make_appointment(request, slot, confirmed: bool = False):  # type: ignore[no-untyped-def]
    """An offer of ``slot`` to ``request`` (as an allocation run makes), confirmed if asked."""
    import datetime

    from django.db import transaction
    from django.utils import timezone

    from creneau.audit.log import Actor
    from creneau.booking.actions.base import transition
    from creneau.booking.models import Offer
    from creneau.booking.workflow import Status

    now = timezone.now()
    with transaction.atomic():
        offer = Offer.objects.create(
            request=request,
            slot=slot,
            deadline=now + datetime.timedelta(days=3),
            short_code=f"C{request.pk:07d}",
            created_at=now,
        )
        transition(request, Status.OFFERED, Actor.system("test"), "request.offered")
        if confirmed:
            Offer.objects.filter(pk=offer.pk).update(status=Offer.Status.CONFIRMED)
            offer.status = Offer.Status.CONFIRMED
            transition(request, Status.CONFIRMED, Actor.system("test"), "request.confirmed")
    return offer


def log_in(client, profile: AgentProfile) -> None:  # type: ignore[no-untyped-def]
    """What a full login leaves in the session: user, verified second factor, back-office clock."""
    user = profile.user
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session["bo_login_at"] = session["bo_last_seen"] = int(time.time())
    session["bo_version"] = AgentProfile.objects.get(pk=profile.pk).session_version
    session.save()


__all__ = ["PASSWORD", "TOTP_KEY", "code_now", "log_in", "make_agent", "start_session"]
