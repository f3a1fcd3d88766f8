"""Survey responses: perceptions of safety, satisfaction, confidence.

A survey file is a CSV with one row per respondent (schema in
docs/data/surveys.md): ``respondent_id``, ``date``, ``area_code``,
``weight``, ``age_band``, ``sex``, ``ethnicity``, an optional ``service``
(for service-user satisfaction: which service the respondent used), then one
column per question. A questions file (YAML) says which columns are
questions, the answers each allows, which count as the positive answer ("very
or fairly safe") and which are left out of the base ("don't know").

    saferplaces ingest survey responses.csv --questions questions.yaml

The canonical table ``survey_responses`` holds one row per respondent and
question answered, with ``positive`` true, false, or null for an answer left
out of the base. A corrected file for the same survey replaces it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import yaml

from saferplaces.codes import ONS_CODE
from saferplaces.ingest.reading import (
    LINE,
    FileRefused,
    InputFile,
    header_of,
    read_csv,
)
from saferplaces.ingest.sources import FileRead, Source, register
from saferplaces.ingest.validation import RowChecks, lsoa_or_null, malformed_rejects
from saferplaces.vocabulary import AGE_BANDS, ETHNICITIES, SEXES

RESPONDENT_COLUMNS = [
    "respondent_id",
    "date",
    "area_code",
    "weight",
    "age_band",
    "sex",
    "ethnicity",
]
OPTIONAL_COLUMNS = ["service"]
NUMBER = r"^\s*\d+(\.\d+)?\s*$"
SURVEY_ID = r"^[a-z0-9][a-z0-9-]{0,62}$"


class QuestionsError(ValueError):
    """The questions file cannot be used; the message names the place."""


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    answers: tuple[str, ...]
    positive: tuple[str, ...]
    excluded: tuple[str, ...] = ()


@dataclass(frozen=True)
class Questions:
    survey: str
    title: str
    questions: tuple[Question, ...]


def load_questions(path: Path) -> Questions:
    """Read and check a questions file; errors name the question and field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise QuestionsError(f"{path}: cannot read it: {error}") from None
    if not isinstance(data, dict):
        raise QuestionsError(f"{path}: expected a mapping with survey and questions")
    survey = str(data.get("survey", ""))
    if not pc.match_substring_regex(pa.array([survey]), SURVEY_ID)[0].as_py():
        raise QuestionsError(
            f"{path}: survey must be a short id in lower case, e.g. residents-2024"
        )
    entries = data.get("questions")
    if not isinstance(entries, list) or not entries:
        raise QuestionsError(f"{path}: questions must be a non-empty list")
    questions = [_question(path, number, entry) for number, entry in enumerate(entries)]
    ids = [q.id for q in questions]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise QuestionsError(f"{path}: question ids repeat: {', '.join(repeated)}")
    return Questions(survey, str(data.get("title", survey)), tuple(questions))


def _question(path: Path, number: int, entry: Any) -> Question:
    where = f"{path}: question {number + 1}"
    if not isinstance(entry, dict):
        raise QuestionsError(f"{where}: expected a mapping")
    for key in ("id", "text", "answers", "positive"):
        if not entry.get(key):
            raise QuestionsError(f"{where}: {key} is required")
    answers = tuple(str(a) for a in entry["answers"])
    positive = tuple(str(a) for a in entry["positive"])
    excluded = tuple(str(a) for a in entry.get("excluded") or ())
    unknown = [a for a in positive + excluded if a not in answers]
    if unknown:
        raise QuestionsError(
            f"{where} ({entry['id']}): {', '.join(unknown)} not among its answers"
        )
    return Question(str(entry["id"]), str(entry["text"]), answers, positive, excluded)


def read_survey(item: InputFile, questions: Questions) -> FileRead:
    header = header_of(item)
    missing = [c for c in RESPONDENT_COLUMNS if c not in header]
    missing += [q.id for q in questions.questions if q.id not in header]
    if missing:
        raise FileRefused(
            item.name,
            f"header does not match the questions file: missing {', '.join(missing)}",
        )
    parsed = read_csv(item, header)
    checks = RowChecks(item.name, parsed.table)
    checks.few_values("date", "area_code", "age_band", "sex", "ethnicity")
    checks.required("respondent_id")
    dates = checks.date("date")
    checks.matches(
        "area_code", ONS_CODE, "area_code must be an ONS code", optional=False
    )
    numeric = pc.match_substring_regex(checks.column("weight"), NUMBER)
    weight = pc.cast(pc.if_else(numeric, checks.trimmed("weight"), "0"), pa.float64())
    checks.rule(pc.greater(weight, 0), "weight", "weight must be a positive number")
    checks.one_of("age_band", AGE_BANDS, optional=True)
    checks.one_of("sex", SEXES, optional=True)
    checks.one_of("ethnicity", ETHNICITIES, optional=True)
    for question in questions.questions:
        checks.few_values(question.id)
        checks.one_of(question.id, list(question.answers), optional=True)
    keep = checks.accepted()
    respondents = pa.table(
        {
            "respondent_id": checks.trimmed("respondent_id"),
            "date": dates,
            "month": pc.utf8_slice_codeunits(checks.trimmed("date"), 0, 7),
            "area_code": checks.trimmed("area_code"),
            "weight": weight,
            "age_band": checks.text("age_band"),
            "sex": checks.text("sex"),
            "ethnicity": checks.text("ethnicity"),
            "service": checks.text("service")
            if "service" in header
            else pa.nulls(parsed.table.num_rows, pa.string()),
            LINE: parsed.table.column(LINE),
        }
    ).filter(keep)
    answers = parsed.table.filter(keep)
    rows = [_answered(questions, q, respondents, answers) for q in questions.questions]
    table = pa.concat_tables(rows).append_column(
        "source_file", pa.repeat(pa.scalar(item.name), sum(r.num_rows for r in rows))
    )
    rejects = pa.concat_tables(
        [checks.rejects(), malformed_rejects(item.name, parsed.malformed)]
    )
    return FileRead(
        table,
        rejects,
        parsed.table.num_rows + len(parsed.malformed),
        parsed.notes,
        lines_accepted=respondents.num_rows,
    )


def _answered(
    questions: Questions, question: Question, respondents: pa.Table, answers: pa.Table
) -> pa.Table:
    """One row per respondent who answered ``question``."""
    answer = pc.utf8_trim_whitespace(answers.column(question.id))
    answered = pc.not_equal(answer, "")
    rows = respondents.filter(answered)
    answer = answer.filter(answered)
    counted = pc.invert(pc.is_in(answer, pa.array(question.excluded, pa.string())))
    positive = pc.if_else(
        counted, pc.is_in(answer, pa.array(question.positive, pa.string())), None
    )
    return pa.table(
        {
            "survey": pa.repeat(pa.scalar(questions.survey), rows.num_rows),
            "respondent_id": rows.column("respondent_id"),
            "date": rows.column("date"),
            "month": rows.column("month"),
            "area_code": rows.column("area_code"),
            "lsoa_code": lsoa_or_null(rows.column("area_code")),
            "weight": rows.column("weight"),
            "age_band": rows.column("age_band"),
            "sex": rows.column("sex"),
            "ethnicity": rows.column("ethnicity"),
            "service": rows.column("service"),
            "question": pa.repeat(pa.scalar(question.id), rows.num_rows),
            "answer": answer,
            "positive": positive,
            "source_line": rows.column(LINE),
        }
    )


def _needs_questions(item: InputFile) -> FileRead:
    raise FileRefused(
        item.name, "a survey needs its questions file: add --questions FILE"
    )


SURVEY = register(
    Source(
        name="survey",
        table="survey_responses",
        title="Survey responses",
        description=(
            "Residents' or service users' survey responses, one row per "
            "respondent, with a questions file (--questions) giving the answers "
            "and which count as positive (docs/data/surveys.md)."
        ),
        wanted=lambda name: name.endswith(".csv"),
        reader=_needs_questions,
        partition_by=("survey",),
        record_id=("survey", "respondent_id", "question"),
    )
)


def with_questions(source: Source, questions: Questions) -> Source:
    """The survey source, reading files with ``questions``."""
    return dataclasses.replace(source, reader=lambda item: read_survey(item, questions))
