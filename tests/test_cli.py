"""The saferplaces command."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import saferplaces
from saferplaces.accounts.models import Agency, User
from saferplaces.cli import main


def all_commands():
    return sorted(main.commands)


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert saferplaces.__version__ in result.output


@pytest.mark.parametrize("command", ["", *all_commands()])
def test_every_command_has_help(command):
    args = [command, "--help"] if command else ["--help"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0
    assert "Usage:" in result.output
    if command:
        # The one-line description a person reads in `saferplaces --help`.
        assert main.commands[command].get_short_help_str().strip()


def test_serve_offers_host_and_port():
    output = CliRunner().invoke(main, ["serve", "--help"]).output
    assert "--host" in output
    assert "--port" in output


@pytest.mark.django_db
def test_two_servers_do_not_share_a_control_socket(monkeypatch, settings, tmp_path):
    # Gunicorn's control socket defaulted to one path per user, so a second
    # `saferplaces serve` took over the first one's.
    settings.DATA_DIR = tmp_path
    started = []
    monkeypatch.setattr("os.execv", lambda _exe, args: started.append(args))
    monkeypatch.setattr("django.core.management.call_command", lambda *a, **k: None)
    for port in ("8101", "8102"):
        assert CliRunner().invoke(main, ["serve", "--port", port]).exit_code == 0
    sockets = [args[args.index("--control-socket") + 1] for args in started]
    assert sockets == [str(tmp_path / "gunicorn-8101.ctl"),
                       str(tmp_path / "gunicorn-8102.ctl")]  # fmt: skip


def create_chair(password: str):
    return CliRunner().invoke(
        main,
        [
            "createadmin",
            "--username=chair",
            "--email=chair@example.invalid",
            "--agency=Partnership Office",
            "--password-stdin",
        ],
        input=f"{password}\n",
    )


@pytest.mark.django_db
def test_createadmin_reads_password_from_stdin():
    result = create_chair("a long and unusual passphrase")
    assert result.exit_code == 0, result.output
    user = User.objects.get(username="chair")
    assert user.is_site_administrator
    assert user.is_staff
    assert user.is_superuser
    assert user.agency.name == "Partnership Office"


@pytest.mark.django_db
def test_createadmin_refuses_a_weak_password_and_writes_nothing():
    result = create_chair("password")
    assert result.exit_code == 1
    assert "too common" in result.output
    assert not User.objects.filter(username="chair").exists()


@pytest.mark.django_db
def test_createadmin_with_the_password_on_stdin_never_takes_it_for_the_agency():
    """Without --agency it asked for the agency on standard input, read the
    password there, and made an agency of it (issue 29, finding 10)."""
    result = CliRunner().invoke(
        main,
        [
            "createadmin",
            "--username=chair",
            "--email=chair@example.invalid",
            "--password-stdin",
        ],
        input="a long and unusual passphrase\n",
    )
    assert result.exit_code == 2
    assert "--agency" in result.output
    assert "passphrase" not in result.output
    assert not User.objects.filter(username="chair").exists()
    assert not Agency.objects.filter(name__contains="passphrase").exists()


@pytest.mark.django_db
def test_createadmin_asks_for_what_it_needs_in_order():
    answers = "chair\nchair@example.invalid\nPartnership Office\n"
    passphrase = "a long and unusual passphrase\n"
    result = CliRunner().invoke(main, ["createadmin"], input=answers + passphrase * 2)
    assert result.exit_code == 0, result.output
    asked = [line.split(":")[0] for line in result.output.splitlines() if ":" in line]
    assert asked[:4] == ["Username", "Email", "Agency", "Password"]
    assert User.objects.get(username="chair").agency.name == "Partnership Office"


def test_python_dash_m_knows_every_command():
    """`python -m saferplaces.cli hotspots` was "No such command": the
    module ran main() before the commands defined below that line."""
    import subprocess
    import sys

    listed = subprocess.run(
        [sys.executable, "-m", "saferplaces.cli", "--help"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "hotspots" in listed
