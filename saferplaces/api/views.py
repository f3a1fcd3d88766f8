"""The JSON API over the measures engine.

Anyone may call it. Partners signed in to saferplaces (any role that may use
the service) get every figure; everyone else gets the published figures
(cell key perturbation, docs/publication.md). Every answer comes from the
one results path, ``saferplaces.analytics.results``. Only GET is offered.
"""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from saferplaces.accounts.permissions import Capability, can
from saferplaces.analytics import results
from saferplaces.analytics.measures import REGISTRY, Measure
from saferplaces.analytics.measures.series import Period
from saferplaces.analytics.store import Store
from saferplaces.api.serializers import (
    CompareQuery,
    ComparisonSerializer,
    DeprivationQuery,
    DeprivationSerializer,
    ErrorSerializer,
    MeasureSerializer,
    SeriesQuery,
    SeriesSerializer,
)
from saferplaces.lib.pagecache import kept_value, store_revision
from saferplaces.lib.store import publication_rules, web_store
from saferplaces.partnership import scope


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
        "publication": measure.publication.method,
        "public_groups": list(measure.public_groups),
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


# The measure in the path is one of the registry's: the schema lists them.
MEASURE_ID = OpenApiParameter(
    "measure_id",
    str,
    OpenApiParameter.PATH,
    enum=sorted(REGISTRY),
    description="The measure's id (GET /api/measures/ lists them).",
)


class MeasureDetail(APIView):
    @extend_schema(
        parameters=[MEASURE_ID],
        responses={200: MeasureSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, measure_id: str) -> Response:
        """One measure's definition."""
        return Response(_describe(_measure(measure_id)))


class MeasureSeries(APIView):
    @extend_schema(
        parameters=[MEASURE_ID, SeriesQuery],
        responses={200: SeriesSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
        description="A measure for one area by period, with 95% intervals and "
        "SPC signals. Callers not signed in get published figures only.",
    )
    def get(self, request: Request, measure_id: str) -> Response:
        measure = _measure(measure_id)
        query = _query(SeriesQuery, request)
        audience = _seen_by(request)

        def answer() -> dict[str, Any]:
            try:
                found = results.series(
                    store(), measure.id, query["area"], by=cast(Period, query["by"]),
                    group=query.get("group"), first=query.get("first"),
                    last=query.get("last"), audience=audience,
                    rules=publication_rules(),
                )  # fmt: skip
            except results.RefusedQuestion as refused:
                raise ValidationError(
                    {"detail": str(refused), "allowed": refused.allowed}
                ) from None
            except results.ResultError as error:
                raise ValidationError({"detail": str(error)}) from None
            return _answer(measure, found, "points")

        # Kept for this question and audience until the store changes.
        asked = ["series", measure.id, sorted(query.items()), audience.key()]
        return Response(kept_value([*asked, store_revision()], answer))


def _seen_by(request: Request) -> results.Clearance:
    """Exact figures for the caller's own partnership's areas, published
    figures everywhere else (and to callers not signed in)."""
    if not is_partner(request):
        return results.NOWHERE
    return scope.clearance(request.user)


def _answer(measure: Measure, answer: results.Result, key: str) -> dict[str, Any]:
    return {
        "measure": _describe(measure),
        "public": answer.public,
        "notes": answer.notes,
        "coverage": answer.coverage,
        key: [row.as_dict() for row in answer.rows],
    }


class MeasureCompare(APIView):
    @extend_schema(
        parameters=[MEASURE_ID, CompareQuery],
        responses={
            200: ComparisonSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
        },
        description="The areas of one level inside a parent, ranked on a period "
        "(rank 1 is the best by the measure's polarity).",
    )
    def get(self, request: Request, measure_id: str) -> Response:
        measure = _measure(measure_id)
        query = _query(CompareQuery, request)
        try:
            answer = results.comparison(
                store(), measure.id, query["level"], query["within"],
                query["period"], by=cast(Period, query["by"]),
                audience=_seen_by(request), rules=publication_rules(),
            )  # fmt: skip
        except results.ResultError as error:
            raise ValidationError({"detail": str(error)}) from None
        return Response(_answer(measure, answer, "areas"))


class MeasureDeprivation(APIView):
    @extend_schema(
        parameters=[MEASURE_ID, DeprivationQuery],
        responses={
            200: DeprivationSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
        },
        description="A count measure for one period by IMD decile: counts, rates "
        "per 1,000 residents with exact intervals, counts in no decile, and the "
        "rate ratio of the most to the least deprived. Callers not signed in get "
        "it for measures published as open data only.",
    )
    def get(self, request: Request, measure_id: str) -> Response:
        measure = _measure(measure_id)
        query = _query(DeprivationQuery, request)
        try:
            answer = results.by_deprivation(
                store(), measure.id, query["area"], period=query.get("period"),
                audience=_seen_by(request), rules=publication_rules(),
            )  # fmt: skip
        except results.ResultError as error:
            raise ValidationError({"detail": str(error)}) from None
        return Response(_answer(measure, answer, "deciles"))


@extend_schema(exclude=True)
@api_view(["GET", "HEAD", "OPTIONS"])
def not_found(request: Request, path: str) -> Response:
    """A path the API does not have: a JSON 404 naming where to start."""
    raise NotFound(f"no such path in the API: /api/{path}; see {reverse('api:root')}")
