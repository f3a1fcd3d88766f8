"""Case URLs: by reference or random id, never by anything personal."""

from django.urls import path

from saferplaces.cases import views

app_name = "cases"

urlpatterns = [
    path("cases/", views.case_list, name="list"),
    path("cases/new/", views.case_new, name="new"),
    path("cases/search/", views.case_search, name="search"),
    path("cases/counts/", views.case_counts, name="counts"),
    path("cases/caseload/", views.case_caseload, name="caseload"),
    # The ASB Case Review register (before cases/<reference>/, which would
    # take "case-reviews" for a reference).
    path("cases/case-reviews/", views.case_reviews, name="case_reviews"),
    path("cases/case-reviews/new/", views.case_review_new, name="case_review_new"),
    path(
        "cases/case-reviews/figures/",
        views.case_review_figures,
        name="case_review_figures",
    ),
    path(
        "cases/case-reviews/figures.csv",
        views.case_review_figures_csv,
        name="case_review_figures_csv",
    ),
    path(
        "cases/case-reviews/<uuid:public_id>/",
        views.case_review,
        name="case_review",
    ),
    path("cases/settings/", views.case_settings, name="settings"),
    path(
        "cases/settings/<slug:partnership>/policy/",
        views.settings_policy,
        name="settings_policy",
    ),
    path(
        "cases/settings/<slug:partnership>/rules/new/", views.rule_edit, name="rule_new"
    ),
    path(
        "cases/settings/<slug:partnership>/rules/<int:pk>/",
        views.rule_edit,
        name="rule_edit",
    ),
    path(
        "cases/referrals/<uuid:public_id>/",
        views.referral_decide,
        name="referral_decide",
    ),
    path(
        "cases/referrals/<uuid:public_id>/outcome/",
        views.referral_outcome,
        name="referral_outcome",
    ),
    path("cases/<str:reference>/", views.case_detail, name="case"),
    path("cases/<str:reference>/edit/", views.case_edit, name="case_edit"),
    path("cases/<str:reference>/case.csv", views.case_export, name="case_export"),
    path("cases/<str:reference>/people/add/", views.person_add, name="person_add"),
    path(
        "cases/<str:reference>/incidents/add/", views.incident_add, name="incident_add"
    ),
    path("cases/<str:reference>/actions/add/", views.action_add, name="action_add"),
    path(
        "cases/<str:reference>/actions/<int:action>/done/",
        views.action_done,
        name="action_done",
    ),
    path(
        "cases/<str:reference>/disposals/add/", views.disposal_add, name="disposal_add"
    ),
    path(
        "cases/<str:reference>/people/<int:row>/vulnerable/",
        views.vulnerability,
        name="vulnerability",
    ),
    path("cases/<str:reference>/assess/<str:kind>/", views.assess, name="assess"),
    path("cases/<str:reference>/refer/<int:rule>/", views.refer, name="refer"),
    path("cases/<str:reference>/share/", views.case_share, name="share"),
    path(
        "cases/<str:reference>/share/<int:share>/end/",
        views.share_end,
        name="share_end",
    ),
    path("cases/<str:reference>/close/", views.case_close, name="close"),
    path("cases/<str:reference>/viewed/", views.who_viewed, name="who_viewed"),
]
