"""Retention: preview, anonymise, delete; what kept cases need stays."""

from __future__ import annotations

import datetime

from click.testing import CliRunner
from django.utils import timezone

from saferplaces.accounts.models import AuditEvent
from saferplaces.cases.models import Case, CasePolicy, Person
from saferplaces.cases.services import retention
from saferplaces.cli import main
from tests.factories import make_case

TODAY = timezone.localdate()


def closed(casework, years_ago: float, **kwargs) -> Case:
    return make_case(
        casework, status="closed", closure_reason="resolved",
        closed_on=TODAY - datetime.timedelta(days=int(years_ago * 365.25)), **kwargs,
    )  # fmt: skip


def test_the_preview_changes_nothing_and_the_run_anonymises(casework):
    old = closed(casework, 7, summary="SYNTHETIC detail")
    recent = closed(casework, 2, given="Bilal")
    open_case = make_case(casework, given="Carys")
    policy = CasePolicy.of(casework.partnership.pk)
    preview = retention.retention(policy, TODAY, dry_run=True)
    assert (preview.cases, preview.people, preview.done) == ([old.reference], 1, False)
    assert "would be anonymised" in preview.words()
    assert Person.objects.filter(given_name="Edna").exists()
    done = retention.retention(policy, TODAY, dry_run=False)
    assert done.cases == [old.reference]
    old.refresh_from_db()
    person = old.involved.get().person
    assert (old.summary, old.case_type, old.anonymised_at is not None) == (
        "", "vulnerable_adult", True,
    )  # fmt: skip
    assert (person.given_name, person.date_of_birth, person.address) == ("", None, None)
    assert str(person) == "(anonymised)"
    for kept in (recent, open_case):
        assert kept.involved.get().person.given_name in ("Bilal", "Carys")
    assert retention.retention(policy, TODAY, dry_run=False).cases == []


def test_delete_mode_removes_the_case_and_whom_only_it_needed(casework):
    old = closed(casework, 10)
    shared_person = old.involved.get().person
    kept = make_case(casework, given="Dev")
    kept.involved.create(person=shared_person, role="witness")
    gone = closed(casework, 9, given="Finn")
    policy = CasePolicy.of(casework.partnership.pk)
    policy.after_retention = "delete"
    policy.save()
    report = retention.retention(policy, TODAY, dry_run=False)
    assert sorted(report.cases) == sorted([old.reference, gone.reference])
    assert not Case.objects.filter(pk__in=[old.pk, gone.pk]).exists()
    assert Person.objects.filter(pk=shared_person.pk).exists()  # kept case needs them
    assert not Person.objects.filter(given_name="Finn").exists()


def test_the_command_previews_then_runs_and_is_audited(casework):
    closed(casework, 8)
    preview = CliRunner().invoke(main, ["retention", "run", "--dry-run"])
    assert "1 cases closed before" in preview.output
    assert "Dry run: nothing was changed." in preview.output
    assert not AuditEvent.objects.filter(action="retention_run").exists()
    run = CliRunner().invoke(main, ["retention", "run"])
    assert run.exit_code == 0, run.output
    assert "anonymised" in run.output
    assert (
        AuditEvent.objects.get(action="retention_run").detail["action"] == "anonymise"
    )


def test_a_run_whose_audit_entry_fails_changes_nothing(casework, monkeypatch):
    """The run and its audit entry commit together (issue 27)."""
    old = closed(casework, 8, summary="SYNTHETIC detail")

    def refused(*args, **kwargs):
        raise RuntimeError("the audit log could not be written")

    monkeypatch.setattr("saferplaces.accounts.audit.record", refused)
    run = CliRunner().invoke(main, ["retention", "run"])
    assert isinstance(run.exception, RuntimeError)
    old.refresh_from_db()
    assert (old.summary, old.anonymised_at) == ("SYNTHETIC detail", None)
