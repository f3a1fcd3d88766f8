from django.urls import path

from saferplaces.accounts.read_audit import PUBLIC, not_audited
from saferplaces.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("dashboard/", views.overview, name="overview"),
    path("dashboard/map/", views.map_page, name="map"),
    path("dashboard/map.geojson", views.map_geojson, name="map_geojson"),
    path("dashboard/measures/<slug:measure_id>/", views.measure_page, name="measure"),
    path(
        "dashboard/measures/<slug:measure_id>/chart.<str:kind>",
        views.measure_chart_image,
        name="chart",
    ),
    path(
        "dashboard/measures/<slug:measure_id>/export.<str:kind>",
        views.measure_export,
        name="export",
    ),
    path(
        "neighbourhood/", not_audited(PUBLIC)(views.neighbourhood), name="neighbourhood"
    ),
    path(
        "neighbourhood/<str:code>/",
        not_audited(PUBLIC)(views.neighbourhood_ward),
        name="neighbourhood_ward",
    ),
]
