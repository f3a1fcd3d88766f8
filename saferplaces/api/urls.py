from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from saferplaces.accounts.read_audit import METADATA, not_audited
from saferplaces.api import views

app_name = "api"

urlpatterns = [
    path("", not_audited(METADATA)(views.ApiRoot.as_view()), name="root"),
    path("schema/", not_audited(METADATA)(SpectacularAPIView.as_view()), name="schema"),
    path(
        "measures/", not_audited(METADATA)(views.MeasureList.as_view()), name="measures"
    ),
    path(
        "measures/<str:measure_id>/",
        not_audited(METADATA)(views.MeasureDetail.as_view()),
        name="measure",
    ),
    path(
        "measures/<str:measure_id>/series/",
        views.MeasureSeries.as_view(),
        name="series",
    ),
    path(
        "measures/<str:measure_id>/compare/",
        views.MeasureCompare.as_view(),
        name="compare",
    ),
    path(
        "measures/<str:measure_id>/deprivation/",
        views.MeasureDeprivation.as_view(),
        name="deprivation",
    ),
    # Any other path under /api/ is a JSON 404, as the API's other errors are.
    re_path(
        r"^(?P<path>.+)$",
        not_audited("answers 404 only")(views.not_found),
        name="not_found",
    ),
]
