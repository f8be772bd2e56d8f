"""The database itself refuses a request status change that the lifecycle does not allow.

Built from creneau.booking.workflow.TRANSITIONS as it stands at this migration (copied here so
that a later edit of the workflow needs a new migration, which tests/test_consistency.py checks).
"""

from django.db import migrations

TRANSITIONS = [
    ("draft", "pending"), ("draft", "expired"), ("draft", "withdrawn"),
    ("pending", "offered"), ("pending", "withdrawn"), ("pending", "closed"),
    ("offered", "confirmed"), ("offered", "pending"), ("offered", "suspended"), ("offered", "withdrawn"),
    ("confirmed", "attended"), ("confirmed", "no_show"), ("confirmed", "cancelled"), ("confirmed", "pending"),
    ("confirmed", "withdrawn"),
    ("suspended", "pending"), ("suspended", "withdrawn"), ("suspended", "closed"),
    ("no_show", "closed"),
]


def _allowed_sql() -> str:
    return " OR ".join(f"(OLD.status = '{a}' AND NEW.status = '{b}')" for a, b in TRANSITIONS)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    allowed = _allowed_sql()
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER booking_request_status_transition BEFORE UPDATE OF status ON booking_request "
            f"WHEN OLD.status <> NEW.status AND NOT ({allowed}) "
            "BEGIN SELECT RAISE(ABORT, 'request status transition not allowed'); END;"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION booking_request_status_transition() RETURNS trigger AS $$ BEGIN "
            f"IF OLD.status <> NEW.status AND NOT ({allowed}) THEN "
            "RAISE EXCEPTION 'request status transition not allowed: %% -> %%', OLD.status, NEW.status "
            "USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END; $$ LANGUAGE plpgsql;"
        )
        schema_editor.execute(
            "CREATE TRIGGER booking_request_status_transition BEFORE UPDATE OF status ON booking_request "
            "FOR EACH ROW EXECUTE FUNCTION booking_request_status_transition();"
        )


def backwards(apps, schema_editor):
    schema_editor.execute("DROP TRIGGER IF EXISTS booking_request_status_transition"
                          + (" ON booking_request" if schema_editor.connection.vendor == "postgresql" else ""))


class Migration(migrations.Migration):
    dependencies = [("booking", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
