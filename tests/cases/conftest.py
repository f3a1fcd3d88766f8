"""A small partnership with three agencies, a case worker in each, one
sharing agreement and a referral pathway: built with factories, not the
demo (tests/factories.py builds it)."""

from __future__ import annotations

import pytest

from tests.factories import (
    build_casework,
)


@pytest.fixture
def casework(db):
    return build_casework()
