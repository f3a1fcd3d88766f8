"""The partnership's casework rules in the admin: sharing agreements,
routing rules, thresholds and the ASB question set. Cases and people are
deliberately not here: running the installation is not a need to know."""

from __future__ import annotations

from django.contrib import admin

from saferplaces.cases.models import (
    AsbRiskQuestion,
    CasePolicy,
    RoutingRule,
    SharingAgreement,
)


@admin.register(SharingAgreement)
class SharingAgreementAdmin(admin.ModelAdmin[SharingAgreement]):
    list_display = ["reference", "title", "partnership", "review_by", "is_active"]
    filter_horizontal = ["parties"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin[RoutingRule]):
    list_display = ["pathway", "to_agency", "order", "response_days", "is_active"]
    list_filter = ["partnership", "is_active"]


@admin.register(CasePolicy)
class CasePolicyAdmin(admin.ModelAdmin[CasePolicy]):
    list_display = [
        "partnership",
        "repeat_count",
        "case_review_reports",
        "retention_years",
        "after_retention",
    ]


@admin.register(AsbRiskQuestion)
class AsbRiskQuestionAdmin(admin.ModelAdmin[AsbRiskQuestion]):
    list_display = ["partnership", "number", "text", "weight"]
    list_filter = ["partnership"]
