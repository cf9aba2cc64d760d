"""Numbers a policy study varies without changing the model's structure.

Each lever is a mutable Pyomo ``Param``, so a model built once can be re-solved for
another carbon price, price factor, renewable share, carbon cap or budget: the
persistent HiGHS interface then updates only the changed coefficients and bounds
instead of rebuilding the model. A lever exists only where its constraint does
(a renewable share, cap or budget of ``None`` adds neither the constraint nor the
lever), so models with different constraint sets are different structures.
"""

from __future__ import annotations

import pyomo.environ as pyo

from models.inputs import InputError, ModelInputs

ALWAYS = ("carbon_price_eur_per_t", "grid_price_factor", "accelerator_price_factor")
OPTIONAL = ("renewable_share_frac", "carbon_cap_t_per_year", "budget_eur", "min_member_states",
            "max_country_share_frac")
SITE_LEVERS = (
    "grid_mw_now", "grid_upgrade_eur_per_mw_year", "grid_upgrade_capex_eur_per_mw",
    "building_eur_per_mw_year", "building_capex_eur_per_mw", "site_fixed_eur_per_year",
    "land_ha", "dh_offtake_mw", "dh_price_eur_per_mwh", "ppa_solar_eur_per_mwh",
    "ppa_wind_eur_per_mwh",
)
"""Site figures that are mutable ``Param``s indexed by site (``m.site_<column>``), so a
robustness study can re-solve the built model for other values of the estimated inputs
(building cost, labour, grid connection, heat price, land, PPA prices)."""


def lever_values(inp: ModelInputs) -> dict[str, float]:
    """The lever values of ``inp`` (optional ones only when their constraint exists)."""
    pol = inp.policy
    values = {"carbon_price_eur_per_t": pol.carbon_price_eur_per_t,
              "grid_price_factor": inp.price_factors.grid,
              "accelerator_price_factor": inp.price_factors.accelerator}
    for name in OPTIONAL:
        value = getattr(pol, name)
        if value is not None and (value or name != "min_member_states"):
            values[name] = value
    return {k: float(v) for k, v in values.items()}


def add_levers(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    """One mutable scalar ``Param`` per lever, named as in :func:`lever_values`."""
    m.lever_names = tuple(lever_values(inp))
    for name, value in lever_values(inp).items():
        m.add_component(name, pyo.Param(initialize=value, mutable=True, within=pyo.Reals))


def update_levers(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    """Set the model's levers to those of ``inp``, which must have the same structure.

    Raises
    ------
    InputError
        When ``inp`` has a different set of levers (a constraint added or removed).
    """
    values = lever_values(inp)
    if tuple(values) != m.lever_names:
        raise InputError(f"levers {sorted(values)} differ from the model's "
                         f"{sorted(m.lever_names)}: build a new model")
    for name, value in values.items():
        getattr(m, name).set_value(value)


def add_site_levers(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    """One mutable ``Param`` over ``SITES`` per column of :data:`SITE_LEVERS`."""
    sites = inp.sites
    for column in SITE_LEVERS:
        values = sites[column].astype(float).to_dict()
        m.add_component(f"site_{column}", pyo.Param(m.SITES, initialize=values, mutable=True,
                                                    within=pyo.Reals))


def site_bounds(inp: ModelInputs) -> dict[str, dict[str, tuple]]:
    """Bounds that follow from the site figures: variable name -> {site: (lb, ub)}.

    ``grid_upgrade_mw`` within the headroom of the largest connection above today's;
    ``open_site`` fixed when the inputs fix which sites open (:func:`open_bounds`).
    The largest connection ``grid_mw_max`` itself is held: it is the big-M of the node,
    cooling and supply limits (:func:`models.sites.site_capacity_mw`), so changing it
    changes the model's matrix, not only its numbers.
    """
    sites = inp.sites
    now, most = sites["grid_mw_now"].astype(float), sites["grid_mw_max"].astype(float)
    return {"grid_upgrade_mw": {s: (0.0, max(0.0, most[s] - now[s])) for s in sites.index},
            "open_site": open_bounds(inp)}


def open_bounds(inp: ModelInputs) -> dict[str, tuple[int, int]]:
    """``open_site`` bounds: free (0-1), or, with ``open_fixed``, 1 for those sites, else 0."""
    fixed = inp.open_fixed
    if not fixed:
        return {s: (0, 1) for s in inp.sites.index}
    return {s: (1, 1) if s in fixed else (0, 0) for s in inp.sites.index}


def update_site_levers(m: pyo.ConcreteModel, inp: ModelInputs) -> None:
    """Set the site levers and connection bounds of ``m`` to the figures of ``inp``.

    Raises
    ------
    InputError
        When ``inp`` has other sites than the model.
    """
    sites = inp.sites
    if list(sites.index) != list(m.SITES):
        raise InputError(f"sites {list(sites.index)} differ from the model's "
                         f"{list(m.SITES)}: build a new model")
    for column in SITE_LEVERS:
        param = getattr(m, f"site_{column}")
        for s, value in sites[column].astype(float).items():
            param[s].set_value(float(value))
    for name, bounds in site_bounds(inp).items():
        var = getattr(m, name)
        for s, (lb, ub) in bounds.items():
            var[s].setlb(lb)
            var[s].setub(ub)
