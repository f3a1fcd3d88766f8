"""Template helpers that render Django form fields as GOV.UK components."""

from __future__ import annotations

from django import forms, template
from django.forms.boundfield import BoundField
from django.middleware.csrf import get_token
from django.utils.html import format_html
from django.utils.safestring import SafeString

from saferplaces.lib.pagecache import CSRF_PLACEHOLDER

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
    if field.errors:
        css += f" {css.split('__')[0]}--error"
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
def is_checkboxes(field: BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxSelectMultiple)


@register.simple_tag(takes_context=True)
def csrf_field(context: template.Context) -> SafeString:
    """``{% csrf_token %}`` for a page that may be kept (web/pagecache.py):
    a placeholder while the page is rendered to be kept, filled as served."""
    request = context.get("request")
    if request is None:
        return SafeString("")
    placeholder = getattr(request, "csrf_placeholder", False)
    token = CSRF_PLACEHOLDER if placeholder else get_token(request)
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token
    )
