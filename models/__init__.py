"""Pyomo formulations of gigaplan's optimisation model, one module per subsystem.

This package depends only on pyomo and pandas and on its own input contract; it
never imports :mod:`planner`. The formulation itself is tracked in the optimiser
issue; the package exists now so the layout of DESIGN.md holds.
"""
