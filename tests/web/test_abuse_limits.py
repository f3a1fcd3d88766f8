"""Abuse limits that hold: the anonymous API limit per real client address,
shared between workers; password resets limited per account and address;
request bodies over the maximum refused before anything reads them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from saferplaces.accounts.models import AuditEvent
from tests.support import SQLITE_LEG_ONLY, free_port, wait_for_a_worker

MEASURES = "/api/measures/"


@pytest.fixture
def limits(settings, tmp_path):
    """A fresh shared limits store (the embedded mode's file cache)."""
    settings.CACHES = {
        **settings.CACHES,
        "limits": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "limits"),
        },
    }
    # Counted per fixed window of the period: a day, so a test slowed by a
    # loaded machine never sees its window end and the count start again
    # (the tests below that set a rate of their own count per day too).
    settings.API_ANONYMOUS_RATE = "5/day"
    return tmp_path


def ask(client: Client, forwarded_for: str | None = None) -> int:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return client.get(MEASURES, **extra).status_code


def test_a_forged_forwarded_for_does_not_escape_the_api_limit(limits):
    client = Client()
    answers = [ask(client, f"203.0.113.{n}") for n in range(8)]
    # It used to answer every one: each forged address counted apart.
    assert answers == [200] * 5 + [429] * 3


def test_behind_a_trusted_proxy_each_client_is_counted_apart(limits, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client()
    assert [ask(client, f"198.51.100.{n}") for n in range(8)] == [200] * 8
    assert [ask(client, "198.51.100.99") for _ in range(6)][-1] == 429


WORKER = """
import django, sys
django.setup()
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
print(",".join(str(client.get("/api/measures/").status_code) for _ in range(3)))
"""


@pytest.mark.django_db
def test_another_worker_process_sees_the_same_counts(limits):
    """Three requests in this process, three in another: the sixth, made
    by the other process, is refused because the counts are shared."""
    client = Client()
    assert [ask(client) for _ in range(3)] == [200] * 3
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "saferplaces.config.settings",
        "SAFERPLACES_DATA_DIR": str(limits),
        "SAFERPLACES_API_ANONYMOUS_RATE": "5/day",
    }
    env.pop("DATABASE_URL", None)
    other = subprocess.run(
        [sys.executable, "-c", WORKER], env=env, capture_output=True, text=True
    )
    assert other.returncode == 0, other.stderr
    assert other.stdout.strip() == "200,200,429"


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_reachable(), reason="no Redis at 127.0.0.1:6379")
def test_with_redis_configured_the_counts_live_in_redis(settings):
    settings.CACHES = {
        **settings.CACHES,
        "limits": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            # Counts of their own: the SQLite and PostgreSQL legs run at
            # once against the same server, and clearing would empty both.
            "KEY_PREFIX": f"test-{os.getpid()}-{time.time_ns()}",
        },
    }
    settings.API_ANONYMOUS_RATE = "4/day"
    client = Client()
    assert [ask(client) for _ in range(6)] == [200] * 4 + [429] * 2


def test_redis_is_chosen_when_its_address_is_set():
    env = {
        **os.environ,
        "SAFERPLACES_REDIS_URL": "redis://127.0.0.1:6379/3",
        "DJANGO_SETTINGS_MODULE": "saferplaces.config.settings",
    }
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.CACHES['limits']['BACKEND'])",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == "django.core.cache.backends.redis.RedisCache"


@pytest.mark.django_db
def test_password_resets_are_limited_per_account(limits, settings, make_user):
    settings.PASSWORD_RESET_RATE_PER_ACCOUNT = "2/h"
    make_user("viewer", username="vic", email="vic@example.invalid")
    url = reverse("accounts:password_reset")
    answers = [
        Client(REMOTE_ADDR=f"192.0.2.{n}")
        .post(url, {"email": "Vic@Example.invalid"})
        .status_code
        for n in range(3)
    ]
    assert answers == [302, 302, 429]
    assert AuditEvent.objects.filter(action="rate_limited").count() == 1


@pytest.mark.django_db
def test_password_resets_are_limited_per_address(limits, settings):
    settings.PASSWORD_RESET_RATE_PER_ADDRESS = "3/h"
    url = reverse("accounts:password_reset")
    client = Client()
    answers = [
        client.post(url, {"email": f"nobody{n}@example.invalid"}).status_code
        for n in range(4)
    ]
    # The same for accounts that do not exist: the limit reveals nothing.
    assert answers == [302, 302, 302, 429]
    assert "Too many requests" in client.post(url, {"email": "x@y.z"}).content.decode()


def test_a_body_over_the_limit_is_refused_before_it_is_read(settings, tmp_path):
    settings.MAX_REQUEST_MEGABYTES = 1
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # larger uploads go to disk
    big = b"x" * (3 * 1024 * 1024)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = Client().post(
        reverse("accounts:login"), {"file": SimpleUploadedFile("big.bin", big)}
    )
    assert response.status_code == 413
    assert "at most 1 MB" in response.content.decode()
    assert list(tmp_path.iterdir()) == []  # no temporary file was written


def test_a_body_within_the_limit_passes(settings, db):
    # db: a POST runs in a transaction (a change commits with its audit).
    settings.MAX_REQUEST_MEGABYTES = 1
    response = Client().post(reverse("accounts:login"), {"username": "x" * 1000})
    assert response.status_code != 413


@SQLITE_LEG_ONLY
def test_the_server_saferplaces_serve_runs_refuses_a_large_body_unread(tmp_path):
    """Gunicorn answers 413 to the headers alone: the client need not send
    (and the server never reads or stores) the 600 MB it declared."""
    port = free_port()
    env = {**os.environ, "SAFERPLACES_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    saferplaces = Path(sys.executable).parent / "saferplaces"
    server = subprocess.Popen(
        [str(saferplaces), "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_a_worker(port)
        connection = socket.create_connection(("127.0.0.1", port), timeout=30)
        with connection:
            connection.sendall(
                b"POST /accounts/sign-in/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/octet-stream\r\n"
                b"Content-Length: 600000000\r\n\r\n"
            )
            answer = connection.recv(4096).decode()
        assert answer.startswith("HTTP/1.1 413")
    finally:
        server.terminate()
        server.wait(timeout=30)


def allowed_at_once(threads: int, each: int) -> int:
    """How many of ``threads`` x ``each`` simultaneous anonymous requests
    from one address the API throttle lets through."""
    from concurrent.futures import ThreadPoolExecutor

    from django.test import RequestFactory

    from saferplaces.api.throttling import AnonymousByAddress

    start = threading.Barrier(threads)

    def asker(_: int) -> int:
        start.wait()
        request = RequestFactory().get(MEASURES, REMOTE_ADDR="192.0.2.77")
        request.user = AnonymousUser()
        return sum(
            bool(AnonymousByAddress().allow_request(request, None)) for _ in range(each)
        )

    with ThreadPoolExecutor(threads) as pool:
        return sum(pool.map(asker, range(threads)))


def test_many_simultaneous_clients_never_pass_the_limit(limits, settings):
    """It used to read the count, add one and write it back: 50 clients
    at once got 630 and 668 answers against 600 a minute."""
    settings.API_ANONYMOUS_RATE = "40/day"
    assert allowed_at_once(threads=16, each=5) == 40


@pytest.mark.skipif(not redis_reachable(), reason="no Redis at 127.0.0.1:6379")
def test_on_redis_simultaneous_clients_never_pass_the_limit(settings):
    settings.CACHES = {
        **settings.CACHES,
        "limits": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": f"test-{os.getpid()}-{time.time_ns()}",
        },
    }
    settings.API_ANONYMOUS_RATE = "40/day"
    assert allowed_at_once(threads=16, each=5) == 40


COUNTER = """
import django, sys, time
django.setup()
from django.test import RequestFactory
from django.contrib.auth.models import AnonymousUser
from saferplaces.api.throttling import AnonymousByAddress
request = RequestFactory().get("/api/measures/", REMOTE_ADDR="192.0.2.78")
request.user = AnonymousUser()
while time.time() < float(sys.argv[1]):
    time.sleep(0.001)
print(sum(bool(AnonymousByAddress().allow_request(request, None)) for _ in range(40)))
"""


@SQLITE_LEG_ONLY
def test_worker_processes_at_once_never_pass_the_limit(limits):
    """Four processes counting at the same instant share one count: the file
    lock is the machine's, not a thread lock of one process."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "saferplaces.config.settings",
        "SAFERPLACES_DATA_DIR": str(limits),
        "SAFERPLACES_API_ANONYMOUS_RATE": "50/day",
    }
    env.pop("DATABASE_URL", None)
    start = str(time.time() + 15)  # after every process has set Django up
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", COUNTER, start],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    allowed = [int(worker.communicate(timeout=120)[0]) for worker in workers]
    assert sum(allowed) == 50


def test_simultaneous_password_reset_requests_never_pass_their_limit(
    settings, tmp_path
):
    """django-ratelimit adds a count, else increments it: in the embedded
    file cache both read and then write, unless the cache locks them."""
    from concurrent.futures import ThreadPoolExecutor

    from django.test import RequestFactory
    from django_ratelimit.core import is_ratelimited

    settings.CACHES = {
        **settings.CACHES,
        "limits": {  # the embedded mode's (the tests' settings keep memory)
            "BACKEND": "saferplaces.lib.limits.LockedFileBasedCache",
            "LOCATION": str(tmp_path / "limits"),
        },
    }
    start = threading.Barrier(16)

    def asker(_: int) -> int:
        start.wait()
        request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.79")
        return sum(
            not is_ratelimited(request, group="reset", key="ip", rate="20/h",
                               increment=True)
            for _ in range(5)
        )  # fmt: skip

    with ThreadPoolExecutor(16) as pool:
        assert sum(pool.map(asker, range(16))) == 20
