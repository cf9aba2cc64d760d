"""Pure functions that turn real hourly shapes into profiles with sourced annual means."""

from __future__ import annotations

import numpy as np
import pandas as pd

PRICE_RESIDUAL_ELASTICITY = 0.8
"""Relative change of the hourly price per relative change of residual load [-].

An estimate: day-ahead prices in merit-order markets rise with residual load
(demand minus wind and solar). 0.8 reproduces a typical 2019 continental hourly
price coefficient of variation of ~0.25-0.35 from residual-load variability.
"""


def scale_to_mean(shape: np.ndarray, target_mean: float, cap: float = 1.0,
                  tol: float = 1e-9) -> np.ndarray:
    """Scale a non-negative shape so that ``mean(min(a*shape, cap)) == target_mean``.

    Parameters
    ----------
    shape : array of float
        Non-negative hourly shape (e.g. national wind output [MW]).
    target_mean : float
        Wanted mean after scaling and capping (e.g. a capacity factor [-]).
    cap : float
        Upper bound of every value (1.0 for a capacity factor).

    Returns
    -------
    array of float
        Scaled and capped values with the target mean (to ``tol``).

    Notes
    -----
    The factor ``a`` is found by bisection: the capped mean is monotone in ``a``.
    """
    shape = np.asarray(shape, dtype=float)
    if np.any(shape < 0) or not np.all(np.isfinite(shape)):
        raise ValueError("shape must be finite and non-negative")
    if not 0 < target_mean < cap * np.mean(shape > 0):
        raise ValueError(f"target mean {target_mean} unreachable below cap {cap}")
    lo, hi = 0.0, target_mean / max(shape.mean(), 1e-300)
    while np.minimum(hi * shape, cap).mean() < target_mean:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if np.minimum(mid * shape, cap).mean() < target_mean:
            lo = mid
        else:
            hi = mid
        if hi - lo < tol * hi:
            break
    return np.minimum(hi * shape, cap)


def mix_carbon_intensity(generation_mw: pd.DataFrame, factors_g_per_kwh: pd.Series) -> pd.Series:
    """Hourly carbon intensity of a generation mix [gCO2/kWh].

    ``sum_k gen_k * ef_k / sum_k gen_k`` over production types ``k``.

    Raises
    ------
    KeyError
        If a production type has no emission factor (never a silent zero).
    ValueError
        If an hour has no generation at all (the intensity is undefined).
    """
    missing = sorted(set(generation_mw.columns) - set(factors_g_per_kwh.index))
    if missing:
        raise KeyError(f"no emission factor for production type(s): {', '.join(missing)}")
    ef = factors_g_per_kwh.reindex(generation_mw.columns).to_numpy()
    gen = generation_mw.fillna(0.0).to_numpy()
    total = gen.sum(axis=1)
    if np.any(total <= 0):
        raise ValueError(f"{int(np.sum(total <= 0))} hours without any generation")
    return pd.Series(gen @ ef / total, index=generation_mw.index)


def rescale_weighted_mean(values: np.ndarray, weights: np.ndarray, target: float) -> np.ndarray:
    """Multiply ``values`` so that their ``weights``-weighted mean equals ``target``."""
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    current = np.sum(values * weights) / np.sum(weights)
    return values * (target / current)


def price_from_residual_load(total_mw: np.ndarray, wind_mw: np.ndarray, solar_mw: np.ndarray,
                             mean_price: float,
                             elasticity: float = PRICE_RESIDUAL_ELASTICITY) -> np.ndarray:
    """Hourly price [EUR/MWh] shaped by residual load, with a given annual mean.

    ``p_h = P * (1 + e * (r_h / mean(r) - 1))``, floored at 0 and rescaled to mean ``P``,
    where ``r = total - wind - solar`` is the residual load [MW] and ``e`` the
    elasticity (an estimate, see :data:`PRICE_RESIDUAL_ELASTICITY`).
    """
    residual = np.asarray(total_mw, float) - np.asarray(wind_mw, float) - np.asarray(solar_mw, float)
    relative = residual / residual.mean()
    price = np.maximum(mean_price * (1.0 + elasticity * (relative - 1.0)), 0.0)
    return price * (mean_price / price.mean())


def daily_index(hourly: pd.Series) -> pd.Series:
    """Daily sums of an hourly series, broadcast back to its hours."""
    days = hourly.index.floor("D")
    return hourly.groupby(days).transform("sum")
