"""The permission matrix: every URL of the service, who may open it, and what
they get. tests/accounts/test_permission_matrix.py asks it of every persona;
the method allow-list, the read audit, the partnerships-apart and the
accessibility tests walk the same table."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver

from tests.factories import ANONYMOUS, PERSONAS, SITE_ADMIN

EVERYONE = frozenset(PERSONAS)
SIGNED_IN = frozenset(PERSONAS) - {ANONYMOUS}
SITE_ADMINS = frozenset({SITE_ADMIN})


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    kwargs: dict[str, str] = field(default_factory=dict)
    # What an allowed persona gets; 405 marks POST-only URLs, 302 redirects.
    status: int = 200
    signed_in_status: int | None = None
    # Main pages appear in the navigation; detail pages and downloads do not.
    navigation: bool = True


PLAN_ACTION = {"reference": "birmingham-south-2014-15-3-1-2"}
# Casework: a reference nobody may see answers 404 to those allowed in
# (tests/cases has cases, and the owner / shared / other agency personas).
CASE_WORKERS = frozenset({SITE_ADMIN, "case_worker"})
NO_CASE = {"reference": "CASE-NOTFOUND"}
CASE_PAGES = (
    "case", "case_edit", "case_export", "person_add", "incident_add",
    "action_add", "disposal_add", "share", "close", "who_viewed",
)  # fmt: skip
MEASURE = {"measure_id": "total-recorded-crime"}


MATRIX: dict[str, Rule] = {
    "web:home": Rule(EVERYONE),
    "web:accessibility": Rule(EVERYONE),
    "web:privacy": Rule(EVERYONE),
    "web:publication": Rule(EVERYONE),
    "web:health": Rule(EVERYONE),
    # A partnership's public home, at its own address (issue 29).
    "web:partnership": Rule(EVERYONE, kwargs={"slug": "birmingham-south-ldg"}),
    "accounts:login": Rule(EVERYONE, signed_in_status=302),
    "accounts:logout": Rule(EVERYONE, status=405),
    "accounts:password_reset": Rule(EVERYONE),
    "accounts:password_reset_done": Rule(EVERYONE),
    "accounts:password_reset_confirm": Rule(
        EVERYONE, kwargs={"uidb64": "MQ", "token": "not-a-token"}
    ),
    "accounts:password_reset_complete": Rule(EVERYONE),
    "accounts:account": Rule(SIGNED_IN),
    "accounts:password_change": Rule(SIGNED_IN),
    "accounts:password_change_done": Rule(SIGNED_IN),
    "accounts:audit_log": Rule(SITE_ADMINS),
    "accounts:audit_log_export": Rule(SITE_ADMINS, navigation=False),
    # The JSON API answers everyone; what it shows depends on who asks
    # (tests/api). Without the query it needs, a series is a 400.
    "api:root": Rule(EVERYONE),
    "api:schema": Rule(EVERYONE),
    "api:measures": Rule(EVERYONE),
    "api:measure": Rule(EVERYONE, kwargs={"measure_id": "total-recorded-crime"}),
    "api:not_found": Rule(
        EVERYONE, kwargs={"path": "nope/"}, status=404, navigation=False
    ),
    "api:series": Rule(
        EVERYONE, kwargs={"measure_id": "total-recorded-crime"}, status=400
    ),
    "api:compare": Rule(
        EVERYONE, kwargs={"measure_id": "total-recorded-crime"}, status=400
    ),
    "api:deprivation": Rule(
        EVERYONE, kwargs={"measure_id": "total-recorded-crime"}, status=400
    ),
    # The partnership plan (the seed plan is loaded for these tests).
    "partnership:plan": Rule(SIGNED_IN),
    "partnership:progress": Rule(SIGNED_IN),
    "partnership:group": Rule(
        SIGNED_IN,
        kwargs={"partnership": "birmingham-south-ldg", "slug": "road-safety-tasking"},
        navigation=False,
    ),
    "partnership:action": Rule(SIGNED_IN, kwargs=PLAN_ACTION, navigation=False),
    # Changing an action: its group's lead and members, the partnership's
    # analysts and administrators (tests/partnership test the group rule).
    "partnership:action_edit": Rule(
        frozenset({SITE_ADMIN, "administrator", "analyst"}),
        kwargs=PLAN_ACTION,
        navigation=False,
    ),
    # No evidence exists here: signed-in people reach the view and get 404.
    "partnership:evidence": Rule(
        SIGNED_IN,
        kwargs={"public_id": "5f1b7a52-0c4e-4c0e-9a7e-000000000000"},
        status=404,
        navigation=False,
    ),
    # Publishing is a POST (GET is 405 for everyone, before the view runs);
    # only a partnership's manager may (tests/partnership and
    # tests/accounts/test_partnerships_apart.py).
    # The header's partnership chooser: it only acts, by POST.
    "partnership:choose": Rule(EVERYONE, status=405, navigation=False),
    "partnership:plan_publication": Rule(
        EVERYONE,
        kwargs={"slug": "birmingham-south-2014-15"},
        status=405,
        navigation=False,
    ),
    # Reopening an ended plan for updates: a POST, for its manager only
    # (tests/partnership/test_ended_plan_takes_no_updates.py).
    "partnership:plan_reopening": Rule(
        EVERYONE,
        kwargs={"slug": "birmingham-south-2014-15"},
        status=405,
        navigation=False,
    ),
    "partnership:plan_copy_forward": Rule(
        frozenset({SITE_ADMIN, "administrator"}),
        kwargs={"slug": "birmingham-south-2014-15"},
        navigation=False,
    ),
    # Tasking packs, over an empty store here (tests/tasking has data).
    "tasking:choose": Rule(SIGNED_IN),
    "tasking:problems": Rule(SIGNED_IN, navigation=False),
    "tasking:pack_pdf": Rule(
        SIGNED_IN, kwargs={"code": "SYN-D03"}, status=404, navigation=False
    ),
    "tasking:pack_geojson": Rule(
        SIGNED_IN, kwargs={"code": "SYN-D03"}, status=404, navigation=False
    ),
    "tasking:problem_new": Rule(
        frozenset({SITE_ADMIN, "administrator", "analyst", "group_lead"}),
        navigation=False,
    ),
    # No record exists here: signed-in people reach the view and get 404
    # (tests/accounts/test_partnerships_apart.py opens one in each).
    "tasking:problem": Rule(
        SIGNED_IN, kwargs={"pk": 999}, status=404, navigation=False
    ),
    "tasking:problem_edit": Rule(
        SIGNED_IN, kwargs={"pk": 999}, status=404, navigation=False
    ),
    # Over the empty store the pack is its chooser again, saying what to load.
    "tasking:pack": Rule(
        SIGNED_IN, kwargs={"code": "SYN-D03"}, status=400, navigation=False
    ),
    "partnership:plan_new": Rule(
        frozenset({SITE_ADMIN, "administrator"}), navigation=False
    ),
    "partnership:plan_edit": Rule(
        frozenset({SITE_ADMIN, "administrator"}),
        kwargs={"slug": "birmingham-south-2014-15"},
        navigation=False,
    ),
    "partnership:priority_edit": Rule(
        frozenset({SITE_ADMIN, "administrator"}),
        kwargs={"slug": "birmingham-south-2014-15", "number": "3"},
        navigation=False,
    ),
    "partnership:group_edit": Rule(
        frozenset({SITE_ADMIN, "administrator"}),
        kwargs={"partnership": "birmingham-south-ldg", "slug": "road-safety-tasking"},
        navigation=False,
    ),
    "partnership:export_csv": Rule(SIGNED_IN, navigation=False),
    "partnership:export_xlsx": Rule(SIGNED_IN, navigation=False),
    "partnership:public_plan": Rule(EVERYONE),
    "partnership:partnership_plan": Rule(
        EVERYONE, kwargs={"slug": "birmingham-south-ldg"}
    ),
    # The dashboard, over an empty store here (tests/dashboard has data):
    # pages say what is missing; downloads of nothing are 404.
    "dashboard:overview": Rule(SIGNED_IN),
    "dashboard:map": Rule(SIGNED_IN),
    "dashboard:map_geojson": Rule(SIGNED_IN, navigation=False),
    "dashboard:measure": Rule(SIGNED_IN, kwargs=MEASURE, navigation=False),
    "dashboard:chart": Rule(
        SIGNED_IN, kwargs={**MEASURE, "kind": "svg"}, status=404, navigation=False
    ),
    "dashboard:export": Rule(
        SIGNED_IN, kwargs={**MEASURE, "kind": "csv"}, status=404, navigation=False
    ),
    "dashboard:neighbourhood": Rule(EVERYONE, kwargs={"slug": "birmingham-south-ldg"}),
    # The addresses from before partnerships had their own: with the demo's
    # two partnerships, a list of them (404: there is no one page here).
    "dashboard:any_neighbourhood": Rule(EVERYONE, status=404),
    "dashboard:any_neighbourhood_ward": Rule(
        EVERYONE, kwargs={"code": "E05900012"}, status=404
    ),
    "cases:list": Rule(CASE_WORKERS),
    # A site administrator works no cases: running the site is not a need
    # to know, so opening a case is refused.
    "cases:new": Rule(frozenset({"case_worker"}), navigation=False),
    "cases:search": Rule(CASE_WORKERS, navigation=False),
    # A site administrator's caseload is empty: they work no cases.
    "cases:caseload": Rule(CASE_WORKERS),
    "cases:counts": Rule(frozenset({SITE_ADMIN, "administrator", "analyst"})),
    "cases:settings": Rule(frozenset({SITE_ADMIN, "administrator"})),
    # The ASB Case Review register: case workers; its yearly figures: those
    # who count cases. A site administrator works no cases, so records no
    # application (refused) and sees none (404).
    "cases:case_reviews": Rule(CASE_WORKERS, navigation=False),
    "cases:case_review_new": Rule(frozenset({"case_worker"}), navigation=False),
    "cases:case_review": Rule(
        CASE_WORKERS,
        kwargs={"public_id": "5f0c6a52-0000-4000-8000-00000000c0de"},
        status=404,
        navigation=False,
    ),
    "cases:case_review_figures": Rule(
        frozenset({SITE_ADMIN, "administrator", "analyst"}), navigation=False
    ),
    "cases:case_review_figures_csv": Rule(
        frozenset({SITE_ADMIN, "administrator", "analyst"}), navigation=False
    ),
    # A partnership nobody belongs to: 404 for those allowed in (tests/cases
    # changes the rules of a real one).
    **{
        f"cases:{name}": Rule(
            frozenset({SITE_ADMIN, "administrator"}),
            kwargs={"partnership": "no-such-partnership", **extra},
            status=404,
            navigation=False,
        )
        for name, extra in (
            ("settings_policy", {}),
            ("rule_new", {}),
            ("rule_edit", {"pk": "1"}),
        )
    },
    "cases:referral_decide": Rule(
        CASE_WORKERS,
        kwargs={"public_id": "5f0c6a52-0000-4000-8000-000000000000"},
        status=404,
        navigation=False,
    ),
    "cases:referral_outcome": Rule(
        CASE_WORKERS,
        kwargs={"public_id": "5f0c6a52-0000-4000-8000-000000000000"},
        status=404,
        navigation=False,
    ),
    **{
        f"cases:{name}": Rule(
            CASE_WORKERS, kwargs=NO_CASE, status=404, navigation=False
        )
        for name in CASE_PAGES
    },
    "cases:assess": Rule(
        CASE_WORKERS, kwargs={**NO_CASE, "kind": "dash"}, status=404, navigation=False
    ),
    "cases:vulnerability": Rule(
        CASE_WORKERS, kwargs={**NO_CASE, "row": "1"}, status=404, navigation=False
    ),
    "cases:refer": Rule(
        CASE_WORKERS, kwargs={**NO_CASE, "rule": "1"}, status=404, navigation=False
    ),
    "cases:share_end": Rule(
        EVERYONE, kwargs={**NO_CASE, "share": "1"}, status=405, navigation=False
    ),
    "cases:action_done": Rule(
        EVERYONE, kwargs={**NO_CASE, "action": "1"}, status=405, navigation=False
    ),
    "dashboard:neighbourhood_ward": Rule(
        EVERYONE,
        kwargs={"slug": "birmingham-south-ldg", "code": "E05900012"},
        status=404,  # an empty store: the partnership has no wards yet
    ),
}


def needs_the_plan(callspec) -> bool:
    """Only the plan's and the dashboard's pages show the seed plan; loading
    it for every other URL was most of this file's time."""
    url_name = callspec.params.get("url_name", "") if callspec else ""
    return not url_name or url_name.startswith(
        ("partnership:", "dashboard:", "tasking:problem", "web:partnership")
    )


def named_urls(resolver: URLResolver, namespace: str = "") -> list[str]:
    names = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            )
            names += named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern):
            names.append(f"{namespace}{pattern.name or f'<unnamed {pattern.pattern}>'}")
    return names


ADMIN_PAGES = [
    "admin:index",
    "admin:accounts_user_changelist",
    "admin:accounts_user_add",
    "admin:accounts_agency_changelist",
    "admin:accounts_agency_add",
    "admin:accounts_auditevent_changelist",
    "admin:partnership_partnership_changelist",
    "admin:partnership_partnership_add",  # with its members, a role each
]


# Casework's URLs (tests/cases/test_case_access.py asks each of the owner,
# a worker it is shared with, and an outsider).
# What the owner agency's worker gets; "owner" pages are refused (403) to a
# worker the case is only shared with, who may read.
CASE_URLS = {
    "cases:list": "any",
    "cases:new": "any",
    "cases:search": "any",
    "cases:caseload": "any",
    "cases:counts": "counts",
    "cases:settings": "settings",
    "cases:settings_policy": "configure",
    "cases:rule_new": "configure",
    "cases:rule_edit": "configure",
    "cases:referral_decide": "receiver",
    "cases:referral_outcome": "receiver",
    "cases:case": "read",
    "cases:case_edit": "owner",
    "cases:case_export": "owner",
    "cases:person_add": "owner",
    "cases:incident_add": "owner",
    "cases:action_add": "owner",
    "cases:disposal_add": "owner",
    "cases:assess": "owner",
    "cases:refer": "owner",
    "cases:share": "owner",
    "cases:share_end": "posted",
    "cases:action_done": "posted",
    "cases:close": "owner",
    "cases:who_viewed": "owner",
    "cases:vulnerability": "owner",
    "cases:case_reviews": "any",
    "cases:case_review_new": "any",
    "cases:case_review": "review",
    "cases:case_review_figures": "counts",
    "cases:case_review_figures_csv": "counts",
}
