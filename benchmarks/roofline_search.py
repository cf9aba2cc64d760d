"""Benchmark: roofline layout search speed (not a test; run `python benchmarks/roofline_search.py`).

Measures, on one core, layouts evaluated per second and the time of a full layout
search for Llama 3 405B on 16,384 H100, for a 10T MoE on 9,216 GB200, and for a
deadline search (fewest GPUs for 90 days). Prints a table; numbers go in the notes.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from planner.catalogue import load_catalogue  # noqa: E402
from planner.roofline import api  # noqa: E402


def timed(fn, repeat: int = 5):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    cat = load_catalogue()
    cases = {
        "llama3-405b, 16,384 x h100-sxm (search)": lambda: api.estimate_training_run(
            cat, "h100-sxm", 15.6e12, model_id="llama3-405b", gpus=16384),
        "frontier-moe-10t, 9,216 x gb200 fp8 (search)": lambda: api.estimate_training_run(
            cat, "gb200", 40e12, model_id="frontier-moe-10t", gpus=9216, precision="fp8"),
        "deepseek-v3, 2,048 x h800 fp8 (search)": lambda: api.estimate_training_run(
            cat, "h800", 14.8e12, model_id="deepseek-v3", gpus=2048, seq_len=4096,
            precision="fp8"),
    }
    print(f"{'case':48s} {'time [ms]':>10s} {'layouts':>9s} {'layouts/s':>12s}")
    for name, fn in cases.items():
        seconds, est = timed(fn)
        print(f"{name:48s} {seconds * 1e3:10.1f} {est.layouts_evaluated:9,d} "
              f"{est.layouts_evaluated / seconds:12,.0f}")
    seconds, est = timed(lambda: api.estimate_training_run(
        cat, "h100-sxm", 15.6e12, model_id="llama3-405b", deadline_days=90), repeat=3)
    print(f"{'llama3-405b fewest h100-sxm for 90 days':48s} {seconds * 1e3:10.1f} "
          f"-> {est.gpus:,} GPUs, {est.wall_days:.1f} days")
    seconds, est = timed(lambda: api.estimate_inference(cat, "h100-sxm", "llama3-70b"))
    print(f"{'llama3-70b inference search, h100-sxm':48s} {seconds * 1e3:10.1f}")


if __name__ == "__main__":
    main()
