"""An area the geography does not hold is refused, on plan import and in
the action's form, with the nearest names and codes it does hold (issue 29,
finding 9: "COL-XXX" imported and showed as a raw code); an area's name is
taken where a code is asked for when exactly one area has it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from saferplaces.partnership.models import PartnershipArea, Plan
from saferplaces.partnership.plan_file import PlanFileError, import_plan
from tests.factories import road_safety_plan
from tests.support import write_csv

SMALL_PLAN = (
    Path(__file__).resolve().parents[1] / "fixtures" / "plans" / "small-plan.yaml"
)

# Two wards called Abbey in two councils, as a national lookup has them.
LOOKUP = """FID,LSOA11CD,LSOA11NM,WD19CD,WD19NM,LAD19CD,LAD19NM
1,E01009001,Birmingham 100A,E05011119,Selly Oak,E08000025,Birmingham
2,E01009002,Birmingham 100B,E05011120,Stirchley,E08000025,Birmingham
3,E01000001,City of London 001A,E05009999,Abbey,E09000001,City of London
4,E01020001,Barking 001A,E05014060,Abbey,E09000002,Barking and Dagenham
"""


@pytest.fixture
def geography(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    lookup = write_csv(tmp_path / "lookup.csv", LOOKUP)
    run_load(Store(tmp_path / "store"), get_source("geography"), [lookup])


def plan_file(tmp_path: Path, target_areas: str) -> Path:
    text = SMALL_PLAN.read_text()
    text = text.replace("areas: [SYN-D01, SYN-D02, SYN-D03]", "areas: [E08000025]")
    assert "target_areas: [SYN-D03]" in text
    text = text.replace("target_areas: [SYN-D03]", f"target_areas: [{target_areas}]")
    path = tmp_path / "plan.yaml"
    path.write_text(text)
    return path


def line_of(path: Path, text: str) -> int:
    lines = path.read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


def test_an_unknown_area_is_refused_with_file_and_line(geography, tmp_path):
    path = plan_file(tmp_path, "COL-XXX")
    with pytest.raises(PlanFileError) as refused:
        import_plan(path)
    message = str(refused.value)
    line = line_of(path, "COL-XXX")
    assert message.startswith(f"{path}: line {line}: target_areas: 'COL-XXX'")
    assert "no area in the geography has this code or name" in message
    assert Plan.objects.count() == 0


def test_a_misspelt_name_is_refused_with_the_nearest_areas(geography, tmp_path):
    with pytest.raises(PlanFileError, match=r"did you mean Selly Oak \(E05011119\)"):
        import_plan(plan_file(tmp_path, "Sely Oak"))
    with pytest.raises(PlanFileError, match=r"did you mean .*\(E05011119\)"):
        import_plan(plan_file(tmp_path, "E0501111"))
    # Part of a name, in any case: "oak" is in "Selly Oak".
    with pytest.raises(PlanFileError, match=r"did you mean Selly Oak \(E05011119\)"):
        import_plan(plan_file(tmp_path, "oak"))


def test_an_areas_name_is_taken_for_its_code(geography, tmp_path):
    plan = import_plan(plan_file(tmp_path, "Selly Oak"))
    assert plan.actions.get(number="3.1.1").target_areas == ["E05011119"]


def test_a_name_two_areas_share_is_refused_listing_both(geography, tmp_path):
    with pytest.raises(PlanFileError) as refused:
        import_plan(plan_file(tmp_path, "Abbey"))
    message = str(refused.value)
    assert "2 areas are called Abbey" in message
    assert "E05009999" in message
    assert "E05014060" in message
    assert "City of London" in message
    assert "Barking and Dagenham" in message


def test_the_partnerships_own_areas_are_checked_too(geography, tmp_path):
    path = plan_file(tmp_path, "E05011119")
    text = path.read_text().replace("areas: [E08000025]", "areas: [E08000099]")
    path.write_text(text)
    # The partnership's mapping starts at its first field.
    line = line_of(path, "name: Example South Local Delivery Group")
    with pytest.raises(PlanFileError, match=rf"line {line}: areas: 'E08000099'"):
        import_plan(path)


def test_the_actions_form_refuses_an_unknown_area_and_takes_a_name(
    client, geography, make_user
):
    action = road_safety_plan().plan.actions.get(number="3.1.2")
    # The form offers the partnership's areas: here, the council's.
    council = PartnershipArea(partnership=action.plan.partnership, code="E08000025")
    council.save()
    client.force_login(make_user(Role.ADMINISTRATOR, username="manager"))
    url = reverse("partnership:action_edit", kwargs={"reference": action.reference})
    sent = {"form": "details", "details-text": action.text,
            "details-lead_agency": action.lead_agency_id,
            "details-lead_role": action.lead_role, "details-target_areas": "COL-XXX",
            "details-starts": action.starts.isoformat(),
            "details-due": action.due.isoformat(),
            "details-version": action.version}  # fmt: skip
    refused = client.post(url, sent)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "COL-XXX is not one of the partnership&#x27;s areas" in html
    assert 'value="COL-XXX"' in html
    # One area to a box (tests/partnership/test_area_picker.py).
    taken = client.post(
        url, {**sent, "details-target_areas": ["Selly Oak", "E05011120"]}
    )
    assert taken.status_code == 302
    action.refresh_from_db()
    assert action.target_areas == ["E05011119", "E05011120"]
