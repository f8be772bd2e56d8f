from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from creneau.audit.log import Actor
from creneau.proofs.keys import RotationConflict, rotate


class Command(BaseCommand):
    help = "Start a new signing key; the current one is retired (its tokens still verify, it stays in JWKS)."

    def handle(self, *args: object, **options: object) -> None:
        try:
            key = rotate(actor=Actor.system("rotate_signing_key"))
        except (RotationConflict, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Active signing key: {key.kid}")
