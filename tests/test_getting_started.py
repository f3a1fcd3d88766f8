"""The getting-started guide, followed to the letter on real open files.

docs/getting-started.md sets up a real partnership from nothing. This test
runs its shell blocks verbatim, in order, in one shell, with the guide's
``DATA`` folder pointing at ../shared/data, and checks each block's stated
output appears; then it checks the figures the guide's store gives against
counts made directly from the raw police.uk CSV rows. So the guide cannot
drift from what works, and the figures cannot drift from the source's.

Block conventions (docs/getting-started.md says so too): a ```sh block is
run; a ```text block right after it is output the block must print (each
line, spacing aside; ``...`` lines stand for anything); a block preceded by
``<!-- not run: reason -->`` is shown and not run.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.support import SHARED_DATA, SQLITE_LEG_ONLY

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "getting-started.md"
CITY = SHARED_DATA / "police-uk" / "city-of-london"

pytestmark = [
    SQLITE_LEG_ONLY,
    pytest.mark.skipif(
        not CITY.is_dir(),
        reason=f"the real open files are not here ({SHARED_DATA}); they are never "
        "committed, so the guide's acceptance test runs only beside ../shared/data",
    ),
]

BLOCK = re.compile(
    r"(?P<skip><!-- not run: [^>]*-->\s*)?```(?P<kind>sh|text)\n(?P<body>.*?)```",
    re.DOTALL,
)


def guide_blocks() -> list[tuple[str, str]]:
    """[(commands, expected output)] of the guide's blocks that are run."""
    steps: list[tuple[str, str]] = []
    for match in BLOCK.finditer(GUIDE.read_text()):
        if match["kind"] == "sh" and not match["skip"]:
            steps.append((match["body"], ""))
        elif match["kind"] == "text" and steps and not steps[-1][1]:
            steps[-1] = (steps[-1][0], match["body"])
    return steps


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def followed(tmp_path_factory) -> Path:
    """A data folder set up by following the guide, block by block."""
    home = tmp_path_factory.mktemp("getting-started")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "DATA": str(SHARED_DATA),
        "SAFERPLACES_DATA_DIR": str(home / "var"),
    }
    env.pop("DATABASE_URL", None)
    for commands, expected in guide_blocks():
        ran = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", commands],
            cwd=home, env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        printed = ran.stdout + ran.stderr
        assert ran.returncode == 0, f"{commands}\nexited {ran.returncode}:\n{printed}"
        for line in expected.splitlines():
            if line.strip() and line.strip() != "...":
                assert squeeze(line) in squeeze(printed), (
                    f"the guide says\n  {line}\nbut\n{commands}\nprinted\n{printed}"
                )
    return home / "var"


def raw_street_rows() -> list[dict[str, str]]:
    rows = []
    for path in sorted(CITY.glob("*/*-street.csv")):
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


def test_the_guide_runs_as_written(followed):
    assert (followed / "store").is_dir()


# -- the figures, against the raw files ------------------------------------------

LOOKUP11 = SHARED_DATA / "geography" / "LSOA11_WD19_LAD19_EW_LU.csv"
LOOKUP21 = SHARED_DATA / "geography" / "imd_lookups.csv"
ASB = "Anti-social behaviour"
CITY_LA = "E09000001"
BIRMINGHAM = "E08000025"


def lookup_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def store(followed):
    from saferplaces.analytics.store import Store

    return Store(followed / "store")


def crimes_by_month(rows: list[dict[str, str]]) -> dict[str, int]:
    return dict(
        sorted(Counter(r["Month"] for r in rows if r["Crime type"] != ASB).items())
    )


def series_counts(store, measure_id: str, code: str) -> dict[str, float | None]:
    from saferplaces.analytics import results

    answer = results.series(store, measure_id, code, by="month")
    return {row.period: row.numerator for row in answer.rows}


def test_the_force_total_is_every_row_of_its_files(store):
    rows = [
        r for r in raw_street_rows() if r["Falls within"] == "City of London Police"
    ]
    assert series_counts(store, "total-recorded-crime", "city-of-london") == (
        crimes_by_month(rows)
    )
    asb = Counter(r["Month"] for r in rows if r["Crime type"] == ASB)
    assert series_counts(store, "anti-social-behaviour", "city-of-london") == dict(
        sorted(asb.items())
    )


def test_the_council_and_its_wards_count_their_lsoas_and_say_what_they_cannot(store):
    from saferplaces.analytics import results

    city_lsoas = {
        r["LSOA11CD"] for r in lookup_rows(LOOKUP11) if r["LAD19CD"] == CITY_LA
    }
    city_lsoas |= {
        r["LSOA21CD"] for r in lookup_rows(LOOKUP21) if r["LA24CD"] == CITY_LA
    }
    rows = raw_street_rows()
    inside = [r for r in rows if r["LSOA code"] in city_lsoas]
    assert series_counts(store, "total-recorded-crime", CITY_LA) == crimes_by_month(
        inside
    )
    # A ward: its 2011 LSOAs from the lookup.
    ward_of = {r["LSOA11CD"]: r["WD19CD"] for r in lookup_rows(LOOKUP11)}
    busiest = Counter(ward_of[r["LSOA code"]] for r in inside).most_common(1)[0][0]
    in_ward = [r for r in inside if ward_of[r["LSOA code"]] == busiest]
    counted = series_counts(store, "total-recorded-crime", busiest)
    assert {m: n for m, n in counted.items() if n} == crimes_by_month(in_ward)
    # What no smaller area counts is said, with the numbers from the files.
    crimes = [r for r in rows if r["Crime type"] != ASB]
    no_location = sum(1 for r in crimes if not r["LSOA code"])
    said = " ".join(results.series(store, "total-recorded-crime", busiest).coverage)
    assert f"{no_location} crimes" in said, said
    assert "no location" in said


def test_birminghams_wards_have_names_appear_once_and_sit_in_birmingham(store):
    from saferplaces.analytics import geography

    named = {
        r["WD19CD"]: r["WD19NM"]
        for r in lookup_rows(LOOKUP11)
        if r["LAD19CD"] == BIRMINGHAM
    }
    wards = [a for a in geography.children(store, BIRMINGHAM) if a.level == "ward"]
    assert sorted(a.code for a in wards) == sorted(named)  # each once
    assert {a.code: a.name for a in wards} == named
    for code in named:
        assert geography.parent(store, code).code == BIRMINGHAM
    assert geography.area(store, "E05011172").name == "Stirchley"


def test_imd_deciles_are_present_and_add_up_to_the_area(store):
    from saferplaces.analytics import results

    answer = results.by_deprivation(
        store, "total-recorded-crime", CITY_LA, period="2016/17"
    )
    deciles = [
        row for row in answer.rows if row.group and row.group.startswith("decile")
    ]
    assert len(deciles) == 10
    placed = sum(
        row.numerator or 0
        for row in answer.rows
        if row.group and not row.group.startswith("rate ratio")
    )
    total = sum(
        n or 0 for n in series_counts(store, "total-recorded-crime", CITY_LA).values()
    )
    assert placed == total


def test_a_ward_of_a_force_not_loaded_says_no_data(store):
    from saferplaces.analytics import results

    answer = results.series(store, "total-recorded-crime", "E05011164", by="month")
    assert answer.rows
    assert all(row.value is None and row.coverage == "no data" for row in answer.rows)
