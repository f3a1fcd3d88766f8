"""The audit log: written for sign-ins and admin changes, never changed."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from saferplaces.accounts import audit
from saferplaces.accounts.models import Agency, AuditEvent, AuditLogIsAppendOnly
from tests.factories import PASSWORD, SITE_ADMIN

pytestmark = pytest.mark.django_db


def test_login_is_recorded_with_agency_and_ip(make_user):
    user = make_user("analyst", username="ana")
    Client(REMOTE_ADDR="10.1.2.3").post(
        reverse("accounts:login"), {"username": "ana", "password": PASSWORD}
    )
    event = AuditEvent.objects.get(action="login")
    assert (event.actor_id, event.actor_username) == (user.pk, "ana")
    assert event.agency_name == user.agency.name
    assert event.ip_address == "10.1.2.3"


def test_failed_login_is_recorded_without_the_password(make_user):
    make_user("viewer", username="vic")
    Client().post(
        reverse("accounts:login"), {"username": "vic", "password": "s3cret-guess"}
    )
    event = AuditEvent.objects.get(action="login_failed")
    assert event.detail == {"username": "vic"}
    assert event.actor_id is None
    assert "s3cret-guess" not in str(event.detail)


def test_logout_is_recorded(client_as):
    client = client_as("viewer")
    client.post(reverse("accounts:logout"))
    assert AuditEvent.objects.filter(action="logout").count() == 1


def test_refused_page_is_recorded(client_as):
    client_as("viewer").get(reverse("accounts:audit_log"))
    event = AuditEvent.objects.get(action="permission_denied")
    assert event.detail["path"] == reverse("accounts:audit_log")


def test_admin_change_is_recorded(client_as):
    client = client_as(SITE_ADMIN)
    agency = Agency.objects.create(name="Old name", kind="council")
    response = client.post(
        reverse("admin:accounts_agency_change", args=[agency.pk]),
        {"name": "New name", "kind": "council", "is_active": "on"},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin_change")
    assert (event.object_type, event.object_id) == ("accounts.agency", str(agency.pk))
    assert event.actor_username == "site_administrator-user"


def test_admin_addition_and_deletion_are_recorded(client_as):
    client = client_as(SITE_ADMIN)
    client.post(
        reverse("admin:accounts_agency_add"),
        {"name": "Neighbourhood Watch", "kind": "voluntary", "is_active": "on"},
    )
    agency = Agency.objects.get(name="Neighbourhood Watch")
    client.post(
        reverse("admin:accounts_agency_delete", args=[agency.pk]), {"post": "yes"}
    )
    actions = set(
        AuditEvent.objects.filter(object_type="accounts.agency").values_list(
            "action", flat=True
        )
    )
    assert actions == {"admin_add", "admin_delete"}


def test_every_admin_registration_is_audited():
    from django.contrib import admin

    from saferplaces.accounts.admin_site import AuditedAdminMixin

    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, AuditedAdminMixin), model


def test_an_event_cannot_be_updated_through_the_model():
    event = audit.record("test_event")
    event.action = "rewritten"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()


def test_events_cannot_be_updated_or_deleted_in_bulk():
    audit.record("test_event")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().update(action="rewritten")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.get().delete()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE accounts_auditevent SET action = 'rewritten'",
        "DELETE FROM accounts_auditevent",
    ],
)
def test_the_database_refuses_raw_changes(statement):
    audit.record("test_event")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute(statement)
    assert AuditEvent.objects.get().action == "test_event"


def test_the_audit_admin_is_read_only(client_as):
    client = client_as(SITE_ADMIN)
    event = audit.record("test_event")
    assert client.get(reverse("admin:accounts_auditevent_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:accounts_auditevent_delete", args=[event.pk]),
            {"post": "yes"},
        ).status_code
        == 403
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_log_page_filters_by_action_and_user(client_as, make_user):
    client = client_as(SITE_ADMIN)
    someone = make_user("viewer", username="someone")
    audit.record("export", actor=someone)
    audit.record("other_thing", actor=someone)
    page = client.get(reverse("accounts:audit_log"), {"action": "export"})
    rows = list(page.context["page"])
    assert [e.action for e in rows] == ["export"]
    page = client.get(reverse("accounts:audit_log"), {"username": "SOMEONE"})
    assert {e.action for e in page.context["page"]} == {"export", "other_thing"}


def test_client_ip_ignores_forwarded_header_unless_proxies_are_trusted(rf, settings):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.0.0.9")
    request.META["REMOTE_ADDR"] = "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 0
    assert audit.client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert audit.client_ip(request) == "10.0.0.9"


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT OR REPLACE INTO accounts_auditevent (id, at, action, actor_username, "
        "agency_name, object_type, object_id, detail) SELECT id, at, 'rewritten', "
        "'', '', '', '', '{}' FROM accounts_auditevent",
        "REPLACE INTO accounts_auditevent (id, at, action, actor_username, "
        "agency_name, object_type, object_id, detail) SELECT id, at, 'rewritten', "
        "'', '', '', '', '{}' FROM accounts_auditevent",
    ],
)
def test_sqlite_refuses_replacing_an_entry(statement):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's REPLACE; PostgreSQL is tested by ON CONFLICT below")
    audit.record("test_event")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute(statement)
    assert AuditEvent.objects.get().action == "test_event"


def test_an_upsert_cannot_overwrite_an_entry():
    event = audit.record("test_event")
    statement = (
        "INSERT INTO accounts_auditevent (id, at, action, actor_username, "
        "agency_name, object_type, object_id, detail) VALUES "
        "(%s, CURRENT_TIMESTAMP, 'rewritten', '', '', '', '', '{}') "
        "ON CONFLICT (id) DO UPDATE SET action = 'rewritten'"
    )
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute(statement, [event.pk])
    assert AuditEvent.objects.get().action == "test_event"


def test_creating_an_administrator_from_the_command_line_is_audited():
    from click.testing import CliRunner

    from saferplaces.cli import main

    result = CliRunner().invoke(
        main,
        ["createadmin", "--username", "root-ann", "--email", "ann@example.invalid",
         "--agency", "BCC", "--password-stdin"],
        input="a long enough passphrase 1\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    event = AuditEvent.objects.get(action="administrator_created")
    assert event.detail["username"] == "root-ann"
    assert event.detail["by"] == "saferplaces command"


def test_demo_users_and_password_resets_from_the_command_line_are_audited():
    from saferplaces.demo.users import DEMO_USERS, ensure_demo_users

    ensure_demo_users()
    created = AuditEvent.objects.filter(action="demo_user_created").count()
    ensure_demo_users(reset_passwords=True)
    resets = AuditEvent.objects.filter(action="password_reset").count()
    assert created == resets == len(DEMO_USERS)


def test_retention_removes_only_entries_older_than_the_setting(settings):
    import datetime

    from click.testing import CliRunner
    from django.utils import timezone

    from saferplaces.cli import main

    now = timezone.now()
    old = AuditEvent.objects.create(action="login", at=now - datetime.timedelta(800))
    kept = AuditEvent.objects.create(action="login", at=now - datetime.timedelta(400))
    settings.AUDIT_RETENTION_DAYS = 730
    result = CliRunner().invoke(main, ["audit", "prune"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 audit entries older than 730 days" in result.output
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=kept.pk).exists()
    assert AuditEvent.objects.get(action="audit_pruned").detail["removed"] == 1


def test_the_database_refuses_to_remove_entries_under_a_year_old():
    import datetime

    from django.db import DatabaseError, transaction
    from django.utils import timezone

    young = AuditEvent.objects.create(
        action="login", at=timezone.now() - datetime.timedelta(300)
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.remove_older_than(timezone.now())
    assert AuditEvent.objects.filter(pk=young.pk).exists()
