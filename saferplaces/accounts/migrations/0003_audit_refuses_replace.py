"""On SQLite, ``INSERT OR REPLACE`` / ``REPLACE INTO`` delete the row they
conflict with without firing DELETE triggers (unless recursive triggers are
on), so 0002's triggers did not stop them overwriting an audit entry. A
BEFORE INSERT trigger refuses any insert whose id is already taken, before
the conflict is resolved. (PostgreSQL's ``ON CONFLICT DO UPDATE`` fires the
UPDATE trigger 0002 made.)
"""

from django.db import migrations

TABLE = "accounts_auditevent"

SQLITE = [
    f"""CREATE TRIGGER {TABLE}_no_replace BEFORE INSERT ON {TABLE}
        WHEN EXISTS (SELECT 1 FROM {TABLE} WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;""",
]
SQLITE_REVERSE = [f"DROP TRIGGER IF EXISTS {TABLE}_no_replace;"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_audit_append_only")]

    operations = [
        migrations.RunPython(_run({"sqlite": SQLITE}), _run({"sqlite": SQLITE_REVERSE}))
    ]
