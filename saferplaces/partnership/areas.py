"""The areas a plan names (the partnership's own, an action's target areas,
an evaluation's areas), checked against the geography loaded wherever they
are typed: in a plan file or a form. An area's name is taken for its code
when exactly one area has it."""

from __future__ import annotations

from saferplaces.analytics import geography
from saferplaces.analytics.refusals import Refused
from saferplaces.analytics.store import Store
from saferplaces.codes import AREA_CODE_RULE, is_area_code
from saferplaces.lib.store import web_store


def checked_area(typed: str, store: Store | None = None) -> str:
    """The code of the area ``typed`` names; ``Refused``, saying why and
    what is nearest, when the geography holds no such area.

    Before any geography is loaded there is nothing to check against (the
    demo's plan is imported so, and a partnership may write its plan first):
    a code is then taken as typed if it looks like one."""
    store = store or web_store()
    if "geography" in store.tables():
        return geography.area_named(store, typed)
    code = typed.strip()
    if not is_area_code(code):
        raise Refused(f"{AREA_CODE_RULE} No geography is loaded to look up a name.")
    return code
