"""The analytic store as the web app reads it: one per process, so its
caches serve every request, rechecking the Delta logs at most once a second;
and the publication rules the settings chose."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings

from saferplaces.analytics.results import Rules
from saferplaces.analytics.store import Store


@lru_cache(maxsize=1)
def _store_at(root: Path) -> Store:
    return Store(root, recheck_seconds=1.0)


def web_store() -> Store:
    return _store_at(settings.DATA_DIR / "store")


def publication_rules() -> Rules:
    """How the public is shown figures (SAFERPLACES_PTABLE and friends)."""
    return Rules(settings.PUBLICATION_PTABLE)


SYNTHETIC_PREFIX = "synthetic-"


def store_is_synthetic() -> bool:
    """Whether any load put SYNTHETIC demo data (files named synthetic-*) in
    the store: every page showing its figures must then say so."""
    store = web_store()

    def any_synthetic() -> bool:
        return any(
            Path(str(entry.get("name", ""))).name.startswith(SYNTHETIC_PREFIX)
            for load in store.loads()
            for entry in load.files
        )

    return bool(store.cached("synthetic-data", any_synthetic))
