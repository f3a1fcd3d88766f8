"""Shapes of the API's queries and answers (and of its OpenAPI schema)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from saferplaces.analytics.measures import REGISTRY
from saferplaces.analytics.measures.registry import ALL_LEVELS
from saferplaces.codes import AREA_CODE_LENGTH, MONTH, PERIOD

PERIODS = ["month", "quarter", "year", "rolling12"]
# Every breakdown any measure offers: the schema lists them, so a caller (or
# a fuzzer) learns them rather than guessing free text.
ALL_GROUPS = sorted(
    {group for measure in REGISTRY.values() for group in measure.groups}
)


class ErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(help_text="What was wrong, in words.")
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For a bad query: each bad field with its messages.",
    )
    allowed = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="For a question the public may not ask (a run of months that "
        "cuts a quarter or a financial year of a protected measure): what it may "
        "ask instead. docs/publication.md, 'What you can ask'.",
    )


class MeasureSerializer(serializers.Serializer[Any]):
    id = serializers.CharField()
    title = serializers.CharField()
    definition = serializers.CharField()
    kind = serializers.ChoiceField(["count", "proportion", "ratio"])
    unit = serializers.CharField()
    polarity = serializers.ChoiceField(["up", "down", "neither"])
    # Declared fields leave the class (DRF's metaclass takes them), so this
    # does not really replace Field.source; the stubs cannot know that.
    source = serializers.CharField()  # type: ignore[assignment]
    groups = serializers.ListField(child=serializers.CharField())
    publication = serializers.ChoiceField(
        ["open", "perturbed", "survey"],
        help_text="How the public is shown it: open data exactly, perturbed "
        "counts, or the survey rule (docs/publication.md).",
    )
    public_groups = serializers.ListField(child=serializers.CharField())


class SeriesQuery(serializers.Serializer[Any]):
    area = serializers.CharField(
        max_length=AREA_CODE_LENGTH,
        help_text="Area code: LSOA, ward, local authority or own area.",
    )
    by = serializers.ChoiceField(PERIODS, default="month")
    group = serializers.ChoiceField(
        ALL_GROUPS,
        required=False,
        help_text="Break the series down by this group; which groups a measure "
        "has is in its description (groups, and public_groups for callers not "
        "signed in).",
    )
    first = serializers.RegexField(
        MONTH,
        required=False,
        help_text="YYYY-MM, the first month. Callers not signed in, for measures "
        "that are not open data: the first month of a whole period of `by` (a "
        "financial quarter starts in April, July, October or January; a "
        "financial year in April); any other is refused with 400.",
    )
    last = serializers.RegexField(
        MONTH,
        required=False,
        help_text="YYYY-MM, the last month; for callers not signed in, the last "
        "month of a whole period of `by` (see first).",
    )


class DeprivationQuery(serializers.Serializer[Any]):
    area = serializers.CharField(
        max_length=AREA_CODE_LENGTH,
        help_text="Area code: LSOA, ward, local authority or own area.",
    )
    period = serializers.RegexField(
        PERIOD,
        max_length=20,
        required=False,
        help_text="2024/25, 2024/25 Q1 or 2024-05; default the latest financial "
        "year of data.",
    )


class CompareQuery(serializers.Serializer[Any]):
    level = serializers.ChoiceField(
        list(ALL_LEVELS), help_text="The level of the areas to rank."
    )
    within = serializers.CharField(
        max_length=AREA_CODE_LENGTH, help_text="The parent area's code."
    )
    period = serializers.RegexField(
        PERIOD, max_length=20, help_text="2024/25, 2024/25 Q1 or 2024-05"
    )
    by = serializers.ChoiceField(["month", "quarter", "year"], default="year")


class RowSerializer(serializers.Serializer[Any]):
    measure = serializers.CharField()
    area_code = serializers.CharField()
    area_name = serializers.CharField()
    period = serializers.CharField()
    # Declared fields leave the class (as ``source`` above), so this does
    # not replace Serializer.partial at run time.
    partial = serializers.BooleanField(  # type: ignore[assignment]
        help_text="The data covers only part of the period."
    )
    months = serializers.IntegerField(help_text="Months of data in the period.")
    group = serializers.CharField(allow_null=True)
    value = serializers.FloatField(allow_null=True)
    numerator = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(allow_null=True)
    lower = serializers.FloatField(allow_null=True)
    upper = serializers.FloatField(allow_null=True)
    signal = serializers.CharField(allow_null=True)
    withheld = serializers.BooleanField(help_text="Too few to show.")
    treatment = serializers.ChoiceField(
        ["exact", "open", "perturbed", "survey"],
        help_text="How the figure was treated for publication.",
    )
    words = serializers.CharField(help_text="The figure in a sentence.")
    coverage = serializers.ChoiceField(
        ["", "partial", "no data"],
        help_text="'no data': none of the area's forces' files are loaded for "
        "the period (the value is null, not 0); 'partial': only some are.",
    )


class SeriesSerializer(serializers.Serializer[Any]):
    measure = MeasureSerializer()
    public = serializers.BooleanField(
        help_text="True for callers not signed in: published figures."
    )
    notes = serializers.ListField(child=serializers.CharField())
    coverage = serializers.ListField(
        child=serializers.CharField(),
        help_text="What the figures cannot count (rows with no location, "
        "placed outside the force) and which force's files they hold.",
    )
    points = RowSerializer(many=True)


class DeprivationSerializer(serializers.Serializer[Any]):
    measure = MeasureSerializer()
    public = serializers.BooleanField(
        help_text="True for callers not signed in: published figures."
    )
    notes = serializers.ListField(child=serializers.CharField())
    deciles = RowSerializer(
        many=True,
        help_text="A row per IMD decile (value: per 1,000 residents), one for "
        "counts in no decile, and a last row, the rate ratio of the most to the "
        "least deprived decile.",
    )


class ComparisonRowSerializer(RowSerializer):
    rank = serializers.IntegerField()
    unit = serializers.CharField(help_text="What the value is in (counts as rates).")
    previous_period = serializers.CharField(allow_null=True)
    previous_numerator = serializers.FloatField(allow_null=True)
    change_ratio = serializers.FloatField(allow_null=True)
    change_lower = serializers.FloatField(allow_null=True)
    change_upper = serializers.FloatField(allow_null=True)
    in_line_with_parent = serializers.BooleanField(allow_null=True)
    statement = serializers.CharField(
        help_text="The area's place in words, e.g. '2nd lowest of 4 policing units'"
    )


class ComparisonSerializer(serializers.Serializer[Any]):
    measure = MeasureSerializer()
    public = serializers.BooleanField()
    notes = serializers.ListField(child=serializers.CharField())
    coverage = serializers.ListField(child=serializers.CharField())
    areas = ComparisonRowSerializer(many=True)
