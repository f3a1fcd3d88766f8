"""Every form of the service, fed generated input (any Unicode, NUL bytes,
very long values, markup, SQL, dates that do not exist, missing and extra
fields) as the person who may use it, over the SYNTHETIC demo's data and
a plan built with factories:
never a server error, and a refused form shows its problem."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from saferplaces.accounts.models import Role
from saferplaces.cases.models import CaseReviewApplication
from tests.factories import ANONYMOUS, SITE_ADMIN, plan_with_every_priority

# Generated submissions per form (the note of issue 13 counts them).
EXAMPLES = 40

AWKWARD = [
    "", " ", "0", "-1", "1e309", "NaN", "2024/25", "2024/25 Q5", "2025-13",
    "2026-02-30", "31/02/2026", "SYN-D03", "SYN-PARTNERSHIP", "E05000001",
    "E01009002", "ward", "lsoa", "month", "rolling12", "sex", "10%", "-5%",
    "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd", "\x00",
    "a\x00b", "\u202e", "x" * 5000, "birmingham-south-2014-15", "on_track",
    "complete", "not_started", "details", "milestone", "planned", "met",
    "99999999999999999999", "9223372036854775808", "2147483648", "1.5",
]  # fmt: skip
VALUE = st.one_of(
    st.sampled_from(AWKWARD),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200),
)
# Ids for a multi-select field: real-looking, out of range (past SQLite's
# and PostgreSQL's integers), not numbers, blank; one is always sent twice.
IDS = [
    "1", "2", "3", "0", "-1", "99999999999999999999", "9223372036854775808",
    "2147483648", "abc", "1.0", "", " 1", "\x00", "1e3",
]  # fmt: skip
MANY = st.lists(st.one_of(st.sampled_from(IDS), VALUE), max_size=6).map(
    lambda values: values + values[:1]
)


@dataclass(frozen=True)
class Form:
    url_name: str
    method: str
    fields: tuple[str, ...]
    persona: str
    kwargs: tuple[tuple[str, str], ...] = ()
    fixed: tuple[tuple[str, str], ...] = ()  # sent with every submission
    # A form whose answer is a whole computation (the tasking pack, about a
    # second each) gets fewer submissions.
    examples: int = 0
    # Multi-select fields: each sent as several values (MANY).
    many: tuple[str, ...] = ()


ACTION = (("reference", "birmingham-south-2014-15-3-1-2"),)
MEASURE = (("measure_id", "total-recorded-crime"),)
PLAN = (("slug", "birmingham-south-2014-15"),)
GROUP = (("partnership", "birmingham-south-ldg"), ("slug", "road-safety-tasking"))
PLAN_DATES = ("title", "slug", "starts", "ends")
FORMS = [
    Form(
        "partnership:plan_new",
        "post",
        ("partnership", *PLAN_DATES, "narrative"),
        Role.ADMINISTRATOR,
    ),
    Form("partnership:plan_copy_forward", "post", PLAN_DATES, Role.ADMINISTRATOR, PLAN),
    Form(
        "partnership:plan_publication", "post", ("published",), Role.ADMINISTRATOR, PLAN
    ),
    Form("partnership:plan_reopening", "post", ("reopened",), Role.ADMINISTRATOR, PLAN),
    Form(
        "partnership:plan_edit",
        "post",
        ("priority-number", "priority-title", "priority-description"),
        Role.ADMINISTRATOR,
        PLAN,
        (("form", "priority"),),
        many=("priority-groups",),
    ),
    Form(
        "partnership:plan_edit",
        "post",
        ("strand-name", "strand-description"),
        Role.ADMINISTRATOR,
        PLAN,
        (("form", "strand"),),
        many=("strand-groups",),
    ),
    Form(
        "partnership:priority_edit",
        "post",
        ("priority-number", "priority-title", "priority-themes"),
        Role.ADMINISTRATOR,
        (*PLAN, ("number", "3")),
        (("form", "priority"),),
        many=("priority-groups",),
    ),
    Form(
        "partnership:priority_edit",
        "post",
        ("objective-title", "objective-text"),
        Role.ADMINISTRATOR,
        (*PLAN, ("number", "3")),
        (("form", "objective"),),
    ),
    Form(
        "partnership:group_edit",
        "post",
        ("members-lead",),
        Role.ADMINISTRATOR,
        GROUP,
        (("form", "members"),),
        many=("members-members",),
    ),
    Form(
        "partnership:group_edit",
        "post",
        ("group-name", "group-kind", "group-lead_agency", "group-joint_lead_agency"),
        Role.ADMINISTRATOR,
        GROUP,
        (("form", "group"),),
    ),
    Form("accounts:audit_log_export", "get", ("since", "until", "page"), SITE_ADMIN),
    Form("accounts:login", "post", ("username", "password"), ANONYMOUS),
    Form("accounts:password_reset", "post", ("email",), ANONYMOUS),
    Form(
        "accounts:password_reset_confirm",
        "post",
        ("new_password1", "new_password2"),
        ANONYMOUS,
        (("uidb64", "MQ"), ("token", "set-password")),
    ),
    Form(
        "accounts:password_change",
        "post",
        ("old_password", "new_password1", "new_password2"),
        Role.VIEWER,
    ),
    Form("partnership:action", "post", ("status", "text"), Role.ANALYST, ACTION),
    Form(
        "partnership:action_edit",
        "post",
        (
            "evaluation-question",
            "evaluation-measure_id",
            "evaluation-method",
            "evaluation-target_area",
            "evaluation-comparison_area",
            "evaluation-baseline_from",
            "evaluation-followup_from",
        ),
        Role.ANALYST,
        ACTION,
        (("form", "evaluation"),),
    ),
    Form(
        "partnership:action_edit",
        "post",
        (
            "details-text",
            "details-lead_role",
            "details-target_areas",
            "details-starts",
            "details-due",
        ),
        Role.ANALYST,
        ACTION,
        (("form", "details"),),
    ),
    Form(
        "partnership:action_edit",
        "post",
        ("milestone-title", "milestone-due", "milestone-state"),
        Role.ANALYST,
        ACTION,
        (("form", "milestone"),),
    ),
    Form(
        "partnership:action_edit",
        "post",
        (
            "measure-measure_id",
            "measure-direction",
            "measure-baseline_from",
            "measure-target",
        ),
        Role.ANALYST,
        ACTION,
        (("form", "measure"),),
    ),
    Form(
        "partnership:plan_edit",
        "post",
        ("plan-title", "plan-starts", "plan-ends", "plan-narrative"),
        Role.ADMINISTRATOR,
        PLAN,
        (("form", "plan"),),
    ),
    Form(
        "partnership:plan_edit",
        "post",
        ("group-name", "group-kind", "group-lead_title", "group-lead_agency"),
        Role.ADMINISTRATOR,
        PLAN,
        (("form", "group"),),
    ),
    Form(
        "partnership:priority_edit",
        "post",
        ("action-number", "action-text", "action-group", "action-starts", "action-due"),
        Role.ADMINISTRATOR,
        (*PLAN, ("number", "3")),
        (("form", "action"),),
    ),
    Form(
        "tasking:problem_new",
        "post",
        (
            "title",
            "stage",
            "source",
            "area_code",
            "cells",
            "comparison_area",
            "response_starts",
            "assessment_months",
        ),
        Role.ANALYST,
    ),
    Form("tasking:choose", "get", ("area", "from", "to"), Role.VIEWER),
    Form(
        "tasking:pack",
        "get",
        ("from", "to"),
        Role.VIEWER,
        (("code", "SYN-D03"),),
        examples=12,
    ),
    Form(
        "accounts:audit_log",
        "get",
        ("action", "username", "subject", "since", "until", "page"),
        SITE_ADMIN,
    ),
    Form(
        "dashboard:measure",
        "get",
        ("area", "by", "target", "rebase", "level", "public"),
        Role.ANALYST,
        MEASURE,
    ),
    Form("dashboard:map", "get", ("measure", "level", "within", "shade"), Role.ANALYST),
    Form("dashboard:overview", "get", ("area", "plan"), Role.ANALYST),
    Form("partnership:plan", "get", ("plan",), Role.VIEWER),
    Form(
        "dashboard:neighbourhood",
        "get",
        ("place", "ward"),
        ANONYMOUS,
        (("slug", "birmingham-south-ldg"),),
    ),
    # The header's partnership chooser (one not the person's is 404).
    Form("partnership:choose", "post", ("partnership", "next"), Role.VIEWER),
]


@pytest.fixture
def site(db, settings, demo_data, tmp_path):
    settings.DATA_DIR = demo_data
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.CACHES = {
        **settings.CACHES,
        "limits": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "limits"),
        },
    }
    # The seed plan's priorities and measures, under the demo's names, with
    # the action, group and priority the forms are asked of.
    plan_with_every_priority()


@pytest.mark.parametrize(
    "form", FORMS, ids=lambda form: form.url_name + "".join(v for _, v in form.fixed)
)
def test_no_input_breaks_a_form(site, client_as, form):
    client = client_as(form.persona)
    fuzz(client, form, reverse(form.url_name, kwargs=dict(form.kwargs)))


def fuzz(client, form: Form, url: str) -> None:
    statuses: Counter[int] = Counter()

    @given(
        values=st.fixed_dictionaries(
            {},
            optional={
                **{field: VALUE for field in form.fields},
                **{field: MANY for field in form.many},
            },
        ),
        extra=st.dictionaries(st.sampled_from(["x", "csrfmiddlewaretoken"]), VALUE),
    )
    @hypothesis_settings(
        max_examples=form.examples or EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def submit(values, extra):
        data = {**extra, **values, **dict(form.fixed)}
        response = getattr(client, form.method)(url, data)
        statuses[response.status_code] += 1
        assert response.status_code < 500, (values, extra)
        if response.status_code == 400 and "text/html" in response["Content-Type"]:
            assert "There is a problem" in response.content.decode()

    submit()
    print(f"{form.url_name}: {sum(statuses.values())} submissions, {dict(statuses)}")


# Casework forms, over a small partnership built with factories: "owner" is
# a worker of the agency owning the case, "receiver" one of the agency a
# referral went to, "configure" the partnership's administrator. Keyword
# values in braces are filled in from the case.
CASE = (("reference", "{case}"),)
PERSON = ("given_name", "family_name", "date_of_birth", "address_line", "postcode")
CASE_FORMS = [
    Form(
        "cases:search",
        "post",
        ("name", "date_of_birth", "address", "reference"),
        "owner",
    ),
    Form(
        "cases:new",
        "post",
        (*PERSON, "case_type", "hate_strand", "summary", "role", "duplicates_seen"),
        "owner",
    ),
    Form(
        "cases:case_edit",
        "post",
        ("version", "case_type", "hate_strand", "summary", "officer", "risk_level"),
        "owner",
        CASE,
    ),
    Form(
        "cases:person_add", "post", (*PERSON, "role", "duplicates_seen"), "owner", CASE
    ),
    Form(
        "cases:incident_add",
        "post",
        ("occurred_on", "category", "description", "address_line", "postcode"),
        "owner",
        CASE,
    ),
    Form(
        "cases:action_add",
        "post",
        ("description", "owner_agency", "target_date"),
        "owner",
        CASE,
    ),
    Form("cases:disposal_add", "post", ("kind", "on", "note"), "owner", CASE),
    Form(
        "cases:assess",
        "post",
        ("q1", "q2", "q27", "judged", "judgement_reason"),
        "owner",
        (*CASE, ("kind", "dash")),
    ),
    Form("cases:refer", "post", ("reason",), "owner", (*CASE, ("rule", "{rule}"))),
    Form(
        "cases:vulnerability",
        "post",
        ("version",),
        "owner",
        (*CASE, ("row", "{row}")),
        many=("reasons",),
    ),
    Form(
        "cases:case_review_new",
        "post",
        (
            "received_on",
            "applicant_name",
            "applicant_contact",
            "case_reference",
            "area_code",
        ),
        "owner",
    ),
    Form(
        "cases:case_review",
        "post",
        (
            "version",
            "threshold",
            "decided_on",
            "decision_reason",
            "review_held_on",
            "recommendations",
            "outcome",
        ),
        "owner",
        (("public_id", "{review}"),),
    ),
    Form("cases:share", "post", ("agency", "purpose", "agreement"), "owner", CASE),
    Form(
        "cases:close", "post", ("version", "closure_reason", "closed_on"), "owner", CASE
    ),
    Form(
        "cases:referral_decide",
        "post",
        ("decision", "reason"),
        "receiver",
        (("public_id", "{referral}"),),
    ),
    Form(
        "cases:referral_outcome",
        "post",
        ("outcome", "note", "complete"),
        "receiver",
        (("public_id", "{referral}"),),
    ),
    Form(
        "cases:settings_policy",
        "post",
        (
            "repeat_count",
            "repeat_window_days",
            "asb_medium_score",
            "retention_years",
            "after_retention",
        ),
        "configure",
        (("partnership", "{partnership}"),),
    ),
    Form(
        "cases:rule_new",
        "post",
        (
            "pathway",
            "to_agency",
            "agreement",
            "order",
            "minimum_risk",
            "area_codes",
            "minimum_age",
            "maximum_age",
            "outcomes",
        ),
        "configure",
        (("partnership", "{partnership}"),),
        many=("case_types",),
    ),
]


@pytest.mark.parametrize("form", CASE_FORMS, ids=lambda form: form.url_name)
def test_no_input_breaks_a_casework_form(db, client, form):
    from saferplaces.cases.services import routing
    from tests.factories import build_casework, make_case

    casework = build_casework()
    case = make_case(casework)
    referred = make_case(casework, given="Ada", family="Quill")
    referral = routing.refer(referred, casework.fire_safety, casework.officer)
    people = {
        "owner": casework.officer,
        "receiver": casework.firefighter,
        "configure": casework.worker("csp-admin", casework.police, Role.ADMINISTRATOR),
    }
    known = {
        "case": case.reference,
        "rule": str(casework.fire_safety.pk),
        "referral": str(referral.public_id),
        "partnership": casework.partnership.slug,
        "row": str(case.involved.get().pk),
        "review": str(
            CaseReviewApplication.objects.create(
                partnership=casework.partnership,
                received_on=datetime.date(2025, 5, 1),
                applicant_name="SYNTHETIC Applicant",
            ).public_id
        ),
    }
    kwargs = {key: value.format(**known) for key, value in form.kwargs}
    client.force_login(people[form.persona])
    fuzz(client, form, reverse(form.url_name, kwargs=kwargs))


MULTI_SELECT_FORMS = [form for form in FORMS if form.many]


@pytest.mark.parametrize(
    "ids",
    [["99999999999999999999"], ["9223372036854775808", "1"], ["1", "1"], ["abc"]],
)
@pytest.mark.parametrize(
    "form",
    MULTI_SELECT_FORMS,
    ids=lambda form: form.url_name + "".join(v for _, v in form.fixed),
)
def test_a_multi_select_refuses_ids_out_of_range_keeping_what_was_typed(
    site, client_as, form, ids
):
    client = client_as(form.persona)
    url = reverse(form.url_name, kwargs=dict(form.kwargs))
    # A text field beside the ids (the members form has none).
    typed = "Typed, and kept" if len(form.fields) > 1 else ""
    data = {form.many[0]: ids, **dict(form.fixed)}
    if typed:
        data[form.fields[1]] = typed
    response = client.post(url, data)
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert typed in response.content.decode()
