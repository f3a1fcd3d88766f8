"""Benchmark: the audit log's CSV export of many entries, streamed (the way
the page and `saferplaces audit export` work now) beside the old way, which
built the whole file in memory in one response (issue 27: 48,344 entries
took 2.1 s and 16.7 MB).

Makes a fresh SQLite database in a temporary data folder (or uses --keep
DIR again), writes --entries SYNTHETIC read entries, then runs each way in
a fresh process of its own and reports the time and how far the process's
peak resident memory rose above what it held before the export, with the
old way as the baseline and the ratios.

    python bench/audit_export.py [--entries 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BATCH = 10_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="data folder to make or reuse")
    parser.add_argument("--way", choices=["streamed", "whole"], help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    data = arguments.keep or Path(tempfile.mkdtemp(prefix="saferplaces-bench-"))
    os.environ["SAFERPLACES_DATA_DIR"] = str(data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saferplaces.config.settings")
    if arguments.way:
        print(json.dumps(_export(arguments.way)))
        return
    _fill(arguments.entries)
    results = {way: _in_own_process(way, data) for way in ("whole", "streamed")}
    _report(results)


def _fill(entries: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from saferplaces.accounts.models import AuditEvent

    call_command("migrate", verbosity=0)
    have = AuditEvent.objects.count()
    now = timezone.now()
    started = time.perf_counter()
    for first in range(have, entries, BATCH):
        AuditEvent.objects.bulk_create(
            AuditEvent(
                at=now, actor_username=f"reader-{n % 50}", agency_name="Test Police",
                action="read", object_type="cases:case", object_id=f"CASE-{n:08d}",
                ip_address="10.0.0.1",
                detail={"path": f"/cases/CASE-{n:08d}/", "format": "html",
                        "query": {}, "area": "", "measure": ""},
            )
            for n in range(first, min(first + BATCH, entries))
        )  # fmt: skip
    print(
        f"{entries:,} SYNTHETIC entries ready "
        f"({entries - have:,} written in {time.perf_counter() - started:.1f} s)"
    )


def _in_own_process(way: str, data: Path) -> dict[str, float]:
    answer = subprocess.run(
        [sys.executable, __file__, "--way", way, "--keep", str(data)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return dict(json.loads(answer.stdout.strip().splitlines()[-1]))


def _export(way: str) -> dict[str, float]:
    """Export every entry one way in this process: seconds, bytes, and the
    rise of peak resident memory (MB) over what was held before."""
    import django

    django.setup()
    from saferplaces.accounts.models import AuditEvent

    AuditEvent.objects.exists()  # connected and warmed before measuring
    before = _resident_mb()
    started = time.perf_counter()
    size = _stream(AuditEvent) if way == "streamed" else _whole(AuditEvent)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "bytes": size, "peak_mb": _peak_mb() - before}


def _stream(model: type) -> int:
    from saferplaces.accounts import audit_export
    from saferplaces.lib.downloads import csv_stream

    response = csv_stream(
        "audit-log.csv", audit_export.COLUMNS,
        audit_export.rows(model.objects.all()),  # type: ignore[attr-defined]
    )  # fmt: skip
    return sum(len(part) for part in response.streaming_content)


def _whole(model: type) -> int:
    """The export as it was before issue 27: model instances, one string."""
    from saferplaces.accounts import audit_export
    from saferplaces.lib.downloads import csv_download

    rows = (
        [
            event.at.isoformat(), event.who, event.agency_name, event.action,
            event.object_type, event.object_id, event.ip_address or "",
            json.dumps(event.detail, sort_keys=True),
        ]
        for event in model.objects.all().iterator()  # type: ignore[attr-defined]
    )  # fmt: skip
    response = csv_download("audit-log.csv", audit_export.COLUMNS, rows)
    return len(response.content)


def _resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def _report(results: dict[str, dict[str, float]]) -> None:
    whole, streamed = results["whole"], results["streamed"]
    print(f"{'way':<10} {'seconds':>8} {'MB written':>11} {'peak MB':>8}")
    for way, result in results.items():
        print(
            f"{way:<10} {result['seconds']:8.1f} {result['bytes'] / 2**20:11.1f} "
            f"{result['peak_mb']:8.1f}"
        )
    print(
        f"streamed / whole: time {streamed['seconds'] / whole['seconds']:.2f}, "
        f"peak memory {streamed['peak_mb'] / max(whole['peak_mb'], 0.1):.3f}"
    )


if __name__ == "__main__":
    main()
