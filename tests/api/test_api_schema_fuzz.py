"""Schemathesis against /api/schema/: every operation, with generated
queries (valid and not), as an anonymous caller and as a signed-in partner,
over the SYNTHETIC demo's data. Zero 500s, and every answer (status, body,
content type) as the schema documents it.

Hypothesis drives schemathesis's strategies directly (its pytest plugin
does not run under this pytest), one operation at a time. One check is left
out: "a schema-valid request must be accepted". The API checks more than a
schema can say (that an area code exists, that a ward lies within the parent
asked for) and answers those with a documented 400 naming the problem.
"""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import positive_data_acceptance

from saferplaces.accounts.models import Role

# Generated calls per operation and caller (the note of issue 13 counts them).
EXAMPLES = 60


@pytest.fixture
def api_schema(db, settings, demo_data):
    settings.DATA_DIR = demo_data
    # The generated calls come from one address: lift the anonymous limit
    # (tests/web/test_abuse_limits.py tests it).
    settings.API_ANONYMOUS_RATE = "1000000/minute"
    # As Django's test client does: a request's end must not close the
    # database connection, which holds the test's transaction (PostgreSQL).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def operations(schema):
    found = [result.ok() for result in schema.get_all_operations()]
    assert found, "the schema lists no operations"
    return found


def fuzz(operation, headers: dict[str, str]) -> list[int]:
    """Run up to EXAMPLES generated calls of ``operation``; their statuses."""
    made = []

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case):
        response = case.call_and_validate(
            headers=headers, excluded_checks=[positive_data_acceptance]
        )
        assert response.status_code < 500
        made.append(response.status_code)

    call()
    return made


def with_demo_areas(schema):
    """The schema, its area parameters narrowed to the demo's codes: the
    free-text run above mostly meets "unknown area"; this one reaches the
    figures behind every measure, period and breakdown."""
    from saferplaces.analytics import geography
    from saferplaces.lib.store import web_store

    codes = sorted(
        area.code
        for level in ("partnership", "policing_unit", "district", "ward")
        for area in geography.areas_of_level(web_store(), level)
    )
    for path in schema.raw_schema["paths"].values():
        for parameter in path.get("get", {}).get("parameters", []):
            if parameter["name"] in ("area", "within"):
                parameter["schema"] = {"type": "string", "enum": codes}
    return schema


@pytest.mark.parametrize("caller", ["anonymous", "partner"])
@pytest.mark.parametrize("areas", ["any text", "the demo's areas"])
def test_the_api_keeps_to_its_schema(api_schema, client_as, caller, areas):
    if areas == "the demo's areas":
        api_schema = with_demo_areas(api_schema)
    headers = {}
    if caller == "partner":
        session = client_as(Role.ANALYST).cookies["sessionid"].value
        headers = {"Cookie": f"sessionid={session}"}
    made = {op.label: fuzz(op, headers) for op in operations(api_schema)}
    assert set(made) >= {
        "GET /api/measures/",
        "GET /api/measures/{measure_id}/series/",
        "GET /api/measures/{measure_id}/compare/",
    }
    statuses = Counter(status for answers in made.values() for status in answers)
    print(
        f"{caller}, {areas}: {sum(statuses.values())} generated calls, {dict(statuses)}"
    )
