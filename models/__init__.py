"""Pyomo formulations of gigaplan's optimisation model, one module per subsystem.

``build(inputs)`` composes ``sites``, ``fleet``, ``workloads``, ``cooling``, ``energy``
and ``cost`` (with the study ``levers`` as mutable parameters) from a
:class:`~models.inputs.ModelInputs`. This package depends only on pyomo and pandas and
never imports :mod:`planner`; ``docs/model.md`` states the maths.
"""

from models.build import build
from models.cost import is_lexicographic, minimise_cost_keeping, primary_value
from models.inputs import InputError, ModelInputs, Policy, PriceFactors
from models.levers import lever_values, update_levers

__all__ = ["InputError", "ModelInputs", "Policy", "PriceFactors", "build", "is_lexicographic",
           "lever_values", "minimise_cost_keeping", "primary_value", "update_levers"]
