"""The ASB Case Review register (the "community trigger"): applications
received, the threshold decided, reviews held, their recommendations and
outcome, each change written with its audit entry in one transaction; and
the four figures a council publishes each year (Anti-social Behaviour,
Crime and Policing Act 2014 s.104(10)): applications received, those where
the threshold was not met, reviews carried out and reviews that resulted
in recommendations.

A year is a financial year, April to March, as councils publish them. An
application counts in the year it was received (and, when its threshold
was not met, in that year's "not met"); a review counts in the year it was
held. The figures are exact: they are the partnership's own, shown only to
those who may count its cases."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from saferplaces.accounts import audit
from saferplaces.cases.models import CaseReviewApplication
from saferplaces.versions import claim

# What an update may change (``CaseReviewForm``'s fields but the version).
UPDATE_FIELDS = (
    "threshold_met", "decided_on", "decision_reason", "review_held_on",
    "recommendations", "outcome",
)  # fmt: skip


def _record(
    entry: CaseReviewApplication, what: str, user: Any, ip: str | None, **detail: Any
) -> None:
    """Audit a change of the register (which fields, never the values)."""
    audit.record(
        f"case_review_{what}",
        actor=user,
        object_type="cases:case_review",
        object_id=str(entry.public_id),
        detail={"partnership": entry.partnership_id, **detail},
        ip_address=ip,
    )


def receive(
    partnership_id: int, data: Mapping[str, Any], user: Any, *, ip: str | None = None
) -> CaseReviewApplication:
    """Record an application (``CaseReviewApplicationForm``'s data)."""
    with transaction.atomic():
        entry = CaseReviewApplication.objects.create(
            partnership_id=partnership_id,
            received_on=data["received_on"],
            applicant_name=data["applicant_name"],
            applicant_contact=data["applicant_contact"],
            case=data.get("case"),
            area_code=data.get("area_code") or "",
            recorded_by=user,
            updated_by=user,
        )
        _record(entry, "received", user, ip, case=bool(entry.case_id))
    return entry


def update(
    entry: CaseReviewApplication,
    read_version: int,
    user: Any,
    changed: Iterable[str],
    *,
    ip: str | None = None,
) -> CaseReviewApplication:
    """Save the decision, review, recommendations and outcome as set on
    ``entry``; ``versions.StaleEdit`` if someone saved it since
    ``read_version``, and nothing written."""
    values = {name: getattr(entry, name) for name in UPDATE_FIELDS}
    with transaction.atomic():
        claim(entry, read_version)
        CaseReviewApplication.objects.filter(pk=entry.pk).update(
            **values, updated_by=user, updated_at=timezone.now()
        )
        _record(entry, "updated", user, ip, fields=sorted(changed))
    entry.refresh_from_db()
    return entry


def year_of(day: datetime.date) -> str:
    """The financial year (April to March) ``day`` falls in: "2024/25".

    >>> year_of(datetime.date(2025, 3, 31)), year_of(datetime.date(2025, 4, 1))
    ('2024/25', '2025/26')
    """
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


@dataclass(frozen=True)
class YearFigures:
    """The four published figures of one year, and those still open."""

    year: str
    received: int
    threshold_not_met: int
    reviews: int
    with_recommendations: int
    undecided: int


def yearly_figures(partnership_id: int) -> list[YearFigures]:
    """Each financial year with an application or a review, oldest first."""
    tallies: dict[str, list[int]] = {}

    def tally(day: datetime.date, column: int) -> None:
        tallies.setdefault(year_of(day), [0] * 5)[column] += 1

    rows = CaseReviewApplication.objects.filter(partnership_id=partnership_id)
    for entry in rows.only(
        "received_on", "threshold_met", "review_held_on", "recommendations"
    ):
        tally(entry.received_on, 0)
        if entry.threshold_met is False:
            tally(entry.received_on, 1)
        if entry.threshold_met is None:
            tally(entry.received_on, 4)
        if entry.review_held_on is not None:
            tally(entry.review_held_on, 2)
            if entry.recommendations.strip():
                tally(entry.review_held_on, 3)
    return [YearFigures(year, *tallies[year]) for year in sorted(tallies)]
