"""Backup and restore of both stores together: the operational database and
the analytic store, with uploaded evidence and the embedded secret key.

A backup is a folder:

    manifest.json       what is here, each file's size and SHA-256, the
                        store's table versions, the database engine
    database.sqlite3    a consistent copy (SQLite's online backup), or
    database.pgdump     pg_dump's custom format (PostgreSQL)
    store/              the analytic store at the versions in the manifest
    uploads/            evidence files
    secret_key          the embedded mode's key, when there is one

Both stores are taken while the store's writer lock is held, so no load
commits between the database copy and the store copy. A restore checks
every file against the manifest before it touches anything, and first
backs up what it is about to replace (``before-restore-*`` in the data
folder): a restore loses nothing either. A restore is refused while a
server runs on the data folder (``saferplaces.service``), and forgets every
cached page and count once the data is back. Backups are readable by
their owner only, and ``prune`` removes old ones.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from saferplaces import __version__
from saferplaces.analytics.store import Store
from saferplaces.lib.pagecache import forget_everything_cached
from saferplaces.service import ServiceBusy, held_for_restore

FORMAT = 1
MANIFEST = "manifest.json"
BEFORE_RESTORE = "before-restore-"


class BackupError(Exception):
    """Why a backup or restore could not be made; nothing was changed."""


@dataclass(frozen=True)
class Summary:
    folder: Path
    files: int
    bytes: int
    table_versions: dict[str, int]
    kept_aside: Path | None = None  # restore: where the replaced data went


def data_dir() -> Path:
    return Path(settings.DATA_DIR)


def _store() -> Store:
    return Store(data_dir() / "store")


def backup(folder: Path) -> Summary:
    """Write a backup of everything into ``folder`` (new or empty)."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: choose a new folder")
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)  # it holds personal data and secrets
    store = _store()
    with store.writer_lock():
        database = _dump_database(folder)
        versions = store.table_versions()
        _copy_tree(store.root, folder / "store", skip={".lock"})
    _copy_tree(Path(settings.MEDIA_ROOT), folder / "uploads")
    key = data_dir() / "secret_key"
    if key.exists():
        shutil.copy2(key, folder / "secret_key")
    _owner_only(folder)
    files = _checksums(folder)
    manifest = {
        "format": FORMAT,
        "saferplaces_version": __version__,
        "made_at": datetime.now(UTC).isoformat(),
        "database": {"engine": connection.vendor, "file": database},
        "table_versions": versions,
        "files": files,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    os.chmod(folder / MANIFEST, 0o600)
    return Summary(folder, len(files), sum(f["size"] for f in files.values()), versions)


def restore(folder: Path) -> Summary:
    """Put the database, store, uploads and key back as ``folder`` has them,
    then bring the database up to this saferplaces (migrations). Refused
    while a server runs on the data folder."""
    try:
        with held_for_restore(data_dir()):
            return _restore(Path(folder))
    except ServiceBusy as busy:
        raise BackupError(str(busy)) from None


def _restore(folder: Path) -> Summary:
    manifest = check(folder)
    engine = manifest["database"]["engine"]
    if engine != connection.vendor:
        raise BackupError(
            f"the backup is of a {engine} database and this installation uses "
            f"{connection.vendor}: restore into the same kind"
        )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    aside = data_dir() / f"{BEFORE_RESTORE}{stamp}"
    backup(aside)
    store = _store()
    with store.writer_lock():
        _load_database(folder / manifest["database"]["file"], engine)
        _replace_tree(folder / "store", store.root, keep={".lock"})
    _replace_tree(folder / "uploads", Path(settings.MEDIA_ROOT))
    if (folder / "secret_key").exists():
        shutil.copy2(folder / "secret_key", data_dir() / "secret_key")
    # A backup made by an older saferplaces is brought up to this one.
    call_command("migrate", interactive=False, verbosity=0)
    # Pages and counts kept from before describe data that is gone.
    forget_everything_cached()
    files = manifest["files"]
    return Summary(
        folder,
        len(files),
        sum(f["size"] for f in files.values()),
        manifest["table_versions"],
        kept_aside=aside,
    )


def prune(
    folder: Path | None, keep: int | None, newer_than: timedelta | None
) -> list[Path]:
    """The backups in ``folder`` (by default the before-restore copies in
    the data folder) to remove: all but the newest ``keep`` that are not
    newer than ``newer_than``. Only folders holding a manifest count."""
    if keep is None and newer_than is None:
        raise BackupError("say what to keep: --keep N and/or --newer-than DAYS")
    pattern = "*" if folder else f"{BEFORE_RESTORE}*"
    made = {
        path: _made_at(path)
        for path in (Path(folder) if folder else data_dir()).glob(pattern)
        if (path / MANIFEST).is_file()
    }
    newest_first = sorted(made, key=lambda path: made[path], reverse=True)
    kept = set(newest_first[: keep or 0])
    if newer_than is not None:
        cutoff = datetime.now(UTC) - newer_than
        kept |= {path for path in newest_first if made[path] > cutoff}
    return [path for path in newest_first if path not in kept]


def remove(backups: list[Path]) -> None:
    for path in backups:
        shutil.rmtree(path)


def _made_at(folder: Path) -> datetime:
    try:
        made = json.loads((folder / MANIFEST).read_text())["made_at"]
        return datetime.fromisoformat(made)
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(
            f"{folder / MANIFEST} has no readable made_at ({error}): "
            "move it aside or remove it by hand"
        ) from None


def check(folder: Path) -> dict[str, Any]:
    """The manifest, once every file it lists is present and unchanged."""
    path = Path(folder) / MANIFEST
    if not path.exists():
        raise BackupError(f"{folder} holds no {MANIFEST}: not a saferplaces backup")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise BackupError(f"{path} is not valid JSON: {error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: unknown backup format {manifest.get('format')!r}")
    found = _checksums(Path(folder))
    for name, expected in sorted(manifest["files"].items()):
        if name not in found:
            raise BackupError(f"the backup is damaged: {name} is missing")
        if found[name] != expected:
            raise BackupError(f"the backup is damaged: {name} has changed")
    extra = sorted(set(found) - set(manifest["files"]))
    if extra:
        raise BackupError(f"the backup holds files it does not list: {extra[0]}")
    return manifest


def _checksums(folder: Path) -> dict[str, dict[str, Any]]:
    files = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if name == MANIFEST:
            continue
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        files[name] = {"size": path.stat().st_size, "sha256": digest.hexdigest()}
    return files


def _owner_only(folder: Path) -> None:
    """Folders 0700 and files 0600: a backup holds personal data and keys
    (copies kept the store's 0644)."""
    os.chmod(folder, 0o700)
    for path in folder.rglob("*"):
        os.chmod(path, 0o700 if path.is_dir() else 0o600)


def _copy_tree(source: Path, target: Path, skip: set[str] | None = None) -> None:
    if not source.exists():
        target.mkdir(parents=True)
        return
    shutil.copytree(
        source, target, ignore=lambda _, names: [n for n in names if n in (skip or ())]
    )


def _replace_tree(source: Path, target: Path, keep: set[str] | None = None) -> None:
    """Make ``target`` hold what ``source`` holds (``keep`` names stay)."""
    fresh = target.with_name(target.name + ".restoring")
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(source, fresh)
    target.mkdir(parents=True, exist_ok=True)
    for child in target.iterdir():
        if child.name in (keep or ()):
            continue
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()
    for child in fresh.iterdir():
        child.rename(target / child.name)
    fresh.rmdir()


# -- the database ---------------------------------------------------------------


def _dump_database(folder: Path) -> str:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        target = sqlite3.connect(folder / "database.sqlite3")
        try:
            # SQLite's online backup: a consistent copy while others write.
            connection.connection.backup(target)
        finally:
            target.close()
        return "database.sqlite3"
    if connection.vendor == "postgresql":
        _run(["pg_dump", "--format=custom", "--file", str(folder / "database.pgdump")])
        return "database.pgdump"
    raise BackupError(f"backup of a {connection.vendor} database is not supported")


def _load_database(path: Path, engine: str) -> None:
    connection.ensure_connection()
    if engine == "sqlite":
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    # One transaction: a restore that fails part way changes nothing.
    restore_command = ["pg_restore", "--clean", "--if-exists", "--no-owner"]
    _run([*restore_command, "--single-transaction", str(path)])


def _run(command: list[str]) -> None:
    """Run a PostgreSQL client program against Django's database."""
    options = connection.settings_dict
    env = {**os.environ}
    if options.get("PASSWORD"):
        env["PGPASSWORD"] = str(options["PASSWORD"])
    target = [
        "--host", str(options.get("HOST") or "localhost"),
        "--port", str(options.get("PORT") or 5432),
        "--username", str(options.get("USER") or "postgres"),
        "--dbname", str(options["NAME"]),
    ]  # fmt: skip
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL's client)")
    done = subprocess.run(
        [program, *target, *command[1:]], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        message = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{command[0]} failed: {message}")
