"""The capacity survey: workbooks out to industry, back into a scenario (docs/survey.md).

>>> from surge.survey import make_template, read_workbook, merge  # doctest: +SKIP
"""

from surge.survey.merge import merge
from surge.survey.read import Cell, Submission, SurveyProblem, read_workbook
from surge.survey.template import make_template

__all__ = ["Cell", "Submission", "SurveyProblem", "make_template", "merge", "read_workbook"]
