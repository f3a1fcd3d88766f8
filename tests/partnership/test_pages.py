"""The done-when flow: a group lead posts an update with evidence, and the
progress report and the public plan page reflect it."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from saferplaces.accounts.models import AuditEvent, Role
from saferplaces.partnership.models import Action, Evidence, Plan, Status
from tests.factories import ActionFactory

PDF = b"%PDF-1.4\n% minutes of the road safety tasking group\n%%EOF\n"


@pytest.fixture
def road_lead(plan, make_user):
    lead = make_user(Role.GROUP_LEAD, username="road-lead")
    road = plan.partnership.groups.get(slug="road-safety-tasking")
    road.lead = lead
    road.save()
    # Not yet due, so a status posted on it is counted as posted.
    plan.actions.filter(number="3.1.2").update(
        status=Status.ON_TRACK, due=timezone.localdate() + datetime.timedelta(30)
    )
    reopen_for_updates(plan)
    return lead


def reopen_for_updates(plan: Plan) -> None:
    """The 2014/15 plan has ended: its manager reopens it for the updates
    these tests post (tests/partnership/test_ended_plan_takes_no_updates.py)."""
    plan.reopened = True
    plan.save(update_fields=["reopened"])


def action_url(number="3.1.2"):
    return reverse(
        "partnership:action",
        kwargs={"reference": f"birmingham-south-2014-15-{number.replace('.', '-')}"},
    )


def post_update(client, status="at_risk", evidence=None, number="3.1.2"):
    data = {
        "status": status,
        "text": "Met the highways team; school parking pilot agreed.",
    }
    if evidence is not None:
        data["evidence"] = evidence
    return client.post(action_url(number), data)


def off_track_on_report(client) -> int:
    report = client.get(reverse("partnership:progress"))
    road = next(r for r in report.context["groups"] if r.label.startswith("Road"))
    return road.by_status[Status.OFF_TRACK]


def test_a_group_lead_posts_an_update_with_evidence(client, road_lead, plan):
    client.force_login(road_lead)
    before = off_track_on_report(client)
    page = client.get(
        reverse(
            "partnership:group",
            kwargs={
                "partnership": "birmingham-south-ldg",
                "slug": "road-safety-tasking",
            },
        )
    )
    assert b"You can post progress on this group" in page.content
    assert action_url().encode() in page.content
    response = post_update(
        client, "off_track", SimpleUploadedFile("minutes.pdf", PDF, "application/pdf")
    )
    assert response.status_code == 302
    action = plan.actions.get(number="3.1.2")
    assert action.status == Status.OFF_TRACK
    update = action.updates.order_by("-created").first()
    assert update.author == road_lead
    [evidence] = Evidence.objects.filter(update=update)
    assert (evidence.name, evidence.size) == ("minutes.pdf", len(PDF))
    assert AuditEvent.objects.filter(action="plan_progress_posted").exists()

    download = client.get(
        reverse("partnership:evidence", kwargs={"public_id": evidence.public_id})
    )
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == PDF

    assert off_track_on_report(client) == before + 1
    public = client.get(reverse("partnership:public_plan")).content.decode()
    assert "Off track" in public
    assert "Met the highways" not in public  # update texts stay internal


def test_someone_outside_the_group_cannot_post(client, plan, make_user):
    client.force_login(make_user(Role.GROUP_LEAD, username="other-lead"))
    page = client.get(action_url())
    assert page.status_code == 200
    assert b"Post an update" not in page.content
    assert post_update(client).status_code == 403
    assert (
        not plan.actions.get(number="3.1.2")
        .updates.filter(text__startswith="Met the highways")
        .exists()
    )


def test_an_analyst_may_post_on_any_action(client, plan, make_user):
    reopen_for_updates(plan)
    client.force_login(make_user(Role.ANALYST))
    assert post_update(client, "complete", number="1.1").status_code == 302


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("run.exe", b"MZ\x90\x00", "application/octet-stream"),
         "must be a PDF, Word, Excel"),
        (SimpleUploadedFile("fake.pdf", b"<html><script>", "application/pdf"),
         "contents are not a PDF"),
        (SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 1048577, "application/pdf"),
         "smaller than 1 MB"),
    ],
)  # fmt: skip
def test_bad_evidence_is_refused_and_the_text_kept(
    client, road_lead, plan, settings, upload, message
):
    settings.EVIDENCE_MAX_MEGABYTES = 1
    client.force_login(road_lead)
    response = post_update(client, evidence=upload)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "school parking pilot agreed" in html  # what was typed is kept
    assert Evidence.objects.count() == 0


def test_a_finished_action_reopens_only_to_on_track_or_at_risk(client, road_lead, plan):
    client.force_login(road_lead)
    assert post_update(client, "complete").status_code == 302
    refused = post_update(client, "off_track")
    assert refused.status_code == 400
    assert "can only be reopened" in refused.content.decode()


def test_exports_hold_every_action(client, plan, make_user):
    # As many actions as the seed plan's 45.
    road = plan.partnership.groups.get(slug="road-safety-tasking")
    ActionFactory.create_batch(
        45 - plan.actions.count(), priority=plan.priorities.get(number=3), group=road
    )
    client.force_login(make_user(Role.VIEWER))
    rows = list(
        csv.reader(
            io.StringIO(client.get(reverse("partnership:export_csv")).content.decode())
        )
    )
    assert len(rows) == 1 + 45
    assert rows[0][:3] == ["reference", "number", "priority"]
    book = load_workbook(
        io.BytesIO(client.get(reverse("partnership:export_xlsx")).content)
    )
    assert book["Actions"].max_row == 1 + 45
    assert book["Progress updates"].max_row > 1


def test_spreadsheet_formulas_in_text_are_neutralised(client, road_lead, plan):
    client.force_login(road_lead)
    client.post(action_url(), {"status": "at_risk", "text": '=HYPERLINK("http://x")'})
    body = client.get(reverse("partnership:export_csv")).content.decode()
    assert "'=HYPERLINK" in body


def test_the_public_plan_needs_no_sign_in_and_shows_no_update_text(client, plan):
    page = client.get(reverse("partnership:public_plan"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Birmingham South LDG plan 2014/15" in html
    assert "SYNTHETIC" in html
    assert "West Midlands Fire Service" in html
    assert "SYNTHETIC: met as planned" not in html  # updates are internal


def test_an_unpublished_plan_is_not_public(client, plan):
    plan.published = False
    plan.save()
    assert client.get(reverse("partnership:public_plan")).status_code == 404


def test_outcome_measures_on_the_plan_and_action_pages_are_links(
    client, plan, make_user
):
    """They were plain text (issue 14)."""
    client.force_login(make_user(Role.VIEWER))
    measure = reverse(
        "dashboard:measure", kwargs={"measure_id": "total-recorded-crime"}
    )
    assert (
        f'href="{measure}"' in client.get(reverse("partnership:plan")).content.decode()
    )
    action = client.get(action_url("1.1")).content.decode()
    watched = reverse("dashboard:measure", kwargs={"measure_id": "domestic-violence"})
    assert f'href="{watched}"' in action
    assert "Watch" in action
    assert "(no aim either way)" in action


def test_a_viewer_is_told_why_they_cannot_post_an_update(client, plan, make_user):
    client.force_login(make_user(Role.VIEWER))
    html = client.get(action_url()).content.decode()
    assert "Post an update" not in html
    assert "Updates on this action are posted by the lead and members of the" in html


def test_target_areas_are_named(client, plan, make_user, settings, demo_data):
    """The action page showed "Target areas SYN-D03" (issue 14)."""
    settings.DATA_DIR = demo_data
    action = plan.actions.exclude(target_areas=[]).first()
    client.force_login(make_user(Role.VIEWER))
    html = client.get(action_url(action.number)).content.decode()
    code = action.target_areas[0]
    assert f"({code})" in html  # the name first, the code after it


def test_the_evaluation_names_its_areas_and_measure(
    client, plan, make_user, settings, demo_data
):
    """The evaluation read "SYN-D03 changed by +27% and SYN-D02 by -50%"."""
    settings.DATA_DIR = demo_data
    client.force_login(make_user(Role.VIEWER))
    html = client.get(action_url("3.1.1")).content.decode()
    evaluation = html.split(">Evaluation</h2>")[1].split("</div>")[0]
    assert "SYN-D0" not in evaluation
    assert "Selly Oak district changed by" in evaluation
    assert "Road casualties killed or seriously injured" in evaluation


def test_an_overdue_action_is_shown_overdue_never_also_on_track(
    client, plan, make_user
):
    """ "On track" stood beside "Overdue" on the same action (issue 14)."""
    import datetime

    from saferplaces.partnership import progress

    plan.actions.update(status=Status.COMPLETE)
    late = plan.actions.get(number="3.1.2")
    late.status = Status.ON_TRACK
    late.due = datetime.date(2015, 1, 31)
    late.save()
    client.force_login(make_user(Role.VIEWER))
    html = client.get(action_url("3.1.2")).content.decode()
    status_row = html.split(">Status</dt>")[1].split("</dd>")[0]
    assert "Overdue" in status_row
    assert "On track" not in status_row
    summary = progress.summarise("all", progress.plan_actions(plan))
    assert (summary.overdue, summary.by_status[Status.ON_TRACK]) == (1, 0)


def test_the_action_page_shows_who_changed_what(client, road_lead, plan):
    """Every change is kept (django-simple-history) and shown; a save that
    changes nothing adds no line."""
    from saferplaces.partnership.models import Milestone

    def lines():
        html = client.get(action_url()).content.decode()
        return (
            html.split('data-testid="changes">')[1].split("</ul>")[0].split("<li>")[1:]
        )

    client.force_login(road_lead)
    client.post(action_url(), {"status": Status.AT_RISK, "text": "Slipping."})
    [newest, *_] = before = lines()
    assert "road-lead: Action: " in newest
    assert "to At risk" in newest
    action = plan.actions.get(number="3.1.2")
    action.save()  # nothing changed: no line
    assert lines() == before
    Milestone.objects.create(action=action, title="Signs up", due=action.due)
    assert "Milestone added: Signs up" in lines()[0]
    assert (
        "Signs up"
        in client.get(action_url()).content.decode().split(">Milestones</h2>")[1]
    )


def edit_url(number="3.1.2"):
    return reverse(
        "partnership:action_edit",
        kwargs={"reference": f"birmingham-south-2014-15-{number.replace('.', '-')}"},
    )


ACTION_312 = "birmingham-south-2014-15-3-1-2"


def details(**changes):
    data = {
        "form": "details",
        "details-text": "Forward planning with the highways team",
        "details-lead_agency": "",
        "details-lead_role": "Road safety officer",
        "details-target_areas": "SYN-D03",
        "details-starts": "2014-04-01",
        "details-due": "2015-03-31",
        # The version the form was opened at (the action as it is now).
        "details-version": Action.objects.get(reference=ACTION_312).version,
    }
    data.update({f"details-{k}": v for k, v in changes.items()})
    return data


def test_an_action_is_changed_in_the_service_with_the_models_rules(
    client, road_lead, plan
):
    client.force_login(road_lead)
    refused = client.post(edit_url(), details(due="2014-01-01"))
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "There is a problem" in html
    assert "An action cannot be due before it starts." in html
    assert 'value="2014-01-01"' in html  # what was typed is kept
    assert client.post(edit_url(), details(due="2015-02-28")).status_code == 302
    action = plan.actions.get(number="3.1.2")
    assert (action.due.isoformat(), action.target_areas) == ("2015-02-28", ["SYN-D03"])
    page = client.get(action_url()).content.decode()
    assert "road-lead: Action: " in page.split('data-testid="changes">')[1]


def test_a_milestone_and_a_target_are_set_in_the_service(client, road_lead, plan):
    client.force_login(road_lead)
    early = {"form": "milestone", "milestone-title": "Too soon",
             "milestone-due": "2013-01-01", "milestone-state": "planned"}  # fmt: skip
    assert client.post(edit_url(), early).status_code == 400
    fine = {**early, "milestone-title": "Pilot agreed", "milestone-due": "2014-09-30"}
    assert client.post(edit_url(), fine).status_code == 302
    action = plan.actions.get(number="3.1.1")
    link = action.measures.get()
    client.force_login(make_lead_of(action, road_lead))
    form = f"target-{link.pk}"
    data = {
        "form": form,
        f"{form}-direction": "down",
        f"{form}-baseline_from": "2012-04",
        f"{form}-baseline_to": "2013-03",
        f"{form}-target": "3.5",
        f"{form}-version": link.version,
    }
    assert client.post(edit_url("3.1.1"), data).status_code == 302
    link.refresh_from_db()
    assert (link.target, link.baseline_from) == (3.5, "2012-04")
    bad = {**data, f"{form}-baseline_to": "2019-13"}
    assert client.post(edit_url("3.1.1"), bad).status_code == 400
    assert plan.actions.get(number="3.1.2").milestones.get().title == "Pilot agreed"


def make_lead_of(action, user):
    action.group.members.add(user)
    return user


def test_only_the_actions_group_and_the_partnerships_editors_change_it(
    client, plan, make_user
):
    client.force_login(make_user(Role.GROUP_LEAD, username="other-lead"))
    assert client.get(edit_url()).status_code == 403
    assert client.post(edit_url(), details(due="2015-01-31")).status_code == 403
    assert plan.actions.get(number="3.1.2").due.isoformat() != "2015-01-31"


def test_the_partnerships_manager_publishes_and_withdraws_the_plan(
    client, plan, make_user
):
    url = reverse("partnership:plan_publication", kwargs={"slug": plan.slug})
    client.force_login(make_user(Role.ANALYST, username="ana"))
    assert client.post(url, {"published": "no"}).status_code == 403
    client.force_login(make_user(Role.ADMINISTRATOR, username="manager"))
    assert (
        "Withdraw the plan" in client.get(reverse("partnership:plan")).content.decode()
    )
    assert client.post(url, {"published": "no"}).status_code == 302
    public = client.get(reverse("partnership:public_plan"))
    assert public.status_code == 404  # nothing published now
    assert AuditEvent.objects.filter(action="plan_withdrawn").count() == 1
    client.post(url, {"published": "yes"})
    assert client.get(reverse("partnership:public_plan")).status_code == 200


def test_the_manager_starts_next_years_plan_in_the_service(client, plan, make_user):
    url = reverse("partnership:plan_copy_forward", kwargs={"slug": plan.slug})
    client.force_login(make_user(Role.ADMINISTRATOR, username="manager"))
    typed = {"title": "Birmingham South LDG plan 2015/16", "slug": "bs-2015-16",
             "starts": "2015-04-01", "ends": "2015-03-31"}  # fmt: skip
    refused = client.post(url, typed)
    assert refused.status_code == 400
    assert "The plan must end after it starts." in refused.content.decode()
    assert 'value="bs-2015-16"' in refused.content.decode()  # kept as typed
    done = client.post(url, {**typed, "ends": "2016-03-31"})
    assert done.status_code == 302
    new = Plan.objects.get(slug="bs-2015-16")
    assert new.previous == plan
    assert not new.published
    open_actions = plan.actions.exclude(status__in=["complete", "stopped"])
    assert new.actions.count() == open_actions.count()


def test_the_progress_page_lists_the_plans_targets(client, plan, make_user):
    """Targets drive the progress page too (issue 14)."""
    link = plan.actions.get(number="3.1.1").measures.get()
    link.target = 4.0
    link.save()
    client.force_login(make_user(Role.VIEWER))
    html = client.get(reverse("partnership:progress")).content.decode()
    targets = html.split('data-testid="targets"')[1].split("</table>")[0]
    assert "Reduce to 4" in targets
    assert "3.1.1" in targets
    # Wide tables scroll in their own focusable box, not out of the column.
    assert 'class="app-table-scroll" role="region"' in html
