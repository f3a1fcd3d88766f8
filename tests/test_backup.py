"""Backup and restore of both stores: a round trip that compares everything
(every database row, every store table's rows and versions, every evidence
file, the key), on SQLite and on PostgreSQL (whichever this leg runs)."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from saferplaces.accounts import audit
from saferplaces.accounts.models import AuditEvent, User
from saferplaces.analytics.store import Store
from saferplaces.backup import MANIFEST, BackupError, backup, check, restore
from saferplaces.cli import main
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from saferplaces.partnership.models import Evidence, Plan
from tests.factories import neighbouring_plan, road_safety_plan
from tests.support import FEBRUARY, JANUARY


@pytest.fixture
def installation(committed_db, settings, tmp_path, make_user):
    data = tmp_path / "data"
    settings.DATA_DIR = data
    settings.MEDIA_ROOT = data / "uploads"
    (data).mkdir()
    (data / "secret_key").write_text("a-secret-for-the-round-trip")
    run_load(Store(data / "store"), get_source("police-uk-street"), [JANUARY])
    # Two partnerships' plans (the demo's names, small), with their history.
    plan = road_safety_plan().plan
    neighbouring_plan()
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


def test_backups_are_readable_by_their_owner_only(installation, tmp_path):
    """Backups and before-restore copies hold personal data and the key:
    they were written 0644."""
    backup(tmp_path / "backup")
    restore(tmp_path / "backup")
    [aside] = installation.glob("before-restore-*")
    for folder in (tmp_path / "backup", aside):
        modes = {
            path.relative_to(folder).as_posix(): stat.S_IMODE(path.stat().st_mode)
            for path in folder.rglob("*")
        }
        assert modes
        wrong = {
            name: oct(mode)
            for name, mode in modes.items()
            if mode != (0o700 if (folder / name).is_dir() else 0o600)
        }
        assert wrong == {}


def test_a_restore_forgets_every_cached_page_and_count(installation, tmp_path):
    """A page or count kept from before the restore describes data that is
    gone: the running server kept its page cache across a restore."""
    from django.core.cache import caches

    backup(tmp_path / "backup")
    caches["default"].set("page:kept", b"a page of the old data")
    caches["limits"].set("rate:kept", 7)
    restore(tmp_path / "backup")
    assert caches["default"].get("page:kept") is None
    assert caches["limits"].get("rate:kept") is None


def serve(data: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SAFERPLACES_DATA_DIR": str(data)}
    env.pop("DATABASE_URL", None)
    return subprocess.Popen(
        [
            *(str(Path(sys.executable).parent / "saferplaces"), "serve"),
            *("--port", str(port), "--workers", "1"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_restore_refuses_while_a_server_holds_the_service(installation, tmp_path):
    """A restore under a running server lost 13 of 314 acknowledged writes:
    it is refused until the server stops, even when killed outright."""
    from tests.support import free_port, wait_for_a_worker

    backup(tmp_path / "backup")
    port = free_port()
    server = serve(installation, port)
    try:
        wait_for_a_worker(port)
        result = CliRunner().invoke(main, ["restore", str(tmp_path / "backup")])
        assert result.exit_code == 1
        assert "stop the service first" in result.output
        assert list(installation.glob("before-restore-*")) == []
    finally:
        server.kill()  # kill -9: the lock goes with the process
        server.wait(timeout=30)
    deadline = time.monotonic() + 30
    while (result := restore_once(tmp_path / "backup")).exit_code != 0:
        # The worker outlives a killed master by up to a second or two.
        assert time.monotonic() < deadline, result.output
        time.sleep(0.5)
    assert len(list(installation.glob("before-restore-*"))) == 1


def restore_once(folder: Path) -> Any:
    return CliRunner().invoke(main, ["restore", str(folder)])


def fake_backup(folder: Path, made_at: datetime) -> Path:
    folder.mkdir(parents=True)
    (folder / MANIFEST).write_text(
        json.dumps({"format": 1, "made_at": made_at.isoformat(), "files": {}})
    )
    return folder


def test_backup_prune_keeps_the_newest_and_says_what_it_removed(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    now = datetime.now(UTC)
    copies = [
        fake_backup(tmp_path / f"before-restore-{n}", now - timedelta(days=10 * n + 1))
        for n in range(4)
    ]
    mine = tmp_path / "before-restore-notes"  # not a backup: left alone
    mine.mkdir()
    result = CliRunner().invoke(main, ["backup", "prune", "--keep", "2"])
    assert result.exit_code == 0, result.output
    assert [path.exists() for path in copies] == [True, True, False, False]
    assert mine.exists()
    assert f"Removed {copies[2]}" in result.output
    assert f"Removed {copies[3]}" in result.output

    result = CliRunner().invoke(
        main, ["backup", "prune", "--newer-than", "5", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert [path.exists() for path in copies] == [True, False, False, False]


@pytest.mark.django_db
def test_no_server_starts_while_a_restore_runs(monkeypatch, settings, tmp_path):
    from saferplaces.service import held_for_restore

    settings.DATA_DIR = tmp_path
    started = []
    monkeypatch.setattr("os.execv", lambda _exe, args: started.append(args))
    monkeypatch.setattr("django.core.management.call_command", lambda *a, **k: None)
    with held_for_restore(tmp_path):
        result = CliRunner().invoke(main, ["serve", "--port", "8103"])
    assert result.exit_code == 1
    assert "a restore into" in result.output
    assert started == []
