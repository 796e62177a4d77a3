"""The pages' navigation: the one list a new page adds itself to.

A programme page and a plan page show tabs taken from :data:`PROGRAMME_TABS` and
:data:`PLAN_TABS`, filtered by the user's role and by whether the page applies (a plan tab
can ask for a finished plan). A new page adds its router in
:func:`surge.service.ui.install` and one :class:`Tab` here, as the surveys and plan versus
actual pages (:mod:`surge.service.ui.state_pages`) do::

    PROGRAMME_TABS.append(Tab("Surveys", "/programmes/{pid}/surveys",
                              ("agency", "manufacturer")))
    PLAN_TABS.append(Tab("Plan vs actual", "/plans/{plan}/actual", ALL, needs_done=True))
"""

from __future__ import annotations

from dataclasses import dataclass

ALL = ("agency", "analyst", "manufacturer")
STAFF = ("agency", "analyst")


@dataclass(frozen=True)
class Tab:
    """A link in a page's tab bar: ``path`` is formatted with ``pid`` and ``plan``."""

    label: str
    path: str
    roles: tuple[str, ...] = ALL
    needs_done: bool = False  # plan tabs only: shown once the plan job is done


PROGRAMME_TABS: list[Tab] = [
    Tab("Overview", "/programmes/{pid}"),
    Tab("Compare plans", "/programmes/{pid}/compare", STAFF),
    Tab("Surveys", "/programmes/{pid}/surveys"),
]

PLAN_TABS: list[Tab] = [
    Tab("Plan", "/plans/{plan}", STAFF),
    Tab("Risk", "/plans/{plan}/risk", STAFF, needs_done=True),
    Tab("My part", "/plans/{plan}/mine", ("manufacturer",), needs_done=True),
    Tab("Parts by organisation", "/plans/{plan}/parts", STAFF, needs_done=True),
    Tab("Plan vs actual", "/plans/{plan}/actual", ALL, needs_done=True),
]


def tabs(which: list[Tab], role: str, *, pid: int, plan: int | None = None,
         done: bool = True) -> list[tuple[str, str]]:
    """``(label, href)`` of the tabs ``role`` may open."""
    return [(t.label, t.path.format(pid=pid, plan=plan)) for t in which
            if role in t.roles and (done or not t.needs_done)]
