from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

import saferplaces
from saferplaces.accounts.permissions import links_for
from saferplaces.lib.store import store_is_synthetic


def shell(request: HttpRequest) -> dict[str, Any]:
    """What every page's header, navigation and footer need."""
    user = getattr(request, "user", None)
    return {
        "partnership_name": settings.PARTNERSHIP_NAME or "saferplaces",
        "partnership_purpose": settings.PARTNERSHIP_PURPOSE,
        "nav_links": links_for(user) if user is not None else [],
        "saferplaces_version": saferplaces.__version__,
        # Evaluated only by the pages that show figures.
        "synthetic_data": store_is_synthetic,
    }
