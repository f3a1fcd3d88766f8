"""No personal data in logs, URLs or error pages, and the SQLite stand-in
for pg_trgm gives PostgreSQL's answers."""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from saferplaces.cases import search
from tests.factories import make_case

PERSONAL = ("Wilhelmina", "Quarrington", "1944-02-29", "ZZ9 9ZZ", "Example Close")


@pytest.fixture
def every_log_line():
    """Every record any logger writes, at every level, while the test runs."""
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))
            if record.exc_info:
                lines.append(logging.Formatter().formatException(record.exc_info))

    handler = Keep(level=logging.DEBUG)
    root = logging.getLogger()
    before = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    yield lines
    root.removeHandler(handler)
    root.setLevel(before)


def test_a_whole_case_journey_logs_no_personal_data(casework, every_log_line, settings):
    settings.DEBUG = False
    import datetime

    case = make_case(casework, given="Wilhelmina", family="Quarrington",
                     born=datetime.date(1944, 2, 29), postcode="ZZ9 9ZZ")  # fmt: skip
    client = Client(raise_request_exception=False)
    client.force_login(casework.officer)
    client.get(reverse("cases:case", args=[case.reference]))
    client.post(reverse("cases:search"), {"name": "Wilhelmina Quarington"})
    client.post(reverse("cases:search"), {"date_of_birth": "1944-02-30"})  # invalid
    client.post(reverse("cases:new"), {"given_name": "Wilhelmina", "postcode": "??"})
    client.post(
        reverse("cases:refer", args=[case.reference, casework.fire_safety.pk]), {}
    )
    client.force_login(casework.housing_officer)  # refused: 404 is logged
    client.get(reverse("cases:case", args=[case.reference]))
    client.force_login(casework.firefighter)
    client.post(reverse("cases:case_edit", args=[case.reference]), {"summary": "x"})
    logged = "\n".join(every_log_line)
    assert "Not Found" in logged or "Forbidden" in logged  # the logs were caught
    for value in PERSONAL:
        assert value not in logged


def test_error_pages_show_no_personal_data(casework, settings):
    settings.DEBUG = False
    case = make_case(casework, given="Wilhelmina", family="Quarrington")
    client = Client()
    client.force_login(casework.housing_officer)
    page = client.get(reverse("cases:case", args=[case.reference]))
    assert page.status_code == 404
    assert "Wilhelmina" not in page.content.decode()


PAIRS = [
    ("margaret pellow", "margret pelow"),
    ("john smith", "jon smyth"),
    ("edna hollis", "edna hollis"),
    ("siobhan o'neill", "shivaun oneil"),
    ("ab", "abc"),
    ("", "x"),
]


@pytest.mark.django_db
def test_sqlite_similarity_equals_pg_trgm():
    if connection.vendor != "postgresql":
        pytest.skip("compares with PostgreSQL's pg_trgm: runs on the PostgreSQL leg")
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for a, b in PAIRS:
            cursor.execute("SELECT similarity(%s, %s)", [a, b])
            assert search.trigram_similarity(a, b) == pytest.approx(
                cursor.fetchone()[0], abs=1e-6
            ), (a, b)
