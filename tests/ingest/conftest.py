from __future__ import annotations

import pytest

from saferplaces.analytics.store import Store
from saferplaces.ingest.sources import get_source


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "store")


@pytest.fixture
def street():
    return get_source("police-uk-street")
