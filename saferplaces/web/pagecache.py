"""Whole pages kept in memory until what they show changes.

A page is kept under a key naming everything it depends on: the address
and query, the navigation the reader sees, and a revision of its data (the
analytic store's table versions, or a plan's revision number, which every
change to the plan raises). A new load or a plan edit therefore changes the
key and the page is built afresh; nothing needs to be deleted. Permission
checks and the read audit run on every request, cached or not: only the
rendering is saved. Pages with a form carrying a CSRF token, or with a
message to show once, are never kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from saferplaces.accounts.permissions import links_for

KEEP_SECONDS = 600


def store_revision() -> str:
    """The analytic store's table versions, as a short tag."""
    from saferplaces.web.store import web_store

    return _tag(sorted(web_store().table_versions().items()))


def cached_page(
    request: HttpRequest, revision: Any, render: Callable[[], HttpResponse]
) -> HttpResponse:
    """``render()``'s page, kept for this address, reader's navigation and
    ``revision``; only a 200 is kept."""
    if request.method != "GET" or len(messages.get_messages(request)):
        return render()
    navigation = [link.label for link in links_for(request.user)]
    key = "page:" + _tag([request.get_full_path(), navigation, revision])
    content = cache.get(key)
    if content is not None:
        return HttpResponse(content)
    response = render()
    if response.status_code == 200 and not response.streaming:
        cache.set(key, response.content, KEEP_SECONDS)
    return response


def _tag(value: Any) -> str:
    return hashlib.blake2b(repr(value).encode(), digest_size=12).hexdigest()
