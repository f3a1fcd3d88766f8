"""The dashboard on the SYNTHETIC demo: cards, a measure's page, exports,
the map and the public neighbourhood page."""

from __future__ import annotations

import csv
import dataclasses
import io
import re

import altair as alt
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from saferplaces.accounts.models import Role
from saferplaces.analytics import cards as data
from saferplaces.analytics.measures import REGISTRY, measure_series
from saferplaces.analytics.measures.series import measure_chart
from saferplaces.analytics.store import Store
from saferplaces.codes import month_in_words
from saferplaces.dashboard import charts
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.factories import (
    DEMO_PARTNERSHIP_SLUG,
    PartnershipAreaFactory,
    PartnershipFactory,
    plan_with_every_priority,
)
from tests.support import JANUARY


@pytest.fixture
def demo_dir(demo_data):
    return demo_data


@pytest.fixture
def analyst(client, demo_dir, settings, make_user):
    settings.DATA_DIR = demo_dir
    # The seed plan's priorities and the measures their actions link.
    plan_with_every_priority()
    client.force_login(make_user(Role.ANALYST))
    return client


@pytest.fixture
def south(db):
    """The demo's partnership, whose public pages the resident opens."""
    partnership = PartnershipFactory(
        slug=DEMO_PARTNERSHIP_SLUG,
        name="Birmingham South Local Delivery Group",
        example_place="Selly Oak",
    )
    for code in ("SYN-D01", "SYN-D02", "SYN-D03"):
        PartnershipAreaFactory(partnership=partnership, code=code)
    return partnership


def public_url(code: str = "") -> str:
    """The demo partnership's neighbourhood page, or one of its wards'."""
    south = {"slug": DEMO_PARTNERSHIP_SLUG}
    if code:
        return reverse("dashboard:neighbourhood_ward", kwargs={**south, "code": code})
    return reverse("dashboard:neighbourhood", kwargs=south)


def measure_url(measure="total-recorded-crime", **query):
    url = reverse("dashboard:measure", kwargs={"measure_id": measure})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_overview_has_the_plans_key_measures(analyst):
    html = analyst.get(reverse("dashboard:overview")).content.decode()
    # The local extract is loaded, so its fuller count of recorded crime
    # stands in for police.uk's on the card.
    titles = [
        "Recorded crime (local extract)",
        "Feeling safe walking alone after dark",
        "Proven re-offending rate",
    ]
    positions = [html.index(f">{title}</a>") for title in titles]
    assert positions == sorted(positions)
    assert ">Total recorded crime</a>" not in html
    store = Store(analyst_store(analyst))
    latest = measure_series(store, "recorded-crime-local", "SYN-PARTNERSHIP")[-1]
    # A whole count is shown without a decimal point.
    shown = (
        f"{latest.value:.0f}" if latest.value.is_integer() else f"{latest.value:.1f}"
    )
    # The month in words (issue 30).
    assert f">{shown}</span> crimes in {month_in_words(latest.period)}" in html
    assert "on the previous 12 months" in html
    assert "Variation:" in html
    assert "Assurance:" in html
    # Priorities' own measures follow the key ones, with their actions' status.
    assert "3. Mobilising Communities" in html
    assert html.index("Road casualties killed or seriously injured") > positions[-1]
    assert re.search(r"\d+ actions: \d+ (on track|not started|at risk|complete)", html)
    # Making Data Count's icons, beside their words.
    assert re.search(r'icons/variation-[a-z_]+\.svg" alt="" [^>]*> Variation: ', html)
    assert re.search(r'icons/assurance-[a-z_]+\.svg" alt="" [^>]*> Assurance: ', html)


def test_a_shares_change_over_the_year_is_tested(analyst, demo_dir):
    """Feeling safe rose in the demo's last year (planted): a real change,
    found from the two years' own intervals."""
    store = Store(demo_dir / "store")
    card = data.card(store, "perceptions-of-safety", "SYN-PARTNERSHIP")
    assert card.change_significant is True
    assert card.change_text.startswith("+")
    assert card.change_text.endswith("points on the previous 12 months (a real change)")


def test_the_plans_aim_sets_the_cards_target(analyst, demo_dir):
    """Action 1.4 aims to raise confidence to report domestic abuse by 5
    points: the target is the year before's monthly mean plus 5."""
    store = Store(demo_dir / "store")
    months = measure_series(store, "confidence-to-report-domestic-abuse",
                            "SYN-PARTNERSHIP")  # fmt: skip
    before = [p.value for p in months[-24:-12] if p.value is not None]
    aim = data.Aim("up", "5 points")
    card = data.card(store, "confidence-to-report-domestic-abuse", "SYN-PARTNERSHIP",
                     aim)  # fmt: skip
    assert card.target == pytest.approx(sum(before) / len(before) + 5)
    assert card.assurance_icon in {"consistently_pass", "consistently_fail",
                                   "hit_and_miss"}  # fmt: skip
    assert card.aim_text.startswith("The plan aims to increase it by 5 points")
    assert data.plan_target(data.Aim("down", "10%"), months) == pytest.approx(
        sum(before) / len(before) * 0.9
    )
    assert data.plan_target(data.Aim("down", "a lot"), months) is None
    html = analyst.get(reverse("dashboard:overview")).content.decode()
    assert "The plan aims to increase it by 5 points (a target of" in html


def analyst_store(client):
    from django.conf import settings

    return settings.DATA_DIR / "store"


def test_a_measure_page_has_its_chart_its_table_and_its_neighbours(analyst):
    page = analyst.get(measure_url(area="SYN-D03", by="year"))
    html = page.content.decode()
    assert 'data-vega-spec="spc-spec"' in html
    assert page.context["spec"]["description"].startswith(
        "Total recorded crime, Selly Oak district, by financial year. "
        "6 periods from 2010/11 to 2015/16"
    )
    assert html.count('<th scope="row" class="govuk-table__header">2015/16</th>') == 1
    ranked = [row.area_name for row in page.context["comparison"]]
    assert sorted(ranked) == [
        "Edgbaston district",
        "Northfield district",
        "Selly Oak district",
    ]
    assert [c.name for c in page.context["children"]] == [
        "Billesley",
        "Bournville",
        "Brandwood",
        "Selly Oak",
    ]
    assert page.context["parent"].code == "SYN-PU1"
    assert "Data loaded" in html


def test_exports_carry_a_metadata_block(analyst):
    url = reverse(
        "dashboard:export", kwargs={"measure_id": "road-casualties-ksi", "kind": "csv"}
    )
    text = analyst.get(url + "?area=E05900012&by=year&public=1").content.decode()
    lines = text.splitlines()
    assert lines[0].startswith("# measure,Road casualties killed or seriously injured")
    assert any(line.startswith('# publication,"Exact: counted from open data')
               for line in lines)  # fmt: skip
    table = "\n".join(line for line in lines if not line.startswith("#"))
    rows = list(csv.DictReader(io.StringIO(table)))
    assert rows
    for row in rows:  # DfT's casualties are open data: exact, none withheld
        assert row["treatment"] == "open"
        assert row["withheld"] == "False"
    xlsx = analyst.get(url.replace("export.csv", "export.xlsx") + "?area=SYN-D03")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book["About"]["A1"].value == "measure"
    chart = reverse(
        "dashboard:chart", kwargs={"measure_id": "total-recorded-crime", "kind": "svg"}
    )
    svg = analyst.get(chart + "?area=SYN-D03&download=1")
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg["Content-Disposition"].startswith("attachment")
    assert svg.content.startswith(b"<svg")
    png = analyst.get(chart.replace("chart.svg", "chart.png") + "?area=SYN-D03")
    assert png.content.startswith(b"\x89PNG")
    assert analyst.get(chart.replace("chart.svg", "chart.gif")).status_code == 404


def test_the_map_shades_every_ward_and_lists_them(analyst):
    page = analyst.get(reverse("dashboard:map") + "?measure=total-recorded-crime-rate")
    shown = page.context["map"]
    assert shown.problem is None
    assert len(shown.rows) == 12  # the partnership's wards
    assert len(shown.legend) == 5
    assert shown.svg.count("<a href=") == 12
    assert shown.svg.count("app-bin-") == 12


def test_the_neighbourhood_page_is_public_and_published_only(
    south, client, demo_dir, settings, monkeypatch
):
    settings.DATA_DIR = demo_dir
    chooser = client.get(public_url())
    assert chooser.status_code == 200
    assert client.get(public_url() + "?ward=E05900012").status_code == 302
    wrong = client.get(public_url() + "?ward=nowhere")
    assert wrong.status_code == 400
    assert "Choose a ward from the list." in wrong.content.decode()
    page = client.get(public_url("E05900012"))
    html = page.content.decode()
    assert "Selly Oak" in html
    assert "Total recorded crime" in html
    assert "Counted from open data" in html or "open data" in html
    # Where too few residents answered the survey (here: a minimum base no
    # ward reaches), the figure is withheld and said so in words.
    strict = dataclasses.replace(REGISTRY["perceptions-of-safety"], minimum_base=10**6)
    monkeypatch.setitem(REGISTRY, "perceptions-of-safety", strict)
    from django.core.cache import cache

    cache.clear()  # the registry is code: a running server is restarted for it
    quiet = client.get(public_url("E05900012"))
    assert "too few to show" in quiet.content.decode()


def test_cards_are_recomputed_after_a_load(demo_dir, tmp_path):
    import shutil

    copy = tmp_path / "demo"
    shutil.copytree(demo_dir / "store", copy / "store")
    store = Store(copy / "store")
    before = data.card(store, "total-recorded-crime", "SYN-PARTNERSHIP")
    assert data.card(store, "total-recorded-crime", "SYN-PARTNERSHIP") is before
    # Any load will do (this one replaces a demo month with 4 rows: allowed).
    run_load(store, get_source("police-uk-street"), [JANUARY], allow_shrink=True)
    after = data.card(store, "total-recorded-crime", "SYN-PARTNERSHIP")
    assert after is not before


def test_the_interactive_map_gets_the_same_areas_as_geojson(analyst):
    url = reverse("dashboard:map_geojson") + "?measure=total-recorded-crime-rate"
    areas = analyst.get(url).json()
    assert areas["type"] == "FeatureCollection"
    assert len(areas["features"]) == 12
    first = areas["features"][0]["properties"]
    assert first["bin"].startswith("app-bin-")
    assert first["href"].startswith("/dashboard/measures/total-recorded-crime-rate/")
    assert " per 1,000 residents" in first["label"]
    page = analyst.get(reverse("dashboard:map")).content.decode()
    assert "data-map-geojson=" in page
    assert "data-map-fallback" in page  # the SVG map stays for no-script


def test_every_table_on_the_page_downloads(analyst):
    url = reverse(
        "dashboard:export", kwargs={"measure_id": "violence-with-injury", "kind": "csv"}
    )

    def table(query):
        text = analyst.get(url + query).content.decode()
        body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
        return list(csv.DictReader(io.StringIO(body)))

    areas = table("?area=SYN-D03&table=areas")
    assert sorted(row["area_name"] for row in areas) == [
        "Edgbaston district",
        "Northfield district",
        "Selly Oak district",
    ]
    assert all(row["statement"] for row in areas)
    wards = table("?area=SYN-PU1&table=areas&level=ward&public=1")
    assert len(wards) == 12
    by_sex = table("?area=SYN-D03&by=year&table=victim_sex")
    assert {row["group"] for row in by_sex} >= {"female", "male"}
    # Published group breakdowns withhold small counts too (an LSOA's
    # violence by age band is mostly small).
    by_age = table("?area=E01900067&by=year&table=victim_age_band&public=1")
    withheld = [row for row in by_age if row["withheld"] == "True"]
    assert withheld
    assert all(row["numerator"] == "" and row["value"] == "" for row in withheld)
    assert analyst.get(url.replace("export.csv", "export.pdf")).status_code == 404
    missing = analyst.get(url + "?area=SYN-D03&table=nonsense")
    assert missing.status_code == 404


def test_a_target_and_a_rebase_redraw_the_chart(analyst):
    page = analyst.get(
        measure_url("perceptions-of-safety", area="SYN-PU1", by="quarter",
                    target="75", rebase="2013/14 Q1")
    )  # fmt: skip
    assert page.status_code == 200
    chart = page.context["chart"]
    assert chart.target == 75.0
    assert chart.assurance is not None
    assert {p.segment for p in chart.points} == {0, 1}
    html = page.content.decode()
    assert "target=75.0&amp;rebase=2013%2F14+Q1" in html  # the drawn image
    wrong = analyst.get(measure_url("perceptions-of-safety", area="SYN-PU1",
                                    target="seventy"))  # fmt: skip
    assert wrong.status_code == 400
    html = wrong.content.decode()
    assert "Enter the target as a number" in html
    assert 'value="seventy"' in html  # what was typed is kept


def test_victims_are_compared_with_residents_by_age_sex_and_ethnicity(analyst):
    page = analyst.get(measure_url("violence-with-injury", area="SYN-D03"))
    groups = dict(page.context["disproportion"])
    assert set(groups) == {"victim_age_band", "victim_sex", "victim_ethnicity"}
    assert {share.group for share in groups["victim_sex"]} == {"female", "male"}
    assert {share.group for share in groups["victim_ethnicity"]} == {
        "Asian", "Black", "Mixed", "Other", "White",
    }  # fmt: skip
    assert "Share of residents" in page.content.decode()


def test_the_chart_draws_the_engines_numbers_exactly(analyst, demo_dir):
    """The Vega-Lite data are the SPC engine's points, unrounded, with the
    target, the rebase and the signals the engine found."""
    page = analyst.get(measure_url(area="SYN-D03", target="150", rebase="2013-04"))
    assert page.status_code == 200
    engine = measure_chart(
        Store(demo_dir / "store"), "total-recorded-crime", "SYN-D03",
        target=150, rebase_at=["2013-04"],
    )  # fmt: skip
    spec = page.context["spec"]
    drawn = spec["data"]["values"]
    assert [row["period"] for row in drawn] == [p.period for p in engine.points]
    for row, point in zip(drawn, engine.points, strict=True):
        assert (row["value"], row["mean"], row["lower"], row["upper"]) == (
            point.value, point.mean, point.lower, point.upper,
        )  # fmt: skip
        assert row["segment"] == point.segment
        assert (row["signal"] == "common cause") == (point.special_cause is None)
    assert len({row["segment"] for row in drawn}) == 2  # rebased
    target_layer = [layer for layer in spec["layer"] if "data" in layer]
    assert target_layer[0]["data"]["values"] == [{"target": 150.0}]
    # The specification is valid Vega-Lite, and the server draws it.
    alt.LayerChart.from_dict(spec)
    assert "<svg" in charts.to_svg(spec)


def test_a_card_links_its_small_chart_drawn_from_the_last_24_months(analyst):
    html = analyst.get(reverse("dashboard:overview")).content.decode()
    src = re.search(r'class="app-card__chart" src="([^"]+)"', html)
    assert src
    svg = analyst.get(src.group(1).replace("&amp;", "&"))
    assert svg.status_code == 200
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.count(b"<path") > 3


def test_a_resident_can_type_their_areas_name(south, client, demo_dir, settings):
    settings.DATA_DIR = demo_dir
    url = public_url()
    found = client.get(url + "?place=  selly oak ")
    assert found.status_code == 302
    assert found["Location"] == public_url("E05900012")
    several = client.get(url + "?place=ton")
    names = [name for _, name in several.context["matches"]]
    assert len(names) > 1
    assert all("ton" in name.lower() for name in names)
    missing = client.get(url + "?place=Atlantis")
    assert missing.status_code == 400
    html = missing.content.decode()
    assert "No ward is called Atlantis" in html
    assert 'value="Atlantis"' in html  # what was typed is kept


def test_every_priority_has_its_section_on_the_overview(analyst):
    """Priorities 1, 4 and 5 were left out: their measures were all key
    measures, or none was linked (issue 14)."""
    html = analyst.get(reverse("dashboard:overview")).content.decode()
    for number in range(1, 6):
        assert f'id="priority-{number}"' in html
    # Domestic abuse related violence is watched: no aim is claimed for it.
    assert (
        "aims to increase it"
        not in html.split('id="priority-1"')[0].split(
            "Domestic abuse related violence"
        )[-1][:600]
    )


def test_pages_showing_synthetic_figures_say_so(analyst, client):
    """The SYNTHETIC label was on the plan only (issue 14)."""
    pages = [
        reverse("dashboard:overview"),
        reverse("dashboard:map"),
        measure_url(area="SYN-PARTNERSHIP"),
    ]
    for url in pages:
        html = analyst.get(url).content.decode()
        assert 'data-testid="synthetic-data"' in html, url
    public = client.get(public_url()).content.decode()
    assert "SYNTHETIC DATA" in public


def test_no_synthetic_label_over_real_data(south, client, settings, tmp_path):
    settings.DATA_DIR = tmp_path  # an empty store: nothing synthetic in it
    html = client.get(public_url()).content.decode()
    assert "SYNTHETIC DATA" not in html


def test_an_area_alone_at_its_level_is_not_ranked(analyst):
    """The partnership's page said "lowest of 1 partnerships" (issue 14)."""
    html = analyst.get(measure_url(area="SYN-PARTNERSHIP")).content.decode()
    assert not re.search(r"of 1 [a-z ]+s\b", html)


def test_counts_are_whole_numbers_and_their_intervals_too(analyst, client):
    """ "805.0 crimes", "584.0 crimes (likely between 537.6 and 633.3)"."""
    for html in (
        analyst.get(reverse("dashboard:overview")).content.decode(),
        analyst.get(measure_url(area="SYN-D03")).content.decode(),
        client.get(public_url("E05900012")).content.decode(),
    ):
        assert not re.search(r"\d\.\d crimes", html)
        assert not re.search(r"crimes \(likely between \d+\.\d", html)


def test_a_target_on_the_plan_drives_the_card_and_the_measure_page(analyst):
    """A target typed on the measure page was not kept: it lives on the
    action's link to the measure (issue 14)."""
    from saferplaces.partnership.models import ActionMeasure

    link = ActionMeasure.objects.get(
        action__number="3.1.1", measure_id="road-casualties-ksi"
    )
    link.target, link.baseline_from, link.baseline_to = 4.0, "2012-04", "2013-03"
    link.save()
    overview = analyst.get(reverse("dashboard:overview")).content.decode()
    assert "The plan aims to reduce it to 4 a month" in overview
    page = analyst.get(
        measure_url("road-casualties-ksi", area="SYN-PARTNERSHIP")
    ).content.decode()
    assert 'data-testid="planned-target"' in page
    assert "Target 4.0" in page or "Target 4:" in page


def test_a_change_to_the_plan_shows_on_the_kept_overview_at_once(analyst):
    """The overview was kept 10 seconds after a change to the plan's
    measures; now it is kept until the plan (or the store) changes."""
    from saferplaces.partnership.models import ActionMeasure, Status

    before = analyst.get(reverse("dashboard:overview")).content.decode()
    link = ActionMeasure.objects.get(
        action__number="3.1.1", measure_id="road-casualties-ksi"
    )
    link.target, link.baseline_from, link.baseline_to = 3.0, "2012-04", "2013-03"
    link.save()
    action = link.action
    action.status = (
        Status.STOPPED if action.status == Status.COMPLETE else Status.COMPLETE
    )
    action.save()
    after = analyst.get(reverse("dashboard:overview")).content.decode()
    assert "The plan aims to reduce it to 3 a month" not in before
    assert "The plan aims to reduce it to 3 a month" in after
    assert _priority_status(before, 3) != _priority_status(after, 3)


def _priority_status(html: str, number: int) -> str:
    found = re.search(rf">{number}\. [^<]*</h2>\s*<p[^>]*>([^<]*)<a", html)
    assert found, f"priority {number}'s section has no status line"
    return found.group(1)


def test_the_overview_says_how_its_two_tests_differ(analyst):
    """ "(a real change)" sat beside "Variation: common cause" unexplained."""
    html = analyst.get(reverse("dashboard:overview")).content.decode()
    assert 'data-testid="two-tests"' in html
    assert "both can be true" in html


def test_data_loaded_counts_every_file(analyst):
    """ "Data loaded" listed 5 of 60 files as if they were all (issue 14)."""
    html = analyst.get(measure_url(area="SYN-D03")).content.decode()
    loaded = html.split(">Data loaded</dt>")[1].split("</dd>")[0]
    assert re.search(r"\d+ files, synthetic-\S+ to synthetic-\S+", loaded)


def test_the_map_names_its_areas(analyst):
    """The map had no area labels (issue 14); they are hidden from screen
    readers, whose links already name each area."""
    html = analyst.get(reverse("dashboard:map")).content.decode()
    labels = re.findall(
        r'<text class="app-map-label"[^>]*aria-hidden="true">([^<]+)<', html
    )
    assert "Selly Oak" in labels
    lsoas = analyst.get(reverse("dashboard:map") + "?level=lsoa").content.decode()
    assert "app-map-label" not in lsoas  # too many to read: the table names them


def test_one_form_finds_a_neighbourhood_and_a_postcode_is_answered_in_words(
    south, client, demo_dir, settings
):
    """The page had two forms, and a postcode got "No ward is called B29 6BD"."""
    settings.DATA_DIR = demo_dir
    page = client.get(public_url()).content.decode()
    assert page.count("<form") == 1
    assert "For example, ZZ1 1AA or Selly Oak" in page  # the demo's postcodes
    postcode = client.get(public_url() + "?place=B29 6BD")
    assert postcode.status_code == 400
    html = postcode.content.decode()
    assert "We could not find the postcode B29 6BD" in html
    assert 'value="B29 6BD"' in html  # what was typed is kept


def test_a_postcode_finds_its_ward(south, client, demo_dir, settings):
    """A resident types their postcode, however they write it (issue 14)."""
    from saferplaces.analytics import geography
    from saferplaces.analytics.store import Store

    settings.DATA_DIR = demo_dir
    store = Store(demo_dir / "store")
    [row] = store.query(
        "SELECT p.postcode, p.area_code FROM postcodes p "
        "WHERE NOT terminated ORDER BY postcode DESC LIMIT 1"
    ).to_pylist()
    # Demo LSOAs are named after their ward: "Selly Oak A (synthetic)".
    ward_name = geography.name_of(store, row["area_code"]).rsplit(" ", 2)[0]
    [ward] = [w for w in geography.areas_of_level(store, "ward") if w.name == ward_name]
    typed = row["postcode"].lower().replace(" ", "")
    found = client.get(public_url(), {"place": typed})
    assert found.status_code == 302
    assert found["Location"] == public_url(ward.code)


def test_a_rate_is_not_per_1000_twice(analyst):
    html = analyst.get(reverse("dashboard:map")).content.decode()
    assert "per 1,000 residents per 1,000 residents" not in html
