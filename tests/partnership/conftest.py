from __future__ import annotations

import pytest

from tests.factories import road_safety_plan


@pytest.fixture
def plan(db, settings, tmp_path):
    """A small plan under the demo's names (tests/factories.py), uploads
    kept in tmp_path."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.DATA_DIR = tmp_path
    return road_safety_plan().plan
