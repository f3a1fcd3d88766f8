"""A small partnership with three agencies, a case worker in each, one
sharing agreement and a referral pathway: built with factories, not the
demo (tests/factories.py builds it)."""

from __future__ import annotations

import pytest

from tests.factories import (  # noqa: F401 (shared: they live in tests.factories)
    add_incident,
    build_casework,
    make_case,
)


@pytest.fixture
def casework(db):
    return build_casework()
