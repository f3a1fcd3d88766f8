from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

import saferplaces
from saferplaces.accounts.permissions import links_for
from saferplaces.lib.store import store_is_synthetic
from saferplaces.partnership import scope


def shell(request: HttpRequest) -> dict[str, Any]:
    """What every page's header, navigation and footer need: the name and
    purpose of the partnership the reader is in (the installation's where
    they are in no one), and the partnerships a person in several chooses
    between."""
    user = getattr(request, "user", None)
    here = scope.current(request)
    theirs = list(scope.partnerships(user)) if user and user.is_authenticated else []
    return {
        "partnership": here,
        "partnership_name": here.name if here else _installation_name(),
        "partnership_purpose": (here and here.purpose) or settings.PARTNERSHIP_PURPOSE,
        "partnership_choices": theirs if len(theirs) > 1 else [],
        "nav_links": links_for(user) if user is not None else [],
        "saferplaces_version": saferplaces.__version__,
        # Evaluated only by the pages that show figures.
        "synthetic_data": store_is_synthetic,
    }


def _installation_name() -> str:
    return settings.PARTNERSHIP_NAME or "saferplaces"
