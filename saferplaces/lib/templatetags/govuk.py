"""Template tags and filters that draw GOV.UK Design System components:
form fields (with the form renderer, lib/renderers.py), the error summary,
summary-list rows, counts and figures with their intervals."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField
from django.middleware.csrf import get_token
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString

from saferplaces.codes import is_month, month_in_words
from saferplaces.lib import labels
from saferplaces.lib.csrf import CSRF_PLACEHOLDER

register = template.Library()

_INPUT_CLASSES = {
    forms.Select: "govuk-select",
    forms.Textarea: "govuk-textarea",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.FileInput: "govuk-file-upload",
}


@register.filter
def govuk_widget(field: BoundField) -> SafeString:
    """The field's widget with GOV.UK classes and its hint and error linked."""
    widget = field.field.widget
    css = next(
        (c for kind, c in _INPUT_CLASSES.items() if isinstance(widget, kind)),
        "govuk-input",
    )
    # A width or other modifier the form gives its widget comes before the
    # error modifier, as GOV.UK's own markup has it.
    error = f"{css.split('__')[0]}--error"
    extra = widget.attrs.get("class")
    if extra:
        css += f" {extra}"
    if field.errors:
        css += f" {error}"
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}-hint")
    if field.errors:
        described_by.append(f"{field.auto_id}-error")
    attrs: dict[str, str | bool] = {"class": css}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)


# Status tags carry their words; the colour only repeats them.
_STATUS_COLOURS = {
    "not_started": "govuk-tag--grey",
    "on_track": "govuk-tag--green",
    "at_risk": "govuk-tag--yellow",
    "off_track": "govuk-tag--red",
    "complete": "govuk-tag--blue",
    "stopped": "govuk-tag--grey",
}


@register.filter
def status_tag_class(status: str) -> str:
    return _STATUS_COLOURS.get(status, "govuk-tag--grey")


@register.filter
def get_item(mapping: dict[str, object], key: str) -> object:
    return mapping.get(key, 0)


@register.filter
def words(name: str | None) -> str:
    """A field or signal name as words: "victim_age_band" -> "age band",
    "common_cause" -> "common cause"."""
    text = str(name or "")
    return text.removeprefix("victim_").replace("_", " ")


@register.filter
def label(value: object, vocabulary: str) -> str:
    """A stored value as its label (saferplaces.lib.labels):
    ``{{ group|label:"breakdown" }}`` -> "Home Office offence group"."""
    return labels.label(value, vocabulary)


@register.filter
def category(value: object, breakdown: str) -> str:
    """A breakdown's category as its label: ``{{ row.group|category:group }}``."""
    return labels.category(value, breakdown)


@register.filter
def audit_event(event: Any) -> str:
    """What an audit entry records, in words ("Opened the referral form")."""
    return labels.audit_event(event.action, event.object_type)


@register.filter
def audit_object(object_id: str) -> str:
    """The object of an audit entry: a measure by its title, any other by
    its id (a case reference, a plan's address)."""
    return labels.VOCABULARIES["measure"].get(object_id, object_id)


@register.filter
def figure(value: float | int | None, kind: str = "") -> str:
    """A figure as people read it: counts whole ("805", "1,204"; an interval
    of a count too), other figures to one decimal place, dropping ".0"."""
    if value is None:
        return ""
    number = float(value)
    if kind == "count" or number.is_integer():
        return f"{round(number):,}"
    return f"{number:,.1f}"


@register.filter
def after_figure(unit: str | None) -> str:
    """A unit as written after its figure: "%" sits against it ("82.1%
    feeling safe"), any other word after a space ("773 crimes")."""
    text = str(unit or "")
    return text if text.startswith("%") else f" {text}"


@register.filter
def month_words(month: str | None) -> str:
    """A month as YYYY-MM written as people write it: "March 2016"."""
    text = str(month or "")
    return month_in_words(text) if is_month(text) else text


@register.filter
def is_checkboxes(field: BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxSelectMultiple)


@register.filter
def is_radios(field: BoundField) -> bool:
    return isinstance(field.field.widget, forms.RadioSelect)


@register.filter
def is_checkbox(field: BoundField) -> bool:
    """A single yes-or-no box (a ``BooleanField``)."""
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def is_area_list(field: BoundField) -> bool:
    """Whether the field is several area boxes (partnership/areas.py's
    ``AreasField``, which this bottom layer knows only by its boxes)."""
    return hasattr(field.field.widget, "boxes")


@register.filter
def area_boxes(field: BoundField) -> list[tuple[str, bool]]:
    """What each of an ``AreasField``'s boxes shows, and whether its area
    was refused."""
    boxes: list[tuple[str, bool]] = field.field.widget.boxes(
        field.value(), refused=bool(field.errors)
    )
    return boxes


@register.filter
def area_labels(field: BoundField) -> list[str]:
    """The labels of the areas an ``AreasField`` offers."""
    return [label for _, label in field.field.widget.choices.listed]


@register.filter
def error_anchor(field: BoundField) -> str:
    """Where the error summary's link for ``field`` goes: its input, or the
    first of its radios or checkboxes (which have no one label of their
    own)."""
    return field.id_for_label or f"{field.auto_id}_0"


@register.simple_tag(takes_context=True)
def csrf_field(context: template.Context) -> SafeString:
    """``{% csrf_token %}`` for a page that may be kept (lib/pagecache.py):
    a placeholder while the page is rendered to be kept, filled as served."""
    request = context.get("request")
    if request is None:
        return SafeString("")
    placeholder = getattr(request, "csrf_placeholder", False)
    token = CSRF_PLACEHOLDER if placeholder else get_token(request)
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token
    )


@register.simple_tag
def error_summary(form: Any) -> SafeString:
    """The GOV.UK error summary of a form's errors, for the top of the page
    (above its heading, outside the form); nothing when it has none."""
    if form is None or not getattr(form, "errors", None):
        return SafeString("")
    return SafeString(render_to_string("govuk/error_summary.html", {"form": form}))


@register.simple_tag
def count(number: int, noun: str, plural: str = "") -> str:
    """A count with its noun: "1 month", "3 months", "1,204 cells"
    (``plural`` for a noun that does not add "s")."""
    whole = int(number)
    return f"{whole:,} {labels.plural(whole, noun, plural)}"


@register.filter
def interval(row: Any, kind: str = "") -> str:
    """A figure's 95% interval, "537 to 633", as its figure is drawn ("" when
    it has none)."""
    if getattr(row, "lower", None) is None:
        return ""
    return f"{figure(row.lower, kind)} to {figure(row.upper, kind)}"


@register.inclusion_tag("govuk/value_cells.html")
def value_cells(row: Any, kind: str = "") -> dict[str, Any]:
    """A table's two numeric cells for one figure: its value ("withheld"
    when small counts are not shown) and its interval."""
    return {"row": row, "kind": kind}


class SummaryRowNode(template.Node):
    def __init__(
        self,
        key: FilterExpression,
        value: NodeList,
        actions: NodeList | None,
        testid: FilterExpression | None,
    ) -> None:
        self.key, self.value, self.actions, self.testid = key, value, actions, testid

    def render(self, context: template.Context) -> str:
        testid = self.testid.resolve(context) if self.testid else ""
        value = self.value.render(context).strip()
        actions = self.actions.render(context).strip() if self.actions else ""
        return render_to_string(
            "govuk/summary_row.html",
            {
                "key": self.key.resolve(context),
                "value": SafeString(value),
                "actions": SafeString(actions),
                "testid": testid,
            },
        ).strip()


@register.tag
def summary_row(parser: Parser, token: Token) -> SummaryRowNode:
    """One row of a GOV.UK summary list::

        {% summary_row "Status" testid="status" %}
          {{ case.get_status_display }}
        {% actions %}
          <a class="govuk-link" href="...">Change</a>
        {% endsummary_row %}

    The key, its value and (after ``{% actions %}``, optional) its actions;
    the value and actions are written with the space around them trimmed,
    so a template may put each element on its own line."""
    bits = token.split_contents()
    if len(bits) not in (2, 3):
        raise template.TemplateSyntaxError(
            '{% summary_row "Key" [testid="..."] %} takes a key and a testid'
        )
    testid = None
    if len(bits) == 3:
        name, _, expression = bits[2].partition("=")
        if name != "testid":
            raise template.TemplateSyntaxError("summary_row: only testid= is known")
        testid = parser.compile_filter(expression)
    value = parser.parse(("actions", "endsummary_row"))
    actions = None
    if parser.next_token().contents == "actions":
        actions = parser.parse(("endsummary_row",))
        parser.delete_first_token()
    return SummaryRowNode(parser.compile_filter(bits[1]), value, actions, testid)
