"""Not a test. How soon the command line answers: `--help`, and a solve's first progress line.

Run ``python benchmarks/cli_startup.py [--rounds N]`` from the repository. Prints the
wall time [s] of ``gigaplan --help`` (a fresh ``python -m planner`` process, to its
exit) and of ``gigaplan solve scenarios/demo-tiny.yaml`` to its first line on stderr and
to its exit, as the range over N rounds.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _help_s() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "planner", "--help"], cwd=ROOT, check=True,
                   capture_output=True)
    return time.perf_counter() - start


def _solve_s() -> tuple[float, float]:
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "planner", "solve",
                             "scenarios/demo-tiny.yaml"], cwd=ROOT, text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    proc.stderr.readline()
    first = time.perf_counter() - start
    proc.communicate()
    return first, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="runs of each [-]")
    args = parser.parse_args()
    helps = [_help_s() for _ in range(args.rounds)]
    solves = [_solve_s() for _ in range(args.rounds)]
    firsts, totals = [f for f, _ in solves], [t for _, t in solves]
    print(f"gigaplan --help                   {min(helps):.2f}-{max(helps):.2f} s")
    print(f"gigaplan solve demo-tiny: 1st line {min(firsts):.2f}-{max(firsts):.2f} s, "
          f"exit {min(totals):.2f}-{max(totals):.2f} s")


if __name__ == "__main__":
    main()
