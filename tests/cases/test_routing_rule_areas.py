"""A referral pathway's areas are picked from the partnership's areas, by
name or code (issue 30, fault 9), like every other area field."""

from __future__ import annotations

import pytest
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from saferplaces.partnership.models import PartnershipArea
from tests.support import write_csv

LOOKUP = """FID,LSOA11CD,LSOA11NM,WD19CD,WD19NM,LAD19CD,LAD19NM
1,E01009001,Birmingham 100A,E05011119,Selly Oak,E08000025,Birmingham
2,E01009002,Birmingham 100B,E05011120,Northfield,E08000025,Birmingham
"""
DISTRICTS = """areas:
  - {code: SYN-D03, name: Selly Oak, level: district, contains: [E05011119]}
"""


@pytest.fixture
def rule_form(casework, settings, tmp_path, client):
    settings.DATA_DIR = tmp_path
    districts = tmp_path / "districts.yaml"
    districts.write_text(DISTRICTS)
    lookup = write_csv(tmp_path / "lookup.csv", LOOKUP)
    run_load(Store(tmp_path / "store"), get_source("geography"), [lookup, districts])
    PartnershipArea.objects.create(partnership=casework.partnership, code="SYN-D03")
    client.force_login(casework.worker("manager", casework.police, Role.ADMINISTRATOR))
    url = reverse(
        "cases:rule_edit", args=[casework.partnership.slug, casework.fire_safety.pk]
    )
    sent = {
        "pathway": "Home fire safety visit", "to_agency": casework.fire.pk,
        "agreement": casework.agreement.pk, "order": 10, "response_days": 7,
        "is_active": "on",
    }  # fmt: skip
    return url, sent


def test_a_pathways_areas_are_taken_by_name(client, casework, rule_form):
    url, sent = rule_form
    saved = client.post(url, {**sent, "area_codes": ["Selly Oak", "e01009001"]})
    assert saved.status_code == 302
    casework.fire_safety.refresh_from_db()
    assert casework.fire_safety.area_codes == ["SYN-D03", "E01009001"]


def test_an_area_outside_the_partnership_is_refused_with_the_nearest(
    client, casework, rule_form
):
    url, sent = rule_form
    refused = client.post(url, {**sent, "area_codes": ["Northfield", "Sely Oak"]})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Northfield is not one of the partnership&#x27;s areas" in html
    assert "Sely Oak is not one of the partnership&#x27;s areas" in html
    assert "did you mean Selly Oak" in html
    assert 'value="Sely Oak"' in html
