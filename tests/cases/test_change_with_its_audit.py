"""A change and its audit entry commit together or not at all (issue 27):
a worker killed outright (SIGKILL) after writing a change but before its
audit entry leaves neither, on SQLite and PostgreSQL (DATABASE_URL names
the database the worker process opens); so does a request that ends in a
server error. Uses the test database, made visible to another process
(transactional_db: on SQLite copied to a file and back)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from saferplaces.accounts.models import AuditEvent
from saferplaces.cases.models import Case
from tests.factories import build_casework, make_case

# The worker: signs in, then posts a change with the audit log's write
# replaced by the process killing itself, as a kill -9 would land there.
WORKER = r"""
import json, os, signal, sys
import django
django.setup()
from django.test import Client
from saferplaces.accounts.models import AuditEvent, User
username, url, form = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
client = Client()
client.force_login(User.objects.get(username=username))
def killed(self, *args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
AuditEvent.save = killed
AuditEvent.objects.bulk_create = killed
client.post(url, form)
print("not killed")
"""


def _database_url(tmp_path: Path) -> str:
    """Where the worker finds the test database (a file copy on SQLite)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        copy = tmp_path / "copy.sqlite3"
        with sqlite3.connect(copy) as target:
            connection.connection.backup(target)
        return f"sqlite:///{copy}"
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{user}@{host}/{db['NAME']}"


def _run_worker(tmp_path: Path, username: str, url: str, form: dict) -> int:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "saferplaces.config.settings",
        "DATABASE_URL": _database_url(tmp_path),
        "SAFERPLACES_DATA_DIR": str(tmp_path / "data"),
        "SAFERPLACES_ALLOWED_HOSTS": "testserver",
    }
    worker = subprocess.run(
        [sys.executable, "-c", WORKER, username, url, json.dumps(form)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "not killed" not in worker.stdout, worker.stderr
    if connection.vendor == "sqlite":  # what the worker left, back in here
        with sqlite3.connect(tmp_path / "copy.sqlite3") as source:
            source.backup(connection.connection)
    return worker.returncode


@pytest.mark.usefixtures("committed_db")
def test_a_worker_killed_between_a_change_and_its_audit_entry_leaves_neither(
    tmp_path,
):
    casework = build_casework()
    case = make_case(casework)
    form = {
        "case_type": "asb", "hate_strand": "", "summary": "Changed, then killed",
        "officer": "", "version": case.version,
    }  # fmt: skip
    url = reverse("cases:case_edit", kwargs={"reference": case.reference})
    returncode = _run_worker(tmp_path, casework.officer.username, url, form)
    assert returncode == -signal.SIGKILL
    case.refresh_from_db()
    changed = case.summary == "Changed, then killed"
    audited = AuditEvent.objects.filter(
        action="case_changed", object_id=case.reference
    ).exists()
    assert (changed, audited) == (False, False)


def test_a_change_whose_audit_entry_fails_is_not_kept(casework, client, monkeypatch):
    case = make_case(casework)
    client.force_login(casework.officer)
    client.raise_request_exception = False

    def refused(*args, **kwargs):
        raise RuntimeError("the audit log could not be written")

    monkeypatch.setattr("saferplaces.accounts.audit.record", refused)
    form = {
        "case_type": "asb", "hate_strand": "", "summary": "Not audited",
        "officer": "", "version": case.version,
    }  # fmt: skip
    url = reverse("cases:case_edit", kwargs={"reference": case.reference})
    assert client.post(url, form).status_code == 500
    assert Case.objects.get(pk=case.pk).summary != "Not audited"


def test_a_refusal_is_still_audited(casework, client):
    """A 4xx answer keeps its audit entry: only a server error rolls back."""
    case = make_case(casework, owner=casework.housing)
    case.shares.create(agency=casework.police, agreement=casework.agreement)
    client.force_login(casework.officer)
    url = reverse("cases:case_edit", kwargs={"reference": case.reference})
    assert client.post(url, {}).status_code == 403
    assert AuditEvent.objects.filter(action="permission_denied").exists()
