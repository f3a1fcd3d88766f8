"""Dashboards built as a load ends, so that no reader waits for the first.

After a load every card of the overview scans the store again: the first
reader used to wait 1.6 to 3.0 s, the next 0.1 s (issue 30, fault 16). Kept
pages live in the cache every worker shares (``CACHES["default"]``: Redis
when configured, else files in the data folder), keyed by the store's
version, so the load itself builds each member's overview there, through
the view a reader's request takes: what is kept is exactly what that reader
would have been shown, under the same key (their navigation, their
partnership, where they see exact figures, the plan's revision and the
store's version). A page kept for one partnership's reader is therefore
never shown to another's, nor to anyone asking for the published figures.
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.http import HttpRequest
from django.urls import reverse

from saferplaces.accounts.models import User
from saferplaces.accounts.permissions import Capability, can

# Readers whose overview a load builds, those seen most recently first: a
# bound on what a load adds (a few milliseconds each once their page is
# kept, as most readers share one).
MOST_READERS_WARMED = 1_000


def warm_dashboards() -> int:
    """Build and keep the overview of each active reader (at most
    ``MOST_READERS_WARMED``); returns how many readers' pages are ready."""
    from saferplaces.dashboard.views import overview

    if not _served_yet():
        return 0
    ready = 0
    for reader in _readers():
        if not can(reader, Capability.USE_SERVICE):
            continue
        if overview(_request_of(reader)).status_code == 200:
            ready += 1
    return ready


def _served_yet() -> bool:
    """Pages name their static files by the manifest `saferplaces serve`
    writes as it starts: until a server has, no worker waits for a page
    (and none could be drawn)."""
    if isinstance(staticfiles_storage, ManifestFilesMixin):
        return bool(staticfiles_storage.exists(staticfiles_storage.manifest_name))
    return True


def _readers() -> list[User]:
    active = User.objects.filter(is_active=True).order_by("-last_login", "pk")
    return list(active[:MOST_READERS_WARMED])


def _request_of(reader: User) -> HttpRequest:
    """A request for the overview as ``reader`` would first make it: signed
    in, in the partnership they open on, with no message to show."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = reverse("dashboard:overview")
    request.META = {"SERVER_NAME": "localhost", "SERVER_PORT": "80"}
    request.user = reader
    # A session of their own that is never saved: nothing of it is stored.
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    return request
