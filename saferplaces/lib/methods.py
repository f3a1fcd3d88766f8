"""Which HTTP methods each view answers: GET and HEAD, unless it is marked.

Views treated anything but POST as GET, so OPTIONS, PUT or PROPFIND read a
case, its CSV or the whole audit log in full, and the read audit (which
records GET and HEAD) never saw them. So every view answers GET and HEAD
only, a view that takes forms is marked ``accepts_post`` and one that only
acts ``post_only``; ``MethodAllowListMiddleware`` answers anything else 405,
with an ``Allow`` header, before the view runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse

from saferplaces.lib.limits import refusal

V = TypeVar("V")

READS = frozenset({"GET", "HEAD"})
FORMS = READS | {"POST"}
ACTS = frozenset({"POST"})
# The attribute a mark sets, on a view function or a class-based view.
MARK = "allowed_http_methods"


def accepts_post(view: V) -> V:
    """Mark a view that shows a form on GET and takes it by POST."""
    setattr(view, MARK, FORMS)
    return view


def post_only(view: V) -> V:
    """Mark a view that only acts, by POST (a button, not a page)."""
    setattr(view, MARK, ACTS)
    return view


def posted(request: HttpRequest) -> Any:
    """The form data of a POST, even an empty one, else None. An empty POST
    read as None (``request.POST or None``) showed the page unbound, a read
    by POST that the read audit does not record."""
    return request.POST if request.method == "POST" else None


def allowed_methods(view: Any) -> frozenset[str]:
    """The methods ``view`` answers. Class-based views carry the mark on
    their class (Django's ``view_class``, DRF's ``cls``)."""
    for holder in (view, getattr(view, "view_class", None), getattr(view, "cls", None)):
        methods = getattr(holder, MARK, None)
        if methods:
            return frozenset(methods)
    return READS


def not_allowed(request: HttpRequest, allowed: frozenset[str]) -> HttpResponse:
    """405 naming the methods the address answers, and nothing of the page."""
    listed = ", ".join(sorted(allowed))
    response = refusal(request, f"This address answers {listed} only.", 405)
    response["Allow"] = listed
    return response


class MethodAllowListMiddleware:
    """Refuse a method the view does not answer, before it runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        allowed = allowed_methods(view)
        if request.method in allowed:
            return None
        return not_allowed(request, allowed)
