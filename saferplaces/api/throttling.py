"""The anonymous API limit, counted per client where every worker sees it.

DRF's own throttle keyed callers by the whole ``X-Forwarded-For`` header,
which a caller writes (1,500 spoofed requests were all answered), and
counted in each worker's memory. This one keys by the address the server
saw, trusting forwarded headers only from SAFERPLACES_TRUSTED_PROXY_COUNT
proxies (the audit log's rule), and counts in the shared "limits" cache.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import AnonRateThrottle

from saferplaces.accounts.audit import client_ip


class AnonymousByAddress(AnonRateThrottle):
    def __init__(self) -> None:
        # Looked up per request: tests and settings changes pick it up.
        self.cache = caches["limits"]
        super().__init__()

    def get_rate(self) -> str:
        return str(settings.API_ANONYMOUS_RATE)

    def get_ident(self, request: Any) -> str:
        return client_ip(request) or "unknown"
