"""Benchmark: time to write the Excel report of a plan and of a 1,000-scenario study.

Not a test. Run `python benchmarks/report_workbook.py [--plan DIR] [--repeat N]`; prints
for each workbook the best and median write time [s] over N runs and the file size.

- plan: demo-small solved here (or a plan folder saved by `gigaplan solve --out DIR`,
  e.g. the flagship's), written with all nine sheets and four charts;
- study: a 40 x 25 grid (carbon price x grid price factor) of 1,000 variants with
  six KPIs, 3 % of them failed, written with its Results table and charts.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from planner.catalogue import load_catalogue
from planner.optimise import load_plan, solve
from planner.report import study_to_excel, to_excel
from planner.scenario import load_scenario


def grid_study(n_carbon: int = 40, n_factor: int = 25) -> pd.DataFrame:
    carbon, factor = np.meshgrid(np.linspace(0, 300, n_carbon), np.linspace(0.5, 2.0, n_factor))
    carbon, factor = carbon.ravel(), factor.ravel()
    n = carbon.size
    ok = np.arange(n) % 33 != 7
    tco = np.where(ok, 1.3e9 + 1.5e6 * carbon + 2.5e8 * factor, np.nan)
    results = pd.DataFrame({
        "variant": [f"v{i:04d}" for i in range(n)],
        "status": np.where(ok, "optimal", "infeasible"),
        "reason": np.where(ok, "", "renewable share unreachable at the allowed sites"),
        "policy.carbon_price_eur_per_t": carbon, "finance.grid_price_factor": factor,
        "tco_eur_per_year": tco, "eur_per_gpu_hour": tco / (80_000 * 8760),
        "gpus": np.where(ok, 80_000.0, np.nan), "it_mw": np.where(ok, 121.0, np.nan),
        "emissions_t_per_year": np.where(ok, 2e5 / (1 + carbon / 50), np.nan),
        "renewable_share": np.where(ok, np.minimum(1.0, 0.5 + carbon / 600), np.nan),
        "gap": np.where(ok, 0.008, np.nan), "solve_s": 20 + 10 * np.sin(np.arange(n))})
    results.attrs = {"varied": ["policy.carbon_price_eur_per_t", "finance.grid_price_factor"],
                     "kpis": ["tco_eur_per_year", "eur_per_gpu_hour", "gpus", "it_mw",
                              "emissions_t_per_year", "renewable_share"],
                     "study": {"name": "benchmark-grid", "base": "eu-gigafactory",
                               "definition_hash": "benchmark", "seed": 0, "kind": "grid"}}
    return results


def timed(write, path: Path, repeat: int) -> tuple[float, float, int]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        write(path)
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", type=Path, help="plan folder to report instead of demo-small")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    catalogue = load_catalogue()
    if args.plan:
        plan = load_plan(args.plan)
    else:
        plan = solve(load_scenario("scenarios/demo-small.yaml", catalogue), catalogue)
    study = grid_study()
    with tempfile.TemporaryDirectory() as folder:
        cases = {
            f"plan {plan.meta.get('scenario')} ({len(plan.sites)} sites, "
            f"{len(plan.energy)} site-periods)": lambda p: to_excel(plan, p, catalogue),
            f"study of {len(study)} variants": lambda p: study_to_excel(study, p),
        }
        print(f"{'workbook':<52} {'best [s]':>9} {'median [s]':>11} {'size [kB]':>10}")
        for i, (name, write) in enumerate(cases.items()):
            best, median, size = timed(write, Path(folder) / f"{i}.xlsx", args.repeat)
            print(f"{name:<52} {best:>9.2f} {median:>11.2f} {size / 1024:>10.0f}")


if __name__ == "__main__":
    main()
