"""store vacuum (files no version refers to) and store verify."""

from __future__ import annotations

import os
import shutil
import time
from datetime import timedelta

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from deltalake import DeltaTable

from saferplaces.analytics.store import Store, UnreadableVersion
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import CORRECTED_JANUARY, FEBRUARY, JANUARY


@pytest.fixture
def store(tmp_path) -> Store:
    store = Store(tmp_path / "store")
    source = get_source("police-uk-street")
    run_load(store, source, [JANUARY, FEBRUARY])
    # A correction: January's old file is no longer current but an older
    # version still names it (--as-of reads it), so it must stay.
    run_load(store, source, [CORRECTED_JANUARY], allow_shrink=True)
    return store


def orphan(store: Store, hours_old: float) -> str:
    """A Parquet file as a killed load leaves it: written, never committed."""
    folder = store.root / "street_crime" / "force=west-midlands" / "month=2024-01"
    path = folder / f"part-killed-{hours_old}.parquet"
    pq.write_table(pa.table({"crime_id": ["x"]}), path)
    then = time.time() - hours_old * 3600
    os.utime(path, (then, then))
    return str(path)


def test_vacuum_removes_only_old_files_no_version_refers_to(store):
    old, young = orphan(store, 48), orphan(store, 1)
    listed = store.vacuum(timedelta(hours=24), dry_run=True)
    assert [str(p) for p in listed] == [old]
    assert os.path.exists(old)  # a dry run removes nothing
    assert [str(p) for p in store.vacuum(timedelta(hours=24))] == [old]
    assert not os.path.exists(old)
    assert os.path.exists(young)  # a load may still be writing it
    # Every version still reads, the replaced January included.
    assert (
        store.query("SELECT count(*) AS n FROM street_crime", as_of=1)["n"][0].as_py()
        == 7
    )
    assert store.verify() == []


def test_verify_reports_a_missing_file_and_a_wrong_row_count(store):
    files = sorted((store.root / "street_crime").rglob("*.parquet"))
    files[0].unlink()
    pq.write_table(pa.table({"crime_id": ["a", "b", "c", "d", "e", "f"]}), files[1])
    problems = store.verify()
    assert any("is missing" in problem for problem in problems)
    assert any("the log says" in problem for problem in problems)


@pytest.mark.django_db
def test_the_commands(store, settings):
    from saferplaces.cli import main

    settings.DATA_DIR = store.root.parent
    old = orphan(store, 48)
    listed = CliRunner().invoke(main, ["store", "vacuum", "--dry-run"])
    assert listed.exit_code == 0, listed.output
    assert old in listed.output
    assert "Would remove 1 file(s)" in listed.output
    assert CliRunner().invoke(main, ["store", "verify"]).exit_code == 0
    shutil.rmtree(store.root / "street_crime" / "force=west-midlands")
    broken = CliRunner().invoke(main, ["store", "verify"])
    assert broken.exit_code == 1
    assert "is missing" in broken.output


def every_file(store: Store) -> dict[str, bytes]:
    return {
        str(path.relative_to(store.root)): path.read_bytes()
        for path in sorted(store.root.rglob("*"))
        if path.is_file()
    }


def log_of(store: Store, version: int) -> str:
    return str(store.root / "street_crime" / "_delta_log" / f"{version:020d}.json")


def unreadable_first_version(store: Store) -> None:
    """Version 0 of street_crime cannot be read (its log entry is corrupt)
    while the newest version's files are still known (from a checkpoint),
    so the table is still listed and looked through. Only version 0 names
    January's first file, so it would look like an orphan; every file is
    made older than any grace, so only a refusal keeps it."""
    DeltaTable(str(store.root / "street_crime")).create_checkpoint()
    with open(log_of(store, 0), "w") as log:
        log.write("{not json")
    then = time.time() - 48 * 3600
    for path in store.root.rglob("*.parquet"):
        os.utime(path, (then, then))


def test_vacuum_refuses_while_a_version_cannot_be_read(store):
    unreadable_first_version(store)
    before = every_file(store)
    for dry_run in (True, False):
        with pytest.raises(UnreadableVersion) as refused:
            store.vacuum(timedelta(hours=1), dry_run=dry_run)
        assert str(refused.value).startswith("street_crime: version 0 cannot be read")
        assert "Nothing was removed" in str(refused.value)
    assert every_file(store) == before


def test_verify_reports_a_version_that_cannot_be_read(store):
    unreadable_first_version(store)
    problems = store.verify()
    assert problems[0].startswith("street_crime: version 0 cannot be read")


def test_a_version_expired_behind_a_checkpoint_is_not_unreadable(store):
    """Delta's log clean-up removes commits behind a checkpoint by design:
    nothing can be read as of them any more, and that is not damage."""
    DeltaTable(str(store.root / "street_crime")).create_checkpoint()
    os.unlink(log_of(store, 0))
    assert store.verify() == []
    assert store.vacuum(timedelta(hours=24), dry_run=True) == []


@pytest.mark.django_db
def test_the_commands_refuse_and_report_a_version_that_cannot_be_read(store, settings):
    from saferplaces.cli import main

    settings.DATA_DIR = store.root.parent
    unreadable_first_version(store)
    before = every_file(store)
    for arguments in (["--dry-run"], ["--grace-hours", "1"]):
        refused = CliRunner().invoke(main, ["store", "vacuum", *arguments])
        assert refused.exit_code == 1, refused.output
        assert "street_crime: version 0 cannot be read" in refused.output
        assert "Nothing was removed" in refused.output
    assert every_file(store) == before
    verified = CliRunner().invoke(main, ["store", "verify"])
    assert verified.exit_code == 1
    assert "street_crime: version 0 cannot be read" in verified.output
