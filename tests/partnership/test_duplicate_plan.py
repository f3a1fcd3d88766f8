"""A second plan with the same partnership, title and period is refused
unless the person says they mean it (issue 29, finding 9: it imported
without a word): on the command line with --allow-duplicate, in the
service's new-plan form with a box to tick."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.cli import main
from saferplaces.partnership.models import Partnership, Plan
from saferplaces.partnership.plan_file import PlanFileError, import_plan

pytestmark = pytest.mark.django_db

SMALL_PLAN = (
    Path(__file__).resolve().parents[1] / "fixtures" / "plans" / "small-plan.yaml"
)


def under_another_slug(tmp_path: Path) -> Path:
    """The small plan again: same partnership, title and period, new slug."""
    text = SMALL_PLAN.read_text()
    assert "slug: example-south-2014-15" in text
    path = tmp_path / "again.yaml"
    path.write_text(text.replace("slug: example-south-2014-15", "slug: again"))
    return path


def test_the_same_plan_under_another_slug_is_refused(tmp_path):
    first = import_plan(SMALL_PLAN)
    with pytest.raises(PlanFileError) as refused:
        import_plan(under_another_slug(tmp_path))
    message = str(refused.value)
    assert f"a plan with this title and period exists already ({first.slug})" in message
    assert "--allow-duplicate" in message
    assert Plan.objects.count() == 1


def test_the_command_line_imports_a_duplicate_when_told_to(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    import_plan(SMALL_PLAN)
    again = str(under_another_slug(tmp_path))
    refused = CliRunner().invoke(main, ["plan", "import", again])
    assert refused.exit_code != 0
    assert "exists already" in refused.output
    assert "Traceback" not in refused.output
    done = CliRunner().invoke(main, ["plan", "import", "--allow-duplicate", again])
    assert done.exit_code == 0, done.output
    assert Plan.objects.count() == 2


def test_the_new_plan_form_asks_before_a_duplicate(client, make_user):
    home = Partnership.objects.create(name="Northfield LDG", slug="northfield")
    client.force_login(make_user(Role.ADMINISTRATOR, partnerships=[home]))
    typed = {"partnership": home.pk, "title": "Northfield plan 2015/16",
             "slug": "northfield-2015-16", "starts": "2015-04-01",
             "ends": "2016-03-31"}  # fmt: skip
    url = reverse("partnership:plan_new")
    assert client.post(url, typed).status_code == 302
    again = client.post(url, {**typed, "slug": "northfield-copy"})
    assert again.status_code == 400
    html = again.content.decode()
    assert "has a plan with this title and period already" in html
    assert 'value="northfield-copy"' in html
    confirmed = {**typed, "slug": "northfield-copy", "allow_duplicate": "on"}
    assert client.post(url, confirmed).status_code == 302
    assert Plan.objects.filter(partnership=home).count() == 2
