"""Every signed-in read of non-public data, audited in one place.

``ReadAuditMiddleware`` records one ``read`` event for each successful GET
or HEAD a signed-in person makes, unless the view is marked with
``not_audited`` and the reason why (a public page, one's own account). So a
new view is audited unless someone decides, in writing, that it need not be.

What is kept: the view, its object (a measure, an action, a piece of
evidence), the area, breakdown and format asked for, the query, and for
figures the version of each analytic table the answer was read from.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import close_old_connections, connection
from django.http import HttpRequest, HttpResponse

from saferplaces.accounts import audit
from saferplaces.accounts.models import AuditEvent

V = TypeVar("V", bound=Callable[..., Any])

READ = "read"
# Reasons for not auditing a view, shared by the URL files.
PUBLIC = "a public page: it shows everyone the same, published, figures"
OWN = "the reader's own account"
METADATA = "describes measures and the API, no figures"
# URL arguments that name the object read, most specific first.
OBJECT_KWARGS = ("public_id", "reference", "measure_id", "slug", "code", "path")
# Query parameters kept with the entry (values cut to 200 characters).
MOST_QUERY_KEYS = 20
# Views answering figures from the analytic store: their entries carry its
# table versions, so what was shown can be read again as of that moment.
STORE_NAMESPACES = ("dashboard", "api")
# Views showing figures or the plan, never a person in casework or a case:
# only their entries may wait in the batch. Every other read (a case, its
# people, the audit log, the admin) is written before the page is answered,
# so a worker killed after answering loses none (issue 27).
MAY_WAIT_NAMESPACES = ("dashboard", "api", "partnership", "tasking", "web")
MAY_WAIT_VIEWS = ("cases:counts",)


def not_audited(reason: str) -> Callable[[V], V]:
    """Mark a view whose reads need no audit entry, saying why."""

    def mark(view: V) -> V:
        view.read_audit_exempt = reason  # type: ignore[attr-defined]
        return view

    return mark


def name_what_was_shown(request: HttpRequest, **shown: list[str]) -> None:
    """Name in the page's one read entry what a list showed (the case
    list's cases, by reference): a list is one read, not one per row, yet
    each row can be found among the looks at it."""
    request._read_shown = shown  # type: ignore[attr-defined]


def exemption(view: Any) -> str | None:
    """Why ``view`` is not audited (None: it is). Class-based views carry
    the mark on their class (Django's ``view_class``, DRF's ``cls``)."""
    for holder in (view, getattr(view, "view_class", None), getattr(view, "cls", None)):
        reason = getattr(holder, "read_audit_exempt", None)
        if reason:
            return str(reason)
    return None


class ReadAuditMiddleware:
    """After the view answers 2xx to a signed-in GET or HEAD, record it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        pending = getattr(request, "_read_to_audit", None)
        if pending is not None and 200 <= response.status_code < 300:
            view_name, kwargs = pending
            _record(request, response, view_name, kwargs)
        return response

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        if request.method not in ("GET", "HEAD") or exemption(view):
            return None
        if not request.user.is_authenticated:
            return None
        match = request.resolver_match
        request._read_to_audit = (match.view_name if match else "", kwargs)  # type: ignore[attr-defined]
        return None


def _record(
    request: HttpRequest,
    response: HttpResponse,
    view_name: str,
    kwargs: dict[str, Any],
) -> None:
    query = {
        key: request.GET.get(key, "")[:200]
        for key in list(request.GET)[:MOST_QUERY_KEYS]
    }
    object_id = next((str(kwargs[k]) for k in OBJECT_KWARGS if k in kwargs), "")
    detail: dict[str, Any] = {
        "path": request.path[:500],
        "measure": str(kwargs.get("measure_id") or query.get("measure", "")),
        "area": query.get("area") or str(kwargs.get("code", "")),
        "breakdown": query.get("by") or query.get("table") or query.get("level", ""),
        "format": _format(response, kwargs, query),
        "query": query,
    }
    if kwargs.get("partnership"):
        detail["partnership"] = str(kwargs["partnership"])
    detail.update(getattr(request, "_read_shown", {}))
    if view_name.split(":")[0] in STORE_NAMESPACES:
        detail["store_versions"] = _store_versions()
    event = audit.entry(
        READ,
        request=request,
        object_type=view_name,
        object_id=object_id[:64],
        detail=detail,
    )
    if settings.AUDIT_READ_BATCH_SECONDS <= 0 or not _may_wait(view_name):
        event.save()
    else:
        _BATCH.add(event, settings.AUDIT_READ_BATCH_SECONDS)


def _may_wait(view_name: str) -> bool:
    return view_name in MAY_WAIT_VIEWS or view_name.split(":")[0] in MAY_WAIT_NAMESPACES


def _format(
    response: HttpResponse, kwargs: dict[str, Any], query: dict[str, str]
) -> str:
    if kwargs.get("kind"):
        return str(kwargs["kind"])
    if query.get("format"):
        return query["format"]
    content_type = str(response.get("Content-Type", "")).split(";")[0]
    return {
        "text/html": "html",
        "application/json": "json",
        "application/geo+json": "geojson",
        "text/csv": "csv",
        "image/svg+xml": "svg",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    }.get(content_type, content_type or "unknown")


def _store_versions() -> dict[str, int]:
    from saferplaces.lib.store import web_store

    return web_store().table_versions()


class _Batch:
    """Read entries of one worker process, written together.

    Only reads of figures and the plan are batched (``MAY_WAIT_NAMESPACES``).
    A page read then costs no write of its own: entries wait at most the
    batch time (``SAFERPLACES_AUDIT_READ_BATCH_SECONDS``) and go in one
    transaction, from a timer thread, or at once when ``MOST_WAITING``
    wait. A worker that stops normally writes what waits; one killed
    outright loses at most that batch time of read entries. Changes and
    refusals are never batched.
    """

    MOST_WAITING = 200

    def __init__(self) -> None:
        self._waiting: list[AuditEvent] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def add(self, event: AuditEvent, seconds: float) -> None:
        with self._lock:
            self._waiting.append(event)
            full = len(self._waiting) >= self.MOST_WAITING
            if not full and self._timer is None:
                self._timer = threading.Timer(seconds, self._write_from_timer)
                self._timer.daemon = True
                self._timer.start()
        if full:
            self.write()

    def write(self) -> int:
        """Write what waits, now; the number written."""
        with self._lock:
            waiting, self._waiting = self._waiting, []
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        if waiting:
            AuditEvent.objects.bulk_create(waiting)
        return len(waiting)

    def _write_from_timer(self) -> None:
        with self._lock:
            self._timer = None
        try:
            self.write()
        finally:
            # The timer's thread has a connection of its own: close it.
            connection.close()
            close_old_connections()


_BATCH = _Batch()
atexit.register(_BATCH.write)


def write_waiting_reads() -> int:
    """Write the read entries this process holds (tests; shutdown)."""
    return _BATCH.write()
