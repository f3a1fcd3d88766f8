"""Shared by test modules: the hand-made fixture files (tests/fixtures) by
name, and helpers that load a little data or start a server. Test modules
import from here, tests/factories.py or tests/matrix.py, never from each
other."""

from __future__ import annotations

import os
import re
import shutil
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
# A test of serving or of files that runs the same without a database
# (a server it starts uses embedded SQLite whatever the leg): once is enough.
SQLITE_LEG_ONLY = pytest.mark.skipif(
    ON_POSTGRES, reason="serving and files, not the database: runs on the SQLite leg"
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The real open files (never committed): beside the checkout, or where
# SAFERPLACES_SHARED_DATA says. Tests that need them skip when absent.
SHARED_DATA = Path(
    os.environ.get("SAFERPLACES_SHARED_DATA")
    or Path(__file__).resolve().parents[1].parent / "shared" / "data"
)
EXTRACT = FIXTURES / "local_extract" / "local-crimes-2024-01.csv"
GEOGRAPHY = FIXTURES / "geography"
TS021 = GEOGRAPHY / "census-2021-ts021-ethnic-group-lsoa.csv"
LOOKUP = GEOGRAPHY / "lookup-lsoa11-wd19-lad19.csv"
QUESTIONS = FIXTURES / "surveys" / "questions.yaml"
SURVEY = FIXTURES / "surveys" / "residents-2024.csv"
COHORT = FIXTURES / "reoffending" / "2023-Q1-reoffending.csv"
POLICE_UK = FIXTURES / "police_uk"
JANUARY = POLICE_UK / "2024-01-west-midlands-street.csv"
FEBRUARY = POLICE_UK / "2024-02-west-midlands-street.csv"
CORRECTED_JANUARY = POLICE_UK / "corrected" / "2024-01-west-midlands-street.csv"
STREET_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
    "LSOA code,LSOA name,Crime type,Last outcome category,Context"
)
ASB_ROW = (
    ",2024-03,West Midlands Police,West Midlands Police,-1.93,52.44,"
    "On or near Bristol Road,E01009001,Birmingham 100A,Anti-social behaviour,,"
)


def store_copied_from(template: Path, folder: Path) -> Store:
    """A store of the test's own at ``folder``/store, copied from
    ``template``, a store its module built once (a module-scoped fixture):
    copying a few small files takes milliseconds where the loads that made
    them take a second or more, and a test may load more into its copy."""
    shutil.copytree(template, folder / "store")
    return Store(folder / "store")


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# -- a few crimes and residents, for the population rule ------------------------

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
    "LSOA code,LSOA name,Crime type,Last outcome category,Context\n"
)
ELM = "E05900002"  # Elm Ward: LSOA E01900003 (Oak Ward: E01900001-2)


def load_crimes(store: Store, folder, crimes: list[tuple[str, str, int]]) -> None:
    lines = []
    for month, lsoa, count in crimes:
        for _ in range(count):
            lines.append(
                f"{len(lines) + 1:064x},{month},WMP,WMP,-1.9,52.4,Road,{lsoa},X,"
                "Burglary,,\n"
            )
    path = folder / "crimes-street.csv"
    path.write_text(HEADER + "".join(lines))
    run_load(store, get_source("police-uk-street"), [path])


def load_population(store: Store, folder, rows: str) -> None:
    path = folder / "population.csv"
    path.write_text("area_code,year,age_band,sex,population\n" + rows)
    run_load(store, get_source("population"), [path])


# -- deprivation: IMD deciles of Anytown, with crimes and residents ---------------

ANYTOWN = "E08900001"  # LSOAs E01900001-3 (line 5 of the lookup is rejected)
FILE_7 = (
    '"LSOA code (2011)","Local Authority District code (2019)",'
    '"Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",'
    '"Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% '
    'of LSOAs)"\n'
)


def load_deprived_anytown(store: Store, folder: Path) -> None:
    """Anytown's geography; IMD 2019 with 001A in decile 1 and 001B in
    decile 10 (002A not in the file); 1,000, 2,000 and 1,500 residents in
    2019; and 30, 10 and 5 crimes in 2019/20."""
    run_load(store, get_source("geography"), [LOOKUP])
    imd = write_csv(
        folder / "imd2019.csv",
        FILE_7 + "E01900001,E08900001,604,1\nE01900002,E08900001,30121,10\n",
    )
    run_load(store, get_source("imd"), [imd])
    load_population(
        store,
        folder,
        "E01900001,2019,all,all,1000\nE01900002,2019,all,all,2000\n"
        "E01900003,2019,all,all,1500\n",
    )
    load_crimes(
        store,
        folder,
        [("2019-04", "E01900001", 30), ("2019-05", "E01900002", 10),
         ("2019-05", "E01900003", 5)],
    )  # fmt: skip


# -- a server started in another process ----------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_a_worker(port: int) -> None:
    """Until a worker answers /healthz (any status): the port opens when
    gunicorn's master listens, seconds before a worker has booted on a busy
    machine, and the 413 comes from the worker."""
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10)
            return
        except urllib.error.HTTPError:
            return  # an answer all the same (503 without a database)
        except OSError:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)


def picker_options(html: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S)
    assert select, f"no {name} picker on the page"
    found = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select[0])
    return [(value, label.strip()) for value, label in found if value]


def area_box_options(html: str, name: str) -> list[str]:
    """What an area box (partnership/areas.py's ``AreaField``) offers: the
    labels of the datalist its input names."""
    box = re.search(rf'<input[^>]*name="{name}"[^>]*list="([^"]+)"', html, re.S)
    assert box, f"no {name} area box on the page"
    listed = re.search(rf'<datalist id="{box[1]}">(.*?)</datalist>', html, re.S)
    assert listed, f"no list of areas for {name}"
    return re.findall(r'<option value="([^"]*)"', listed[1])
