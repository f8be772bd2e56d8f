import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the demo's agent account (password generated on this machine, kept in var/) and print it."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        path = settings.VAR_DIR / "demo_agent_password"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(12))
            path.chmod(0o600)
        password = path.read_text().strip()
        User = get_user_model()
        user, _ = User.objects.get_or_create(username="agent.demo", defaults={"email": "agent.demo@creneau.example"})
        user.is_staff = True
        user.is_superuser = True
        user.set_password(password)
        user.save()
        self.stdout.write(f"Demo agent login: {settings.SITE_URL}/admin/  user: agent.demo  password: {password}")
