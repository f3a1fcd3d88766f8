"""The demo's invented people: its agencies, one user per role, and their
places in the demo partnerships and groups."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction

from saferplaces.accounts.models import Agency, AgencyKind, Membership, Role, User
from saferplaces.accounts.services import record_from_command_line
from saferplaces.partnership.models import Group, Partnership

# The demo partnership's agencies are modelled on the Birmingham South plan.
# The people are invented: every demo account is named demo-*.
DEMO_AGENCIES: list[tuple[str, str]] = [
    ("West Midlands Police", AgencyKind.POLICE),
    ("BCC Community Safety", AgencyKind.COUNCIL),
    ("West Midlands Fire Service", AgencyKind.FIRE),
    ("Birmingham South & Central Clinical Commissioning Group", AgencyKind.HEALTH),
    ("Probation Service", AgencyKind.PROBATION),
    ("BCC Landlord Services", AgencyKind.HOUSING),
    ("Aquarius", AgencyKind.VOLUNTARY),
]

DEMO_USERS: list[tuple[str, Role, str]] = [
    ("demo-admin", Role.ADMINISTRATOR, "BCC Community Safety"),
    ("demo-analyst", Role.ANALYST, "West Midlands Police"),
    ("demo-lead", Role.GROUP_LEAD, "West Midlands Fire Service"),
    ("demo-caseworker", Role.CASE_WORKER, "BCC Landlord Services"),
    # Case workers of two more agencies: need to know keeps their cases apart.
    ("demo-police", Role.CASE_WORKER, "West Midlands Police"),
    ("demo-fire", Role.CASE_WORKER, "West Midlands Fire Service"),
    (
        "demo-viewer",
        Role.VIEWER,
        "Birmingham South & Central Clinical Commissioning Group",
    ),
    # A member of the neighbouring partnership only (DEMO_MEMBERSHIPS).
    ("demo-neighbour", Role.ANALYST, "West Midlands Police"),
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    agency: str
    password: str | None  # set only when created or reset in this run


@transaction.atomic
def ensure_demo_users(reset_passwords: bool = False) -> list[DemoAccount]:
    """Create the demo agencies and one user per role; safe to run again.

    Passwords are random and returned only when an account is created (or
    ``reset_passwords`` is set): they are never stored in clear anywhere.
    """
    agencies = {
        name: Agency.objects.get_or_create(name=name, defaults={"kind": kind})[0]
        for name, kind in DEMO_AGENCIES
    }
    accounts = []
    for username, role, agency_name in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "agency": agencies[agency_name],
                "is_site_administrator": role == Role.ADMINISTRATOR,
                "email": f"{username}@example.invalid",
                "first_name": "Demo",
                "last_name": role.label,
            },
        )
        password = None
        if created or reset_passwords:
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            with transaction.atomic():
                user.save()
                record_from_command_line(
                    "demo_user_created" if created else "password_reset", user
                )
        label = role.label + (", site admin" if user.is_site_administrator else "")
        accounts.append(DemoAccount(username, label, agency_name, password))
    return accounts


# Each demo user's role in the demo partnership (demo-admin is also the
# site administrator), and demo-neighbour in the neighbouring one only.
DEMO_MEMBERSHIPS: list[tuple[str, str, Role]] = [
    ("demo-admin", "birmingham-south-ldg", Role.ADMINISTRATOR),
    ("demo-analyst", "birmingham-south-ldg", Role.ANALYST),
    ("demo-lead", "birmingham-south-ldg", Role.GROUP_LEAD),
    ("demo-caseworker", "birmingham-south-ldg", Role.CASE_WORKER),
    ("demo-police", "birmingham-south-ldg", Role.CASE_WORKER),
    ("demo-fire", "birmingham-south-ldg", Role.CASE_WORKER),
    ("demo-viewer", "birmingham-south-ldg", Role.VIEWER),
    ("demo-neighbour", "neighbouring-ldg-synthetic", Role.ANALYST),
]


def assign_demo_members() -> None:
    """Demo users in their partnerships and groups: the group lead leads
    Road Safety Tasking (West Midlands Fire Service leads it in the plan)."""
    for username, partnership_slug, role in DEMO_MEMBERSHIPS:
        user = User.objects.filter(username=username).first()
        partnership = Partnership.objects.filter(slug=partnership_slug).first()
        if user and partnership:
            Membership.objects.get_or_create(
                user=user, partnership=partnership, defaults={"role": role}
            )
    lead = User.objects.filter(username="demo-lead").first()
    road = Group.objects.filter(
        partnership__slug="birmingham-south-ldg", slug="road-safety-tasking"
    ).first()
    if lead and road and road.lead_id != lead.pk:
        road.lead = lead
        road.save(update_fields=["lead"])
        road.members.add(lead)
    caseworker = User.objects.filter(username="demo-caseworker").first()
    environment = Group.objects.filter(
        partnership__slug="birmingham-south-ldg", slug="environmental-tasking"
    ).first()
    if caseworker and environment:
        environment.members.add(caseworker)


def seed_users(reset_passwords: bool = False) -> list[DemoAccount]:
    """The demo users, in their partnerships and groups (safe to run again);
    passwords as ``ensure_demo_users`` returns them."""
    accounts = ensure_demo_users(reset_passwords=reset_passwords)
    assign_demo_members()
    return accounts
