from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from saferplaces.accounts import views
from saferplaces.accounts.permissions import Capability, requires
from saferplaces.accounts.read_audit import OWN, PUBLIC, not_audited
from saferplaces.lib.methods import post_only

app_name = "accounts"

urlpatterns = [
    path("sign-in/", not_audited(PUBLIC)(views.LoginView.as_view()), name="login"),
    path(
        "sign-out/",
        not_audited(PUBLIC)(post_only(auth_views.LogoutView.as_view())),
        name="logout",
    ),
    path("account/", not_audited(OWN)(views.account), name="account"),
    path(
        "account/password/",
        not_audited(OWN)(
            requires(Capability.USE_SERVICE)(views.PasswordChangeView.as_view())
        ),
        name="password_change",
    ),
    path(
        "account/password/changed/",
        not_audited(OWN)(
            requires(Capability.USE_SERVICE)(
                auth_views.PasswordChangeDoneView.as_view(
                    template_name="accounts/password_change_done.html"
                )
            )
        ),
        name="password_change_done",
    ),
    path(
        "password-reset/",
        not_audited(PUBLIC)(views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        not_audited(PUBLIC)(
            auth_views.PasswordResetDoneView.as_view(
                template_name="accounts/password_reset_done.html"
            )
        ),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        not_audited(PUBLIC)(views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        not_audited(PUBLIC)(
            auth_views.PasswordResetCompleteView.as_view(
                template_name="accounts/password_reset_complete.html",
                extra_context={"login_url": reverse_lazy("accounts:login")},
            )
        ),
        name="password_reset_complete",
    ),
    path("audit-log/", views.audit_log, name="audit_log"),
    path("audit-log/export.csv", views.audit_log_export, name="audit_log_export"),
]
