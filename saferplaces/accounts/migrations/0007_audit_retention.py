"""Audit entries older than a year may be deleted (retention, by
``saferplaces audit prune``); younger ones never. UPDATE, TRUNCATE and
REPLACE stay refused as before. A year is the floor the database itself
keeps: SAFERPLACES_AUDIT_RETENTION_DAYS may be longer, never shorter.

Django stores SQLite datetimes as UTC text ('YYYY-MM-DD HH:MM:SS.ffffff'),
which compares correctly with datetime('now', ...).
"""

from django.db import migrations

TABLE = "accounts_auditevent"
FLOOR_DAYS = 365

SQLITE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete;",
    f"""CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE}
        WHEN OLD.at > datetime('now', '-{FLOOR_DAYS} days')
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;""",
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete;",
    f"""CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;""",
]

POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION saferplaces_audit_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE'
               AND OLD.at < now() - interval '{FLOOR_DAYS} days' THEN
                RETURN OLD;
            END IF;
            RAISE EXCEPTION 'the audit log is append-only';
        END; $$;""",
]
POSTGRES_REVERSE = [
    """CREATE OR REPLACE FUNCTION saferplaces_audit_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$;""",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_audit_time_set_when_it_happened")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
