"""Tables as CSV and XLSX downloads, safe to open in a spreadsheet.

Text that starts like a formula (=, +, -, @, tab, return) is prefixed with
an apostrophe, so Excel or LibreOffice shows it rather than running it (CSV
injection): area names, statements and update texts can come from files and
forms. Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from django.http import HttpResponse, StreamingHttpResponse

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A streamed CSV is sent in pieces of about this many characters.
CHUNK_CHARACTERS = 64 * 1024

R = TypeVar("R", HttpResponse, StreamingHttpResponse)

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


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The CSV text of ``header`` and ``rows`` in pieces of about
    ``CHUNK_CHARACTERS``, cells made safe: for a table too large to hold
    whole (the audit log). Pieces, not lines: a server writes each piece
    to the socket on its own."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        if buffer.tell() >= CHUNK_CHARACTERS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_stream(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """A CSV attachment sent as it is made, never held whole."""
    response = StreamingHttpResponse(
        (text.encode() for text in csv_chunks(header, rows)),
        content_type="text/csv; charset=utf-8",
    )
    return _attachment(response, filename)


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


def _attachment(response: R, filename: str) -> R:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
