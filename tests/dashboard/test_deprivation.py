"""The measure page and its export by IMD decile (issue 29, finding 6)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.analytics.store import Store
from tests.factories import PartnershipAreaFactory, PartnershipFactory
from tests.support import (
    ANYTOWN,
    load_crimes,
    load_deprived_anytown,
    store_copied_from,
)


@pytest.fixture(scope="module")
def anytown(tmp_path_factory):
    """Anytown's store, loaded once for the module; each test has a copy."""
    folder = tmp_path_factory.mktemp("anytown")
    load_deprived_anytown(Store(folder / "store"), folder)
    return folder / "store"


@pytest.fixture
def analyst(client, settings, make_user, tmp_path, anytown):
    settings.DATA_DIR = tmp_path
    store_copied_from(anytown, tmp_path)
    client.force_login(make_user(Role.ANALYST))
    return client


@pytest.fixture(autouse=True)
def _files(tmp_path):
    (tmp_path / "files").mkdir()


def page(client, measure="total-recorded-crime", **query):
    url = reverse("dashboard:measure", kwargs={"measure_id": measure})
    return client.get(url, {"area": ANYTOWN, **query})


def test_the_measure_page_has_a_table_by_decile_with_the_gap(analyst):
    html = page(analyst).content.decode()
    assert "By deprivation (IMD decile), 2019/20" in html
    row = '<th scope="row" class="govuk-table__header">Decile 1 (most deprived)'
    assert row in html
    # 30 crimes among 1,000 residents; 10 among 2,000.
    assert "30.0 (20.2 to 42.8)" in html
    assert "decile 1 has 6.00 times the rate of decile 10" in html
    assert "Not placed in a decile" in html
    assert "Deciles of IMD 2019" in html


def test_the_export_by_decile_is_the_pages_table(analyst):
    url = reverse(
        "dashboard:export",
        kwargs={"measure_id": "total-recorded-crime", "kind": "csv"},
    )
    text = analyst.get(url, {"area": ANYTOWN, "table": "deprivation"}).content.decode()
    lines = text.splitlines()
    assert any(line.startswith("# publication,") and "IMD 2019" in line
               for line in lines)  # fmt: skip
    table = "\n".join(line for line in lines if not line.startswith("#"))
    rows = {r["group"]: r for r in csv.DictReader(io.StringIO(table))}
    assert rows["decile 10 (least deprived)"]["numerator"] == "10.0"
    assert rows["not placed in a decile"]["numerator"] == "5.0"


def test_without_an_index_the_page_says_what_to_load(client, settings, make_user,
                                                     tmp_path):  # fmt: skip
    settings.DATA_DIR = tmp_path
    load_crimes(Store(tmp_path / "store"), tmp_path / "files",
                [("2019-04", "E01900001", 3)])  # fmt: skip
    client.force_login(make_user(Role.ANALYST))
    html = page(client, area="E01900001").content.decode()
    assert "saferplaces ingest imd" in html


def test_the_map_shades_wards_by_decile_with_its_table(analyst, tmp_path):
    from saferplaces.ingest.loader import run_load
    from saferplaces.ingest.sources import get_source

    boundaries = tmp_path / "files" / "wards.geojson"
    squares = [
        {
            "type": "Feature",
            "properties": {"wd19cd": code, "wd19nm": name},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[x, 52], [x + 1, 52], [x + 1, 53], [x, 53], [x, 52]]],
            },
        }
        for code, name, x in (
            ("E05900001", "Oak Ward", 0),
            ("E05900002", "Elm Ward", 1),
        )
    ]
    boundaries.write_text(
        json.dumps({"type": "FeatureCollection", "features": squares})
    )
    run_load(Store(tmp_path / "store"), get_source("boundaries"), [boundaries])
    html = analyst.get(
        reverse("dashboard:map"), {"within": ANYTOWN, "shade": "imd"}
    ).content.decode()
    # Oak Ward's median resident is in decile 10 (the lightest shade); Elm
    # Ward's LSOA is not in IMD 2019 (no shade).
    assert '<title>Oak Ward: decile 10</title><path class="app-bin-0"' in html
    assert '<title>Elm Ward: no decile</title><path class="app-bin-none"' in html
    assert "Deciles 1 and 2 (the most deprived fifth)" in html
    assert "IMD 2019 ranks none of this area&#x27;s LSOAs" in html


def test_the_neighbourhood_page_says_the_wards_decile(
    client, db, settings, tmp_path, anytown
):
    settings.DATA_DIR = tmp_path
    store_copied_from(anytown, tmp_path)
    anytown = PartnershipFactory(name="Anytown")
    PartnershipAreaFactory(partnership=anytown, code=ANYTOWN)
    url = reverse(
        "dashboard:neighbourhood_ward",
        kwargs={"slug": anytown.slug, "code": "E05900001"},
    )
    html = client.get(url).content.decode()
    assert "IMD 2019 decile 10, the median of its residents" in html
    assert "1 in decile 1, 1 in decile 10" in html


def test_the_map_by_decile_says_what_to_load_before_an_index(
    client, settings, make_user, tmp_path
):
    settings.DATA_DIR = tmp_path
    load_crimes(Store(tmp_path / "store"), tmp_path / "files",
                [("2019-04", "E01900001", 3)])  # fmt: skip
    client.force_login(make_user(Role.ANALYST))
    html = client.get(
        reverse("dashboard:map"), {"within": "E01900001", "shade": "imd"}
    ).content.decode()
    assert "Not available: Load an index of deprivation first" in html
