"""Templates are read a line at a time: no line past 200 characters (one
element per line where they were long), and the GOV.UK error summary is
written once, in the shared template the ``error_summary`` tag draws."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "saferplaces"
LONGEST = 200
SHARED_SUMMARY = ROOT / "lib" / "templates" / "govuk" / "error_summary.html"


def templates() -> list[Path]:
    found = sorted(ROOT.rglob("templates/**/*.html"))
    assert len(found) > 50, "found too few templates: have they moved?"
    return found


def test_no_template_line_is_longer_than_200_characters():
    long = [
        f"{path.relative_to(ROOT)}:{number}: {len(line)} characters"
        for path in templates()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if len(line) > LONGEST
    ]
    assert long == []


def test_the_error_summary_is_written_only_in_the_shared_template():
    writing = [
        str(path.relative_to(ROOT))
        for path in templates()
        if "govuk-error-summary" in path.read_text()
    ]
    assert writing == [str(SHARED_SUMMARY.relative_to(ROOT))]
