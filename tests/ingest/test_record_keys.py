"""Record keys for cell key perturbation: every record has one, kept with it."""

from __future__ import annotations

import shutil

from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import EXTRACT, JANUARY


def keys(store: Store, table: str, identity: str) -> dict[str, int]:
    rows = store.query(
        f"SELECT {identity} AS id, record_key FROM {table} ORDER BY id"
    ).to_pylist()
    return {str(row["id"]): int(row["record_key"]) for row in rows}


def test_every_loaded_record_has_a_key(store):
    run_load(store, get_source("local-crimes"), [EXTRACT])
    found = keys(store, "local_crimes", "crime_reference")
    assert len(found) == 4
    assert all(0 <= key < 65536 for key in found.values())


def test_a_record_keeps_its_key_when_its_file_is_loaded_again(store, tmp_path):
    run_load(store, get_source("local-crimes"), [EXTRACT])
    before = keys(store, "local_crimes", "crime_reference")
    # A corrected extract for the month replaces it: one crime's location is
    # corrected and its row moves. The records it shares with the first file
    # keep their keys, so no fresh noise is drawn for their cells.
    lines = EXTRACT.read_text().splitlines()
    corrected = tmp_path / "local-crimes-2024-01-corrected.csv"
    corrected.write_text(
        "\n".join([lines[0], *reversed(lines[1:])]).replace(
            "Bristol Road", "Bristol Rd"
        )
        + "\n"
    )
    run_load(store, get_source("local-crimes"), [corrected])
    assert keys(store, "local_crimes", "crime_reference") == before


def test_open_data_needs_no_record_keys(store):
    # police.uk street crime is published exactly; keys would cost a load
    # time for nothing.
    run_load(store, get_source("police-uk-street"), [JANUARY])
    assert "record_key" not in store.columns("street_crime")


def test_keys_depend_on_the_stores_secret(tmp_path):
    first, second = Store(tmp_path / "a"), Store(tmp_path / "b")
    for store in (first, second):
        run_load(store, get_source("local-crimes"), [EXTRACT])
    assert first.record_key_secret() != second.record_key_secret()
    assert keys(first, "local_crimes", "crime_reference") != keys(
        second, "local_crimes", "crime_reference"
    )
    # The secret is the owner's alone.
    secret = first.root / "_keys" / "record-key-secret"
    assert secret.stat().st_mode & 0o077 == 0
    shutil.rmtree(first.root)


def test_reference_data_has_no_record_keys(store):
    from tests.support import LOOKUP

    run_load(store, get_source("geography"), [LOOKUP])
    assert "record_key" not in store.query("SELECT * FROM geography").column_names
