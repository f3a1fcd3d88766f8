"""Agencies, users and their roles, and the append-only audit log."""

from __future__ import annotations

import datetime
from typing import Any, ClassVar, NoReturn

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import connections, models
from django.utils import timezone


class AgencyKind(models.TextChoices):
    POLICE = "police", "Police"
    COUNCIL = "council", "Council service"
    FIRE = "fire", "Fire and rescue"
    HEALTH = "health", "Health"
    PROBATION = "probation", "Probation"
    HOUSING = "housing", "Housing"
    VOLUNTARY = "voluntary", "Voluntary and community sector"
    BUSINESS = "business", "Business or business association"
    PARTNERSHIP = "partnership", "Partnership body"
    OTHER = "other", "Other partner"


class Agency(models.Model):
    """A partner organisation; the partnership keeps its own list."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=AgencyKind.choices)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """A role in one partnership: a person may hold a different one in each."""

    ADMINISTRATOR = "administrator", "Partnership administrator"
    ANALYST = "analyst", "Analyst"
    GROUP_LEAD = "group_lead", "Group lead"
    CASE_WORKER = "case_worker", "Case worker"
    VIEWER = "viewer", "Viewer"


class PeopleManager(UserManager["User"]):
    """Users come with their agency: every page and audit entry names it,
    and fetching it separately was a query on every signed-in request."""

    def get_queryset(self) -> models.QuerySet[User]:
        return super().get_queryset().select_related("agency")


class User(AbstractUser):
    """A person who signs in. Each belongs to one agency, and to one or more
    partnerships with a role in each (``Membership``).

    A site administrator runs the installation: Django admin, every
    partnership, the whole audit log. ``is_staff`` and ``is_superuser``
    follow that one flag, so it is the only thing set and Django admin is
    open to site administrators only.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="users")
    is_site_administrator = models.BooleanField(
        default=False,
        help_text="Runs the installation: every partnership, users, the audit log.",
    )

    REQUIRED_FIELDS = ["email"]

    objects: ClassVar[PeopleManager] = PeopleManager()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.is_staff = self.is_site_administrator
        self.is_superuser = self.is_site_administrator
        super().save(*args, **kwargs)


class Membership(models.Model):
    """A person's role in one partnership. What they may see and do there
    follows this role; in a partnership they do not belong to, nothing."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    partnership = models.ForeignKey(
        "partnership.Partnership", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        ordering = ["partnership__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "partnership"], name="one_membership_per_partnership"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.partnership}: {self.get_role_display()}"


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    """Refuses bulk changes: the audit log is append-only."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("audit events cannot be updated")

    def delete(self) -> NoReturn:
        raise AuditLogIsAppendOnly("audit events cannot be deleted")

    def remove_older_than(self, cutoff: datetime.datetime) -> int:
        """Delete the entries made before ``cutoff`` (retention); the number
        removed. The database refuses to delete entries under a year old."""
        table = self.model._meta.db_table
        with connections[self.db].cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE at < %s", [cutoff])
            return int(cursor.rowcount)


class AuditLogIsAppendOnly(Exception):
    """Raised by any attempt to change or remove an audit event."""


class AuditEvent(models.Model):
    """One thing someone did, kept for ever.

    Actor details are copied, not linked, so removing a user or renaming an
    agency never rewrites history. Written only through ``audit.record``;
    database triggers (migration 0002) refuse UPDATE and DELETE as well.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150, blank=True)
    agency_name = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username or '-'} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditLogIsAppendOnly("audit events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("audit events cannot be deleted")

    @property
    def who(self) -> str:
        """The actor, or for a failed sign-in the username that was tried."""
        return self.who_of(self.actor_username, self.detail)

    @staticmethod
    def who_of(actor_username: str, detail: dict[str, Any]) -> str:
        """``who`` from an entry's stored values (the export reads no models)."""
        return actor_username or str(detail.get("username", ""))
