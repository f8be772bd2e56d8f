"""What an attacker with direct database access does: lift the append-only protection, then rewrite."""

from django.db import connection


def tamper(sql, params=()):
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("DROP TRIGGER audit_auditevent_no_update")
            cur.execute("DROP TRIGGER audit_auditevent_no_delete")
        else:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending deferred checks may block the ALTER
            cur.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
        cur.execute(sql, params)
