from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from saferplaces.api import views

app_name = "api"

urlpatterns = [
    path("", views.ApiRoot.as_view(), name="root"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("measures/", views.MeasureList.as_view(), name="measures"),
    path("measures/<str:measure_id>/", views.MeasureDetail.as_view(), name="measure"),
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
    # Any other path under /api/ is a JSON 404, as the API's other errors are.
    re_path(r"^(?P<path>.+)$", views.not_found, name="not_found"),
]
