"""Slow clients cannot take `saferplaces serve` off the air: four connections
sending a header line every 5 s once held both sync workers. Fifty such
clients now, and /healthz answers throughout (p99 under a second), served
directly and behind the example nginx site (deploy/nginx.conf)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support import SQLITE_LEG_ONLY, free_port, wait_for_a_worker

pytestmark = SQLITE_LEG_ONLY
SLOW_CLIENTS = 50
SECONDS = 12


def slow_clients(port: int, count: int) -> list[socket.socket]:
    """Connections that start a request and never finish it in time."""
    clients = []
    for _ in range(count):
        client = socket.create_connection(("127.0.0.1", port), timeout=5)
        client.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        clients.append(client)
    return clients


def health_latencies(port: int, seconds: float, slow: list[socket.socket]) -> list:
    """Ask /healthz again and again for ``seconds``, each slow client adding
    a header line every 5 s meanwhile; a timeout counts as 5 s."""
    latencies = []
    started = next_line = time.monotonic()
    line = 0
    while time.monotonic() - started < seconds:
        if time.monotonic() >= next_line:
            line += 1
            for client in slow:
                # Closed by the server, perhaps: that is its right.
                with contextlib.suppress(OSError):
                    client.sendall(f"X-Slow-{line}: still here\r\n".encode())
            next_line += 5
        asked = time.monotonic()
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/healthz", timeout=5
            ) as answer:
                answer.read()
        except urllib.error.HTTPError:
            pass  # an answer all the same
        except OSError:
            latencies.append(5.0)
            continue
        latencies.append(time.monotonic() - asked)
        time.sleep(0.05)
    return latencies


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The port of a `saferplaces serve` as it runs by default."""
    port = free_port()
    env = {**os.environ, "SAFERPLACES_DATA_DIR": str(tmp_path_factory.mktemp("data"))}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "saferplaces"),
            "serve",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_a_worker(port)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def health_under_slow_clients(port: int) -> list[float]:
    slow: list[socket.socket] = []
    try:
        slow = slow_clients(port, SLOW_CLIENTS)
        return health_latencies(port, SECONDS, slow)
    finally:
        for client in slow:
            client.close()


def test_health_answers_while_fifty_slow_clients_hold_connections(served):
    latencies = health_under_slow_clients(served)
    assert len(latencies) > 20
    assert p99(latencies) < 1.0, sorted(latencies)[-5:]


def nginx_config(example: str, app_port: int, port: int, folder: Path) -> str:
    """The example site's upstream, timeouts and location, served on a plain
    port (a test has no certificate) with the test's own files."""
    upstream = re.search(r"^upstream saferplaces \{.*?^\}", example, re.M | re.S)
    location = re.search(r"^    location / \{.*?^    \}", example, re.M | re.S)
    limits = re.findall(r"^\s*(?:client_\w+|send_timeout)\s[^;]+;", example, re.M)
    assert upstream, "deploy/nginx.conf has no upstream saferplaces"
    assert location, "deploy/nginx.conf has no location /"
    assert limits, "deploy/nginx.conf sets no client timeouts"
    temp = " ".join(
        f"{kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""
user root;
daemon off;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"};
events {{ worker_connections 1024; }}
http {{
    access_log off;
    {temp}
    {upstream.group(0).replace("127.0.0.1:8000", f"127.0.0.1:{app_port}")}
    server {{
        listen 127.0.0.1:{port};
        {" ".join(limits)}
        {location.group(0)}
    }}
}}
"""


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_behind_the_example_nginx_health_answers_too(served, tmp_path):
    """The production set-up docs/operations.md shows: deploy/nginx.conf's
    proxy in front of `saferplaces serve`."""
    example = (Path(__file__).parents[2] / "deploy" / "nginx.conf").read_text()
    port = free_port()
    config = tmp_path / "nginx.conf"
    config.write_text(nginx_config(example, served, port, tmp_path))
    proxy = subprocess.Popen(
        ["nginx", "-c", str(config), "-e", str(tmp_path / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_a_worker(port)
        latencies = health_under_slow_clients(port)
    finally:
        proxy.terminate()
        proxy.wait(timeout=30)
    assert len(latencies) > 20
    assert p99(latencies) < 1.0, sorted(latencies)[-5:]
