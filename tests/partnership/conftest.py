from __future__ import annotations

import pytest

from saferplaces.demo.plan import load_demo_plan


@pytest.fixture
def seed_plan(db, settings, tmp_path):
    """The seed plan with its SYNTHETIC progress, uploads kept in tmp_path."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.DATA_DIR = tmp_path
    plan, _ = load_demo_plan()
    return plan
