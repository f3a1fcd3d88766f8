"""Every setting saferplaces reads is documented in docs/configuration.md."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_documented():
    source = (ROOT / "saferplaces" / "config" / "settings.py").read_text()
    read = set(re.findall(r'"((?:SAFERPLACES_[A-Z_]+)|DATABASE_URL)"', source))
    documented = (ROOT / "docs" / "configuration.md").read_text()
    assert read, "found no settings: has settings.py moved?"
    assert sorted(name for name in read if f"`{name}`" not in documented) == []
