"""Pages kept in memory are served again until what they show changes."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from saferplaces.accounts.models import Role

ACTION = "birmingham-south-2014-15-3-1-2"


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, len(captured)


def test_a_plan_page_is_kept_and_rebuilt_after_a_change(seed_plan, client_as):
    viewer = client_as(Role.VIEWER)
    url = reverse("partnership:plan")
    first, built = queries_for(viewer, url)
    again, kept = queries_for(viewer, url)
    assert again.content == first.content
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
        },
    )
    assert changed.status_code == 302
    assert "renamed in the service" in viewer.get(url).content.decode()


def test_readers_with_other_navigation_get_their_own_page(seed_plan, client_as):
    """The kept page carries its reader's navigation: a site administrator's
    links never reach a viewer."""
    url = reverse("partnership:progress")
    client_as("site_administrator").get(url)
    viewer_page = client_as(Role.VIEWER).get(url).content.decode()
    assert reverse("accounts:audit_log") not in viewer_page
