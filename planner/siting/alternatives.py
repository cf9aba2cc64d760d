"""Near-optimal alternatives: plans within a cost slack that put the capacity elsewhere.

Modelling to generate alternatives (MGA; Brill et al. 1982, DeCarolis 2011; PyPSA's MGA
and Calliope's SPORES do the same for energy systems). The least-cost plan is solved
first, on the representative days; then each direction on the same model
(:meth:`Resolver.alternative`):

1. each member state of the optimum, largest first, at its least share, 0: the
   least-cost plan with its sites closed ("without DE");
2. each other member state, cheapest site first (the levelised cost of
   :mod:`planner.siting.why`): the least-cost plan with a serving site there
   ("with PL");
3. seeded random directions: with the cost capped at ``(1 + slack) x`` the optimum's
   TCO and the served IT load (the work done) at ``(1 + slack) x`` the optimum's, the
   served load weighted by ``U(-1, 1)`` per site (``numpy.random.default_rng(seed)``)
   minimised, then the least cost keeping that value.

The member-state directions are least-cost solves under bounds, which HiGHS solves as
fast as the optimum, and give the extreme shares directly; a plan dearer than the slack
is dropped, and its cost above the optimum reported (``meta["beyond_slack_frac"]``).
A plan with the same member states as one already kept (the optimum included) and no
state's share of the IT nameplate moved by :data:`DISTINCT_SHARE` or more is dropped
too. The search stops at ``count`` alternatives or when the directions run out (at
most ``3 x count`` random ones).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.catalogue import Catalogue
from planner.errors import UsageError
from planner.optimise import Plan
from planner.scenario import Scenario
from planner.scenario.schema import FullYearCheck, Objective

DISTINCT_SHARE = 0.05
"""Two plans differ when some member state's share of the IT nameplate differs by this
much (5 percentage points)."""
KPI_COLUMNS = ("tco_eur_per_year", "capex_eur", "gpus", "eur_per_gpu_hour", "it_mw",
               "emissions_t_per_year", "renewable_share", "sites_open")


@dataclass
class Alternatives:
    """The optimum and its near-optimal alternatives.

    Attributes
    ----------
    plans : ``{"optimum": Plan, "a01": Plan, ...}`` in order.
    summary : one row a plan: direction, TCO above the optimum, KPIs, sites.
    by_country : plan x member state: served load [MW] and IT nameplate [MW].
    meta : slack, count asked, directions tried, dropped as repeats.
    """

    plans: dict[str, Plan]
    summary: pd.DataFrame
    by_country: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def save(self, folder: Path | str) -> Path:
        """Write the plans, the tables and ``alternatives.json`` into ``folder``.

        Each plan goes to ``plans/<id>/`` (a plan folder the explorer and `gigaplan report`
        read); the tables to ``summary.csv`` and ``by_country.csv``.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, plan in self.plans.items():
            plan.save(folder / "plans" / name)
        self.summary.to_csv(folder / "summary.csv", index=False)
        self.by_country.to_csv(folder / "by_country.csv", index=False)
        payload = {"meta": self.meta,
                   "summary": json.loads(self.summary.to_json(orient="records")),
                   "by_country": json.loads(self.by_country.to_json(orient="records"))}
        (folder / "alternatives.json").write_text(json.dumps(payload, indent=1))
        return folder


def served_by_country(plan: Plan) -> pd.Series:
    """Served IT load per member state [MW]: average IT power above idle."""
    return plan.sites.groupby("country")["served_mw"].sum()


def it_share_by_country(plan: Plan) -> pd.Series:
    """Each member state's share of the plan's IT nameplate [0-1]."""
    it = plan.sites.groupby("country")["it_mw"].sum()
    total = float(it.sum())
    return it / total if total > 0 else it


def _distinct(split: pd.Series, kept: list[pd.Series]) -> bool:
    """Differs from every kept plan: another set of member states, or a share moved."""
    states = set(split.index[split > 1e-9])
    for other in kept:
        diff = split.subtract(other, fill_value=0.0).abs()
        same_states = states == set(other.index[other > 1e-9])
        if same_states and float(diff.max() if len(diff) else 0.0) < DISTINCT_SHARE:
            return False
    return True


def _directions(optimum: Plan, scenario: Scenario, catalogue: Catalogue, seed: int,
                count: int):
    """(label, weights by site, bounds), in the order of the module docstring."""
    sites = optimum.sites
    country = sites["country"].astype(str)
    split = it_share_by_country(optimum)
    used = split[split > 1e-9].sort_values(ascending=False)
    for c in used.index:
        closed = {s: (0, 0) for s in sites.index if country[s] == c}
        yield f"without {c}", {}, {"open_site": closed}
    from planner.optimise.prepare import prepare
    from planner.siting.why import site_costs

    ranking = site_costs(optimum, prepare(scenario, catalogue), catalogue)
    others = [c for c in dict.fromkeys(ranking["country"]) if c not in used.index]
    for c in others:
        yield f"with {c}", {}, {"country_used": {c: (1, 1)}}
    rng = np.random.default_rng(seed)
    for k in range(3 * count):
        weights = rng.uniform(-1.0, 1.0, len(sites))
        yield f"random {k + 1}", dict(zip(sites.index, weights.tolist(), strict=True)), {}


def alternatives(scenario: Scenario, catalogue: Catalogue, slack: float = 0.02,
                 count: int = 6, seed: int = 2026, time_limit_s: float | None = None,
                 say: Callable[[str], None] | None = None) -> Alternatives:
    """The least-cost plan and up to ``count`` alternatives within ``slack`` of its TCO.

    The optimum is solved with the scenario's solver settings; ``time_limit_s`` bounds
    each of the two solves of an alternative (default: the scenario's). A direction
    stopped by it keeps its best plan, which meets the cost cap (its gap is in the
    summary).
    ``say`` receives a line per plan found or direction dropped (the CLI's progress).

    Raises
    ------
    UsageError
        For a slack outside 0-1, a count outside 1-100, an objective other than least
        cost, or a scenario without a least-cost plan.
    """
    from planner.optimise.solve import Resolver

    if not 0.0 < slack <= 1.0:
        raise UsageError.single(f"slack {slack:g}: give a share of the optimum's cost above 0 "
                                "and at most 1 (0.02 is 2 %)", field="--slack")
    if not 1 <= count <= 100:
        raise UsageError.single(f"count {count}: give 1 to 100", field="--count")
    if scenario.objective != Objective.min_cost:
        raise UsageError.single(f"alternatives need objective min_cost, not "
                                f"{scenario.objective.value}", field="objective")
    base = scenario.model_copy(update={"time": scenario.time.model_copy(
        update={"full_year_check": FullYearCheck.off})})
    resolver = Resolver(catalogue)
    optimum = resolver.solve(base)
    if not optimum.has_solution:
        raise UsageError.single(f"the scenario has no least-cost plan to start from (status "
                                f"{optimum.status})", field="SCENARIO")
    tco = float(optimum.kpis["tco_eur_per_year"])
    limit = tco * (1.0 + slack)
    served = float(optimum.sites["served_mw"].sum()) * (1.0 + slack)
    plans: dict[str, Plan] = {"optimum": optimum}
    labels = {"optimum": "least cost"}
    kept = [it_share_by_country(optimum)]
    tried, dropped = 0, []
    say = say or (lambda line: None)
    say(f"least cost: {tco / 1e6:,.1f} M EUR/yr, sites "
        f"{', '.join(optimum.sites.index[optimum.sites['open']])} "
        f"({optimum.meta['timings'].get('solve_s', 0):.0f} s to solve)")
    beyond: dict[str, float] = {}
    for label, weights, bounds in _directions(optimum, base, catalogue, seed, count):
        if len(plans) > count:
            break
        tried += 1
        start = time.perf_counter()
        plan = resolver.alternative(base, weights, limit, served, time_limit_s=time_limit_s,
                                    bounds=bounds)
        took = time.perf_counter() - start
        if not plan.has_solution:
            dropped.append(f"{label}: {plan.status}")
            say(f"{label}: no plan ({plan.status}, {took:.0f} s)")
            continue
        above = float(plan.kpis["tco_eur_per_year"]) / tco - 1.0
        if above > slack + 1e-9:
            beyond[label] = above
            dropped.append(f"{label}: {above:+.2%}, beyond the slack")
            say(f"{label}: {above:+.2%}, beyond the slack ({took:.0f} s)")
            continue
        split = it_share_by_country(plan)
        if not _distinct(split, kept):
            dropped.append(f"{label}: the same split as a plan kept")
            say(f"{label}: the same split as a plan kept, dropped ({took:.0f} s)")
            continue
        name = f"a{len(plans):02d}"
        plans[name], labels[name] = plan, label
        kept.append(split)
        below = "" if above >= 0 else (f", below the optimum, within its proven gap of "
                                       f"{optimum.gap or 0:.2%}")
        say(f"{name} {label}: {above:+.2%}{below}, sites "
            f"{', '.join(plan.sites.index[plan.sites['open']])} ({took:.0f} s)")
    summary, by_country = _tables(plans, labels, tco)
    meta = {"scenario": scenario.name, "slack_frac": slack, "count_asked": count,
            "count_found": len(plans) - 1, "directions_tried": tried, "dropped": dropped,
            "seed": seed, "optimum_tco_eur_per_year": tco, "cost_limit_eur_per_year": limit,
            "beyond_slack_frac": beyond,
            "optimum_gap": optimum.gap}
    return Alternatives(plans, summary, by_country, meta)


def _tables(plans: dict[str, Plan], labels: dict[str, str], tco: float
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, split_rows = [], []
    base_share = it_share_by_country(plans["optimum"])
    for name, plan in plans.items():
        share = it_share_by_country(plan)
        served = served_by_country(plan)
        moved = share.subtract(base_share, fill_value=0.0)
        row = {"plan": name, "direction": labels[name],
               "tco_above_optimum_frac": float(plan.kpis["tco_eur_per_year"]) / tco - 1.0,
               **{k: plan.kpis.get(k) for k in KPI_COLUMNS},
               "open_sites": ";".join(plan.sites.index[plan.sites["open"]]),
               "member_states": ";".join(share.index[share > 1e-9]),
               "differs_in": ";".join(moved.index[moved.abs() >= DISTINCT_SHARE]),
               "gap_frac": plan.gap}
        rows.append(row)
        it = plan.sites.groupby("country")["it_mw"].sum()
        for c in sorted(set(share.index[share > 1e-9]) | set(base_share.index[base_share > 1e-9])):
            split_rows.append({"plan": name, "country": c, "it_mw": float(it.get(c, 0.0)),
                               "it_share_frac": float(share.get(c, 0.0)),
                               "served_mw": float(served.get(c, 0.0))})
    return pd.DataFrame(rows), pd.DataFrame(split_rows)


def load_alternatives(folder: Path | str, plans: bool = True) -> Alternatives:
    """The Alternatives written by :meth:`Alternatives.save` (``plans=False``: tables only).

    Raises
    ------
    UsageError
        When the folder holds no ``alternatives.json``.
    """
    from planner.optimise import load_plan

    folder = Path(folder)
    path = folder / "alternatives.json"
    if not path.is_file():
        raise UsageError.single("holds no alternatives.json", file=str(folder))
    payload = json.loads(path.read_text())
    summary = pd.DataFrame(payload.get("summary", []))
    loaded = {}
    if plans:
        loaded = {name: load_plan(folder / "plans" / name) for name in summary["plan"]
                  if (folder / "plans" / name / "plan.json").is_file()}
    return Alternatives(loaded, summary, pd.DataFrame(payload.get("by_country", [])),
                        payload.get("meta", {}))
