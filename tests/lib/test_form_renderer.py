"""Django forms draw themselves as GOV.UK components (FORM_RENDERER): a
label, a hint, an error message, the widget with its classes, and the error
summary linking to each field."""

from __future__ import annotations

from django import forms
from django.template import Context, Template


class Example(forms.Form):
    name = forms.CharField(label="Your name", help_text="As on your passport")
    kind = forms.ChoiceField(label="Kind", choices=[("a", "A"), ("b", "B")])
    width = forms.CharField(
        label="Short", required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )  # fmt: skip
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)


def test_a_field_has_its_label_hint_and_widget():
    html = str(Example(auto_id="%s"))
    assert '<div class="govuk-form-group">' in html
    assert '<label class="govuk-label" for="name">Your name</label>' in html
    assert '<div id="name-hint" class="govuk-hint">As on your passport</div>' in html
    assert 'class="govuk-input"' in html
    assert 'aria-describedby="name-hint"' in html
    assert 'class="govuk-select"' in html
    assert 'class="govuk-input govuk-input--width-10"' in html
    assert 'type="hidden" name="hidden"' in html
    assert "govuk-error" not in html


def test_a_refused_field_says_why_and_the_summary_links_to_it():
    form = Example({"kind": "c", "width": "x"}, auto_id="%s")
    html = str(form)
    assert "govuk-form-group govuk-form-group--error" in html
    assert '<p id="name-error" class="govuk-error-message">' in html
    assert (
        '<span class="govuk-visually-hidden">Error:</span> This field is required.'
        in html
    )
    assert 'class="govuk-input govuk-input--error"' in html
    assert 'aria-describedby="name-hint name-error"' in html
    assert 'class="govuk-select govuk-select--error"' in html
    summary = Template("{% load govuk %}{% error_summary form %}").render(
        Context({"form": form})
    )
    assert "There is a problem" in summary
    assert '<li><a href="#name">This field is required.</a></li>' in summary
    assert '<li><a href="#kind">' in summary


def test_a_form_without_errors_has_no_summary():
    form = Example({"name": "Ann", "kind": "a"}, auto_id="%s")
    summary = Template("{% load govuk %}{% error_summary form %}").render(
        Context({"form": form})
    )
    assert summary == ""
