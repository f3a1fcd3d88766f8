from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from saferplaces.analytics.measures import REGISTRY


def home(request: HttpRequest) -> HttpResponse:
    """The partnership's front page; signed in, it shows what you may use."""
    template = (
        "web/home.html" if request.user.is_authenticated else "web/public_home.html"
    )
    return render(request, template)


def too_many_requests(request: HttpRequest, exception: Exception) -> HttpResponse:
    """What django-ratelimit shows when a limit is reached: 429, audited."""
    from saferplaces.accounts import audit

    audit.record("rate_limited", request=request, detail={"path": request.path})
    return render(request, "429.html", status=429)


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accessibility.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "web/privacy.html")


def publication(request: HttpRequest) -> HttpResponse:
    """How published figures are protected, for anyone who reads them."""
    ptable = settings.PUBLICATION_PTABLE
    return render(
        request,
        "web/publication.html",
        {
            "threshold": ptable.threshold,
            "largest_noise": ptable.most_noise,
            "measures": sorted(REGISTRY.values(), key=lambda m: m.title),
        },
    )


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and uptime checks: 200 when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    # A health check must answer, whatever the database driver raises: any
    # failure means "not healthy" (the database's own log has the detail).
    except Exception:  # noqa: BLE001
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
