"""Row checks over whole Arrow columns, and the rejects they produce.

A rule is a boolean column (true = the row passes) with the field it is about
and a reason in plain English. Every failing rule on a row becomes one line of
the rejects report (file, line, field, value, reason); a row that fails any
rule is left out of the load. No row loops in Python.

Columns that repeat a few values (month, force, crime type, LSOA code) can be
declared with ``few_values``: their checks and trims then run once per
distinct value and are mapped back to the rows, which is several times
faster than running a regular expression or a set lookup on every row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from saferplaces.codes import LSOA_CODE
from saferplaces.ingest.reading import LINE, InputFile

REJECT_SCHEMA = pa.schema(
    [
        ("file", pa.string()),
        ("line", pa.int32()),
        ("field", pa.string()),
        ("value", pa.string()),
        ("reason", pa.string()),
    ]
)


@dataclass
class RowChecks:
    """Collects rules for one file's table of strings."""

    file: str
    table: pa.Table
    _rules: list[tuple[pa.ChunkedArray, str, str]] = field(default_factory=list)
    # Fields whose rejected values must not be copied into the rejects file.
    withheld: set[str] = field(default_factory=set)
    _blanks: dict[str, pa.ChunkedArray | pa.Array] = field(default_factory=dict)
    _coded: dict[str, pa.DictionaryArray] = field(default_factory=dict)

    def column(self, name: str) -> pa.ChunkedArray:
        return self.table.column(name)

    def few_values(self, *names: str) -> None:
        """Check these columns value by value rather than row by row."""
        for name in names:
            if name not in self._coded:
                coded = pc.dictionary_encode(self.column(name)).combine_chunks()
                self._coded[name] = coded

    def _per_row(self, name: str, per_value: pa.Array) -> pa.Array:
        """``per_value`` (one entry per distinct value of ``name``) for every row."""
        return pc.take(per_value, self._coded[name].indices)

    def blank(self, name: str) -> pa.ChunkedArray | pa.Array:
        if name not in self._blanks:
            if name in self._coded:
                values = self._coded[name].dictionary
                blank = pc.equal(pc.utf8_trim_whitespace(values), "")
                self._blanks[name] = self._per_row(name, blank)
            else:
                trimmed = pc.utf8_trim_whitespace(self.column(name))
                self._blanks[name] = pc.equal(trimmed, "")
        return self._blanks[name]

    def text(self, name: str) -> pa.ChunkedArray | pa.Array:
        """Trimmed text with blanks as nulls, for the canonical tables."""
        if name in self._coded:
            return self._per_row(name, blank_to_null(self._coded[name].dictionary))
        return blank_to_null(self.column(name))

    def trimmed(self, name: str) -> pa.ChunkedArray | pa.Array:
        """Trimmed text (blank stays blank)."""
        if name in self._coded:
            values = pc.utf8_trim_whitespace(self._coded[name].dictionary)
            return self._per_row(name, values)
        return pc.utf8_trim_whitespace(self.column(name))

    def rule(self, passes: pa.ChunkedArray | pa.Array, name: str, reason: str) -> None:
        """Rows where ``passes`` is false (or null) are rejected for ``reason``."""
        self._rules.append((pc.fill_null(passes, False), name, reason))

    def required(self, name: str) -> None:
        self.rule(pc.invert(self.blank(name)), name, f"{name} is required")

    def matches(self, name: str, pattern: str, reason: str, *, optional: bool) -> None:
        ok = self._each(name, lambda v: pc.match_substring_regex(v, pattern))
        if optional:
            ok = pc.or_kleene(ok, self.blank(name))
        self.rule(ok, name, reason)

    def one_of(self, name: str, allowed: list[str], *, optional: bool) -> None:
        value_set = pa.array(allowed, pa.string())
        ok = self._each(name, lambda v: pc.is_in(v, value_set=value_set))
        if optional:
            ok = pc.or_kleene(ok, self.blank(name))
        shown = ", ".join(allowed[:6]) + (", ..." if len(allowed) > 6 else "")
        self.rule(ok, name, f"{name} must be one of: {shown}")

    def _each(
        self, name: str, test: Callable[[Any], Any]
    ) -> pa.ChunkedArray | pa.Array:
        """``test`` on the column, once per distinct value where declared."""
        if name in self._coded:
            return self._per_row(name, test(self._coded[name].dictionary))
        return test(self.column(name))

    def date(self, name: str) -> Any:
        """The column as dates; a row that is not a real YYYY-MM-DD is rejected."""
        text = self.trimmed(name)
        real = real_dates(text, "%Y-%m-%d")
        self.rule(pc.is_valid(real), name, f"{name} must be a date written YYYY-MM-DD")
        return real

    def accepted(self) -> pa.ChunkedArray | pa.Array:
        """True for rows that pass every rule."""
        passes: pa.ChunkedArray | pa.Array = pa.repeat(
            pa.scalar(True), self.table.num_rows
        )
        for ok, _, _ in self._rules:
            passes = pc.and_kleene(passes, ok)
        return passes

    def _shown_values(self, rows: pa.Table, name: str) -> Any:
        if name in self.withheld:
            return pa.repeat(
                pa.scalar("(withheld: may be personal data)"), rows.num_rows
            )
        if name in rows.column_names:
            return rows.column(name)
        return pa.nulls(rows.num_rows, pa.string())

    def rejects(self) -> pa.Table:
        parts = []
        for ok, name, reason in self._rules:
            failing = pc.invert(ok)
            if not pc.any(failing).as_py():
                continue
            rows = self.table.filter(failing)
            count = rows.num_rows
            parts.append(
                pa.table(
                    {
                        "file": pa.repeat(pa.scalar(self.file), count),
                        "line": rows.column(LINE),
                        "field": pa.repeat(pa.scalar(name), count),
                        "value": self._shown_values(rows, name),
                        "reason": pa.repeat(pa.scalar(reason), count),
                    },
                    schema=REJECT_SCHEMA,
                )
            )
        if not parts:
            return REJECT_SCHEMA.empty_table()
        return pa.concat_tables(parts).sort_by([("line", "ascending")])


def real_dates(text: Any, format: str) -> Any:
    """Dates parsed with ``format``; null where the text is not a real date.

    Arrow's parser takes 2024-02-30 (and rolls it over), so a date only
    counts when writing it back gives the same text.
    """
    parsed = pc.strptime(text, format=format, unit="s", error_is_null=True)
    same = pc.equal(pc.strftime(parsed, format=format), text)
    return pc.cast(pc.if_else(same, parsed, None), pa.date32())


def malformed_rejects(file: str, malformed: list[tuple[int, str]]) -> pa.Table:
    """Rows the CSV reader could not split into the right number of fields."""
    return pa.table(
        {
            "file": [file] * len(malformed),
            "line": pa.array([line for line, _ in malformed], pa.int32()),
            "field": [""] * len(malformed),
            "value": [""] * len(malformed),
            "reason": [reason for _, reason in malformed],
        },
        schema=REJECT_SCHEMA,
    )


def blank_to_null(column: pa.ChunkedArray | pa.Array) -> Any:
    """Trimmed text, with blank strings as nulls, for the canonical tables."""
    trimmed = pc.utf8_trim_whitespace(column)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def provenance_columns(checks: RowChecks, source: InputFile) -> dict[str, Any]:
    """Which file and line each row came from."""
    return {
        "source_file": pa.repeat(pa.scalar(source.name), checks.table.num_rows),
        "source_line": checks.column(LINE),
    }


def lsoa_or_null(codes: pa.ChunkedArray | pa.Array) -> pa.Array:
    """The codes that are LSOA codes (English or Welsh), nulls elsewhere: the
    lsoa_code of a record whose area may be given at any level."""
    matches = pc.match_substring_regex(codes, LSOA_CODE)
    return pc.if_else(matches, codes, pa.scalar(None, pa.string()))
