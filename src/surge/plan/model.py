"""The plan format, version 1 (see docs/plan.md): the planner's answer, checkable alone.

>>> p = Plan(scenario="demo", status="infeasible", message="budget too small")
>>> p.to_dict()["costs"] is None
True
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    import pandas as pd

TOL = 1e-6  # the plan format's tolerance: relative to max(1, size) of what is compared
EPS_QUANTITY = TOL  # quantities below this are left out of a plan file

Status = Literal["optimal", "feasible", "infeasible", "error"]


class _Row(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, allow_inf_nan=False)


class Activation(_Row):
    line: str
    option: str
    start_week: int
    ready_week: int


class Production(_Row):
    operation: str
    line: str
    week: int
    quantity: float


class Purchase(_Row):
    supplier: str
    item: str
    site: str
    week: int
    arrival_week: int
    quantity: float


class Shipment(_Row):
    item: str
    from_: str = Field(alias="from")
    to: str
    week: int
    arrival_week: int
    quantity: float


class Delivery(_Row):
    demand: str
    week: int
    quantity: float


class Costs(_Row):
    activation: float
    operating: float
    purchase: float
    transport: float
    total: float


class PlanObjective(_Row):
    mode: Literal["service-then-cost", "weighted"] = "service-then-cost"
    service: float | None = None
    cost: float | None = None
    service_bound: float | None = None
    cost_bound: float | None = None


_SORT_KEYS: dict[str, tuple[str, ...]] = {
    "activations": ("line", "option", "start_week", "ready_week"),
    "production": ("operation", "line", "week"),
    "purchases": ("supplier", "item", "site", "week", "arrival_week"),
    "shipments": ("item", "from_", "to", "week", "arrival_week"),
    "deliveries": ("demand", "week"),
}


class Plan(BaseModel):
    """A plan (format v1). Extra keys (``kpis``, ``solver``...) are kept as they are."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, allow_inf_nan=False)

    surge_plan: Literal[1] = 1
    scenario: str
    status: Status
    message: str = ""
    objective: PlanObjective = Field(default_factory=PlanObjective)
    activations: list[Activation] = Field(default_factory=list)
    production: list[Production] = Field(default_factory=list)
    purchases: list[Purchase] = Field(default_factory=list)
    shipments: list[Shipment] = Field(default_factory=list)
    deliveries: list[Delivery] = Field(default_factory=list)
    costs: Costs | None = None

    @property
    def has_plan(self) -> bool:
        return self.status in ("optimal", "feasible")

    def normalized(self) -> Plan:
        """A copy with rows sorted and quantities below 1e-6 left out."""
        data = {}
        for key, sort_key in _SORT_KEYS.items():
            rows = [r for r in getattr(self, key) if getattr(r, "quantity", 1.0) >= EPS_QUANTITY]
            data[key] = sorted(rows, key=lambda r: tuple(getattr(r, k) for k in sort_key))
        return self.model_copy(update=data)

    def to_dict(self) -> dict[str, Any]:
        return self.normalized().model_dump(mode="json", by_alias=True)

    def to_json(self, path: str | Path | None = None) -> str:
        """The plan as JSON text; written atomically to ``path`` when given."""
        text = json.dumps(self.to_dict(), indent=1, allow_nan=False)
        if path is not None:
            from surge.fileio import write_text

            write_text(path, text + "\n")
        return text

    @classmethod
    def read(cls, path: str | Path) -> Plan:
        """Read a plan file strictly (:mod:`surge.plan.reader`); a file that is not a plan
        gives a :class:`PlanFileError`."""
        from surge.plan.reader import read_plan

        return read_plan(path)

    @classmethod
    def from_dict(cls, data: Any, label: str = "plan") -> Plan:
        """A plan from data built in Python (lax types: ``surge_plan`` may be left out);
        files are read with the strict rules of :meth:`read`."""
        from surge.plan.reader import plan_from_data

        return plan_from_data(data, label, strict=False)

    # --- tables for notebooks ------------------------------------------------------------

    def frame(self, kind: str) -> pd.DataFrame:
        """One list of the plan as a table: ``plan.frame("production")``."""
        import pandas as pd  # pandas takes ~0.5 s to import: only when a table is asked for

        if kind not in _SORT_KEYS:
            raise KeyError(f"unknown plan table '{kind}', expected one of {list(_SORT_KEYS)}")
        columns = [k if k != "from_" else "from" for k in _SORT_KEYS[kind]]
        rows = [r.model_dump(by_alias=True) for r in getattr(self, kind)]
        extra = [] if kind == "activations" else ["quantity"]
        return pd.DataFrame(rows, columns=columns + extra) if not rows else pd.DataFrame(rows)

    def production_frame(self) -> pd.DataFrame:
        return self.frame("production")

    def purchases_frame(self) -> pd.DataFrame:
        return self.frame("purchases")

    def shipments_frame(self) -> pd.DataFrame:
        return self.frame("shipments")

    def deliveries_frame(self) -> pd.DataFrame:
        return self.frame("deliveries")

    def activations_frame(self) -> pd.DataFrame:
        return self.frame("activations")


def is_close(a: float, b: float, rel: float = TOL, abs_: float = TOL) -> bool:
    """The plan format's tolerance: 1e-6 relative, 1e-6 absolute near zero."""
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)
