"""Risk-aware planning: the least-cost plan whose every due date holds with probability P.

>>> from surge.robust import Settings, search  # doctest: +SKIP
>>> result = search(scenario, Settings(target=0.9))  # doctest: +SKIP
>>> result.reached, result.chosen.cost  # doctest: +SKIP

See docs/robust.md: buffers (:mod:`surge.robust.buffers`), the search alternating planning
and simulation (:mod:`surge.robust.search`), the frontier of cost against certainty
(:mod:`surge.robust.frontier`) and parallel evaluation (:mod:`surge.robust.parallel`).
"""

from surge.robust.buffers import Buffers, apply, to_original
from surge.robust.search import Candidate, Result, Settings, search

__all__ = ["Buffers", "Candidate", "Result", "Settings", "apply", "search", "to_original"]
