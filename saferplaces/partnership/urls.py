from django.urls import path

from saferplaces.accounts.read_audit import PUBLIC, not_audited
from saferplaces.partnership import authoring, views

app_name = "partnership"

urlpatterns = [
    path("partnership/choose/", views.choose_partnership, name="choose"),
    path("plan/", views.plan_overview, name="plan"),
    path("plan/progress/", views.progress_report, name="progress"),
    path(
        "plan/<slug:slug>/copy-forward/",
        views.plan_copy_forward,
        name="plan_copy_forward",
    ),
    path(
        "plan/<slug:slug>/publication/",
        views.plan_publication,
        name="plan_publication",
    ),
    path(
        "plan/<slug:slug>/reopening/",
        views.plan_reopening,
        name="plan_reopening",
    ),
    path(
        "plan/groups/<slug:partnership>/<slug:slug>/", views.group_detail, name="group"
    ),
    path("plan/actions/<slug:reference>/", views.action_detail, name="action"),
    path(
        "plan/actions/<slug:reference>/edit/",
        authoring.action_edit,
        name="action_edit",
    ),
    path("plan/new/", authoring.plan_new, name="plan_new"),
    path("plan/<slug:slug>/edit/", authoring.plan_edit, name="plan_edit"),
    path(
        "plan/<slug:slug>/priorities/<int:number>/edit/",
        authoring.priority_edit,
        name="priority_edit",
    ),
    path(
        "plan/groups/<slug:partnership>/<slug:slug>/edit/",
        authoring.group_edit,
        name="group_edit",
    ),
    path("plan/evidence/<uuid:public_id>/", views.evidence_download, name="evidence"),
    path("plan/export.csv", views.export_csv, name="export_csv"),
    path("plan/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("our-plan/", not_audited(PUBLIC)(views.public_plan), name="public_plan"),
    path(
        "p/<slug:slug>/plan/",
        not_audited(PUBLIC)(views.partnership_plan),
        name="partnership_plan",
    ),
]
