import base64
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from creneau.booking.models import Prefecture

# A fixed, public demo TOTP seed: type it into any authenticator app (or use `oathtool --totp -b`).
# Demo only: real accounts enrol their own secret at first login.
DEMO_TOTP_KEY_HEX = "4352454e4541552d44454d4f2d544f54502d3031"  # b"CRENEAU-DEMO-TOTP-01"


class Command(BaseCommand):
    help = (
        "Create the demo's accounts (password generated on this machine, kept in var/) and print them: "
        "the admin superuser, and back-office accounts (a manager and an agent per prefecture, a helper "
        "organisation member) with a fixed demo TOTP seed."
    )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        path = settings.VAR_DIR / "demo_agent_password"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(12))
            path.chmod(0o600)
        password = path.read_text().strip()
        User = get_user_model()
        user, _ = User.objects.get_or_create(
            username="agent.demo", defaults={"email": "agent.demo@creneau.example"}
        )
        user.is_staff = True
        user.is_superuser = True
        user.set_password(password)
        user.save()
        from django_otp.plugins.otp_totp.models import TOTPDevice

        # The Django admin asks for a TOTP code too (OTPAdminSite): the same public demo seed.
        TOTPDevice.objects.filter(user=user).delete()
        TOTPDevice.objects.create(user=user, name="démo", key=DEMO_TOTP_KEY_HEX, confirmed=True)
        self.stdout.write(
            f"Demo administrator: {settings.SITE_URL}/admin/  user: agent.demo  password: {password}"
            "  (TOTP: the demo seed below)"
        )
        self._backoffice(password)

    @transaction.atomic
    def _backoffice(self, password: str) -> None:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from creneau.accounts.models import AgentProfile, Organisation, Role

        User = get_user_model()
        prefectures = list(Prefecture.objects.order_by("code"))
        if not prefectures:
            self.stdout.write("No prefecture yet: run seed_demo first for back-office demo accounts.")
            return
        organisation, _ = Organisation.objects.get_or_create(
            name="France Services de démonstration", defaults={"kind": Organisation.Kind.FRANCE_SERVICES}
        )
        organisation.prefectures.set(prefectures)
        accounts: list[tuple[str, Role, list[Prefecture], Organisation | None]] = []
        for p in prefectures:
            accounts += [
                (f"responsable.{p.code}", Role.MANAGER, [p], None),
                (f"agent.{p.code}", Role.AGENT, [p], None),
            ]
        accounts.append(("aidant.demo", Role.HELPER, prefectures, organisation))
        for username, role, scope, org in accounts:
            user, _ = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@creneau.example"}
            )
            user.set_password(password)
            user.is_active = True
            user.save()
            profile, _ = AgentProfile.objects.update_or_create(
                user=user, defaults={"role": role, "organisation": org}
            )
            profile.prefectures.set(scope)
            TOTPDevice.objects.filter(user=user).delete()
            TOTPDevice.objects.create(user=user, name="démo", key=DEMO_TOTP_KEY_HEX, confirmed=True)
        secret = base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY_HEX)).decode().rstrip("=")
        self.stdout.write(
            f"Back office: {settings.SITE_URL}/agents/connexion/  password (all accounts): {password}\n"
            f"  accounts: {', '.join(a[0] for a in accounts)}\n"
            f"  TOTP (demo seed, same for all): {secret}  — e.g. `oathtool --totp -b {secret}`"
        )
