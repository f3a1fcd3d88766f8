from django.urls import path

from saferplaces.tasking import views

app_name = "tasking"

urlpatterns = [
    path("tasking/", views.choose, name="choose"),
    path("tasking/<str:code>/", views.pack_page, name="pack"),
]
