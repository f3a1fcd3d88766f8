"""A small partnership with three agencies, a case worker in each, one
sharing agreement and a referral pathway: built with factories, not the
demo."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from saferplaces.accounts.models import AgencyKind, Role
from saferplaces.cases.models import (
    Address,
    Case,
    CasePerson,
    Incident,
    IncidentCategory,
    IncidentPerson,
    InvolvementRole,
    Person,
    RoutingRule,
    SharingAgreement,
)
from saferplaces.partnership.models import Partnership
from tests.conftest import AgencyFactory, UserFactory


@pytest.fixture
def casework(db):
    return build_casework()


def build_casework() -> SimpleNamespace:
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
