"""The API's measure by IMD decile (issue 29, finding 6)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.analytics.store import Store
from tests.factories import ANONYMOUS
from tests.support import ANYTOWN, load_deprived_anytown, store_copied_from


@pytest.fixture(scope="module")
def anytown(tmp_path_factory):
    """Anytown's store, loaded once for the module; each test has a copy."""
    folder = tmp_path_factory.mktemp("anytown")
    load_deprived_anytown(Store(folder / "store"), folder)
    return folder / "store"


@pytest.fixture
def loaded(settings, tmp_path, anytown):
    settings.DATA_DIR = tmp_path
    store_copied_from(anytown, tmp_path)


def url(measure="total-recorded-crime"):
    return reverse("api:deprivation", kwargs={"measure_id": measure})


def test_the_deciles_and_the_gap_are_answered(loaded, client_as):
    answer = client_as(Role.ANALYST).get(url(), {"area": ANYTOWN}).json()
    rows = {row["group"]: row for row in answer["deciles"]}
    assert rows["decile 1 (most deprived)"]["value"] == 30
    assert rows["not placed in a decile"]["numerator"] == 5
    assert answer["deciles"][-1]["value"] == 6.0
    assert any("IMD 2019" in note for note in answer["notes"])


def test_the_public_gets_open_data_and_a_sentence_for_the_rest(loaded, client_as):
    public = client_as(ANONYMOUS)
    shown = public.get(url(), {"area": ANYTOWN})
    assert shown.status_code == 200
    assert shown.json()["public"] is True
    refused = public.get(url("violence-with-injury"), {"area": ANYTOWN})
    assert refused.status_code == 400
    assert "by IMD decile" in refused.json()["detail"]


def test_a_bad_period_is_a_400_in_words(loaded, client_as):
    refused = client_as(Role.ANALYST).get(url(), {"area": ANYTOWN, "period": "soon"})
    assert refused.status_code == 400
