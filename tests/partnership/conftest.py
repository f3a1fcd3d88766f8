from __future__ import annotations

import pytest

from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.factories import road_safety_plan


@pytest.fixture
def plan(db, settings, tmp_path):
    """A small plan under the demo's names (tests/factories.py), uploads
    kept in tmp_path."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.DATA_DIR = tmp_path
    return road_safety_plan().plan


# Two councils with a ward called Abbey each, as in the national lookup.
LOOKUP = """\
LSOA21CD,LSOA21NM,WD24CD,WD24NM,LAD24CD,LAD24NM
E01010001,Leicester 001A,E05010001,Abbey,E06000016,Leicester
E01010002,Leicester 002A,E05010002,Castle,E06000016,Leicester
E01020001,Barking and Dagenham 001A,E05020001,Abbey,E09000002,Barking and Dagenham
E01020002,Barking and Dagenham 002A,E05020002,Eastbury,E09000002,Barking and Dagenham
"""


@pytest.fixture
def two_councils(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    lookup = tmp_path / "lookup.csv"
    lookup.write_text(LOOKUP)
    run_load(Store(tmp_path / "store"), get_source("geography"), [lookup])
