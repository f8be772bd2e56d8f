"""``manage.py verify_audit_chain``: walk every audit chain; exit 1 naming the first bad event."""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser

from creneau.audit.log import verify_chain
from creneau.audit.models import AuditEvent, ChainHead


class Command(BaseCommand):
    help = "Verify the audit log's hash chain (and the published daily heads); exit 1 at the first problem."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chain", action="append", help="chain to check (default: every chain)")

    def handle(self, *args: object, **options: object) -> None:
        chains: list[str] = list(options.get("chain") or []) or sorted(  # type: ignore[call-overload]
            set(ChainHead.objects.values_list("chain", flat=True))
            | set(AuditEvent.objects.values_list("chain", flat=True).distinct())
        )
        failed = False
        for chain in chains:
            report = verify_chain(chain)
            if not report.ok:
                failed = True
                self.stderr.write(
                    f"chain {chain}: FAILED at event {report.first_bad_seq}: {report.problem} "
                    f"({report.checked} events verified before it)"
                )
                continue
            head = ChainHead.objects.filter(chain=chain).values_list("head_hash", flat=True).first() or ""
            self.stdout.write(f"chain {chain}: OK, {report.checked} events, head {head}")
            for problem in self._published_heads(chain):
                failed = True
                self.stderr.write(f"chain {chain}: FAILED: {problem}")
        if failed:
            raise CommandError("the audit chain does not verify", returncode=1)

    def _published_heads(self, chain: str) -> list[str]:
        if not apps.is_installed("creneau.stats"):
            return []
        from creneau.stats.heads import check_published_heads

        return check_published_heads(chain)
