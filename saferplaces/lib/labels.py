"""The words a person reads for a value the service stores: one home for
every vocabulary's labels, used by pages (the ``label`` filter,
lib/templatetags/govuk.py), the CLI and the casework's history. Model choices
carry their own labels (``get_FOO_display``); everything stored as a bare
string (area levels, breakdowns, SPC verdicts, community concern categories,
audit actions, measure ids) is labelled here. A value without a label reads
as its words ("street_drinking" -> "street drinking"), never as itself.

tests/demo/test_seed.py renders every page of the demo and fails when one
shows a stored value listed here instead of its label."""

from __future__ import annotations

from saferplaces.analytics import spc
from saferplaces.analytics.measures import REGISTRY  # every family registered
from saferplaces.analytics.measures.registry import ALL_LEVELS
from saferplaces.codes import plural as plural  # the one rule, in the bottom layer
from saferplaces.vocabulary import CONCERN_CATEGORIES, CONCERN_REPORTERS

# Areas of each level, one and many ("1 LSOA", "3 policing units").
LEVELS: dict[str, str] = {
    "lsoa": "LSOA",
    "msoa": "MSOA",
    "ward": "ward",
    "district": "district",
    "constituency": "constituency",
    "policing_unit": "policing unit",
    "partnership": "partnership",
    "local_authority": "local authority",
    "county": "county",
    "city": "city",
    "force": "police force",
    "region": "region",
    "nation": "nation",
}
assert set(LEVELS) == set(ALL_LEVELS), "every area level needs a label"

# The columns a measure breaks down by (Measure.groups). "ho" is the Home
# Office's offence classification (its crime tree, saferplaces.vocabulary).
BREAKDOWNS: dict[str, str] = {
    "crime_type": "crime type",
    "ho_group": "Home Office offence group",
    "ho_subgroup": "Home Office offence subgroup",
    "victim_age_band": "victim's age band",
    "victim_sex": "victim's sex",
    "victim_ethnicity": "victim's ethnic group",
    "age_band": "age band",
    "sex": "sex",
    "ethnicity": "ethnic group",
    "asb_category": "ASB category",
    "index_disposal": "index disposal (how the person entered the cohort)",
    "casualty_class": "casualty class (driver, passenger or pedestrian)",
    "service": "service",
    "case_type": "case type",
    "risk_level": "risk level",
}

# Statistical process control's words live with its arithmetic.
VARIATIONS = spc.VARIATION_WORDS
ASSURANCES = spc.ASSURANCE_WORDS
SIGNALS = spc.SIGNAL_WORDS

# What residents, councillors and officers report (ingest/local_concerns.py).
CONCERNS: dict[str, str] = {
    "fly-tipping": "Fly-tipping",
    "graffiti": "Graffiti",
    "dog-fouling": "Dog fouling",
    "litter": "Litter",
    "abandoned-vehicle": "Abandoned vehicle",
    "tatters": "Tatters (scrap collectors)",
    "drug-litter": "Drug litter",
    "street-drinking": "Street drinking",
    "noise": "Noise",
    "derelict-building": "Derelict building",
    "fly-posting": "Fly-posting",
    "bonfire": "Bonfire",
    "school-parking": "School parking",
    "speeding": "Speeding",
    "parking": "Parking",
    "road-condition": "Road condition",
    "off-road-bikes": "Off-road bikes",
    "other": "Other",
}
assert set(CONCERNS) == set(CONCERN_CATEGORIES), "every concern needs a label"
REPORTERS: dict[str, str] = {reporter: reporter for reporter in CONCERN_REPORTERS}

# What the audit log records (accounts/audit.py), as "what happened".
AUDIT_ACTIONS: dict[str, str] = {
    "read": "Opened",
    "login": "Signed in",
    "logout": "Signed out",
    "login_failed": "Sign-in refused",
    "login_locked_out": "Locked out after failed sign-ins",
    "password_changed": "Changed their password",
    "password_reset_requested": "Asked to reset a password",
    "password_reset_completed": "Reset their password",
    "permission_denied": "Refused a page",
    "rate_limited": "Refused: too many requests",
    "admin_add": "Added in administration",
    "admin_change": "Changed in administration",
    "admin_delete": "Deleted in administration",
    "audit_exported": "Downloaded the audit log",
    "audit_pruned": "Removed audit entries past retention",
    "backup_made": "Made a backup",
    "backup_restored": "Restored a backup",
    "retention_run": "Deleted cases past retention",
    "plan_created": "Started a plan",
    "plan_copied_forward": "Copied a plan forward",
    "plan_published": "Published a plan",
    "plan_withdrawn": "Withdrew a plan",
    "plan_progress_posted": "Posted a progress update",
    "plan_evidence_downloaded": "Downloaded evidence",
    "problem_opened": "Opened a problem-solving record",
    "routing_rule_added": "Added a referral pathway",
    "routing_rule_changed": "Changed a referral pathway",
    "case_policy_changed": "Changed the casework thresholds",
    "case_search": "Searched cases",
    "case_search_hit": "Found in a search",
    "duplicate_check": "Ran a duplicate check",
    "duplicate_check_hit": "Found by a duplicate check",
    "duplicate_check_limited": "Duplicate check refused: too many",
    "case_opened": "Opened the case",
    "case_changed": "Changed the case",
    "case_closed": "Closed the case",
    "case_assessed": "Assessed the risk",
    "case_person_added": "Added a person",
    "case_incident_added": "Added an incident",
    "case_action_added": "Added an action",
    "case_disposal_added": "Added a legal tool or disposal",
    "case_referred": "Referred the case",
    "case_referral_accepted": "Accepted the referral",
    "case_referral_declined": "Declined the referral",
    "case_shared": "Shared the case",
    "case_share_ended": "Ended a share",
}
# The pages of a case (their URL names, which a read records), as what the
# reader did: "Opened the referral form".
CASE_PAGES: dict[str, str] = {
    "cases:case": "Opened the case",
    "cases:case_edit": "Opened the change form",
    "cases:case_export": "Downloaded the case",
    "cases:person_add": "Opened the add-a-person form",
    "cases:incident_add": "Opened the add-an-incident form",
    "cases:action_add": "Opened the add-an-action form",
    "cases:disposal_add": "Opened the add-a-disposal form",
    "cases:assess": "Opened the risk assessment",
    "cases:refer": "Opened the referral form",
    "cases:referral_decide": "Opened the referral decision",
    "cases:share": "Opened the sharing form",
    "cases:close": "Opened the closing form",
    "cases:who_viewed": "Opened this list of who has looked",
}


def _measures() -> dict[str, str]:
    return {measure_id: measure.title for measure_id, measure in REGISTRY.items()}


# Each vocabulary by the name the ``label`` filter takes.
VOCABULARIES: dict[str, dict[str, str]] = {
    "level": LEVELS,
    "breakdown": BREAKDOWNS,
    "variation": VARIATIONS,
    "assurance": ASSURANCES,
    "signal": SIGNALS,
    "concern": CONCERNS,
    "reporter": REPORTERS,
    "audit": AUDIT_ACTIONS,
    "case_page": CASE_PAGES,
    "measure": _measures(),
}


def register(vocabulary: str, mapping: dict[str, str]) -> None:
    """Add an app's vocabulary (its choices, by the name of the breakdown
    that stores them in the analytic store): the cases app registers its
    case types and risk levels, which the measures break down by."""
    if VOCABULARIES.get(vocabulary, mapping) != mapping:
        raise ValueError(f"vocabulary {vocabulary!r} is registered twice")
    VOCABULARIES[vocabulary] = mapping


def label(value: object, vocabulary: str) -> str:
    """The words for ``value`` of ``vocabulary`` (one of VOCABULARIES):

    >>> label("ho_group", "breakdown")
    'Home Office offence group'
    >>> label("drug-litter", "concern")
    'Drug litter'
    >>> label("something_new", "concern")
    'something new'
    """
    if vocabulary not in VOCABULARIES:
        raise KeyError(f"no vocabulary {vocabulary!r}; known: {sorted(VOCABULARIES)}")
    text = "" if value is None else str(value)
    found = VOCABULARIES[vocabulary].get(text)
    return found if found is not None else text.replace("_", " ").replace("-", " ")


def category(value: object, breakdown: str) -> str:
    """One category of a breakdown as its label ("domestic_abuse" of
    case_type -> "Domestic abuse"); a breakdown without a vocabulary here
    stores its categories in words already (the Home Office crime tree)."""
    if breakdown in VOCABULARIES:
        return label(value, breakdown)
    return "" if value is None else str(value)


def audit_event(action: str, object_type: str = "") -> str:
    """What an audit entry records, in words: "Opened the referral form",
    "Found in a search"."""
    if action == "read":
        return CASE_PAGES.get(object_type, "Opened a page")
    return label(action, "audit")
