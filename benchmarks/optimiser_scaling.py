"""Benchmark: optimiser build and solve time by size, and representative days vs full year.

Not a test. Run `python benchmarks/optimiser_scaling.py [--quick | --bundled | --days]`;
prints (``--days``: only the third table):

1. every bundled scenario as shipped (``--bundled`` prints only this): total time [s]
   with the full-year check and its repair, the time of each step, the proven gap and
   whether the plan holds on the full year;
2. the flagship scenario restricted to the first N candidate sites (5, 10, 20, all)
   at 4 and 12 representative days, 48 days up to 10 sites, and the full year for 5
   sites (HiGHS limited to 300 s per case; full-year check off, so the columns are
   the representative-day solve alone): prepare, build, coarse start, HiGHS,
   read-back and total time [s], and the share outside HiGHS;
3. the one-site demo (demo-tiny) at 2, 4, 8, 12, 24 representative days against the
   full year (check off): TCO and its deviation from the full-year TCO [%]. (The
   3-site demo-small no longer solves on the full year in 600 s: its LP relaxation
   alone takes about 300 s; docs/model.md.)
"""

from __future__ import annotations

import sys
import time

from planner.catalogue import load_catalogue
from planner.optimise import solve
from planner.scenario import load_scenario
from planner.scenario.crosscheck import candidate_sites
from planner.scenario.schema import FullYearCheck, Resolution


def bundled(cat) -> None:
    print(f"{'scenario':>18} {'total':>7} {'gap':>7} {'holds':>6}  steps [s]")
    for name in ("demo-tiny", "demo-small", "jupiter", "frontier-training", "eu-gigafactory"):
        sc = load_scenario(f"scenarios/{name}.yaml", cat)
        start = time.perf_counter()
        plan = solve(sc, cat)
        total = time.perf_counter() - start
        holds = plan.meta.get("full_year_check", {}).get("holds")
        steps = ", ".join(f"{k.removesuffix('_s')} {v:.1f}" for k, v in plan.meta["timings"].items())
        gap = "-" if plan.gap is None else f"{plan.gap:.2%}"
        print(f"{name:>18} {total:7.1f} {gap:>7} {holds!s:>6}  {steps}", flush=True)


def variant(base, sites: list[str] | None, days: int | None):
    time_cfg = base.time.model_copy(update={"representative_days": days or 1,
                                            "full_year_check": FullYearCheck.off,
                                            "resolution": Resolution.full_year if days is None
                                            else Resolution.representative_days})
    update = {"time": time_cfg}
    if sites is not None:
        update["sites"] = base.sites.model_copy(update={"include": sites})
        update["policy"] = base.policy.model_copy(update={
            "min_member_states": min(base.policy.min_member_states or 1, 2)})
    return base.model_copy(update=update)


def scaling(cat, quick: bool) -> None:
    base = load_scenario("scenarios/eu-gigafactory.yaml", cat)
    all_sites = candidate_sites(base, cat)
    sizes = [5, 10] if quick else [5, 10, 20, len(all_sites)]
    days_grid = [4, 12] if quick else [4, 12, 48]
    print(f"\n{'sites':>5} {'days':>5} {'status':>10} {'gap':>7} {'prepare':>8} {'build':>7} "
          f"{'coarse':>7} {'HiGHS':>8} {'read':>6} {'total':>8} {'outside HiGHS':>14}")
    cases = [(n, d) for n in sizes for d in days_grid
             if not (d == 48 and n > 10)] + ([(5, None)] if not quick else [])
    for n, days in cases:
        sc = variant(base, all_sites[:n], days)
        start = time.perf_counter()
        plan = solve(sc, cat, time_limit_s=300)
        total = time.perf_counter() - start
        t = plan.meta["timings"]
        highs_s = t.get("solve_s", 0.0) + t.get("coarse_start_s", 0.0)
        outside = total - highs_s
        gap = "-" if plan.gap is None else f"{plan.gap:.2%}"
        print(f"{n:5d} {days or 365:5d} {plan.status:>10} {gap:>7} {t['prepare_s']:8.2f} "
              f"{t['build_s']:7.2f} {t.get('coarse_start_s', 0.0):7.2f} {t['solve_s']:8.2f} "
              f"{t.get('extract_s', 0):6.2f} "
              f"{total:8.2f} {outside / total:13.0%}", flush=True)


def representative_vs_full(cat) -> None:
    base = load_scenario("scenarios/demo-tiny.yaml", cat)
    plan = solve(variant(base, None, None), cat, time_limit_s=600)
    if not plan.has_solution:
        print(f"\nthe full-year demo-tiny ended {plan.status} without a plan")
        return
    full = plan.kpis["tco_eur_per_year"]
    print(f"\n{'days':>5} {'TCO [EUR/yr]':>16} {'vs full year':>13}   (full year: {plan.status}, "
          f"gap {plan.gap:.2%}, {sum(plan.meta['timings'].values()):.0f} s)")
    for days in (2, 4, 8, 12, 24):
        tco = solve(variant(base, None, days), cat).kpis["tco_eur_per_year"]
        print(f"{days:5d} {tco:16,.0f} {100 * (tco / full - 1):12.3f}%", flush=True)
    print(f"{'365':>5} {full:16,.0f} {0:12.3f}%")


if __name__ == "__main__":
    catalogue = load_catalogue()
    if "--days" not in sys.argv:
        bundled(catalogue)
    if "--days" in sys.argv:
        representative_vs_full(catalogue)
    elif "--bundled" not in sys.argv:
        scaling(catalogue, quick="--quick" in sys.argv)
        representative_vs_full(catalogue)
