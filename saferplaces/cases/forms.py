"""Casework forms (GOV.UK patterns; what was typed is kept on error)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from saferplaces.accounts.models import Agency
from saferplaces.cases import risk
from saferplaces.cases.models import (
    OUTCOME_LENGTH,
    Case,
    CaseAction,
    CasePolicy,
    CaseType,
    ClosureReason,
    Disposal,
    HateStrand,
    IncidentCategory,
    InvolvementRole,
    RiskLevel,
    RoutingRule,
    SharingAgreement,
    VulnerabilityReason,
)
from saferplaces.codes import normalise_postcode
from saferplaces.partnership.areas import AreasField, area_choices
from saferplaces.versions import VersionedForm

DATE_HELP = "For example, 2015-03-27"
HATE_FLAG_HELP = (
    "Any case can be flagged: an ASB or domestic abuse case where the victim "
    "was targeted for who they are. Choose the strand the victim or anyone else "
    "perceives. A hate crime case must have one."
)


def date_field(label: str, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=["%Y-%m-%d"],
        help_text=DATE_HELP,
        error_messages={
            "invalid": f"Enter the {label.split(' (')[0].lower()} as YYYY-MM-DD",
            "required": f"Enter the {label.split(' (')[0].lower()}",
        },
        widget=forms.DateInput(format="%Y-%m-%d"),
    )


def clean_postcode(value: str) -> str:
    value = value.strip()
    if value and normalise_postcode(value) is None:
        raise forms.ValidationError("Enter a postcode like B29 7AH, or leave it blank")
    return value


class PersonFields(forms.Form):
    given_name = forms.CharField(label="First name", max_length=100)
    family_name = forms.CharField(label="Last name", max_length=100)
    date_of_birth = date_field("Date of birth (optional)", required=False)
    address_line = forms.CharField(
        label="Address (optional)",
        max_length=300,
        required=False,
        help_text="House number and street",
    )
    postcode = forms.CharField(
        label="Postcode (optional)", max_length=10, required=False
    )

    def clean_postcode(self) -> str:
        return clean_postcode(self.cleaned_data["postcode"])


class PersonForm(PersonFields):
    role = forms.ChoiceField(
        label="Their part in the case", choices=InvolvementRole.choices
    )
    # Set when the worker has seen the possible duplicates and goes on.
    duplicates_seen = forms.BooleanField(required=False, widget=forms.HiddenInput)


class NewCaseForm(PersonFields):
    """A case with its first person (usually the victim) in one form."""

    field_order = [
        "case_type", "hate_strand", "summary", "role", "given_name", "family_name",
        "date_of_birth", "address_line", "postcode",
    ]  # fmt: skip
    case_type = forms.ChoiceField(label="Type of case", choices=CaseType.choices)
    hate_strand = forms.ChoiceField(
        label="Hate crime flag (optional for other types of case)",
        choices=[("", "Not flagged as hate crime"), *HateStrand.choices],
        required=False,
        help_text=HATE_FLAG_HELP,
    )
    summary = forms.CharField(
        label="Summary (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the case is about. Write only what partners need to know.",
    )
    role = forms.ChoiceField(
        label="This person's part in the case",
        choices=InvolvementRole.choices,
        initial=InvolvementRole.VICTIM,
    )
    duplicates_seen = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("case_type") == CaseType.HATE_CRIME and not data.get("hate_strand"):
            self.add_error("hate_strand", "Choose the hate crime strand")
        return data


class CaseDetailsForm(VersionedForm[Case]):
    class Meta:
        model = Case
        fields = ["case_type", "hate_strand", "summary", "officer", "risk_level"]
        labels = {"hate_strand": "Hate crime flag (optional for other types of case)"}
        help_texts = {"hate_strand": HATE_FLAG_HELP}
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, officers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers  # type: ignore[attr-defined]
        self.fields["risk_level"].disabled = True
        self.fields["risk_level"].help_text = "Set by a risk assessment"
        self.fields["hate_strand"].choices = [  # type: ignore[attr-defined]
            ("", "Not flagged as hate crime"),
            *HateStrand.choices,
        ]

    def reopened(self, current: Any) -> CaseDetailsForm:
        officer = self.fields["officer"]
        assert isinstance(officer, forms.ModelChoiceField)
        return CaseDetailsForm(
            instance=current, prefix=self.prefix, officers=officer.queryset
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("case_type") == CaseType.HATE_CRIME and not data.get("hate_strand"):
            self.add_error("hate_strand", "Choose the hate crime strand")
        return data


class IncidentForm(forms.Form):
    occurred_on = date_field("Date it happened")
    category = forms.ChoiceField(
        label="What happened", choices=IncidentCategory.choices
    )
    description = forms.CharField(
        label="Description (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    address_line = forms.CharField(
        label="Where (optional)", max_length=300, required=False
    )
    postcode = forms.CharField(
        label="Postcode (optional)", max_length=10, required=False
    )

    def clean_postcode(self) -> str:
        return clean_postcode(self.cleaned_data["postcode"])


class ActionForm(forms.ModelForm[CaseAction]):
    target_date = date_field("Target date")

    class Meta:
        model = CaseAction
        fields = ["description", "owner_agency", "target_date"]
        labels = {
            "description": "What is to be done",
            "owner_agency": "Agency doing it",
        }


class DisposalForm(forms.ModelForm[Disposal]):
    on = date_field("Date")

    class Meta:
        model = Disposal
        fields = ["kind", "on", "note"]
        labels = {"kind": "Tool or disposal", "note": "Note (optional)"}


class AssessmentForm(forms.Form):
    """One field per question: for DASH (``three_way``) a required choice
    of yes, no or not known, as the checklist's columns; for the ASB
    assessment a tick for yes. Judgement may raise the level."""

    judged = forms.ChoiceField(
        label="Professional judgement (optional)",
        choices=[("", "Go by the answers"), *RiskLevel.choices],
        required=False,
        help_text="Raise the level if your judgement says the risk is higher. "
        "It can never lower it.",
    )
    judgement_reason = forms.CharField(
        label="Why your judgement raises the level",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args: Any,
        questions: list[tuple[int, str]],
        three_way: bool = False,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.numbers = [number for number, _ in questions]
        self.three_way = three_way
        for number, text in questions:
            self.fields[f"q{number}"] = (
                _three_way_answer(number, text)
                if three_way
                else forms.BooleanField(label=f"{number}. {text}", required=False)
            )
        self.order_fields(
            [f"q{n}" for n in self.numbers] + ["judged", "judgement_reason"]
        )

    def answers(self) -> dict[int, str]:
        """Each question's answer: yes, no or not known (a tick is yes, no
        tick no)."""
        if self.three_way:
            return {n: self.cleaned_data[f"q{n}"] for n in self.numbers}
        return {
            n: risk.YES if self.cleaned_data.get(f"q{n}") else risk.NO
            for n in self.numbers
        }


def _three_way_answer(number: int, text: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=f"{number}. {text}",
        choices=list(risk.ANSWERS.items()),
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
        error_messages={
            "required": f"Answer question {number}: yes, no or not known",
            "invalid_choice": f"Answer question {number}: yes, no or not known",
        },
    )


def dash_questions() -> list[tuple[int, str]]:
    return list(enumerate(risk.DASH_QUESTIONS, start=1))


class ReferralForm(forms.Form):
    reason = forms.CharField(
        label="Anything the receiving agency should know (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("accept", "Accept the referral"), ("decline", "Decline it")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason (needed to decline)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "decline" and not data.get("reason", "").strip():
            self.add_error("reason", "Say why the referral is declined")
        return data


class OutcomeForm(forms.Form):
    """The outcome of an accepted referral, from its pathway's list."""

    outcome = forms.ChoiceField(
        label="Outcome",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the outcome",
            "invalid_choice": "Choose the outcome from the list",
        },
    )
    note = forms.CharField(
        label="What was done (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    complete = forms.BooleanField(
        label="The work is finished: complete the referral",
        required=False,
        help_text="Your agency then no longer sees the case; the referrer sees "
        "the outcome.",
    )

    def __init__(self, *args: Any, outcomes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [(o, o) for o in outcomes]  # type: ignore[attr-defined]


class ShareForm(forms.Form):
    agency = forms.ModelChoiceField(label="Share with", queryset=Agency.objects.none())
    purpose = forms.CharField(label="Purpose: why they need to know", max_length=300)
    agreement = forms.ModelChoiceField(
        label="Information-sharing agreement it relies on",
        queryset=SharingAgreement.objects.none(),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(  # type: ignore[attr-defined]
            is_active=True
        ).exclude(pk=case.owner_agency_id)
        self.fields["agreement"].queryset = SharingAgreement.objects.filter(  # type: ignore[attr-defined]
            partnership_id=case.partnership_id, is_active=True
        )


class VulnerabilityForm(forms.Form):
    """The reasons a person is a vulnerable victim (none ticked: not
    flagged), with the version of the case the form was opened at."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reasons = forms.MultipleChoiceField(
        label="Why this person is a vulnerable victim (tick all that apply)",
        choices=VulnerabilityReason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Untick every reason to remove the flag.",
        error_messages={"invalid_choice": "Choose reasons from the list"},
    )


class CloseForm(forms.Form):
    """No reason is chosen for the worker: closing says why, every time."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    closure_reason = forms.ChoiceField(
        label="Why it is closed",
        choices=ClosureReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why the case is closed"},
    )
    closed_on = date_field("Date closed")


class SearchForm(forms.Form):
    """Sent by POST: names, dates of birth and addresses never go in a URL."""

    name = forms.CharField(label="Name", required=False, max_length=200)
    date_of_birth = date_field("Date of birth (optional)", required=False)
    address = forms.CharField(
        label="Address or postcode", required=False, max_length=300
    )
    reference = forms.CharField(
        label="Case reference",
        required=False,
        max_length=16,
        help_text="For example, CASE-7KQ39XRT",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not any(
            data.get(k) for k in ("name", "date_of_birth", "address", "reference")
        ):
            raise forms.ValidationError(
                "Enter a name, date of birth, address or reference"
            )
        return data

    def searched(self) -> list[str]:
        return [
            k
            for k in ("name", "date_of_birth", "address", "reference")
            if self.cleaned_data.get(k)
        ]


class CasePolicyForm(forms.ModelForm[CasePolicy]):
    class Meta:
        model = CasePolicy
        fields = [
            "repeat_count", "repeat_window_days", "case_review_reports",
            "case_review_window_days", "marac_escalation_incidents",
            "marac_window_days", "asb_medium_score", "asb_high_score",
            "retention_years", "after_retention",
        ]  # fmt: skip
        labels = {
            "repeat_count": "Incidents that make a repeat caller, victim or location",
            "repeat_window_days": "... within this many days",
            "case_review_reports": "ASB reports that meet the Case Review threshold",
            "case_review_window_days": "... within this many days",
            "marac_escalation_incidents": "Domestic incidents that mean potential "
            "escalation (MARAC)",
            "marac_window_days": "... within this many days",
            "asb_medium_score": "ASB risk score that is medium",
            "asb_high_score": "ASB risk score that is high",
            "retention_years": "Years closed cases are kept",
            "after_retention": "Then",
        }
        help_texts = {"case_review_reports": "The statutory default is 3 in 6 months"}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        medium, high = data.get("asb_medium_score"), data.get("asb_high_score")
        if medium is not None and high is not None and high <= medium:
            self.add_error("asb_high_score", "The high score must be above the medium")
        for field in ("repeat_count", "case_review_reports", "retention_years"):
            if data.get(field) == 0:
                self.add_error(field, "Enter a number of 1 or more")
        return data


class RoutingRuleForm(forms.ModelForm[RoutingRule]):
    case_types = forms.MultipleChoiceField(
        label="Case types (none ticked: any)",
        choices=CaseType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    area_codes = AreasField(
        label="Areas (optional)",
        help_text="The partnership's areas the pathway is for, one to a box: "
        "a district, ward or LSOA by name or code, chosen from the list. "
        "Blank: anywhere.",
    )
    outcomes = forms.CharField(
        label="Outcomes the receiving agency records",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One a line, e.g. Alarms fitted, Declined, No access.",
    )

    class Meta:
        model = RoutingRule
        fields = [
            "pathway", "to_agency", "agreement", "order", "case_types",
            "minimum_risk", "area_codes", "minimum_age", "maximum_age",
            "response_days", "outcomes", "is_active",
        ]  # fmt: skip
        labels = {
            "pathway": "What the referral is for",
            "to_agency": "Goes to",
            "agreement": "Shared under the agreement",
            "order": "Order (rules are tried from the lowest)",
            "minimum_risk": "Minimum risk (optional)",
            "minimum_age": "Victim's minimum age (optional)",
            "maximum_age": "Victim's maximum age (optional)",
            "response_days": "Days to decide",
            "is_active": "In use",
        }

    def __init__(self, *args: Any, partnership: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.partnership = partnership
        self.fields["agreement"].queryset = SharingAgreement.objects.filter(  # type: ignore[attr-defined]
            partnership=partnership, is_active=True
        )
        self.fields["to_agency"].queryset = Agency.objects.filter(is_active=True)  # type: ignore[attr-defined]
        area_codes = self.fields["area_codes"]
        assert isinstance(area_codes, AreasField)
        area_codes.offer(area_choices(partnership))
        if not self.is_bound:
            self.initial["outcomes"] = "\n".join(self.instance.outcomes or [])

    def clean_outcomes(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["outcomes"].splitlines()]
        outcomes = list(dict.fromkeys(line for line in lines if line))
        too_long = [o for o in outcomes if len(o) > OUTCOME_LENGTH]
        if too_long:
            raise forms.ValidationError(
                f"Outcomes are at most {OUTCOME_LENGTH} characters: "
                f"“{too_long[0][:40]}…” is longer"
            )
        return outcomes

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if low is not None and high is not None and high < low:
            self.add_error(
                "maximum_age", "The maximum age must not be below the minimum"
            )
        agreement, agency = data.get("agreement"), data.get("to_agency")
        if agreement and agency and not agreement.parties.filter(pk=agency.pk).exists():
            self.add_error(
                "agreement", f"{agency} is not a party to {agreement.reference}"
            )
        return data


class CaseReviewApplicationForm(forms.Form):
    """An ASB Case Review application as received. The case, when given,
    must be one the worker may see; the area is one of the partnership's."""

    received_on = date_field("Date received")
    applicant_name = forms.CharField(label="Applicant's name", max_length=200)
    applicant_contact = forms.CharField(
        label="Applicant's contact details (optional)",
        max_length=300,
        required=False,
        help_text="A telephone number, email or address to give the decision to",
    )
    case_reference = forms.CharField(
        label="Case reference (optional)",
        max_length=16,
        required=False,
        help_text="The case the application is about, if one is open. "
        "For example, CASE-7KQ39XRT",
    )
    area_code = forms.ChoiceField(label="Area (optional)", required=False)

    def __init__(
        self,
        *args: Any,
        visible: Any,
        areas: list[tuple[str, str]],
        today: datetime.date,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.visible, self.today = visible, today
        self.fields["area_code"].choices = [("", "Not given"), *areas]  # type: ignore[attr-defined]

    def clean_received_on(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["received_on"]
        if day > self.today:
            raise forms.ValidationError("The date received cannot be in the future")
        return day

    def clean_case_reference(self) -> str:
        typed: str = self.cleaned_data["case_reference"].strip().upper()
        self.cleaned_data["case"] = None
        if typed:
            case = self.visible.filter(reference=typed).first()
            if case is None:
                raise forms.ValidationError(
                    f"No case you may see has the reference {typed}"
                )
            self.cleaned_data["case"] = case
        return typed


# The register's threshold_met (None: not decided) as the form's choice.
THRESHOLD_OF: dict[bool | None, str] = {None: "", True: "met", False: "not_met"}
THRESHOLD_CHOICES = [
    ("", "Not decided yet"),
    ("met", "Met: a review will be held"),
    ("not_met", "Not met"),
]


class CaseReviewForm(forms.Form):
    """The decision on the threshold, the review and what came of it, in
    order: each step only once the one before it is recorded."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    threshold = forms.ChoiceField(
        label="Is the threshold for a review met?",
        choices=THRESHOLD_CHOICES,
        required=False,
    )
    decided_on = date_field("Date decided (optional until decided)", required=False)
    decision_reason = forms.CharField(
        label="Reasons for the decision (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The applicant is told the decision and, if not met, why",
    )
    review_held_on = date_field(
        "Date the review was held (optional until held)", required=False
    )
    recommendations = forms.CharField(
        label="Recommendations (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Leave blank if the review made none",
    )
    outcome = forms.CharField(
        label="Outcome (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was done, and what the applicant was told",
    )

    def __init__(self, *args: Any, received_on: datetime.date, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.received_on = received_on

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        threshold = data.get("threshold")
        decided, held = data.get("decided_on"), data.get("review_held_on")
        if threshold and not decided and "decided_on" not in self.errors:
            self.add_error("decided_on", "Enter the date the threshold was decided")
        if decided and not threshold:
            self.add_error("threshold", "Choose whether the threshold is met")
        if decided and decided < self.received_on:
            self.add_error(
                "decided_on",
                "The decision cannot come before the application was received "
                f"({self.received_on:%d %B %Y})",
            )
        if held and threshold != "met":
            self.add_error(
                "review_held_on", "A review is held only where the threshold is met"
            )
        elif held and decided and held < decided:
            self.add_error(
                "review_held_on", "The review cannot come before the decision"
            )
        if data.get("recommendations", "").strip() and not held:
            self.add_error(
                "recommendations", "Enter the date the review was held first"
            )
        return data

    def threshold_met(self) -> bool | None:
        chosen = self.cleaned_data["threshold"]
        return next(met for met, choice in THRESHOLD_OF.items() if choice == chosen)
