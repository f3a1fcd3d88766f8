"""A load builds the readers' dashboards where every worker finds them
(issue 30, fault 16: the first dashboard after a load took 1.6 to 3.0 s).

A worker that has read nothing of the new store is stood in for by a new
``Store`` object (what ``web_store`` returns in a fresh process) and a
``Store.query`` that fails the test if it is called: a page found kept
needs no query."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis
from click.testing import CliRunner
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.analytics.store import Store
from saferplaces.cli import main
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from saferplaces.lib import store as web
from tests.factories import PlanFactory, partnership_covering
from tests.support import HEADER, LOOKUP

OAK, ELM = "E05900001", "E05900002"  # wards of Anytown (tests/fixtures/geography)
OAK_LSOA, ELM_LSOA = "E01900001", "E01900003"
MEASURE = "total-recorded-crime"
REDIS = "redis://127.0.0.1:6379/15"


def crimes_file(folder, name: str, month: str, counts: dict[str, int]):
    """A police.uk street file with ``counts`` burglaries per LSOA."""
    lines = [
        f"{crime_id:0>64},{month},WMP,WMP,-1.9,52.4,Road,{lsoa},X,Burglary,,\n"
        for lsoa, count in counts.items()
        for n in range(count)
        for crime_id in [name + lsoa[1:] + f"{n:04x}"]  # hex digits only
    ]
    path = folder / f"{name}-{month}-street.csv"
    path.write_text(HEADER + "".join(lines))
    return path


def load_with_the_cli(path) -> None:
    """A load as an operator runs it: `saferplaces ingest`."""
    result = CliRunner().invoke(main, ["ingest", "police-uk-street", str(path), "-q"])
    assert result.exit_code == 0, result.output


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


IN_FILES_AND_IN_REDIS = pytest.mark.parametrize(
    "shared_cache",
    [
        "files",
        pytest.param(
            "redis",
            marks=pytest.mark.skipif(
                not redis_reachable(), reason="no Redis at 127.0.0.1:6379"
            ),
        ),
    ],
    indirect=True,
)


@pytest.fixture
def shared_cache(request, tmp_path) -> Iterator[dict[str, str]]:
    """The cache every worker shares, as the settings configure it: files
    in the data folder, or Redis (keys of this test's own: the SQLite and
    PostgreSQL legs run at once against the same server)."""
    if getattr(request, "param", "files") == "files":
        yield {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "kept"),
        }
        return
    prefix = f"test-kept-{os.getpid()}-{time.time_ns()}"
    yield {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS,
        "KEY_PREFIX": prefix,
    }
    server = redis.Redis.from_url(REDIS)
    for key in server.scan_iter(match=f"{prefix}:*"):
        server.delete(key)


@pytest.fixture
def anytown(settings, tmp_path, db, make_user, shared_cache):
    """Anytown's geography and a year of crimes; the cache every worker
    shares; two partnerships, one ward each, each with a plan and an
    analyst."""
    settings.DATA_DIR = tmp_path
    settings.CACHES = {**settings.CACHES, "default": shared_cache}
    run_load(Store(tmp_path / "store"), get_source("geography"), [LOOKUP])
    year = [
        crimes_file(tmp_path, "a", f"2023-{month:02d}", counts)
        for month in range(1, 13)
        for counts in [{OAK_LSOA: 20 + month, ELM_LSOA: 40 + month}]
    ]
    run_load(Store(tmp_path / "store"), get_source("police-uk-street"), year)
    readers = {}
    for ward, code in (("oak", OAK), ("elm", ELM)):
        partnership = partnership_covering(f"{ward.title()} partnership", code)
        PlanFactory(partnership=partnership, key_measures=[MEASURE])
        readers[ward] = make_user(
            Role.ANALYST, partnerships=[partnership], username=f"{ward}-analyst"
        )
    return readers


@contextmanager
def a_fresh_worker():
    """Within it the web app reads a new store, as a worker started after
    the load does, and any query of the store fails the test."""
    web._store_at.cache_clear()

    def no_query(*args, **kwargs):
        raise AssertionError("the store was queried: the page was not kept")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Store, "query", no_query)
        yield


def dashboard(client, user, query: str = "") -> str:
    client.force_login(user)
    response = client.get(reverse("dashboard:overview") + query)
    assert response.status_code == 200
    return response.content.decode()


@IN_FILES_AND_IN_REDIS
def test_the_first_reader_after_a_load_is_served_a_kept_dashboard(
    anytown, tmp_path, client
):
    load_with_the_cli(crimes_file(tmp_path, "b", "2024-01", {OAK_LSOA: 9}))
    with a_fresh_worker():
        html = dashboard(client, anytown["oak"])
    assert "Oak Ward" in html
    # The kept page shows the new load: January's 9 crimes.
    assert ">9</span> crimes in January 2024" in html


def test_a_page_kept_for_one_version_is_not_served_after_the_next_load(
    anytown, tmp_path, client
):
    load_with_the_cli(crimes_file(tmp_path, "b", "2024-01", {OAK_LSOA: 9}))
    # A load that builds no dashboards (the loader called directly): the
    # page kept for the store before it must not be served.
    later = crimes_file(tmp_path, "c", "2024-02", {OAK_LSOA: 4})
    run_load(Store(tmp_path / "store"), get_source("police-uk-street"), [later])
    with (
        pytest.raises(AssertionError, match="the store was queried"),
        a_fresh_worker(),
    ):
        dashboard(client, anytown["oak"])
    web._store_at.cache_clear()
    assert ">4</span> crimes in February 2024" in dashboard(client, anytown["oak"])


def test_each_partnerships_reader_is_kept_their_own_dashboard(
    anytown, tmp_path, client
):
    load_with_the_cli(crimes_file(tmp_path, "b", "2024-01", {OAK_LSOA: 9, ELM_LSOA: 6}))
    with a_fresh_worker():
        oak = dashboard(client, anytown["oak"])
        elm = dashboard(client, anytown["elm"])
    assert ">9</span> crimes in January 2024" in oak
    assert ">6</span> crimes in January 2024" in elm
    assert "Elm Ward" not in oak
    assert "Oak Ward" not in elm


def test_no_kept_exact_figure_reaches_the_published_view(anytown, tmp_path, client):
    load_with_the_cli(crimes_file(tmp_path, "b", "2024-01", {OAK_LSOA: 9}))
    web._store_at.cache_clear()
    published = dashboard(client, anytown["oak"], "?public=1")
    assert 'data-testid="published-only"' in published
    assert "crimes in January 2024" not in published
