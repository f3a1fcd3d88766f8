"""A DASH answer is yes, no or not known; a case's risk is "not assessed"
until an assessment sets it; closing a case asks why, with no reason chosen
for the worker (issue 30)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from saferplaces.cases import risk
from saferplaces.cases.models import Case
from saferplaces.cases.services import routing
from tests.factories import make_case


def dash_form(yes: int, not_known: int = 0) -> dict[str, str]:
    """Questions 1 to ``yes`` answered yes, the next ``not_known`` not
    known, the rest no."""
    answers = {}
    for n in range(1, 25):
        answers[f"q{n}"] = (
            "yes" if n <= yes else "not_known" if n <= yes + not_known else "no"
        )
    return answers


def test_dash_keeps_yes_no_and_not_known_and_counts_only_yes(casework, client):
    case = make_case(casework, case_type="domestic_abuse")
    client.force_login(casework.officer)
    url = reverse("cases:assess", args=[case.reference, "dash"])
    page = client.get(url).content.decode()
    assert 'value="not_known"' in page
    assert client.post(url, dash_form(yes=13, not_known=5)).status_code == 302
    made = case.assessments.get()
    assert (made.score, made.level) == (13, "standard")
    assert made.answers["14"] == "not_known"
    assert made.answers["20"] == "no"
    assert made.answers["1"] == "yes"


def test_an_unanswered_dash_question_is_asked_again_keeping_the_others(
    casework, client
):
    case = make_case(casework, case_type="domestic_abuse")
    client.force_login(casework.officer)
    url = reverse("cases:assess", args=[case.reference, "dash"])
    answers = dash_form(yes=3)
    del answers["q7"]
    refused = client.post(url, answers)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Answer question 7: yes, no or not known" in page
    assert re.search(r'name="q2" type="radio"\s+value="yes" checked', page)
    assert not case.assessments.exists()


def test_the_dash_score_counts_yes_answers_alone():
    answers = {n: "not_known" for n in range(1, 25)}
    assert risk.dash(answers).score == 0
    answers.update({n: "yes" for n in range(1, 15)})
    assert (risk.dash(answers).score, risk.dash(answers).level) == (14, "high")
    with pytest.raises(risk.RiskError, match="yes, no or not known"):
        risk.dash({1: "maybe"})


def test_a_new_case_is_not_assessed_until_assessed(casework, client):
    client.force_login(casework.officer)
    opened = client.post(reverse("cases:new"), {
        "case_type": "asb", "hate_strand": "", "summary": "", "role": "victim",
        "given_name": "Nia", "family_name": "Oakes", "date_of_birth": "",
        "address_line": "", "postcode": "", "duplicates_seen": "on",
    })  # fmt: skip
    assert opened.status_code == 302
    case = Case.objects.get()
    assert case.risk_level == "not_assessed"
    page = client.get(reverse("cases:case", args=[case.reference])).content.decode()
    assert "Not assessed" in page
    assert "Standard" not in page
    listed = client.get(reverse("cases:list")).content.decode()
    assert "Not assessed" in listed


def test_a_rule_with_a_minimum_risk_waits_for_an_assessment(casework):
    rule = casework.fire_safety
    rule.minimum_risk = "standard"
    rule.save()
    case = make_case(casework, risk_level="not_assessed")
    assert routing.pathways(case, lambda code: [code]) == []
    case.risk_level = "standard"
    assert [p.name for p in routing.pathways(case, lambda code: [code])] == [
        "Home fire safety visit"
    ]


def test_the_close_form_chooses_no_reason(casework, client):
    case = make_case(casework)
    client.force_login(casework.officer)
    url = reverse("cases:close", args=[case.reference])
    page = client.get(url).content.decode()
    radio = r'name="closure_reason" type="radio"\s+value="\w+"( checked)?'
    reasons = re.findall(radio, page)
    assert len(reasons) == 6
    assert not any(reasons)
    refused = client.post(url, {"version": case.version, "closure_reason": "",
                                "closed_on": "2026-01-05"})  # fmt: skip
    assert refused.status_code == 400
    assert "Choose why the case is closed" in refused.content.decode()
    case.refresh_from_db()
    assert case.status == "open"
