"""The one model field an area code is stored in: one length and one rule
(``saferplaces.codes``: an ONS code such as E01009000, or a partnership's
own such as SYN-D01), wherever a model keeps an area.

A field's validator runs in ``full_clean`` and model forms, not on
``save``: forms and the plan importer that take an area code check it
there, and the rule is the one they already used.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from django.db import models

from saferplaces.codes import AREA_CODE, AREA_CODE_LENGTH, AREA_CODE_RULE

validate_area_code = RegexValidator(AREA_CODE, AREA_CODE_RULE)


class AreaCodeField(models.CharField):  # type: ignore[type-arg]
    """An area's code: always ``AREA_CODE_LENGTH`` long at most, always
    checked by ``validate_area_code``."""

    description = "An area code (an ONS code or a partnership's own)"
    default_validators = [validate_area_code]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["max_length"] = AREA_CODE_LENGTH
        super().__init__(*args, **kwargs)
