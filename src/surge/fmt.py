"""Numbers written for people: the one place for how Surge prints amounts.

>>> amount(3100.4), amount(2.50), amount(0.0143), amount(1e-9)
('3,100', '2.5', '0.014', '0')
>>> signed(-2.5), num(16796022.2), num(12.5), pct(1, 8)
('-2.5', '16,796,022', '12.5', '12.5%')
>>> money(17_050_000), money(126_000), money(950)
('17.05 M', '126 k', '950')
>>> shown(2.2737367544323206e-13), shown(0.25)
(0.0, 0.25)
"""

from __future__ import annotations

import math
from typing import Any

RESIDUAL = 5e-7
"""Below this, an amount in a summary ([units], [unit-weeks], [currency]) is a solver's
floating-point residual, not a quantity: summaries show and count it as 0 (half the plan
format's 1e-6 tolerance, so that anything a check could see as non-zero still shows).
Verifier messages (:func:`num`) keep every digit: there the residual is the point."""


def shown(x: float) -> float:
    """``x`` as a summary shows it: 0.0 when it is a residual (below :data:`RESIDUAL`)."""
    return 0.0 if abs(x) < RESIDUAL else x


def amount(x: float) -> str:
    """``3,100``, ``2.5``, ``0.014``: as few digits as the size needs."""
    ax = abs(x)
    if ax < RESIDUAL:
        return "0"
    if ax >= 100:
        return f"{x:,.0f}"
    if ax >= 1:
        return f"{x:,.1f}".rstrip("0").rstrip(".")
    return f"{x:.2g}"


def signed(x: float) -> str:
    """An :func:`amount` with its sign, ``+3`` or ``-2.5``."""
    return ("-" if x < 0 else "+") + amount(abs(x))


def num(x: float) -> str:
    """A number in a verifier message: ``16,796,022``, ``12.5``, ``1.5e-07``."""
    if x is None or not math.isfinite(x):
        return str(x)
    if x != 0 and abs(x) < 1e-3:
        return f"{x:.3g}"
    if abs(x) >= 1e15:
        return f"{x:.6g}"
    return f"{x:,.0f}" if abs(x) >= 1e5 else f"{x:,.6g}"


def pct(part: float, whole: float) -> str:
    """``part`` as a percentage of ``whole`` (``"all"`` when ``whole`` is 0)."""
    return f"{num(100 * part / whole)}%" if whole else "all"


def money(x: Any) -> str:
    """Compact amounts for cards: 17.05 M, 126 k, 950 (the tables give exact sums)."""
    if x is None:
        return "—"
    v = float(x)
    for size, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= size:
            return f"{v / size:,.{2 if abs(v) < 100 * size else 0}f} {unit}".replace(".00 ", " ")
    return f"{v:,.0f}"
