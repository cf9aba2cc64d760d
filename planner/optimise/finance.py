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
