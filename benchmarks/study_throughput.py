"""Benchmark: study throughput [scenarios/min] on 1 and 2 workers, with and without re-use.

Not a test. Run `python benchmarks/study_throughput.py [--flagship] [--configs=1r,1f,2r,2f]`.

- default: a 24-variant carbon-price sweep (0-230 EUR/t) over the small demo
  (3 sites, 4 representative days), local process pool;
- ``--flagship``: an 8-variant sweep (0-280 EUR/t) over the flagship at 4
  representative days (42 sites), 1 and 2 workers.

Re-use means lever-only variants re-solve on the built model and persistent HiGHS
instance with the previous solution as a MIP start (batches of 4); without it every
variant is prepared, built and solved afresh. Wall time includes starting the
worker processes. Prints one row per configuration, and the largest TCO difference
between the runs (they agree within the MIP gap).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from planner.study import load, run_study

ROOT = Path(__file__).resolve().parents[1]

DEMO = f"""study: bench-demo
base: {ROOT / 'scenarios' / 'demo-small.yaml'}
sweeps:
  - field: policy.carbon_price_eur_per_t
    start: 0
    stop: 230
    step: 10
solver: {{time_limit_s: 60}}
"""
FLAGSHIP = f"""study: bench-flagship
base: {ROOT / 'scenarios' / 'eu-gigafactory.yaml'}
set:
  time.representative_days: 4
sweeps:
  - field: policy.carbon_price_eur_per_t
    start: 0
    stop: 280
    step: 40
solver: {{time_limit_s: 300}}
"""


def main() -> None:
    """Run every configuration and print the table."""
    flagship = "--flagship" in sys.argv
    text = FLAGSHIP if flagship else DEMO
    configs = [(1, True), (1, False), (2, True), (2, False)]
    for arg in sys.argv[1:]:  # e.g. --configs=2r,2f (workers, r = re-use, f = fresh builds)
        if arg.startswith("--configs="):
            configs = [(int(c[:-1]), c[-1] == "r") for c in arg.split("=", 1)[1].split(",")]
    print(f"{'workers':>7} {'re-use':>6} {'variants':>8} {'wall [s]':>9} {'scen/min':>9} "
          f"{'mean solve [s]':>14} {'re-used':>7}")
    tco = {}
    with tempfile.TemporaryDirectory() as tmp:
        study = Path(tmp) / "study.yaml"
        study.write_text(text)
        for workers, reuse in configs:
            out = Path(tmp) / f"w{workers}-{reuse}"
            start = time.perf_counter()
            run = run_study(study, out, workers=workers, reuse=reuse)
            wall = time.perf_counter() - start
            frame = load(out)
            tco[(workers, reuse)] = frame.set_index("variant")["tco_eur_per_year"]
            print(f"{workers:>7} {str(reuse):>6} {run.variants:>8} {wall:>9.1f} "
                  f"{run.variants / wall * 60:>9.1f} {frame['solve_s'].mean():>14.2f} "
                  f"{int(frame['model_reused'].sum()):>7}")
    ref = next(iter(tco.values()))
    worst = max(float(((t - ref).abs() / ref).max()) for t in tco.values())
    print(f"largest TCO difference between configurations: {worst:.3%}")


if __name__ == "__main__":
    main()
