"""How robust a plan is to its estimated inputs: the summary of a robustness study.

A robustness study (``robustness: {draws: N}``) solves the base scenario once with the
catalogue's values, then for each draw of the estimated figures twice on the re-used
model: with the base plan's sites fixed open, and free. From its results this module
states, for each decision, how often it holds:

- each site: the share of draws in which it opens, and its IT capacity range;
- each accelerator (share of draws whose fleet has it) and each site's cooling;
- the cost spread of the draws' optima, and the **regret** of the base siting:
  ``regret = TCO(draw, base sites fixed) - TCO(draw optimum)`` [EUR/yr], never negative
  because the free solve starts from the fixed one's plan. A draw in which the base sites
  cannot hold the plan at all (a drawn plot too small, say) has no regret figure; such
  draws are counted (``draws_base_sites_infeasible``), and :func:`failure_drivers` names
  the estimated figures that alone tell them from the draws where the base sites hold
  (every failing draw drew the figure below, or above, every holding draw).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.catalogue import Catalogue
from planner.errors import UsageError
from planner.study import store
from planner.study.design import BASE, BASE_SITES, DRAW

SUMMARY_FILE = "robustness.json"
DRIVER_COLUMNS = ["table", "id", "field", "side", "threshold", "failing_low", "failing_high",
                  "holding_low", "holding_high", "catalogue_value", "range_low", "range_high"]


@dataclass
class Robustness:
    """The robustness of a base plan to the estimated inputs.

    Attributes
    ----------
    draws : one row a draw: the draw's optimum and the base sites' cost, the regret.
    sites : one row a site opened in the base plan or any draw.
    choices : accelerator and cooling choices and how often each is made.
    summary : counts (draws, re-solved, rebuilt), cost spread and regret [EUR/yr].
    drivers : the estimated figures that separate the draws the base sites cannot hold
        (:func:`failure_drivers`).
    """

    draws: pd.DataFrame
    sites: pd.DataFrame
    choices: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    drivers: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DRIVER_COLUMNS))

    def to_json(self) -> dict[str, Any]:
        """Everything as plain JSON (records for the tables)."""
        def records(frame: pd.DataFrame) -> list[dict]:
            return json.loads(frame.to_json(orient="records"))
        return {"summary": self.summary, "sites": records(self.sites),
                "choices": records(self.choices), "draws": records(self.draws),
                "drivers": records(self.drivers)}

    def save(self, folder: Path | str) -> Path:
        """Write ``robustness.json`` into the study folder (atomically)."""
        path = Path(folder) / SUMMARY_FILE
        store.atomic_write_bytes(path, json.dumps(self.to_json(), indent=1).encode())
        return path


def _tco(record: dict | None) -> float:
    if not record or not record.get("kpis"):
        return float("nan")
    return float(record["kpis"].get("tco_eur_per_year", float("nan")))


def summarise(folder: Path | str, catalogue: Catalogue) -> Robustness:
    """The robustness summary of a robustness study folder.

    Raises
    ------
    UsageError
        When the folder is not a robustness study or its base plan has no result.
    """
    folder = Path(folder)
    header = store.read_header(folder)
    if header.get("kind") != "robustness":
        raise UsageError.single(f"is a '{header.get('kind')}' study, not a robustness study",
                                field="DIR", file=str(folder))
    results = store.read_results(folder)
    by_role: dict[str, dict[int | None, dict]] = {BASE: {}, DRAW: {}, BASE_SITES: {}}
    for r in results.values():
        role = r.get("role")
        if role in by_role:
            draw = (r.get("values") or {}).get("estimates.draw")
            by_role[role][None if draw is None else int(draw)] = r
    base = by_role[BASE].get(None)
    if not base or not base.get("kpis"):
        raise UsageError.single("the base plan of this robustness study has no result yet",
                                field="DIR", file=str(folder))
    draws = _draws(by_role, base)
    solved = [by_role[DRAW][k] for k in sorted(by_role[DRAW]) if by_role[DRAW][k].get("kpis")]
    country = catalogue.sites["country"].astype(str).to_dict()
    drivers = failure_drivers(draws, catalogue, int(header.get("seed") or 0))
    summary = _summary(header, results, draws, base, catalogue)
    summary["base_sites_fail_when"] = [driver_condition(r) for r in drivers.itertuples()]
    return Robustness(draws=draws, sites=_sites(base, solved, country),
                      choices=_choices(base, solved), summary=summary, drivers=drivers)


def failure_drivers(draws: pd.DataFrame, catalogue: Catalogue, seed: int) -> pd.DataFrame:
    """The estimated figures that alone tell the draws the base sites cannot hold.

    A varied figure is a driver when every draw whose base-sites solve is infeasible drew
    it below every draw whose base-sites solve holds (``side`` "below"), or above
    (``side`` "above"); ``threshold`` lies midway between the two groups. The draws are
    recomputed from ``catalogue`` and ``seed`` (:func:`planner.optimise.estimates.draw_values`,
    about 12 ms a draw), so the catalogue must be the one the study ran on. Empty when no
    draw fails, none holds, or no single figure separates them.
    """
    from planner.optimise.estimates import draw_values

    failing = draws.loc[draws["base_sites_status"] == "infeasible", "draw"].astype(int).tolist()
    holding = draws.loc[draws["base_sites_status"] == "optimal", "draw"].astype(int).tolist()
    if not failing or not holding:
        return pd.DataFrame(columns=DRIVER_COLUMNS)
    frames = {k: draw_values(catalogue, seed, k) for k in sorted(set(failing) | set(holding))}
    figures = frames[failing[0]]  # the same rows in every draw
    keep = figures["varied"].to_numpy() & np.isfinite(figures["catalogue_value"].to_numpy(float))
    fail = np.array([frames[k]["value"].to_numpy(float)[keep] for k in failing])
    hold = np.array([frames[k]["value"].to_numpy(float)[keep] for k in holding])
    out = figures[keep].reset_index(drop=True).rename(columns={"low": "range_low",
                                                               "high": "range_high"})
    out["failing_low"], out["failing_high"] = fail.min(axis=0), fail.max(axis=0)
    out["holding_low"], out["holding_high"] = hold.min(axis=0), hold.max(axis=0)
    below, above = out["failing_high"] < out["holding_low"], out["failing_low"] > out[
        "holding_high"]
    out["side"] = np.where(below, "below", "above")
    out["threshold"] = np.where(below, (out["failing_high"] + out["holding_low"]) / 2,
                                (out["failing_low"] + out["holding_high"]) / 2)
    return out.loc[below | above, DRIVER_COLUMNS].reset_index(drop=True)


def driver_condition(r) -> str:
    """A driver (a row of :func:`failure_drivers`) as a condition: "sites sofia land_ha below 4"."""
    return f"{r.table} {r.id} {r.field} {r.side} {r.threshold:,.3g}"


def driver_lines(drivers: pd.DataFrame) -> list[str]:
    """Each driver in words: its condition, then what the two groups of draws drew."""
    return [f"{driver_condition(r)} (the draws the base "
            f"sites cannot hold drew {r.failing_low:,.3g} to {r.failing_high:,.3g}, the others "
            f"{r.holding_low:,.3g} to {r.holding_high:,.3g}; catalogue {r.catalogue_value:,.3g},"
            f" range {r.range_low:,.3g} to {r.range_high:,.3g})" for r in drivers.itertuples()]


def _draws(by_role: dict, base: dict) -> pd.DataFrame:
    base_sites = sorted(base.get("open_sites", []))
    rows = []
    for k in sorted(set(by_role[DRAW]) | set(by_role[BASE_SITES])):
        free, fixed = by_role[DRAW].get(k), by_role[BASE_SITES].get(k)
        tco, tco_fixed = _tco(free), _tco(fixed)
        regret = tco_fixed - tco
        sites = sorted(free.get("open_sites", [])) if free and free.get("kpis") else []
        rows.append({
            "draw": k, "status": free.get("status") if free else "missing",
            "tco_eur_per_year": tco, "tco_base_sites_eur_per_year": tco_fixed,
            "regret_eur_per_year": regret, "regret_frac": regret / tco if tco else np.nan,
            "open_sites": ";".join(sites), "same_sites_as_base": bool(sites) and sites
            == base_sites, "gap_frac": free.get("gap") if free else None,
            "base_sites_status": fixed.get("status") if fixed else "missing",
            "model_reused": bool(free.get("model_reused")) if free else False})
    return pd.DataFrame(rows, columns=[
        "draw", "status", "tco_eur_per_year", "tco_base_sites_eur_per_year",
        "regret_eur_per_year", "regret_frac", "open_sites", "same_sites_as_base", "gap_frac",
        "base_sites_status", "model_reused"])


def _sites(base: dict, solved: list[dict], country: dict[str, str]) -> pd.DataFrame:
    names = list(base.get("open_sites", []))
    for r in solved:
        names += [s for s in r.get("open_sites", []) if s not in names]
    rows = []
    for s in names:
        mw = [r["site_it_mw"][s] for r in solved if s in r.get("site_it_mw", {})]
        rows.append({"site": s, "country": country.get(s, ""),
                     "open_in_base": s in base.get("open_sites", []),
                     "open_share_frac": len(mw) / len(solved) if solved else np.nan,
                     "it_mw_base": base.get("site_it_mw", {}).get(s, 0.0),
                     "it_mw_min": min(mw) if mw else np.nan,
                     "it_mw_median": float(np.median(mw)) if mw else np.nan,
                     "it_mw_max": max(mw) if mw else np.nan})
    frame = pd.DataFrame(rows, columns=["site", "country", "open_in_base", "open_share_frac",
                                        "it_mw_base", "it_mw_min", "it_mw_median", "it_mw_max"])
    return frame.sort_values(["open_share_frac", "site"], ascending=[False, True],
                             ignore_index=True)


def _fleet(record: dict) -> dict[str, int]:
    out: dict[str, int] = {}
    for by_acc in record.get("site_gpus", {}).values():
        for acc, n in by_acc.items():
            out[acc] = out.get(acc, 0) + int(n)
    return out


def _choices(base: dict, solved: list[dict]) -> pd.DataFrame:
    rows = []
    base_fleet = _fleet(base)
    fleets = [_fleet(r) for r in solved]
    for acc in sorted(set(base_fleet).union(*fleets) if fleets else base_fleet):
        counts = [f[acc] for f in fleets if acc in f]
        rows.append({"kind": "accelerator", "site": "all sites", "choice": acc,
                     "in_base": acc in base_fleet, "draws_frac": len(counts) / len(fleets)
                     if fleets else np.nan, "gpus_base": base_fleet.get(acc, 0),
                     "gpus_min": min(counts) if counts else np.nan,
                     "gpus_max": max(counts) if counts else np.nan})
    pairs: dict[tuple[str, str], int] = {}
    for r in solved:
        for s, k in r.get("site_cooling", {}).items():
            pairs[(s, k)] = pairs.get((s, k), 0) + 1
    base_cooling = base.get("site_cooling", {})
    for (s, k) in sorted(set(pairs) | set(base_cooling.items())):
        opened = sum(1 for r in solved if s in r.get("open_sites", []))
        rows.append({"kind": "cooling", "site": s, "choice": k,
                     "in_base": base_cooling.get(s) == k,
                     "draws_frac": pairs.get((s, k), 0) / len(solved) if solved else np.nan,
                     "share_of_draws_open_frac": pairs.get((s, k), 0) / opened if opened
                     else np.nan, "gpus_base": np.nan, "gpus_min": np.nan, "gpus_max": np.nan})
    return pd.DataFrame(rows, columns=["kind", "site", "choice", "in_base", "draws_frac",
                                       "share_of_draws_open_frac", "gpus_base", "gpus_min",
                                       "gpus_max"])


def _summary(header: dict, results: dict, draws: pd.DataFrame, base: dict,
             catalogue: Catalogue) -> dict[str, Any]:
    from planner.optimise.estimates import held_fields, ranges

    ok = draws[np.isfinite(draws["tco_eur_per_year"])]
    regret = ok["regret_eur_per_year"].dropna()
    spans = ranges(catalogue)
    held = held_fields(catalogue)
    solves = [r for r in results.values() if r.get("kpis")]

    def pct(values: pd.Series, q: float) -> float | None:
        return float(np.percentile(values, q)) if len(values) else None

    return {
        "study": header.get("study"), "base_scenario": header.get("base_scenario"),
        "seed": header.get("seed"), "draws": int(len(draws)), "draws_solved": int(len(ok)),
        "solves": len(results), "solves_rebuilt": sum(1 for r in results.values()
                                                      if not r.get("model_reused")),
        "solves_re_used": sum(1 for r in results.values() if r.get("model_reused")),
        "solves_with_plan": len(solves),
        "base_open_sites": list(base.get("open_sites", [])),
        "base_tco_eur_per_year": _tco(base),
        "draws_with_base_sites_frac": float(ok["same_sites_as_base"].mean()) if len(ok) else None,
        "draws_base_sites_infeasible": int((draws["base_sites_status"] == "infeasible").sum()),
        "tco_min_eur_per_year": pct(ok["tco_eur_per_year"], 0),
        "tco_p5_eur_per_year": pct(ok["tco_eur_per_year"], 5),
        "tco_median_eur_per_year": pct(ok["tco_eur_per_year"], 50),
        "tco_p95_eur_per_year": pct(ok["tco_eur_per_year"], 95),
        "tco_max_eur_per_year": pct(ok["tco_eur_per_year"], 100),
        "regret_mean_eur_per_year": float(regret.mean()) if len(regret) else None,
        "regret_median_eur_per_year": pct(regret, 50),
        "regret_max_eur_per_year": pct(regret, 100),
        "regret_max_frac": float(ok["regret_frac"].max()) if len(ok) else None,
        "estimates_varied": int(len(spans) - held["figures"].sum()),
        "estimates_held": {f"{r.table}.{r.field}": f"{r.figures} figures: {r.why}"
                           for r in held.itertuples()},
    }
