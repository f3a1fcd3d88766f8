"""A person's or incident's postcode is checked by the one postcode rule
(saferplaces.codes): any case, any spacing, kept as typed."""

from __future__ import annotations

import pytest
from django import forms

from saferplaces.cases.forms import clean_postcode


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("B29 7AH", "B29 7AH"), ("b297ah", "b297ah"), (" B29  7AH ", "B29  7AH"),
     ("", "")],
)  # fmt: skip
def test_a_postcode_is_accepted_however_it_is_spaced(typed, kept):
    assert clean_postcode(typed) == kept


@pytest.mark.parametrize("typed", ["??", "B29", "Selly Oak", "B29 7A"])
def test_what_is_not_a_postcode_is_refused(typed):
    with pytest.raises(forms.ValidationError, match="Enter a postcode like B29 7AH"):
        clean_postcode(typed)
