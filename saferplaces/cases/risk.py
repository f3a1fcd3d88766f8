"""Risk: the SafeLives DASH checklist, the ASB victim risk assessment and
the MARAC referral criteria. Plain functions over plain values, so the
rules are tested on hand-made histories without a database.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from saferplaces.lib.labels import plural

STANDARD, MEDIUM, HIGH = "standard", "medium", "high"
# The referral pathway to the Multi-Agency Risk Assessment Conference.
MARAC = "MARAC"
ORDER = {STANDARD: 0, MEDIUM: 1, HIGH: 2}

# The 24 questions of the SafeLives DASH risk identification checklist
# (2015), in its order, in short. The full wording and the practice
# guidance are SafeLives'; workers use the checklist as trained.
DASH_QUESTIONS: tuple[str, ...] = (
    "Has the current incident resulted in injury?",
    "Is the victim very frightened?",
    "Is the victim afraid of further injury or violence?",
    "Does the victim feel isolated from family or friends?",
    "Is the victim feeling depressed or having suicidal thoughts?",
    "Has the victim separated, or tried to, from the abuser within the past year?",
    "Is there conflict over child contact?",
    "Does the abuser constantly text, call, contact, follow, stalk or harass?",
    "Is the victim pregnant, or had a baby in the last 18 months?",
    "Is the abuse happening more often?",
    "Is the abuse getting worse?",
    "Does the abuser try to control everything, or are they excessively jealous?",
    "Has the abuser ever used weapons or objects to hurt the victim?",
    "Has the abuser ever threatened to kill the victim or someone else, "
    "and were they believed?",
    "Has the abuser ever attempted to strangle, choke, suffocate or drown the victim?",
    "Does the abuser do or say things of a sexual nature that make the victim "
    "feel bad or physically hurt them or someone else?",
    "Is there any other person who has threatened the victim or whom they "
    "are afraid of?",
    "Does the victim know if the abuser has hurt anyone else?",
    "Has the abuser ever mistreated an animal or the family pet?",
    "Are there any financial issues?",
    "Has the abuser had problems in the past year with drugs, alcohol or "
    "mental health leading to problems in leading a normal life?",
    "Has the abuser ever threatened or attempted suicide?",
    "Has the abuser ever broken bail, an injunction or a formal agreement "
    "about contact?",
    "Does the victim know if the abuser has ever been in trouble with the "
    "police or has a criminal history?",
)
# SafeLives: 14 or more "yes" answers is visible high risk.
DASH_HIGH_RISK_YES = 14
# The answers a question may have, as the DASH checklist's columns give
# them: only a yes scores.
YES, NO, NOT_KNOWN = "yes", "no", "not_known"
ANSWERS: dict[str, str] = {YES: "Yes", NO: "No", NOT_KNOWN: "Not known"}


class RiskError(ValueError):
    """An assessment that breaks a rule, with a message fit to show."""


@dataclass(frozen=True)
class Scored:
    score: int
    scored_level: str
    level: str
    judgement_reason: str


def dash(answers: Mapping[int, str], judged: str = "", reason: str = "") -> Scored:
    """Score a DASH checklist (each answer yes, no or not known): the
    number of yes answers; 14 or more is high. Professional judgement may
    raise the level (with a reason) but never lower it. Below the threshold
    the checklist alone says standard: medium risk is a judgement SafeLives
    leaves to the practitioner."""
    unknown = sorted(set(answers) - set(range(1, len(DASH_QUESTIONS) + 1)))
    if unknown:
        raise RiskError(f"DASH has questions 1 to 24, not {unknown[0]}.")
    score = _yes_count(answers)
    scored = HIGH if score >= DASH_HIGH_RISK_YES else STANDARD
    return _judged(score, scored, judged, reason)


def _yes_count(answers: Mapping[int, str]) -> int:
    odd = sorted(n for n, answer in answers.items() if answer not in ANSWERS)
    if odd:
        raise RiskError(f"Answer question {odd[0]}: yes, no or not known.")
    return sum(1 for answer in answers.values() if answer == YES)


def asb(
    answers: Mapping[int, str],
    weights: Mapping[int, int],
    medium_at: int,
    high_at: int,
    judged: str = "",
    reason: str = "",
) -> Scored:
    """Score the partnership's ASB victim risk assessment: the weights of
    the yes answers, against its medium and high thresholds."""
    unknown = sorted(set(answers) - set(weights))
    if unknown:
        raise RiskError(f"The ASB risk assessment has no question {unknown[0]}.")
    _yes_count(answers)
    score = sum(weights[n] for n, answer in answers.items() if answer == YES)
    scored = HIGH if score >= high_at else MEDIUM if score >= medium_at else STANDARD
    return _judged(score, scored, judged, reason)


def _judged(score: int, scored: str, judged: str, reason: str) -> Scored:
    if not judged or judged == scored:
        return Scored(score, scored, scored, "")
    if judged not in ORDER:
        raise RiskError(f"Unknown risk level {judged!r}.")
    if ORDER[judged] < ORDER[scored]:
        raise RiskError(
            f"Professional judgement can raise the level but never lower it: "
            f"the answers make it {scored}."
        )
    if not reason.strip():
        raise RiskError("Say why your professional judgement raises the level.")
    return Scored(score, scored, judged, reason.strip())


@dataclass(frozen=True)
class MaracThresholds:
    escalation_incidents: int = 3
    window_days: int = 365


def marac_criteria(
    level: str,
    judged_high: bool,
    incident_dates: Iterable[datetime.date],
    earlier_marac_referrals: Sequence[datetime.date],
    today: datetime.date,
    thresholds: MaracThresholds = MaracThresholds(),
) -> list[str]:
    """The MARAC referral criteria a domestic abuse case meets, in words
    (an empty list: none). Any one is enough to refer."""
    met = []
    if level == HIGH and not judged_high:
        met.append("Visible high risk: 14 or more yes answers on the DASH checklist.")
    if judged_high:
        met.append("Professional judgement: the worker judged the risk high.")
    since = today - datetime.timedelta(days=thresholds.window_days)
    recent = [day for day in incident_dates if since < day <= today]
    if len(recent) >= thresholds.escalation_incidents:
        met.append(
            f"Potential escalation: {len(recent)} incidents in the last "
            f"{window_words(thresholds.window_days)}."
        )
    repeat_since = today - datetime.timedelta(days=365)
    if any(day > repeat_since for day in earlier_marac_referrals):
        met.append("Repeat referral: referred to MARAC in the last 12 months.")
    return met


def window_words(days: int) -> str:
    """A look-back window as people say it: 365 days is "12 months", 183
    (the ASB Case Review's default) "6 months"."""
    if days in (182, 183, 184):
        return "6 months"
    if days % 365 == 0:
        return "12 months" if days == 365 else f"{days // 365} years"
    return f"{days} {plural(days, 'day')}"
