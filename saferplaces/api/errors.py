"""One shape for every error the API gives: ``{"detail": "..."}``, plus
``fields`` (each bad query field with its messages) for a bad query. DRF
answered a bad query with the fields alone, which the schema did not say
(schemathesis found it)."""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(error: Exception, context: dict[str, Any]) -> Response | None:
    response = drf_exception_handler(error, context)
    if response is None or not isinstance(response.data, dict):
        return response
    if "detail" not in response.data:
        fields = response.data
        response.data = {
            "detail": "; ".join(
                f"{field}: {' '.join(str(m) for m in _as_list(messages))}"
                for field, messages in fields.items()
            ),
            "fields": fields,
        }
    return response


def _as_list(messages: Any) -> list[Any]:
    return messages if isinstance(messages, list) else [messages]
