"""Playwright driving Debian's chromium, with axe-core from npm.

Never ``playwright install``: the browser is /usr/bin/chromium (``make test``
installs it with apt when missing).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from tests.browser.support import (
    AXE,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _require(path: Path, why: str) -> None:
    if path.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{path} is missing: {why}")
    pytest.skip(f"{path} is missing: {why}")


_triggers = importlib.import_module(
    "saferplaces.accounts.migrations.0002_audit_append_only"
)


def _run_trigger_sql(by_vendor: dict[str, list[str]]) -> None:
    with connection.cursor() as cursor:
        for statement in by_vendor.get(connection.vendor, []):
            cursor.execute(statement)


@pytest.fixture(scope="session", autouse=True)
def _no_persistent_connections_in_the_live_server():
    """The live server's threads share the test database connection; one
    kept between requests (CONN_MAX_AGE, right for gunicorn) would be
    checked for closing from the wrong thread."""
    from django.db import connections

    for alias in connections:
        connections[alias].settings_dict["CONN_MAX_AGE"] = 0


@pytest.fixture(autouse=True)
def _audit_log_can_be_flushed_between_tests(transactional_db):
    """Browser tests need real commits, so Django empties every table after
    each one; the append-only triggers refuse that, so they are lifted for
    the flush alone and put back before the next test."""
    reverse = {
        "sqlite": _triggers.SQLITE_REVERSE,
        "postgresql": _triggers.POSTGRES_REVERSE,
    }
    _run_trigger_sql(reverse)
    _run_trigger_sql({"sqlite": _triggers.SQLITE, "postgresql": _triggers.POSTGRES})
    yield
    _run_trigger_sql(reverse)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    _require(CHROMIUM, "run `make test`, which installs Debian's chromium")
    _require(AXE, "run `make test`, which installs axe-core from npm")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls
    # made from it (fixtures, live server set-up) are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser, live_server):
    """A page whose context may inject axe (CSP is bypassed only for that)."""
    context = browser.new_context(bypass_csp=True, base_url=live_server.url)
    yield context.new_page()
    context.close()


@pytest.fixture
def strict_page(browser, live_server):
    """A page that enforces the site's CSP, recording any violation."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.csp_violations = []
    page.on(
        "console",
        lambda message: (
            page.csp_violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()


@pytest.fixture
def seeded_plan(transactional_db, settings, demo_data):
    """The demo's store, and its whole plan (saferplaces.demo.seed)."""
    from saferplaces.demo import seed

    settings.DATA_DIR = demo_data
    return seed(demo_data, data=False, users=False, cases=False).plan


@pytest.fixture
def road_plan(transactional_db, settings, demo_data):
    """The demo's store, and a small plan under the demo's names with its
    partnership's areas (tests/factories.py)."""
    from tests.factories import road_safety_plan

    settings.DATA_DIR = demo_data
    return road_safety_plan().plan
