"""The audit log's CSV export is streamed in bounded memory (issue 27: 48,344
entries took 16.7 MB whole, so ~700,000 outran the worker's timeout), keeps
formula cells harmless, is itself audited, and the same export of any date
range comes from `saferplaces audit export`."""

from __future__ import annotations

import csv
import datetime
import io
import tracemalloc

import pytest
from click.testing import CliRunner
from django.urls import reverse
from django.utils import timezone

from saferplaces.accounts import audit, audit_export
from saferplaces.accounts.models import AuditEvent
from saferplaces.cli import main
from tests.factories import SITE_ADMIN

MANY = 30_000


def _entries(count: int, day: datetime.date) -> None:
    """``count`` read entries on ``day``, as the read audit writes them."""
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    AuditEvent.objects.bulk_create(
        (
            AuditEvent(
                at=at, actor_username=f"reader-{n % 50}", agency_name="Test Police",
                action="read", object_type="cases:case", object_id=f"CASE-{n:08d}",
                ip_address="10.0.0.1",
                detail={"path": f"/cases/CASE-{n:08d}/", "format": "html"},
            )
            for n in range(count)
        ),
        batch_size=5000,
    )  # fmt: skip


def _streamed_with_peak(response) -> tuple[int, int]:
    """The size of the streamed body and the most memory held meanwhile."""
    tracemalloc.start()
    try:
        size = sum(len(part) for part in response.streaming_content)
        return size, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_export_streams_many_entries_in_bounded_memory(client_as, monkeypatch):
    # Smaller chunks show the same bound on fewer entries (a faster test).
    monkeypatch.setattr(audit_export, "CHUNK_ROWS", 200)
    _entries(MANY, timezone.localdate())
    response = client_as(SITE_ADMIN).get(reverse("accounts:audit_log_export"))
    assert response.status_code == 200
    assert response.streaming
    size, peak = _streamed_with_peak(response)
    # The whole file is ~4.5 MB, which the old export held at least once
    # over; a stream holds a chunk of rows (CHUNK_ROWS) at a time, the same
    # for any number of entries.
    assert size > 4_000_000
    assert peak < size / 5, (size, peak)


def test_the_export_prefixes_formula_cells_and_is_audited(client_as):
    audit.record("read", object_type='=HYPERLINK("http://x")', object_id="+1")
    response = client_as(SITE_ADMIN).get(reverse("accounts:audit_log_export"))
    assert response["Content-Disposition"] == 'attachment; filename="audit-log.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["at", "who", "agency", "action"]
    assert ['\'=HYPERLINK("http://x")', "'+1"] in [row[4:6] for row in rows]
    exported = AuditEvent.objects.filter(object_type="accounts:audit_log_export")
    assert exported.count() == 1


def test_the_command_exports_a_date_range_and_is_audited(db, tmp_path):
    _entries(3, datetime.date(2026, 3, 1))
    _entries(2, datetime.date(2026, 3, 2))
    _entries(4, datetime.date(2026, 3, 3))
    out = tmp_path / "audit.csv"
    run = CliRunner().invoke(
        main, ["audit", "export", "--from", "2026-03-02", "--to", "2026-03-03",
               "--out", str(out)],
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    assert "6 audit entries from 2026-03-02 to 2026-03-03" in run.output
    assert out.stat().st_mode & 0o777 == 0o600  # personal data
    assert not (tmp_path / "audit.csv.partial").exists()
    rows = list(csv.reader(out.open()))
    assert rows[0][0] == "at"
    assert (
        sorted(row[0][:10] for row in rows[1:])
        == ["2026-03-02"] * 2 + ["2026-03-03"] * 4
    )
    entry = AuditEvent.objects.get(action="audit_exported")
    assert entry.detail["from"] == "2026-03-02"
    assert entry.detail["entries"] == 6
    assert entry.detail["by"] == "saferplaces command"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--from", "2026-03-05", "--to", "2026-03-01"], "--to is before --from"),
        (["--from", "2026-02-30", "--to", "2026-03-01"], "2026-02-30"),
    ],
)
def test_the_command_refuses_a_bad_range_and_writes_nothing(
    db, tmp_path, arguments, message
):
    out = tmp_path / "audit.csv"
    run = CliRunner().invoke(main, ["audit", "export", *arguments, "--out", str(out)])
    assert run.exit_code != 0
    assert message in run.output
    assert not out.exists()
    assert not AuditEvent.objects.filter(action="audit_exported").exists()
