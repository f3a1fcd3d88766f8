from django.urls import path

from saferplaces.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("publication/", views.publication, name="publication"),
    path("healthz", views.health, name="health"),
]
