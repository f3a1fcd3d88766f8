"""The GOV.UK template tags: a summary-list row, a count, and a figure with
its interval (saferplaces/lib/templatetags/govuk.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.template import Context, Template, TemplateSyntaxError


def render(source: str, **context: object) -> str:
    return Template("{% load govuk %}" + source).render(Context(context))


def test_a_summary_row_trims_what_it_is_given_and_drops_empty_actions():
    html = render(
        '{% summary_row "Status" %}\n  Open\n{% actions %}\n'
        "  {% if owner %}<a href=/close>Close</a>{% endif %}\n{% endsummary_row %}",
        owner=False,
    )
    assert '<dt class="govuk-summary-list__key">Status</dt>' in html
    assert '<dd class="govuk-summary-list__value">Open</dd>' in html
    assert "govuk-summary-list__actions" not in html


def test_a_summary_row_draws_its_actions_and_test_id():
    html = render(
        '{% summary_row key testid="compared-with" %}{{ value }}'
        "{% actions %}<a href=/change>Change</a>{% endsummary_row %}",
        key="Compared with",
        value="<b>the rest</b>",
    )
    assert 'data-testid="compared-with">&lt;b&gt;the rest&lt;/b&gt;</dd>' in html
    assert (
        '<dd class="govuk-summary-list__actions"><a href=/change>Change</a></dd>'
        in html
    )


def test_a_summary_row_refuses_what_it_does_not_know():
    with pytest.raises(TemplateSyntaxError):
        render('{% summary_row "Status" colour="red" %}x{% endsummary_row %}')


@pytest.mark.parametrize(
    ("number", "noun", "plural", "said"),
    [
        (1, "month", "", "1 month"),
        (0, "cell", "", "0 cells"),
        (3, "case", "", "3 cases"),
        (1204, "cell", "", "1,204 cells"),
        (2, "entry", "entries", "2 entries"),
    ],
)
def test_a_count_says_its_noun(number, noun, plural, said):
    assert (
        render("{% count n noun plural %}", n=number, noun=noun, plural=plural) == said
    )


def test_a_value_and_its_interval_are_drawn_as_figures():
    """One format for every table: counts whole, other figures to one
    decimal place without a trailing ".0" (the measure page's)."""
    row = SimpleNamespace(withheld=False, value=584.0, lower=537.6, upper=633.3)
    cells = render("{% value_cells row kind %}", row=row, kind="count")
    assert ">584</td>" in cells
    assert ">538 to 633</td>" in cells
    rate = SimpleNamespace(withheld=False, value=12.34, lower=10.0, upper=14.5)
    cells = render("{% value_cells row %}", row=rate)
    assert ">12.3</td>" in cells
    assert ">10 to 14.5</td>" in cells


def test_a_withheld_value_says_so_and_a_missing_interval_is_blank():
    row = SimpleNamespace(withheld=True, value=None, lower=None, upper=None)
    cells = render("{% value_cells row %}", row=row)
    assert cells.count("govuk-table__cell--numeric") == 2
    assert ">withheld</td>" in cells
    assert 'numeric"></td>' in cells
