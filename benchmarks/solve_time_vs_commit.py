"""Not a test. Solve time of bundled scenarios now against an earlier commit, alternately.

Run ``python benchmarks/solve_time_vs_commit.py BASE SCENARIO... [--rounds N]`` from the
repository (``BASE``: a commit, e.g. ``1e537b9``, the code before issue 12). The base is
checked out in a temporary git worktree. Each round runs one fresh Python process per
side, the two sides alternating so both see the same machine load; a process loads the
catalogue, then solves the scenario four times with ``planner.optimise.solve``: the first
solve is *cold* (it pays the lazy imports and file caches a first solve in a process
pays, as ``gigaplan solve`` does), the other three are *warm*. Prints, per scenario and
side, the range of the cold and of the warm solve times [s] and the ratio of the ranges.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOLVES = 4
CHILD = """
import sys, time
from planner.catalogue import load_catalogue
from planner.optimise import solve
from planner.scenario import load_scenario
catalogue = load_catalogue()
for _ in range({solves}):
    scenario = load_scenario("scenarios/" + sys.argv[1] + ".yaml", catalogue)
    start = time.perf_counter()
    solve(scenario, catalogue)
    print(time.perf_counter() - start, flush=True)
"""


def _times(tree: Path, scenario: str) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, "-c", CHILD.format(solves=SOLVES), scenario],
                         cwd=tree, env=env, check=True, capture_output=True, text=True).stdout
    return [float(line) for line in out.split()]


def _range(values: list[float]) -> str:
    return f"{min(values):.2f}-{max(values):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="commit to compare with")
    parser.add_argument("scenarios", nargs="+", help="bundled scenario names")
    parser.add_argument("--rounds", type=int, default=3, help="processes per side [-]")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(base), args.base],
                       cwd=ROOT, check=True)
        try:
            print(f"{'scenario':>12} {'side':>5} {'cold [s]':>11} {'warm [s]':>11}")
            for name in args.scenarios:
                cold = {"base": [], "now": []}
                warm = {"base": [], "now": []}
                for _ in range(args.rounds):
                    for side, tree in (("base", base), ("now", ROOT)):
                        t = _times(tree, name)
                        cold[side].append(t[0])
                        warm[side].extend(t[1:])
                for side in ("base", "now"):
                    print(f"{name:>12} {side:>5} {_range(cold[side]):>11} "
                          f"{_range(warm[side]):>11}")
                ratio_cold = (min(cold["now"]) / max(cold["base"]),
                              max(cold["now"]) / min(cold["base"]))
                ratio_warm = (min(warm["now"]) / max(warm["base"]),
                              max(warm["now"]) / min(warm["base"]))
                med = lambda v: sorted(v)[len(v) // 2]  # noqa: E731
                print(f"{name:>12} ratio cold {ratio_cold[0]:.2f}-{ratio_cold[1]:.2f} "
                      f"(medians {med(cold['now']) / med(cold['base']):.2f}), warm "
                      f"{ratio_warm[0]:.2f}-{ratio_warm[1]:.2f} "
                      f"(medians {med(warm['now']) / med(warm['base']):.2f})", flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT,
                           check=False)


if __name__ == "__main__":
    main()
