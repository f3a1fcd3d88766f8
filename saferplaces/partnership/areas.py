"""The areas a plan names (the partnership's own, an action's target areas,
an evaluation's areas), checked against the geography loaded wherever they
are typed: in a plan file or a form. An area's name is taken for its code
when exactly one area has it.

A form's area fields (``AreaField``, ``AreasField``) are picked from the
partnership's areas (``area_choices``): a text box whose list the browser
offers without JavaScript, and GOV.UK's accessible autocomplete with it
(frontend/area-picker.js). A name, a code or a label from the list is
taken; anything else is refused with the nearest names, the text kept."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django import forms

from saferplaces.analytics import geography
from saferplaces.analytics.refusals import Refused
from saferplaces.analytics.store import Store
from saferplaces.codes import AREA_CODE_RULE, is_area_code
from saferplaces.lib.store import web_store
from saferplaces.partnership.models import Partnership


def checked_area(
    typed: str,
    store: Store | None = None,
    among: Collection[str] | None = None,
    preferring: Collection[str] = (),
) -> str:
    """The code of the area ``typed`` names; ``Refused``, saying why and
    what is nearest, when the geography holds no such area (or, given
    ``among``, none of those: a partnership's areas, its own ``preferring``
    where a name is shared).

    Before any geography is loaded there is nothing to check against (the
    demo's plan is imported so, and a partnership may write its plan first):
    a code is then taken as typed if it looks like one."""
    store = store or web_store()
    if "geography" in store.tables():
        return geography.area_named(
            store, typed, among, preferring, among_called="the partnership's areas"
        )
    code = typed.strip()
    if not is_area_code(code):
        raise Refused(f"{AREA_CODE_RULE} No geography is loaded to look up a name.")
    return code


# What a picker lists inside the partnership's areas. The LSOAs inside them
# are taken by code or name too, but not listed: there are hundreds.
PICKED_LEVELS = ("policing_unit", "district", "ward")


@dataclass(frozen=True)
class AreaChoices:
    """The areas a partnership's forms offer: (code, label) in order, the
    codes taken besides (the LSOAs inside), and its own areas' codes
    (``None`` for ``taken`` before any geography is loaded: any code)."""

    listed: tuple[tuple[str, str], ...] = ()
    taken: frozenset[str] | None = None
    own: frozenset[str] = frozenset()

    def label_of(self, code: str) -> str:
        """The label ``code`` is listed under (the code itself if none)."""
        return next((label for listed, label in self.listed if listed == code), code)

    def code_for(self, typed: str) -> str:
        """The code of the area ``typed`` names: a label of the list, a
        code, or a name (``checked_area``'s rule); ``Refused`` otherwise."""
        text = typed.strip()
        for code, label in self.listed:
            if label.casefold() == text.casefold():
                return code
        code = checked_area(text, among=self.taken, preferring=self.own)
        if self.taken is None and self.own and code not in self.own:
            # No geography to say what lies inside the partnership: only
            # its own areas can be known to be its.
            raise Refused(
                f"Choose one of the partnership's areas: {', '.join(sorted(self.own))}"
                " (no geography is loaded to find the areas inside them)"
            )
        return code


def area_choices(partnership: Partnership | None) -> AreaChoices:
    """What the forms of ``partnership`` (the reader's) offer: the
    partnership's whole area, its own areas and the areas of
    ``PICKED_LEVELS`` inside them, each labelled with its level."""
    from saferplaces.partnership import scope

    own = frozenset(partnership.area_codes()) if partnership else frozenset()
    store = web_store()
    if "geography" not in store.tables():
        return AreaChoices(tuple((code, code) for code in sorted(own)), None, own)
    listed = scope.picker_areas(store, partnership, PICKED_LEVELS, say_level=True)
    lsoas = geography.lsoas_in_each(store, sorted(own)).values()
    taken = frozenset(code for code, _ in listed).union(own, *lsoas)
    return AreaChoices(tuple(listed), taken, own)


class AreaInput(forms.TextInput):
    """A text box listing the areas to choose from (a ``<datalist>`` the
    browser offers as it is typed in); frontend/area-picker.js turns it
    into GOV.UK's accessible autocomplete. A code is shown as its label."""

    template_name = "govuk/area_input.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices = AreaChoices()

    def format_value(self, value: Any) -> str | None:
        shown = super().format_value(value)
        return self.choices.label_of(shown) if shown else shown

    def get_context(
        self, name: str, value: Any, attrs: dict[str, Any] | None
    ) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["list_id"] = f"{context['widget']['attrs']['id']}-areas"
        context["widget"]["labels"] = [label for _, label in self.choices.listed]
        return context


class AreaField(forms.CharField):
    """One area picked from the reader's partnership's areas (``offer``):
    cleaned to its code, or "" when left blank and not required."""

    widget = AreaInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)
        self.choices = AreaChoices()

    def offer(self, choices: AreaChoices) -> None:
        self.choices = choices
        assert isinstance(self.widget, AreaInput)
        self.widget.choices = choices

    def clean(self, value: Any) -> str:
        typed = str(super().clean(value) or "")
        return _code_for(self.choices, typed) if typed else ""

    def has_changed(self, initial: Any, data: Any) -> bool:
        """Whether ``data`` names another area than ``initial``'s code (a
        label or name for the same area is no change)."""
        return _named_other(self, initial or "", data)


class AreaInputs(forms.Widget):
    """Several area boxes under one name, one more than is filled plus
    ``SPARE`` (a fieldset: lib/templates/govuk/area_list.html)."""

    SPARE = 2
    # Drawn whole by the field's template (govuk/field.html), never alone.
    template_name = "govuk/area_list.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices = AreaChoices()

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        many = getattr(data, "getlist", None)
        found = many(name) if many else data.get(name, [])
        return [str(v) for v in found] if isinstance(found, list) else [str(found)]

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data

    def boxes(self, value: Any, refused: bool = False) -> list[tuple[str, bool]]:
        """What each box shows (an area's code as its label), then the
        spare boxes; and, when the field was ``refused``, whether each
        box's area was."""
        shown = [self.choices.label_of(str(v)) for v in value or [] if str(v).strip()]
        spare = [""] * (self.SPARE + (0 if shown else 1))
        choices = self.choices
        marked = [(text, refused and not _is_area(choices, text)) for text in shown]
        return marked + [(text, False) for text in spare]


def _is_area(choices: AreaChoices, typed: str) -> bool:
    try:
        choices.code_for(typed)
    except Refused:
        return False
    return True


class AreasField(forms.Field):
    """Areas picked from the reader's partnership's areas (``offer``), each
    in its own box: cleaned to their codes, in order, each once."""

    widget = AreaInputs
    # Far more than any plan names; bounds the work a posted form can ask.
    MOST = 50

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.choices = AreaChoices()

    def offer(self, choices: AreaChoices) -> None:
        self.choices = choices
        assert isinstance(self.widget, AreaInputs)
        self.widget.choices = choices

    def clean(self, value: Any) -> list[str]:
        typed = [str(v).strip() for v in value or [] if str(v).strip()]
        if len(typed) > self.MOST:
            raise forms.ValidationError(f"Name at most {self.MOST} areas.")
        if self.required and not typed:
            raise forms.ValidationError(self.error_messages["required"])
        codes: list[str] = []
        errors: list[str] = []
        for text in typed:
            try:
                codes.append(_code_for(self.choices, text))
            except forms.ValidationError as refused:
                errors.extend(refused.messages)
        if errors:
            raise forms.ValidationError(errors)
        return list(dict.fromkeys(codes))

    def has_changed(self, initial: Any, data: Any) -> bool:
        """Whether ``data`` names other areas than ``initial``'s codes."""
        return _named_other(self, list(initial or []), data)


def _named_other(field: forms.Field, initial: Any, data: Any) -> bool:
    try:
        return bool(initial != field.clean(data))
    except forms.ValidationError:
        return True


def _code_for(choices: AreaChoices, typed: str) -> str:
    try:
        return choices.code_for(typed)
    except Refused as refused:
        words = str(refused)
        sentence = words[:1].upper() + words[1:]
        raise forms.ValidationError(
            sentence if sentence.endswith(".") else f"{sentence}."
        ) from None
