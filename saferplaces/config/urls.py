from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("saferplaces.web.urls")),
    path("accounts/", include("saferplaces.accounts.urls")),
    path("api/", include("saferplaces.api.urls")),
    path("", include("saferplaces.partnership.urls")),
    path("", include("saferplaces.dashboard.urls")),
    path("", include("saferplaces.tasking.urls")),
    path("", include("saferplaces.cases.urls")),
    path("admin/", admin.site.urls),
]
