"""Account workflows used by the CLI and the admin: administrators and demo users."""

from __future__ import annotations

import getpass
import secrets
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from saferplaces.accounts import audit
from saferplaces.accounts.models import Agency, AgencyKind, Role, User


@transaction.atomic
def create_administrator(
    *,
    username: str,
    email: str,
    password: str,
    agency_name: str,
    agency_kind: str = AgencyKind.COUNCIL,
) -> User:
    """Create a site administrator, and their agency if it is new.

    Raises ``django.core.exceptions.ValidationError`` when the password is too
    weak or the username is taken; nothing is written in that case.
    """
    from django.core.exceptions import ValidationError

    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(f"A user called {username!r} already exists.")
    agency, _ = Agency.objects.get_or_create(
        name=agency_name, defaults={"kind": agency_kind}
    )
    user = User(
        username=username, email=email, agency=agency, is_site_administrator=True
    )
    validate_password(password, user)
    user.set_password(password)
    user.save()
    _record_from_command_line("administrator_created", user)
    return user


def _record_from_command_line(action: str, user: User) -> None:
    """Changes made with the ``saferplaces`` command are audited too; there
    is no signed-in actor, so the operating-system account is kept."""
    audit.record(
        action,
        obj=user,
        detail={
            "username": user.username,
            "site_administrator": user.is_site_administrator,
            "by": "saferplaces command",
            "os_user": getpass.getuser(),
        },
    )


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
    # A member of the neighbouring partnership only (see partnership.services).
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
                _record_from_command_line(
                    "demo_user_created" if created else "password_reset", user
                )
        label = role.label + (", site admin" if user.is_site_administrator else "")
        accounts.append(DemoAccount(username, label, agency_name, password))
    return accounts
