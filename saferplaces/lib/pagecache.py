"""Whole pages kept in memory until what they show changes.

A page is kept under a key naming everything it depends on: the address
and query, the navigation the reader sees, and a revision of its data (the
analytic store's table versions, or a plan's revision number, which every
change to the plan raises). A new load or a plan edit therefore changes the
key and the page is built afresh; nothing needs to be deleted. Permission
checks and the read audit run on every request, cached or not: only the
rendering is saved. A page with a message to show once is never kept.
Every form's CSRF token (``{% csrf_field %}``, the sign-out form's too) is
kept as a placeholder and filled with the reader's own token as the page is
served: one reader's token is never shown to another.

What of the reader a page depends on (their navigation, the partnership
they are in) is asked of the function ``settings.PAGE_CACHE_READER``
names, so this toolbox, below the apps, never imports one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.module_loading import import_string

from saferplaces.lib.csrf import CSRF_PLACEHOLDER

T = TypeVar("T")
KEEP_SECONDS = 600
# For a page whose revision names the day: a load builds it
# (saferplaces/dashboard/warming.py) for readers who may come hours later.
KEEP_FOR_THE_DAY = 86_400


def store_revision() -> str:
    """The analytic store's folder and table versions, as a short tag (the
    folder too: installations may share one Redis)."""
    from saferplaces.lib.store import web_store

    store = web_store()
    return _tag([str(store.root), sorted(store.table_versions().items())])


def cached_page(
    request: HttpRequest,
    revision: Any,
    render: Callable[[], HttpResponse],
    keep_seconds: int = KEEP_SECONDS,
) -> HttpResponse:
    """``render()``'s page, kept for this address, reader's navigation and
    ``revision`` (for ``keep_seconds``); only a 200 is kept."""
    if request.method != "GET" or len(messages.get_messages(request)):
        return render()
    reader = import_string(settings.PAGE_CACHE_READER)(request)
    key = "page:" + _tag([request.get_full_path(), reader, revision])
    content = cache.get(key)
    if content is None:
        request.csrf_placeholder = True  # type: ignore[attr-defined]
        try:
            response = render()
        finally:
            request.csrf_placeholder = False  # type: ignore[attr-defined]
        content = response.content if not response.streaming else b""
        if response.status_code != 200 or response.streaming:
            return _with_token(request, response)
        cache.set(key, content, keep_seconds)
    return HttpResponse(_filled(request, content))


def kept_value(parts: Any, build: Callable[[], T]) -> T:
    """``build()``'s value, kept under a key naming everything it depends on
    (``parts``), as pages are; an exception is never kept."""
    key = "value:" + _tag(parts)
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, KEEP_SECONDS)
    return cast(T, value)


def _filled(request: HttpRequest, content: bytes) -> bytes:
    placeholder = CSRF_PLACEHOLDER.encode()
    if placeholder not in content:
        return content
    return content.replace(placeholder, get_token(request).encode())


def _with_token(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if not response.streaming:
        response.content = _filled(request, response.content)
    return response


def _tag(value: Any) -> str:
    return hashlib.blake2b(repr(value).encode(), digest_size=12).hexdigest()


def forget_everything_cached() -> None:
    """Empty every cache this process can reach, after a restore: pages,
    kept values and counts describe data that is no longer there. Redis
    may be shared with other programs: only keys under our prefix go."""
    for alias in settings.CACHES:
        shared = caches[alias]
        if isinstance(shared, RedisCache):
            client = shared._cache.get_client(write=True)  # type: ignore[attr-defined]
            ours = shared.make_key("*")
            for key in client.scan_iter(match=ours):
                client.delete(key)
        else:
            shared.clear()
