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
from saferplaces.cases.models import Case, Referral, ReferralStatus
from saferplaces.ingest.case_counts import COLUMNS, OUTCOME_COLUMNS
from saferplaces.ingest.loader import LoadReport, run_load
from saferplaces.ingest.sources import get_source


def case_pseudonym(case_id: int) -> str:
    """A stable pseudonym of a case (its record key follows from it): keyed
    with the site's secret, so the store cannot be joined back to a case."""
    return _pseudonym(f"case:{case_id}")


def _pseudonym(identity: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, identity.encode(), hashlib.sha256).hexdigest()[:32]


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


def publish_referral_outcomes(store: Store) -> LoadReport:
    """Write every completed referral completed before this month (its
    month, pathway, outcome and the case's area, keyed by a pseudonym; no
    person, reference or note) and load them as the ``referral-outcomes``
    source, each partnership's rows replaced whole. The measure
    ``referral-outcomes`` counts them per pathway and outcome."""
    this_month = timezone.localdate().replace(day=1)
    rows = (
        Referral.objects.filter(
            status=ReferralStatus.COMPLETED, completed_at__date__lt=this_month
        )
        .exclude(outcome="")
        .select_related("case__partnership")
        .order_by("pk")
    )
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
    with tempfile.TemporaryDirectory(prefix="saferplaces-outcomes-") as folder:
        path = Path(folder) / f"referral-outcomes-{stamp}.csv"
        with path.open("w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(OUTCOME_COLUMNS)
            for referral in rows.iterator(chunk_size=5000):
                assert referral.completed_at is not None  # completed, above
                writer.writerow([
                    _pseudonym(f"referral:{referral.pk}"),
                    referral.case.partnership.slug,
                    timezone.localdate(referral.completed_at).isoformat(),
                    referral.pathway, referral.outcome, referral.case.area_code,
                ])  # fmt: skip
        return run_load(
            store, get_source("referral-outcomes"), [path], allow_shrink=True
        )
