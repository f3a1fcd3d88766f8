"""Every surface prints what the results path says of coverage: a ward of a
force whose files are not loaded has "no data" (not 0 with an interval),
and a smaller area says what it cannot count (issue 29, findings 1, 4, 5):
the measure page, its CSV export, the API, the CLI and the tasking pack."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.analytics.store import Store
from saferplaces.cli import main
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.factories import covering
from tests.support import GEOGRAPHY, STREET_HEADER

pytestmark = pytest.mark.django_db

CITY_LSOA = "E01000001"
BIRMINGHAM_WARD = "E05011119"
CITY = "City of London Police"
NO_DATA = "no data (West Midlands's police.uk files are not loaded for it)"
UNCOUNTED = "1 crimes of City of London Police had no location and 1 were placed"


@pytest.fixture
def loaded(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    store = Store(tmp_path / "store")
    # (Gi* needs three cells or more: the located rows are spread out.)
    rows = [
        (1, "2016-10", CITY_LSOA), (2, "2016-10", ""), (3, "2016-10", "E01000914"),
        (4, "2016-11", CITY_LSOA), (5, "2016-11", CITY_LSOA),
        (6, "2016-11", CITY_LSOA),
    ]  # fmt: skip
    street = tmp_path / "street.csv"
    street.write_text(
        STREET_HEADER
        + "\n"
        + "".join(
            f"{n:064x},{month},{CITY},{CITY},"
            + (f"-0.09{n},51.51{n},On or near Road" if lsoa else ",,No Location")
            + f",{lsoa},X,Burglary,,\n"
            for n, month, lsoa in rows
        )
    )
    run_load(store, get_source("police-uk-street"), [street])
    lookup = tmp_path / "lsoa-ward-lad.csv"
    lookup.write_text(
        "LSOA21CD,WD22CD,WD22NM,LAD22CD,LAD22NM\n"
        f"{CITY_LSOA},E05009999,Aldgate,E09000001,City of London\n"
        "E01000914,E05000999,Holborn,E09000007,Camden\n"
        f"E01009001,{BIRMINGHAM_WARD},Bartley Green,E08000025,Birmingham\n"
    )
    run_load(
        store,
        get_source("geography"),
        [lookup, GEOGRAPHY / "lookup-lad23-csp23-pfa23.csv"],
    )
    covering(CITY_LSOA, BIRMINGHAM_WARD)
    return store


def test_the_measure_page_says_no_data_and_what_it_cannot_count(
    client, loaded, make_user
):
    client.force_login(make_user(Role.VIEWER))
    url = reverse("dashboard:measure", kwargs={"measure_id": "total-recorded-crime"})
    ward = client.get(url, {"area": BIRMINGHAM_WARD, "by": "month"}).content.decode()
    assert "No data for 2016-10 and 2016-11" in ward
    city = client.get(url, {"area": CITY_LSOA, "by": "month"}).content.decode()
    assert UNCOUNTED in city


def test_the_csv_export_header_says_it(client, loaded, make_user):
    client.force_login(make_user(Role.VIEWER))
    url = reverse(
        "dashboard:export", kwargs={"measure_id": "total-recorded-crime", "kind": "csv"}
    )
    text = client.get(url, {"area": CITY_LSOA, "by": "month"}).content.decode()
    header = [row for row in csv.reader(io.StringIO(text)) if row[0] == "# coverage"]
    assert any(UNCOUNTED in row[1] for row in header)


def test_the_api_answers_null_and_no_data_not_zero(client, loaded):
    url = reverse("api:series", kwargs={"measure_id": "total-recorded-crime"})
    body = client.get(url, {"area": BIRMINGHAM_WARD, "by": "month"}).json()
    assert [p["value"] for p in body["points"]] == [None, None]
    assert [p["coverage"] for p in body["points"]] == ["no data", "no data"]
    assert NO_DATA in body["points"][0]["words"]
    assert any("No data for 2016-10 and 2016-11" in s for s in body["coverage"])


def test_the_cli_prints_it_after_the_table(loaded):
    result = CliRunner().invoke(
        main, ["measure", "show", "total-recorded-crime", "--area", CITY_LSOA]
    )
    assert result.exit_code == 0, result.output
    assert UNCOUNTED in result.output.replace("\n", " ")


def test_the_tasking_pack_says_no_data_before_the_first_month(
    client, loaded, make_user
):
    client.force_login(make_user(Role.VIEWER))
    url = reverse("tasking:pack", kwargs={"code": CITY_LSOA})
    page = client.get(url, {"from": "2016-10", "to": "2016-11"}).content.decode()
    assert "no data before 2016-10" in page
    assert ">new<" not in page
    assert "had no location" in page


def test_the_neighbourhood_page_says_no_data_not_zero(client, loaded):
    # The only partnership's page for the ward (its own address).
    url = reverse("dashboard:any_neighbourhood_ward", kwargs={"code": BIRMINGHAM_WARD})
    page = client.get(url, follow=True).content.decode()
    assert "likely between" not in page
    assert "no data" in page
    assert "West Midlands&#x27;s police.uk files are not loaded" in page
