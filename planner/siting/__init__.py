"""Siting a board can defend: why each site won, and the near-optimal alternatives.

- :mod:`planner.siting.why`: the levelised cost of 1 MW of IT at every candidate site,
  split into its parts, and the cost of each binding policy (re-solves);
- :mod:`planner.siting.alternatives`: plans within a cost slack of the optimum that put
  the capacity in other member states (modelling to generate alternatives).

Robustness to the estimated inputs is a study type (:mod:`planner.study.robustness`).
"""
