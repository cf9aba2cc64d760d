"""Annualisation of capital costs."""

from __future__ import annotations


def capital_recovery_factor(rate: float, years: float) -> float:
    """Capital recovery factor [1/yr]: ``r (1+r)^n / ((1+r)^n - 1)``; ``1/n`` at ``r = 0``.

    The annuity that repays one unit of capital over ``years`` at ``rate``.
    At 7 % over 5 years: 0.2439; over 20 years: 0.0944.

    References
    ----------
    Short, W., Packey, D. J., Holt, T. (1995). A manual for the economic evaluation of
    energy efficiency and renewable energy technologies. NREL/TP-462-5173, eq. 4-4.
    """
    if years <= 0:
        raise ValueError("lifetime must be positive")
    if rate == 0:
        return 1.0 / years
    growth = (1.0 + rate) ** years
    return rate * growth / (growth - 1.0)


LIFETIME_KEYS = {
    "pv_utility": "pv_lifetime_years", "wind_onshore": "wind_lifetime_years",
    "battery_power": "battery_lifetime_years", "battery_energy": "battery_lifetime_years",
    "grid_connection": "grid_connection_lifetime_years",
    "backup_gas_engine": "backup_lifetime_years", "backup_diesel": "backup_lifetime_years",
    "gas_turbine": "gas_turbine_lifetime_years", "heat_pump": "heat_pump_lifetime_years",
    "datacentre_building": "building_lifetime_years",
}
"""The finance parameter holding each energy technology's economic lifetime [years].

energy.csv keeps the technical lifetime its source publishes; costs are annualised with
these (scenario-overridable) economic lifetimes."""


def economic_lifetime_years(tech: str, finance: dict[str, float]) -> float:
    """Economic lifetime of an energy technology [years], from the finance parameters."""
    return float(finance[LIFETIME_KEYS[tech]])


ITEM_LIFETIMES = {
    "compute_nodes": "gpu_lifetime_years", "building": "building_lifetime_years",
    "cooling": "cooling_lifetime_years", "grid_upgrade": "grid_connection_lifetime_years",
    "onsite_pv": "pv_lifetime_years", "onsite_wind": "wind_lifetime_years",
    "battery": "battery_lifetime_years", "backup": "backup_lifetime_years",
    "gas_turbine": "gas_turbine_lifetime_years", "heat_pump": "heat_pump_lifetime_years",
}
"""Cost item of the plan -> the finance parameter of its asset's economic lifetime."""


def annuity_factors(finance: dict[str, float]) -> dict[str, float]:
    """Capital recovery factor of each cost item's capex [1/yr].

    Compute nodes mix servers (GPU lifetime) and their network and storage share
    (network lifetime): ``(CRF_gpu + f x CRF_network) / (1 + f)`` per EUR of capex.
    """
    rate = finance["discount_rate"]
    out = {item: capital_recovery_factor(rate, finance[key]) for item, key in ITEM_LIFETIMES.items()}
    net = finance["network_storage_capex_frac"]
    out["compute_nodes"] = (out["compute_nodes"] + net * capital_recovery_factor(
        rate, finance["network_lifetime_years"])) / (1.0 + net)
    return out


def operating_split(costs, finance: dict[str, float]):
    """The cost table with each annual cost split into its capital annuity and the rest.

    Adds ``annualised_capex_eur_per_year`` (capex x CRF of the item) and
    ``operating_eur_per_year`` (O&M, staff, energy, fuel, carbon, heat revenue: the
    annual cost minus that annuity).
    """
    factors = annuity_factors(finance)
    out = costs.copy()
    out["annualised_capex_eur_per_year"] = out["capex_eur"] * out["item"].map(factors).fillna(0.0)
    out["operating_eur_per_year"] = out["eur_per_year"] - out["annualised_capex_eur_per_year"]
    return out


def spend_over_years_eur(costs, finance: dict[str, float], years: float) -> float:
    """Capex plus ``years`` of operating cost, undiscounted [EUR] (a budget's view)."""
    split = operating_split(costs, finance)
    return float(split["capex_eur"].sum() + years * split["operating_eur_per_year"].sum())
