"""The one way to write to the audit log.

Later features log every read of a sensitive record through ``record``; the
audit log has no update or delete path anywhere in the application. A
change made over the web and its entry commit together
(``ChangeWithItsAuditMiddleware``); a command wraps each pair in
``transaction.atomic`` itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypedDict

from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from saferplaces.accounts.models import AuditEvent

if TYPE_CHECKING:
    from typing_extensions import Unpack

# Methods that change nothing (the method allow-list refuses the rest of
# what views do not take): they need no transaction of their own.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class About(TypedDict, total=False):
    """What an event is about: the keywords of ``entry`` and ``record``."""

    request: HttpRequest | None
    actor: Any
    obj: models.Model | None
    object_type: str
    object_id: str | int
    detail: dict[str, Any] | None
    ip_address: str | None


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address, trusting only as many proxies as configured."""
    proxies: int = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return str(forwarded[-proxies])
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None


def record(action: str, **about: Unpack[About]) -> AuditEvent:
    """Append one event: who did ``action`` to which object, from where.
    ``actor`` defaults to the request's signed-in user; ``obj`` fills in the
    object type (``app_label.model``) and id.
    """
    event = entry(action, **about)
    event.save()
    return event


def entry(
    action: str,
    *,
    request: HttpRequest | None = None,
    actor: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    detail: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """The event ``record`` would append, timed now but not yet written.
    ``ip_address`` is for a service acting for a request it was not given
    (``client_ip`` of the request); with ``request``, the request's own."""
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if actor is not None and not actor.is_authenticated:
        actor = None
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = obj.pk
    agency = getattr(actor, "agency", None) if actor is not None else None
    detail = _storable(detail or {})
    return AuditEvent(
        at=timezone.now(),
        actor_id=actor.pk if actor is not None else None,
        actor_username=actor.get_username() if actor is not None else "",
        agency_name=agency.name if agency is not None else "",
        action=action,
        object_type=_storable(object_type),
        object_id=_storable(str(object_id)),
        ip_address=client_ip(request) if request is not None else ip_address,
        detail=detail,
    )


def _storable(value: Any) -> Any:
    """``value`` with NUL characters shown as U+FFFD: PostgreSQL refuses NUL
    in text and JSON, and a caller may put one in a query to break the
    audit (schemathesis did)."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    return value


class ChangeWithItsAuditMiddleware:
    """Each request that may change something runs in one transaction, so
    a change and its audit entry commit together or not at all: a worker
    killed between the two leaves neither (issue 27). A server error rolls
    the request back; a refusal (4xx) keeps its entry. Reads take no
    transaction: on SQLite one holds the write lock from its start."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in READ_METHODS:
            return self.get_response(request)
        with transaction.atomic():
            # Django has turned any exception into a response by now.
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)
        return response
