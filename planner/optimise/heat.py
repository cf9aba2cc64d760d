"""Heat reuse: district-heating demand from the weather, and heat-pump COP from temperatures.

Pure functions of arrays; the optimiser caps the heat a site sells every hour at the
network's demand in that hour and charges the electricity of any heat pump needed to
lift the recovered heat to the network's supply temperature.
"""

from __future__ import annotations

import numpy as np

HOURS_PER_DAY = 24
KELVIN = 273.15


def heating_degree_days(daily_mean_c: np.ndarray, base_c: float = 18.0,
                        threshold_c: float = 15.0) -> np.ndarray:
    """Heating degree days [K·day] of each day, Eurostat's rule.

    ``HDD = base - T_mean`` on days whose mean temperature is below ``threshold``,
    else 0.

    Parameters
    ----------
    daily_mean_c : daily mean air temperature [°C].
    base_c : base temperature [°C] (Eurostat: 18).
    threshold_c : heating threshold [°C] (Eurostat: 15).

    References
    ----------
    Eurostat, heating degree days (nrg_chdd_a), method; EEA indicator CLIM 047 (2012).
    """
    t = np.asarray(daily_mean_c, dtype=float)
    return np.where(t < threshold_c, base_c - t, 0.0)


def dh_demand_frac(temp_c: np.ndarray, hot_water_share: float, base_c: float = 18.0,
                   threshold_c: float = 15.0) -> np.ndarray:
    """Hourly district-heating demand as a fraction of its peak hour [0-1].

    Demand = a flat domestic-hot-water part (``hot_water_share`` of the annual heat)
    plus space heat in proportion to each day's heating degree days, spread evenly
    over the day's hours; the result is divided by its largest hour.

    Parameters
    ----------
    temp_c : hourly air temperature of whole days [°C], length a multiple of 24.
    hot_water_share : share of annual heat that is hot water [-] (Eurostat 2023: 0.195).
    base_c, threshold_c : see :func:`heating_degree_days`.
    """
    t = np.asarray(temp_c, dtype=float)
    days = t.reshape(-1, HOURS_PER_DAY)
    hdd = heating_degree_days(days.mean(axis=1), base_c, threshold_c)
    hours = t.size
    if hdd.sum() <= 0:
        return np.ones(hours)
    space = np.repeat(hdd / hdd.sum(), HOURS_PER_DAY) / HOURS_PER_DAY  # sums to 1
    demand = hot_water_share / hours + (1.0 - hot_water_share) * space
    return demand / demand.max()


def log_mean_k(hot_c: float, cold_c: float) -> float:
    """Log-mean temperature [K] of a stream between two temperatures [°C]."""
    hot, cold = hot_c + KELVIN, cold_c + KELVIN
    if abs(hot - cold) < 1e-9:
        return hot
    return (hot - cold) / np.log(hot / cold)


def heat_pump_cop(source_hot_c: float, source_cooling_k: float, sink_return_c: float,
                  sink_supply_c: float, lorenz_efficiency: float) -> float:
    """Coefficient of performance [-] of a heat pump lifting recovered heat to a network.

    ``COP = eta * T_lm,sink / (T_lm,sink - T_lm,source)`` with log-mean temperatures of
    the source (cooled from ``source_hot_c`` by ``source_cooling_k``) and of the sink
    (heated from the network's return to its supply temperature). Heat at or above
    the supply temperature needs no heat pump: ``inf``.

    Parameters
    ----------
    source_hot_c : temperature of the recovered heat [°C] (cooling.csv heat_supply_temp_c).
    source_cooling_k : how far the heat pump cools the source [K].
    sink_return_c, sink_supply_c : the network's return and supply temperatures [°C].
    lorenz_efficiency : achieved fraction of the Lorenz COP [-] (0.505 fits the DEA
        excess-heat heat pump: COP 5.1 from 25 -> 15 °C to 35 -> 70 °C).

    References
    ----------
    Danish Energy Agency, Technology Data for Generation of Electricity and District
    Heating (large heat pumps). Jensen, J. K. et al. (2018). Heat pump COP, part 2:
    generalized COP estimation of heat pump processes. Proc. 13th IIR Gustav Lorentzen
    Conference.
    """
    if source_hot_c >= sink_supply_c:
        return float("inf")
    sink = log_mean_k(sink_supply_c, sink_return_c)
    source = log_mean_k(source_hot_c, source_hot_c - source_cooling_k)
    if source >= sink:
        return float("inf")
    return float(lorenz_efficiency * sink / (sink - source))
