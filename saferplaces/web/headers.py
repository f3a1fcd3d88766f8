"""Security headers on every response, errors included.

The middleware that sets them (Content-Security-Policy, framing, Django's
SecurityMiddleware) comes first, so whatever answers further in (a body too
large, a NUL in the address, CSRF, 403, 404, 405, 500) passes back through
it. One answer escaped: with the HTTPS redirect on (production), Django's
SecurityMiddleware reads the Host itself, and the 400 for a bad one left
from inside it, past its own headers. ``SecurityHeadersMiddleware``, first
of all, gives such an answer the headers SecurityMiddleware would have.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.middleware.security import SecurityMiddleware


class SecurityHeadersMiddleware:
    """Django's SecurityMiddleware headers on every answer. Its own stays in
    MIDDLEWARE for the HTTPS redirect and ``check --deploy``; the headers it
    sets are set only where missing, so setting them twice changes nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.security = SecurityMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        return self.security.process_response(request, response)
