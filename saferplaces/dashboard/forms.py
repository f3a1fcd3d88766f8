"""The dashboard's choosers as Django forms, drawn by the GOV.UK form
renderer (lib/renderers.py): a measure chart's options and the resident's
neighbourhood chooser. Ids are the field names (``auto_id="%s"``), as the
pages and their links have always had them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import escape

from saferplaces.analytics.spc import MIN_FIXED_POINTS
from saferplaces.codes import normalise_postcode

# A UK postcode, loosely (spaces optional): said so, not "no ward is called".


class _Typed(forms.CharField):
    """Text typed into a chooser, taken as typed (trimmed): what cannot be
    found is answered in words by the view, never refused for its bytes."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)
        self.validators = []


class ChartOptionsForm(forms.Form):
    """The measure page's chart options: a target for the assurance icon, a
    period to recalculate the limits from, and the CLI's ``measure spc``
    options: whether unusually large moving ranges are screened out, and
    limits fixed after the first N points."""

    target = _Typed(
        label="",  # set in __init__: it names the measure's unit
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-10", "inputmode": "decimal"}
        ),
    )
    rebase = _Typed(
        label="Recalculate the limits from (e.g. when an intervention started)",
        widget=forms.Select,
    )

    screen_outliers = forms.ChoiceField(
        label="Moving ranges",
        required=False,
        help_text="Screening stops one wild month widening the limits; the "
        "Making Data Count spreadsheet keeps every one",
        choices=[
            ("yes", "Screen out unusual ones (default)"),
            ("no", "Keep every one"),
        ],
        error_messages={
            "invalid_choice": "Choose whether to screen out unusually large "
            "moving ranges or keep every one."
        },
    )
    fix_after = _Typed(
        label="Fix the limits after this many points (optional)",
        help_text=f"{MIN_FIXED_POINTS} or more; leave blank for limits from every "
        "point of each segment",
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}
        ),
    )

    def __init__(self, data: Any, unit: str) -> None:
        super().__init__(data, auto_id="%s")
        self.fields["target"].label = f"Target ({unit}), for the assurance icon"
        self.offer([])
        self.full_clean()  # the options are always read: at once

    def clean_target(self) -> float | None:
        typed: str = self.cleaned_data["target"]
        if not typed:
            return None
        try:
            return float(typed.replace(",", ""))
        except ValueError:
            raise ValidationError(
                "Enter the target as a number, like 70 or 12.5."
            ) from None

    def clean_fix_after(self) -> int | None:
        typed: str = self.cleaned_data["fix_after"]
        if not typed:
            return None
        if not typed.isdigit():
            raise ValidationError(
                "Enter the number of points as a whole number, like 12 or 24."
            )
        points = int(typed)
        if points < MIN_FIXED_POINTS:
            raise ValidationError(
                f"Limits can be fixed after {MIN_FIXED_POINTS} or more points, "
                f"not {points}."
            )
        return points

    @property
    def asked_screen_outliers(self) -> bool:
        """Screen out unusually large moving ranges (the default: yes)."""
        return self.cleaned_data.get("screen_outliers") != "no"

    @property
    def asked_fix_after(self) -> int | None:
        """The points the limits rest on, if a good number was asked."""
        points: int | None = self.cleaned_data.get("fix_after")
        return points

    def check_fix_after(self, points: int) -> int | None:
        """The points to fix the limits after, if the chart has that many
        (``points``); otherwise None, and the form says what it may be."""
        asked = self.asked_fix_after
        if asked is not None and asked > points:
            self.add_error(
                "fix_after",
                f"The chart has {points} points: fix the limits after "
                f"{MIN_FIXED_POINTS} to {points}, or leave it blank.",
            )
            return None
        return asked

    def query(self) -> dict[str, str]:
        """The SPC options asked for, as a query for the chart's picture and
        downloads (only those that differ from the defaults)."""
        asked = {}
        if not self.asked_screen_outliers:
            asked["screen_outliers"] = "no"
        if self.asked_fix_after is not None:
            asked["fix_after"] = str(self.asked_fix_after)
        return asked

    def offer(self, periods: Sequence[str]) -> None:
        """The periods the chart may be rebased at (those shown)."""
        widget = self.fields["rebase"].widget
        assert isinstance(widget, forms.Select)
        widget.choices = [("", "No rebasing"), *((p, p) for p in periods)]

    @property
    def asked_target(self) -> float | None:
        """The target typed, if it is a number."""
        target: float | None = self.cleaned_data.get("target")
        return target

    @property
    def asked_rebase(self) -> str:
        """The period asked to rebase at ("" for none)."""
        return str(self.cleaned_data.get("rebase", ""))

    def check_rebase(self, periods: Sequence[str]) -> str:
        """The rebase period if it is one of ``periods`` (offered from now
        on); otherwise "", and the form says which it may be."""
        self.offer(periods)
        rebase = self.asked_rebase
        if rebase and rebase not in periods:
            self.add_error(
                "rebase", f"Rebase at one of the periods shown, such as {periods[0]}."
            )
            return ""
        return rebase


class NeighbourhoodForm(forms.Form):
    """A resident types a postcode or a place name, or chooses a ward."""

    place = _Typed(
        label="Type your postcode or the name of your area",
        widget=forms.TextInput(attrs={"class": "govuk-!-width-two-thirds"}),
    )
    ward = forms.ChoiceField(
        label="Or choose your ward",
        required=False,
        error_messages={"invalid_choice": "Choose a ward from the list."},
    )

    def __init__(
        self,
        data: Any,
        areas: Iterable[tuple[str, str]],
        example_postcode: str | None,
        example_place: str,
    ) -> None:
        """``areas``: (code, label) of the partnership's areas, in order;
        the hint suggests the postcode and the partnership's place."""
        super().__init__(data, auto_id="%s")
        # The hint is drawn as written (GOV.UK hints may carry links).
        examples = [escape(e) for e in (example_postcode, example_place) if e]
        if examples:
            self.fields["place"].help_text = f"For example, {' or '.join(examples)}"
        ward = self.fields["ward"]
        assert isinstance(ward, forms.ChoiceField)
        ward.choices = [("", "Choose a ward"), *areas]

    def is_postcode(self) -> bool:
        # However typed: a postcode is looked up, never searched as a ward name.
        return normalise_postcode(self.cleaned_data.get("place", "")) is not None
