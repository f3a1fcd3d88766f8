"""Every ingest source is described and documented."""

from pathlib import Path

import pytest

from saferplaces.ingest.sources import all_sources

DOCS = Path(__file__).resolve().parents[2] / "docs" / "data" / "README.md"


@pytest.mark.parametrize("source", all_sources(), ids=lambda s: s.name)
def test_source_has_a_description_and_a_row_in_the_docs(source):
    assert source.title.strip()
    assert len(source.description) > 40
    assert f"| `{source.name}` | `{source.table}` |" in DOCS.read_text()


def test_every_source_can_read_its_files():
    for source in all_sources():
        assert source.reader or (source.columns and source.transform), source.name
