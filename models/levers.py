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
OPTIONAL = ("renewable_share_frac", "carbon_cap_t_per_year", "budget_eur")


def lever_values(inp: ModelInputs) -> dict[str, float]:
    """The lever values of ``inp`` (optional ones only when their constraint exists)."""
    pol = inp.policy
    values = {"carbon_price_eur_per_t": pol.carbon_price_eur_per_t,
              "grid_price_factor": inp.price_factors.grid,
              "accelerator_price_factor": inp.price_factors.accelerator}
    for name in OPTIONAL:
        value = getattr(pol, name)
        if value is not None:
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
