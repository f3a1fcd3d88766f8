"""An action's "reduce it by 10%" with its baseline months stated sets a
target from those months (issue 29, finding 9): the overview's card and the
progress page show it, with six months loaded, not "no target set"; the
action's form takes the size and refuses one it cannot work out."""

from __future__ import annotations

import pytest
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.factories import (
    ActionFactory,
    ActionMeasureFactory,
    PartnershipAreaFactory,
    PartnershipFactory,
    PlanFactory,
)
from tests.support import ELM, GEOGRAPHY, load_crimes

# Elm Ward's crimes: 10, 12 and 11 in the baseline months (a mean of 11 a
# month; 10% less is 9.9), then three more months.
CRIMES = [("2024-01", 10), ("2024-02", 12), ("2024-03", 11),
          ("2024-04", 9), ("2024-05", 8), ("2024-06", 9)]  # fmt: skip


@pytest.fixture
def link(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    store = Store(tmp_path / "store")
    run_load(
        store, get_source("geography"), [GEOGRAPHY / "lookup-lsoa11-wd19-lad19.csv"]
    )
    load_crimes(store, tmp_path, [(m, "E01900003", n) for m, n in CRIMES])
    partnership = PartnershipFactory(name="Elm partnership")
    PartnershipAreaFactory(partnership=partnership, code=ELM)
    plan = PlanFactory(partnership=partnership, key_measures=["total-recorded-crime"])
    return ActionMeasureFactory(
        action=ActionFactory(plan=plan), measure_id="total-recorded-crime",
        direction="down", size="10%", baseline_from="2024-01", baseline_to="2024-03",
    )  # fmt: skip


def test_the_card_has_a_target_from_the_stated_baseline(client, link, make_user):
    client.force_login(make_user(Role.ANALYST))
    html = client.get(reverse("dashboard:overview")).content.decode()
    assert "The plan aims to reduce it by 10%" in html
    assert "a target of 9.9 a month against 2024-01 to 2024-03" in html
    assert "no target set" not in html


def test_the_progress_page_lists_the_target_worked_out(client, link, make_user):
    client.force_login(make_user(Role.ANALYST))
    html = client.get(reverse("partnership:progress")).content.decode()
    assert "Reduce to 9.9 (10% on 2024-01 to 2024-03)" in html


def test_the_actions_form_takes_a_size_and_keeps_a_bad_one(client, link, make_user):
    client.force_login(make_user(Role.ADMINISTRATOR, username="manager"))
    url = reverse(
        "partnership:action_edit", kwargs={"reference": link.action.reference}
    )
    form = f"target-{link.pk}"
    sent = {"form": form, f"{form}-direction": "down", f"{form}-size": "lots",
            f"{form}-baseline_from": "2024-01", f"{form}-baseline_to": "2024-03",
            f"{form}-version": link.version}  # fmt: skip
    refused = client.post(url, sent)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "like &quot;10%&quot; or &quot;5 points&quot;" in html
    assert 'value="lots"' in html
    assert client.post(url, {**sent, f"{form}-size": "15%"}).status_code == 302
    link.refresh_from_db()
    assert link.size == "15%"


def test_the_measure_page_draws_the_target_worked_out(client, link, make_user):
    client.force_login(make_user(Role.ANALYST))
    url = reverse("dashboard:measure", kwargs={"measure_id": "total-recorded-crime"})
    html = client.get(url + f"?area={ELM}").content.decode()
    assert 'data-testid="planned-target"' in html
    assert "aims to reduce it by 10% to 9.9" in " ".join(html.split())
    assert "Target 9.9" in html
