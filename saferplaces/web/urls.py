from django.urls import path

from saferplaces.accounts.read_audit import PUBLIC, not_audited
from saferplaces.web import views

app_name = "web"

urlpatterns = [
    path(
        "",
        not_audited("the home page shows the reader only their own details")(
            views.home
        ),
        name="home",
    ),
    path(
        "p/<slug:slug>/",
        not_audited(PUBLIC)(views.partnership_home),
        name="partnership",
    ),
    path(
        "accessibility/", not_audited(PUBLIC)(views.accessibility), name="accessibility"
    ),
    path("privacy/", not_audited(PUBLIC)(views.privacy), name="privacy"),
    path("publication/", not_audited(PUBLIC)(views.publication), name="publication"),
    path("healthz", not_audited("a health check")(views.health), name="health"),
]
