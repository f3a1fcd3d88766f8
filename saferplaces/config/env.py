"""Typed readers for settings that come from environment variables.

Every reader names the variable it read in its error, so a bad value stops
start-up with a message an operator can act on instead of a traceback deep in
Django. Settings that belong to saferplaces start with ``SAFERPLACES_``; an
unknown one is refused too, because a misspelt setting silently ignored is
how production ends up running with embedded defaults.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PREFIX = "SAFERPLACES_"


class SettingError(ImproperlyConfigured):
    """A setting in the environment is missing or has a value we cannot use."""


class Env:
    """Reads settings from a mapping (``os.environ`` by default).

    Each ``read`` records the name it read, so ``refuse_unknown`` can tell an
    operator about ``SAFERPLACES_*`` variables that nothing reads.
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ
        self.known: set[str] = set()

    def _raw(self, name: str) -> str | None:
        self.known.add(name)
        value = self._environ.get(name)
        if value is None or value.strip() == "":
            return None
        return value.strip()

    def text(self, name: str, default: str | None = None) -> str:
        value = self._raw(name)
        if value is None:
            if default is None:
                raise SettingError(f"{name} must be set.")
            return default
        return value

    def optional_text(self, name: str) -> str | None:
        return self._raw(name)

    def flag(self, name: str, default: bool) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise SettingError(
            f"{name}={value!r} is not a yes/no value; use true or false."
        )

    def integer(
        self,
        name: str,
        default: int,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int:
        value = self._raw(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise SettingError(f"{name}={value!r} is not a whole number.") from None
        if minimum is not None and number < minimum:
            raise SettingError(f"{name}={number} is below the minimum of {minimum}.")
        if maximum is not None and number > maximum:
            raise SettingError(f"{name}={number} is above the maximum of {maximum}.")
        return number

    def choice(self, name: str, choices: Iterable[str], default: str) -> str:
        allowed = tuple(choices)
        value = self.text(name, default).lower()
        if value not in allowed:
            raise SettingError(f"{name}={value!r} is not one of: {', '.join(allowed)}.")
        return value

    def items(self, name: str, default: Iterable[str] = ()) -> list[str]:
        value = self._raw(name)
        if value is None:
            return list(default)
        return [item.strip() for item in value.split(",") if item.strip()]

    def path(self, name: str, default: Path) -> Path:
        value = self._raw(name)
        return (Path(value) if value else default).expanduser().resolve()

    def database(self, name: str, default: str) -> dict[str, Any]:
        """Parse a database URL; only SQLite and PostgreSQL are supported."""
        url = self._raw(name) or default
        scheme = url.split(":", 1)[0].lower()
        if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
            raise SettingError(
                f"{name} has scheme {scheme!r}; saferplaces supports "
                "sqlite:///PATH and postgres://USER@HOST:PORT/NAME."
            )
        try:
            config: dict[str, Any] = dict(dj_database_url.parse(url))
        except (ValueError, dj_database_url.UnknownSchemeError) as error:
            raise SettingError(f"{name} could not be read: {error}") from None
        if not config.get("NAME"):
            raise SettingError(f"{name} does not name a database.")
        return config

    def refuse_unknown(self) -> None:
        unknown = sorted(
            key
            for key in self._environ
            if key.startswith(PREFIX) and key not in self.known
        )
        if unknown:
            known = ", ".join(sorted(k for k in self.known if k.startswith(PREFIX)))
            raise SettingError(
                f"Unknown setting {', '.join(unknown)}. Known settings: {known}."
            )
