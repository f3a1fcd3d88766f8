"""Cases reach the measures engine de-identified: the dashboard's
cases-opened measure counts them by type, risk and area without a person,
a reference or a word of a case in the store."""

from __future__ import annotations

import datetime
import re

import pytest
from click.testing import CliRunner

from saferplaces.analytics.measures import measure_series
from saferplaces.analytics.store import Store
from saferplaces.cases.models import Case, CaseRisk, CaseType
from saferplaces.cases.publish import publish_cases
from saferplaces.ingest import case_counts
from tests.factories import make_case

LSOA = "E01009001"
OTHER_LSOA = "E01009002"


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "store")


def test_the_source_knows_every_case_type_and_risk_level():
    assert [t.value for t in CaseType] == case_counts.CASE_TYPES
    assert [r.value for r in CaseRisk] == case_counts.RISK_LEVELS


def test_published_cases_are_counted_by_month_type_and_risk(casework, store):
    day = datetime.date(2025, 4, 3)
    make_case(casework, area_code=LSOA, case_type="asb", opened_on=day)
    make_case(casework, area_code=LSOA, case_type="asb", opened_on=day,
              risk_level="high")  # fmt: skip
    make_case(casework, area_code=LSOA, case_type="hate_crime",
              opened_on=datetime.date(2025, 5, 9))  # fmt: skip
    make_case(casework, area_code=OTHER_LSOA, case_type="asb", opened_on=day)

    report = publish_cases(store)

    assert report.accepted == 4
    assert report.rejected == 0
    points = measure_series(store, "cases-opened", LSOA)
    assert [(p.period, p.numerator) for p in points] == [("2025-04", 2), ("2025-05", 1)]
    by_type = measure_series(store, "cases-opened", LSOA, group="case_type")
    assert {(p.period, p.group, p.numerator) for p in by_type} >= {
        ("2025-04", "asb", 2), ("2025-05", "hate_crime", 1),
    }  # fmt: skip
    by_risk = measure_series(store, "cases-opened", LSOA, group="risk_level")
    assert ("2025-04", "high", 1) in {(p.period, p.group, p.numerator) for p in by_risk}


def test_the_store_holds_no_one(casework, store):
    case = make_case(
        casework, area_code=LSOA, given="Zebedee", family="Quill",
        postcode="ZZ9 9ZZ", summary="SYNTHETIC: Zebedee's door",
        opened_on=datetime.date(2025, 4, 3),
    )  # fmt: skip
    publish_cases(store)
    rows = store.query("SELECT * FROM cases_opened").to_pylist()
    text = repr(rows)
    for secret in ("Zebedee", "Quill", "ZZ9", case.reference, f"'{case.pk}'"):
        assert secret not in text
    assert set(rows[0]) >= {"case_id", "month", "case_type", "risk_level", "lsoa_code"}
    assert rows[0]["case_id"] != str(case.pk)


def test_publishing_again_replaces_the_partnerships_rows(casework, store):
    kept = make_case(casework, area_code=LSOA, opened_on=datetime.date(2025, 4, 3))
    gone = make_case(casework, area_code=LSOA, opened_on=datetime.date(2025, 4, 4))
    publish_cases(store)
    Case.objects.filter(pk=gone.pk).delete()  # as retention would
    publish_cases(store)
    assert store.query("SELECT count(*) AS n FROM cases_opened").to_pylist() == [
        {"n": 1}
    ]
    assert kept.pk


def test_the_command_publishes_and_says_so(casework, settings, tmp_path):
    from saferplaces.cli import main

    settings.DATA_DIR = tmp_path
    make_case(casework, area_code=LSOA, opened_on=datetime.date(2025, 4, 3))
    result = CliRunner().invoke(main, ["cases", "publish"])
    assert result.exit_code == 0, result.output
    assert "1" in result.output
    assert "cases_opened" in result.output
    assert Store(tmp_path / "store").tables() == ["cases_opened"]


def test_an_analyst_counts_cases_on_the_dashboard_and_sees_no_one(
    casework, settings, tmp_path, client
):
    """As on the case counts page, small counts are withheld (issue 27: the
    dashboard showed "3" exactly, to anyone signed in)."""
    from django.urls import reverse

    from saferplaces.accounts.models import Role
    from tests.factories import covering

    settings.DATA_DIR = tmp_path
    covering(LSOA)
    for day in (3, 4, 5):
        make_case(casework, area_code=LSOA, given="Zebedee", family="Quill",
                  opened_on=datetime.date(2025, 4, day))  # fmt: skip
    publish_cases(Store(tmp_path / "store"))
    analyst = casework.worker("analyst", casework.police, role=Role.ANALYST)
    client.force_login(analyst)

    page = client.get(
        reverse("dashboard:measure", args=["cases-opened"]), {"area": LSOA}
    ).content.decode()

    assert "Cases opened" in page
    assert re.search(r"<th[^>]*>2025-04</th>\s*<td[^>]*>withheld</td>", page)
    assert not re.search(r"<td[^>]*>\s*3\s*</td>", page), "the month's count, 3"
    assert "Zebedee" not in page
    assert "CASE-" not in page


def test_a_month_with_no_case_counts_zero(casework, store):
    make_case(casework, area_code=LSOA, opened_on=datetime.date(2025, 1, 9))
    make_case(casework, area_code=OTHER_LSOA, opened_on=datetime.date(2025, 4, 2))
    publish_cases(store)
    points = measure_series(store, "cases-opened", LSOA)
    assert [(p.period, p.numerator) for p in points] == [
        ("2025-01", 1), ("2025-02", 0), ("2025-03", 0), ("2025-04", 0),
    ]  # fmt: skip


def test_only_whole_months_are_published(casework, store):
    from django.utils import timezone

    today = timezone.localdate()
    make_case(casework, area_code=LSOA, opened_on=today)
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    make_case(casework, area_code=LSOA, opened_on=last_month)
    publish_cases(store)
    months = [p.period for p in measure_series(store, "cases-opened", LSOA)]
    assert months == [last_month.strftime("%Y-%m")]


def completed_referral(casework, outcome, day, area_code=LSOA, pathway=None):
    """A home fire safety referral, accepted and completed with ``outcome``
    on ``day``."""
    from saferplaces.cases.services import routing

    rule = pathway or casework.fire_safety
    rule.outcomes = ["Alarms fitted", "Declined", "No access"]
    rule.save()
    case = make_case(casework, area_code=area_code, opened_on=day)
    referral = routing.refer(case, rule, casework.officer)
    routing.decide(referral, True, "", casework.firefighter)
    routing.record_outcome(referral, outcome, "SYNTHETIC note", True,
                           casework.firefighter)  # fmt: skip
    type(referral).objects.filter(pk=referral.pk).update(
        completed_at=datetime.datetime.combine(day, datetime.time(12), datetime.UTC)
    )
    return referral


def test_referral_outcomes_are_published_and_counted_per_pathway(casework, store):
    from saferplaces.cases.publish import publish_referral_outcomes

    day = datetime.date(2025, 4, 3)
    for outcome in ("Alarms fitted", "Alarms fitted", "No access"):
        completed_referral(casework, outcome, day)
    completed_referral(casework, "Declined", datetime.date(2025, 5, 9))

    report = publish_referral_outcomes(store)

    assert (report.accepted, report.rejected) == (4, 0)
    total = measure_series(store, "referral-outcomes", LSOA)
    assert [(p.period, p.numerator) for p in total] == [("2025-04", 3), ("2025-05", 1)]
    by_pathway = measure_series(store, "referral-outcomes", LSOA, group="pathway")
    assert {(p.period, p.group, p.numerator) for p in by_pathway} == {
        ("2025-04", "Home fire safety visit", 3),
        ("2025-05", "Home fire safety visit", 1),
    }  # fmt: skip
    by_outcome = measure_series(store, "referral-outcomes", LSOA, group="outcome")
    assert {(p.period, p.group, p.numerator) for p in by_outcome} >= {
        ("2025-04", "Home fire safety visit: Alarms fitted", 2),
        ("2025-04", "Home fire safety visit: No access", 1),
        ("2025-05", "Home fire safety visit: Declined", 1),
    }  # fmt: skip
    text = repr(store.query("SELECT * FROM referral_outcomes").to_pylist())
    assert "SYNTHETIC note" not in text
    assert "Hollis" not in text


def test_published_outcomes_list_every_pathway_for_those_who_count_cases(
    casework, store
):
    """A published breakdown lists every category, zero or not: here the
    pathways and outcomes the store holds, so a pathway with no outcome in
    this area or month still shows (as withheld), and the public gets no
    breakdown by pathway at all."""
    from saferplaces.analytics.perturbation import default_ptable
    from saferplaces.analytics.refusals import Refused
    from saferplaces.cases.publish import publish_referral_outcomes

    completed_referral(casework, "Alarms fitted", datetime.date(2025, 4, 3))
    completed_referral(casework, "No access", datetime.date(2025, 4, 3),
                       area_code=OTHER_LSOA)  # fmt: skip
    publish_referral_outcomes(store)
    published = measure_series(store, "referral-outcomes", LSOA, group="outcome",
                               publishing=default_ptable())  # fmt: skip
    groups = {p.group for p in published}
    assert groups == {
        "Home fire safety visit: Alarms fitted",
        "Home fire safety visit: No access",
        None,
    }
    assert all(p.suppressed for p in published), "1 case: under the threshold"
    from saferplaces.analytics.measures import get_measure

    assert get_measure("referral-outcomes").public_groups == ()
    with pytest.raises(Refused):
        measure_series(store, "referral-outcomes", LSOA, group="nope")
