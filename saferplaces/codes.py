"""Codes: what an area code, a postcode, a month, a period label and a
pseudonym look like, and what each means. The one home of these rules.

Part of the bottom layer (with ``saferplaces.vocabulary``, the lists of
categories): plain Python, no Django, importing nothing of ours, so every
package may use it and no two packages re-code a rule (tests/test_codes.py
fails on a stray copy of a pattern). Patterns are strings, so that the
loaders can hand them to Arrow's RE2 as well as to Python's ``re``.

Example:
    >>> level_of_code("E01009000"), normalise_postcode("b29 6aa")
    ('lsoa', 'B29 6AA')
    >>> is_month("2024-13"), financial_quarter("2025-01")
    (False, '2024/25 Q4')
"""

from __future__ import annotations

import datetime
import functools
import re

# -- ONS codes ---------------------------------------------------------------
# A GSS code: a letter for the nation, two digits for the kind of area and
# six for the area (E01009000).
ONS_CODE = r"^[EWSNK]\d{8}$"
# The kinds of area we name by level, England and Wales. Keys are the levels.
CODE_PATTERNS: dict[str, str] = {
    "lsoa": r"^[EW]01\d{6}$",
    "msoa": r"^[EW]02\d{6}$",
    "ward": r"^[EW]05\d{6}$",
    "local_authority": r"^(E0[6-9]|W06)\d{6}$",
    "constituency": r"^(E14|W07)\d{6}$",
    "region": r"^E12\d{6}$",
    "country": r"^[EW]92\d{6}$",
}
LSOA_CODE = CODE_PATTERNS["lsoa"]
_LEVELS = {level: re.compile(pattern) for level, pattern in CODE_PATTERNS.items()}

# The columns of ONS lookups are named by level, census year and code or
# name (LSOA11CD, WD19NM, LAD19CD, LA24CD): prefix -> level.
ONS_COLUMN_PREFIXES = {
    "LSOA": "lsoa",
    "MSOA": "msoa",
    "WD": "ward",
    "PCON": "constituency",
    "LAD": "local_authority",
    "LA": "local_authority",
    "CTY": "county",
    "RGN": "region",
    # Police force areas (ONS's LAD to CSP to PFA lookup): see force_slug.
    "PFA": "force",
}
ONS_COLUMN = re.compile(rf"^({'|'.join(ONS_COLUMN_PREFIXES)})(\d{{2}})(CD|NM)$")


def level_of_code(code: str) -> str | None:
    """The level an ONS code names, from its pattern alone; None otherwise.

    >>> level_of_code("W01000001"), level_of_code("E05011119"), level_of_code("X")
    ('lsoa', 'ward', None)
    """
    return next((lvl for lvl, rx in _LEVELS.items() if rx.match(code)), None)


def is_lsoa(code: str) -> bool:
    """Whether ``code`` is an LSOA code, English or Welsh."""
    return bool(_LEVELS["lsoa"].match(code))


# -- Area codes --------------------------------------------------------------
# Any area figures are given for: an ONS code or a partnership's own area
# (SYN-D01, a policing unit or district made of wards).
AREA_CODE_LENGTH = 40
AREA_CODE = rf"^[A-Za-z0-9-]{{2,{AREA_CODE_LENGTH}}}$"
AREA_CODE_RULE = (
    f"An area code is 2 to {AREA_CODE_LENGTH} letters, digits or hyphens "
    "(e.g. E05011119)."
)
_AREA_CODE = re.compile(AREA_CODE)


def is_area_code(text: str) -> bool:
    """Whether ``text`` may name an area (it need not be known).

    >>> is_area_code("SYN-D01"), is_area_code("E01009000"), is_area_code("B29 6AA")
    (True, True, False)
    """
    return bool(_AREA_CODE.match(text))


# -- Police forces -----------------------------------------------------------
# police.uk names a force in words ("Falls within": "West Midlands Police")
# and in its file names by a slug (west-midlands); ONS names police force
# areas without the force's suffix ("West Midlands", "Metropolitan Police").
_FORCE_SUFFIX = re.compile(r"\s+(police service|police|constabulary)$", re.IGNORECASE)
# ONS police force area names whose words are not the police.uk slug's.
_FORCE_AREA_SLUGS = {
    "london, city of": "city-of-london",
    "hampshire and isle of wight": "hampshire",
}


def force_slug(name: str) -> str:
    """A force's police.uk slug from its name, as police.uk or ONS's police
    force area lookups write it.

    >>> force_slug("West Midlands Police"), force_slug("Metropolitan Police")
    ('west-midlands', 'metropolitan')
    >>> force_slug("City of London"), force_slug("London, City of")
    ('city-of-london', 'city-of-london')
    """
    core = _FORCE_SUFFIX.sub("", name.strip())
    known = _FORCE_AREA_SLUGS.get(core.lower())
    return known or re.sub(r"[^a-z0-9]+", "-", core.lower()).strip("-")


# -- Postcodes ---------------------------------------------------------------
# A UK postcode, loosely, in upper case: outward code, optional space,
# inward code (B29 6AA, B296AA).
# The inward code ends a postcode (6AA): the normal form has a space before it.
POSTCODE_INWARD = r"(\d[A-Z]{2})$"
POSTCODE = rf"^([A-Z]{{1,2}}\d[A-Z\d]?) ?{POSTCODE_INWARD}"
_POSTCODE = re.compile(POSTCODE)


def normalise_postcode(typed: str) -> str | None:
    """A postcode in its normal form, however it was typed; None if it is
    not a postcode.

    >>> normalise_postcode("b296aa"), normalise_postcode(" B29  6AA ")
    ('B29 6AA', 'B29 6AA')
    >>> normalise_postcode("Selly Oak") is None
    True
    """
    compact = re.sub(r"\s+", "", typed.upper())
    match = _POSTCODE.match(compact)
    return f"{match.group(1)} {match.group(2)}" if match else None


# -- Months, dates and periods -----------------------------------------------
# A month, unanchored, to build patterns from (no group of its own).
MONTH_TEXT = r"\d{4}-(?:0[1-9]|1[0-2])"
# A month as YYYY-MM (2024-05).
MONTH = rf"^{MONTH_TEXT}$"
# A date as YYYY-MM-DD (the day checked loosely: 31 in any month).
DATE = rf"^{MONTH_TEXT}-(?:0[1-9]|[12]\d|3[01])$"
# A financial year, a quarter of one, or a month: the periods figures are
# asked for (2024/25, 2024/25 Q1, 2024-05).
PERIOD = rf"^(?:\d{{4}}/\d{{2}}(?: Q[1-4])?|{MONTH_TEXT})$"
# A calendar quarter, as re-offending cohorts are named (2023-Q2).
CALENDAR_QUARTER = r"^\d{4}-Q[1-4]$"
_MONTH_RX = re.compile(MONTH)


def is_month(text: str) -> bool:
    """Whether ``text`` is a month as YYYY-MM.

    >>> is_month("2013-04"), is_month("2013-4"), is_month("2013-00")
    (True, False, False)
    """
    return bool(_MONTH_RX.match(text))


def month_number(month: str) -> int:
    """A month (YYYY-MM) as a count of months, for arithmetic; ``month_of``
    turns it back.

    >>> month_number("2024-01") - month_number("2023-12")
    1
    """
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def month_of(number: int) -> str:
    """The month ``month_number`` counted: YYYY-MM.

    >>> month_of(month_number("2023-12") + 1), month_of(month_number("0001-01") - 1)
    ('2024-01', '0000-12')
    """
    # Four digits always: the year 3 is "0003", or the month is no month.
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def shift_month(month: str, by: int) -> str:
    """``month`` moved ``by`` months: shift_month("2021-04", -9) is "2020-07"."""
    return month_of(month_number(month) + by)


# English month names, so a month reads the same whatever the locale.
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip


def month_in_words(month: str) -> str:
    """A month (YYYY-MM) as people write it.

    >>> month_in_words("2016-03")
    'March 2016'
    """
    return f"{MONTH_NAMES[int(month[5:7]) - 1]} {int(month[:4])}"


def date_in_words(day: datetime.date) -> str:
    """A date as people write it.

    >>> date_in_words(datetime.date(2015, 4, 1))
    '1 April 2015'
    """
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


@functools.lru_cache(maxsize=4096)  # asked for every month of every series
def financial_year(month: str) -> str:
    """'2024-03' -> '2023/24'; '2024-04' -> '2024/25'."""
    year, number = int(month[:4]), int(month[5:7])
    start = year if number >= 4 else year - 1
    return f"{start}/{(start + 1) % 100:02d}"


@functools.lru_cache(maxsize=4096)
def financial_quarter(month: str) -> str:
    """'2024-04' -> '2024/25 Q1'; '2025-01' -> '2024/25 Q4'."""
    number = int(month[5:7])
    quarter = (number - 4) % 12 // 3 + 1
    return f"{financial_year(month)} Q{quarter}"


# -- Sizes of change ---------------------------------------------------------
# How far a plan wants a measure to move: "10%" of its baseline, or "5 points"
# (or "5 point") in the measure's own unit.
SIZE_OF_CHANGE = r"^\s*(\d+(?:\.\d+)?)\s*(%|points?)\s*$"
SIZE_OF_CHANGE_RULE = (
    'Enter the size as a percentage or points, like "10%" or "5 points".'
)
_SIZE_RX = re.compile(SIZE_OF_CHANGE)


def size_of_change(text: str) -> tuple[float, bool] | None:
    """A size of change as (amount, whether a percentage), or None if it is
    not one.

    >>> size_of_change("10%"), size_of_change("5 points"), size_of_change("a lot")
    ((10.0, True), (5.0, False), None)
    """
    found = _SIZE_RX.match(text)
    if not found:
        return None
    return float(found.group(1)), found.group(2) == "%"


# -- Pseudonyms --------------------------------------------------------------
# A person's pseudonym in the local extracts, cohorts and case counts: never
# a name, long enough to be unguessable.
PSEUDONYM = r"^[A-Za-z0-9_-]{8,128}$"


def plural(count: int, noun: str, many: str = "") -> str:
    """``noun`` as ``count`` of it reads: "day", "days" (``many`` for a noun
    that does not add "s").

    >>> plural(1, "day"), plural(3, "day"), plural(2, "agency", "agencies")
    ('day', 'days', 'agencies')
    """
    return noun if int(count) == 1 else many or f"{noun}s"
