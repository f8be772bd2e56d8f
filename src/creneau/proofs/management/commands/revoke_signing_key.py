import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from creneau.audit.log import Actor
from creneau.proofs.keys import RevocationError, RotationConflict, do_revoke, rotate
from creneau.proofs.models import SigningKey


class Command(BaseCommand):
    help = (
        "Revoke a signing key from a date on (the earliest moment it may have leaked): tokens it signed "
        "from then on are refused, earlier ones still verify. A revoked active key is replaced."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kid", help="the key id (as in the JWKS)")
        parser.add_argument(
            "--at", required=True, help="ISO 8601 date and time with offset, e.g. 2025-03-12T10:00Z"
        )
        parser.add_argument("--reason", default="", help="why (kept in the audit log)")

    def handle(self, *args: object, **options: object) -> None:
        try:
            at = datetime.datetime.fromisoformat(str(options["at"]))
        except ValueError as exc:
            raise CommandError(f"--at: not an ISO 8601 date and time: {options['at']}") from exc
        if at.tzinfo is None:
            raise CommandError("--at needs an offset (Z, +00:00, +04:00…)")
        was_active = SigningKey.objects.filter(kid=options["kid"], status=SigningKey.Status.ACTIVE).exists()
        try:
            row = do_revoke(
                str(options["kid"]),
                at,
                actor=Actor.system("revoke_signing_key"),
                reason=str(options["reason"]),
            )
        except RevocationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Revoked {row.kid} from {at.astimezone(datetime.UTC).isoformat()}")
        if was_active:
            if settings.CRENEAU_SIGNING_KEY:
                self.stdout.write(
                    "It was the active key: deploy a new CRENEAU_SIGNING_KEY to every process now."
                )
                return
            try:
                key = rotate(actor=Actor.system("revoke_signing_key"))
            except RotationConflict as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"Active signing key: {key.kid}")
