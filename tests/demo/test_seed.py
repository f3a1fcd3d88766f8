"""The demo seeded whole (saferplaces.demo.seed, ``saferplaces demo``): its
plan file, plan, problem-solving record, users and casework. The one test
module here that loads the whole seed plan (tests/conftest.py counts them)."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser

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
from tests.matrix import MATRIX
from tests.support import ON_POSTGRES, picker_options

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


# Issue 30: every page of the demo, as each of its users sees it, shows a
# vocabulary's label, never the value stored for it. A stored value is
# looked for as written ("drug-litter", "ho_group") and as the old ``words``
# filter spelled it ("ho group", "neither high"), unless that spelling is
# part of the label itself.
DEMO_USERS = (
    "demo-admin", "demo-analyst", "demo-lead", "demo-caseworker", "demo-police",
    "demo-fire", "demo-viewer", "demo-neighbour",
)  # fmt: skip
# Case workers of other agencies see the pages demo-caseworker sees but
# their casework: only that is asked of them.
CASEWORK_ONLY = {"demo-police", "demo-fire"}
# Pages whose answer is a file or data, not a page to read.
NOT_PAGES = {
    "web:health", "dashboard:chart", "dashboard:map_geojson", "dashboard:export",
    "tasking:pack_geojson", "tasking:pack_pdf", "partnership:export_csv",
    "partnership:export_xlsx", "accounts:audit_log_export",
}  # fmt: skip
# One noun counted wrongly ("1 days", "1 actions"): "1" then a plural.
ONE_PLURAL = re.compile(r"(?<![\d.,£-])\b1 ((?:[a-z]+ )?[a-z]+s)\b(?! of\b)")
NOT_PLURALS = {"is", "was", "has", "this", "plus", "across", "its", "us", "as"}
PYTHON_WORDS = re.compile(r"\b(True|False|None to|to None)\b")


class _VisibleText(HTMLParser):
    """The words a person is given: text outside scripts and styles, and the
    labels a screen reader reads (aria-label, alt, title)."""

    HIDDEN = {"script", "style", "template", "noscript"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1
        for name, value in attrs:
            if name in ("aria-label", "alt", "title") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    reader = _VisibleText()
    reader.feed(html)
    return re.sub(r"\s+", " ", " ".join(reader.parts))


def stored_values() -> dict[str, str]:
    """Each vocabulary's stored values that look like codes, with their
    labels: model choices, and those labelled in saferplaces.lib.labels
    (measures, area levels, breakdowns, SPC words, community concern
    categories, audit actions). Casework's audit actions are stored as
    "case_" and a verb: the verb alone is looked for too."""
    from django.apps import apps

    from saferplaces.lib import labels

    found: dict[str, str] = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or []:
                found[str(value)] = str(label)
    for vocabulary in labels.VOCABULARIES.values():
        found.update(vocabulary)
    for action, label in labels.AUDIT_ACTIONS.items():
        if action.startswith("case_"):
            found[action.removeprefix("case_")] = label
    return {
        value: label
        for value, label in found.items()
        if re.search(r"[a-z][_-][a-z]", value) and value.lower() != label.lower()
    }


def codes_shown(text: str, stored: dict[str, str]) -> list[str]:
    """The stored values ``text`` shows: as stored, or (a code with
    underscores) as the ``words`` filter spelled it, in lower case, unless
    that is part of its label; "1" with a plural; Python's True and False."""
    shown = []
    for value, label in stored.items():
        spaced = value.replace("_", " ")
        if re.search(rf"(?<![\w/-]){re.escape(value)}(?![\w/-])", text):
            shown.append(value)
        elif (
            spaced != value
            and spaced.lower() not in label.lower()
            and re.search(rf"\b{re.escape(spaced)}\b", text)
        ):
            shown.append(spaced)
    shown += [
        f"1 {noun}"
        for noun in ONE_PLURAL.findall(text)
        if noun.split()[-1] not in NOT_PLURALS and not noun.endswith("ss")
    ]
    shown += PYTHON_WORDS.findall(text)
    return shown


def demo_pages(user: User) -> list[str]:
    """Every page of the permission matrix, with the demo's own objects
    where the matrix names none (a case the user's agency owns, a referral
    to it), and the pages that show the demo's data broken down."""
    from saferplaces.analytics.measures.registry import REGISTRY
    from saferplaces.cases.models import Referral, RoutingRule

    pages = []
    case = Case.objects.filter(owner_agency=user.agency).first()
    referral = Referral.objects.filter(to_agency=user.agency).first()
    rule = RoutingRule.objects.first()
    for name, rule_of in sorted(MATRIX.items()):
        if name in NOT_PAGES or name.startswith("api:"):
            continue
        if user.username in CASEWORK_ONLY and not name.startswith("cases:"):
            continue
        kwargs = dict(rule_of.kwargs)
        if kwargs.get("reference") == "CASE-NOTFOUND":
            if case is None:
                continue
            kwargs["reference"] = case.reference
            if "rule" in kwargs:
                kwargs["rule"] = str(rule.pk)
        if name == "cases:referral_decide":
            if referral is None:
                continue
            kwargs["public_id"] = str(referral.public_id)
        if kwargs.get("partnership") == "no-such-partnership":
            kwargs["partnership"] = "birmingham-south-ldg"
            if "pk" in kwargs:
                kwargs["pk"] = str(rule.pk)
        pages.append(reverse(name, kwargs=kwargs))
    if user.username == "demo-analyst":
        pages += [
            reverse("dashboard:measure", kwargs={"measure_id": measure_id})
            for measure_id in sorted(REGISTRY)
        ]
        pages += [
            reverse("tasking:pack", kwargs={"code": "SYN-D03"})
            + "?from=2014-04&to=2015-03",
            reverse("tasking:problem", kwargs={"pk": ProblemSolving.objects.get().pk}),
        ]
    return pages


@pytest.mark.skipif(
    ON_POSTGRES,
    reason="the words pages show, not the database's: runs on the SQLite leg",
)
def test_the_demos_pages_show_labels_never_stored_values(
    client, demo_data, settings, tmp_path
):
    """Issue 30, fault 12: "By ho group", "drug-litter", "Decide within 1
    days", "Variation: neither high", "Read refer", "Plan: synthetic False
    to True"."""
    data_dir = tmp_path / "data"
    shutil.copytree(demo_data, data_dir)  # the casework is published to it
    settings.DATA_DIR = data_dir
    settings.MEDIA_ROOT = tmp_path / "uploads"
    seed(data_dir, data=False)
    load_demo_problem(Store(data_dir / "store"))  # what data=True assesses
    stored = stored_values()
    found: dict[str, list[str]] = {}
    # The site administrator last: the audit log then holds everyone's reads.
    for username in [*DEMO_USERS[1:], DEMO_USERS[0]]:
        user = User.objects.get(username=username)
        client.force_login(user)
        for url in demo_pages(user):
            response = client.get(url)
            if response.status_code != 200 or "html" not in response["Content-Type"]:
                continue
            if shown := codes_shown(visible_text(response.content.decode()), stored):
                found[f"{username} {url}"] = sorted(set(shown))
    assert found == {}, "\n".join(f"{page}: {shown}" for page, shown in found.items())


def test_the_stored_values_check_finds_a_code_and_passes_its_label():
    stored = {"drug-litter": "Drug litter", "ho_group": "Home Office offence group"}
    assert codes_shown("By ho group: 3 drug-litter reports", stored) == [
        "drug-litter",
        "ho group",
    ]
    # Hyphenated slugs are looked for as written: "drug litter" is English.
    assert codes_shown("Ho group? drug litter", stored) == []
    assert codes_shown("Drug litter by Home Office offence group", stored) == []
    assert codes_shown("Decide within 1 days; 1 action; 1 of 3", {}) == ["1 days"]
    assert codes_shown("Plan: synthetic False to True", {}) == ["False", "True"]
