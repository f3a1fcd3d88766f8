"""SYNTHETIC casework for the demo partnership: invented people at invented
addresses (postcodes in the unused area ZZ), cases of every type across the
police, housing and council, the partnership's sharing agreement, referral
pathways, thresholds and ASB question set. Nobody here exists."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from saferplaces.accounts.models import Agency, Role, User
from saferplaces.analytics.store import Store
from saferplaces.cases.models import (
    Address,
    AsbRiskQuestion,
    Case,
    CaseAction,
    CasePerson,
    CasePolicy,
    CaseReviewApplication,
    CaseStatus,
    CaseType,
    ClosureReason,
    HateStrand,
    Incident,
    IncidentCategory,
    IncidentPerson,
    InvolvementRole,
    Person,
    Referral,
    ReferralStatus,
    RiskLevel,
    RoutingRule,
    SharingAgreement,
)
from saferplaces.cases.risk import MARAC
from saferplaces.demo.plan import DEMO_PARTNERSHIP_SLUG
from saferplaces.partnership.models import Partnership

GIVEN = ["Ada", "Bilal", "Carys", "Dev", "Ebele", "Finn", "Grace", "Hamza", "Ines",
         "Jack", "Kiran", "Lena", "Marek", "Nia", "Omar", "Priya", "Quinn", "Rosa",
         "Sami", "Tara", "Umar", "Vera", "Wes", "Yusuf", "Zara"]  # fmt: skip
FAMILY = ["Ashdown", "Birchley", "Coleby", "Dunmore", "Elsworth", "Fairley",
          "Greaves", "Hollis", "Ingram", "Jessop", "Kettley", "Lomax", "Marlow",
          "Northam", "Oakes", "Pellow", "Quarry", "Rendell", "Stokely",
          "Tilsley"]  # fmt: skip
STREETS = ["Synthetic Road", "Example Close", "Invented Lane", "Sample Street",
           "Demo Avenue", "Placeholder Way"]  # fmt: skip

# Enough for the case counts to show figures, as a partnership's would.
DEMO_CASES = 400

ASB_QUESTIONS = [
    ("Is the victim, or anyone in the household, disabled or in poor health?", 2),
    ("Is the victim elderly, or a child?", 1),
    ("Has the victim been targeted because of who they are?", 3),
    ("Is the behaviour happening more often, or getting worse?", 2),
    ("Has the victim been threatened, or is violence feared?", 3),
    ("Is the victim afraid to leave their home?", 2),
    ("Is the behaviour affecting the victim's health or sleep?", 1),
    ("Does the victim live alone or have no support nearby?", 1),
    ("Has the victim reported three or more times in six months?", 2),
    ("Has the victim considered moving because of it?", 1),
]

PATHWAYS = [
    # pathway, agency, case types, minimum risk, ages, days
    ("Home fire safety visit", "West Midlands Fire Service", [], "", None, 10),
    ("Child safeguarding: council front door", "BCC Community Safety",
     [CaseType.CHILD_SAFEGUARDING], "", None, 1),
    ("Child safeguarding: council front door", "BCC Community Safety",
     [], "", (0, 17), 1),
    (MARAC, "BCC Community Safety", [CaseType.DOMESTIC_ABUSE], "", None,
     7),
    ("Housing support", "BCC Landlord Services", [], "", None, 5),
    ("Drug and alcohol support", "Aquarius", [], "", (16, 120), 5),
    ("Offender management", "Probation Service",
     [CaseType.ASB, CaseType.DOMESTIC_ABUSE], "medium", None, 5),
    ("ASB case management", "West Midlands Police", [CaseType.ASB], "", None, 5),
]  # fmt: skip

# What each receiving agency records as a referral's outcome (SYNTHETIC
# lists, in the words such services use).
OUTCOMES: dict[str, list[str]] = {
    "Home fire safety visit": ["Alarms fitted", "Advice given, no alarms needed",
                               "Declined", "No access"],
    "Child safeguarding: council front door": [
        "Strategy discussion held", "Early help offered", "No further action"],
    MARAC: ["Heard at MARAC: actions agreed", "Not heard: below the threshold"],
    "Housing support": ["Tenancy sustained", "Moved to a new home", "Declined"],
    "Drug and alcohol support": ["Engaged in treatment", "Declined", "No contact"],
    "Offender management": ["Managed under IOM", "Not eligible"],
    "ASB case management": ["Case opened", "Resolved by mediation",
                            "No further action"],
}  # fmt: skip
# One demo case in this many had a referral that was completed with an
# outcome (enough for the referral-outcomes measure to show a district's
# figures by year); open police cases get actions, some overdue, for the
# caseload.
COMPLETED_REFERRAL_EVERY = 2
ACTIONS = ["Visit the victim at home", "Call the housing officer back",
           "Send the warning letter", "Check the CCTV with the council"]  # fmt: skip


def demo_postcodes(store: Store) -> list[tuple[str, str]]:
    """(postcode, LSOA) pairs of the demo's postcode directory, for addresses."""
    if "postcodes" not in store.tables():
        return []
    rows = store.query(
        "SELECT postcode, area_code FROM postcodes WHERE NOT terminated "
        "ORDER BY postcode LIMIT 200"
    ).to_pylist()
    return [(str(r["postcode"]), str(r["area_code"])) for r in rows]


def load_demo_cases(postcodes: list[tuple[str, str]], seed: int = 2016) -> int:
    """Load the SYNTHETIC casework once; the number of cases made (0 when
    already loaded or the partnership is missing). ``postcodes`` are
    (postcode, LSOA) pairs from the demo's postcode directory."""
    partnership = Partnership.objects.filter(slug=DEMO_PARTNERSHIP_SLUG).first()
    if partnership is None or Case.objects.filter(partnership=partnership).exists():
        return 0
    agencies = {a.name: a for a in Agency.objects.all()}
    if "West Midlands Fire Service" not in agencies:
        return 0
    rng = random.Random(seed)
    with transaction.atomic():
        agreement = _agreement(partnership, agencies)
        _rules(partnership, agencies, agreement)
        CasePolicy.of(partnership.pk)
        for number, (text, weight) in enumerate(ASB_QUESTIONS, start=1):
            AsbRiskQuestion.objects.get_or_create(
                partnership=partnership,
                number=number,
                defaults={"text": text, "weight": weight},
            )
        made = _cases(partnership, agencies, postcodes, rng)
        _finished_referrals(partnership, agreement, rng)
        _actions(partnership, agencies, rng)
        # Their own draws, so the cases above stay as they were.
        load_demo_case_reviews(partnership, random.Random(seed + 30))
    return made


def load_demo_case_reviews(partnership: Partnership, rng: random.Random) -> int:
    """SYNTHETIC ASB Case Review applications over the last two years, at
    every stage, about ASB cases of the partnership; the number made."""
    today = timezone.localdate()
    asb = list(
        Case.objects.filter(partnership=partnership, case_type=CaseType.ASB)[:12]
    )
    for n, case in enumerate(asb):
        # The last two arrived lately and wait for a decision.
        back = (20, 720) if n < 10 else (3, 25)
        received = today - datetime.timedelta(days=rng.randint(*back))
        decided = received + datetime.timedelta(days=rng.randint(3, 20))
        met = n % 3 != 0 if n < 10 else None
        held = (
            decided + datetime.timedelta(days=rng.randint(10, 40))
            if met and n % 4 != 1
            else None
        )
        CaseReviewApplication.objects.create(
            partnership=partnership,
            received_on=received,
            applicant_name=f"SYNTHETIC {rng.choice(GIVEN)} {rng.choice(FAMILY)}",
            applicant_contact="SYNTHETIC 0121 000 0000",
            case=case,
            area_code=case.area_code,
            threshold_met=met,
            decided_on=decided if met is not None else None,
            decision_reason="SYNTHETIC: "
            + ("three reports in six months" if met else "one report in six months"),
            review_held_on=held if held and held <= today else None,
            recommendations="SYNTHETIC: mediation; a community protection warning"
            if held and n % 2 == 0
            else "",
        )
    return len(asb)


def _agreement(
    partnership: Partnership, agencies: dict[str, Agency]
) -> SharingAgreement:
    agreement, _ = SharingAgreement.objects.get_or_create(
        partnership=partnership,
        reference="BS-ISA-01",
        defaults={
            "title": "SYNTHETIC Birmingham South community safety information sharing",
            "purpose": "Reducing crime, anti-social behaviour and harm; safeguarding "
            "vulnerable people; MARAC and ASB case conferences.",
            "lawful_basis": "UK GDPR 6(1)(e) public task; 9(2)(g) substantial public "
            "interest; Crime and Disorder Act 1998 s.115",
            "review_by": datetime.date(2027, 3, 31),
        },
    )
    agreement.parties.set(agencies.values())
    return agreement


def _rules(
    partnership: Partnership, agencies: dict[str, Agency], agreement: SharingAgreement
) -> None:
    for order, (pathway, agency, types, minimum, ages, days) in enumerate(PATHWAYS):
        if agency not in agencies:
            continue
        RoutingRule.objects.get_or_create(
            partnership=partnership,
            pathway=pathway,
            order=(order + 1) * 10,
            defaults={
                "to_agency": agencies[agency],
                "agreement": agreement,
                "case_types": [str(t) for t in types],
                "minimum_risk": minimum,
                "minimum_age": ages[0] if ages else None,
                "maximum_age": ages[1] if ages else None,
                "response_days": days,
                "outcomes": OUTCOMES.get(pathway, []),
            },
        )


def _cases(
    partnership: Partnership,
    agencies: dict[str, Agency],
    postcodes: list[tuple[str, str]],
    rng: random.Random,
) -> int:
    today = timezone.localdate()
    owning = ("West Midlands Police", "BCC Landlord Services", "BCC Community Safety")
    owners = [agencies[n] for n in owning if n in agencies]
    officers = {
        a.pk: User.objects.filter(agency=a, memberships__role=Role.CASE_WORKER).first()
        for a in owners
    }
    places = postcodes or [("", "")]
    made = 0
    # The journey of the issue: a vulnerable victim the police will refer.
    _case(partnership, agencies["West Midlands Police"], officers, rng, today,
          CaseType.VULNERABLE_ADULT, places[0],
          ("Edna", "Hollis", datetime.date(1939, 5, 2)),
          summary="SYNTHETIC: lives alone; smokes in bed; neighbours report "
          "smoke alarms not working.", incidents=2)  # fmt: skip
    made += 1
    kinds = list(CaseType)
    for n in range(DEMO_CASES - 1):
        case_type = kinds[n % len(kinds)]
        # Owners move on by one each round of the types, so every owning
        # agency has cases of every type: the police (demo-police) own
        # domestic abuse and repeat-caller cases to try DASH, MARAC and the
        # repeat alerts on (with six types and three owners, n % 3 alone
        # gave every one of those to the council, which no demo user works).
        owner = owners[(n + n // len(kinds)) % len(owners)]
        born = today - datetime.timedelta(days=rng.randint(8 * 365, 85 * 365))
        if case_type == CaseType.CHILD_SAFEGUARDING:
            born = today - datetime.timedelta(days=rng.randint(2 * 365, 16 * 365))
        name = (rng.choice(GIVEN), rng.choice(FAMILY), born)
        _case(partnership, owner, officers, rng, today, case_type,
              rng.choice(places), name, incidents=rng.choice([1, 1, 2, 3, 4]),
              closed=n % 5 == 0, old=n % 17 == 0)  # fmt: skip
        made += 1
    return made


def _case(
    partnership: Partnership,
    owner: Agency,
    officers: dict[int, Any],
    rng: random.Random,
    today: datetime.date,
    case_type: str,
    place: tuple[str, str],
    name: tuple[str, str, datetime.date],
    summary: str = "",
    incidents: int = 1,
    closed: bool = False,
    old: bool = False,
) -> Case:
    postcode, lsoa = place
    address = Address.objects.create(
        partnership=partnership,
        line=f"{rng.randint(1, 199)} {rng.choice(STREETS)}",
        postcode=postcode,
        area_code=lsoa,
    )
    person = Person.objects.create(
        partnership=partnership,
        given_name=name[0],
        family_name=name[1],
        date_of_birth=name[2],
        address=address,
    )
    # Open cases from the last two years; closed ones from up to six and a
    # half years back; the oldest past the six-year retention period. Every
    # month has cases, as a partnership's casework does.
    back = (3, 720)
    if closed:
        back = (720, 2370)
    if old:
        back = (2600, 3000)
    opened = today - datetime.timedelta(days=rng.randint(*back))
    case = Case.objects.create(
        partnership=partnership,
        case_type=case_type,
        hate_strand=rng.choice(list(HateStrand)) if case_type == CaseType.HATE_CRIME
        else "",
        owner_agency=owner,
        officer=officers.get(owner.pk),
        summary=summary or f"SYNTHETIC {CaseType(case_type).label.lower()} case.",
        area_code=lsoa,
        opened_on=opened,
        risk_level=rng.choice([RiskLevel.STANDARD] * 3 + [RiskLevel.MEDIUM] * 2
                              + [RiskLevel.HIGH]),
    )  # fmt: skip
    category = {
        CaseType.ASB: IncidentCategory.ASB_PERSONAL,
        CaseType.HATE_CRIME: IncidentCategory.HATE,
        CaseType.DOMESTIC_ABUSE: IncidentCategory.DOMESTIC,
        CaseType.REPEAT_CALLER: IncidentCategory.OTHER,
    }.get(CaseType(case_type), IncidentCategory.WELFARE)
    role = (
        InvolvementRole.REPORTER
        if case_type == CaseType.REPEAT_CALLER
        else InvolvementRole.VICTIM
    )
    # A repeat caller is the caller in the case as in its incidents, so the
    # repeat-caller alert can find them.
    CasePerson.objects.create(case=case, person=person, role=role)
    for _ in range(incidents):
        day = min(today, opened + datetime.timedelta(days=rng.randint(0, 150)))
        incident = Incident.objects.create(
            partnership=partnership,
            occurred_on=day,
            category=category,
            description="SYNTHETIC incident.",
            reporting_agency=owner,
            address=address,
            area_code=lsoa,
        )
        IncidentPerson.objects.create(incident=incident, person=person, role=role)
        case.incidents.add(incident)
    if closed or old:
        case.status = CaseStatus.CLOSED
        case.closure_reason = rng.choice(list(ClosureReason))
        case.closed_on = min(
            today, opened + datetime.timedelta(days=rng.randint(30, 200))
        )
        case.save(update_fields=["status", "closure_reason", "closed_on"])
    return case


def _finished_referrals(
    partnership: Partnership, agreement: SharingAgreement, rng: random.Random
) -> None:
    """Referrals decided and completed with an outcome from their pathway's
    list, each share for them ended: the history the referral-outcomes
    measure counts. Nobody sees a case through them, and Edna Hollis's case
    (the first) has none: her referral is the journey to try."""
    rules = [
        rule
        for rule in RoutingRule.objects.filter(partnership=partnership)
        .exclude(pathway=MARAC)
        .select_related("to_agency")
        if rule.outcomes and not rule.case_types and rule.minimum_age is None
    ]
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    cases = Case.objects.filter(
        partnership=partnership, anonymised_at__isnull=True
    ).order_by("pk")
    for number, case in enumerate(cases[1:], start=1):
        if number % COMPLETED_REFERRAL_EVERY:
            continue
        ended = case.closed_on or yesterday
        rule = rng.choice([r for r in rules if r.to_agency_id != case.owner_agency_id])
        made = datetime.datetime.combine(
            case.opened_on, datetime.time(10), datetime.UTC
        ) + datetime.timedelta(days=rng.randint(1, 10))
        if made.date() >= ended:
            continue  # opened too recently for a referral to have finished
        done = min(
            made + datetime.timedelta(days=rng.randint(5, 40)),
            datetime.datetime.combine(ended, datetime.time(16), datetime.UTC),
        )
        Referral.objects.create(
            case=case, pathway=rule.pathway, rule=rule,
            from_agency=case.owner_agency, to_agency=rule.to_agency,
            reason="SYNTHETIC referral.", status=ReferralStatus.COMPLETED,
            due_by=(made + datetime.timedelta(days=rule.response_days)).date(),
            made_at=made, decided_at=made + datetime.timedelta(days=1),
            outcome=rng.choice(rule.outcomes), outcome_at=done, completed_at=done,
        )  # fmt: skip
        case.shares.create(
            agency=rule.to_agency, purpose=f"Referral: {rule.pathway}",
            agreement=agreement, shared_at=made, ended_at=done,
        )  # fmt: skip


def _actions(
    partnership: Partnership, agencies: dict[str, Agency], rng: random.Random
) -> None:
    """Actions on the police's open cases, a few days either side of today:
    the demo police officer's caseload has some due and some overdue."""
    police = agencies["West Midlands Police"]
    today = timezone.localdate()
    open_cases = Case.objects.filter(
        partnership=partnership, owner_agency=police, status=CaseStatus.OPEN
    ).order_by("pk")[1:9]  # the first is Edna Hollis's, left for the journey
    for case in open_cases:
        CaseAction.objects.create(
            case=case, description=rng.choice(ACTIONS), owner_agency=police,
            target_date=today + datetime.timedelta(days=rng.randint(-14, 21)),
        )  # fmt: skip
