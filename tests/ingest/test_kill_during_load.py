"""Killing the loader at any moment leaves every table at a whole version."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from tests.support import JANUARY, STREET_HEADER

LOADER = """
import sys
from pathlib import Path
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
print("started", flush=True)
run_load(Store(sys.argv[1]), get_source("police-uk-street"), [Path(sys.argv[2])])
"""


def big_month(path, rows: int) -> None:
    line = (
        "{:064x},2024-02,West Midlands Police,West Midlands Police,-1.93,52.44,"
        "On or near Bristol Road,E01009001,Birmingham 100A,Burglary,"
        "Under investigation,\n"
    )
    with open(path, "w") as handle:
        handle.write(STREET_HEADER + "\n")
        handle.writelines(line.format(n) for n in range(rows))


@pytest.mark.parametrize("seed", range(4))
def test_sigkill_mid_load_leaves_the_previous_version(tmp_path, street, seed):
    store = Store(tmp_path / "store")
    run_load(store, street, [JANUARY])
    big = tmp_path / "2024-02-west-midlands-street.csv"
    big_month(big, 300_000)

    process = subprocess.Popen(
        [sys.executable, "-c", LOADER, str(store.root), str(big)],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    assert process.stdout.readline().strip() == b"started"
    time.sleep(random.Random(seed).uniform(0.05, 0.8))
    process.send_signal(signal.SIGKILL)
    process.wait()

    version = store.table_version("street_crime")
    rows = store.query("SELECT count(*) AS n FROM street_crime").to_pylist()[0]["n"]
    if version == 0:  # killed before the commit: nothing changed
        assert rows == 4
        assert [load.number for load in store.loads()] == [1]
    else:  # the commit landed before the kill: the whole load is there
        assert (version, rows) == (1, 4 + 300_000)
    # Either way the store still takes the next load.
    assert run_load(store, street, [big]).accepted == 300_000 or version == 1
