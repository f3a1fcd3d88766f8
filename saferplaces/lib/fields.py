"""Form fields shared by the apps' forms."""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import connections, models


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Django's, refusing an id past the database's integers as not a valid
    choice. Django checks each id's type, not its size, then looks them all
    up at once, and the database fails on the one too large (SQLite:
    OverflowError, a 500 the form fuzz found in every multi-select)."""

    def clean(self, value: Any) -> Any:
        low, high = self._id_range()
        for pk in value if isinstance(value, list | tuple) else ():
            try:
                number = int(str(pk))
            except ValueError:
                continue  # not a number: Django's own check refuses it
            if not low <= number <= high:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super().clean(value)

    def _id_range(self) -> tuple[float, float]:
        queryset = self.queryset
        if queryset is None:
            return (-math.inf, math.inf)
        meta = queryset.model._meta
        key = self.to_field_name
        field = meta.get_field(key) if key else meta.pk
        if not isinstance(field, models.IntegerField | models.AutoField):
            return (-math.inf, math.inf)
        ops = connections[queryset.db].ops
        low, high = ops.integer_field_range(field.get_internal_type())
        return (low, high)
