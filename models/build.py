"""``build()``: compose the subsystem modules into one Pyomo model."""

from __future__ import annotations

import pyomo.environ as pyo

from models._shared import init_shared
from models.cooling import add_cooling
from models.cost import add_objective
from models.energy import add_energy, add_land
from models.fleet import add_fleet, elastic_demand_mw
from models.inputs import ModelInputs, validate
from models.levers import add_levers, add_site_levers
from models.sites import add_site_capacity, add_sites
from models.workloads import add_workloads


def build(inp: ModelInputs) -> pyo.ConcreteModel:
    """The optimisation model for ``inp`` (validated first).

    Each subsystem adds its own sets, variables and constraints and registers its
    annual cost terms; the objective sums them.
    """
    validate(inp)
    m = pyo.ConcreteModel(name="gigaplan")
    init_shared(m, elastic=inp.elastic)
    m.elastic_demand_mw = elastic_demand_mw(inp) if inp.elastic else 0.0
    add_levers(m, inp)
    add_sites(m, inp)
    add_site_levers(m, inp)
    add_fleet(m, inp)
    add_workloads(m, inp)
    add_site_capacity(m, inp)
    add_cooling(m, inp)
    add_energy(m, inp)
    add_land(m, inp)
    add_objective(m, inp)
    return m
