"""Account workflows used by the CLI and the admin."""

from __future__ import annotations

import getpass

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from saferplaces.accounts import audit
from saferplaces.accounts.models import Agency, AgencyKind, User


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
    record_from_command_line("administrator_created", user)
    return user


def record_from_command_line(action: str, user: User) -> None:
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
