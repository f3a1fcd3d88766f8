"""The tasking pack as a PDF (issue 15): its pages turned into images
(pdftoppm) and its text read back (pdftotext)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.urls import reverse

from saferplaces.accounts.models import Role
from tests.factories import road_safety_plan

SECTIONS = [
    "Contents", "1. Crime and anti-social behaviour",
    "2. Places with the most incidents", "4. Road safety",
    "5. Community concerns", "6. The plan's open actions here",
]  # fmt: skip
pytestmark = pytest.mark.skipif(
    not shutil.which("pdftoppm"),
    reason="poppler-utils is not installed (make test installs it)",
)


def test_the_pack_prints_with_contents_map_and_page_numbers(
    client, db, settings, demo_data, tmp_path, make_user
):
    settings.DATA_DIR = demo_data
    settings.MEDIA_ROOT = tmp_path / "uploads"
    road_safety_plan()
    client.force_login(make_user(Role.VIEWER))
    url = reverse("tasking:pack_pdf", kwargs={"code": "SYN-D03"})
    response = client.get(url, {"from": "2014-04", "to": "2015-03"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(response.content)

    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
        check=True,
    ).stdout  # fmt: skip
    for section in SECTIONS:
        assert section in text, section
    assert "SYNTHETIC DATA" in text
    assert "Figures as of load" in text
    pages = text.count("\f")
    assert pages >= 2
    assert f"Page 1 of {pages}" in text
    assert "Selly Oak" in text

    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == pages
    # The map is drawn: its hot cells' dark purple is on a page.
    assert max(dark_purple(image) for image in images) > 20


def dark_purple(path) -> int:
    from PIL import Image

    with Image.open(path) as page:
        colours = page.convert("RGB").getcolors(maxcolors=1_000_000) or []
    return sum(
        count
        for count, (r, g, b) in colours
        if abs(r - 84) + abs(g - 39) + abs(b - 143) < 30
    )
