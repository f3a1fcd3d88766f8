"""Slow clients cannot take `saferplaces serve` off the air: four connections
sending a header line every 5 s once held both sync workers. Fifty such
clients now, and /healthz answers throughout (p99 under a second)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.web.test_abuse_limits import _wait_for_a_worker, free_port

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


def test_health_answers_while_fifty_slow_clients_hold_connections(tmp_path):
    port = free_port()
    env = {**os.environ, "SAFERPLACES_DATA_DIR": str(tmp_path)}
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
    slow: list[socket.socket] = []
    try:
        _wait_for_a_worker(port)
        slow = slow_clients(port, SLOW_CLIENTS)
        latencies = health_latencies(port, SECONDS, slow)
    finally:
        for client in slow:
            client.close()
        server.terminate()
        server.wait(timeout=30)
    assert len(latencies) > 20
    assert p99(latencies) < 1.0, sorted(latencies)[-5:]
