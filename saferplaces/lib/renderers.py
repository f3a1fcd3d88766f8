"""The form renderer (settings.FORM_RENDERER): Django forms drawn as GOV.UK
Design System components, so templates never write them by hand."""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates


class GovUKRenderer(DjangoTemplates):
    """``{{ form }}`` draws every field as a GOV.UK form group and
    ``{{ form.field.as_field_group }}`` one field (templates in
    lib/templates/govuk/); ``{% error_summary form %}`` (the govuk tags)
    draws the error summary at the top of the page."""

    form_template_name = "govuk/form.html"
    field_template_name = "govuk/field.html"
