"""Settings come from the environment; a bad value stops start-up, naming it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from saferplaces.config.env import Env, SettingError

STRONG_KEY = "k" * 30 + "0123456789abcdefghijklmnopqrstuvwxyz"


def run_check(tmp_path: Path, *args: str, **environ: str):
    """Start saferplaces in a fresh process with only these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFERPLACES_")}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env["SAFERPLACES_DATA_DIR"] = str(tmp_path)
    env.update(environ)
    return subprocess.run(
        [sys.executable, "-m", "saferplaces.cli", "check", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_bad_database_url_stops_start_up_naming_it(tmp_path):
    result = run_check(tmp_path, DATABASE_URL="mysql://someone@db/saferplaces")
    assert result.returncode == 2
    assert "DATABASE_URL has scheme 'mysql'" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_setting_value_stops_start_up_naming_it(tmp_path):
    result = run_check(tmp_path, SAFERPLACES_MODE="staging")
    assert result.returncode == 2
    assert "SAFERPLACES_MODE='staging' is not one of: embedded, production" in (
        result.stderr
    )


def test_misspelt_setting_is_refused(tmp_path):
    result = run_check(tmp_path, SAFERPLACES_PARTNERSHIP_NAM="Typo")
    assert result.returncode == 2
    assert "Unknown setting SAFERPLACES_PARTNERSHIP_NAM" in result.stderr


def test_production_needs_a_secret_key(tmp_path):
    result = run_check(
        tmp_path,
        SAFERPLACES_MODE="production",
        SAFERPLACES_ALLOWED_HOSTS="csp.example.org",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/saferplaces",
    )
    assert result.returncode == 2
    assert "SAFERPLACES_SECRET_KEY must be set" in result.stderr


def test_production_mode_passes_the_deployment_checks(tmp_path):
    result = run_check(
        tmp_path,
        "--deploy",
        SAFERPLACES_MODE="production",
        SAFERPLACES_SECRET_KEY=STRONG_KEY,
        SAFERPLACES_ALLOWED_HOSTS="csp.example.org",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/saferplaces",
        SAFERPLACES_REDIS_URL="redis://127.0.0.1:6379/0",
        SAFERPLACES_TRUSTED_PROXY_COUNT="1",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_checks_warn_of_what_production_must_not_use(tmp_path):
    """They were clean on SQLite, without Redis and with no proxy, though
    the docs say production must use neither and sit behind a proxy."""
    result = run_check(
        tmp_path,
        "--deploy",
        SAFERPLACES_MODE="production",
        SAFERPLACES_SECRET_KEY=STRONG_KEY,
        SAFERPLACES_ALLOWED_HOSTS="csp.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path}/saferplaces.sqlite3",
    )
    assert result.returncode == 1
    for warning in ("saferplaces.W001", "saferplaces.W002", "saferplaces.W003"):
        assert warning in result.stderr
    assert "SAFERPLACES_REDIS_URL" in result.stderr
    assert "SAFERPLACES_TRUSTED_PROXY_COUNT" in result.stderr
    assert "Traceback" not in result.stderr


def test_embedded_mode_keeps_its_generated_secret_key(tmp_path):
    assert run_check(tmp_path).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert run_check(tmp_path).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("NO", False), ("1", True), ("off", False)]
)
def test_reads_yes_no_values(raw, expected):
    assert Env({"SAFERPLACES_X": raw}).flag("SAFERPLACES_X", not expected) is expected


def test_rejects_a_number_that_is_not_one():
    with pytest.raises(SettingError, match=r"SAFERPLACES_PORT='eighty'"):
        Env({"SAFERPLACES_PORT": "eighty"}).integer("SAFERPLACES_PORT", 80)


def test_rejects_a_number_out_of_range():
    with pytest.raises(SettingError, match="below the minimum of 1"):
        Env({"SAFERPLACES_N": "0"}).integer("SAFERPLACES_N", 5, minimum=1)


def test_reads_a_postgres_url():
    config = Env({"DATABASE_URL": "postgres://u@h:5433/db"}).database(
        "DATABASE_URL", ""
    )
    assert (config["ENGINE"], config["NAME"], config["PORT"]) == (
        "django.db.backends.postgresql",
        "db",
        5433,
    )


def test_database_url_without_a_name_is_refused():
    with pytest.raises(SettingError, match="does not name a database"):
        Env({"DATABASE_URL": "postgres://u@h:5432"}).database("DATABASE_URL", "")


def test_a_failing_deployment_check_prints_its_messages_not_a_traceback(tmp_path):
    result = run_check(
        tmp_path,
        "--deploy",
        SAFERPLACES_MODE="production",
        SAFERPLACES_SECRET_KEY=STRONG_KEY,
        SAFERPLACES_ALLOWED_HOSTS="csp.example.org",
        SAFERPLACES_SSL_REDIRECT="false",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/saferplaces",
    )
    assert result.returncode == 1
    assert "security.W008" in result.stderr
    assert "Traceback" not in result.stderr


def test_no_setting_defaults_to_the_demos_partnership(settings):
    """A real install's header said "Birmingham South Local Delivery Group"
    and its cards "no LSOAs are known for area 'SYN-PARTNERSHIP'" until two
    settings were found (issue 29): the partnership's record says these."""
    assert settings.PARTNERSHIP_NAME == ""
    assert not hasattr(settings, "DASHBOARD_AREA")
