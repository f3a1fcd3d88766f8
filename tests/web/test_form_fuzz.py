"""Every form of the service, fed generated input (any Unicode, NUL bytes,
very long values, markup, SQL, dates that do not exist, missing and extra
fields) as the person who may use it, over the SYNTHETIC demo's data:
never a server error, and a refused form shows its problem."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from saferplaces.accounts.models import Role
from saferplaces.partnership.services import load_demo_plan
from tests.conftest import ANONYMOUS, SITE_ADMIN

# Generated submissions per form (the note of issue 13 counts them).
EXAMPLES = 40

AWKWARD = [
    "", " ", "0", "-1", "1e309", "NaN", "2024/25", "2024/25 Q5", "2025-13",
    "2026-02-30", "31/02/2026", "SYN-D03", "SYN-PARTNERSHIP", "E05000001",
    "E01009002", "ward", "lsoa", "month", "rolling12", "sex", "10%", "-5%",
    "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd", "\x00",
    "a\x00b", "\u202e", "x" * 5000, "birmingham-south-2014-15", "on_track",
    "complete", "not_started", "details", "milestone", "planned", "met",
]  # fmt: skip
VALUE = st.one_of(
    st.sampled_from(AWKWARD),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200),
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


ACTION = (("reference", "birmingham-south-2014-15-3-1-2"),)
MEASURE = (("measure_id", "total-recorded-crime"),)
PLAN = (("slug", "birmingham-south-2014-15"),)
FORMS = [
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
    Form("dashboard:map", "get", ("measure", "level", "within"), Role.ANALYST),
    Form("dashboard:overview", "get", ("area", "plan"), Role.ANALYST),
    Form("partnership:plan", "get", ("plan",), Role.VIEWER),
    Form("dashboard:neighbourhood", "get", ("place", "ward"), ANONYMOUS),
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
    load_demo_plan()


@pytest.mark.parametrize(
    "form", FORMS, ids=lambda form: form.url_name + "".join(v for _, v in form.fixed)
)
def test_no_input_breaks_a_form(site, client_as, form):
    client = client_as(form.persona)
    url = reverse(form.url_name, kwargs=dict(form.kwargs))
    statuses: Counter[int] = Counter()

    @given(
        values=st.fixed_dictionaries(
            {}, optional={field: VALUE for field in form.fields}
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
