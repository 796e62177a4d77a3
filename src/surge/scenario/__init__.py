"""The scenario format: pydantic types, loading, consistency checks."""

from surge.scenario.load import load, load_with_problems, read_file, validate
from surge.scenario.model import Scenario

__all__ = ["Scenario", "load", "load_with_problems", "read_file", "validate"]
