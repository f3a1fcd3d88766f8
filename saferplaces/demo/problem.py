"""The demo's SYNTHETIC problem-solving record."""

from __future__ import annotations

from saferplaces.accounts.models import Agency
from saferplaces.analytics import geography
from saferplaces.analytics.store import Store
from saferplaces.demo.plan import DEMO_PARTNERSHIP_SLUG
from saferplaces.partnership.models import Group, Partnership
from saferplaces.tasking.models import ProblemSolving

DEMO_TITLE = "SYNTHETIC: anti-social behaviour around the Bournville shops"


def load_demo_problem(store: Store) -> ProblemSolving | None:
    """A record whose response began with the plan (April 2014), where the
    demo plants a drop of a third in Bournville's ASB; its assessment finds
    it. Safe to run again."""
    partnership = Partnership.objects.filter(slug=DEMO_PARTNERSHIP_SLUG).first()
    wards = {area.name: area.code for area in geography.areas_of_level(store, "ward")}
    if partnership is None or "Bournville" not in wards:
        return None
    record, _ = ProblemSolving.objects.get_or_create(
        partnership=partnership,
        title=DEMO_TITLE,
        defaults={
            "stage": ProblemSolving.Stage.ASSESSMENT,
            "source": "street-crime",
            "kind": "Anti-social behaviour",
            "area_code": wards["Bournville"],
            "compare_with": ProblemSolving.CompareWith.REST_OF_AREA,
            "comparison_area": "SYN-D02",
            "owner": Agency.objects.filter(name__icontains="police").first()
            or Agency.objects.first(),
            "group": Group.objects.filter(
                partnership=partnership, slug="asb-safer-communities"
            ).first(),
            "scanning": "SYNTHETIC: repeated calls about young people gathering "
            "by the shops in the evenings.",
            "analysis": "SYNTHETIC: most incidents between 4 and 9 pm on "
            "weekdays; little for young people to do nearby.",
            "response": "SYNTHETIC: youth outreach, a diversionary football "
            "session and a dispersal of the late-night gathering point.",
            "response_starts": "2014-04",
            "assessment_months": 12,
        },
    )
    return record
