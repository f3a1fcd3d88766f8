from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from saferplaces.analytics.measures import REGISTRY
from saferplaces.partnership import scope
from saferplaces.partnership.models import Partnership


def home(request: HttpRequest) -> HttpResponse:
    """Signed in, what you may use; for a visitor, the installation's
    partnerships, or straight to the only one."""
    if request.user.is_authenticated:
        return render(request, "web/home.html")
    everyone = scope.public_partnerships()
    if len(everyone) == 1:
        return redirect("web:partnership", slug=everyone[0].slug)
    if everyone:
        return render(request, "web/partnerships.html", {"partnerships": everyone})
    return render(request, "web/public_home.html")


def partnership_home(request: HttpRequest, slug: str) -> HttpResponse:
    """A partnership's public front page, at its own address: its name and
    purpose, its neighbourhood pages and its published plan."""
    partnership = get_object_or_404(Partnership, slug=slug)
    request.partnership = partnership  # type: ignore[attr-defined]
    plan = partnership.plans.filter(published=True).first()
    return render(request, "web/public_home.html", {"public_plan": plan})


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
