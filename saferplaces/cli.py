"""The ``saferplaces`` command: serve the site, migrate, manage accounts.

Later features add their commands to the ``main`` group (ingest, store, ...).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

import saferplaces

F = TypeVar("F", bound=Callable[..., Any])


def _setup_django() -> None:
    """Load settings; a bad setting is reported in one line, not a traceback."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saferplaces.config.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as error:
        click.echo(f"saferplaces: configuration error: {error}", err=True)
        sys.exit(2)


def needs_django(command: F) -> F:
    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _setup_django()
        return command(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(saferplaces.__version__, prog_name="saferplaces")
def main() -> None:
    """saferplaces: the platform a Community Safety Partnership runs its plan on.

    Settings come from environment variables (see docs/configuration.md).
    """


@main.command()
@click.option("--deploy", is_flag=True, help="Also run Django's deployment checks.")
@needs_django
def check(deploy: bool) -> None:
    """Check the configuration and the code for problems."""
    from django.core.management import call_command

    call_command("check", deploy=deploy, fail_level="WARNING")


@main.command()
@needs_django
def migrate() -> None:
    """Create or update the operational database's tables."""
    from django.core.management import call_command

    call_command("migrate", interactive=False)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Gunicorn worker processes.",
)
@needs_django
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web app with gunicorn (static files through WhiteNoise)."""
    from django.core.management import call_command

    call_command("check", fail_level="ERROR")
    call_command("collectstatic", interactive=False, verbosity=0)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"saferplaces is serving on http://{shown}:{port}/ (Ctrl-C stops it)")
    sys.stdout.flush()
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "saferplaces.config.wsgi:application",
        "--bind",
        f"{shown}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
    ]
    os.execv(sys.executable, args)


@main.command()
@click.option("--username", prompt=True, help="Sign-in name for the administrator.")
@click.option("--email", prompt=True, help="Used for password reset.")
@click.option(
    "--agency", prompt=True, help="Their agency; created if the partnership lacks it."
)
@click.option(
    "--agency-kind",
    type=click.Choice(
        [
            "police",
            "council",
            "fire",
            "health",
            "probation",
            "housing",
            "voluntary",
            "other",
        ]
    ),
    default="council",
    show_default=True,
    help="Kind of agency, used only when the agency is new.",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input instead of prompting.",
)
@needs_django
def createadmin(
    username: str, email: str, agency: str, agency_kind: str, password_stdin: bool
) -> None:
    """Create an administrator account."""
    from django.core.exceptions import ValidationError

    from saferplaces.accounts.services import create_administrator

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_administrator(
            username=username,
            email=email,
            password=password,
            agency_name=agency,
            agency_kind=agency_kind,
        )
    except ValidationError as error:
        raise click.ClickException(" ".join(error.messages)) from None
    click.echo(f"Created administrator {user.username} ({user.agency.name}).")


@main.command("demo-users")
@click.option(
    "--reset-passwords", is_flag=True, help="Give the demo users new passwords."
)
@needs_django
def demo_users(reset_passwords: bool) -> None:
    """Create the demo agencies and one user per role (safe to run again)."""
    from saferplaces.accounts.services import ensure_demo_users

    accounts = ensure_demo_users(reset_passwords=reset_passwords)
    click.echo("Demo users (invented people; one per role):")
    for account in accounts:
        secret = account.password or "(unchanged: printed when it was set)"
        click.echo(
            f"  {account.username:<16} {account.role:<14} {account.agency:<45} {secret}"
        )
    if not any(account.password for account in accounts):
        click.echo(
            "Passwords are printed once. For new ones: "
            "saferplaces demo-users --reset-passwords"
        )


if __name__ == "__main__":
    main()
