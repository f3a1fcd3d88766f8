"""Partnerships kept apart: a member of one gets 404 for every object of
another, over every URL; a site administrator sees both; an administrator
of one partnership administers nothing in another.

Each URL of the service is listed here either with the address of an
object of the other partnership, or as holding no partnership object: a
new URL fails ``test_every_url_is_considered`` until it is placed.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse

from saferplaces.accounts.models import Agency, Role
from saferplaces.partnership.models import Action, Evidence, Partnership, Plan
from saferplaces.tasking.models import ProblemSolving
from tests.factories import (
    NEIGHBOUR_PLAN,
    SITE_ADMIN,
    neighbouring_plan,
    road_safety_plan,
)
from tests.matrix import CASE_URLS, MATRIX, named_urls

ROLES = [role.value for role in Role]
EDITORS = {Role.ADMINISTRATOR.value, Role.ANALYST.value}
# Asked with POST (a GET is 405 whoever asks, giving nothing away).
POSTED = {"partnership:plan_publication", "partnership:plan_reopening"}
MANAGERS_ONLY = {
    "partnership:plan_copy_forward", "partnership:plan_edit",
    "partnership:priority_edit", "partnership:group_edit",
}  # fmt: skip
OURS = "birmingham-south-2014-15"
THEIRS = NEIGHBOUR_PLAN

# URLs that name no object of a partnership: public pages, accounts, the
# site's audit log, and the measures API and dashboard pages over the
# analytic store (area statistics: exact for one's own partnership's areas
# only, tests/accounts/test_exact_figures_apart.py).
PARTNERSHIP_FREE = {
    "web:home", "web:accessibility", "web:privacy", "web:publication",
    "web:health", "accounts:login", "accounts:logout", "accounts:password_reset",
    "accounts:password_reset_done", "accounts:password_reset_confirm",
    "accounts:password_reset_complete", "accounts:account",
    "accounts:password_change", "accounts:password_change_done",
    "accounts:audit_log", "accounts:audit_log_export", "api:root", "api:schema",
    "api:measures", "api:measure", "partnership:plan_new", "tasking:choose",
    "tasking:pack", "tasking:problems", "tasking:problem_new", "tasking:pack_geojson",
    "tasking:pack_pdf",
    "api:not_found", "api:series", "api:compare", "api:deprivation", "dashboard:map",
    "dashboard:map_geojson", "dashboard:measure", "dashboard:chart",
    "dashboard:export", "dashboard:neighbourhood", "dashboard:neighbourhood_ward",
    # The chooser's address names no partnership: one not the person's is
    # refused as if it did not exist (tests/partnership/
    # test_the_partnership_is_the_unit.py).
    "partnership:choose",
    # Public pages: each partnership's own address shows what it publishes.
    "web:partnership", "partnership:partnership_plan", "dashboard:any_neighbourhood",
    "dashboard:any_neighbourhood_ward",
}  # fmt: skip


def _addresses(plan: Plan, action: Action, evidence: Evidence) -> dict[str, str]:
    """Every URL that shows an object of ``plan``'s partnership."""
    problem = ProblemSolving.objects.create(
        partnership=plan.partnership, title="Fly-tipping behind the shops",
        source="concerns", area_code="SYN-D03", owner=Agency.objects.first(),
    )  # fmt: skip
    by_plan = "?" + urlencode({"plan": plan.slug})
    return {
        "partnership:plan": reverse("partnership:plan") + by_plan,
        "partnership:progress": reverse("partnership:progress") + by_plan,
        "partnership:group": reverse(
            "partnership:group",
            kwargs={"partnership": plan.partnership.slug, "slug": action.group.slug},
        ),
        "partnership:action": reverse(
            "partnership:action", kwargs={"reference": action.reference}
        ),
        "partnership:action_edit": reverse(
            "partnership:action_edit", kwargs={"reference": action.reference}
        ),
        "partnership:evidence": reverse(
            "partnership:evidence", kwargs={"public_id": evidence.public_id}
        ),
        "partnership:export_csv": reverse("partnership:export_csv") + by_plan,
        "partnership:plan_copy_forward": reverse(
            "partnership:plan_copy_forward", kwargs={"slug": plan.slug}
        ),
        "partnership:plan_publication": reverse(
            "partnership:plan_publication", kwargs={"slug": plan.slug}
        ),
        "partnership:plan_reopening": reverse(
            "partnership:plan_reopening", kwargs={"slug": plan.slug}
        ),
        "partnership:plan_edit": reverse(
            "partnership:plan_edit", kwargs={"slug": plan.slug}
        ),
        "partnership:priority_edit": reverse(
            "partnership:priority_edit",
            kwargs={"slug": plan.slug, "number": action.priority.number},
        ),
        "partnership:group_edit": reverse(
            "partnership:group_edit",
            kwargs={"partnership": plan.partnership.slug, "slug": action.group.slug},
        ),
        "partnership:export_xlsx": reverse("partnership:export_xlsx") + by_plan,
        "partnership:public_plan": reverse("partnership:public_plan") + by_plan,
        "dashboard:overview": reverse("dashboard:overview") + by_plan,
        "tasking:problem": reverse("tasking:problem", kwargs={"pk": problem.pk}),
        "tasking:problem_edit": reverse(
            "tasking:problem_edit", kwargs={"pk": problem.pk}
        ),
    }


@pytest.fixture
def two_partnerships(db, settings, tmp_path):
    """The demo partnership and its neighbour (small plans under their
    names), each with a piece of evidence."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.DATA_DIR = tmp_path
    road_safety_plan()
    neighbouring_plan()
    sides = {}
    for slug in (OURS, THEIRS):
        plan = Plan.objects.get(slug=slug)
        action = plan.actions.order_by("id").first()
        update = action.updates.create(text="Evidence attached.", status="on_track")
        evidence = Evidence.objects.create(
            update=update,
            file=SimpleUploadedFile("notes.txt", b"minutes of the meeting"),
            name="notes.txt",
            content_type="text/plain",
            size=22,
        )
        sides[slug] = _addresses(plan, action, evidence)
    return sides


ADDRESSED = {
    "partnership:plan", "partnership:progress", "partnership:group",
    "partnership:action", "partnership:action_edit", "partnership:evidence",
    "partnership:export_csv", "partnership:plan_publication",
    "partnership:plan_reopening", "partnership:plan_copy_forward",
    "partnership:plan_edit",
    "partnership:priority_edit", "partnership:group_edit",
    "partnership:export_xlsx", "partnership:public_plan", "dashboard:overview",
    "tasking:problem", "tasking:problem_edit",
}  # fmt: skip


def test_every_url_is_considered():
    urls = {n for n in named_urls(get_resolver()) if not n.startswith("admin:")}
    # Cases are kept apart by agency as well as partnership: tests/cases.
    assert urls == set(MATRIX) == PARTNERSHIP_FREE | ADDRESSED | set(CASE_URLS), (
        "place each URL in PARTNERSHIP_FREE or ADDRESSED (with its address)"
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", sorted(ADDRESSED))
def test_a_member_of_one_partnership_gets_404_for_the_other(
    two_partnerships, make_user, client, role, url_name
):
    ours = Partnership.objects.get(plans__slug=OURS)
    client.force_login(make_user(role, partnerships=[ours]))
    # The same page for one's own partnership opens (or, for a change the
    # role may not make, is refused with 403): the 404 is not general.
    ask = client.post if url_name in POSTED else client.get
    own = ask(two_partnerships[OURS][url_name]).status_code
    if url_name == "partnership:action_edit" and role not in EDITORS:
        assert own == 403
    elif url_name in POSTED:
        assert own == (302 if role == Role.ADMINISTRATOR.value else 403)
    elif url_name == "tasking:problem_edit":
        solvers = {Role.ADMINISTRATOR.value, Role.ANALYST.value, Role.GROUP_LEAD.value}
        assert own == (200 if role in solvers else 403)
    elif url_name in MANAGERS_ONLY:
        assert own == (200 if role == Role.ADMINISTRATOR.value else 403)
    elif url_name != "partnership:public_plan":
        assert own == 200
    assert ask(two_partnerships[THEIRS][url_name]).status_code == 404


@pytest.mark.parametrize("url_name", sorted(ADDRESSED - {"partnership:public_plan"}))
def test_a_site_administrator_sees_every_partnership(
    two_partnerships, make_user, client, url_name
):
    client.force_login(make_user(SITE_ADMIN))
    ask = client.post if url_name in POSTED else client.get
    assert ask(two_partnerships[THEIRS][url_name]).status_code in (200, 302)


def test_posting_to_another_partnerships_action_is_404(
    two_partnerships, make_user, client
):
    ours = Partnership.objects.get(plans__slug=OURS)
    client.force_login(make_user(Role.ADMINISTRATOR, partnerships=[ours]))
    theirs = Plan.objects.get(slug=THEIRS).actions.order_by("id").first()
    url = reverse("partnership:action", kwargs={"reference": theirs.reference})
    response = client.post(url, {"status": "complete", "text": "Done."})
    assert response.status_code == 404
    assert not theirs.updates.filter(text="Done.").exists()


def test_an_administrator_of_one_partnership_only_reads_the_other(
    two_partnerships, make_user, client
):
    """Administrator here, viewer there: may not post there, nor open the
    installation's admin or audit log."""
    ours = Partnership.objects.get(plans__slug=OURS)
    theirs_partnership = Partnership.objects.get(plans__slug=THEIRS)
    person = make_user(Role.ADMINISTRATOR, partnerships=[ours])
    person.memberships.create(partnership=theirs_partnership, role=Role.VIEWER)
    client.force_login(person)
    # Both plans have ended: reopened for updates, so only the role decides.
    Plan.objects.update(reopened=True)
    mine = Plan.objects.get(slug=OURS).actions.order_by("id").first()
    theirs = Plan.objects.get(slug=THEIRS).actions.order_by("id").first()
    for action, expected in ((mine, 302), (theirs, 403)):
        url = reverse("partnership:action", kwargs={"reference": action.reference})
        response = client.post(url, {"status": "on_track", "text": "Moving."})
        assert response.status_code == expected
    assert client.get(reverse("accounts:audit_log")).status_code == 403
    assert client.get(reverse("admin:index"), follow=True).status_code == 403


def test_the_plan_chooser_lists_only_ones_own_partnerships_plans(
    two_partnerships, make_user, client
):
    ours = Partnership.objects.get(plans__slug=OURS)
    client.force_login(make_user(Role.VIEWER, partnerships=[ours]))
    page = client.get(reverse("partnership:plan")).content.decode()
    assert "Neighbouring" not in page


def test_evidence_is_addressed_by_a_random_id(two_partnerships):
    for url in (sides["partnership:evidence"] for sides in two_partnerships.values()):
        random_part = url.rstrip("/").rsplit("/", 1)[-1]
        assert len(random_part) == 36
        assert not random_part.isdigit()
