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

import codecs
import csv
import functools
import hashlib
import io
import mmap
import os
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

LINE = "_line"
CHUNK = 1 << 20
# The csv module's limit on one field (131,072 characters unless changed):
# a longer field refuses the file, whichever reader meets it.
FIELD_LIMIT = csv.field_size_limit()
# A zip member is unpacked (streamed, never read whole) only up to these: a
# zip bomb is refused, not unpacked. police.uk's largest monthly file is
# about 30 MB, and CSV text deflates about 4 to 25 to 1; a bomb, near 1,000.
MOST_MEMBER_BYTES = 4 << 30
MOST_RATIO = 100
# Smaller members are not judged by their ratio: however well they compress,
# they cannot hurt (a small file of repeated rows compresses very well).
RATIO_FLOOR = 16 << 20


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


def unpack(item: InputFile, folder: Path) -> InputFile:
    """A zip member, unpacked into ``folder`` in chunks (so the loader reads
    it as any file: streamed, never whole); a file on disk as it is.

    A member past ``MOST_MEMBER_BYTES``, or compressed more than
    ``MOST_RATIO`` to 1, is refused: what the archive says is checked first,
    and the bytes unpacked as they come, since an archive can lie."""
    if item.member is None:
        return item
    handle, target = tempfile.mkstemp(dir=folder, suffix=f"-{Path(item.member).name}")
    try:
        with zipfile.ZipFile(item.path) as archive, os.fdopen(handle, "wb") as out:
            info = archive.getinfo(item.member)
            _judge_member(item.name, info.file_size, info.compress_size)
            with archive.open(info) as member:
                unpacked = 0
                while chunk := member.read(CHUNK):
                    unpacked += len(chunk)
                    _judge_member(item.name, unpacked, info.compress_size)
                    out.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError):
        raise FileRefused(
            item.name, "cannot be unpacked: the zip archive is damaged"
        ) from None
    except RuntimeError:  # what zipfile raises for an encrypted member
        raise FileRefused(
            item.name, "is encrypted: unpack it yourself and load the file"
        ) from None
    return InputFile(item.name, Path(target))


def _judge_member(name: str, unpacked: int, packed: int) -> None:
    if unpacked > MOST_MEMBER_BYTES:
        raise FileRefused(
            name,
            f"is larger than {MOST_MEMBER_BYTES:,} bytes unpacked: a zip bomb, "
            "or far more than one file of this kind holds; if it is right, "
            "unpack it yourself and load the file",
        )
    if unpacked > RATIO_FLOOR and unpacked > MOST_RATIO * max(packed, 1):
        raise FileRefused(
            name,
            f"is compressed more than {MOST_RATIO} to 1 ({packed:,} bytes "
            f"unpack to over {unpacked:,}): CSV text compresses far less, a zip "
            "bomb this much; if it is right, unpack it yourself and load the file",
        )


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
    """Read ``source`` whose header must be exactly ``columns``, whole (for
    sources that need every row at once; loads stream with ``iter_csv``).

    Raises ``FileRefused`` for a wrong header, UTF-16 or binary content.
    """
    offset = _inspected(source, columns)
    fast = _read_fast(str(source.path), columns) if offset is None else None
    if fast is not None:
        return fast
    batches = list(_read_exact(source, columns))
    return ParsedFile(
        pa.concat_tables([batch.table for batch in batches]),
        [line for batch in batches for line in batch.malformed],
        [note for batch in batches for note in batch.notes],
    )


def _inspected(source: InputFile, columns: list[str]) -> int | None:
    """``_inspect`` of a file on disk (a zip member is unpacked first)."""
    if source.member is not None:
        raise ValueError(f"{source.name}: unpack() a zip member before reading it")
    with open(source.path, "rb") as handle:
        if handle.seek(0, 2) == 0:
            raise FileRefused(source.name, "is empty")
        # Scanned through a memory map that is closed before Arrow reads the
        # file by its path, so no Arrow buffer can outlive the map.
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return _inspect(source.name, mapped, columns)


def header_of(item: InputFile) -> list[str]:
    """The column names of a CSV, for sources that pick columns by name."""
    if item.member:
        with zipfile.ZipFile(item.path) as archive, archive.open(item.member) as f:
            raw = f.read(65536)
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
        raise ValueError(f"{source.name}: unpack() a zip member before reading it")
    with open(source.path, "rb") as handle:
        if handle.seek(0, 2) == 0:
            raise FileRefused(source.name, "is empty")
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            _inspect(source.name, mapped, columns, newline_ended)


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
        return raw.decode("cp1252", errors="replace"), _not_utf8(position)


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
    if invalid or _has_long_field(table):
        return None
    lines = _line_numbers(2, table.num_rows)
    return ParsedFile(_without_blank_lines(table.append_column(LINE, lines)))


def _has_long_field(table: pa.Table) -> bool:
    """A field of more than FIELD_LIMIT bytes (from the offsets: cheap)."""
    return any(
        (pc.max(pc.binary_length(column)).as_py() or 0) > FIELD_LIMIT
        for column in table.columns
        if pa.types.is_string(column.type)
    )


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


def _read_exact(source: InputFile, columns: list[str]) -> Iterator[ParsedBatch]:
    """Python's csv module, which knows exactly which line each record came
    from, ``STREAM_ROWS`` records at a time: a batch, never the whole file,
    is held as Python strings (about 12 times the bytes they came from)."""
    encoding, note = _encoding_of(source.path)
    with open(source.path, "rb") as raw:
        if raw.read(3) != b"\xef\xbb\xbf":
            raw.seek(0)
        text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
        reader = csv.reader(text, strict=False)
        batch = _ExactBatch(columns)
        start = 1
        try:
            next(reader, None)  # the header, already checked
            start = reader.line_num + 1
            for record in reader:
                batch.add(start, record)
                start = reader.line_num + 1
                if batch.rows >= STREAM_ROWS:
                    yield batch.parsed(note)
                    batch, note = _ExactBatch(columns), None
        except csv.Error:
            # Its only error with strict=False and NULs refused before.
            raise FileRefused(
                source.name,
                f"line {start} has a field of more than {FIELD_LIMIT:,} "
                "characters (or an opening quote that is never closed): it is "
                "damaged or not this kind of file",
            ) from None
    yield batch.parsed(note)


class _ExactBatch:
    """Records of one batch as columns of strings, and the malformed lines."""

    def __init__(self, columns: list[str]) -> None:
        self.columns = columns
        self.values: list[list[str]] = [[] for _ in columns]
        self.lines: list[int] = []
        self.malformed: list[tuple[int, str]] = []

    @property
    def rows(self) -> int:
        return len(self.lines) + len(self.malformed)

    def add(self, line: int, record: list[str]) -> None:
        width = len(self.columns)
        if record and len(record) == width:
            for column, value in zip(self.values, record, strict=True):
                column.append(value)
            self.lines.append(line)
        elif record and any(value.strip() for value in record):
            self.malformed.append(
                (line, f"expected {width} fields, found {len(record)}")
            )

    def parsed(self, note: str | None) -> ParsedBatch:
        table = pa.table(
            {
                **{
                    c: pa.array(v, pa.string())
                    for c, v in zip(self.columns, self.values, strict=True)
                },
                LINE: pa.array(self.lines, pa.int32()),
            }
        )
        return ParsedBatch(table, self.malformed, [note] if note else [])


def _encoding_of(path: Path) -> tuple[str, str | None]:
    """UTF-8, else Windows-1252 with a note naming the first line that is
    not UTF-8 (the file is read in chunks, never whole)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            held = len(decoder.getstate()[0])  # an unfinished character
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                line = lines + chunk.count(b"\n", 0, max(error.start - held, 0)) + 1
                return "cp1252", _not_utf8(line)
            lines += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252", _not_utf8(lines + 1)
    return "utf-8", None


def _not_utf8(line: int) -> str:
    return (
        f"bytes that are not UTF-8 (first on line {line}) were read as "
        "Windows-1252, the encoding Excel uses for CSV"
    )


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
    Irregular files stream through the exact reader. A zip member must be
    unpacked first (``unpack``).
    """
    regular = _inspected(source, columns) is None
    if exact or not regular:
        yield from _read_exact(source, columns)
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
            if _has_long_field(table):
                raise NeedsExactReader(source.name)  # which refuses it, by line
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
