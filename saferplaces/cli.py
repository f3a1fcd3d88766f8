"""The ``saferplaces`` command: serve the site, migrate, manage accounts.

Later features add their commands to the ``main`` group (ingest, store, ...).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

import saferplaces

if TYPE_CHECKING:
    from saferplaces.analytics.store import Store
    from saferplaces.demo.users import DemoAccount
    from saferplaces.ingest.loader import LoadReport, Progress
    from saferplaces.ingest.sources import Source

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
    from django.core.management.base import SystemCheckError

    try:
        call_command("check", deploy=deploy, fail_level="WARNING")
    except SystemCheckError as failed:
        # The messages, not a traceback: an operator acts on the messages.
        click.echo(str(failed).strip(), err=True)
        sys.exit(EXIT_REFUSED)


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
@click.option(
    "--threads",
    default=4,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Threads per worker; a request reaches one only once it is whole.",
)
@click.option(
    "--sync",
    is_flag=True,
    help="Gunicorn's sync workers instead (one request per worker, read as "
    "it arrives: a slow client holds a worker); for comparison only.",
)
@needs_django
def serve(host: str, port: int, workers: int, threads: int, sync: bool) -> None:
    """Serve the web app with gunicorn (static files through WhiteNoise).

    Each worker's event loop gathers requests as they arrive and hands whole
    ones to its threads, so slow clients hold no worker
    (saferplaces.web.serving); put a buffering proxy in front in production
    (docs/operations.md)."""
    from django.conf import settings
    from django.core.management import call_command

    from saferplaces.service import ServiceBusy, hold_for_serving

    try:
        # Held by gunicorn (exec keeps it) until the server ends: a restore
        # is refused meanwhile.
        hold_for_serving(Path(settings.DATA_DIR))
    except ServiceBusy as busy:
        raise click.ClickException(str(busy)) from None
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
        *(
            ("--worker-class", "sync")
            if sync
            else (
                *("--worker-class", "saferplaces.web.serving.BufferingWorker"),
                *("--threads", str(threads)),
            )
        ),
        "--access-logfile",
        "-",
        # Gunicorn's control socket defaults to one path per user, so a second
        # instance would take over the first's: one per data folder and port.
        "--control-socket",
        str(_control_socket(port)),
    ]
    os.execv(sys.executable, args)


def _control_socket(port: int) -> Path:
    from django.conf import settings

    folder = Path(settings.DATA_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"gunicorn-{port}.ctl"


@main.command()
@click.option("--username", help="Sign-in name for the administrator (else asked).")
@click.option("--email", help="Used for password reset (else asked).")
@click.option(
    "--agency", help="Their agency; created if the partnership lacks it (else asked)."
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
    username: str | None,
    email: str | None,
    agency: str | None,
    agency_kind: str,
    password_stdin: bool,
) -> None:
    """Create a site administrator account (every partnership, users, audit log)."""
    from django.core.exceptions import ValidationError

    from saferplaces.accounts.services import create_administrator

    missing = [f"--{name}" for name, value in
               (("username", username), ("email", email), ("agency", agency))
               if not value]  # fmt: skip
    if password_stdin and missing:
        # Standard input holds the password alone: asking there for the
        # rest would read the password as the first answer.
        raise click.UsageError(
            f"with --password-stdin, give {', '.join(missing)} on the command line"
        )
    username = username or click.prompt("Username")
    email = email or click.prompt("Email")
    agency = agency or click.prompt("Agency")
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
    from saferplaces.demo.users import seed_users

    _print_demo_accounts(seed_users(reset_passwords=reset_passwords))


def _print_demo_accounts(accounts: list[DemoAccount]) -> None:
    click.echo("Demo users (invented people; one per role):")
    for account in accounts:
        secret = account.password or "(unchanged: printed when it was set)"
        click.echo(
            f"  {account.username:<16} {account.role:<38} {account.agency:<45} {secret}"
        )
    if not any(account.password for account in accounts):
        click.echo(
            "Passwords are printed once. For new ones: "
            "saferplaces demo-users --reset-passwords"
        )


@main.group("audit")
def audit_group() -> None:
    """The audit log: retention and export."""


@audit_group.command("prune")
@click.option("--dry-run", is_flag=True, help="Count what would go; remove nothing.")
@needs_django
def audit_prune(dry_run: bool) -> None:
    """Remove audit entries older than SAFERPLACES_AUDIT_RETENTION_DAYS.

    The removal is itself recorded. Entries under a year old cannot be
    removed by anyone: the database refuses.
    """
    import datetime

    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from saferplaces.accounts import audit
    from saferplaces.accounts.models import AuditEvent

    days = settings.AUDIT_RETENTION_DAYS
    cutoff = timezone.now() - datetime.timedelta(days=days)
    if dry_run:
        count = AuditEvent.objects.filter(at__lt=cutoff).count()
        click.echo(f"{count} audit entries are older than {days} days (dry run).")
        return
    with transaction.atomic():  # the removal and its entry, or neither
        removed = AuditEvent.objects.remove_older_than(cutoff)
        audit.record(
            "audit_pruned",
            detail={
                "removed": removed,
                "older_than": cutoff.isoformat(),
                "retention_days": days,
                "by": "saferplaces command",
            },
        )
    click.echo(f"Removed {removed} audit entries older than {days} days.")


DAY = click.DateTime(formats=["%Y-%m-%d"])


@audit_group.command("export")
@click.option("--from", "first", type=DAY, required=True, help="First day, YYYY-MM-DD.")
@click.option("--to", "last", type=DAY, required=True, help="Last day, YYYY-MM-DD.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The CSV file to write (readable by its owner only).",
)
@needs_django
def audit_export_command(first: Any, last: Any, out: Path) -> None:
    """Write the audit entries made from --from to --to (whole days, both
    included) to --out as CSV, with the audit log page's columns and
    formula-like cells prefixed, streamed in bounded memory. The export is
    itself recorded in the audit log; the file appears only once whole."""
    import getpass

    from saferplaces.accounts import audit, audit_export

    first, last = first.date(), last.date()
    if last < first:
        raise click.BadParameter("--to is before --from.", param_hint="--to")
    partial = out.with_name(out.name + ".partial")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as error:
        raise click.ClickException(f"{out}: cannot write ({error.strerror}).") from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as file:
            count = audit_export.write_csv(audit_export.between(first, last), file)
        audit.record(
            "audit_exported",
            detail={
                "from": first.isoformat(), "to": last.isoformat(), "entries": count,
                "file": str(out.resolve()), "by": "saferplaces command",
                "os_user": getpass.getuser(),
            },
        )  # fmt: skip
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    click.echo(f"{count} audit entries from {first} to {last} written to {out}.")


@main.group("cases")
def cases_group() -> None:
    """Casework: what leaves the case database, de-identified."""


@cases_group.command("publish")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary lines.")
@needs_django
def cases_publish(quiet: bool) -> None:
    """Load the cases opened before this month, de-identified (month opened,
    type, risk level, area; no person, reference or text), into the store as
    the cases-opened source, so the dashboard's measure cases-opened counts
    them; and the referrals completed before this month (month, pathway,
    outcome, area) as the referral-outcomes source, which the measure
    referral-outcomes counts per pathway. Run it nightly; each run replaces
    the last. Exits 3 if a row was refused (its line and reason are
    printed), as ingest does."""
    from saferplaces.cases.publish import publish_cases, publish_referral_outcomes
    from saferplaces.ingest.report import print_report

    store = _store()
    reports = [publish_cases(store), publish_referral_outcomes(store)]
    for report in reports:
        print_report(report, quiet)
    _warm_dashboards(quiet)
    if any(report.rejected for report in reports):
        sys.exit(EXIT_ROWS_REJECTED)


@main.group("retention")
def retention_group() -> None:
    """Closed cases past the partnership's retention period."""


@retention_group.command("run")
@click.option("--dry-run", is_flag=True, help="Say what would be done; change nothing.")
@needs_django
def retention_run(dry_run: bool) -> None:
    """Anonymise or delete closed cases kept longer than each partnership's
    case policy says (retention_years, after_retention), with the people,
    addresses and incidents no kept case needs. Reports what it did (or,
    with --dry-run, would do); the run is recorded in the audit log."""
    from django.db import transaction
    from django.utils import timezone

    from saferplaces.accounts import audit
    from saferplaces.cases.models import CasePolicy
    from saferplaces.cases.services.retention import retention
    from saferplaces.partnership.models import Partnership

    today = timezone.localdate()
    for partnership in Partnership.objects.order_by("name"):
        policy = CasePolicy.of(partnership.pk)
        with transaction.atomic():  # the run and its entry, or neither
            report = retention(policy, today, dry_run=dry_run)
            if not dry_run and report.cases:
                audit.record(
                    "retention_run",
                    object_type="cases:retention",
                    object_id=partnership.slug,
                    detail={
                        "action": report.action,
                        "cases": report.cases,
                        "people": report.people,
                        "addresses": report.addresses,
                        "incidents": report.incidents,
                        "closed_before": report.cutoff.isoformat(),
                        "by": "saferplaces command",
                    },
                )
        click.echo(f"{partnership.name}: {report.words()}")
    if dry_run:
        click.echo("Dry run: nothing was changed.")


class _BackupGroup(click.Group):
    """`saferplaces backup DIR` makes a backup; `backup prune` removes old
    ones (a folder named like a subcommand is written ./prune)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["make", *args]
        return super().parse_args(ctx, args)


@main.group("backup", cls=_BackupGroup, subcommand_metavar="DIR | prune [ARGS]...")
def backup_group() -> None:
    """Back up the database, the analytic store, evidence and the key into
    DIR (new or empty; it holds personal data: keep it safe), or remove old
    backups (`backup prune --help`)."""


@backup_group.command("make", hidden=True)
@click.argument("folder", type=click.Path(path_type=Path))
@needs_django
def backup_command(folder: Path) -> None:
    """Back up the database, the analytic store, evidence and the key.

    FOLDER must be new or empty; it holds personal data: keep it safe.
    """
    from saferplaces.accounts import audit
    from saferplaces.backup import BackupError, backup

    try:
        summary = backup(folder)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    audit.record(
        "backup_made",
        detail={"folder": str(folder.resolve()), "by": "saferplaces command"},
    )
    click.echo(
        f"Backed up {summary.files} files ({summary.bytes:,} bytes) to {folder}; "
        f"store tables: {len(summary.table_versions)}."
    )


@backup_group.command("prune")
@click.argument(
    "folder", required=False, type=click.Path(path_type=Path, file_okay=False)
)
@click.option("--keep", type=click.IntRange(0), help="Keep the newest N backups.")
@click.option(
    "--newer-than",
    type=click.IntRange(0),
    metavar="DAYS",
    help="Keep backups made in the last DAYS days.",
)
@click.option("--dry-run", is_flag=True, help="Say what would go; remove nothing.")
@needs_django
def backup_prune(
    folder: Path | None, keep: int | None, newer_than: int | None, dry_run: bool
) -> None:
    """Remove old backups in FOLDER (by default the before-restore copies in
    the data folder), keeping the newest --keep and any --newer-than."""
    from datetime import timedelta

    from saferplaces.backup import BackupError, prune, remove

    days = None if newer_than is None else timedelta(days=newer_than)
    try:
        old = prune(folder, keep, days)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    if not dry_run:
        remove(old)
    verb = "Would remove" if dry_run else "Removed"
    for path in old:
        click.echo(f"{verb} {path}")
    if not old:
        click.echo("Nothing to remove.")


@main.command("restore")
@click.argument("folder", type=click.Path(path_type=Path, exists=True))
@needs_django
def restore_command(folder: Path) -> None:
    """Put back a backup made by `saferplaces backup` (stop the server first:
    it is refused while `saferplaces serve` runs on this data folder).

    Every file is checked against the backup's manifest before anything is
    changed; what is replaced is first backed up beside the data.
    """
    from saferplaces.accounts import audit
    from saferplaces.backup import BackupError, restore

    try:
        summary = restore(folder)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    audit.record(
        "backup_restored",
        detail={
            "folder": str(folder.resolve()),
            "kept_aside": str(summary.kept_aside),
            "by": "saferplaces command",
        },
    )
    click.echo(f"Restored {summary.files} files from {folder}.")
    click.echo(f"What was there before is kept in {summary.kept_aside}.")


# -- the analytic store --------------------------------------------------------

EXIT_REFUSED = 1
EXIT_ROWS_REJECTED = 3
EXIT_DOWNLOAD_FAILED = 4


def _store(engine: str = "duckdb") -> Any:
    from django.conf import settings

    from saferplaces.analytics.store import Store

    root = settings.DATA_DIR / "store"
    if engine == "duckdb":
        return Store(root)
    from saferplaces.analytics.spark import EngineError, SparkStore

    try:
        return SparkStore(root)
    except EngineError as error:
        raise click.ClickException(str(error)) from None


def _parse_as_of(value: str | None) -> Any:
    """A load number, or an ISO date/time (UTC when no zone is given)."""
    from datetime import datetime

    if value is None:
        return None
    if value.isdigit():
        return int(value)
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            "give a load number (see `saferplaces store history`) or a date "
            "such as 2025-04-01 or 2025-04-01T09:30"
        ) from None


def _source_names() -> list[str]:
    from saferplaces.ingest.sources import all_sources

    return [source.name for source in all_sources()]


@main.command(
    epilog="Exit codes: 0 loaded (or already loaded); 1 a file was refused whole "
    "and nothing was written; 2 bad command line or settings; 3 loaded, but some "
    "rows were rejected (see the rejects file)."
)
@click.argument("source", type=click.Choice(_source_names()))
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path)
)
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary line.")
@click.option(
    "--questions",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="For survey: the questions file (YAML, docs/data/surveys.md).",
)
@click.option(
    "--allow-shrink",
    is_flag=True,
    help="Let the load take more than 5% of the rows a partition (a force's "
    "month) holds away; refused otherwise.",
)
@needs_django
def ingest(
    source: str,
    paths: tuple[Path, ...],
    quiet: bool,
    questions: Path | None,
    allow_shrink: bool,
) -> None:
    """Validate files, folders or .zip archives and load them into the store."""
    from saferplaces.ingest.report import print_report, progress_bar
    from saferplaces.ingest.sources import get_source
    from saferplaces.ingest.surveys import (
        QuestionsError,
        load_questions,
        with_questions,
    )

    spec = get_source(source)
    if (questions is None) != (source != "survey"):
        raise click.UsageError(
            "--questions FILE is needed for survey"
            if questions is None
            else "--questions is only for survey"
        )
    if questions is not None:
        try:
            spec = with_questions(spec, load_questions(questions))
        except QuestionsError as error:
            raise click.ClickException(str(error)) from None
    with progress_bar(quiet) as progress:
        report = _load_or_exit(_store(), spec, list(paths), progress, allow_shrink)
    print_report(report, quiet)
    _warm_dashboards(quiet)
    if report.rejected:
        sys.exit(EXIT_ROWS_REJECTED)


def _load_or_exit(
    store: Store,
    source: Source,
    paths: list[Path],
    progress: Progress | None,
    allow_shrink: bool = False,
) -> LoadReport:
    """``run_load``; a refused load says why and exits 1, never a traceback."""
    from saferplaces.ingest.loader import run_load
    from saferplaces.ingest.reading import FileRefused

    try:
        return run_load(store, source, paths, progress, allow_shrink=allow_shrink)
    except FileRefused as refused:
        click.echo(f"saferplaces: refused {refused.name}: {refused.reason}", err=True)
        click.echo("Nothing was written to the store.", err=True)
        sys.exit(EXIT_REFUSED)


@main.command()
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary lines.")
@click.option("--no-users", is_flag=True, help="Load the data but create no users.")
@needs_django
def demo(quiet: bool, no_users: bool) -> None:
    """Build the SYNTHETIC Birmingham South demo partnership (safe to re-run).

    Writes seeded synthetic geography, boundaries, population and five years
    of monthly street crime under SAFERPLACES_DATA_DIR/demo, loads them with
    the ordinary loaders, and creates one demo user per role.
    """
    from django.conf import settings

    from saferplaces.demo import SYNTHETIC_NOTICE, seed
    from saferplaces.ingest.report import print_report, progress_bar

    click.echo(SYNTHETIC_NOTICE)
    with progress_bar(quiet) as progress:
        seeded = seed(settings.DATA_DIR, users=not no_users, progress=progress)
    for report in seeded.reports:
        print_report(report, quiet=True)
    plan = seeded.plan
    click.echo(
        f"Plan: {plan.title} ({plan.actions.count()} actions, SYNTHETIC progress)"
        + ("" if seeded.plan_is_new else ", already loaded")
    )
    if seeded.problem is not None:
        click.echo("Problem solving: one SYNTHETIC record, assessed from the data.")
    if not no_users:
        _print_demo_accounts(seeded.accounts)
    if seeded.cases_made:
        click.echo(
            f"Cases: {seeded.cases_made} SYNTHETIC cases with invented people, "
            "referral pathways and a sharing agreement."
        )
    for published in (seeded.cases_published, seeded.outcomes_published):
        if published is not None:
            print_report(published, quiet=True)
    _warm_dashboards(quiet)


def _warm_dashboards(quiet: bool) -> None:
    """Build the readers' dashboards for the store a load just changed, so
    the first reader after it need not wait (saferplaces/dashboard/warming.py)."""
    from saferplaces.dashboard.warming import warm_dashboards

    ready = warm_dashboards()
    if not quiet:
        click.echo(f"Dashboards ready for {ready} readers.")


@main.group()
def download() -> None:
    """Fetch public data and load it (needs the network)."""


@download.command("police-uk")
@click.option("--force", required=True, help="police.uk force id, e.g. west-midlands.")
@click.option("--from", "first", required=True, help="First month, YYYY-MM.")
@click.option("--to", "last", required=True, help="Last month, YYYY-MM.")
@click.option(
    "--area",
    help="An area code with a loaded boundary (LSOA, ward or partnership area): "
    "use the API for just that area instead of the force's monthly archive.",
)
@click.option(
    "--base-url",
    default="https://data.police.uk",
    show_default=True,
    help="Where police.uk is (tests point this at a local server).",
)
@click.option("--no-ingest", is_flag=True, help="Download only.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary line.")
@needs_django
def download_police_uk(
    force: str,
    first: str,
    last: str,
    area: str | None,
    base_url: str,
    no_ingest: bool,
    quiet: bool,
) -> None:
    """Download street crime for a force (or one area) and load it.

    Resumable: finished months are kept and skipped when the command is run
    again. Exits 4 when police.uk cannot be reached or refuses the request.
    """
    from django.conf import settings

    from saferplaces.analytics.geography import area_shape, lsoa_locator
    from saferplaces.analytics.store import StoreError
    from saferplaces.ingest import download as police_download
    from saferplaces.ingest.report import print_report, progress_bar
    from saferplaces.ingest.sources import get_source

    try:
        months = police_download.months_between(first, last)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--from/--to") from None
    client = police_download.Client(base_url=base_url)
    folder = settings.DATA_DIR / "downloads" / "police-uk" / force
    store = _store()
    try:
        with progress_bar(quiet) as progress:
            if area:
                shape = area_shape(store, area).simplify(0.0005)
                outline = shape if shape.geom_type == "Polygon" else shape.convex_hull
                polygon = [(lat, lng) for lng, lat in outline.exterior.coords]
                paths = police_download.download_area_months(
                    client,
                    force,
                    area,
                    polygon,
                    lsoa_locator(store),
                    months,
                    folder / area.lower(),
                    progress,
                )
            else:
                paths = police_download.download_force_months(
                    client, force, months, folder, progress
                )
    except (police_download.DownloadError, StoreError) as error:
        click.echo(f"saferplaces: {error}", err=True)
        sys.exit(EXIT_DOWNLOAD_FAILED)
    click.echo(f"Downloaded {len(paths)} month(s) into {folder}.")
    if no_ingest:
        return
    report = _load_or_exit(store, get_source("police-uk-street"), paths, None)
    print_report(report, quiet)
    if report.rejected:
        sys.exit(EXIT_ROWS_REJECTED)


as_of_option = click.option(
    "--as-of", "as_of", help="A load number or a date: as the store was then."
)
format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)


engine_option = click.option(
    "--engine",
    type=click.Choice(["duckdb", "spark"]),
    default="duckdb",
    show_default=True,
    help="Run the measure's queries on DuckDB, or on Apache Spark (the running "
    "session, or a local one; docs/spark.md). The figures are the same.",
)
public_option = click.option(
    "--public",
    is_flag=True,
    help="As the public sees it: perturbed counts, small counts withheld "
    "(docs/publication.md).",
)


@main.group()
def plan() -> None:
    """The partnership plan: import, export, copy forward."""


@plan.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--allow-duplicate",
    is_flag=True,
    help="Import it even if the partnership has a plan with its title and period.",
)
@needs_django
def plan_import(path: Path, allow_duplicate: bool) -> None:
    """Import a plan file (YAML, docs/plan-format.md); all or nothing."""
    from saferplaces.partnership.plan_file import PlanFileError, import_plan

    try:
        imported = import_plan(path, allow_duplicate=allow_duplicate)
    except PlanFileError as error:
        click.echo(f"saferplaces: {error}", err=True)
        click.echo("Nothing was imported.", err=True)
        sys.exit(EXIT_REFUSED)
    click.echo(
        f"Imported {imported.title}: {imported.priorities.count()} priorities, "
        f"{imported.actions.count()} actions."
    )


@plan.command("export")
@click.option("--plan", "slug", help="The plan's slug (default: the newest).")
@click.option("--output", type=click.Path(path_type=Path), help="File (default: out).")
@needs_django
def plan_export(slug: str | None, output: Path | None) -> None:
    """Write a plan as YAML in the import format."""
    from saferplaces.partnership.models import Plan
    from saferplaces.partnership.plan_file import export_plan

    chosen = Plan.objects.filter(slug=slug).first() if slug else Plan.objects.first()
    if chosen is None:
        raise click.ClickException(f"no plan {slug!r}" if slug else "no plan loaded")
    text = export_plan(chosen)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text)
        click.echo(f"Wrote {output}.")


@plan.command("copy-forward")
@click.argument("slug")
@click.option("--new-slug", required=True, help="Slug of the new plan period.")
@click.option("--title", required=True)
@click.option("--starts", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--ends", required=True, type=click.DateTime(["%Y-%m-%d"]))
@needs_django
def plan_copy_forward(
    slug: str, new_slug: str, title: str, starts: Any, ends: Any
) -> None:
    """Start the next plan period from SLUG, carrying its open actions."""
    from saferplaces.partnership.models import Plan
    from saferplaces.partnership.services import CopyRefused, copy_forward

    current = Plan.objects.filter(slug=slug).first()
    if current is None:
        raise click.ClickException(f"no plan {slug!r}")
    try:
        new = copy_forward(
            current, title=title, slug=new_slug, starts=starts.date(), ends=ends.date()
        )
    except CopyRefused as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Started {new.title} with {new.actions.count()} open actions.")


@main.group()
def measure() -> None:
    """The partnership's outcome measures, by area and period."""


@measure.command("list")
def measure_list() -> None:
    """List the measures with their units and sources."""
    from saferplaces.analytics.measures import REGISTRY

    for item in sorted(REGISTRY.values(), key=lambda m: m.id):
        click.echo(f"{item.id:<28} {item.title} ({item.unit})")


@measure.command("docs")
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    default=Path("docs/measures.md"),
    show_default=True,
    help="Where to write the Markdown.",
)
def measure_docs(output: Path) -> None:
    """Write docs/measures.md from the registry."""
    from saferplaces.analytics.measures.docs import measures_markdown

    output.write_text(measures_markdown())
    click.echo(f"Wrote {output}.")


@measure.command(
    "show",
    epilog="CSV columns: measure, area_code, area_name, period, partial, months, "
    "group, value, numerator, denominator, lower, upper, signal, withheld, "
    "treatment, words.",
)
@click.argument("measure_id", metavar="MEASURE")
@click.option(
    "--area",
    required=True,
    help="Area code: LSOA, ward, local authority or a partnership area; a "
    "police force by its police.uk name (city-of-london) for stop and search.",
)
@click.option(
    "--by",
    type=click.Choice(["month", "quarter", "year", "rolling12"]),
    default="month",
    show_default=True,
)
@click.option("--group", help="Break down by a demographic field, e.g. victim_sex.")
@click.option("--from", "first", help="First month, YYYY-MM.")
@click.option("--to", "last", help="Last month, YYYY-MM.")
@as_of_option
@format_option
@public_option
@engine_option
@needs_django
def measure_show(
    measure_id: str,
    area: str,
    by: str,
    group: str | None,
    first: str | None,
    last: str | None,
    as_of: str | None,
    output_format: str,
    public: bool,
    engine: str,
) -> None:
    """Show a measure for one area over time, with intervals and SPC signals."""
    from typing import cast

    from saferplaces.analytics import results
    from saferplaces.analytics.measures.series import Period

    try:
        answer = results.series(
            _store(engine), measure_id, area, by=cast(Period, by), group=group,
            first=first, last=last, as_of=_parse_as_of(as_of),
            audience="public" if public else "partner", rules=_rules(),
        )  # fmt: skip
    except results.RefusedQuestion as refused:
        may = "".join(f"\n  {line}" for line in refused.allowed)
        raise click.ClickException(f"{refused}\nYou may ask for:{may}") from None
    except results.ResultError as error:
        raise click.ClickException(str(error)) from None
    _print_result(answer, output_format)


@measure.command(
    "deprivation",
    epilog="One row per IMD decile (value: the rate per 1,000 residents), one for "
    "counts in no decile, and a last row: the rate ratio of the most to the least "
    "deprived decile. CSV columns as measure show.",
)
@click.argument("measure_id", metavar="MEASURE")
@click.option("--area", required=True, help="Area code.")
@click.option(
    "--period",
    help="A month (2024-05), financial quarter (2024/25 Q1) or year (2024/25); "
    "default the latest financial year of data.",
)
@as_of_option
@format_option
@public_option
@needs_django
def measure_deprivation(
    measure_id: str,
    area: str,
    period: str | None,
    as_of: str | None,
    output_format: str,
    public: bool,
) -> None:
    """Break a count measure down by IMD decile (docs/measures.md)."""
    from saferplaces.analytics import results

    try:
        answer = results.by_deprivation(
            _store(), measure_id, area, period=period, as_of=_parse_as_of(as_of),
            audience="public" if public else "partner", rules=_rules(),
        )  # fmt: skip
    except results.ResultError as error:
        raise click.ClickException(str(error)) from None
    _print_result(answer, output_format)


def _rules() -> Any:
    from saferplaces.lib.store import publication_rules

    return publication_rules()


def _print_result(answer: Any, output_format: str) -> None:
    """A result's rows as a table, CSV or JSON; notes after a table."""
    import json

    import pyarrow as pa

    from saferplaces.ingest.report import print_table

    rows = [row.as_dict() for row in answer.rows]
    if output_format == "json":
        click.echo(
            json.dumps(
                {"notes": answer.notes, "coverage": answer.coverage, "rows": rows},
                indent=2,
            )
        )
        return
    if output_format == "table":  # people read two decimals; CSV keeps them all
        for row in rows:
            row.pop("words")
            row.update({k: round(v, 2) for k, v in row.items() if isinstance(v, float)})
    print_table(pa.Table.from_pylist(rows), as_csv=output_format == "csv")
    if output_format == "table":
        for note in [*answer.notes, *answer.coverage]:
            click.echo(f"Note: {note}")
    else:  # CSV stays parseable: what it cannot count goes to stderr
        for sentence in answer.coverage:
            click.echo(f"Note: {sentence}", err=True)


@measure.command("spc")
@click.argument("measure_id", metavar="MEASURE")
@click.option("--area", required=True, help="Area code.")
@click.option(
    "--by", type=click.Choice(["month", "quarter", "year"]), default="month",
    show_default=True,
)  # fmt: skip
@click.option("--target", type=float, help="The target, for the assurance icon.")
@click.option(
    "--rebase-at",
    multiple=True,
    help="Start new limits at this period (e.g. when an intervention began).",
)
@click.option(
    "--screen-outliers/--no-screen-outliers",
    default=True,
    show_default=True,
    help="Leave out moving ranges above 3.267 x their mean (off: as the Making "
    "Data Count spreadsheet).",
)
@click.option(
    "--fix-after",
    "fix_after_n_points",
    type=click.IntRange(min=12),
    help="Limits from the first N points of each segment only (12 or more).",
)
@click.option("--from", "first", help="First month, YYYY-MM.")
@click.option("--to", "last", help="Last month, YYYY-MM.")
@as_of_option
@format_option
@needs_django
def measure_spc(
    measure_id: str,
    area: str,
    by: str,
    target: float | None,
    rebase_at: tuple[str, ...],
    screen_outliers: bool,
    fix_after_n_points: int | None,
    first: str | None,
    last: str | None,
    as_of: str | None,
    output_format: str,
) -> None:
    """An XmR chart (Making Data Count): limits, signals, variation, assurance."""
    import dataclasses
    import json
    from typing import cast

    import pyarrow as pa

    from saferplaces.analytics import results
    from saferplaces.analytics.measures.series import Period
    from saferplaces.analytics.spc import ASSURANCE_WORDS, VARIATION_WORDS
    from saferplaces.ingest.report import print_table

    try:
        chart = results.chart(
            _store(), measure_id, area, by=cast(Period, by), target=target,
            rebase_at=rebase_at, first=first, last=last,
            as_of=_parse_as_of(as_of), screen_outliers=screen_outliers,
            fix_after_n_points=fix_after_n_points,
        )  # fmt: skip
    except results.ResultError as error:
        raise click.ClickException(str(error)) from None
    if output_format == "json":
        click.echo(json.dumps(dataclasses.asdict(chart), indent=2))
        return
    rows = [dataclasses.asdict(point) for point in chart.points]
    if output_format == "table":
        for row in rows:
            row.update({k: round(v, 2) for k, v in row.items() if isinstance(v, float)})
    print_table(pa.Table.from_pylist(rows), as_csv=output_format == "csv")
    if output_format == "table":
        click.echo(f"Variation: {VARIATION_WORDS[chart.variation]}")
        click.echo(f"Assurance: {ASSURANCE_WORDS[chart.assurance or 'none']}")
        for warning in chart.warnings:
            click.echo(f"Warning: {warning}")


@measure.command("compare")
@click.argument("measure_id", metavar="MEASURE")
@click.option("--level", required=True, help="Level of the areas to rank, e.g. ward.")
@click.option("--within", required=True, help="The parent area's code.")
@click.option(
    "--period",
    required=True,
    help="2024/25 (--by year), 2024/25 Q1 (--by quarter) or 2024-05.",
)
@click.option(
    "--by",
    type=click.Choice(["month", "quarter", "year"]),
    default="year",
    show_default=True,
)
@as_of_option
@format_option
@public_option
@engine_option
@needs_django
def measure_compare(
    measure_id: str,
    level: str,
    within: str,
    period: str,
    by: str,
    as_of: str | None,
    output_format: str,
    public: bool,
    engine: str,
) -> None:
    """Rank the areas of one level inside a parent, with change and trend."""
    from typing import cast

    from saferplaces.analytics import results
    from saferplaces.analytics.measures.series import Period

    try:
        answer = results.comparison(
            _store(engine), measure_id, level, within, period, by=cast(Period, by),
            as_of=_parse_as_of(as_of), audience="public" if public else "partner",
            rules=_rules(),
        )  # fmt: skip
    except results.ResultError as error:
        raise click.ClickException(str(error)) from None
    _print_result(answer, output_format)


@measure.command(
    "search-rates",
    epilog="CSV columns: group, searches, residents, per_1000, ratio, lower, "
    "upper (against the White group's rate, with its exact 95% interval).",
)
@click.argument("force")
@click.option(
    "--period",
    required=True,
    help="A month (2020-01), financial quarter (2019/20 Q4) or year (2019/20).",
)
@click.option(
    "--residents-area",
    help="The area whose residents are the force's (default: the area whose "
    "code is the force's police.uk name).",
)
@format_option
@needs_django
def measure_search_rates(
    force: str, period: str, residents_area: str | None, output_format: str
) -> None:
    """Stop and searches per 1,000 residents of each ethnic group, against
    the White group's rate (FORCE: its police.uk name, e.g. city-of-london)."""
    import json

    import pyarrow as pa

    from saferplaces.analytics import results
    from saferplaces.ingest.report import print_table

    try:
        answer = results.search_disproportion(
            _store("duckdb"), force, period, residents_area=residents_area
        )
    except results.ResultError as error:
        raise click.ClickException(str(error)) from None
    rows = [
        {
            "group": rate.group,
            "searches": rate.searches,
            "residents": rate.residents,
            "per_1000": rate.per_1000,
            "ratio": rate.against_white.ratio if rate.against_white else None,
            "lower": rate.against_white.lower if rate.against_white else None,
            "upper": rate.against_white.upper if rate.against_white else None,
        }
        for rate in answer.rates
    ]
    notes = [
        answer.note,
        f"{answer.unknown} searches with no ethnic group recorded are left out.",
    ]
    if output_format == "json":
        click.echo(json.dumps({"notes": notes, "rows": rows}, indent=2))
        return
    if output_format == "table":  # people read two decimals; CSV keeps them all
        for row in rows:
            row.update({k: round(v, 2) for k, v in row.items() if isinstance(v, float)})
    print_table(pa.Table.from_pylist(rows), as_csv=output_format == "csv")
    if output_format == "table":
        for note in notes:
            click.echo(f"Note: {note}")


@measure.command("batch")
@click.option(
    "--out",
    "destination",
    required=True,
    help="The results Delta table: a folder (made if missing), or a path "
    "the deltalake package can write (s3://, abfss://, ...).",
)
@click.option("--within", help="Only areas inside this area (a partnership, force...).")
@click.option(
    "--level",
    "levels",
    multiple=True,
    help="Only this level (repeat for more; default: every level loaded).",
)
@click.option(
    "--measure",
    "measures",
    multiple=True,
    help="Only this measure (repeat for more; default: every measure).",
)
@click.option(
    "--by",
    "periods",
    multiple=True,
    type=click.Choice(["month", "quarter", "year", "rolling12"]),
    help="Only this period grouping (repeat for more; default: all four).",
)
@public_option
@engine_option
@needs_django
def measure_batch(
    destination: str,
    within: str | None,
    levels: tuple[str, ...],
    measures: tuple[str, ...],
    periods: tuple[str, ...],
    public: bool,
    engine: str,
) -> None:
    """Write every measure for every area and period as a Delta table."""
    from typing import cast

    from saferplaces.analytics import batch
    from saferplaces.analytics.measures.series import PERIODS, Period
    from saferplaces.analytics.results import ResultError
    from saferplaces.analytics.results import measure as measure_named
    from saferplaces.analytics.store import StoreError

    store = _store(engine)
    try:
        for measure_id in measures:
            measure_named(measure_id)  # unknown: the message lists them
        table, report = batch.compute_results(
            store, measures=measures or None, levels=levels or None,
            periods=cast(tuple[Period, ...], periods or PERIODS), within=within,
            audience="public" if public else "partner", rules=_rules(),
            progress=lambda measure_id: click.echo(f"Computing {measure_id}", err=True),
        )  # fmt: skip
    except (ResultError, StoreError) as error:
        raise click.ClickException(str(error)) from None
    if not report.rows:
        raise click.ClickException("nothing to write: no measure has data here")
    version = batch.write_results(store, table, destination, engine)
    click.echo(
        f"Wrote {report.rows:,} rows ({report.series:,} series) to {destination}, "
        f"Delta version {version}, on {engine}."
    )
    if report.refused:
        who = "public" if public else "partners"
        click.echo(f"Left out {report.refused:,} series the {who} may not see.")
    for measure_id, why in report.skipped.items():
        click.echo(f"Left out {measure_id}: {why}.")


@main.group()
def store() -> None:
    """Inspect and query the analytic store (Delta Lake tables)."""


@store.command()
@click.option("--table", help="Only this table's loads.")
@needs_django
def history(table: str | None) -> None:
    """List every load: its number, table, files, rows and Delta version."""
    from saferplaces.ingest.report import print_history

    print_history(_store().loads(table))


@store.command()
@click.argument("sql")
@click.option(
    "--as-of", "as_of", help="A load number or a date: query the store as it was then."
)
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV instead of a table.")
@needs_django
def query(sql: str, as_of: str | None, as_csv: bool) -> None:
    """Run SQL (DuckDB dialect) over the canonical tables."""
    from saferplaces.analytics.store import StoreError, TableNotLoaded
    from saferplaces.ingest.report import print_table
    from saferplaces.ingest.sources import load_first

    try:
        result = _store().query(sql, as_of=_parse_as_of(as_of))
    except TableNotLoaded as missing:
        raise click.ClickException(f"{missing}: {load_first(missing.table)}") from None
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    print_table(_nested_as_json(result) if as_csv else result, as_csv)


def _nested_as_json(result: Any) -> Any:
    """The result with its list, struct and map columns as JSON text: CSV
    has no nesting, and pyarrow's CSV writer refuses such columns (the
    geography's ``parents``, say). Nulls stay empty."""
    import json

    import pyarrow as pa

    for index, field in enumerate(result.schema):
        if pa.types.is_nested(field.type):
            text = [
                None if value is None else json.dumps(value, default=str)
                for value in result.column(index).to_pylist()
            ]
            result = result.set_column(
                index, pa.field(field.name, pa.string()), pa.array(text, pa.string())
            )
    return result


@store.command()
@click.option("--dry-run", is_flag=True, help="List the files; remove nothing.")
@click.option(
    "--grace-hours",
    type=click.IntRange(min=1),
    default=24,
    show_default=True,
    help="Leave files younger than this (a load may be writing them).",
)
@needs_django
def vacuum(dry_run: bool, grace_hours: int) -> None:
    """Remove data files no version refers to (left by killed loads).

    Refuses, removing nothing, while any version of a table cannot be read."""
    from datetime import timedelta

    from saferplaces.analytics.store import UnreadableVersion

    try:
        found = _store().vacuum(timedelta(hours=grace_hours), dry_run=dry_run)
    except UnreadableVersion as refused:
        click.echo(str(refused), err=True)
        sys.exit(EXIT_REFUSED)
    size = sum(path.stat().st_size for path in found if path.exists())
    for path in found:
        click.echo(str(path))
    verb = "Would remove" if dry_run else "Removed"
    click.echo(f"{verb} {len(found)} file(s) no version refers to.")
    if dry_run and size:
        click.echo(f"They take {size / 2**20:,.1f} MiB.")


@store.command()
@needs_django
def verify() -> None:
    """Check that every version can be read, that every file each version
    names exists with its rows, and that no month holds a record id (a
    Crime ID) twice."""
    from saferplaces.ingest.sources import all_sources

    unique = {s.table: s.unique_id[0] for s in all_sources() if s.unique_id}
    problems = _store().verify(unique=unique)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(EXIT_REFUSED)
    click.echo(
        "Every file each version names is there, with its rows; no record is "
        "held twice."
    )


@store.command()
@needs_django
def tables() -> None:
    """List the tables with their months and row counts."""
    from saferplaces.ingest.report import print_tables

    print_tables(_store())


@main.command(
    "hotspots",
    epilog="CSV: one row per grid cell: cell_id (south-west corner, BNG metres), "
    "x, y (its centre), count, and the method's outputs: kde density_per_km2; "
    "gi gi_z, p, p_fdr, p_sim (where permutations are drawn), spot; change before, "
    "difference, p (the period against as many months just before it); "
    "classify class (over --periods equal runs of months).",
)
@click.argument(
    "method", type=click.Choice(["counts", "kde", "gi", "change", "classify"])
)
@click.option(
    "--source",
    required=True,
    type=click.Choice(["street-crime", "road-collisions", "concerns"]),
    help="Incidents with a location.",
)
@click.option(
    "--type",
    "kind",
    help="A crime type (street-crime), fatal, serious, slight or ksi "
    "(road-collisions), or a category (concerns).",
)
@click.option("--area", required=True, help="Area code: its LSOAs' incidents.")
@click.option("--from", "first", required=True, help="First month, YYYY-MM.")
@click.option("--to", "last", required=True, help="Last month, YYYY-MM.")
@click.option("--cell-size", default=250.0, show_default=True, help="Metres.")
@click.option(
    "--permutations",
    type=int,
    help="For gi: conditional permutations (default: enough where counts are "
    "small, under 5 a cell on average, else none); 0: the normal approximation.",
)
@click.option("--periods", default=4, show_default=True, help="For classify.")
@click.option(
    "--bandwidth",
    type=float,
    help="For kde, metres (default: the normal-reference rule).",
)
@click.option(
    "--level",
    type=click.Choice(["lsoa", "ward"]),
    help="For counts: per LSOA or ward of the area instead of per cell.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["csv", "geojson"]),
    default="csv",
    show_default=True,
)
@needs_django
def hotspots_command(output_format: str, **options: Any) -> None:
    """Counts, kernel density, Gi* hot spots, change and classification of
    incidents on a British National Grid grid (docs/hotspots.md)."""
    import csv

    from saferplaces.analytics import hotspot_report

    level = options.pop("level")
    request = hotspot_report.Request(**options)
    try:
        if level and request.method != "counts":
            raise hotspot_report.HotspotError("--level goes with the counts method")
        if level and output_format == "geojson":
            raise hotspot_report.HotspotError("--level gives CSV only")
        rows = (
            hotspot_report.by_area(_store(), request, level)
            if level
            else hotspot_report.analyse(_store(), request)
        )
    except hotspot_report.HotspotError as error:
        raise click.ClickException(str(error)) from None
    if output_format == "geojson":
        click.echo(hotspot_report.geojson(rows, request.cell_size))
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)


if __name__ == "__main__":
    main()
