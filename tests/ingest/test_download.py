"""Downloads from police.uk, tested against a local server, never the real site."""

from __future__ import annotations

import io
import json
import socket
import threading
import time
import urllib.parse
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from saferplaces.ingest import download
from saferplaces.ingest.download import Client, DownloadError
from tests.support import FEBRUARY


class FakePoliceUK:
    """Serves an archive with Range support and a polygon crime API."""

    def __init__(self):
        self.archive = b""
        self.crimes: list[dict] = []
        self.api_limit = 10_000
        self.queue: list[int] = []  # statuses to answer before the real thing
        self.requests: list[str] = []

    def handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _scripted(self) -> bool:
                if fake.queue:
                    status = fake.queue.pop(0)
                    self.send_response(status)
                    self.send_header("Retry-After", "0")
                    self.end_headers()
                    return True
                return False

            def do_GET(self):
                fake.requests.append(f"GET {self.path}")
                if self._scripted():
                    return
                start = 0
                if self.headers.get("Range"):
                    start = int(self.headers["Range"].split("=")[1].rstrip("-"))
                body = fake.archive[start:]
                self.send_response(206 if start else 200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                fake.requests.append(f"POST {self.path}")
                if self._scripted():
                    return
                length = int(self.headers["Content-Length"])
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                points = [
                    tuple(map(float, pair.split(",")))
                    for pair in form["poly"][0].split(":")
                ]
                lats = [p[0] for p in points]
                lngs = [p[1] for p in points]
                inside = [
                    c
                    for c in fake.crimes
                    if min(lats) <= float(c["location"]["latitude"]) <= max(lats)
                    and min(lngs) <= float(c["location"]["longitude"]) <= max(lngs)
                    and c["month"] == form["date"][0]
                ]
                if len(inside) > fake.api_limit:
                    self.send_response(503)
                    self.end_headers()
                    return
                body = json.dumps(inside).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

        return Handler


@pytest.fixture
def police_uk():
    fake = FakePoliceUK()
    server = ThreadingHTTPServer(("127.0.0.1", 0), fake.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield fake
    server.shutdown()


def client(fake, sleeps=None):
    return Client(
        base_url=fake.url,
        sleep=(sleeps.append if sleeps is not None else lambda _: None),
    )


def archive_with(*members: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for name, data in members:
            zipped.writestr(name, data)
    return buffer.getvalue()


def test_archive_keeps_only_this_forces_months(police_uk, tmp_path):
    police_uk.archive = archive_with(
        ("2024-02/2024-02-west-midlands-street.csv", FEBRUARY.read_bytes()),
        ("2024-02/2024-02-merseyside-street.csv", FEBRUARY.read_bytes()),
        ("2024-02/2024-02-west-midlands-outcomes.csv", b"ignored"),
    )
    paths = download.download_force_months(
        client(police_uk), "west-midlands", ["2024-02"], tmp_path
    )
    assert [p.name for p in paths] == ["2024-02-west-midlands-street.csv"]
    assert paths[0].read_bytes() == FEBRUARY.read_bytes()
    assert not list(tmp_path.glob("*.zip"))


def test_interrupted_archive_download_resumes_with_a_range_request(police_uk, tmp_path):
    police_uk.archive = archive_with(
        ("2024-02/2024-02-west-midlands-street.csv", FEBRUARY.read_bytes())
    )
    (tmp_path / "archive-2024-02.zip.partial").write_bytes(police_uk.archive[:100])
    download.download_force_months(
        client(police_uk), "west-midlands", ["2024-02"], tmp_path
    )
    assert (tmp_path / "2024-02-west-midlands-street.csv").exists()


def test_rate_limit_is_retried_with_backoff(police_uk, tmp_path):
    police_uk.archive = archive_with(
        ("2024-02/2024-02-west-midlands-street.csv", FEBRUARY.read_bytes())
    )
    police_uk.queue = [429, 429]
    sleeps: list[float] = []
    download.download_force_months(
        client(police_uk, sleeps), "west-midlands", ["2024-02"], tmp_path
    )
    assert sleeps == [0.0, 0.0]  # the server's Retry-After
    assert len(police_uk.requests) == 3


def test_persistent_server_error_gives_up_with_a_clear_message(police_uk, tmp_path):
    police_uk.queue = [500] * 10
    with pytest.raises(DownloadError, match="answered 500"):
        download.download_force_months(
            client(police_uk), "west-midlands", ["2024-02"], tmp_path
        )


def crime(n: int, lat: float, lng: float, month: str = "2024-02") -> dict:
    return {
        "category": "burglary" if n % 2 else "anti-social-behaviour",
        "persistent_id": f"{n:064x}" if n % 2 else "",
        "id": n,
        "month": month,
        "context": "",
        "location": {
            "latitude": f"{lat:.6f}",
            "longitude": f"{lng:.6f}",
            "street": {"name": "On or near Bristol Road"},
        },
        "outcome_status": {"category": "Under investigation"} if n % 2 else None,
    }


SQUARE = [
    (52.40, -1.95),
    (52.40, -1.85),
    (52.50, -1.85),
    (52.50, -1.95),
    (52.40, -1.95),
]


def test_area_over_the_api_limit_is_split_until_it_fits(police_uk, tmp_path):
    police_uk.crimes = [
        crime(
            n,
            52.40 + 0.1 * ((n * 37) % 100) / 100,
            -1.95 + 0.1 * ((n * 61) % 100) / 100,
        )
        for n in range(1, 41)
    ]
    police_uk.api_limit = 15
    [path] = download.download_area_months(
        client(police_uk),
        "west-midlands",
        "E05900001",
        SQUARE,
        lambda lat, lng: ("E01900001", "Anytown 001A"),
        ["2024-02"],
        tmp_path,
    )
    rows = path.read_text().splitlines()
    assert len(rows) == 1 + 40
    assert rows[0].startswith("Crime ID,Month,Reported by")
    assert "West Midlands Police" in rows[1]
    assert sum(r.startswith("POST") for r in police_uk.requests) > 1


def test_finished_months_are_not_fetched_again(police_uk, tmp_path):
    police_uk.crimes = [crime(1, 52.45, -1.9)]
    args = (
        client(police_uk),
        "west-midlands",
        "E05900001",
        SQUARE,
        lambda lat, lng: ("", ""),
        ["2024-02"],
        tmp_path,
    )
    download.download_area_months(*args)
    download.download_area_months(*args)
    assert len(police_uk.requests) == 1


def closed_port() -> int:
    """A local port nothing listens on (bound, read, released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_unreachable_server_fails_within_seconds(tmp_path):
    started = time.monotonic()
    with pytest.raises(DownloadError, match=r"cannot reach .* offline"):
        download.download_force_months(
            Client(base_url=f"http://127.0.0.1:{closed_port()}"),
            "west-midlands",
            ["2024-02"],
            tmp_path,
        )
    assert time.monotonic() - started < 5


def test_months_between_counts_inclusively_across_years():
    assert download.months_between("2023-11", "2024-02") == [
        "2023-11",
        "2023-12",
        "2024-01",
        "2024-02",
    ]
    with pytest.raises(ValueError, match="before"):
        download.months_between("2024-02", "2023-11")


def run_download(data_dir, monkeypatch, base_url: str):
    """``saferplaces download police-uk`` for February 2024 into ``data_dir``."""
    from click.testing import CliRunner
    from django.conf import settings

    from saferplaces.cli import main

    monkeypatch.setattr(settings, "DATA_DIR", data_dir)
    return CliRunner().invoke(
        main,
        [
            "download",
            "police-uk",
            "--force",
            "west-midlands",
            "--from",
            "2024-02",
            "--to",
            "2024-02",
            "--base-url",
            base_url,
            "--quiet",
        ],
    )


def test_download_command_fetches_and_loads(police_uk, tmp_path, monkeypatch):
    from saferplaces.analytics.store import Store

    police_uk.archive = archive_with(
        ("2024-02/2024-02-west-midlands-street.csv", FEBRUARY.read_bytes())
    )
    result = run_download(tmp_path, monkeypatch, police_uk.url)
    assert result.exit_code == 0, result.output
    assert Store(tmp_path / "store").months("street_crime") == ["2024-02"]


def test_download_command_offline_exits_4_with_a_message(tmp_path, monkeypatch):
    result = run_download(tmp_path, monkeypatch, f"http://127.0.0.1:{closed_port()}")
    assert result.exit_code == 4
    assert "cannot reach" in result.output


def test_a_downloaded_month_the_load_refuses_says_why_without_a_traceback(
    police_uk, tmp_path, monkeypatch
):
    from saferplaces.analytics.store import Store
    from saferplaces.ingest.loader import run_load
    from saferplaces.ingest.sources import get_source

    # The store holds February with 3 rows; the archive's February has 1.
    store = Store(tmp_path / "store")
    run_load(store, get_source("police-uk-street"), [FEBRUARY])
    short = b"".join(FEBRUARY.read_bytes().splitlines(keepends=True)[:2])
    police_uk.archive = archive_with(
        ("2024-02/2024-02-west-midlands-street.csv", short)
    )
    result = run_download(tmp_path, monkeypatch, police_uk.url)
    assert result.exit_code == 1, result.output
    assert "would become 1" in result.output
    assert "Nothing was written to the store." in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
