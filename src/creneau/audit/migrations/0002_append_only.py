"""The audit table is append-only: the database refuses UPDATE and DELETE on it."""

from django.db import migrations


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for op in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER audit_auditevent_no_{op.lower()} BEFORE {op} ON audit_auditevent "
                "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;"
            )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'insufficient_privilege'; "
            "END; $$ LANGUAGE plpgsql;"
        )
        schema_editor.execute(
            "CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_auditevent_no_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_auditevent_no_delete")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
