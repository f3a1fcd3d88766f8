"""The demo seeded whole (saferplaces.demo.seed, ``saferplaces demo``): its
plan file, plan, problem-solving record, users and casework. The one test
module here that loads the whole seed plan (tests/conftest.py counts them)."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner
from django.urls import reverse

from saferplaces.accounts.models import Agency, Membership, Role, User
from saferplaces.analytics import geography, results
from saferplaces.analytics.store import Store
from saferplaces.cases.models import Case
from saferplaces.cli import main
from saferplaces.demo import seed
from saferplaces.demo.plan import DEMO_PLAN, NEIGHBOUR_SLUG
from saferplaces.demo.problem import load_demo_problem
from saferplaces.partnership.models import Group, Partnership, Plan, Strand
from saferplaces.partnership.plan_file import import_plan, read_plan_file
from saferplaces.tasking.models import ProblemSolving
from tests.support import picker_options

pytestmark = pytest.mark.django_db


def test_the_demo_command_seeds_everything_once(settings, demo_data, tmp_path):
    """``saferplaces demo`` on a store already built (loads are skipped by
    checksum): the plan, the problem record, the users and the casework,
    and again changes nothing."""
    data_dir = tmp_path / "data"
    shutil.copytree(demo_data, data_dir)  # the shared store is read-only
    settings.DATA_DIR = data_dir
    first = CliRunner().invoke(main, ["demo", "--quiet"])
    assert first.exit_code == 0, first.output
    assert "SYNTHETIC DATA" in first.output
    assert "Plan: Birmingham South LDG plan 2014/15 (45 actions" in first.output
    assert "Problem solving: one SYNTHETIC record" in first.output
    assert "demo-caseworker" in first.output
    assert "Cases: 400 SYNTHETIC cases" in first.output
    assert Plan.objects.filter(synthetic=True).count() == 2  # and the neighbour's
    assert ProblemSolving.objects.count() == 1
    assert Case.objects.count() == 400
    assert Case.objects.exclude(officer=None).exists()  # the demo's case workers
    assert "cases_opened" in Store(data_dir / "store").tables()
    again = CliRunner().invoke(main, ["demo", "--quiet"])
    assert again.exit_code == 0, again.output
    assert "already loaded" in again.output
    assert "Cases:" not in again.output
    assert "printed once" in again.output
    assert (Plan.objects.count(), Case.objects.count()) == (2, 400)


def test_the_demo_without_users_makes_none(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    seeded = seed(tmp_path, data=False, users=False, cases=False)
    assert seeded.plan_is_new
    assert seeded.plan.actions.count() == 45
    assert not User.objects.exists()
    assert seeded.problem is None  # no data, no record assessed from it


def test_the_demo_partnerships_have_their_areas(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    seed(tmp_path, data=False, users=False, cases=False)
    assert Partnership.objects.get(slug="birmingham-south-ldg").area_codes() == [
        "SYN-D01", "SYN-D02", "SYN-D03",
    ]  # fmt: skip
    theirs = Partnership.objects.get(slug="neighbouring-ldg-synthetic")
    assert theirs.area_codes() == ["SYN-D05", "SYN-D06"]
    assert theirs.plans.get().slug == NEIGHBOUR_SLUG  # the neighbour's plan


def test_demo_users_one_per_role_and_safe_to_run_twice(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    seed(tmp_path, data=False, users=False, cases=False)
    first = CliRunner().invoke(main, ["demo-users"])
    assert first.exit_code == 0
    in_the_demo = Membership.objects.filter(partnership__slug="birmingham-south-ldg")
    assert set(in_the_demo.values_list("role", flat=True)) == {r.value for r in Role}
    assert User.objects.get(username="demo-admin").is_site_administrator
    # The neighbouring partnership's member belongs to it alone.
    neighbour = User.objects.get(username="demo-neighbour")
    assert [m.partnership.slug for m in neighbour.memberships.all()] == [
        "neighbouring-ldg-synthetic"
    ]
    hashes = dict(User.objects.values_list("username", "password"))
    second = CliRunner().invoke(main, ["demo-users"])
    assert second.exit_code == 0
    assert "printed once" in second.output
    assert dict(User.objects.values_list("username", "password")) == hashes


def test_the_seed_plans_whole_structure_is_imported():
    plan = import_plan(DEMO_PLAN)
    assert plan.partnership.board.name == (
        "Birmingham Community Safety Police and Crime Board"
    )
    assert [p.title for p in plan.priorities.all()] == [
        "Domestic Abuse",
        "Young People (10-24 years)",
        "Mobilising Communities",
        "Vulnerable People",
        "Business Crime & Partnerships",
    ]
    assert plan.actions.count() == 45
    assert plan.principles.count() == 10
    assert Group.objects.count() == 13
    assert {s.name: s.links.count() for s in Strand.objects.all()} == {
        "Prevent": 4,
        "Priority Neighbourhoods": 7,
        "Schools & Police Panels": 5,
    }
    focus = plan.actions.get(number="3.4.1")
    assert len(focus.target_areas) == 5  # the five wards of the drugs focus
    emerging = plan.actions.get(emerging=True)
    assert "Cannabis" in emerging.text
    assert emerging.decision
    road = Group.objects.get(slug="road-safety-tasking")
    assert (road.lead_agency.name, road.lead_role) == (
        "West Midlands Fire Service",
        "Station Commander, Northfield",
    )


def test_the_district_tasking_finding_keeps_its_last_clause():
    """An unquoted comma in a YAML flow mapping cut the finding short (and
    made a field of the rest, which the importer now refuses)."""
    plan = import_plan(DEMO_PLAN)
    texts = list(plan.findings.values_list("text", flat=True))
    assert (
        "Road safety issues regularly being referred, including school parking "
        "and speeding" in texts
    )


def test_the_seed_transcription_faults_are_fixed():
    """Found against the seed document (issue 14)."""
    from saferplaces.partnership.models import ActionMeasure

    plan = import_plan(DEMO_PLAN)
    findings = plan.findings.filter(source="District Profiles 2013/14")
    assert findings.count() == 6
    assert plan.board_key_areas == [
        "Domestic Violence", "Youth Violence", "Mobilising Communities",
        "Vulnerable People", "Business related crime",
    ]  # fmt: skip
    asb = plan.partnership.groups.get(slug="asb-safer-communities")
    assert (asb.lead_agency.name, asb.joint_lead_agency.name) == (
        "West Midlands Police",
        "BCC Safer Communities",
    )
    business = plan.partnership.groups.get(slug="business-crime")
    assert {"Northfield BID", "Lifford Business Association"} <= set(
        business.member_agencies.values_list("name", flat=True)
    )
    assert Agency.objects.get(name="Birmingham Community Safety Partnership").kind == (
        "partnership"
    )
    links = {
        (link.action.number, link.measure_id): link.direction
        for link in ActionMeasure.objects.filter(action__plan=plan)
    }
    # Domestic abuse related violence: the seed sets no aim either way.
    assert links[("1.1", "domestic-violence")] == "watch"
    assert links[("2.2", "youth-related-asb")] == "down"
    assert links[("5.1", "business-crime")] == "down"
    # Total recorded crime is the plan's key measure, not business crime's.
    assert not [key for key in links if key[1] == "total-recorded-crime"]


def test_the_demo_has_one_record_for_the_one_ccg():
    from saferplaces.demo.users import ensure_demo_users

    import_plan(DEMO_PLAN)
    ensure_demo_users()
    assert Agency.objects.filter(name__contains="Clinical Commissioning").count() == 1


def test_the_demo_has_a_record_whose_assessment_finds_the_planted_drop(
    client, demo_data, settings, tmp_path, make_user
):
    settings.DATA_DIR = demo_data
    settings.MEDIA_ROOT = tmp_path / "uploads"
    seed(demo_data, data=False, users=False, cases=False)
    store = Store(demo_data / "store")
    record = load_demo_problem(store)
    assert load_demo_problem(store) == record  # safe to run again
    assert ProblemSolving.objects.count() == 1
    client.force_login(make_user(Role.VIEWER))
    page = client.get(reverse("tasking:problem", args=[record.pk])).content.decode()
    assert "more than chance" in page
    assert "SYNTHETIC DATA" in page


def test_the_demo_partnership_has_one_name(demo_data, settings, tmp_path):
    """The header, the plan and the area called the one body three names
    (issue 14): the service and the plan use the group's name, the area the
    place's. The name, purpose and example place are the partnership's
    record's, seeded on each demo partnership, never an installation
    setting's (issue 29)."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    seed(demo_data, data=False, users=False, cases=False)
    plan_name = read_plan_file(DEMO_PLAN)["partnership"]["name"]
    south = Partnership.objects.get(slug="birmingham-south-ldg")
    assert (south.name, south.example_place) == (plan_name, "Selly Oak")
    assert south.purpose.startswith("A forum and platform")
    neighbour = Partnership.objects.get(slug="neighbouring-ldg-synthetic")
    assert neighbour.example_place == "Erdington"
    assert plan_name != settings.PARTNERSHIP_NAME
    store = Store(demo_data / "store")
    assert geography.name_of(store, "SYN-PARTNERSHIP") == "Birmingham South"


def test_the_demos_crime_breaks_down_by_deprivation(demo_data):
    """The demo loads a SYNTHETIC index of deprivation through ``ingest imd``
    (issue 29): its partnership's crime of a year falls in IMD deciles that
    add up to the year's total, every LSOA placed."""
    store = Store(demo_data / "store")
    found = results.by_deprivation(store, "total-recorded-crime", "SYN-PARTNERSHIP")
    deciles = [row for row in found.rows if (row.group or "").startswith("decile")]
    assert [row.group for row in deciles] == [
        f"decile {n}{' (most deprived)' if n == 1 else ''}"
        f"{' (least deprived)' if n == 10 else ''}"
        for n in range(1, 11)
    ]
    assert all(row.value is not None for row in deciles)  # each has LSOAs
    [year] = [
        row
        for row in results.series(
            store, "total-recorded-crime", "SYN-PARTNERSHIP", by="year"
        ).rows
        if row.period == deciles[0].period
    ]
    assert sum(row.numerator or 0 for row in deciles) == year.numerator > 0
    assert (
        "Deciles of IMD 2015: 1 is the most deprived tenth of LSOAs, 10 the least."
        in (found.notes)
    )


def test_the_demos_higher_crime_wards_are_the_more_deprived(demo_data):
    """Planted: the higher an LSOA's crime risk, the more deprived it is, so
    the most deprived decile has the highest crime rate."""
    store = Store(demo_data / "store")
    found = results.by_deprivation(store, "total-recorded-crime", "SYN-PARTNERSHIP")
    gap = found.rows[-1]
    assert gap.group == "rate ratio, decile 1 to decile 10"
    assert (gap.lower or 0) > 1


def test_a_demo_wards_neighbourhood_page_says_its_decile(client, demo_data, settings):
    settings.DATA_DIR = demo_data
    seed(demo_data, data=False, users=False, cases=False)
    kings_norton = reverse(
        "dashboard:neighbourhood_ward",
        kwargs={"slug": "birmingham-south-ldg", "code": "E05900005"},
    )
    html = client.get(kings_norton).content.decode()
    assert "Kings Norton" in html
    assert "IMD 2015 decile 1, the median of its residents" in html


def test_the_demo_shows_each_of_its_partnerships_its_own(
    client, demo_data, settings, tmp_path
):
    settings.DATA_DIR = demo_data
    settings.MEDIA_ROOT = tmp_path / "uploads"
    seed(demo_data, data=False, users=False, cases=False)
    south = client.get(
        reverse("dashboard:neighbourhood", kwargs={"slug": "birmingham-south-ldg"})
    )
    north = client.get(
        reverse(
            "dashboard:neighbourhood", kwargs={"slug": "neighbouring-ldg-synthetic"}
        )
    )
    south_html, north_html = south.content.decode(), north.content.decode()
    assert "For example, ZZ1 1AA or Selly Oak" in south_html
    assert "Selly Oak" not in north_html
    assert "For example, ZZ1 1AA or Erdington" in north_html
    assert "Neighbouring Local Delivery Group (SYNTHETIC)" in north_html
    south_wards = {label for _, label in picker_options(south_html, "ward")}
    north_wards = {label for _, label in picker_options(north_html, "ward")}
    assert "Erdington" in north_wards
    assert "Erdington" not in south_wards
    assert "Bournville" in south_wards
    assert "Bournville" not in north_wards
