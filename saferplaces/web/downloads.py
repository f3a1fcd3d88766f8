"""Tables as CSV and XLSX downloads, safe to open in a spreadsheet.

Text that starts like a formula (=, +, -, @, tab, return) is prefixed with
an apostrophe, so Excel or LibreOffice shows it rather than running it (CSV
injection): area names, statements and update texts can come from files and
forms. Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Sheet = tuple[str, Sequence[str], Iterable[Sequence[Any]]]  # title, header, rows


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def csv_download(
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    comments: Iterable[tuple[str, str]] = (),
) -> HttpResponse:
    """A CSV attachment; ``comments`` become "# key,value" lines above it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([f"# {key}", safe_cell(value)] for key, value in comments)
    writer.writerow(header)
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return _attachment(
        HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8"),
        filename,
    )


def xlsx_download(filename: str, sheets: Sequence[Sheet]) -> HttpResponse:
    """An XLSX attachment with one worksheet per (title, header, rows)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.worksheets[0])
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        if header:
            sheet.append(list(header))
        for row in rows:
            sheet.append([safe_cell(value) for value in row])
    output = io.BytesIO()
    book.save(output)
    return _attachment(
        HttpResponse(output.getvalue(), content_type=XLSX_TYPE), filename
    )


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
