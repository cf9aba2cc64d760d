"""Explain an infeasible scenario in the user's terms, from an elastic re-solve."""

from __future__ import annotations

import pyomo.environ as pyo

from models import ModelInputs

TOLERANCE = 1e-6


def explain(m: pyo.ConcreteModel, inp: ModelInputs) -> list[str]:
    """One sentence per requirement the elastic model had to relax, largest first."""
    reasons: list[tuple[float, str]] = []
    for name, (var, unit, _) in m.slacks.items():
        items = [(k, pyo.value(var[k])) for k in var] if var.is_indexed() else [(None, pyo.value(var))]
        for key, value in items:
            if value is None or value <= TOLERANCE:
                continue
            reasons.append((value, _sentence(name, key, value, unit, inp)))
    if not reasons:
        return ["the scenario is infeasible, but no single requirement explains it"]
    return [text for _, text in sorted(reasons, key=lambda r: -r[0])]


def _sentence(name: str, key, value: float, unit: str, inp: ModelInputs) -> str:
    if name == "training_unplaced":
        options = inp.training["nodes"].xs(key, level="run")
        it_mw = {g: n * inp.accelerators.at[g, "node_it_kw"] / 1e3 for g, n in options.items()}
        best = min(it_mw, key=it_mw.get)
        pue = float(inp.pue.min())
        return (f"training run '{key}' fits on no allowed site: it needs at least "
                f"{options[best]:,.0f} nodes of {best} on one site ({it_mw[best]:,.1f} MW IT, "
                f"{it_mw[best] * pue:,.1f} MW at PUE {pue:.2f}); the largest allowed site can "
                f"connect {inp.sites['grid_mw_max'].max():,.1f} MW")
    if name == "inference_short":
        return (f"inference demand '{key}' is short by {value:,.0f} output tokens/s of "
                f"{inp.inference_demand[key]:,.0f}")
    if name == "hpc_short":
        return f"HPC demand '{key}' is short by {value:,.2f} PFLOP/s of {inp.hpc_demand[key]:,.2f}"
    if name == "grid_excess":
        return (f"the grid is short at site '{key}': it would need {value:,.1f} MW more "
                f"connection than its maximum of {inp.sites.at[key, 'grid_mw_max']:,.1f} MW "
                "to supply the load placed there")
    if name == "member_states":
        return (f"at least {inp.policy.min_member_states} member states are required; "
                f"{value:,.0f} more would be needed among the allowed sites")
    if name == "renewable_short":
        return (f"the renewable share of {inp.policy.renewable_share_frac:.0%} is missed by "
                f"{value:,.0f} MWh/yr with the allowed PPAs, on-site supply and connections")
    if name == "carbon_excess":
        return (f"the carbon cap of {inp.policy.carbon_cap_t_per_year:,.0f} t/yr is exceeded by "
                f"{value:,.0f} t/yr")
    if name == "budget_excess":
        return f"the capex budget of {inp.policy.budget_eur:,.0f} EUR is exceeded by {value:,.0f} EUR"
    if name == "water_excess":
        return (f"the water limit of {inp.policy.max_water_m3_per_year:,.0f} m3/yr is exceeded by "
                f"{value:,.0f} m3/yr")
    return f"{name} relaxed by {value:,.3g} {unit}"
