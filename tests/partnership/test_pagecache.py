"""Pages kept in memory are served again until what they show changes."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from saferplaces.accounts.models import Role
from saferplaces.lib.pagecache import CSRF_PLACEHOLDER
from saferplaces.partnership.models import Action

ACTION = "birmingham-south-2014-15-3-1-2"


def without_token(content: bytes) -> bytes:
    """A page less its CSRF token (masked afresh for every response)."""
    import re

    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, len(captured)


def test_a_plan_page_is_kept_and_rebuilt_after_a_change(plan, client_as):
    viewer = client_as(Role.VIEWER)
    url = reverse("partnership:plan")
    first, built = queries_for(viewer, url)
    again, kept = queries_for(viewer, url)
    assert without_token(again.content) == without_token(first.content)
    assert kept < built / 2  # the page's own queries are not made again
    # An analyst changes the action: the next reader sees it at once.
    analyst = client_as(Role.ANALYST)
    changed = analyst.post(
        reverse("partnership:action_edit", kwargs={"reference": ACTION}),
        {
            "form": "details",
            "details-text": "Forward planning, renamed in the service",
            "details-lead_role": "",
            "details-lead_agency": "",
            "details-target_areas": "",
            "details-starts": "2014-04-01",
            "details-due": "2015-03-31",
            "details-version": Action.objects.get(reference=ACTION).version,
        },
    )
    assert changed.status_code == 302
    assert "renamed in the service" in viewer.get(url).content.decode()


def test_readers_with_other_navigation_get_their_own_page(plan, client_as):
    """The kept page carries its reader's navigation: a site administrator's
    links never reach a viewer."""
    url = reverse("partnership:progress")
    client_as("site_administrator").get(url)
    viewer_page = client_as(Role.VIEWER).get(url).content.decode()
    assert reverse("accounts:audit_log") not in viewer_page


def test_a_kept_page_never_shows_one_readers_csrf_token_to_another(plan, make_user):
    """Pages kept in memory carried their first reader's CSRF token in the
    sign-out form: another reader's sign-out was refused, and the token (a
    defence against cross-site requests) was shown to someone else."""
    import re

    from django.test import Client

    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(make_user(Role.VIEWER, username="first"))
    second.force_login(make_user(Role.VIEWER, username="second"))
    url = reverse("partnership:progress")
    first.get(url)  # kept now
    page = second.get(url).content.decode()
    assert CSRF_PLACEHOLDER not in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    signed_out = second.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token})
    assert signed_out.status_code == 302  # not 403


def test_the_action_page_is_kept_with_its_form(client, plan, make_user):
    """The action page was never kept (its form has a CSRF token), and missed
    the speed goal (issue 14)."""
    from saferplaces.partnership.models import Status

    analyst = make_user(Role.ANALYST, username="ana")
    client.force_login(analyst)
    action = plan.actions.get(number="3.1.2")
    url = reverse("partnership:action", kwargs={"reference": action.reference})
    before = client.get(url).content.decode()
    assert 'name="csrfmiddlewaretoken"' in before
    action.updates.create(text="Kept pages follow this.", status=Status.AT_RISK)
    after = client.get(url).content.decode()
    assert "Kept pages follow this." in after  # the plan's revision rose
