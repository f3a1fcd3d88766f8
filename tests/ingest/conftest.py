from __future__ import annotations

from pathlib import Path

import pytest

from saferplaces.analytics.store import Store
from saferplaces.ingest.sources import get_source

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "police_uk"
JANUARY = FIXTURES / "2024-01-west-midlands-street.csv"
FEBRUARY = FIXTURES / "2024-02-west-midlands-street.csv"
CORRECTED_JANUARY = FIXTURES / "corrected" / "2024-01-west-midlands-street.csv"
STREET_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
    "LSOA code,LSOA name,Crime type,Last outcome category,Context"
)
ASB_ROW = (
    ",2024-03,West Midlands Police,West Midlands Police,-1.93,52.44,"
    "On or near Bristol Road,E01009001,Birmingham 100A,Anti-social behaviour,,"
)


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "store")


@pytest.fixture
def street():
    return get_source("police-uk-street")


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path
