"""Cases opened, de-identified, into the analytic store for the measures
engine (measure ``cases-opened``): the dashboard counts cases by type, risk
level and area per month, published to the public like every other count,
without a person, a reference or a word of a case leaving the case
database."""

from __future__ import annotations

import csv
import hashlib
import hmac
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from saferplaces.analytics.store import Store
from saferplaces.cases.models import Case
from saferplaces.ingest.case_counts import COLUMNS
from saferplaces.ingest.loader import LoadReport, run_load
from saferplaces.ingest.sources import get_source


def case_pseudonym(case_id: int) -> str:
    """A stable pseudonym of a case (its record key follows from it): keyed
    with the site's secret, so the store cannot be joined back to a case."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"case:{case_id}".encode(), hashlib.sha256).hexdigest()[:32]


def publish_cases(store: Store) -> LoadReport:
    """Write every partnership's cases opened before this month, de-identified,
    and load them as the ``cases-opened`` source (each partnership's rows
    replaced whole). Whole months only, as published figures are: the
    running month would read as a fall on every card until it ended."""
    this_month = timezone.localdate().replace(day=1)
    rows = (
        Case.objects.filter(opened_on__lt=this_month)
        .select_related("partnership")
        .order_by("pk")
    )
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
    with tempfile.TemporaryDirectory(prefix="saferplaces-cases-") as folder:
        path = Path(folder) / f"cases-opened-{stamp}.csv"
        with path.open("w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            for case in rows.iterator(chunk_size=5000):
                writer.writerow([
                    case_pseudonym(case.pk), case.partnership.slug,
                    case.opened_on.isoformat(), case.case_type, case.risk_level,
                    case.area_code,
                ])  # fmt: skip
        # Retention may empty most of a partnership's rows: that is expected.
        return run_load(store, get_source("cases-opened"), [path], allow_shrink=True)
