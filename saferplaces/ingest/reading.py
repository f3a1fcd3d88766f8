"""Finding input files and reading CSVs into Arrow with their line numbers.

Files come as paths, folders (searched recursively) or the .zip archives
data.police.uk hands out. Every file is read into a table of strings with a
``_line`` column giving the line each row started on, so a rejected row can
be reported where the analyst will find it.

Clean files (no quotes, no blank lines, valid UTF-8) take Arrow's
multi-threaded reader. Anything irregular (quoted fields, blank lines,
Windows-1252 bytes, rows with the wrong number of fields) takes Python's csv
module, which is slower but knows exactly which line each record came from.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import mmap
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

LINE = "_line"
CHUNK = 1 << 20


class FileRefused(Exception):
    """A whole file cannot be read (wrong header, wrong encoding, not a CSV)."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


@dataclass(frozen=True)
class InputFile:
    """One CSV to load: a file on disk or a member of a zip archive."""

    name: str
    path: Path
    member: str | None = None

    def read_bytes(self) -> bytes:
        if self.member is None:
            return self.path.read_bytes()
        with zipfile.ZipFile(self.path) as archive:
            return archive.read(self.member)

    def size(self) -> int:
        """Bytes of content (a zip member's as its archive states it)."""
        if self.member is None:
            return self.path.stat().st_size
        with zipfile.ZipFile(self.path) as archive:
            return archive.getinfo(self.member).file_size

    def sha256(self) -> str:
        digest = hashlib.sha256()
        if self.member is None:
            with open(self.path, "rb") as handle:
                while chunk := handle.read(CHUNK):
                    digest.update(chunk)
        else:
            with zipfile.ZipFile(self.path) as archive, archive.open(self.member) as f:
                while chunk := f.read(CHUNK):
                    digest.update(chunk)
        return digest.hexdigest()


def discover(paths: Iterable[Path], wanted: Callable[[str], bool]) -> list[InputFile]:
    """Expand files, folders and zip archives into the CSVs to load.

    A file named on the command line is always taken; inside folders and
    archives only names that ``wanted`` accepts (e.g. ``*-street.csv``).
    """
    found: list[InputFile] = []
    for path in paths:
        if not path.exists():
            raise FileRefused(str(path), "no such file or folder")
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.suffix.lower() == ".zip":
                    found += _zip_members(child, wanted)
                elif child.is_file() and wanted(child.name):
                    found.append(InputFile(str(child), child))
        elif path.suffix.lower() == ".zip":
            found += _zip_members(path, wanted)
        else:
            found.append(InputFile(str(path), path))
    return found


def _zip_members(path: Path, wanted: Callable[[str], bool]) -> list[InputFile]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = sorted(
                info.filename
                for info in archive.infolist()
                if not info.is_dir() and wanted(Path(info.filename).name)
            )
    except zipfile.BadZipFile:
        raise FileRefused(str(path), "is not a readable zip archive") from None
    return [InputFile(f"{path}!{name}", path, name) for name in names]


@dataclass
class ParsedFile:
    """A CSV as a table of strings, plus what could not be read as rows."""

    table: pa.Table
    malformed: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_csv(source: InputFile, columns: list[str]) -> ParsedFile:
    """Read ``source`` whose header must be exactly ``columns``.

    Raises ``FileRefused`` for a wrong header, UTF-16 or binary content.
    """
    if source.member is not None:
        data = source.read_bytes()
        offset = _inspect(source.name, data, columns)
        fast = _read_fast(pa.py_buffer(data), columns) if offset is None else None
        return fast or _read_exact(source.name, _without_bom(data), columns)
    with open(source.path, "rb") as handle:
        if handle.seek(0, 2) == 0:
            raise FileRefused(source.name, "is empty")
        # Scanned through a memory map that is closed before Arrow reads the
        # file by its path, so no Arrow buffer can outlive the map.
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            offset = _inspect(source.name, mapped, columns)
    fast = _read_fast(str(source.path), columns) if offset is None else None
    if fast is not None:
        return fast
    return _read_exact(source.name, _without_bom(source.path.read_bytes()), columns)


def header_of(item: InputFile) -> list[str]:
    """The column names of a CSV, for sources that pick columns by name."""
    if item.member:
        raw = item.read_bytes()[:65536]
    else:
        with open(item.path, "rb") as handle:
            raw = handle.read(65536)
    first = raw.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace").rstrip("\r")
    return [column.strip() for column in next(csv.reader([first]), [])]


def check_header(
    source: InputFile, columns: list[str], *, newline_ended: bool = False
) -> None:
    """Refuse the file now, before anything is written, if its header or
    encoding is wrong, if it holds binary content anywhere or if it ends in
    the middle of a line (``newline_ended``: its publisher ends every line
    with a newline, so a last line without one that ends in a comma was cut
    right after it)."""
    if source.member is not None:
        _inspect(source.name, source.read_bytes(), columns, newline_ended)
        return
    with open(source.path, "rb") as handle:
        if handle.seek(0, 2) == 0:
            raise FileRefused(source.name, "is empty")
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            _inspect(source.name, mapped, columns, newline_ended)


def _without_bom(data: bytes) -> bytes:
    return data[3:] if data[:3] == b"\xef\xbb\xbf" else data


def _inspect(
    name: str,
    data: bytes | mmap.mmap,
    columns: list[str],
    newline_ended: bool = False,
) -> int | None:
    """Refuse unreadable files and check the header.

    Returns None when Arrow's fast reader may be used, else the offset of
    the header (after any BOM) for the exact reader.
    """
    if not len(data):
        raise FileRefused(name, "is empty")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise FileRefused(name, "is UTF-16 text; save it as UTF-8 (CSV UTF-8)")
    # Anywhere in the file, not only its start: one damaged row must not
    # turn into a load that replaces a month with the rows before it.
    nul = data.find(b"\x00")
    if nul != -1:
        line = data[:nul].count(b"\n") + 1
        raise FileRefused(
            name,
            f"contains a NUL byte on line {line}: it is binary or damaged, not a "
            "CSV text file",
        )
    _refuse_cut_off(name, data, len(columns), newline_ended)
    offset = 3 if data[:3] == b"\xef\xbb\xbf" else 0
    end = data.find(b"\n", offset)
    header_bytes = bytes(data[offset : end if end != -1 else len(data)])
    header = next(csv.reader([_decode(header_bytes)[0].rstrip("\r")]), [])
    _check_header(name, [h.strip() for h in header], columns)
    # Quotes need the exact reader to number lines right. Blank lines do not
    # need a scan here: the fast readers keep them as rows of the wrong width,
    # which sends the file to the exact reader too.
    irregular = data.find(b'"') != -1
    return offset if irregular else None


def _refuse_cut_off(
    name: str, data: bytes | mmap.mmap, width: int, newline_ended: bool
) -> None:
    """Refuse a file whose last line is not whole: what an interrupted
    download or copy leaves behind. A line is whole when a newline ends it;
    without one, it must have every column and its quotes closed, and, where
    the publisher ends every line with a newline, not end in a comma (a line
    cut right after its last comma looks whole otherwise). Not everywhere:
    Nomis's census files end in a footnote line with a comma and no newline."""
    if data[-1:] == b"\n":
        return
    start = data.rfind(b"\n") + 1
    if start == 0:
        return  # a header alone; the header check speaks for it
    line = data[:start].count(b"\n") + 1
    raw = bytes(data[start:])
    last = raw.decode("utf-8", errors="replace").rstrip("\r")
    fields = next(csv.reader([last]), [])
    if _quotes(data) % 2:
        why = "inside a quoted field"
    elif len(fields) < width:
        why = f"{len(fields)} of {width} columns"
    elif newline_ended and last.endswith(","):
        why = "right after a comma, with no newline: its last field may be gone"
    else:
        return
    raise FileRefused(
        name,
        f"ends in the middle of line {line} ({why}): it looks cut off, as an "
        "interrupted download leaves a file; fetch it again (if the line is "
        "whole, end it with a newline)",
    )


def _quotes(data: bytes | mmap.mmap) -> int:
    """How many double quotes ``data`` holds: an odd count means it ends
    inside a quoted field (a quote within one is written twice)."""
    return sum(
        bytes(data[start : start + CHUNK]).count(b'"')
        for start in range(0, len(data), CHUNK)
    )


def _decode(raw: bytes) -> tuple[str, str | None]:
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as error:
        position = raw.count(b"\n", 0, error.start) + 1
        note = (
            f"bytes that are not UTF-8 (first on line {position}) were read as "
            "Windows-1252, the encoding Excel uses for CSV"
        )
        return raw.decode("cp1252", errors="replace"), note


def _check_header(name: str, found: list[str], expected: list[str]) -> None:
    if found == expected:
        return
    known = set(expected)
    present = set(found)
    missing = [c for c in expected if c not in present]
    unexpected = [c for c in found if c not in known]
    detail = []
    if missing:
        detail.append(f"missing {_some(missing)}")
    if unexpected:
        detail.append(f"unexpected {_some(unexpected)}")
    if not detail:
        detail.append("columns are in a different order")
    raise FileRefused(
        name,
        "header does not match: "
        + "; ".join(detail)
        + f". Expected: {','.join(expected)}",
    )


def _some(names: list[str], most: int = 10, longest: int = 60) -> str:
    """A few names, each cut short: a header of a million columns must not
    make a message of a million names."""
    shown = [name if len(name) <= longest else name[:longest] + "..." for name in
             names[:most]]  # fmt: skip
    more = f" and {len(names) - most:,} more" if len(names) > most else ""
    return ", ".join(shown) + more


class _InvalidRows(list[str]):
    """Collects rows of the wrong width that Arrow's reader skips."""

    def __call__(self, row: pacsv.InvalidRow) -> str:
        self.append(row.text)
        return "skip"


def _read_fast(source: str | pa.Buffer, columns: list[str]) -> ParsedFile | None:
    """Arrow's reader; None when the file needs the exact reader after all."""
    invalid = _InvalidRows()
    try:
        table = pacsv.read_csv(
            source,
            read_options=pacsv.ReadOptions(column_names=columns, skip_rows=1),
            parse_options=_parse_options(invalid),
            convert_options=_string_options(columns),
        )
    except pa.ArrowInvalid:
        return None  # e.g. invalid UTF-8: the exact reader decodes it
    if invalid:
        return None
    lines = _line_numbers(2, table.num_rows)
    return ParsedFile(_without_blank_lines(table.append_column(LINE, lines)))


def _without_blank_lines(table: pa.Table) -> pa.Table:
    """Arrow keeps blank lines as rows of empty fields when told not to skip
    them, which keeps line numbers true; drop those rows once numbered."""
    if table.num_rows == 0:
        return table
    # Byte lengths come straight from the offsets, so this costs next to
    # nothing on a file with no blank lines (most of them).
    text = [name for name in table.column_names if name != LINE]
    lengths = [pc.binary_length(table.column(name)) for name in text]
    empty = pc.equal(functools.reduce(pc.add, lengths), 0)
    if not pc.any(empty).as_py():
        return table
    return table.filter(pc.invert(empty))


def _read_exact(name: str, raw: bytes, columns: list[str]) -> ParsedFile:
    text, note = _decode(raw)
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    next(reader, None)  # the header, already checked
    values: list[list[str]] = [[] for _ in columns]
    lines: list[int] = []
    malformed: list[tuple[int, str]] = []
    start = reader.line_num + 1
    width = len(columns)
    for record in reader:
        if record and len(record) == width:
            for column, value in zip(values, record, strict=True):
                column.append(value)
            lines.append(start)
        elif record and any(value.strip() for value in record):
            malformed.append((start, f"expected {width} fields, found {len(record)}"))
        start = reader.line_num + 1
    table = pa.table(
        {
            **{
                c: pa.array(v, pa.string())
                for c, v in zip(columns, values, strict=True)
            },
            LINE: pa.array(lines, pa.int32()),
        }
    )
    return ParsedFile(table, malformed, [note] if note else [])


class NeedsExactReader(Exception):
    """A file that looked regular turned out to have rows of the wrong width."""


@dataclass
class ParsedBatch:
    table: pa.Table
    malformed: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


STREAM_BLOCK = 1 << 20  # larger blocks measured slower (cache)
# Rows checked at a time: below ~50k per-call overhead dominates; above,
# the batches in flight cost memory (measured: bench/ingest.py).
STREAM_ROWS = 65_536


def _coalesced(
    batches: Iterable[pa.RecordBatch], rows: int
) -> Iterator[list[pa.RecordBatch]]:
    pending: list[pa.RecordBatch] = []
    count = 0
    for batch in batches:
        pending.append(batch)
        count += batch.num_rows
        if count >= rows:
            yield pending
            pending, count = [], 0
    if pending:
        yield pending


def iter_csv(
    source: InputFile, columns: list[str], exact: bool = False
) -> Iterator[ParsedBatch]:
    """Read ``source`` in batches, so a large file never sits in memory whole.

    Regular files (see ``read_csv``) stream through Arrow's reader, numbering
    lines as they go; ``NeedsExactReader`` is raised if a row of the wrong
    width turns up, and the caller starts again with ``exact=True``.
    Irregular files and zip members are read whole by ``read_csv``.
    """
    regular = False
    if source.member is None and not exact:
        with open(source.path, "rb") as handle:
            if handle.seek(0, 2) == 0:
                raise FileRefused(source.name, "is empty")
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                regular = _inspect(source.name, mapped, columns) is None
    if not regular:
        parsed = read_csv(source, columns)
        yield ParsedBatch(parsed.table, parsed.malformed, parsed.notes)
        return
    invalid = _InvalidRows()
    try:
        reader = pacsv.open_csv(
            str(source.path),
            read_options=pacsv.ReadOptions(
                column_names=columns, skip_rows=1, block_size=STREAM_BLOCK
            ),
            parse_options=_parse_options(invalid),
            convert_options=_string_options(columns),
        )
        line = 2
        for batches in _coalesced(reader, STREAM_ROWS):
            if invalid:
                raise NeedsExactReader(source.name)
            table = pa.Table.from_batches(batches)
            numbered = table.append_column(LINE, _line_numbers(line, table.num_rows))
            line += table.num_rows
            yield ParsedBatch(_without_blank_lines(numbered))
    except pa.ArrowInvalid:
        raise NeedsExactReader(source.name) from None  # e.g. not UTF-8
    if invalid:
        raise NeedsExactReader(source.name)


def _line_numbers(first: int, count: int) -> pa.Array:
    return pa.array(numpy.arange(first, first + count, dtype=numpy.int32))


def _parse_options(invalid: _InvalidRows) -> pacsv.ParseOptions:
    # Blank lines are kept as rows (dropped after numbering) so that line
    # numbers stay true.
    return pacsv.ParseOptions(invalid_row_handler=invalid, ignore_empty_lines=False)


def _string_options(columns: list[str]) -> pacsv.ConvertOptions:
    return pacsv.ConvertOptions(
        column_types={c: pa.string() for c in columns},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
