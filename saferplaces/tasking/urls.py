from django.urls import path

from saferplaces.tasking import problems, views

app_name = "tasking"

urlpatterns = [
    path("tasking/", views.choose, name="choose"),
    path("tasking/problems/", problems.problem_list, name="problems"),
    path("tasking/problems/new/", problems.problem_new, name="problem_new"),
    path("tasking/problems/<int:pk>/", problems.problem_detail, name="problem"),
    path("tasking/problems/<int:pk>/edit/", problems.problem_edit, name="problem_edit"),
    path("tasking/<str:code>/", views.pack_page, name="pack"),
    path("tasking/<str:code>/cells.geojson", views.pack_geojson, name="pack_geojson"),
    path("tasking/<str:code>/pack.pdf", views.pack_pdf, name="pack_pdf"),
]
