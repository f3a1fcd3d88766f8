"""Shapes of the API's queries and answers (and of its OpenAPI schema)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

PERIODS = ["month", "quarter", "year", "rolling12"]
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


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
    suppress_below = serializers.IntegerField()


class SeriesQuery(serializers.Serializer[Any]):
    area = serializers.CharField(
        max_length=40, help_text="Area code: LSOA, ward, local authority or own area."
    )
    by = serializers.ChoiceField(PERIODS, default="month")
    group = serializers.CharField(required=False, max_length=40)
    first = serializers.RegexField(MONTH, required=False, help_text="YYYY-MM")
    last = serializers.RegexField(MONTH, required=False, help_text="YYYY-MM")


class CompareQuery(serializers.Serializer[Any]):
    level = serializers.CharField(max_length=40, help_text="e.g. ward, district")
    within = serializers.CharField(max_length=40, help_text="The parent area's code.")
    period = serializers.CharField(
        max_length=20, help_text="2024/25, 2024/25 Q1 or 2024-05"
    )
    by = serializers.ChoiceField(["month", "quarter", "year"], default="year")


class SeriesPointSerializer(serializers.Serializer[Any]):
    measure = serializers.CharField()
    area_code = serializers.CharField()
    period = serializers.CharField()
    group = serializers.CharField(allow_null=True)
    value = serializers.FloatField(allow_null=True)
    numerator = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(allow_null=True)
    lower = serializers.FloatField(allow_null=True)
    upper = serializers.FloatField(allow_null=True)
    spc_signal = serializers.CharField(allow_null=True)
    suppressed = serializers.BooleanField()


class SeriesSerializer(serializers.Serializer[Any]):
    measure = MeasureSerializer()
    public = serializers.BooleanField(
        help_text="True when small counts are withheld (callers not signed in)."
    )
    points = SeriesPointSerializer(many=True)


class ComparisonRowSerializer(serializers.Serializer[Any]):
    rank = serializers.IntegerField()
    area_code = serializers.CharField()
    name = serializers.CharField()
    period = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    lower = serializers.FloatField(allow_null=True)
    upper = serializers.FloatField(allow_null=True)
    numerator = serializers.FloatField(allow_null=True)
    previous_period = serializers.CharField(allow_null=True)
    previous_numerator = serializers.FloatField(allow_null=True)
    change_ratio = serializers.FloatField(allow_null=True)
    change_lower = serializers.FloatField(allow_null=True)
    change_upper = serializers.FloatField(allow_null=True)
    in_line_with_parent = serializers.BooleanField(allow_null=True)
    suppressed = serializers.BooleanField()
    statement = serializers.CharField(
        help_text="The area's place in words, e.g. '2nd lowest of 4 policing units'"
    )


class ComparisonSerializer(serializers.Serializer[Any]):
    measure = MeasureSerializer()
    public = serializers.BooleanField()
    areas = ComparisonRowSerializer(many=True)
