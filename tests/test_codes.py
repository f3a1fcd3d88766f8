"""Codes and vocabularies: one home for each rule (issue 28, finding 1).

The patterns of ONS codes, area codes, postcodes and months live in
``saferplaces/codes.py`` and the lists of categories in
``saferplaces/vocabulary.py``; every other module imports them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import saferplaces
from saferplaces import codes, vocabulary
from saferplaces.codes import (
    is_area_code,
    is_lsoa,
    is_month,
    level_of_code,
    normalise_postcode,
)

PACKAGE = Path(saferplaces.__file__).parent
BOTTOM = {PACKAGE / "codes.py", PACKAGE / "vocabulary.py"}

# Fragments of the patterns, as they are spelled in Python source: a month
# (\d{4}-(0[1-9]...), a postcode ([A-Z]{1,2}\d..., its inward code), an ONS
# code ([EW]01, E0[6-9], [EWSNK]) or lookup column (LSOA|MSOA), an area code.
STRAY = {
    "month": re.compile(r"\\d\{4\}-\((\?:)?0\[1-9\]"),
    "postcode": re.compile(
        r"\[A-Z(a-z)?\]\{1,2\}(\\d|\[0-9\])|\(\\d\[A-Z\]\{2\}\)|\[0-9\]\[A-Z\]\{2\}"
    ),
    "ONS code": re.compile(r"\[EW[A-Z]*\]|E0\[|LSOA\|MSOA"),
    "area code": re.compile(r"\[A-Za-z0-9-?\]\{2,"),
}


def _modules() -> list[Path]:
    return [
        source
        for source in sorted(PACKAGE.rglob("*.py"))
        # Migrations are history: they keep the validators they were made with.
        if source not in BOTTOM and "migrations" not in source.parts
    ]


def test_no_module_but_codes_spells_a_code_pattern():
    found = [
        f"{source.relative_to(PACKAGE.parent)}:{number}: a {what} pattern"
        for source in _modules()
        for number, line in enumerate(source.read_text().splitlines(), 1)
        for what, pattern in STRAY.items()
        if pattern.search(line)
    ]
    assert found == []


def test_the_stray_copy_search_finds_each_kind_of_pattern():
    # The patterns as they were copied before issue 28, one of each kind.
    copies = {
        "month": r'MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")',
        "postcode": r'POSTCODE = re.compile(r"^[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d")',
        "ONS code": r'checks.matches("mnemonic", r"^[EW]01\d{6}$")',
        "area code": r'AREA_CODE = re.compile(r"^[A-Za-z0-9-]{2,40}$")',
    }
    assert {what: bool(STRAY[what].search(line)) for what, line in copies.items()} == {
        what: True for what in copies
    }


@pytest.mark.parametrize(
    "name",
    ["AGE_BANDS", "SEXES", "ETHNICITIES", "ETHNIC_GROUPS", "HATE_STRANDS",
     "AGE_BAND_ORDER", "KNOWN_SEXES"],
)  # fmt: skip
def test_a_vocabulary_is_defined_only_in_vocabulary(name):
    """Other modules may take a list from vocabulary.py (or cut one from
    it), never write one of their own."""
    found = []
    for source in _modules():
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            if (
                isinstance(node, ast.Assign)
                and any(
                    isinstance(target, ast.Name) and target.id == name
                    for target in node.targets
                )
                and isinstance(node.value, ast.List)
            ):
                found.append(f"{source.name}:{node.lineno}")
    assert found == []


def test_code_patterns_know_welsh_codes_too():
    assert is_lsoa("E01009001")
    assert is_lsoa("W01000123")
    assert not is_lsoa("E05011119")
    assert not is_lsoa("E0100900")
    assert level_of_code("W05000980") == "ward"
    assert level_of_code("W06000015") == "local_authority"
    assert level_of_code("SYN-PARTNERSHIP") is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("b296aa", "B29 6AA"), (" B29  6AA ", "B29 6AA"), ("SW1A 1AA", "SW1A 1AA"),
     ("M1 1AE", "M1 1AE"), ("B29", None), ("Selly Oak", None), ("", None)],
)  # fmt: skip
def test_a_postcode_is_read_however_it_is_typed(typed, expected):
    assert normalise_postcode(typed) == expected


@pytest.mark.parametrize(
    ("text", "month"),
    [("2013-04", True), ("2024-12", True), ("2024-13", False), ("2024-00", False),
     ("2024-4", False), ("24-04", False), ("2024-04-01", False), ("", False)],
)  # fmt: skip
def test_a_month_is_yyyy_mm(text, month):
    assert is_month(text) is month
    assert bool(re.match(codes.MONTH, text)) is month


@pytest.mark.parametrize(
    ("text", "period"),
    [("2024/25", True), ("2024/25 Q1", True), ("2024-05", True),
     ("2024/25 Q5", False), ("2024-13", False), ("2024", False)],
)  # fmt: skip
def test_a_period_is_a_financial_year_a_quarter_of_one_or_a_month(text, period):
    assert bool(re.match(codes.PERIOD, text)) is period


@pytest.mark.parametrize(
    ("text", "area"),
    [("E01009000", True), ("SYN-D01", True), ("E05011119", True), ("x" * 40, True),
     ("x" * 41, False), ("E", False), ("B29 6AA", False), ("SYN_D01", False)],
)  # fmt: skip
def test_an_area_code_is_letters_digits_and_hyphens(text, area):
    assert is_area_code(text) is area


def test_every_list_of_age_bands_is_cut_from_one():
    # The lists each user had before issue 28, unchanged.
    assert vocabulary.AGE_BANDS == [
        "0-9", "10-17", "18-24", "25-34", "35-49", "50-64", "65+", "unknown"
    ]  # fmt: skip
    assert vocabulary.POPULATION_AGE_BANDS == [
        "0-9", "10-17", "18-24", "25-34", "35-49", "50-64", "65+"
    ]  # fmt: skip
    assert vocabulary.ADULT_AGE_BANDS == ["18-24", "25-34", "35-49", "50-64", "65+"]
    assert vocabulary.age_bands_from("10-17") == [
        "10-17", "18-24", "25-34", "35-49", "50-64", "65+"
    ]  # fmt: skip


def test_the_demo_draws_people_from_the_vocabulary():
    from saferplaces.demo import crimes, outcomes, partnership

    assert set(crimes.ETHNICITIES) <= set(vocabulary.ETHNICITIES)
    assert set(outcomes.ETHNICITIES) <= set(vocabulary.ETHNIC_GROUPS)
    assert set(partnership.ETHNIC_SHARES) <= set(vocabulary.ETHNIC_GROUPS)
    assert set(outcomes.SEXES) <= set(vocabulary.SEXES)
    assert set(crimes.STRANDS) == set(vocabulary.HATE_STRANDS)


def test_the_bottom_layer_imports_nothing():
    """codes.py and vocabulary.py import only the standard library."""
    for source in BOTTOM:
        tree = ast.parse(source.read_text(), str(source))
        imported = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {
            node.module.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
        }
        # datetime: dates written in words (codes.date_in_words).
        assert imported <= {"__future__", "datetime", "functools", "re"}, source.name


def test_months_keep_four_digit_years_when_counted_back():
    """The API's fuzz asked for quarters from 0000-06: counting back gave
    "0-05", which is no month, and the lattice's refusal failed on it."""
    assert codes.shift_month("0000-06", -1) == "0000-05"
    assert codes.month_of(codes.month_number("0001-01") - 1) == "0000-12"
    assert codes.shift_month("2021-04", -9) == "2020-07"


def test_the_codes_examples_hold():
    import doctest

    assert doctest.testmod(codes).failed == 0
