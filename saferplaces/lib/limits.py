"""Abuse limits: the largest request body accepted, refused before anything
reads it; and the counts of rate limits, kept atomically.

An anonymous 500 MB POST once wrote 330 MB of temporary files before its
403: Django parses a multipart body (to check the CSRF token) before any
view can refuse it. Two guards share one rule: ``limit_request_body``
wraps the WSGI application `saferplaces serve` runs, so gunicorn's worker
answers 413 without reading the body; ``RequestBodyLimitMiddleware`` comes
first in Django's middleware, for any other server and for tests.

A rate count was read, raised and written back, so simultaneous requests
each saw the old count (50 clients got 630 and 668 answers against 600 a
minute). ``counted`` raises a count in one step: Redis INCR with its
expiry in one transaction, or, without Redis, under a file lock that every
worker of the machine shares.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse, JsonResponse

TOO_LARGE = (
    "The request is too large: this service accepts at most {mb} MB "
    "(SAFERPLACES_MAX_REQUEST_MEGABYTES).\n"
)


def counted(key: str, window_seconds: int) -> int:
    """Count one more request under ``key`` in the current fixed window of
    ``window_seconds``, and return the window's count, this one included.
    Counts live in the "limits" cache, which every worker shares."""
    cache = caches["limits"]
    bucket = f"rate:{key}:{int(time.time() // window_seconds)}"
    # Kept past its window, so a slow clock on another machine still counts.
    keep = window_seconds * 2
    if isinstance(cache, RedisCache):
        return _redis_counted(cache, bucket, keep)
    with counts_locked(cache):
        count = int(cache.get(bucket, 0)) + 1
        cache.set(bucket, count, keep)
    return count


class LockedFileBasedCache(FileBasedCache):
    """The embedded mode's "limits" cache: Django's file cache, whose add
    and incr (django-ratelimit's password-reset counts) each read and then
    write, made atomic under the counts' file lock."""

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        with counts_locked(self):
            return bool(super().add(key, value, timeout, version))

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        with counts_locked(self):
            return int(super().incr(key, delta, version))


def _redis_counted(cache: RedisCache, bucket: str, keep: int) -> int:
    # Django's cache API has no increment-with-expiry: its incr checks the
    # key exists first, then increments, so the two steps can interleave.
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    pipeline = client.pipeline(transaction=True)
    key = cache.make_and_validate_key(bucket)
    pipeline.incr(key)
    pipeline.expire(key, keep)
    count, _ = pipeline.execute()
    return int(count)


@contextmanager
def counts_locked(cache: BaseCache) -> Iterator[None]:
    """An exclusive lock for read-and-raise of a count: a file lock, so the
    threads and processes of one machine all wait for each other."""
    if isinstance(cache, FileBasedCache):
        folder = Path(cache._dir)  # type: ignore[attr-defined]
    else:
        folder = Path(settings.DATA_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "counts.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def largest_body() -> int:
    return int(settings.MAX_REQUEST_MEGABYTES) * 1024 * 1024


def too_large(content_length: str | None) -> bool:
    """True when a declared body length is over the limit. Chunked bodies
    declare none; Django reads no body without a length, so they pass."""
    try:
        return int(content_length or 0) > largest_body()
    except ValueError:
        return False  # Django answers a malformed length itself


def limit_request_body(app: Callable[..., Iterable[bytes]]) -> Callable[..., Any]:
    """Wrap a WSGI app: a body over the limit gets 413 and is never read."""

    def limited(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if too_large(environ.get("CONTENT_LENGTH")):
            body = TOO_LARGE.format(mb=settings.MAX_REQUEST_MEGABYTES).encode()
            start_response(
                "413 Content Too Large",
                [
                    ("Content-Type", "text/plain; charset=utf-8"),
                    ("Content-Length", str(len(body))),
                    ("Connection", "close"),
                ],
            )
            return [body]
        return app(environ, start_response)

    return limited


class RequestBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if too_large(request.META.get("CONTENT_LENGTH")):
            message = TOO_LARGE.format(mb=settings.MAX_REQUEST_MEGABYTES).strip()
            response = refusal(request, message, 413)
            response["Connection"] = "close"
            return response
        return self.get_response(request)


class RefuseNulMiddleware:
    """A NUL character in the path or query is refused with 400: no page
    needs one, and PostgreSQL refuses it in text, so a query holding one
    (``?plan=%00``) was a server error there (the form fuzz test found it).
    Form fields refuse it themselves (Django's ProhibitNullCharactersValidator).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.GET
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in query.getlist(key))
            for key in query
        ):
            return refusal(
                request,
                "The address holds a NUL character, which no page accepts.",
                400,
            )
        return self.get_response(request)


def refusal(request: HttpRequest, message: str, status: int) -> HttpResponse:
    """A refusal in the caller's language: JSON for the API (whose errors all
    take that shape), plain text elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(
        message + "\n", status=status, content_type="text/plain; charset=utf-8"
    )
