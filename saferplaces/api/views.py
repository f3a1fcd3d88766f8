"""The JSON API over the measures engine.

Anyone may call it. Partners signed in to saferplaces (any role that may use
the service) get every figure; everyone else gets the published figures,
with small counts withheld and secondary suppression applied
(``saferplaces.analytics.publish``). Only GET is offered.
"""

from __future__ import annotations

import dataclasses
from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from saferplaces.accounts.permissions import Capability, can
from saferplaces.analytics.measures import REGISTRY, Measure, measure_series
from saferplaces.analytics.measures.areas import compare_areas
from saferplaces.analytics.measures.series import Period
from saferplaces.analytics.publish import public_comparison, public_series
from saferplaces.analytics.store import Store, StoreError
from saferplaces.api.serializers import (
    CompareQuery,
    ComparisonSerializer,
    MeasureSerializer,
    SeriesQuery,
    SeriesSerializer,
)
from saferplaces.web.store import web_store


def store() -> Store:
    return web_store()


def is_partner(request: Request) -> bool:
    return can(request.user, Capability.USE_SERVICE)


def _measure(measure_id: str) -> Measure:
    try:
        return REGISTRY[measure_id]
    except KeyError:
        raise NotFound(
            f"unknown measure {measure_id!r}; see {reverse('api:measures')}"
        ) from None


def _describe(measure: Measure) -> dict[str, Any]:
    return {
        "id": measure.id,
        "title": measure.title,
        "definition": measure.definition,
        "kind": measure.kind,
        "unit": measure.unit,
        "polarity": measure.polarity,
        "source": measure.source,
        "groups": list(measure.groups),
        "suppress_below": measure.suppress_below,
    }


def _query(serializer_class: type[Any], request: Request) -> dict[str, Any]:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return cast(dict[str, Any], query.validated_data)


class ApiRoot(APIView):
    """Where to start: the measures and the OpenAPI schema."""

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        return Response(
            {
                "measures": reverse("api:measures", request=request),
                "schema": reverse("api:schema", request=request),
                "public": not is_partner(request),
            }
        )


class MeasureList(APIView):
    @extend_schema(responses=MeasureSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Every measure, with its definition."""
        return Response([_describe(m) for m in sorted(REGISTRY.values(), key=_id)])


def _id(measure: Measure) -> str:
    return measure.id


class MeasureDetail(APIView):
    @extend_schema(responses=MeasureSerializer)
    def get(self, request: Request, measure_id: str) -> Response:
        """One measure's definition."""
        return Response(_describe(_measure(measure_id)))


class MeasureSeries(APIView):
    @extend_schema(
        parameters=[SeriesQuery],
        responses=SeriesSerializer,
        description="A measure for one area by period, with 95% intervals and "
        "SPC signals. Callers not signed in get published figures only.",
    )
    def get(self, request: Request, measure_id: str) -> Response:
        measure = _measure(measure_id)
        query = _query(SeriesQuery, request)
        try:
            points = measure_series(
                store(),
                measure.id,
                query["area"],
                by=cast(Period, query["by"]),
                group=query.get("group"),
                first=query.get("first"),
                last=query.get("last"),
            )
        except (ValueError, StoreError) as error:
            raise ValidationError({"detail": str(error)}) from None
        public = not is_partner(request)
        rows = (
            public_series(points)
            if public
            else [dataclasses.asdict(point) for point in points]
        )
        return Response(
            {"measure": _describe(measure), "public": public, "points": rows}
        )


class MeasureCompare(APIView):
    @extend_schema(
        parameters=[CompareQuery],
        responses=ComparisonSerializer,
        description="The areas of one level inside a parent, ranked on a period "
        "(rank 1 is the best by the measure's polarity).",
    )
    def get(self, request: Request, measure_id: str) -> Response:
        measure = _measure(measure_id)
        query = _query(CompareQuery, request)
        try:
            ranked = compare_areas(
                store(),
                measure.id,
                query["level"],
                query["within"],
                query["period"],
                by=cast(Period, query["by"]),
            )
        except (ValueError, StoreError) as error:
            raise ValidationError({"detail": str(error)}) from None
        rows = [item.as_row() for item in ranked]
        public = not is_partner(request)
        if public:
            rows = public_comparison(rows, measure.id)
        return Response(
            {"measure": _describe(measure), "public": public, "areas": rows}
        )
