"""Every URL of the permission matrix, and the admin's, with every method.

Views used to treat anything but POST as GET, so OPTIONS, PUT or PROPFIND
read a case, its CSV or the whole audit log in full, and the read audit
(GET and HEAD only) never saw them. Now each view answers GET and HEAD
unless marked (saferplaces/lib/methods.py), and anything else is 405 with
an ``Allow`` header before the view runs.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from saferplaces.accounts.models import AuditEvent
from saferplaces.accounts.read_audit import exemption
from tests.factories import (
    ANONYMOUS,
    SITE_ADMIN,
    build_casework,
    make_case,
    road_safety_plan,
)
from tests.matrix import ADMIN_PAGES, MATRIX, needs_the_plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _plan(request, db, settings, tmp_path):
    """A small plan under the demo's names, for the pages that show one."""
    if needs_the_plan(getattr(request.node, "callspec", None)):
        settings.DATA_DIR = tmp_path  # an empty store
        road_safety_plan()


READS = ("GET", "HEAD")
# No view of ours takes these: each must be 405, whoever asks.
NEVER = ("PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND")
METHODS = (*READS, "POST", *NEVER)


def _persona(allowed: frozenset[str]) -> str:
    """Someone who may open the page, signed in where anyone may."""
    if SITE_ADMIN in allowed:
        return SITE_ADMIN
    return sorted(allowed - {ANONYMOUS})[0]


def _ask(client, method: str, url: str):
    return client.generic(method, url)


def _allowed(response) -> set[str]:
    return {m.strip() for m in response["Allow"].split(",")}


def walk(client, url: str) -> list[str]:
    """What is wrong with ``url`` under each method (empty: nothing)."""
    problems = []
    for method in METHODS:
        before = AuditEvent.objects.filter(action="read").count()
        response = _ask(client, method, url)
        read = AuditEvent.objects.filter(action="read").count() > before
        if method in NEVER and response.status_code != 405:
            problems.append(f"{method} answered {response.status_code}")
            continue
        if response.status_code != 405:
            continue
        if "Allow" not in response:
            problems.append(f"{method}: 405 without Allow")
        elif method in _allowed(response):
            problems.append(f"{method}: 405 though Allow lists it")
        if b"<html" in response.content or len(response.content) > 300:
            problems.append(f"{method}: 405 with a page")
        if read:
            problems.append(f"{method}: 405 left a read entry")
    return problems


@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_every_method_but_the_views_own_is_refused_before_it_runs(client_as, url_name):
    rule = MATRIX[url_name]
    client = client_as(_persona(rule.allowed))
    url = reverse(url_name, kwargs=rule.kwargs)
    assert walk(client, url) == []
    # What GET answers is what the matrix says (405 for POST-only URLs).
    get = client.get(url)
    assert (get.status_code == 405) == (rule.status == 405)


@pytest.mark.parametrize("url_name", ADMIN_PAGES)
def test_the_admin_answers_only_its_own_methods(client_as, url_name):
    client = client_as(SITE_ADMIN)
    url = reverse(url_name)
    assert walk(client, url) == []
    allow = _allowed(_ask(client, "PUT", url))
    takes_forms = url_name.endswith(("_add", "_changelist"))
    assert allow == {*READS, "POST"} if takes_forms else set(READS)


CASE_READS = ("cases:case", "cases:case_export", "cases:who_viewed")


@pytest.mark.parametrize("method", NEVER)
def test_no_other_method_reads_a_case(client, method):
    casework = build_casework()
    case = make_case(casework)
    client.force_login(casework.officer)
    for url_name in CASE_READS:
        url = reverse(url_name, args=[case.reference])
        response = _ask(client, method, url)
        assert response.status_code == 405, url_name
        assert _allowed(response) == set(READS)
        assert b"Hollis" not in response.content
    assert not AuditEvent.objects.filter(action="read").exists()


def test_a_post_that_reads_a_page_is_one_the_audit_records(client_as):
    """POST is for forms: an audited view's answer to an empty POST is an
    error, a redirect or a refusal, never the page itself unrecorded."""
    unrecorded = []
    for url_name, rule in sorted(MATRIX.items()):
        client = client_as(_persona(rule.allowed))
        url = reverse(url_name, kwargs=rule.kwargs)
        response = client.post(url)
        view = response.resolver_match.func if response.resolver_match else None
        if 200 <= response.status_code < 300 and view and not exemption(view):
            unrecorded.append(url_name)
    assert unrecorded == []
