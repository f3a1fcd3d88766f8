"""Areas picked, not typed (issue 30, fault 9): an action's target areas
are chosen from the reader's partnership's areas, by name or code; a name a
district and a ward share means the partnership's own district; an unknown
name is refused with the nearest names, and the form keeps what was typed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.factories import road_safety_plan
from tests.support import write_csv

# The partnership covers SYN-D01 to SYN-D03 (tests/factories.py); each of its
# districts has a ward of the same name, as Birmingham's had. Erdington is
# another partnership's.
LOOKUP = """FID,LSOA11CD,LSOA11NM,WD19CD,WD19NM,LAD19CD,LAD19NM
1,E01009001,Birmingham 100A,E05011119,Selly Oak,E08000025,Birmingham
2,E01009002,Birmingham 100B,E05011120,Northfield,E08000025,Birmingham
3,E01009003,Birmingham 100C,E05011121,Edgbaston,E08000025,Birmingham
4,E01009004,Birmingham 100D,E05011122,Erdington,E08000025,Birmingham
"""
DISTRICTS = """areas:
  - {code: SYN-D01, name: Edgbaston, level: district, contains: [E05011121]}
  - {code: SYN-D02, name: Northfield, level: district, contains: [E05011120]}
  - {code: SYN-D03, name: Selly Oak, level: district, contains: [E05011119]}
  - {code: SYN-D05, name: Erdington, level: district, contains: [E05011122]}
"""


@pytest.fixture
def action(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    lookup = write_csv(tmp_path / "lookup.csv", LOOKUP)
    districts = tmp_path / "districts.yaml"
    districts.write_text(DISTRICTS)
    run_load(Store(tmp_path / "store"), get_source("geography"), [lookup, districts])
    return road_safety_plan().plan.actions.get(number="3.1.2")


def edit(client, make_user, action, *target_areas: str):
    client.force_login(make_user(Role.ADMINISTRATOR, username="manager"))
    url = reverse("partnership:action_edit", kwargs={"reference": action.reference})
    sent = {"form": "details", "details-text": action.text,
            "details-lead_agency": action.lead_agency_id,
            "details-lead_role": action.lead_role,
            "details-target_areas": list(target_areas),
            "details-starts": action.starts.isoformat(),
            "details-due": action.due.isoformat(),
            "details-version": action.version}  # fmt: skip
    return client.post(url, sent)


def test_an_actions_target_areas_accept_selly_oak(client, make_user, action):
    saved = edit(client, make_user, action, "Selly Oak")
    assert saved.status_code == 302
    action.refresh_from_db()
    # The district the partnership covers, not the ward of the same name.
    assert action.target_areas == ["SYN-D03"]


def test_the_ward_is_had_by_its_label_and_codes_are_taken_too(
    client, make_user, action
):
    # A label from the list, a code in any case, a suggestion as offered.
    saved = edit(client, make_user, action, "Selly Oak (ward)", "e05011120", "",
                 "Edgbaston (E05011121)")  # fmt: skip
    assert saved.status_code == 302
    action.refresh_from_db()
    assert action.target_areas == ["E05011119", "E05011120", "E05011121"]


def test_an_unknown_name_is_refused_with_the_nearest_names(client, make_user, action):
    refused = edit(client, make_user, action, "Northfield", "Sely Oak")
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Sely Oak is not one of the partnership&#x27;s areas" in html
    assert "did you mean Selly Oak" in html
    assert 'value="Sely Oak"' in html  # kept as typed
    assert 'value="Northfield"' in html
    action.refresh_from_db()
    assert action.target_areas == []


def test_another_partnerships_area_is_not_offered_nor_taken(client, make_user, action):
    client.force_login(make_user(Role.ADMINISTRATOR, username="manager"))
    url = reverse("partnership:action_edit", kwargs={"reference": action.reference})
    form = client.get(url).content.decode()
    assert '<option value="Selly Oak (ward)">' in form
    assert '<option value="Northfield (district)">' in form
    assert "Erdington" not in form
    refused = edit(client, make_user, action, "Erdington")
    assert refused.status_code == 400
    assert "Erdington is not one of the partnership" in refused.content.decode()
