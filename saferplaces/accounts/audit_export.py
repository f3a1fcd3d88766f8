"""The audit log as CSV, for the audit log page's download and for
``saferplaces audit export``: entries read from the database a chunk at a
time and written out as they come, never held whole (issue 27: 48,344
entries took 16.7 MB in one response, and weeks of reads are ~700,000)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from typing import Any, TextIO

from django.db.models import QuerySet

from saferplaces.accounts.models import AuditEvent
from saferplaces.lib.downloads import csv_chunks

COLUMNS = [
    "at", "who", "agency", "action", "object_type", "object_id", "ip_address",
    "detail",
]  # fmt: skip
# Entries fetched from the database at a time.
CHUNK_ROWS = 1000


def rows(events: QuerySet[AuditEvent]) -> Iterator[list[Any]]:
    """One CSV row per entry, in the order of ``events``. Plain values, not
    model instances: a chunk of them is what the export holds at a time."""
    fields = ("at", "actor_username", "agency_name", "action", "object_type",
              "object_id", "ip_address", "detail")  # fmt: skip
    for (
        at,
        username,
        agency,
        action,
        object_type,
        object_id,
        address,
        detail,
    ) in events.values_list(*fields).iterator(chunk_size=CHUNK_ROWS):
        yield [
            at.isoformat(),
            AuditEvent.who_of(username, detail),
            agency,
            action,
            object_type,
            object_id,
            address or "",
            json.dumps(detail, sort_keys=True),
        ]


def between(first: datetime.date, last: datetime.date) -> QuerySet[AuditEvent]:
    """The entries made on the days ``first`` to ``last``, both included
    (days in the service's time zone, as the audit log page's filter)."""
    return AuditEvent.objects.filter(at__date__gte=first, at__date__lte=last)


def write_csv(events: QuerySet[AuditEvent], file: TextIO) -> int:
    """Write ``events`` oldest first to ``file`` as CSV; how many."""
    count = 0

    def counted() -> Iterator[list[Any]]:
        nonlocal count
        for row in rows(events.order_by("at", "id")):
            count += 1
            yield row

    for chunk in csv_chunks(COLUMNS, counted()):
        file.write(chunk)
    return count
