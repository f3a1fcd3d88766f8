"""Factories for the models tests need (factory_boy), and the small plan made
of them that most plan tests share. Every person, case and address is
invented; a test builds what it needs here instead of loading the demo
(``saferplaces.demo.seed``), which only a few modules may do
(``tests/conftest.py`` counts them)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import factory
from django.utils.text import slugify

from saferplaces.accounts.models import Agency, AgencyKind, Membership, Role, User
from saferplaces.cases.models import (
    Address,
    Case,
    CasePerson,
    Incident,
    IncidentCategory,
    IncidentPerson,
    InvolvementRole,
    Person,
    Referral,
    RoutingRule,
    SharingAgreement,
)
from saferplaces.partnership.models import (
    Action,
    ActionMeasure,
    EvaluationPlan,
    Group,
    GroupKind,
    Milestone,
    Objective,
    Partnership,
    PartnershipArea,
    Plan,
    Principle,
    Priority,
    ProgressUpdate,
    Status,
    Strand,
    StrandLink,
    action_reference,
)
from saferplaces.tasking.models import ProblemSolving

PASSWORD = "correct horse battery staple"
# Runs the installation; holds no role in any partnership.
SITE_ADMIN = "site_administrator"
ANONYMOUS = "anonymous"
PERSONAS = [ANONYMOUS, SITE_ADMIN, *[role.value for role in Role]]


# -- accounts -------------------------------------------------------------------


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = AgencyKind.COUNCIL


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    agency = factory.SubFactory(AgencyFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()

    @factory.post_generation
    def role(obj, create, extracted, partnerships=None, **kwargs):
        """``role=`` a role held in ``role__partnerships`` (by default every
        partnership there is, or a test partnership when there is none), or
        SITE_ADMIN for a site administrator with no membership."""
        if not create:
            return
        if extracted == SITE_ADMIN:
            obj.is_site_administrator = True
            obj.save()
            return
        for partnership in partnerships or every_partnership():
            Membership.objects.get_or_create(
                user=obj,
                partnership=partnership,
                defaults={"role": extracted or Role.VIEWER},
            )


def every_partnership() -> list[Partnership]:
    """Every partnership there is, or a test partnership when there is none."""
    return list(Partnership.objects.all()) or [
        Partnership.objects.get_or_create(
            slug="test-partnership", defaults={"name": "Test partnership"}
        )[0]
    ]


def covering(*codes: str) -> None:
    """Give every partnership there is (or the test partnership) the areas
    ``codes``: its members see exact figures for what lies inside them."""
    for partnership in every_partnership():
        for code in codes:
            PartnershipArea.objects.get_or_create(partnership=partnership, code=code)


# -- the plan -------------------------------------------------------------------


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Partnership {n}")
    slug = factory.LazyAttribute(lambda p: slugify(p.name))


class PartnershipAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnershipArea

    partnership = factory.SubFactory(PartnershipFactory)
    code = factory.Sequence(lambda n: f"SYN-D{n:02d}")


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Group {n}")
    slug = factory.LazyAttribute(lambda g: slugify(g.name))
    kind = GroupKind.TASKING_GROUP
    lead_agency = factory.SubFactory(AgencyFactory)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Plan {n} 2014/15")
    slug = factory.LazyAttribute(lambda p: slugify(p.title))
    starts = datetime.date(2014, 4, 1)
    ends = datetime.date(2015, 3, 31)


class PrincipleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Principle

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Principle {n + 1}.")


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Priority

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Priority {n + 1}")


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    priority = factory.SubFactory(PriorityFactory)
    title = factory.Sequence(lambda n: f"Objective {n}")


class ActionFactory(factory.django.DjangoModelFactory):
    """An action of a priority (made with its plan unless given), in a group
    of the plan's partnership, from the plan's start to its end."""

    class Meta:
        model = Action

    priority = factory.SubFactory(PriorityFactory)
    plan = factory.LazyAttribute(lambda a: a.priority.plan)
    group = factory.SubFactory(
        GroupFactory, partnership=factory.SelfAttribute("..plan.partnership")
    )
    number = factory.Sequence(lambda n: f"9.{n + 1}")
    reference = factory.LazyAttribute(lambda a: action_reference(a.plan.slug, a.number))
    text = factory.Sequence(lambda n: f"Action {n + 1}")
    lead_agency = factory.LazyAttribute(lambda a: a.group.lead_agency)
    starts = factory.LazyAttribute(lambda a: a.plan.starts)
    due = factory.LazyAttribute(lambda a: a.plan.ends)


class ActionMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionMeasure

    action = factory.SubFactory(ActionFactory)
    measure_id = "total-recorded-crime"
    direction = ActionMeasure.Direction.DOWN


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    action = factory.SubFactory(ActionFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due = datetime.date(2014, 9, 30)


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    action = factory.SubFactory(ActionFactory)
    text = "SYNTHETIC: met as planned; partners agreed next steps."
    status = Status.ON_TRACK
    previous_status = Status.NOT_STARTED
    created = datetime.datetime(2014, 5, 1, 10, tzinfo=datetime.UTC)


class EvaluationPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluationPlan

    action = factory.SubFactory(ActionFactory)
    question = "Did crime fall?"
    measure_id = "total-recorded-crime"
    target_area = "SYN-D03"
    baseline_from = "2012-04"
    baseline_to = "2014-03"
    followup_from = "2014-04"
    followup_to = "2016-03"
    method = EvaluationPlan.Method.BEFORE_AFTER


class ProblemSolvingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProblemSolving

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"SYNTHETIC problem {n}")
    source = "street-crime"
    area_code = "SYN-W01"
    owner = factory.SubFactory(AgencyFactory)


# The demo's names, which the permission matrix's URLs name: a plan built
# here answers them as the demo's would.
DEMO_PARTNERSHIP_SLUG = "birmingham-south-ldg"
DEMO_PLAN_SLUG = "birmingham-south-2014-15"
# The seed plan's outcome measures, in its order.
SEED_KEY_MEASURES = [
    "total-recorded-crime", "perceptions-of-safety", "reoffending-rate",
    "satisfaction", "confidence-to-report-domestic-abuse", "domestic-violence",
    "non-domestic-violence",
]  # fmt: skip


def road_safety_plan(**fields) -> SimpleNamespace:
    """A small SYNTHETIC plan under the demo's names: the seed plan's road
    safety objective (3.1: actions 3.1.1 and 3.1.2 of the Road Safety Tasking
    Group, led by the fire service) and its first domestic abuse action (1.1),
    each as the seed plan and the demo give them (3.1.1 watches KSI road
    casualties in SYN-D03, with a target, milestones and an evaluation
    against SYN-D02), published, with a SYNTHETIC progress update.
    ``fields`` change the plan's."""
    partnership = PartnershipFactory(
        slug=DEMO_PARTNERSHIP_SLUG,
        name="Birmingham South Local Delivery Group",
        example_place="Selly Oak",
    )
    for code in ("SYN-D01", "SYN-D02", "SYN-D03"):
        PartnershipAreaFactory(partnership=partnership, code=code)
    fire = AgencyFactory(name="West Midlands Fire Service", kind=AgencyKind.FIRE)
    police = AgencyFactory(name="West Midlands Police", kind=AgencyKind.POLICE)
    plan = PlanFactory(
        partnership=partnership,
        title="Birmingham South LDG plan 2014/15",
        slug=DEMO_PLAN_SLUG,
        published=True,
        synthetic=True,
        key_measures=SEED_KEY_MEASURES,
        **fields,
    )
    road = GroupFactory(
        partnership=partnership,
        name="Road Safety Tasking Group",
        slug="road-safety-tasking",
        lead_agency=fire,
        lead_role="Station Commander, Northfield",
    )
    violence = GroupFactory(
        partnership=partnership,
        name="Domestic Violence Forum",
        slug="domestic-violence-forum",
        kind=GroupKind.FORUM,
        lead_agency=police,
    )
    abuse = PriorityFactory(plan=plan, number=1, title="Domestic Abuse")
    abuse.groups.add(violence)
    communities = PriorityFactory(plan=plan, number=3, title="Mobilising Communities")
    communities.groups.add(road)
    road_safety = ObjectiveFactory(priority=communities, title="Road safety")
    dv = ActionFactory(
        priority=abuse,
        group=violence,
        number="1.1",
        text="Disseminate learning from Domestic Homicide Reviews",
    )
    ActionMeasureFactory(action=dv, measure_id="domestic-violence", direction="watch")
    ksi = ActionFactory(
        priority=communities,
        objective=road_safety,
        group=road,
        number="3.1.1",
        text="An intelligence led approach to locations of concern",
        target_areas=["SYN-D03"],
    )
    ActionMeasureFactory(
        action=ksi,
        measure_id="road-casualties-ksi",
        direction="down",
        baseline_from="2012-04",
        baseline_to="2014-03",
        target=4.0,
    )
    for title, due, state in [
        ("SYNTHETIC: hotspot schools agreed", datetime.date(2014, 6, 30), "met"),
        ("SYNTHETIC: KSI casualties reviewed", datetime.date(2015, 3, 31), "missed"),
    ]:
        MilestoneFactory(action=ksi, title=title, due=due, state=state)
    EvaluationPlanFactory(
        action=ksi,
        question="Did KSI road casualties in Selly Oak fall against Northfield's?",
        measure_id="road-casualties-ksi",
        target_area="SYN-D03",
        comparison_area="SYN-D02",
        method=EvaluationPlan.Method.DIFFERENCE_IN_DIFFERENCES,
    )
    planning = ActionFactory(
        priority=communities,
        objective=road_safety,
        group=road,
        number="3.1.2",
        text="A more joined up approach to forward planning",
        status=Status.ON_TRACK,
    )
    ProgressUpdateFactory(action=planning)
    return SimpleNamespace(
        plan=plan,
        partnership=partnership,
        road=road,
        ksi=ksi,
        planning=planning,
        domestic_violence=dv,
        fire=fire,
        police=police,
    )


def plan_with_every_priority() -> SimpleNamespace:
    """``road_safety_plan`` with the seed plan's other priorities (2, 4 and
    5) and an action for each measure they link, as the seed plan links it
    (1.4 aims to raise confidence to report domestic abuse by 5 points)."""
    built = road_safety_plan()
    plan = built.plan
    forum = built.domestic_violence.group
    confidence = ActionFactory(
        priority=built.domestic_violence.priority, group=forum, number="1.4",
        text="Awareness raising in communities",
    )  # fmt: skip
    ActionMeasureFactory(
        action=confidence, measure_id="confidence-to-report-domestic-abuse",
        direction="up", size="5 points",
    )  # fmt: skip
    for number, title, group, links in [
        (2, "Young People (10-24 years)", "Young People Sub-Group",
         [("2.2", "youth-related-asb", "down")]),
        (4, "Vulnerable People", "Safeguarding & Supporting Adults Sub-Group",
         [("4.2.4", "cases-opened", "watch")]),
        (5, "Business Crime & Partnerships", "Business Crime & Partnerships",
         [("5.1", "business-crime", "down"),
          ("5.2", "transport-related-asb", "down")]),
    ]:  # fmt: skip
        priority = PriorityFactory(plan=plan, number=number, title=title)
        delivering = GroupFactory(
            partnership=plan.partnership, name=group, kind=GroupKind.SUB_GROUP,
            lead_agency=built.police,
        )  # fmt: skip
        priority.groups.add(delivering)
        for action_number, measure, direction in links:
            action = ActionFactory(
                priority=priority, group=delivering, number=action_number
            )
            ActionMeasureFactory(action=action, measure_id=measure, direction=direction)
    return built


def small_plan() -> Plan:
    """A small plan with one of everything its authoring forms change."""
    partnership = Partnership.objects.create(name="Test LDG", slug="test-ldg")
    police = Agency.objects.create(name="Test Police")
    group = Group.objects.create(
        partnership=partnership, name="Road Safety", slug="road-safety",
        kind="tasking_group", lead_agency=police,
    )  # fmt: skip
    strand = Strand.objects.create(partnership=partnership, name="Prevent")
    StrandLink.objects.create(strand=strand, group=group)
    plan = Plan.objects.create(
        partnership=partnership, title="Plan 2014/15", slug="plan-2014-15",
        starts=datetime.date(2014, 4, 1), ends=datetime.date(2015, 3, 31),
    )  # fmt: skip
    priority = Priority.objects.create(plan=plan, number=3, title="Safer roads")
    priority.groups.add(group)
    objective = Objective.objects.create(priority=priority, title="Fewer KSI")
    action = Action.objects.create(
        plan=plan, priority=priority, objective=objective,
        reference="plan-2014-15-3-1", number="3.1", text="Enforce at schools",
        group=group, lead_agency=police, starts=datetime.date(2014, 4, 1),
    )  # fmt: skip
    Milestone.objects.create(
        action=action, title="Schools agreed", due=datetime.date(2014, 6, 30)
    )
    ActionMeasure.objects.create(
        action=action, measure_id="road-casualties-ksi", direction="down"
    )
    ProblemSolving.objects.create(
        partnership=partnership, title="ASB by the shops", source="street-crime",
        area_code="SYN-W01", owner=police,
    )  # fmt: skip
    return plan


NEIGHBOUR_PARTNERSHIP = "neighbouring-ldg-synthetic"
NEIGHBOUR_PLAN = "neighbouring-ldg-synthetic-draft"


def neighbouring_plan() -> Plan:
    """The demo's invented neighbouring partnership (Birmingham North's
    districts SYN-D05 and SYN-D06) and its unpublished draft plan: two
    actions of priority 1, the first of its road safety group."""
    partnership = PartnershipFactory(
        slug=NEIGHBOUR_PARTNERSHIP,
        name="Neighbouring Local Delivery Group (SYNTHETIC)",
        example_place="Erdington",
    )
    for code in ("SYN-D05", "SYN-D06"):
        PartnershipAreaFactory(partnership=partnership, code=code)
    council = AgencyFactory(name="BCC Community Safety", kind=AgencyKind.COUNCIL)
    police = AgencyFactory(name="West Midlands Police", kind=AgencyKind.POLICE)
    plan = PlanFactory(
        partnership=partnership,
        title="Neighbouring LDG draft plan (SYNTHETIC)",
        slug=NEIGHBOUR_PLAN,
        synthetic=True,
        key_measures=["total-recorded-crime"],
    )
    road = GroupFactory(
        partnership=partnership,
        name="Neighbouring Road Safety Tasking Group",
        slug="road-safety-tasking",
        lead_agency=council,
    )
    board = GroupFactory(
        partnership=partnership,
        name="Neighbouring Local Delivery Group",
        slug="local-delivery-group",
        kind=GroupKind.BOARD,
        lead_agency=police,
    )
    roads = PriorityFactory(plan=plan, number=1, title="Road safety (SYNTHETIC)")
    roads.groups.add(road)
    ActionFactory(priority=roads, group=road, number="1.1", text="Speed checks")
    ActionFactory(priority=roads, group=board, number="1.2", text="A joint plan")
    return plan


# -- casework -------------------------------------------------------------------


class SharingAgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SharingAgreement

    partnership = factory.SubFactory(PartnershipFactory)
    title = "Test agreement"
    reference = factory.Sequence(lambda n: f"ISA-{n + 1}")
    purpose = "Community safety"
    lawful_basis = "Public task"
    review_by = datetime.date(2030, 1, 1)


class RoutingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutingRule

    partnership = factory.SubFactory(PartnershipFactory)
    pathway = "Home fire safety visit"
    order = factory.Sequence(lambda n: (n + 1) * 10)
    to_agency = factory.SubFactory(AgencyFactory, kind=AgencyKind.FIRE)
    agreement = factory.SubFactory(
        SharingAgreementFactory, partnership=factory.SelfAttribute("..partnership")
    )
    response_days = 10


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    partnership = factory.SubFactory(PartnershipFactory)
    line = "1 Example Close"
    postcode = "ZZ1 1AA"
    area_code = ""


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    partnership = factory.SubFactory(PartnershipFactory)
    given_name = "Edna"
    family_name = "Hollis"
    date_of_birth = datetime.date(1939, 5, 2)
    address = factory.SubFactory(
        AddressFactory, partnership=factory.SelfAttribute("..partnership")
    )


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    partnership = factory.SubFactory(PartnershipFactory)
    case_type = "vulnerable_adult"
    owner_agency = factory.SubFactory(AgencyFactory, kind=AgencyKind.POLICE)
    area_code = ""


class CasePersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CasePerson

    case = factory.SubFactory(CaseFactory)
    person = factory.SubFactory(
        PersonFactory, partnership=factory.SelfAttribute("..case.partnership")
    )
    role = InvolvementRole.VICTIM


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    partnership = factory.SubFactory(PartnershipFactory)
    occurred_on = datetime.date(2024, 1, 15)
    category = IncidentCategory.ASB_PERSONAL
    reporting_agency = factory.SubFactory(AgencyFactory)


class IncidentPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncidentPerson

    incident = factory.SubFactory(IncidentFactory)
    person = factory.SubFactory(
        PersonFactory, partnership=factory.SelfAttribute("..incident.partnership")
    )
    role = InvolvementRole.VICTIM


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    case = factory.SubFactory(CaseFactory)
    pathway = "Home fire safety visit"
    from_agency = factory.LazyAttribute(lambda r: r.case.owner_agency)
    to_agency = factory.SubFactory(AgencyFactory, kind=AgencyKind.FIRE)
    due_by = factory.LazyFunction(
        lambda: datetime.date.today() + datetime.timedelta(days=10)
    )


def build_casework() -> SimpleNamespace:
    """A small partnership with three agencies, a case worker in each, one
    sharing agreement and a referral pathway."""
    partnership = Partnership.objects.create(slug="test-csp", name="Test CSP")
    police = AgencyFactory(name="Test Police", kind=AgencyKind.POLICE)
    fire = AgencyFactory(name="Test Fire", kind=AgencyKind.FIRE)
    housing = AgencyFactory(name="Test Housing", kind=AgencyKind.HOUSING)

    def worker(username, agency, role=Role.CASE_WORKER):
        return UserFactory(
            username=username, agency=agency, role=role,
            role__partnerships=[partnership],
        )  # fmt: skip

    agreement = SharingAgreement.objects.create(
        partnership=partnership, title="Test agreement", reference="ISA-1",
        purpose="Community safety", lawful_basis="Public task",
        review_by=datetime.date(2030, 1, 1),
    )  # fmt: skip
    agreement.parties.set([police, fire, housing])
    fire_safety = RoutingRule.objects.create(
        partnership=partnership, pathway="Home fire safety visit", order=10,
        to_agency=fire, agreement=agreement, response_days=10,
    )  # fmt: skip
    return SimpleNamespace(
        partnership=partnership,
        police=police,
        fire=fire,
        housing=housing,
        officer=worker("pc-owner", police),
        firefighter=worker("fire-officer", fire),
        housing_officer=worker("housing-officer", housing),
        agreement=agreement,
        fire_safety=fire_safety,
        worker=worker,
    )


def make_case(
    casework,
    owner=None,
    case_type="vulnerable_adult",
    given="Edna",
    family="Hollis",
    born=datetime.date(1939, 5, 2),
    postcode="ZZ1 1AA",
    area_code="",
    role=InvolvementRole.VICTIM,
    incidents=(),
    **fields,
) -> Case:
    """A case with one person, and ``incidents`` as (day, category[, role,
    agency]) recorded against that person."""
    owner = owner or casework.police
    address = Address.objects.create(
        partnership=casework.partnership, line="1 Example Close", postcode=postcode,
        area_code=area_code,
    )  # fmt: skip
    person = Person.objects.create(
        partnership=casework.partnership, given_name=given, family_name=family,
        date_of_birth=born, address=address,
    )  # fmt: skip
    case = Case.objects.create(
        partnership=casework.partnership, case_type=case_type, owner_agency=owner,
        area_code=area_code, **fields,
    )  # fmt: skip
    CasePerson.objects.create(case=case, person=person, role=role)
    for day, category, *rest in incidents:
        add_incident(casework, case, person, day, category, *rest)
    return case


def add_incident(
    casework, case, person, day, category=IncidentCategory.ASB_PERSONAL,
    role=InvolvementRole.VICTIM, agency=None, address=None,
):  # fmt: skip
    incident = Incident.objects.create(
        partnership=casework.partnership, occurred_on=day, category=category,
        reporting_agency=agency or case.owner_agency,
        address=address or person.address,
    )  # fmt: skip
    IncidentPerson.objects.create(incident=incident, person=person, role=role)
    case.incidents.add(incident)
    return incident


def partnership_covering(name: str, *codes: str, **fields):
    """A partnership covering ``codes``, with ``fields`` of its record."""
    made = PartnershipFactory(name=name, **fields)
    for code in codes:
        PartnershipAreaFactory(partnership=made, code=code)
    return made
