"""Explaining a plan: bottlenecks and their marginal value, shortfalls, what-ifs, comparison."""
