"""What-if overlays: moved to :mod:`surge.scenario.overlay` (they are part of the input model).

This module re-exports the public names so that existing imports keep working.
"""

from surge.scenario.overlay import (
    apply,
    load_with_overlays,
    merge,
    merged_document,
    origin,
    parse_scalar,
    plain,
    read_overlay,
    set_value,
    validate_merged,
)

__all__ = [
    "apply",
    "load_with_overlays",
    "merge",
    "merged_document",
    "origin",
    "parse_scalar",
    "plain",
    "read_overlay",
    "set_value",
    "validate_merged",
]
