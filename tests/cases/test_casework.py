"""The casework rules through the pages: opening a case, routing and the
two-click referral, optimistic locking, alerts, duplicates, risk
assessment with re-assessment, and the counts an analyst sees."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from saferplaces.accounts.models import AuditEvent, Role
from saferplaces.cases.models import (
    Case,
    CasePolicy,
    IncidentCategory,
    InvolvementRole,
    RoutingRule,
)
from saferplaces.cases.services import alerts, assessment, routing
from tests.factories import add_incident, make_case

TODAY = timezone.localdate()


def ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def test_a_police_officer_refers_to_the_fire_service_in_two_clicks(casework, client):
    case = make_case(casework)
    client.force_login(casework.officer)
    page = client.get(reverse("cases:case", args=[case.reference])).content.decode()
    refer_url = reverse("cases:refer", args=[case.reference, casework.fire_safety.pk])
    assert f'href="{refer_url}"' in page  # click one
    assert "Refer to Test Fire: Home fire safety visit" in page
    confirm = client.get(refer_url).content.decode()
    assert "Send the referral" in confirm
    assert "ISA-1" in confirm
    client.post(refer_url, {"reason": ""})  # click two
    referral = case.referrals.get()
    assert (referral.to_agency, referral.status) == (casework.fire, "waiting")
    assert referral.due_by == TODAY + datetime.timedelta(days=10)
    share = case.shares.get()
    assert (share.agency, share.agreement) == (casework.fire, casework.agreement)
    client.force_login(casework.firefighter)
    listed = client.get(reverse("cases:list")).content.decode()
    assert case.reference in listed
    other = make_case(casework, given="Bilal", family="Coleby")
    assert other.reference not in client.get(reverse("cases:list")).content.decode()


def test_routing_rules_by_case_type_risk_area_and_age(casework):
    RoutingRule.objects.create(
        partnership=casework.partnership, pathway="Child safeguarding", order=1,
        to_agency=casework.housing, agreement=casework.agreement, maximum_age=17,
    )  # fmt: skip
    RoutingRule.objects.create(
        partnership=casework.partnership, pathway="High risk ASB panel", order=2,
        to_agency=casework.housing, agreement=casework.agreement,
        case_types=["asb"], minimum_risk="high", area_codes=["W01"],
    )  # fmt: skip

    def pathways(case, places=("E01", "W01")):
        found = routing.pathways(case, lambda code: [code, *places])
        return sorted(p.name for p in found)

    adult = make_case(casework, case_type="asb", area_code="E01")
    assert pathways(adult) == ["Home fire safety visit"]
    adult.risk_level = "high"
    assert pathways(adult) == ["High risk ASB panel", "Home fire safety visit"]
    assert pathways(adult, places=("W02",)) == ["Home fire safety visit"]
    child = make_case(casework, born=ago(10 * 365), given="Tom")
    assert pathways(child) == ["Child safeguarding", "Home fire safety visit"]
    # A rule to the owner agency itself is never offered.
    owned = make_case(casework, owner=casework.housing, born=ago(10 * 365))
    assert pathways(owned) == ["Home fire safety visit"]


def test_a_stale_form_is_refused_and_shows_the_other_change(casework, client):
    case = make_case(casework, summary="First summary")
    colleague = casework.worker("pc-colleague", casework.police)
    url = reverse("cases:case_edit", args=[case.reference])
    form = {"case_type": "vulnerable_adult", "hate_strand": "", "officer": "",
            "version": case.version}  # fmt: skip
    client.force_login(colleague)
    assert (
        client.post(url, {**form, "summary": "Colleague's summary"}).status_code == 302
    )
    client.force_login(casework.officer)
    stale = client.post(url, {**form, "summary": "My summary"})
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "Someone else changed this case" in page
    assert "Colleague&#x27;s summary" in page
    assert "My summary" in page  # what was typed is kept
    case.refresh_from_db()
    assert case.summary == "Colleague's summary"
    assert case.version == 2


def test_adding_an_incident_moves_the_version_and_asks_for_reassessment(
    casework, client
):
    case = make_case(casework, case_type="asb")
    assessment.assess(case, "asb", {}, casework.officer)
    read_at = Case.objects.get(pk=case.pk).version
    client.force_login(casework.officer)
    client.post(
        reverse("cases:incident_add", args=[case.reference]),
        {"occurred_on": TODAY.isoformat(), "category": "asb_personal"},
    )
    case.refresh_from_db()
    assert case.needs_reassessment
    assert case.version == read_at + 1
    page = client.get(reverse("cases:case", args=[case.reference])).content.decode()
    assert "assess the risk again" in page
    assessment.assess(case, "asb", {}, casework.officer)
    case.refresh_from_db()
    assert not case.needs_reassessment
    reasons = list(case.assessments.values_list("reason", flat=True))
    assert reasons == ["Re-assessment after new incidents", "First assessment"]


def test_dash_through_the_page_judgement_cannot_lower(casework, client):
    case = make_case(casework, case_type="domestic_abuse")
    client.force_login(casework.officer)
    url = reverse("cases:assess", args=[case.reference, "dash"])
    answers = {f"q{n}": "yes" if n < 15 else "no" for n in range(1, 25)}
    refused = client.post(url, {**answers, "judged": "medium", "judgement_reason": "x"})
    assert refused.status_code == 400
    assert "never lower" in refused.content.decode()
    assert 'value="yes" checked' in refused.content.decode()
    assert client.post(url, answers).status_code == 302
    case.refresh_from_db()
    assert case.risk_level == "high"
    page = client.get(reverse("cases:case", args=[case.reference])).content.decode()
    assert "Meets the MARAC referral criteria" in page
    assert "Visible high risk" in page


def test_marac_criteria_from_the_victims_history_across_cases(casework):
    case = make_case(casework, case_type="domestic_abuse", incidents=[
        (ago(10), IncidentCategory.DOMESTIC), (ago(100), IncidentCategory.DOMESTIC),
    ])  # fmt: skip
    assert assessment.marac_criteria(case, TODAY) == []
    victim = case.involved.get().person
    add_incident(casework, case, victim, ago(300), IncidentCategory.DOMESTIC,
                 agency=casework.housing)  # fmt: skip
    assert assessment.marac_criteria(case, TODAY) == [
        "Potential escalation: 3 incidents in the last 12 months."
    ]
    policy = CasePolicy.of(casework.partnership.pk)
    policy.marac_escalation_incidents = 4
    policy.save()
    assert assessment.marac_criteria(case, TODAY) == []


def test_repeat_victim_across_agencies_and_the_case_review_threshold(casework):
    case = make_case(casework, case_type="asb", incidents=[
        (ago(20), IncidentCategory.ASB_PERSONAL),
        (ago(90), IncidentCategory.ASB_NUISANCE),
    ])  # fmt: skip
    assert alerts.alerts(case, TODAY) == []
    victim = case.involved.get().person
    add_incident(casework, case, victim, ago(150), IncidentCategory.ASB_PERSONAL,
                 agency=casework.housing)  # fmt: skip
    kinds = {alert.kind: alert.words for alert in alerts.alerts(case, TODAY)}
    assert set(kinds) == {"repeat_victim", "repeat_location", "case_review"}
    assert (
        "3 incidents in the last 12 months, recorded by 2 agencies"
        in kinds["repeat_victim"]
    )
    assert (
        "3 reports of anti-social behaviour in the last 6 months"
        in kinds["case_review"]
    )
    # Outside six months the case review threshold is not met.
    policy = CasePolicy.of(casework.partnership.pk)
    policy.case_review_window_days = 120
    policy.save()
    assert "case_review" not in {a.kind for a in alerts.alerts(case, TODAY)}


def test_repeat_caller(casework):
    case = make_case(casework, case_type="repeat_caller", role=InvolvementRole.REPORTER)
    caller = case.involved.get().person
    for days in (1, 2, 3):
        add_incident(casework, case, caller, ago(days), IncidentCategory.OTHER,
                     role=InvolvementRole.REPORTER)  # fmt: skip
    assert next(a.kind for a in alerts.alerts(case, TODAY)) == "repeat_caller"


def test_a_new_case_warns_of_a_possible_duplicate_and_keeps_what_was_typed(
    casework, client
):
    make_case(casework, owner=casework.housing, given="Edna", family="Hollis")
    client.force_login(casework.officer)
    form = {
        "case_type": "vulnerable_adult", "hate_strand": "", "summary": "",
        "role": "victim", "given_name": "Edna", "family_name": "Holis",
        "date_of_birth": "1939-05-02", "address_line": "", "postcode": "",
    }  # fmt: skip
    first = client.post(reverse("cases:new"), form)
    page = first.content.decode()
    assert first.status_code == 200
    assert "recorded in casework you cannot see" in page
    assert "Hollis" not in page  # another agency's person is not shown
    assert 'value="Holis"' in page
    assert Case.objects.filter(owner_agency=casework.police).count() == 0
    again = client.post(reverse("cases:new"), {**form, "duplicates_seen": "on"})
    assert again.status_code == 302
    assert Case.objects.filter(owner_agency=casework.police).count() == 1


def test_search_is_tolerant_of_spelling_and_limited_to_what_one_may_see(
    casework, client
):
    mine = make_case(casework, given="Margaret", family="Pellow")
    theirs = make_case(casework, owner=casework.housing, given="Margaret",
                       family="Pellow")  # fmt: skip
    client.force_login(casework.officer)
    url = reverse("cases:search")
    page = client.post(url, {"name": "Margret Pelow"}).content.decode()
    assert mine.reference in page
    assert theirs.reference not in page
    by_postcode = client.post(url, {"address": "zz11aa"}).content.decode()
    assert mine.reference in by_postcode
    searches = AuditEvent.objects.filter(action="case_search")
    assert [s.detail["hits"] for s in searches] == [[mine.reference]] * 2
    assert "Margret" not in str(searches.first().detail)
    empty = client.post(url, {})
    assert empty.status_code == 400
    assert "Enter a name, date of birth, address or reference" in empty.content.decode()


def test_counts_are_for_analysts_perturbed_and_name_nobody(casework, client):
    for n in range(25):
        make_case(casework, given=f"Person{n}", family="Example")
    analyst = casework.worker("analyst", casework.police, Role.ANALYST)
    client.force_login(analyst)
    page = client.get(reverse("cases:counts")).content.decode()
    assert "Vulnerable adult" in page
    assert "Example" not in page
    assert "CASE-" not in page
    import re

    # This quarter and the last 12 months hold all 25; earlier quarters none.
    shown = [int(n) for n in re.findall(r'numeric">(\d+)</td>', page) if n != "0"]
    assert len(shown) == 6  # vulnerable adult, their risk level, all cases: twice
    assert all(abs(n - 25) <= 5 for n in shown)
