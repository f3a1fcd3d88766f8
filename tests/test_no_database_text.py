"""Before the first load, no page and no command shows a database's or a
library's error text (issue 29, finding 10: `measure compare` and the map
page printed DuckDB's "Catalog Error: Table with name street_crime does not
exist!"): each says in words what to load first."""

from __future__ import annotations

import re
import shlex

import pytest
from click.testing import CliRunner
from django.urls import reverse

from saferplaces.analytics.store import Store
from saferplaces.cli import main
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.factories import SITE_ADMIN, road_safety_plan
from tests.matrix import MATRIX
from tests.support import LOOKUP

# What only a database or a crash says.
DATABASE_TEXT = re.compile(
    r"Catalog Error|Binder Error|Parser Error|duckdb|Traceback|does not exist!",
    re.IGNORECASE,
)
# Every page that reads the analytic store, as the matrix opens it, and the
# map and measure pages with the questions a person asks of them.
STORE_PAGES = [
    name
    for name in MATRIX
    if name.startswith(("dashboard:", "tasking:", "api:", "web:home"))
    or name in ("partnership:plan", "partnership:progress", "partnership:public_plan")
]


def asked(url_name: str, query: str = "", **kwargs: str) -> tuple[str, dict, str]:
    """A page as the matrix opens it (its partnership's address and all),
    with ``kwargs`` and ``query`` asked of it."""
    return url_name, {**MATRIX[url_name].kwargs, **kwargs}, query


ASKED = [
    asked("dashboard:map", "?measure=total-recorded-crime&level=ward&within=E08000025"),
    asked("dashboard:map", "?measure=road-casualties-ksi&level=lsoa"),
    asked("dashboard:map_geojson", "?measure=total-recorded-crime&level=ward"),
    asked("dashboard:measure", "?by=rolling12"),
    asked("dashboard:measure", "?area=E05011119"),
    asked("dashboard:neighbourhood", "?place=Selly+Oak"),
    asked("dashboard:neighbourhood", "?place=B29+6AA"),
    asked("dashboard:neighbourhood_ward", code="E05011119"),
    asked("api:series", "?area=E05011119"),
    asked("tasking:pack", "?from=2024-01&to=2024-03", code="E05011119"),
]
COMMANDS = [
    "measure show total-recorded-crime --area E05011119",
    "measure show total-recorded-crime --area E05011119 --by rolling12",
    "measure spc total-recorded-crime --area E05011119",
    "measure compare total-recorded-crime --level ward --within E08000025 "
    "--period 2024/25",
    "measure batch --out {tmp}/batch",
    "store tables",
    "store history",
    "store query 'SELECT count(*) FROM street_crime'",
    "store query 'SELECT * FROM population'",
    "hotspots gi --source street-crime --area E05011119 --from 2024-01 --to 2024-03",
    "hotspots counts --source street-crime --area E05011119 --from 2024-01 "
    "--to 2024-03 --level ward",
    "plan export",
]


@pytest.fixture(params=["nothing loaded", "geography alone"])
def empty_store(request, db, settings, tmp_path):
    """A store before the first load, or with the geography alone: either
    way, no crime, survey or population table yet."""
    settings.DATA_DIR = tmp_path
    if request.param == "geography alone":
        run_load(Store(tmp_path / "store"), get_source("geography"), [LOOKUP])
    road_safety_plan()
    return tmp_path


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.mark.parametrize(
    ("url_name", "kwargs", "query"),
    [(name, MATRIX[name].kwargs, "") for name in STORE_PAGES] + ASKED,
)
def test_no_page_shows_database_text_before_the_first_load(
    empty_store, client_as, url_name, kwargs, query
):
    client = client_as(SITE_ADMIN)
    body = body_of(client.get(reverse(url_name, kwargs=kwargs) + query))
    found = DATABASE_TEXT.search(body)
    assert found is None, (
        f"{url_name}{query} shows {body[found.start() - 80 :][:200]!r}"
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_no_command_shows_database_text_before_the_first_load(empty_store, command):
    result = CliRunner().invoke(main, shlex.split(command.format(tmp=empty_store)))
    said = result.output + (
        repr(result.exception) if not isinstance(result.exception, SystemExit) else ""
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), said
    assert DATABASE_TEXT.search(said) is None, said


def test_a_query_of_a_table_not_loaded_says_what_to_load(empty_store):
    result = CliRunner().invoke(
        main, ["store", "query", "SELECT count(*) FROM street_crime"]
    )
    assert "load street crime first (`saferplaces ingest police-uk-street ...`)" in (
        result.output
    )
