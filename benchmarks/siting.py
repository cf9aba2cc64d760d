"""Benchmark: the flagship's robustness study and near-optimal alternatives, timed.

Not a test. Run `python benchmarks/siting.py [--draws 50] [--count 6] [--workers 2]
[--only robustness|alternatives]`.

- robustness: `scenarios/studies/flagship-robustness.yaml` with its draws replaced by
  ``--draws`` (50 by default: 101 solves), on ``--workers`` local processes; prints the
  wall time, how many solves re-used the built model and how many rebuilt it, the
  share of draws with the base sites, the TCO spread and the regret;
- alternatives: `gigaplan alternatives` on the flagship, slack 2 %, ``--count`` (6),
  each alternative's solves limited to 120 s; prints the wall time, the alternatives and
  the member-state directions beyond the slack.

The peak resident memory of the processes is read from ``getrusage`` (children).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "planner", *args], cwd=ROOT, text=True,
                          capture_output=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return time.perf_counter() - start, done


def robustness(draws: int, workers: int, folder: Path) -> dict:
    study = (ROOT / "scenarios" / "studies" / "flagship-robustness.yaml").read_text()
    study = study.replace("robustness: {draws: 50}", f"robustness: {{draws: {draws}}}")
    study = study.replace("base: ../eu-gigafactory.yaml",
                          f"base: {ROOT / 'scenarios' / 'eu-gigafactory.yaml'}")
    path = folder / "flagship-robustness.yaml"
    path.write_text(study)
    wall, _ = _run(["study", str(path), "--out", str(folder / "robust"), "--workers",
                    str(workers), "--quiet"])
    from planner.catalogue import load_catalogue
    from planner.study.robustness import summarise

    summary = summarise(folder / "robust", load_catalogue()).summary
    return {"wall_s": round(wall, 1), "draws": draws, "workers": workers,
            **{k: summary[k] for k in ("solves", "solves_re_used", "solves_rebuilt",
                                       "draws_with_base_sites_frac", "tco_min_eur_per_year",
                                       "tco_median_eur_per_year", "tco_max_eur_per_year",
                                       "regret_mean_eur_per_year", "regret_max_eur_per_year",
                                       "draws_base_sites_infeasible")}}


def alternatives(count: int, folder: Path) -> dict:
    wall, done = _run(["alternatives", str(ROOT / "scenarios" / "eu-gigafactory.yaml"),
                       "--slack", "0.02", "--count", str(count), "--time-limit", "120",
                       "--json", "--quiet", "--out", str(folder / "alt")])
    found = json.loads(done.stdout)
    return {"wall_s": round(wall, 1), "found": found["meta"]["count_found"],
            "tried": found["meta"]["directions_tried"],
            "beyond_slack": found["meta"]["beyond_slack_frac"],
            "plans": [{k: row[k] for k in ("plan", "direction", "tco_above_optimum_frac",
                                           "open_sites", "differs_in")}
                      for row in found["summary"]]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draws", type=int, default=50)
    parser.add_argument("--count", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", choices=["robustness", "alternatives"])
    args = parser.parse_args()
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        if args.only in (None, "robustness"):
            out["robustness"] = robustness(args.draws, args.workers, Path(tmp))
        if args.only in (None, "alternatives"):
            out["alternatives"] = alternatives(args.count, Path(tmp))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
    out["peak_rss_gib"] = round(peak, 2)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
