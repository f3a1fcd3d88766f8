"""Fetching police.uk data: the monthly archive, or the API for a custom area.

* ``download_force_months``: the bulk archive (``/data/archive/YYYY-MM.zip``,
  which holds up to three years for every force). Downloaded with HTTP range
  requests so an interrupted download resumes, then only this force's street
  files for the requested months are kept.
* ``download_area_months``: the street-level crime API for a polygon
  (``/api/crimes-street/all-crime``, POST because boundary polygons are long),
  one month per call. The API refuses areas with more than 10,000 crimes with
  a 503; the polygon's bounding box is then split in four and each part asked
  for separately. Results are written in the bulk CSV layout (LSOA assigned
  from the loaded boundaries) so the ordinary loader validates them.

Both retry 429 (rate limit) and transient errors with exponential backoff,
write each month's file atomically (so a rerun skips finished months), and
fail within seconds with a clear message when the network is unreachable.
"""

from __future__ import annotations

import csv
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from saferplaces.codes import month_of
from saferplaces.ingest.police_uk import STREET_COLUMNS as STREET_HEADER

DEFAULT_BASE_URL = "https://data.police.uk"
CONNECT_TIMEOUT = 10.0
RETRIES = 5
API_LIMIT_STATUS = 503
MAX_SPLIT_DEPTH = 6

CATEGORY_NAMES = {
    "anti-social-behaviour": "Anti-social behaviour",
    "bicycle-theft": "Bicycle theft",
    "burglary": "Burglary",
    "criminal-damage-arson": "Criminal damage and arson",
    "drugs": "Drugs",
    "other-crime": "Other crime",
    "other-theft": "Other theft",
    "possession-of-weapons": "Possession of weapons",
    "public-order": "Public order",
    "robbery": "Robbery",
    "shoplifting": "Shoplifting",
    "theft-from-the-person": "Theft from the person",
    "vehicle-crime": "Vehicle crime",
    "violent-crime": "Violence and sexual offences",
}

Progress = Callable[[str, int, int], None]
Sleep = Callable[[float], None]


class DownloadError(Exception):
    """A download that cannot go on; the message says why and what to do."""


@dataclass
class Client:
    """A small HTTP client with retries; ``sleep`` is replaceable in tests."""

    base_url: str = DEFAULT_BASE_URL
    sleep: Sleep = time.sleep
    timeout: float = CONNECT_TIMEOUT

    def request(
        self,
        path: str,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> urllib.request.Request:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        return urllib.request.Request(
            self.base_url.rstrip("/") + path,
            data=body,
            headers={"User-Agent": "saferplaces", **(headers or {})},
        )

    def open(
        self, request: urllib.request.Request, allow: frozenset[int] = frozenset()
    ) -> Any:
        """Open with backoff on 429 and 5xx; statuses in ``allow`` are returned
        to the caller as the HTTPError itself."""
        delay = 0.5
        for attempt in range(RETRIES):
            try:
                return urllib.request.urlopen(request, timeout=self.timeout)
            except urllib.error.HTTPError as error:
                if error.code in allow:
                    return error
                retryable = error.code == 429 or error.code >= 500
                if not retryable or attempt == RETRIES - 1:
                    raise DownloadError(
                        f"{request.full_url} answered {error.code} {error.reason}"
                    ) from None
                asked = _retry_after(error)
                self.sleep(delay if asked is None else asked)
                delay = min(delay * 2, 30.0)
            except (urllib.error.URLError, TimeoutError, OSError) as error:
                reason = getattr(error, "reason", error)
                raise DownloadError(
                    f"cannot reach {self.base_url}: {reason}. Is this machine "
                    "offline? Download the files elsewhere and use "
                    "`saferplaces ingest` on them instead."
                ) from None
        raise AssertionError("unreachable")  # pragma: no cover


def _retry_after(error: urllib.error.HTTPError) -> float | None:
    value = error.headers.get("Retry-After") if error.headers else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def months_between(first: str, last: str) -> list[str]:
    """['2024-01', ..., '2024-12'] inclusive; raises ValueError if malformed."""
    start_year, start_month = (int(part) for part in first.split("-"))
    end_year, end_month = (int(part) for part in last.split("-"))
    if not (1 <= start_month <= 12 and 1 <= end_month <= 12):
        raise ValueError("months must be YYYY-MM")
    start, end = start_year * 12 + start_month - 1, end_year * 12 + end_month - 1
    if end < start:
        raise ValueError(f"{last} is before {first}")
    return [month_of(n) for n in range(start, end + 1)]


def force_name(slug: str) -> str:
    """'west-midlands' -> 'West Midlands Police' (as police.uk's CSVs name it)."""
    return " ".join(word.capitalize() for word in slug.split("-")) + " Police"


# -- the monthly archive -------------------------------------------------------


def download_force_months(
    client: Client,
    force: str,
    months: list[str],
    folder: Path,
    progress: Progress | None = None,
) -> list[Path]:
    """Fetch the archive that covers ``months`` and keep this force's files."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {f"{month}-{force}-street.csv" for month in months}
    done = {path.name for path in folder.glob("*-street.csv")}
    if wanted <= done:
        return sorted(folder / name for name in wanted)
    # The archive for the last month holds the three years before it.
    archive = folder / f"archive-{months[-1]}.zip"
    _fetch_resumable(client, f"/data/archive/{months[-1]}.zip", archive, progress)
    kept = []
    try:
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.namelist():
                name = Path(member).name
                if name in wanted:
                    target = folder / name
                    partial = target.with_suffix(".partial")
                    partial.write_bytes(zipped.read(member))
                    os.replace(partial, target)
                    kept.append(target)
    except zipfile.BadZipFile:
        archive.unlink()
        raise DownloadError(
            f"the archive for {months[-1]} was not a zip file; it has been "
            "removed, run the command again"
        ) from None
    missing = sorted(wanted - {path.name for path in kept} - done)
    if missing:
        raise DownloadError(
            f"the archive has no file for {', '.join(missing)}: police.uk may not "
            f"have published those months for {force} yet"
        )
    archive.unlink()
    return sorted(folder / name for name in wanted)


def _fetch_resumable(
    client: Client, path: str, target: Path, progress: Progress | None
) -> None:
    if target.exists():
        return
    partial = target.with_suffix(target.suffix + ".partial")
    have = partial.stat().st_size if partial.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    response = client.open(client.request(path, headers=headers))
    with response:
        resumed = getattr(response, "status", 200) == 206
        total = int(response.headers.get("Content-Length") or 0) + (
            have if resumed else 0
        )
        mode = "ab" if resumed else "wb"
        written = have if resumed else 0
        with open(partial, mode) as out:
            while chunk := response.read(1 << 20):
                out.write(chunk)
                written += len(chunk)
                if progress:
                    progress(f"downloading {target.name}", written, total or written)
    os.replace(partial, target)


# -- the API, for a custom area ------------------------------------------------

Polygon = list[tuple[float, float]]  # (latitude, longitude) pairs, police.uk order


def download_area_months(
    client: Client,
    force: str,
    area_code: str,
    polygon: Polygon,
    assign_lsoa: Callable[[float, float], tuple[str, str]],
    months: list[str],
    folder: Path,
    progress: Progress | None = None,
) -> list[Path]:
    """One police.uk-layout street CSV per month for the crimes in ``polygon``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, month in enumerate(months):
        target = folder / f"{month}-{force}-{area_code.lower()}-street.csv"
        paths.append(target)
        if target.exists():
            continue  # finished in an earlier run
        if progress:
            progress(f"asking for {month}", index, len(months))
        crimes = list(_crimes_in(client, polygon, month, depth=0))
        _write_street_csv(target, crimes, force, assign_lsoa)
    return paths


def _crimes_in(
    client: Client, polygon: Polygon, month: str, depth: int
) -> Iterator[dict[str, Any]]:
    poly = ":".join(f"{lat:.6f},{lng:.6f}" for lat, lng in polygon)
    request = client.request(
        "/api/crimes-street/all-crime", data={"poly": poly, "date": month}
    )
    response = client.open(request, allow=frozenset({API_LIMIT_STATUS}))
    if isinstance(response, urllib.error.HTTPError):
        if depth >= MAX_SPLIT_DEPTH:
            raise DownloadError(
                f"police.uk refused even a small part of the area for {month} "
                "(over 10,000 crimes?)"
            )
        seen: set[str] = set()
        for part in _quarters(polygon):
            for crime in _crimes_in(client, part, month, depth + 1):
                key = str(crime.get("id"))
                if key not in seen:  # a crime on a shared edge comes back twice
                    seen.add(key)
                    yield crime
        return
    with response:
        try:
            crimes = json.load(response)
        except ValueError:
            raise DownloadError(
                f"police.uk sent something that is not JSON for {month}"
            ) from None
    yield from crimes


def _quarters(polygon: Polygon) -> list[Polygon]:
    """The four quarters of the polygon's bounding box that overlap it."""
    from shapely.geometry import Polygon as Shape
    from shapely.geometry import box

    shape = Shape([(lng, lat) for lat, lng in polygon])
    west, south, east, north = shape.bounds
    mid_x, mid_y = (west + east) / 2, (south + north) / 2
    parts = []
    for x0, y0, x1, y1 in [
        (west, south, mid_x, mid_y),
        (mid_x, south, east, mid_y),
        (west, mid_y, mid_x, north),
        (mid_x, mid_y, east, north),
    ]:
        piece = shape.intersection(box(x0, y0, x1, y1))
        if piece.is_empty or piece.area == 0:
            continue
        hull = piece.convex_hull if piece.geom_type != "Polygon" else piece
        parts.append([(lat, lng) for lng, lat in hull.exterior.coords])
    return parts


def _write_street_csv(
    target: Path,
    crimes: list[dict[str, Any]],
    force: str,
    assign_lsoa: Callable[[float, float], tuple[str, str]],
) -> None:
    name = force_name(force)
    partial = target.with_suffix(".partial")
    with open(partial, "w", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(STREET_HEADER)
        for crime in crimes:
            location = crime.get("location") or {}
            lat, lng = location.get("latitude"), location.get("longitude")
            lsoa_code, lsoa_name = (
                assign_lsoa(float(lat), float(lng)) if lat and lng else ("", "")
            )
            outcome = (crime.get("outcome_status") or {}).get("category") or ""
            category = str(crime.get("category", ""))
            out.writerow(
                [
                    crime.get("persistent_id") or "",
                    crime.get("month", ""),
                    name,
                    name,
                    lng or "",
                    lat or "",
                    (location.get("street") or {}).get("name", ""),
                    lsoa_code,
                    lsoa_name,
                    CATEGORY_NAMES.get(category, category),
                    outcome,
                    crime.get("context") or "",
                ]
            )
    os.replace(partial, target)
