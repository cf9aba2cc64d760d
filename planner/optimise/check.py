"""Full-year check: replay a plan's design on all 8760 hours and say what breaks.

The representative-day solve decides capacities on a few typical and extreme days. Here
those capacities are fixed (open sites, cooling, nodes and their work, connection, PV,
wind, PPAs, battery, standby, gas turbine, heat pump) and the dispatch is re-optimised
over the real year, hour by hour, as one linear programme (:mod:`planner.optimise.lp`).
Requirements become priced slacks, so the replay always solves and reports by how much
each requirement fails: unmet load, hours the load needs more than the connection,
standby hours over the permit, 24/7 shortfalls (hours, longest gap, MWh), the annual
renewable share and the carbon cap, all as the full year gives them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import highspy
import numpy as np
import pandas as pd

from models import ModelInputs
from planner.optimise.assets import pue
from planner.optimise.hourly import embedded_carbon_eur_per_mwh
from planner.optimise.lp import LinearProgram, WarmStart
from planner.optimise.periods import HOURS_PER_DAY, day_overlap

PENALTY_EUR_PER_MWH = {"unmet": 1e4, "over_connection": 5e3, "backup_excess": 2e3,
                       "match_short": 2e3, "share_short": 2e3}
"""Replay slack prices [EUR/MWh]: unmet load above a connection overrun, above the policies."""
CARBON_EXCESS_EUR_PER_T = 1e3

TOLERANCE_MW = 1e-3
"""An hour fails when a slack exceeds this [MW]."""
SHARE_TOLERANCE = 0.005
"""An annual share may fall this far below its target on the full year and still hold [-]."""
DAYS_PER_ROUND = 4
"""A repair adds at most this many failing days per calendar group (the worst first)."""


@dataclass(frozen=True)
class Design:
    """What a plan builds at each open site (capacities fixed in the replay).

    ``sites``: index ``site``; ``cooling``, ``it_base_mw`` (IT load that does not change),
    ``grid_mw`` (connection now plus upgrade) and the capacities ``pv_mw``, ``wind_mw``,
    ``ppa_solar_mw``, ``ppa_wind_mw``, ``battery_mw``, ``battery_mwh``, ``backup_mw``,
    ``gas_mw``, ``heat_pump_mw``. ``runs``: index (``run``, ``site``); ``it_add_mw`` (the
    run's IT load while its window is open), ``start_day``, ``end_day``.
    """

    sites: pd.DataFrame
    runs: pd.DataFrame


@dataclass
class Replay:
    """The plan's dispatch over the full year and what it says about the plan.

    ``failing_days``: per calendar group, the worst days where an hourly requirement fails
    (a repair adds them as periods). ``corrections``: by how much an annual requirement
    is missed (``renewable_share_frac`` [-], ``carbon_cap_t_per_year`` [t]); a repair
    tightens the representative-day constraint by it.
    """

    sites: pd.DataFrame
    zones: pd.DataFrame
    kpis: dict[str, float]
    failing_days: dict[str, list[int]] = field(default_factory=dict)
    corrections: dict[str, float] = field(default_factory=dict)
    breaks: list[str] = field(default_factory=list)
    hourly: pd.DataFrame = field(default_factory=pd.DataFrame)
    status: str = ""


def _activity(start: float, end: float, hours: int) -> np.ndarray:
    days = hours // HOURS_PER_DAY
    share = day_overlap(np.arange(days), start, end)
    return np.repeat(share, HOURS_PER_DAY)


@dataclass
class _Site:
    name: str
    cols: dict
    facility: np.ndarray
    it: np.ndarray
    pue: np.ndarray
    ppa: np.ndarray
    onsite: np.ndarray
    lift: float
    heat_price: float
    row: pd.Series
    solar: np.ndarray | None = None
    wind: np.ndarray | None = None

    def resolve(self, x: np.ndarray) -> None:
        """Replace capacity columns by their values, and the PPA and on-site output."""
        caps = self.cols["caps"]
        values = {k: (float(x[v][0]) if not isinstance(v, float) else v) for k, v in caps.items()}
        self.cols["caps"] = values
        self.row = self.row.copy()
        for k, v in values.items():
            self.row[k] = v
        self.ppa = self.solar * values["ppa_solar_mw"] + self.wind * values["ppa_wind_mw"]
        self.onsite = self.solar * values["pv_mw"] + self.wind * values["wind_mw"]


ENERGY_CAPACITIES = ("grid_upgrade_mw", "pv_mw", "wind_mw", "ppa_solar_mw", "ppa_wind_mw",
                     "battery_mw", "battery_mwh", "backup_mw", "gas_mw")
"""Capacities the full-year re-optimisation may change (everything else stays as planned)."""


def _capacity(lp: LinearProgram, row: pd.Series, name: str, optimise: bool, upper: float,
              cost: float):
    """A capacity: a column (re-optimised) or the design's fixed value."""
    if not optimise:
        return float(row[name])
    return lp.add_cols(1, 0.0, upper, cost)


def _term(capacity, factor: np.ndarray, n: int):
    """(columns, values, constant) of ``factor x capacity`` over ``n`` hours."""
    if isinstance(capacity, float):
        return [], [], factor * capacity
    return [np.repeat(capacity, n)], [factor], np.zeros(n)


def replay(design: Design, inp: ModelInputs, hourly: pd.DataFrame, cooling_table: pd.DataFrame,
           fin: dict[str, float], threads: int = 1, optimise: bool = False,
           warm: WarmStart | None = None, time_limit_s: float | None = None) -> Replay:
    """Dispatch the fixed design over every hour of the year (see module docstring).

    ``warm``: start from the last replay's basis when the programme has the same matrix
    (a repair that changes only capacities, :class:`planner.optimise.lp.WarmStart`).
    ``time_limit_s``: HiGHS stops there; the replay's ``status`` then is not "Optimal".

    With ``optimise`` the energy capacities (:data:`ENERGY_CAPACITIES`) become decisions
    again, priced as in the optimiser, with the requirements hard: the least-cost energy
    supply of the plan's sites, fleet and cooling that holds on the full year.
    """
    lp = LinearProgram()
    pol, e = inp.policy, inp.energy
    carbon = pol.carbon_price_eur_per_t
    embedded = embedded_carbon_eur_per_mwh(fin)
    eta = e["battery_efficiency_frac"] ** 0.5
    share = pol.renewable_share_frac
    opt = inp.options
    hard = 1e3 if optimise else 1.0  # requirements: slacks priced far above any real cost
    sites: list[_Site] = []
    for site, row in design.sites.iterrows():
        h = hourly[hourly["site"] == site].sort_values("time_utc")
        n = len(h)
        it = np.full(n, float(row["it_base_mw"]))
        for (_, s), run in design.runs.iterrows():
            if s == site:
                it = it + _activity(run["start_day"], run["end_day"], n) * float(run["it_add_mw"])
        k = row["cooling"]
        cool = cooling_table.loc[k]
        site_pue = pue(h["temp_air_c"].to_numpy(), cool["pue_min"], cool["pue_threshold_c"],
                       cool["pue_slope_per_c"])
        facility = site_pue * it
        solar, wind = h["solar_cf_frac"].to_numpy(), h["wind_cf_frac"].to_numpy()
        srow = inp.sites.loc[site]
        most = float(srow["grid_mw_max"])
        now = float(srow["grid_mw_now"])
        caps = {
            "grid_upgrade_mw": _capacity(lp, row, "grid_upgrade_mw", optimise, max(0.0, most - now),
                                         float(srow["grid_upgrade_eur_per_mw_year"])),
            "ppa_solar_mw": _capacity(lp, row, "ppa_solar_mw", optimise,
                                      most if opt["ppa_solar"] else 0.0,
                                      float(srow["ppa_solar_eur_per_mwh"]) * solar.sum()),
            "ppa_wind_mw": _capacity(lp, row, "ppa_wind_mw", optimise,
                                     most if opt["ppa_wind"] else 0.0,
                                     float(srow["ppa_wind_eur_per_mwh"]) * wind.sum()),
            "pv_mw": _capacity(lp, row, "pv_mw", optimise, most if opt["pv"] else 0.0,
                               e["pv_eur_per_mw_year"]),
            "wind_mw": _capacity(lp, row, "wind_mw", optimise, most if opt["wind"] else 0.0,
                                 e["wind_eur_per_mw_year"] + e["wind_vom_eur_per_mwh"] * wind.sum()),
            "battery_mw": _capacity(lp, row, "battery_mw", optimise,
                                    most if opt["battery"] else 0.0,
                                    e["battery_power_eur_per_mw_year"]),
            "battery_mwh": _capacity(lp, row, "battery_mwh", optimise,
                                     highspy.kHighsInf if opt["battery"] else 0.0,
                                     e["battery_energy_eur_per_mwh_year"]),
            "backup_mw": _capacity(lp, row, "backup_mw", optimise, most if opt["backup"] else 0.0,
                                   e["backup_eur_per_mw_year"]),
            "gas_mw": _capacity(lp, row, "gas_mw", optimise, most if opt["gas_turbine"] else 0.0,
                                e["gas_turbine_eur_per_mw_year"]),
        }
        price = np.maximum(h["price_eur_per_mwh"].to_numpy() - embedded, 0.0) \
            * inp.price_factors.grid
        co2 = h["grid_co2_g_per_kwh"].to_numpy() / 1e3
        cop = float(inp.heat_pump_cop.get((site, k), 0.0)) if len(inp.heat_pump_cop) else 0.0
        offtake = float(srow["dh_offtake_mw"])
        usable = offtake > 0 and cop > 0 and (opt["heat_pump"] or np.isinf(cop))
        lift = 0.0 if (not usable or np.isinf(cop)) else 1.0 / cop
        heat_cap = np.zeros(n)
        if usable:
            heat_cap = np.minimum(offtake * h["dh_demand_frac"].to_numpy(),
                                  float(inp.cooling.at[k, "heat_recovery_frac"]) * it
                                  / max(1.0 - lift, 1e-9))
            if lift > 0:
                heat_cap = np.minimum(heat_cap, float(row["heat_pump_mw"]))
        heat_price = float(srow["dh_price_eur_per_mwh"])
        fixed = not optimise
        cols = {
            "grid": lp.add_cols(n, 0.0, highspy.kHighsInf if opt["grid"] else 0.0,
                                price + carbon * co2),
            "charge": lp.add_cols(n, 0.0, caps["battery_mw"] if fixed else highspy.kHighsInf),
            "discharge": lp.add_cols(n, 0.0, caps["battery_mw"] if fixed else highspy.kHighsInf),
            "soc": lp.add_cols(n, 0.0, caps["battery_mwh"] if fixed else highspy.kHighsInf),
            "backup": lp.add_cols(n, 0.0, caps["backup_mw"] if fixed else highspy.kHighsInf,
                                  e["backup_eur_per_mwh"] + carbon * e["backup_co2_t_per_mwh"]),
            "gas": lp.add_cols(n, 0.0, caps["gas_mw"] if fixed else highspy.kHighsInf,
                               e["gas_turbine_eur_per_mwh"]
                               + carbon * e["gas_turbine_co2_t_per_mwh"]),
            "spill": lp.add_cols(n, 0.0, highspy.kHighsInf),
            "heat": lp.add_cols(n, 0.0, heat_cap, -heat_price + (
                e["heat_pump_vom_eur_per_mwh"] if lift > 0 else 0.0)),
            "unmet": lp.add_cols(n, 0.0, highspy.kHighsInf, hard * PENALTY_EUR_PER_MWH["unmet"]),
            "over": lp.add_cols(n, 0.0, highspy.kHighsInf,
                                hard * PENALTY_EUR_PER_MWH["over_connection"]),
            "go": lp.add_cols(1, 0.0, highspy.kHighsInf if opt["guarantees_of_origin"]
                              else 0.0, e["go_eur_per_mwh"]),
            "backup_excess": lp.add_cols(1, 0.0, highspy.kHighsInf,
                                         hard * PENALTY_EUR_PER_MWH["backup_excess"]),
            "price": price, "co2": co2,
        }
        t = np.arange(n)
        c = cols
        extra_cols, extra_vals, renewable = [], [], np.zeros(n)
        ppa_const = np.zeros(n)
        for name, cf in (("ppa_solar_mw", solar), ("ppa_wind_mw", wind), ("pv_mw", solar),
                         ("wind_mw", wind)):
            cc, vv, const = _term(caps[name], cf, n)
            extra_cols += cc
            extra_vals += vv
            renewable = renewable + const
            if name.startswith("ppa"):
                ppa_const = ppa_const + const
        rows = [t] * (8 + len(extra_cols))
        balance = lp.add_rows(np.concatenate(rows), np.concatenate(
            [c["grid"], c["discharge"], c["charge"], c["backup"], c["gas"], c["spill"], c["unmet"],
             c["heat"], *extra_cols]),
            np.concatenate([np.ones(n), np.ones(n), -np.ones(n), np.ones(n), np.ones(n),
                            -np.ones(n), np.ones(n), np.full(n, -lift), *extra_vals]),
            n, facility - renewable, facility - renewable)
        ppa_cols, ppa_vals, _ = [], [], None
        for name, cf in (("ppa_solar_mw", solar), ("ppa_wind_mw", wind)):
            cc, vv, _const = _term(caps[name], cf, n)
            ppa_cols += cc
            ppa_vals += vv
        up_cols, up_vals, up_const = _term(caps["grid_upgrade_mw"], -np.ones(n), n)
        lp.add_rows(np.concatenate([t] * (3 + len(ppa_cols) + len(up_cols))), np.concatenate(
            [c["grid"], c["spill"], c["over"], *ppa_cols, *up_cols]),
            np.concatenate([np.ones(n), -np.ones(n), -np.ones(n), *ppa_vals, *up_vals]), n,
            -highspy.kHighsInf, now - up_const - ppa_const)
        prev = np.roll(c["soc"], 1)
        lp.add_rows(np.tile(t, 4), np.concatenate([c["soc"], prev, c["charge"], c["discharge"]]),
                    np.concatenate([np.ones(n), -np.ones(n), np.full(n, -eta),
                                    np.full(n, 1.0 / eta)]), n, 0.0, 0.0)
        if optimise:
            _add_capacity_rows(lp, c, caps, n, row, srow, inp, design, site)
            lp.add_rows(np.zeros(n + 2, int), np.concatenate(
                [c["backup"], c["backup_excess"], caps["backup_mw"]]),
                np.concatenate([np.ones(n), [-1.0], [-pol.backup_max_hours_per_year]]), 1,
                -highspy.kHighsInf, 0.0)
        else:
            lp.add_rows(np.zeros(n + 1, int), np.concatenate([c["backup"], c["backup_excess"]]),
                        np.concatenate([np.ones(n), [-1.0]]), 1, -highspy.kHighsInf,
                        pol.backup_max_hours_per_year * float(row["backup_mw"]))
        lp.add_rows(np.zeros(n + 1, int), np.concatenate([c["go"], c["grid"]]),
                    np.concatenate([[1.0], -np.ones(n)]), 1, -highspy.kHighsInf, 0.0)
        cols["caps"] = caps
        if fixed:
            _hint_dispatch(lp, cols, balance, facility - renewable, heat_cap, lift,
                           opt["grid"])
        sites.append(_Site(site, cols, facility, it, site_pue, ppa_const, renewable - ppa_const,
                           lift, heat_price, row, solar, wind))
    zone_rows = _add_renewable_rows(lp, sites, inp, share, hard)
    carbon_col = _add_carbon_cap(lp, sites, inp, hard)
    status, x = lp.solve(threads=threads, warm=warm, time_limit_s=time_limit_s,
                         options=None if optimise else _replay_options(inp))
    if optimise:
        for site in sites:
            site.resolve(x)
    return _read(x, status, sites, zone_rows, carbon_col, inp, design, hourly, share)


def _replay_options(inp: ModelInputs) -> dict:
    """HiGHS options for the replay of a fixed design, as measured.

    Presolve removes little from this programme and costs a fifth of its time (flagship
    replay 4.4-4.6 s with, 3.7 s without; the same optimum). With 24/7 hourly matching
    the primal simplex is faster from the hinted dispatch (demo-tiny at 90 %: 3.2-4.3 s
    against 13.4 s, its warm re-solves 1.3-2.0 s against 8.2 s); without it the dual is
    (demo-small 0.5 s against 3.4 s, jupiter 0.07 s against 1.1 s).
    """
    if inp.policy.hourly_matching:
        return {"presolve": "off", "simplex_strategy": 4}
    return {"presolve": "off"}


def _hint_dispatch(lp: LinearProgram, cols: dict, balance: np.ndarray, net_mw: np.ndarray,
                   heat_cap_mw: np.ndarray, lift: float, grid: bool) -> None:
    """Start HiGHS from the merit-order dispatch of each hour (see :meth:`hint_basis`).

    Heat is sold up to its cap where it pays; the rest of the net load (facility less
    renewable output, plus the heat pumps' draw) comes from the grid (unmet where the
    site has none) and a surplus is spilled. Storage, standby and slacks start at zero.
    The simplex then corrects only the hours where a connection or an annual row binds
    (demo-tiny's replay: 8,761 iterations from scratch).
    """
    heat_pays = lp.cost_of(cols["heat"]) < 0.0
    draw = net_mw + lift * np.where(heat_pays, heat_cap_mw, 0.0)
    supply = cols["grid"] if grid else cols["unmet"]
    lp.hint_basis(np.where(draw > 0.0, supply, cols["spill"]), balance,
                  cols["heat"][heat_pays])


def _add_capacity_rows(lp: LinearProgram, c: dict, caps: dict, n: int, row: pd.Series,
                       srow: pd.Series, inp: ModelInputs, design: Design, site: str) -> None:
    """Dispatch within re-optimised capacities, the design peak, standby sizing and land."""
    t = np.arange(n)
    for flow, cap in (("charge", "battery_mw"), ("discharge", "battery_mw"),
                      ("soc", "battery_mwh"), ("backup", "backup_mw"), ("gas", "gas_mw")):
        lp.add_rows(np.tile(t, 2), np.concatenate([c[flow], np.repeat(caps[cap], n)]),
                    np.concatenate([np.ones(n), -np.ones(n)]), n, -highspy.kHighsInf, 0.0)
    now = float(srow["grid_mw_now"])
    peak = float(row["design_peak_mw"])
    if inp.options["grid"]:
        lp.add_rows(np.zeros(2, int), np.concatenate([caps["grid_upgrade_mw"], caps["gas_mw"]]),
                    np.ones(2), 1, peak - now, highspy.kHighsInf)
    pol = inp.policy
    if pol.backup_min_frac_of_peak is not None:
        lp.add_rows(np.zeros(1, int), caps["backup_mw"], np.ones(1), 1,
                    pol.backup_min_frac_of_peak * peak + pol.backup_spare_mw, highspy.kHighsInf)
    e = inp.energy
    free = float(srow["land_ha"]) - e["datacentre_land_ha_per_mw_it"] * float(row["it_capacity_mw"])
    lp.add_rows(np.zeros(2, int), np.concatenate([caps["pv_mw"], caps["wind_mw"]]),
                np.array([e["pv_land_ha_per_mw"], e["wind_land_ha_per_mw"]]), 1,
                -highspy.kHighsInf, max(0.0, free))


def _fossil_terms(site: _Site, n: int):
    c = site.cols
    cols = np.concatenate([c["grid"], c["backup"], c["gas"]])
    return cols, np.ones(3 * n)


def _add_renewable_rows(lp: LinearProgram, sites: list[_Site], inp: ModelInputs, share,
                        hard: float = 1.0):
    """24/7 rows per (zone, hour) or one annual row; returns the shortfall columns by zone."""
    if share is None or not sites:
        return {}
    pol = inp.policy
    n = len(sites[0].facility)
    if pol.hourly_matching:
        zones: dict[str, list[_Site]] = {}
        for site in sites:
            zone = "EU" if pol.renewable_matching == "hourly_pooled" else \
                inp.sites.at[site.name, "country"]
            zones.setdefault(zone, []).append(site)
        shorts = {}
        for zone, members in zones.items():
            short = lp.add_cols(n, 0.0, highspy.kHighsInf,
                                hard * PENALTY_EUR_PER_MWH["match_short"])
            rows, cols, vals = [], [], []
            rhs = np.zeros(n)
            t = np.arange(n)
            for site in members:
                fc, fv = _fossil_terms(site, n)
                rows += [np.tile(t, 3), t]
                cols += [fc, site.cols["heat"]]
                vals += [fv, np.full(n, -(1 - share) * site.lift)]
                rhs += (1 - share) * site.facility
            rows.append(t)
            cols.append(short)
            vals.append(-np.ones(n))
            lp.add_rows(np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), n,
                        -highspy.kHighsInf, rhs)
            shorts[zone] = (short, members)
        return shorts
    short = lp.add_cols(1, 0.0, highspy.kHighsInf, hard * PENALTY_EUR_PER_MWH["share_short"])
    cols, vals = [short], [[-1.0]]
    rhs = 0.0
    for site in sites:
        fc, fv = _fossil_terms(site, n)
        cols += [fc, site.cols["heat"], site.cols["go"]]
        vals += [fv, np.full(n, -(1 - share) * site.lift), [-1.0]]
        rhs += (1 - share) * site.facility.sum()
    cols_a = np.concatenate(cols)
    lp.add_rows(np.zeros(len(cols_a), int), cols_a, np.concatenate(vals), 1, -highspy.kHighsInf,
                rhs)
    return {"annual": (short, sites)}


def _add_carbon_cap(lp: LinearProgram, sites: list[_Site], inp: ModelInputs,
                    hard: float = 1.0):
    cap = inp.policy.carbon_cap_t_per_year
    if cap is None or not sites:
        return None
    e = inp.energy
    excess = lp.add_cols(1, 0.0, highspy.kHighsInf, hard * CARBON_EXCESS_EUR_PER_T)
    cols, vals = [excess], [[-1.0]]
    for site in sites:
        n = len(site.facility)
        c = site.cols
        cols += [c["grid"], c["backup"], c["gas"]]
        vals += [c["co2"], np.full(n, e["backup_co2_t_per_mwh"]),
                 np.full(n, e["gas_turbine_co2_t_per_mwh"])]
    cols_a = np.concatenate(cols)
    lp.add_rows(np.zeros(len(cols_a), int), cols_a, np.concatenate(vals), 1, -highspy.kHighsInf,
                cap)
    return excess


def _longest_run(flags: np.ndarray) -> int:
    best = run = 0
    for flag in flags:
        run = run + 1 if flag else 0
        best = max(best, run)
    return best


def _read(x, status, sites, zone_rows, carbon_col, inp: ModelInputs, design: Design,
          hourly: pd.DataFrame, share) -> Replay:
    e = inp.energy
    rows, frames = [], []
    groups = inp.sites["period_group"]
    failing: dict[str, dict[int, float]] = {}
    breaks = []
    for site in sites:
        c = site.cols
        v = {k: x[c[k]] for k in ("grid", "charge", "discharge", "soc", "backup", "gas", "spill",
                                  "heat", "unmet", "over", "go")}
        hp = site.lift * v["heat"]
        demand = site.facility + hp
        fossil = v["grid"] + v["backup"] + v["gas"]
        emissions = c["co2"] * v["grid"] + e["backup_co2_t_per_mwh"] * v["backup"] \
            + e["gas_turbine_co2_t_per_mwh"] * v["gas"]
        _add_failing(failing, groups[site.name], v["unmet"] + v["over"])
        backup_hours = float(v["backup"].sum() / site.row["backup_mw"]) if site.row[
            "backup_mw"] > 1e-9 else 0.0
        rows.append({
            "site": site.name, "facility_mwh": site.facility.sum(), "it_mwh": site.it.sum(),
            "heat_pump_mwh": hp.sum(), "grid_import_mwh": v["grid"].sum(),
            "ppa_mwh": site.ppa.sum(), "onsite_mwh": site.onsite.sum(),
            "spill_mwh": v["spill"].sum(), "backup_mwh": v["backup"].sum(),
            "gas_mwh": v["gas"].sum(), "heat_sold_mwh": v["heat"].sum(),
            "go_mwh": float(x[c["go"]][0]),
            "renewable_consumed_mwh": (demand - fossil).sum(),
            "unmet_mwh": v["unmet"].sum(), "unmet_hours": int((v["unmet"] > TOLERANCE_MW).sum()),
            "over_connection_hours": int((v["over"] > TOLERANCE_MW).sum()),
            "over_connection_max_mw": float(v["over"].max()),
            "backup_hours": backup_hours, "peak_facility_mw": float(site.facility.max()),
            "peak_pue": float(site.pue[site.it > 0].max()) if (site.it > 0).any() else np.nan,
            "emissions_t": float(emissions.sum()),
            "grid_energy_eur": float((c["price"] * v["grid"]).sum()),
            "carbon_eur": float(inp.policy.carbon_price_eur_per_t * emissions.sum()),
            "heat_revenue_eur": float(site.heat_price * v["heat"].sum()),
            "grid_mw": float(inp.sites.at[site.name, "grid_mw_now"])
            + float(site.row["grid_upgrade_mw"]),
            **{name: float(site.row[name]) for name in ENERGY_CAPACITIES},
            **_energy_costs(site, v, inp),
        })
        frames.append(pd.DataFrame({
            "site": site.name, "hour": np.arange(len(demand)), "facility_mw": site.facility,
            "it_mw": site.it, "heat_pump_mw": hp, "fossil_mw": fossil, "grid_import_mw": v["grid"],
            "ppa_mw": site.ppa, "onsite_mw": site.onsite,
            "ppa_solar_mw": site.solar * float(site.row["ppa_solar_mw"]),
            "ppa_wind_mw": site.wind * float(site.row["ppa_wind_mw"]),
            "pv_mw": site.solar * float(site.row["pv_mw"]),
            "wind_mw": site.wind * float(site.row["wind_mw"]), "battery_discharge_mw": v["discharge"],
            "battery_charge_mw": v["charge"], "backup_mw": v["backup"], "gas_mw": v["gas"],
            "spill_mw": v["spill"], "heat_sold_mw": v["heat"], "soc_mwh": v["soc"],
            "unmet_mw": v["unmet"], "over_connection_mw": v["over"]}))
        if backup_hours > inp.policy.backup_max_hours_per_year * (1 + SHARE_TOLERANCE) + 1:
            breaks.append(f"site '{site.name}': standby runs {backup_hours:,.0f} h/yr on the full "
                          f"year, above its limit of {inp.policy.backup_max_hours_per_year:,.0f} h")
    table = pd.DataFrame(rows).set_index("site") if rows else pd.DataFrame()
    hourly_frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    zones = _zone_table(x, zone_rows, inp, share, failing, groups)
    kpis = _kpis(table, zones, x, carbon_col, inp)
    for site, row in table.iterrows():
        if row["unmet_hours"]:
            breaks.append(f"site '{site}': {row['unmet_mwh']:,.0f} MWh of load unmet in "
                          f"{row['unmet_hours']:,} hours of the full year")
        if row["over_connection_hours"]:
            breaks.append(f"site '{site}': the load needs more than its "
                          f"{row['grid_mw']:,.1f} MW connection in {row['over_connection_hours']:,} "
                          f"hours (by up to {row['over_connection_max_mw']:,.1f} MW)")
    for zone, row in zones.iterrows():
        if row["short_hours"]:
            breaks.append(f"24/7 matching in {zone}: {row['short_hours']:,} hours fall short "
                          f"(longest gap {row['longest_gap_h']:,} h, {row['short_mwh']:,.0f} MWh "
                          f"not matched; matched share {row['matched_share']:.1%})")
    corrections = {}
    if share is not None and not inp.policy.hourly_matching and len(table):
        got = kpis["renewable_share"]
        if got < share - SHARE_TOLERANCE:
            breaks.append(f"the annual renewable share is {got:.1%} on the full year, below the "
                          f"target of {share:.0%}")
            corrections["renewable_share_frac"] = share - got
    if carbon_col is not None and float(x[carbon_col][0]) > 1.0:
        excess = float(x[carbon_col][0])
        breaks.append(f"the carbon cap of {inp.policy.carbon_cap_t_per_year:,.0f} t/yr is "
                      f"exceeded by {excess:,.0f} t/yr on the full year")
        corrections["carbon_cap_t_per_year"] = excess
    worst = {g: sorted(sorted(days, key=days.get, reverse=True)[:DAYS_PER_ROUND])
             for g, days in failing.items() if days}
    return Replay(sites=table, zones=zones, kpis=kpis, failing_days=worst,
                  corrections=corrections, breaks=breaks, hourly=hourly_frame, status=status)


def _energy_costs(site: _Site, v: dict, inp: ModelInputs) -> dict[str, float]:
    """Annual cost [EUR/yr] and capex [EUR] of each energy item, as the optimiser prices them."""
    e, row, srow = inp.energy, site.row, inp.sites.loc[site.name]
    pol = inp.policy
    wind_h = float(site.wind.sum()) if site.wind is not None else 0.0
    solar_h = float(site.solar.sum()) if site.solar is not None else 0.0
    emissions = site.cols["co2"] * v["grid"] + e["backup_co2_t_per_mwh"] * v["backup"] \
        + e["gas_turbine_co2_t_per_mwh"] * v["gas"]
    return {
        "cost_grid_energy": float((site.cols["price"] * v["grid"]).sum()),
        "cost_carbon": float(pol.carbon_price_eur_per_t * emissions.sum()),
        "cost_ppa_energy": float(srow["ppa_solar_eur_per_mwh"]) * solar_h * row["ppa_solar_mw"]
        + float(srow["ppa_wind_eur_per_mwh"]) * wind_h * row["ppa_wind_mw"],
        "cost_grid_upgrade": float(srow["grid_upgrade_eur_per_mw_year"]) * row["grid_upgrade_mw"],
        "cost_onsite_pv": e["pv_eur_per_mw_year"] * row["pv_mw"],
        "cost_onsite_wind": (e["wind_eur_per_mw_year"] + e["wind_vom_eur_per_mwh"] * wind_h)
        * row["wind_mw"],
        "cost_battery": e["battery_power_eur_per_mw_year"] * row["battery_mw"]
        + e["battery_energy_eur_per_mwh_year"] * row["battery_mwh"],
        "cost_backup": e["backup_eur_per_mw_year"] * row["backup_mw"]
        + e["backup_eur_per_mwh"] * float(v["backup"].sum()),
        "cost_gas_turbine": e["gas_turbine_eur_per_mw_year"] * row["gas_mw"]
        + e["gas_turbine_eur_per_mwh"] * float(v["gas"].sum()),
        "cost_heat_revenue": -site.heat_price * float(v["heat"].sum()),
        "cost_guarantees_of_origin": e["go_eur_per_mwh"] * float(v["go"].sum()),
        "capex_grid_upgrade": float(srow["grid_upgrade_capex_eur_per_mw"]) * row["grid_upgrade_mw"],
        "capex_onsite_pv": e["pv_capex_eur_per_mw"] * row["pv_mw"],
        "capex_onsite_wind": e["wind_capex_eur_per_mw"] * row["wind_mw"],
        "capex_battery": e["battery_power_capex_eur_per_mw"] * row["battery_mw"]
        + e["battery_energy_capex_eur_per_mwh"] * row["battery_mwh"],
        "capex_backup": e["backup_capex_eur_per_mw"] * row["backup_mw"],
        "capex_gas_turbine": e["gas_turbine_capex_eur_per_mw"] * row["gas_mw"],
    }


def _add_failing(failing: dict, group: str, slack_mw: np.ndarray) -> None:
    """Add the days where ``slack_mw`` exceeds the tolerance, with their slack energy."""
    bad = slack_mw > TOLERANCE_MW
    if not bad.any():
        return
    daily = np.bincount(np.arange(len(slack_mw)) // HOURS_PER_DAY, weights=slack_mw * bad)
    target = failing.setdefault(group, {})
    for day in np.flatnonzero(daily > 0):
        target[int(day)] = target.get(int(day), 0.0) + float(daily[day])


def _zone_table(x, zone_rows, inp: ModelInputs, share, failing, groups) -> pd.DataFrame:
    rows = []
    if not inp.policy.hourly_matching:
        return pd.DataFrame(columns=["short_hours", "longest_gap_h", "short_mwh", "matched_share"])
    for zone, (short_cols, members) in zone_rows.items():
        short = x[short_cols]
        flags = short > TOLERANCE_MW
        demand = sum(s.facility + s.lift * x[s.cols["heat"]] for s in members)
        fossil = sum(x[s.cols["grid"]] + x[s.cols["backup"]] + x[s.cols["gas"]] for s in members)
        rows.append({"zone": zone, "short_hours": int(flags.sum()),
                     "longest_gap_h": _longest_run(flags), "short_mwh": float(short.sum()),
                     "matched_share": float(1 - fossil.sum() / demand.sum())
                     if demand.sum() > 0 else np.nan})
        for s in members:
            _add_failing(failing, groups[s.name], short)
    return pd.DataFrame(rows).set_index("zone")


def _kpis(table: pd.DataFrame, zones: pd.DataFrame, x, carbon_col, inp: ModelInputs) -> dict:
    if not len(table):
        return {}
    demand = float((table["facility_mwh"] + table["heat_pump_mwh"]).sum())
    renewable = float(table["renewable_consumed_mwh"].sum())
    certified = float(table["go_mwh"].sum())
    return {
        "facility_mwh": float(table["facility_mwh"].sum()),
        "it_mwh": float(table["it_mwh"].sum()),
        "pue": float(table["facility_mwh"].sum() / table["it_mwh"].sum())
        if table["it_mwh"].sum() > 0 else np.nan,
        "peak_facility_mw": float(table["peak_facility_mw"].sum()),
        "peak_pue": float(table["peak_pue"].max()),
        "renewable_share": min(1.0, (renewable + certified) / demand) if demand else np.nan,
        "renewable_share_hourly": renewable / demand if demand else np.nan,
        "emissions_t_per_year": float(table["emissions_t"].sum()),
        "grid_import_mwh": float(table["grid_import_mwh"].sum()),
        "spill_mwh": float(table["spill_mwh"].sum()),
        "backup_mwh": float(table["backup_mwh"].sum()),
        "heat_sold_mwh": float(table["heat_sold_mwh"].sum()),
        "unmet_mwh": float(table["unmet_mwh"].sum()),
        "unmet_hours": int(table["unmet_hours"].sum()),
        "over_connection_hours": int(table["over_connection_hours"].sum()),
        "short_hours_24_7": int(zones["short_hours"].sum()) if len(zones) else 0,
        "energy_cost_eur_per_year": float((table["grid_energy_eur"] + table["carbon_eur"]
                                           - table["heat_revenue_eur"]).sum()),
    }


COMPARED = (
    ("facility_mwh", "facility energy", "MWh/yr"), ("it_mwh", "IT energy", "MWh/yr"),
    ("pue", "PUE, annual", "-"), ("peak_facility_mw", "peak facility load", "MW"),
    ("peak_pue", "peak PUE", "-"), ("grid_import_mwh", "grid energy", "MWh/yr"),
    ("renewable_share", "renewable share, annual (REF)", "-"),
    ("renewable_share_hourly", "renewable share, hourly-matched", "-"),
    ("emissions_t_per_year", "emissions", "tCO2/yr"), ("spill_mwh", "curtailment", "MWh/yr"),
    ("backup_mwh", "standby energy", "MWh/yr"), ("heat_sold_mwh", "heat sold", "MWh/yr"),
    ("energy_cost_eur_per_year", "grid energy + carbon - heat revenue", "EUR/yr"),
    ("unmet_mwh", "unmet load", "MWh/yr"), ("over_connection_hours", "hours over the connection",
                                            "h/yr"),
    ("short_hours_24_7", "hours short of 24/7 matching", "h/yr"),
)
"""(KPI, label, unit) rows of the full-year comparison."""


def plan_values(plan) -> dict[str, float]:
    """The representative-day plan's own figures for :data:`COMPARED` (from its tables)."""
    sites = plan.sites[plan.sites["open"]] if len(plan.sites) else plan.sites
    e = plan.energy[plan.energy["site"].isin(sites.index)] if len(plan.energy) else plan.energy
    costs = plan.costs.groupby("item")["eur_per_year"].sum() if len(plan.costs) else pd.Series()
    peak_pue = float((e["facility_mw"] / e["it_mw"].where(e["it_mw"] > 0)).max()) if len(e) \
        else np.nan
    return {
        "facility_mwh": float(sites["facility_mwh"].sum()),
        "it_mwh": float(sites["it_mwh"].sum()), "pue": plan.kpis.get("pue", np.nan),
        "peak_facility_mw": float(sites["facility_peak_mw"].sum()), "peak_pue": peak_pue,
        "grid_import_mwh": float(sites["grid_import_mwh"].sum()),
        "renewable_share": plan.kpis.get("renewable_share", np.nan),
        "renewable_share_hourly": plan.kpis.get("renewable_share_hourly", np.nan),
        "emissions_t_per_year": plan.kpis.get("emissions_t_per_year", np.nan),
        "spill_mwh": float(sites["spill_mwh"].sum()), "backup_mwh": float(sites["backup_mwh"].sum()),
        "heat_sold_mwh": float(sites["heat_sold_mwh"].sum()),
        "energy_cost_eur_per_year": float(sum(costs.get(i, 0.0) for i in (
            "grid_energy", "carbon", "heat_revenue"))),
        "unmet_mwh": 0.0, "over_connection_hours": 0.0, "short_hours_24_7": 0.0,
    }


def compare(plan, result: Replay) -> pd.DataFrame:
    """Each figure as the plan states it and as the full year gives it, and the difference."""
    mine = plan_values(plan)
    rows = []
    for key, label, unit in COMPARED:
        a, b = mine.get(key, np.nan), result.kpis.get(key, np.nan)
        # a figure of (numerically) zero on the representative days has no relative change
        diff = (b - a) / abs(a) if np.isfinite(a) and np.isfinite(b) and abs(a) > 1e-6 \
            else np.nan
        rows.append({"kpi": key, "figure": label, "unit": unit, "representative_days": a,
                     "full_year": b, "difference_frac": diff})
    return pd.DataFrame(rows)
