"""The non-data lines that statistical downloads end with, recognised in
one place so a standard download loads whole instead of failing on them.

Nomis (Census 2021 tables such as TS001) ends every CSV with blank rows and
then a disclosure-control note, one line of text per row in the second
column ("In order to protect against disclosure of personal information,
records / have been swapped ..."). ONS spreadsheets saved as CSV end with a
"Source:" line or a Crown copyright notice. Such a block is passed over, and
the load says which lines it was; anything else at the end of a file, text
the service does not know included, is a row like any other and is checked
(and rejected) as one.

Example:
    >>> import pyarrow as pa
    >>> note = "In order to protect against disclosure of personal information"
    >>> table = pa.table({
    ...     "total": ["10", "", "", ""],
    ...     "name": ["Anytown 001A", "", note, "affected."],
    ...     "_line": [2, 3, 4, 5],
    ... })
    >>> data, said = without_footer(table, "_line")
    >>> data.num_rows
    1
    >>> said
    "lines 3 to 5 are the download's footer (Nomis's disclosure-control note), not data"
"""

from __future__ import annotations

import re

import pyarrow as pa

# The first line of text of each footer known, and whose it is.
KNOWN_FOOTERS: dict[str, re.Pattern[str]] = {
    "Nomis's disclosure-control note": re.compile(
        r"^In order to protect against disclosure of personal information", re.I
    ),
    "ONS's source line": re.compile(r"^Source:", re.I),
    "a Crown copyright notice": re.compile(r"^(©|\(c\))?\s*Crown copyright", re.I),
}
# No footer known is longer: a longer run of text rows is data gone wrong.
MOST_FOOTER_LINES = 20


def without_footer(table: pa.Table, line_column: str) -> tuple[pa.Table, str | None]:
    """``table`` (a CSV's rows as text, with each row's line number in
    ``line_column``) without the known footer it ends with, and a note
    naming the lines passed over (None, and the table as it was, if it
    ends with none)."""
    columns = [name for name in table.column_names if name != line_column]
    tail = table.slice(max(0, table.num_rows - MOST_FOOTER_LINES))
    cells = [_filled(row, columns) for row in tail.to_pylist()]
    # The footer is the run at the end of blank rows and rows of one cell of
    # text; it starts at its first blank row or its first known opening.
    start = len(cells)
    while start > 0 and len(cells[start - 1]) <= 1:
        start -= 1
    while start < len(cells) and cells[start] and not _whose(cells[start][0]):
        start += 1
    footer = cells[start:]
    texts = [row[0] for row in footer if row]
    if not footer or (texts and not _whose(texts[0])):
        return table, None
    whose = _whose(texts[0]) if texts else "blank rows"
    lines = tail.column(line_column).to_pylist()[start:]
    kept = table.slice(0, table.num_rows - len(footer))
    note = (
        f"lines {lines[0]} to {lines[-1]} are the download's footer ({whose}), not data"
    )
    return kept, note


def _filled(row: dict[str, object], columns: list[str]) -> list[str]:
    return [str(row[c]).strip() for c in columns if row[c] not in (None, "")]


def _whose(text: str) -> str | None:
    return next((who for who, rx in KNOWN_FOOTERS.items() if rx.match(text)), None)
