"""The HTML report of a plan: KPIs, charts and plug-in sections, in one offline file."""

from surge.report.data import kpis
from surge.report.html import Section, build_report, write_report

__all__ = ["Section", "build_report", "kpis", "write_report"]
