"""Batch policy studies: one base scenario under many variations, resumable.

::

    from planner import study
    run = study.run_study("scenarios/studies/carbon-price.yaml", "out/carbon-price")
    frame = study.load("out/carbon-price")     # one row a variant: values, KPIs, status
"""

from planner.study.definition import StudyPlan, load_study
from planner.study.design import Variant, expand, set_path
from planner.study.runner import Progress, StudyRun, run_study
from planner.study.spec import Study
from planner.study.store import load

__all__ = ["Progress", "Study", "StudyPlan", "StudyRun", "Variant", "expand", "load",
           "load_study", "run_study", "set_path"]
