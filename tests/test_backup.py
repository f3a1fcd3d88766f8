"""Backup and restore of both stores: a round trip that compares everything
(every database row, every store table's rows and versions, every evidence
file, the key), on SQLite and on PostgreSQL (whichever this leg runs)."""

from __future__ import annotations

import importlib
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from saferplaces.accounts import audit
from saferplaces.accounts.models import AuditEvent, User
from saferplaces.analytics.store import Store
from saferplaces.backup import BackupError, backup, check, restore
from saferplaces.cli import main
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from saferplaces.partnership.models import Evidence, Plan
from saferplaces.partnership.services import load_demo_plan
from tests.ingest.conftest import FEBRUARY, JANUARY

RETENTION = importlib.import_module(
    "saferplaces.accounts.migrations.0007_audit_retention"
)
TABLE = "accounts_auditevent"


@pytest.fixture
def audit_guard_back_after_flush(django_db_blocker):
    """Requested before the database: its teardown runs after the test
    database is emptied, and puts back the guard paused for that."""
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for statement in RETENTION.SQLITE:
                cursor.execute(statement)
        else:
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")


@pytest.fixture
def committed_db(audit_guard_back_after_flush, transactional_db):
    """Committed rows (pg_dump and pg_restore see only those). Emptying the
    test database afterwards deletes audit entries, which the database
    refuses: the guard is paused for the flush, and put back after it."""
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_delete")
        else:
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")


@pytest.fixture
def installation(committed_db, settings, tmp_path, make_user):
    data = tmp_path / "data"
    settings.DATA_DIR = data
    settings.MEDIA_ROOT = data / "uploads"
    (data).mkdir()
    (data / "secret_key").write_text("a-secret-for-the-round-trip")
    run_load(Store(data / "store"), get_source("police-uk-street"), [JANUARY])
    plan, _ = load_demo_plan()
    make_user("analyst", username="ana")
    action = plan.actions.order_by("id").first()
    update = action.updates.create(text="Minutes attached.", status="on_track")
    Evidence.objects.create(
        update=update,
        file=SimpleUploadedFile("minutes.txt", b"the minutes"),
        name="minutes.txt",
        content_type="text/plain",
        size=11,
    )
    audit.record("login", detail={"username": "ana"})
    return data


def database_rows() -> str:
    """Every row of every table the app keeps, as JSON."""
    out = io.StringIO()
    call_command(
        "dumpdata",
        "accounts",
        "partnership",
        "auth",
        "axes",
        "sessions",
        indent=None,
        stdout=out,
    )
    rows = json.loads(out.getvalue())
    # The restore records itself; everything else must be as it was.
    return json.dumps(
        [
            row
            for row in rows
            if not (
                row["model"] == "accounts.auditevent"
                and row["fields"]["action"] in ("backup_made", "backup_restored")
            )
        ],
        sort_keys=True,
    )


def store_contents(data: Path) -> dict[str, object]:
    store = Store(data / "store")
    return {
        "versions": store.table_versions(),
        "rows": {
            table: sorted(map(str, store.query(f"SELECT * FROM {table}").to_pylist()))
            for table in store.tables()
        },
        "secret": store.record_key_secret(),
    }


def uploads(data: Path) -> dict[str, bytes]:
    folder = data / "uploads"
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_a_round_trip_gives_back_everything(installation, tmp_path):
    before = (database_rows(), store_contents(installation), uploads(installation))
    result = CliRunner().invoke(main, ["backup", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output

    # Then things change: a load, new people and plans, files gone.
    run_load(Store(installation / "store"), get_source("police-uk-street"), [FEBRUARY])
    User.objects.filter(username="ana").delete()
    Plan.objects.filter(slug__startswith="neighbouring").delete()
    AuditEvent.objects.create(action="login")
    for path in (installation / "uploads").rglob("*"):
        if path.is_file():
            path.unlink()
    (installation / "secret_key").write_text("another key")
    assert store_contents(installation) != before[1]

    result = CliRunner().invoke(main, ["restore", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    after = (database_rows(), store_contents(installation), uploads(installation))
    assert after[0] == before[0]
    assert after[1] == before[1]
    assert after[2] == before[2]
    assert (installation / "secret_key").read_text() == "a-secret-for-the-round-trip"
    assert AuditEvent.objects.filter(action="backup_restored").exists()

    # What the restore replaced was kept: the February load is in it.
    [aside] = installation.glob("before-restore-*")
    manifest = check(aside)
    assert manifest["table_versions"] != before[1]["versions"]


def test_a_damaged_backup_is_refused_and_changes_nothing(installation, tmp_path):
    backup(tmp_path / "backup")
    run_load(Store(installation / "store"), get_source("police-uk-street"), [FEBRUARY])
    now = (database_rows(), store_contents(installation))
    damaged = next((tmp_path / "backup" / "store").rglob("*.parquet"))
    damaged.write_bytes(damaged.read_bytes()[:-10])
    with pytest.raises(BackupError, match=r"damaged: store/.*has changed"):
        restore(tmp_path / "backup")
    assert (database_rows(), store_contents(installation)) == now
    assert list(installation.glob("before-restore-*")) == []


def test_backup_refuses_a_folder_with_something_in_it(installation, tmp_path):
    folder = tmp_path / "used"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["backup", str(folder)])
    assert result.exit_code == 1
    assert "is not empty" in result.output
    assert (folder / "notes.txt").read_text() == "mine"


def test_restore_refuses_a_folder_that_is_not_a_backup(installation, tmp_path):
    result = CliRunner().invoke(main, ["restore", str(tmp_path)])
    assert result.exit_code == 1
    assert "not a saferplaces backup" in result.output
