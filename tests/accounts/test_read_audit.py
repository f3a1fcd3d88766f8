"""Every signed-in read of non-public data leaves one audit entry, through
one mechanism (accounts.read_audit); public pages and one's own account
are exempt, each with its reason written down."""

from __future__ import annotations

import pytest
from django.urls import resolve, reverse

from saferplaces.accounts.models import AuditEvent, Role
from saferplaces.accounts.read_audit import READ, exemption
from tests.factories import SITE_ADMIN, road_safety_plan
from tests.matrix import MATRIX, needs_the_plan

EXEMPT_ON_PURPOSE = {
    "web:home", "web:accessibility", "web:privacy", "web:publication",
    "web:health", "accounts:login", "accounts:logout", "accounts:password_reset",
    "accounts:password_reset_done", "accounts:password_reset_confirm",
    "accounts:password_reset_complete", "accounts:account",
    "accounts:password_change", "accounts:password_change_done",
    "api:root", "api:schema", "api:measures", "api:measure", "api:not_found",
    "partnership:public_plan", "dashboard:neighbourhood",
    "dashboard:neighbourhood_ward", "dashboard:any_neighbourhood",
    "dashboard:any_neighbourhood_ward", "web:partnership",
    "partnership:partnership_plan",
}  # fmt: skip


def reads() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=READ).order_by("id"))


def test_only_public_pages_and_ones_own_account_are_exempt():
    exempt = {
        name
        for name, rule in MATRIX.items()
        if exemption(resolve(reverse(name, kwargs=rule.kwargs)).func)
    }
    assert exempt == EXEMPT_ON_PURPOSE


@pytest.fixture
def seeded(db, settings, tmp_path, request):
    settings.DATA_DIR = tmp_path
    if needs_the_plan(getattr(request.node, "callspec", None)):
        road_safety_plan()  # a small plan under the demo's names


@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_each_signed_in_read_is_audited_once_unless_exempt(seeded, client_as, url_name):
    rule = MATRIX[url_name]
    url = reverse(url_name, kwargs=rule.kwargs)
    client = client_as(SITE_ADMIN)
    before = len(reads())
    response = client.get(url)
    audited = len(reads()) - before
    if url_name in EXEMPT_ON_PURPOSE or not 200 <= response.status_code < 300:
        assert audited == 0
    else:
        assert audited == 1
        entry = reads()[-1]
        assert entry.object_type == url_name
        assert entry.actor_username == f"{SITE_ADMIN}-user"
        assert entry.detail["path"] == url


def test_an_action_read_names_the_action_and_the_plan_export_its_format(
    seeded, client_as
):
    client = client_as(Role.VIEWER)
    reference = "birmingham-south-2014-15-3-1-2"
    client.get(reverse("partnership:action", kwargs={"reference": reference}))
    client.get(reverse("partnership:export_xlsx") + "?plan=birmingham-south-2014-15")
    action, export = reads()[-2:]
    assert (action.object_type, action.object_id) == ("partnership:action", reference)
    assert action.detail["format"] == "html"
    assert export.object_type == "partnership:export_xlsx"
    assert export.detail["format"] == "xlsx"
    assert export.detail["query"] == {"plan": "birmingham-south-2014-15"}


def test_reading_the_audit_log_is_itself_audited(seeded, client_as):
    client = client_as(SITE_ADMIN)
    client.get(reverse("accounts:audit_log") + "?username=someone")
    [entry] = reads()
    assert entry.object_type == "accounts:audit_log"
    assert entry.detail["query"] == {"username": "someone"}


def test_the_installations_admin_pages_are_audited(seeded, client_as):
    client_as(SITE_ADMIN).get(reverse("admin:accounts_user_changelist"))
    assert [e.object_type for e in reads()] == ["admin:accounts_user_changelist"]


def test_refused_and_missing_pages_and_posts_are_not_reads(seeded, client_as):
    viewer = client_as(Role.VIEWER)
    viewer.get(reverse("accounts:audit_log"))  # 403, audited as a refusal
    viewer.get(reverse("partnership:action", kwargs={"reference": "nope"}))  # 404
    viewer.post(reverse("accounts:logout"))
    assert reads() == []
    assert AuditEvent.objects.filter(action="permission_denied").count() == 1


def test_anonymous_reads_of_the_api_are_not_audited_but_partners_are(seeded, client_as):
    url = reverse("api:series", kwargs={"measure_id": "total-recorded-crime"})
    client_as("anonymous").get(url, {"area": "E01009002"})
    assert reads() == []
    client_as(Role.ANALYST).get(url, {"area": "E01009002"})
    # No data is loaded here, so the answer is an error: nothing was read.
    assert reads() == []


def test_batched_reads_wait_and_are_written_together(seeded, client_as, settings):
    from saferplaces.accounts.read_audit import write_waiting_reads

    # Long enough that the timer cannot fire during the test (a timer
    # thread writing into the test's open transaction would deadlock).
    settings.AUDIT_READ_BATCH_SECONDS = 60
    client = client_as(Role.VIEWER)
    for _ in range(3):
        client.get(reverse("partnership:plan"))
    assert reads() == []  # waiting in this worker, not yet written
    assert write_waiting_reads() == 3  # as at the timer, or at exit
    assert [e.object_type for e in reads()] == ["partnership:plan"] * 3
    assert write_waiting_reads() == 0


def test_the_audit_page_answers_who_looked_at_this(seeded, client_as):
    reference = "birmingham-south-2014-15-3-1-2"
    client_as(Role.VIEWER).get(
        reverse("partnership:action", kwargs={"reference": reference})
    )
    client_as(Role.ANALYST).get(reverse("partnership:plan"))
    admin = client_as(SITE_ADMIN)
    page = admin.get(reverse("accounts:audit_log"), {"subject": reference})
    shown = [event.who for event in page.context["page"]]
    assert shown == ["viewer-user"]
    # What did this person look at, and the same as a download.
    mine = admin.get(
        reverse("accounts:audit_log"), {"username": "analyst-user", "action": READ}
    )
    assert [e.object_type for e in mine.context["page"]] == ["partnership:plan"]
    export = b"".join(
        admin.get(
            reverse("accounts:audit_log_export"),
            {"username": "analyst-user", "action": READ},
        ).streaming_content
    ).decode()
    lines = export.strip().splitlines()
    assert lines[0].startswith("at,who,agency,action")
    assert len(lines) == 2
    assert "partnership:plan" in lines[1]


def test_the_audit_page_filters_by_date_and_keeps_a_bad_date(seeded, client_as):
    admin = client_as(SITE_ADMIN)
    client_as(Role.VIEWER).get(reverse("partnership:plan"))
    today = AuditEvent.objects.latest("at").at.date().isoformat()
    hits = admin.get(reverse("accounts:audit_log"), {"since": today, "until": today})
    assert any(e.object_type == "partnership:plan" for e in hits.context["page"])
    none = admin.get(reverse("accounts:audit_log"), {"until": "2000-01-01"})
    assert list(none.context["page"]) == []
    bad = admin.get(reverse("accounts:audit_log"), {"since": "31/02/2026"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "There is a problem" in html
    assert 'value="31/02/2026"' in html


def test_a_nul_in_the_query_is_refused_and_never_breaks_the_audit(seeded, client_as):
    """PostgreSQL refuses NUL in text and JSON: a read with one in its query
    was a 500 there (schemathesis and the form fuzz test found it)."""
    response = client_as(Role.VIEWER).get(
        reverse("partnership:plan"), {"plan": "birmingham-south-2014-15", "x": "a\x00b"}
    )
    assert response.status_code == 400
    assert reads() == []
    from saferplaces.accounts import audit

    audit.record(READ, object_id="a\x00b", detail={"query": {"x\x00": ["a\x00b"]}})
    [entry] = reads()
    assert entry.object_id == "a\ufffdb"
    assert entry.detail == {"query": {"x\ufffd": ["a\ufffdb"]}}
