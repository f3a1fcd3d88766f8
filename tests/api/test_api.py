"""The JSON API: partners see every figure, everyone else the published ones."""

from __future__ import annotations

import io

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.analytics.measures import REGISTRY
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.factories import ANONYMOUS, SITE_ADMIN, covering
from tests.support import EXTRACT, FEBRUARY, JANUARY, store_copied_from

pytestmark = pytest.mark.django_db

SERIES = reverse("api:series", kwargs={"measure_id": "total-recorded-crime"})


@pytest.fixture(scope="module")
def loaded_once(tmp_path_factory):
    """Two months of street crime and the local extract, loaded once for
    the module; each test has a copy."""
    store = Store(tmp_path_factory.mktemp("api") / "store")
    run_load(store, get_source("police-uk-street"), [JANUARY, FEBRUARY])
    run_load(store, get_source("local-crimes"), [EXTRACT])
    return store.root


@pytest.fixture
def loaded(settings, tmp_path, loaded_once):
    settings.DATA_DIR = tmp_path
    store_copied_from(loaded_once, tmp_path)
    # Partners see exact figures in their partnership's areas only.
    covering("E01009002", "E01900001")


def test_every_measure_is_listed_with_its_definition(client):
    body = client.get(reverse("api:measures")).json()
    assert [m["id"] for m in body] == sorted(REGISTRY)
    assert all(m["definition"] and m["unit"] for m in body)


def test_the_openapi_schema_is_valid_and_describes_the_series():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = yaml.safe_load(out.getvalue())
    series = schema["paths"]["/api/measures/{measure_id}/series/"]["get"]
    assert {p["name"] for p in series["parameters"]} >= {"area", "by", "group"}


def test_the_schema_is_served(client):
    response = client.get(reverse("api:schema"))
    assert response.status_code == 200
    assert b"openapi" in response.content


def test_partners_see_small_counts(loaded, client_as):
    body = client_as(Role.ANALYST).get(SERIES, {"area": "E01009002"}).json()
    assert body["public"] is False
    assert [(p["period"], p["numerator"]) for p in body["points"]] == [
        ("2024-01", 1),
        ("2024-02", 2),
    ]


def test_the_public_get_open_data_exactly(loaded, client_as):
    # police.uk street crime is open at the same detail: no noise, nothing
    # withheld, matching the source.
    body = client_as(ANONYMOUS).get(SERIES, {"area": "E01009002"}).json()
    assert body["public"] is True
    assert [(p["numerator"], p["treatment"]) for p in body["points"]] == [
        (1, "open"),
        (2, "open"),
    ]


def test_the_public_get_local_records_perturbed_and_small_counts_withheld(
    loaded, client_as
):
    url = reverse("api:series", kwargs={"measure_id": "recorded-crime-local"})
    area = {"area": "E01900001"}
    body = client_as(ANONYMOUS).get(url, area).json()
    [january] = body["points"]
    assert january["withheld"] is True
    assert january["treatment"] == "perturbed"
    assert january["value"] is january["numerator"] is january["lower"] is None
    assert "cell key perturbation" in " ".join(body["notes"])
    partner = client_as(Role.ANALYST).get(url, area).json()
    assert partner["points"][0]["numerator"] > 0
    assert partner["points"][0]["treatment"] == "exact"


def test_bad_queries_are_clear_errors(loaded, client):
    # One shape for every error: detail in words, and each bad field.
    assert client.get(SERIES).json() == {
        "detail": "area: This field is required.",
        "fields": {"area": ["This field is required."]},
    }
    response = client.get(SERIES, {"area": "E01009002", "by": "fortnight"})
    assert response.status_code == 400
    assert "by" in response.json()["fields"]
    unknown = client.get(SERIES, {"area": "E05999999"})
    assert unknown.status_code == 400
    assert unknown.json()["detail"] == "No LSOAs are known for area 'E05999999'."
    nope = client.get(reverse("api:series", kwargs={"measure_id": "nope"}))
    assert nope.status_code == 404


def test_the_api_is_read_only(loaded, client_as):
    response = client_as(SITE_ADMIN).post(SERIES, {"area": "E01009002"})
    assert response.status_code in (403, 405)  # CSRF first, then no POST at all


@pytest.mark.parametrize(
    "path",
    ["/api/measures/not%20a%20slug/", "/api/measures/%C3%A9/series/", "/api/nope"],
)
def test_unknown_api_paths_are_json_404s(client, path):
    # A measure id that is not a slug used to get Django's HTML 404.
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_the_schema_documents_errors_and_enumerates_levels():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = yaml.safe_load(out.getvalue())
    series = schema["paths"]["/api/measures/{measure_id}/series/"]["get"]
    assert {"200", "400", "404"} <= set(series["responses"])
    compare = schema["paths"]["/api/measures/{measure_id}/compare/"]["get"]
    level = next(p for p in compare["parameters"] if p["name"] == "level")
    assert "ward" in level["schema"]["enum"]


def test_a_kept_answer_follows_loads_and_is_never_shared_across_audiences(
    settings, tmp_path, client_as
):
    # Series answers are kept until the store changes (bench/web.py).
    from saferplaces.lib.store import web_store

    settings.DATA_DIR = tmp_path
    store = web_store()  # its own loads are seen at once (others' within 1 s)
    run_load(store, get_source("police-uk-street"), [JANUARY])
    covering("E01009002")
    partner, public = client_as(Role.ANALYST), client_as(ANONYMOUS)
    asked = {"area": "E01009002"}
    assert [p["period"] for p in partner.get(SERIES, asked).json()["points"]] == [
        "2024-01"
    ]
    assert public.get(SERIES, asked).json()["public"] is True
    assert partner.get(SERIES, asked).json()["public"] is False
    run_load(store, get_source("police-uk-street"), [FEBRUARY])
    months = [p["period"] for p in partner.get(SERIES, asked).json()["points"]]
    assert months == ["2024-01", "2024-02"]


def test_a_window_that_cuts_a_period_is_a_400_naming_what_may_be_asked(
    loaded, client, client_as
):
    url = reverse("api:series", kwargs={"measure_id": "domestic-violence"})
    asked = {"area": "E01900001", "by": "year", "first": "2023-05", "last": "2024-03"}
    refused = client.get(url, asked)
    assert refused.status_code == 400
    body = refused.json()
    assert "2023-04 to 2024-03" in body["detail"]
    assert any(line.startswith("by year") for line in body["allowed"])
    # Partners may ask for any run of months; the public for whole periods.
    assert client_as(Role.ANALYST).get(url, asked).status_code == 200
    whole = client.get(url, {**asked, "first": "2023-04"})
    assert whole.status_code == 200
