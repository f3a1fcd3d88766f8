"""Optimistic locking: the one way every form that changes a saved row (a
case, the plan and everything in it, a problem-solving record) keeps two
people from silently saving over each other.

A row carries a ``version``; a form carries the version it was opened at;
saving claims the row by moving its version on from that one, and a form
opened before someone else's save is refused with ``StaleEdit`` and writes
nothing. The page then shows who changed it, when, the values now saved,
and what was typed (``includes/stale.html``, answered with 409)."""

from __future__ import annotations

import datetime
from typing import Any, Protocol, TypeVar

from django import forms
from django.db import models, transaction
from django.db.models import F


class HasVersion(Protocol):
    """A model row with a version (``Versioned``, or a case)."""

    pk: Any
    version: int

    @property
    def _meta(self) -> Any: ...

    def last_change(self) -> tuple[Any, datetime.datetime | None]: ...


class StaleEdit(Exception):
    """The row changed since the form was opened: ``current`` is how it is
    now; ``who`` saved the last change (None when unknown) and ``when``."""

    def __init__(self, current: HasVersion) -> None:
        super().__init__(f"{current} changed since it was read")
        self.current = current
        self.who, self.when = current.last_change()

    @property
    def noun(self) -> str:
        return str(self.current._meta.verbose_name)


def claim(instance: HasVersion, read_version: int) -> None:
    """Move ``instance``'s saved version on from ``read_version``, or raise
    ``StaleEdit`` if someone saved it since. Call inside the transaction
    that writes the change: the row stays claimed (locked) until it ends,
    so of two saves from forms opened at one version exactly one wins."""
    model = type(instance)
    rows = model._default_manager.filter(  # type: ignore[attr-defined]
        pk=instance.pk, version=read_version
    )
    if not rows.update(version=F("version") + 1):
        raise StaleEdit(model._default_manager.get(pk=instance.pk))  # type: ignore[attr-defined]


class Versioned(models.Model):
    """A row people change through forms; the change history
    (django-simple-history) names who saved it last."""

    # Raised by every save of a saved row (a form's, the admin's, a progress
    # update's status), so an open form is refused rather than overwrite it.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)

    def last_change(self) -> tuple[Any, datetime.datetime | None]:
        """Who saved the row last and when, from its history."""
        record = self.history.order_by("-history_date").first()  # type: ignore[attr-defined]
        if record is None:
            return None, None
        return record.history_user, record.history_date


Saved = TypeVar("Saved", bound=models.Model)


class VersionedForm(forms.ModelForm[Saved]):
    """A form changing a saved row carries the version it was opened at
    (hidden); a form making a new row has none to carry."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["version"]
        elif not self.is_bound:
            self.initial["version"] = self.instance.version  # type: ignore[attr-defined]

    def clean_version(self) -> int | None:
        value = str(self.cleaned_data.get("version") or "")
        # Bounded: a number past the column's range is no version either.
        if value.isascii() and value.isdigit() and len(value) <= VERSION_DIGITS:
            return int(value)
        return None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "version" in self.fields and data.get("version") is None:
            # A page sent without its form's version (not a typing mistake):
            # said once, above the form, with what to do.
            self.add_error(None, STALE_FORM)
        return data

    def reopened(self, current: Any) -> forms.ModelForm[Saved]:
        """The form as it would open now on ``current`` (unbound)."""
        return type(self)(instance=current, prefix=self.prefix)

    def now_saved(self, stale: StaleEdit) -> list[tuple[str, str]]:
        """Each field whose saved value differs from what was sent, with the
        value now saved, as (label, value) to show."""
        fresh = self.reopened(stale.current)
        shown = []
        for name, field in self.fields.items():
            if name == "version" or field.disabled:
                continue
            saved = fresh[name].initial
            if field.has_changed(saved, self[name].data):
                shown.append((str(field.label), _shown(field, saved)))
        return shown

    def save_unless_changed(self) -> Saved:
        """Save, unless someone saved the row since the form was opened
        (``StaleEdit``, nothing written); a new row is simply saved."""
        if "version" not in self.fields:
            return self.save()
        with transaction.atomic():
            claim(self.instance, self.cleaned_data["version"])  # type: ignore[arg-type]
            # The save moves the version once more: to the one claimed.
            self.instance.version = self.cleaned_data["version"]  # type: ignore[attr-defined]
            return self.save()


STALE_FORM = (
    "This form was sent without the version it was opened at: open the page "
    "again and make the change there."
)
VERSION_DIGITS = 9  # within every database's integer column


def _shown(field: forms.Field, value: Any) -> str:
    """A saved value as the form names it (a choice's label, a row's name)."""
    if isinstance(field, forms.ModelMultipleChoiceField):
        keys = [getattr(item, "pk", item) for item in value or []]
        text = ", ".join(map(str, field.queryset.filter(pk__in=keys)))  # type: ignore[union-attr]
    elif isinstance(field, forms.ModelChoiceField):
        key = getattr(value, "pk", value)
        found = field.queryset.filter(pk=key).first() if key else None  # type: ignore[union-attr]
        text = str(found) if found is not None else ""
    elif isinstance(field, forms.ChoiceField):
        text = str(dict(_flat(field.choices)).get(value, value or ""))
    else:
        prepared = field.prepare_value(value)
        text = "" if prepared is None else str(prepared)
    return text if text.strip() else "(blank)"


def _flat(choices: Any) -> list[tuple[Any, Any]]:
    flat = []
    for key, label in choices:
        if isinstance(label, list | tuple):
            flat += list(label)
        else:
            flat.append((key, label))
    return flat
