"""Whatever text a row holds, validation reports it; it never crashes."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saferplaces.ingest.police_uk import CRIME_TYPES, STREET_COLUMNS, street_crime
from saferplaces.ingest.reading import FileRefused, InputFile, read_csv
from saferplaces.ingest.validation import RowChecks

field_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "2024-01", "-1.9", "52.4", "E01009001", *CRIME_TYPES]),
)
rows = st.lists(st.lists(field_text, min_size=12, max_size=12), min_size=1, max_size=20)


def parsed_file(tmp_path, rows):
    """The rows written as a street-crime CSV and read back."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(STREET_COLUMNS)
    writer.writerows(rows)
    path = tmp_path / "2024-01-fuzz-street.csv"
    path.write_text(buffer.getvalue())
    source = InputFile(str(path), path)
    return source, read_csv(source, STREET_COLUMNS)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(rows=rows)
def test_street_validation_never_raises(tmp_path, rows):
    try:
        source, parsed = parsed_file(tmp_path, rows)
    except FileRefused:
        return  # a documented refusal is a fine answer
    checks = RowChecks(source.name, parsed.table)
    canonical = street_crime(checks, source)
    accepted = canonical.filter(checks.accepted())
    rejected_lines = set(checks.rejects().column("line").to_pylist())
    assert accepted.num_rows + len(rejected_lines) == parsed.table.num_rows


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(rows=rows)
def test_checking_value_by_value_gives_the_same_answer_as_row_by_row(
    tmp_path, monkeypatch, rows
):
    """``few_values`` is only a speed-up: rows, rejects and values must agree."""
    try:
        source, parsed = parsed_file(tmp_path, rows)
    except FileRefused:
        return

    def checked() -> tuple[object, object]:
        checks = RowChecks(source.name, parsed.table)
        canonical = street_crime(checks, source)
        return canonical.filter(checks.accepted()), checks.rejects()

    by_value = checked()
    with monkeypatch.context() as patch:
        patch.setattr(RowChecks, "few_values", lambda self, *names: None)
        by_row = checked()
    assert by_value[0].equals(by_row[0])
    assert by_value[1].equals(by_row[1])
