"""The plan format and its independent verifier."""

from surge.plan.model import Plan

__all__ = ["Plan"]
