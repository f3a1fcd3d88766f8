from __future__ import annotations

import pytest

from saferplaces.analytics.store import Store
from saferplaces.ingest.sources import get_source
from tests.support import (  # noqa: F401 (shared: they live in tests.support)
    ASB_ROW,
    CORRECTED_JANUARY,
    FEBRUARY,
    JANUARY,
    STREET_HEADER,
    write_csv,
)


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "store")


@pytest.fixture
def street():
    return get_source("police-uk-street")
