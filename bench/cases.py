"""Benchmark: casework at scale on PostgreSQL, beside the floor.

Builds a SYNTHETIC case load (default 200,000 cases, 500,000 people,
1,000,000 incidents, with shares and referrals) in a PostgreSQL database of
its own through COPY, serves the app with gunicorn on 127.0.0.1 (the read
audit, need-to-know filtering and search-hit audit all on), and times, for
--users concurrent case workers of six agencies, each pausing --think
seconds on average (default 5) between requests:

  * the case page (alerts, MARAC criteria and pathways included);
  * case search by a misspelt name (trigram index), as a POST;
  * the alert checks alone (repeat victim, caller, location, ASB Case
    Review) for a case, in-process with one connection per user.

Beside each, the floor: a plain indexed query of the same rows (the case
with its people by reference; people by trigram similarity; the incident
counts of a case's people), run the same way by the same number of users.
Prints p50/p95/p99 and the ratio of each p95 to its floor's.

    python bench/cases.py [--cases N] [--people N] [--incidents N] [--users 20]
                          [--seconds 60] [--think 5.0] [--workers 2] [--threads 4]
                          [--reuse]

The case page is timed twice in one run: served as `saferplaces serve` serves
(buffering workers, each handing whole requests to --threads threads), and
by --workers sync workers (`saferplaces serve --sync`), as it was served
before issue 27.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web import HOST, free_port, percentile, wait_until_up

DATABASE = "saferplaces_bench_cases"
SERVER = "postgres://postgres@127.0.0.1:5432"
GOAL_MS = 150
AGENCIES = ["Police", "Housing", "Council", "Fire", "Health", "Probation"]
# Names from consonant-vowel(-consonant) syllables: some 1,900 syllables, so
# names are as varied as real ones (a small set made every name alike, and
# every search a scan of thousands of near matches).
ONSETS = ["b", "br", "c", "ch", "d", "f", "g", "gr", "h", "j", "k", "l", "m", "n",
          "p", "r", "s", "sh", "st", "t", "th", "v", "w", "y", "z"]  # fmt: skip
VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou"]
CODAS = ["", "", "n", "r", "l", "s", "t", "m", "ck", "ng"]
SYLLABLES = [o + v + c for o in ONSETS for v in VOWELS for c in CODAS]


def name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def build(options: argparse.Namespace) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    env = {**os.environ, "DATABASE_URL": f"{SERVER}/{DATABASE}"}
    saferplaces = str(Path(sys.executable).parent / "saferplaces")
    subprocess.run([saferplaces, "migrate"], env=env, check=True, capture_output=True)
    import django

    django.setup()
    from django.db import connection

    from saferplaces.accounts.models import Agency, Membership, Role, User
    from saferplaces.cases.models import REFERENCE_ALPHABET, search_form
    from saferplaces.partnership.models import Partnership

    started = time.perf_counter()
    rng = random.Random(16)
    partnership = Partnership.objects.create(slug="bench", name="Bench CSP")
    agencies = [Agency.objects.create(name=n, kind="other") for n in AGENCIES]
    for n in range(options.users):
        user = User.objects.create(username=f"worker{n}", agency=agencies[n % 6])
        Membership.objects.create(
            user=user, partnership=partnership, role=Role.CASE_WORKER
        )
    today = datetime.date.today()
    pid, agency_ids = partnership.pk, [a.pk for a in agencies]
    raw = connection.connection
    addresses = options.people * 3 // 5
    with raw.cursor() as cursor:
        with cursor.copy(
            "COPY cases_address (id, public_id, partnership_id, line, postcode, "
            "area_code, search_line) FROM STDIN"
        ) as copy:
            for i in range(1, addresses + 1):
                letters = chr(65 + i % 26) + chr(65 + i // 26 % 26)
                postcode = f"ZZ{i % 90 + 1} {i % 9 + 1}{letters}"
                line = f"{i % 300 + 1} {name(rng, 2)} Road"
                copy.write_row((i, f"{i:032x}", pid, line, postcode,
                                f"SYN-L{i % 3000:04d}",
                                search_form(f"{line} {postcode}")))  # fmt: skip
        print(f"  {addresses:,} addresses", flush=True)
        with cursor.copy(
            "COPY cases_person (id, public_id, partnership_id, given_name, "
            "family_name, date_of_birth, search_name, created_at, address_id) "
            "FROM STDIN"
        ) as copy:
            for i in range(1, options.people + 1):
                given, family = name(rng, 2), name(rng, rng.choice([2, 3]))
                born = today - datetime.timedelta(days=rng.randint(3000, 32000))
                copy.write_row((i, f"{i:032x}", pid, given, family, born,
                                search_form(f"{given} {family}"),
                                datetime.datetime.now(datetime.UTC),
                                rng.randint(1, addresses)))  # fmt: skip
        print(f"  {options.people:,} people", flush=True)
        types = ["asb", "hate_crime", "domestic_abuse", "vulnerable_adult",
                 "child_safeguarding", "repeat_caller"]  # fmt: skip
        now = datetime.datetime.now(datetime.UTC)
        with cursor.copy(
            "COPY cases_case (id, reference, partnership_id, case_type, hate_strand, "
            "owner_agency_id, summary, area_code, status, closure_reason, opened_on, "
            "risk_level, needs_reassessment, version, updated_at, record_key) "
            "FROM STDIN"
        ) as copy:
            for i in range(1, options.cases + 1):
                reference = "CASE-" + "".join(
                    rng.choice(REFERENCE_ALPHABET) for _ in range(8)
                )
                copy.write_row((i, reference, pid, types[i % 6], "",
                                agency_ids[i % 6], "SYNTHETIC", f"SYN-L{i % 3000:04d}",
                                "open" if i % 4 else "closed", "",
                                today - datetime.timedelta(days=rng.randint(0, 1500)),
                                rng.choice(["standard", "medium", "high"]), False, 1,
                                now, rng.randrange(65536)))  # fmt: skip
        print(f"  {options.cases:,} cases", flush=True)
        # Each case's people: 2 or 3, most people in one case.
        victim = {}
        with cursor.copy(
            "COPY cases_caseperson (case_id, person_id, role) FROM STDIN"
        ) as copy:
            for i in range(1, options.cases + 1):
                first = (i * 2) % options.people + 1
                victim[i] = first
                copy.write_row((i, first, "victim"))
                copy.write_row((i, (i * 2 + 1) % options.people + 1, "perpetrator"))
                if i % 2:
                    copy.write_row((i, rng.randint(1, options.people), "witness"))
        with cursor.copy(
            "COPY cases_incident (id, public_id, partnership_id, occurred_on, "
            "category, description, area_code, recorded_at, address_id, "
            "reporting_agency_id) FROM STDIN"
        ) as copy:
            for j in range(1, options.incidents + 1):
                copy.write_row((j, f"{j:032x}", pid,
                                today - datetime.timedelta(days=rng.randint(0, 1500)),
                                "asb_personal", "SYNTHETIC", f"SYN-L{j % 3000:04d}",
                                now, (j % addresses) + 1,
                                agency_ids[j % 6]))  # fmt: skip
        with cursor.copy(
            "COPY cases_case_incidents (case_id, incident_id) FROM STDIN"
        ) as copy:
            for j in range(1, options.incidents + 1):
                copy.write_row((j % options.cases + 1, j))
        with cursor.copy(
            "COPY cases_incidentperson (incident_id, person_id, role) FROM STDIN"
        ) as copy:
            for j in range(1, options.incidents + 1):
                copy.write_row((j, victim[j % options.cases + 1], "victim"))
        print(f"  {options.incidents:,} incidents", flush=True)
        cursor.execute(
            "INSERT INTO cases_sharingagreement (partnership_id, title, reference, "
            "purpose, lawful_basis, review_by, is_active) VALUES "
            "(%s, 'Bench', 'B-1', 'Bench', 'Public task', '2030-01-01', true) "
            "RETURNING id",
            [pid],
        )
        agreement = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO cases_caseshare (case_id, agency_id, purpose, agreement_id, "
            "shared_at) SELECT id, %s, 'Bench share', %s, now() FROM cases_case "
            "WHERE id %% 10 = 0 AND owner_agency_id <> %s",
            [agency_ids[3], agreement, agency_ids[3]],
        )
        for table in ("address", "person", "case", "incident"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('cases_{table}', 'id'), "
                f"(SELECT max(id) FROM cases_{table}))"
            )
    raw.commit()
    raw.autocommit = True
    with raw.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)


def sessions(users: int) -> list[dict[str, object]]:
    """Each worker's session cookie, CSRF secret, some cases they may see
    and names (misspelt) from those cases to search for."""
    import django

    django.setup()
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    from saferplaces.accounts.models import User
    from saferplaces.cases.access import visible_cases
    from saferplaces.cases.models import Person

    rng = random.Random(7)
    found = []
    for n in range(users):
        user = User.objects.get(username=f"worker{n}")
        client = Client()
        client.force_login(user)
        cases = list(
            visible_cases(user).order_by("?").values_list("pk", "reference")[:200]
        )
        people = Person.objects.filter(cases__case_id__in=[pk for pk, _ in cases[:50]])
        names = [f"{p.given_name} {p.family_name[:-1]}" for p in people[:50]]
        found.append({
            "user": user,
            "cookie": client.cookies["sessionid"].value,
            "csrf": _get_new_csrf_string(),
            "cases": cases,
            "names": names or ["Anber Calden"],
            "rng": random.Random(rng.random()),
        })  # fmt: skip
    return found


async def http_user(port, person, request_for, until, think, latencies, failures):
    """One user: send, read the answer, think, again. A connection is opened
    just before a request is sent (as a browser does after a pause): one
    left open while the user thinks would hold a sync worker idle."""
    reader = writer = None
    # Users arrive spread over one think time, as a steady load does: all
    # twenty starting in the same instant is a burst two workers queue.
    await asyncio.sleep(person["rng"].uniform(0, 2 * think))
    try:
        while time.perf_counter() < until:
            raw = request_for(person)
            started = time.perf_counter()
            status = b""
            if writer is not None:
                status = await send(reader, writer, raw)
                if not status:
                    # The server closed the kept-alive connection while the
                    # user thought (gunicorn keeps one 2 s): a browser asks
                    # again on a new one, and so does this user; time counts.
                    writer.close()
            if not status:
                reader, writer = await asyncio.open_connection(HOST, port)
                status = await send(reader, writer, raw)
            length, close = 0, False
            while (line := await reader.readline()) not in (b"\r\n", b""):
                key, _, value = line.decode("latin-1").partition(":")
                if key.lower() == "content-length":
                    length = int(value)
                elif key.lower() == "connection" and "close" in value.lower():
                    close = True
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if b" 200 " not in status:
                failures.append(int(status.split()[1]))
            if close:
                writer.close()
                reader = writer = None
            await asyncio.sleep(person["rng"].uniform(0, 2 * think))
    finally:
        if writer is not None:
            writer.close()


async def send(reader, writer, raw):
    """The answer's status line, or b"" when the connection was closed."""
    try:
        writer.write(raw)
        await writer.drain()
        return await reader.readline()
    except ConnectionError:
        return b""


def case_page(port):
    def request(person):
        _, reference = person["rng"].choice(person["cases"])
        return (
            f"GET /cases/{reference}/ HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
            f"Cookie: sessionid={person['cookie']}\r\nConnection: keep-alive\r\n\r\n"
        ).encode()

    return request


def search(port):
    def request(person):
        body = urllib.parse.urlencode({"name": person["rng"].choice(person["names"])})
        return (
            f"POST /cases/search/ HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
            f"Cookie: sessionid={person['cookie']}; csrftoken={person['csrf']}\r\n"
            f"X-CSRFToken: {person['csrf']}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n{body}"
        ).encode()

    return request


def over_http(port, people, request_for, seconds, think):
    latencies: list[float] = []
    failures: list[int] = []

    async def run():
        until = time.perf_counter() + seconds
        await asyncio.gather(*(
            http_user(port, p, request_for, until, think, latencies, failures)
            for p in people
        ))  # fmt: skip

    started = time.perf_counter()
    asyncio.run(run())
    return latencies, failures, time.perf_counter() - started


def in_threads(people, work, seconds, think):
    """``work(person)`` by one thread per user, each with its own database
    connection, pausing ``think`` on average between calls."""
    from django.db import connection

    latencies: list[float] = []
    failures: list[int] = []
    until = time.perf_counter() + seconds

    def user(person):
        try:
            work(person)  # the thread's connection opens here, untimed
            time.sleep(person["rng"].uniform(0, 2 * think))  # spread arrivals
            while time.perf_counter() < until:
                started = time.perf_counter()
                work(person)
                latencies.append(time.perf_counter() - started)
                time.sleep(person["rng"].uniform(0, 2 * think))
        finally:
            connection.close()

    threads = [threading.Thread(target=user, args=(p,)) for p in people]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, failures, time.perf_counter() - started


def alert_checks(person):
    from saferplaces.cases.models import Case
    from saferplaces.cases.services import alerts, assessment

    pk, _ = person["rng"].choice(person["cases"])
    case = Case.objects.get(pk=pk)
    alerts.alerts(case)
    assessment.marac_criteria(case, datetime.date.today())


def floor_case(person):
    from django.db import connection

    _, reference = person["rng"].choice(person["cases"])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.*, p.* FROM cases_case c JOIN cases_caseperson cp "
            "ON cp.case_id = c.id JOIN cases_person p ON p.id = cp.person_id "
            "WHERE c.reference = %s",
            [reference],
        )
        cursor.fetchall()


def floor_search(person):
    from django.db import connection

    from saferplaces.cases.models import search_form

    wanted = search_form(person["rng"].choice(person["names"]))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM cases_person WHERE search_name %% %s "
            "ORDER BY similarity(search_name, %s) DESC LIMIT 50",
            [wanted, wanted],
        )
        cursor.fetchall()


def floor_alerts(person):
    from django.db import connection

    pk, _ = person["rng"].choice(person["cases"])
    since = datetime.date.today() - datetime.timedelta(days=365)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ip.person_id, count(*) FROM cases_caseperson cp "
            "JOIN cases_incidentperson ip ON ip.person_id = cp.person_id "
            "JOIN cases_incident i ON i.id = ip.incident_id "
            "WHERE cp.case_id = %s AND i.occurred_on > %s GROUP BY ip.person_id",
            [pk, since],
        )
        cursor.fetchall()


def line(name, latencies, failures, elapsed, floor=None):
    ms = [v * 1000 for v in latencies]
    p95 = percentile(ms, 0.95)
    ratio = f"{p95 / floor:>7.1f}" if floor else f"{'':>7}"
    print(
        f"{name:<26} {len(ms) / elapsed:>7.1f} {statistics.median(ms):>8.1f} "
        f"{p95:>8.1f} {percentile(ms, 0.99):>8.1f} {len(failures):>7} {ratio}",
        flush=True,
    )
    return p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--people", type=int, default=500_000)
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    # A case worker reads a page before the next click: 5 s on average is
    # still brisk. --think 1 shows where two cores saturate.
    parser.add_argument("--think", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--reuse", action="store_true", help="keep the database")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="saferplaces-cases-"))
    os.environ.update({
        "DATABASE_URL": f"{SERVER}/{DATABASE}",
        "SAFERPLACES_DATA_DIR": str(folder),
        "DJANGO_SETTINGS_MODULE": "saferplaces.config.settings",
    })  # fmt: skip
    if not options.reuse:
        print("building the SYNTHETIC case load ...", flush=True)
        build(options)
    people = sessions(options.users)
    header = (
        f"{'what':<26} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'errors':>7} {'x floor':>7}"
    )
    # The way `saferplaces serve` serves now (whole requests handed to
    # threads), then the two sync workers it ran before, in the same run.
    server, port = start_server(options, people, sync=False)
    try:
        print(
            f"\n{options.users} users, {options.seconds:.0f} s each, think time "
            f"{options.think} s on average, gunicorn with {options.workers} "
            f"buffering workers of {options.threads} threads on "
            f"{os.cpu_count()} cores (the load client shares them)\n"
        )
        print(header)
        runs = [
            ("case page", lambda: over_http(port, people, case_page(port),
                                            options.seconds, options.think),
             floor_case),
            ("case search (POST)", lambda: over_http(port, people, search(port),
                                                     options.seconds, options.think),
             floor_search),
            ("alert checks", lambda: in_threads(people, alert_checks, options.seconds,
                                                options.think), floor_alerts),
        ]  # fmt: skip
        verdicts = []
        for label, run, floor_work in runs:
            floor = line(f"  floor: {label}", *in_threads(
                people, floor_work, options.seconds / 2, options.think))  # fmt: skip
            p95 = line(label, *run(), floor=floor)
            verdicts.append((label, p95))
    finally:
        server.terminate()
        server.wait(timeout=30)
    server, port = start_server(options, people, sync=True)
    try:
        line(
            f"case page, {options.workers} sync",
            *over_http(port, people, case_page(port), options.seconds, options.think),
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"\ngoal: p95 under {GOAL_MS} ms")
    for label, p95 in verdicts:
        print(f"  {label:<22} {'meets' if p95 < GOAL_MS else 'MISSES'} the goal")


def start_server(options, people, sync):
    """`saferplaces serve` on a free port, warmed: its way, or --sync."""
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "saferplaces"), "serve", "--host", HOST,
         "--port", str(port), "--workers", str(options.workers),
         *(["--sync"] if sync else ["--threads", str(options.threads)])],
        env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_until_up(port, seconds=300)  # collectstatic first: slow on a busy machine
    over_http(port, people, case_page(port), 3, 0.1)  # warm the workers
    return server, port


if __name__ == "__main__":
    main()
