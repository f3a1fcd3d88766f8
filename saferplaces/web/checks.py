"""Deployment checks of our own (`saferplaces check --deploy`): what the
operations notes say production needs, warned of when it is missing.

They were clean on SQLite, without Redis and with no proxy in front,
though docs/operations.md says production must use none of those.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

OPERATIONS = "docs/operations.md"


@checks.register(checks.Tags.database, deploy=True)
def database_is_not_sqlite(**_: Any) -> list[checks.CheckMessage]:
    if not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return []
    return [
        checks.Warning(
            "The database is SQLite: one machine, one writer at a time.",
            hint="Set DATABASE_URL=postgres://user:pass@host:5432/name "
            f"for production ({OPERATIONS}).",
            id="saferplaces.W001",
        )
    ]


@checks.register(checks.Tags.caches, deploy=True)
def limits_are_shared(**_: Any) -> list[checks.CheckMessage]:
    backend = settings.CACHES["limits"]["BACKEND"]
    if backend.endswith("RedisCache"):
        return []
    return [
        checks.Warning(
            "Abuse limits are counted in files on this machine: workers on "
            "other machines count apart, so each gets the whole limit.",
            hint="Set SAFERPLACES_REDIS_URL to a Redis server every machine "
            f"reaches ({OPERATIONS}, 'Abuse limits').",
            id="saferplaces.W002",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def behind_a_proxy(**_: Any) -> list[checks.CheckMessage]:
    if settings.TRUSTED_PROXY_COUNT > 0:
        return []
    return [
        checks.Warning(
            "No proxy in front is configured: the server meets clients "
            "itself (slow uploads hold a thread), and limits and the audit "
            "log see the address that connects.",
            hint="Serve behind a buffering proxy such as nginx and set "
            "SAFERPLACES_TRUSTED_PROXY_COUNT to the number of proxies in "
            f"front ({OPERATIONS}, 'Serving', deploy/nginx.conf).",
            id="saferplaces.W003",
        )
    ]
