"""Rules the database enforces by triggers, (re)installed after every migrate.

SQLite drops a table's triggers when a migration rebuilds the table (it copies it to a new one),
so the triggers are not only created by migrations 0002 but re-created on every ``post_migrate``,
from the live lifecycle table. Idempotent on both SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from django.db import connections

from creneau.booking.workflow import TRANSITIONS


def _allowed_sql() -> str:
    return " OR ".join(f"(OLD.status = '{a}' AND NEW.status = '{b}')" for a, b in sorted(TRANSITIONS))


def install_request_transition_trigger(using: str = "default") -> None:
    connection = connections[using]
    allowed = _allowed_sql()
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("DROP TRIGGER IF EXISTS booking_request_status_transition")
            cur.execute(
                "CREATE TRIGGER booking_request_status_transition BEFORE UPDATE OF status ON booking_request "
                f"WHEN OLD.status <> NEW.status AND NOT ({allowed}) "
                "BEGIN SELECT RAISE(ABORT, 'request status transition not allowed'); END;"
            )
        elif connection.vendor == "postgresql":
            cur.execute(
                "CREATE OR REPLACE FUNCTION booking_request_status_transition() RETURNS trigger AS $$ BEGIN "
                f"IF OLD.status <> NEW.status AND NOT ({allowed}) THEN "
                "RAISE EXCEPTION 'request status transition not allowed: % -> %', OLD.status, NEW.status "
                "USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END; $$ LANGUAGE plpgsql;"
            )
            cur.execute("DROP TRIGGER IF EXISTS booking_request_status_transition ON booking_request")
            cur.execute(
                "CREATE TRIGGER booking_request_status_transition BEFORE UPDATE OF status ON booking_request "
                "FOR EACH ROW EXECUTE FUNCTION booking_request_status_transition();"
            )


def install_audit_append_only_trigger(using: str = "default") -> None:
    connection = connections[using]
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            for op in ("UPDATE", "DELETE"):
                cur.execute(
                    f"CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_{op.lower()} "
                    f"BEFORE {op} ON audit_auditevent "
                    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;"
                )
        elif connection.vendor == "postgresql":
            cur.execute(
                "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'insufficient_privilege'; "
                "END; $$ LANGUAGE plpgsql;"
            )
            cur.execute("DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent")
            cur.execute(
                "CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent "
                "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();"
            )


def reinstall_triggers(sender: Any = None, using: str = "default", **kwargs: Any) -> None:
    install_request_transition_trigger(using)
    install_audit_append_only_trigger(using)
