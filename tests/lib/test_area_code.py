"""One area-code model field (issue 28, finding 3): one length, one rule,
wherever a model keeps an area; the demo's codes all fit it."""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from saferplaces.codes import AREA_CODE_LENGTH
from saferplaces.demo.partnership import layout, write_geography
from saferplaces.lib.area_code import AreaCodeField, validate_area_code

PLANS = Path(__file__).resolve().parents[2] / "saferplaces" / "demo" / "plans"
# Fields of our models that keep an area code. A new one fails the test
# below until it is added here and made an AreaCodeField.
AREA_FIELDS = {
    "cases.Address.area_code",
    "cases.Incident.area_code",
    "cases.Case.area_code",
    "cases.CaseReviewApplication.area_code",
    "partnership.PartnershipArea.code",
    "partnership.EvaluationPlan.target_area",
    "partnership.EvaluationPlan.comparison_area",
    "tasking.ProblemSolving.area_code",
    "tasking.ProblemSolving.comparison_area",
}


def _ours() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("saferplaces.")]


def _char_fields() -> dict[str, Any]:
    return {
        f"{m._meta.app_label}.{m.__name__}.{f.name}": f
        for m in _ours()
        for f in m._meta.get_fields()
        if isinstance(f, models.CharField) and not m.__name__.startswith("Historical")
    }


def test_every_area_code_is_kept_in_the_area_code_field():
    fields = _char_fields()
    assert {name: type(fields[name]).__name__ for name in AREA_FIELDS} == {
        name: "AreaCodeField" for name in AREA_FIELDS
    }
    assert {name for name, f in fields.items() if isinstance(f, AreaCodeField)} == (
        AREA_FIELDS
    )


def test_no_other_char_field_is_named_for_an_area():
    named = {
        name
        for name in _char_fields()
        if any(word in name.rsplit(".", 1)[1] for word in ("area", "lsoa", "ward"))
    }
    assert named <= AREA_FIELDS


def test_an_area_code_field_has_one_length_and_the_one_rule():
    field = AreaCodeField(blank=True)
    assert field.max_length == AREA_CODE_LENGTH
    for code in ("E01009000", "W01000123", "SYN-D01", "SYN-PARTNERSHIP", "x" * 40):
        field.run_validators(code)
    for code in ("B29 6AA", "E", "SYN_D01", "x" * 41):
        with pytest.raises(ValidationError, match="An area code is 2 to 40"):
            field.run_validators(code)


def _plan_codes(value: object, key: str = "") -> list[str]:
    if isinstance(value, dict):
        return [c for k, v in value.items() for c in _plan_codes(v, str(k))]
    if isinstance(value, list):
        return [c for v in value for c in _plan_codes(v, key)]
    wanted = key in {"areas", "target_areas", "target_area", "comparison_area"}
    return [str(value)] if wanted and value else []


def test_every_code_the_demo_uses_is_a_valid_area_code(tmp_path):
    lookup, areas_file = write_geography(tmp_path, layout(random.Random(7)))
    with open(lookup, newline="") as handle:
        codes = {code for row in list(csv.reader(handle))[1:] for code in row[::2]}
    codes |= {str(a["code"]) for a in yaml.safe_load(areas_file.read_text())["areas"]}
    for plan in PLANS.glob("*.yaml"):
        codes |= set(_plan_codes(yaml.safe_load(plan.read_text())))
    assert {"SYN-D01", "SYN-PARTNERSHIP", "E05900001"} <= codes
    refused = []
    for code in sorted(codes):
        try:
            validate_area_code(code)
        except ValidationError:
            refused.append(code)
    assert refused == []
    assert max(len(code) for code in codes) <= AREA_CODE_LENGTH
