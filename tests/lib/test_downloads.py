"""CSV and XLSX downloads neutralise text a spreadsheet would run."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from saferplaces.lib.downloads import csv_download, safe_cell, xlsx_download


def test_text_that_starts_like_a_formula_is_shown_not_run():
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert [safe_cell(t) for t in ("+1", "-1", "@SUM(A1)", "\tx")] == [
        "'+1", "'-1", "'@SUM(A1)", "'\tx",
    ]  # fmt: skip
    assert safe_cell(-5.0) == -5.0  # numbers stay numbers
    assert safe_cell("Selly Oak") == "Selly Oak"


def test_csv_and_xlsx_downloads_are_attachments_with_safe_cells():
    rows = [["=cmd|' /C calc'!A0", 12]]
    response = csv_download("t.csv", ["name", "n"], rows, comments=[("area", "=x")])
    assert response["Content-Disposition"] == 'attachment; filename="t.csv"'
    assert response.content.decode().splitlines() == [
        "# area,'=x",
        "name,n",
        "'=cmd|' /C calc'!A0,12",
    ]
    book = load_workbook(
        io.BytesIO(
            xlsx_download(
                "t.xlsx", [("Data", ["name", "n"], rows), ("About", [], [])]
            ).content
        )
    )
    assert book.sheetnames == ["Data", "About"]
    assert book["Data"]["A2"].value == "'=cmd|' /C calc'!A0"
    assert book["Data"]["B2"].value == 12
