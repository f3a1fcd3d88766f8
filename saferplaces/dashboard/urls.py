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
    # A partnership's public pages, under its own address (/p/<slug>/).
    path(
        "p/<slug:slug>/neighbourhood/",
        not_audited(PUBLIC)(views.neighbourhood),
        name="neighbourhood",
    ),
    path(
        "p/<slug:slug>/neighbourhood/<str:code>/",
        not_audited(PUBLIC)(views.neighbourhood_ward),
        name="neighbourhood_ward",
    ),
    # The addresses from before partnerships had their own.
    path(
        "neighbourhood/",
        not_audited(PUBLIC)(views.any_neighbourhood),
        name="any_neighbourhood",
    ),
    path(
        "neighbourhood/<str:code>/",
        not_audited(PUBLIC)(views.any_neighbourhood),
        name="any_neighbourhood_ward",
    ),
]
