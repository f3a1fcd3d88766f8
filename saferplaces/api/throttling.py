"""The anonymous API limit, counted per client where every worker sees it.

DRF's own throttle keyed callers by the whole ``X-Forwarded-For`` header,
which a caller writes (1,500 spoofed requests were all answered), and
counted in each worker's memory. This one keys by the address the server
saw, trusting forwarded headers only from SAFERPLACES_TRUSTED_PROXY_COUNT
proxies (the audit log's rule), and counts in the shared "limits" cache,
atomically (``saferplaces.lib.limits.counted``): DRF's throttle reads its
history, adds to it and writes it back, so simultaneous requests passed
the limit. The count is per fixed window of the rate's period.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import AnonRateThrottle

from saferplaces.accounts.audit import client_ip
from saferplaces.lib.limits import counted


class AnonymousByAddress(AnonRateThrottle):
    period = 60  # seconds: the rate's, once a request has been counted

    def __init__(self) -> None:
        # Looked up per request: tests and settings changes pick it up.
        self.cache = caches["limits"]
        super().__init__()

    def get_rate(self) -> str:
        return str(settings.API_ANONYMOUS_RATE)

    def get_ident(self, request: Any) -> str:
        return client_ip(request) or "unknown"

    def allow_request(self, request: Any, view: Any) -> bool:
        key = self.get_cache_key(request, view)
        limit, period = self.parse_rate(self.rate)
        if limit is None or period is None or key is None:
            return True  # signed in, or no limit set
        self.period = period
        return counted(key, period) <= limit

    def wait(self) -> float:
        """Seconds until the current window ends (DRF's Retry-After)."""
        return float(self.period - time.time() % self.period)
