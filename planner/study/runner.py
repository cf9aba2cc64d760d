"""Run a study: locally on a process pool, or on a Dask cluster (address or SLURM).

The driver validates the study, writes ``study.json`` and the design, skips what is
already finished (resume), hands out batches, and rewrites the consolidated table
as results arrive. Workers write their own result files (the study folder must be
on a filesystem the workers share, as on an HPC cluster); the driver also writes
any result a worker returned but could not write, so nothing finished is lost.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor
from concurrent.futures import wait as wait_local
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from planner import __version__
from planner.catalogue import load_catalogue
from planner.errors import UsageError
from planner.study import store
from planner.study.definition import StudyPlan, load_study
from planner.study.design import ANCHOR_EMISSIONS, Variant, base_sites, pareto_caps, stage
from planner.study.worker import failure, run_batch

TABLE_EVERY_S = 2.0


@dataclass
class StudyRun:
    """What a run did: counts and where the results are."""

    folder: Path
    variants: int
    already_done: int
    solved_now: int
    failed: int
    statuses: dict[str, int] = field(default_factory=dict)
    wall_s: float = 0.0


class Progress:
    """Callbacks for progress (the CLI draws a bar; the API default prints nothing)."""

    def start(self, total: int, done: int, failed: int) -> None:
        """Called once before solving."""

    def update(self, done: int, failed: int) -> None:
        """Called as results arrive."""

    def stop(self) -> None:
        """Called once at the end."""


def _header(sp: StudyPlan, created: str | None) -> dict[str, Any]:
    return {"study": sp.study.study, "description": sp.study.description, "file": sp.file,
            "base": sp.study.base, "base_scenario": sp.base.name,
            "definition_hash": sp.definition_hash, "data_version": sp.data_version,
            "gigaplan_version": __version__, "seed": sp.study.seed,
            "kind": _kind(sp), "varied": sp.study.varied,
            "variants": len(sp.variants), "reuse_models": sp.study.reuse_models,
            "batch_size": sp.study.batch_size,
            "solver": sp.study.solver.model_dump(),
            "created": created or datetime.now(UTC).isoformat(timespec="seconds")}


def _kind(sp: StudyPlan) -> str:
    if sp.study.pareto:
        return "pareto"
    return "robustness" if sp.study.robustness else "design"


def _design_frame(variants: list[Variant]) -> pd.DataFrame:
    return pd.DataFrame({"variant": [v.id for v in variants], "batch": [v.batch for v in variants],
                         "pareto": [None if v.pareto is None else str(v.pareto)
                                    for v in variants],
                         "role": [v.role for v in variants],
                         "values_json": [json.dumps(v.values, sort_keys=True) for v in variants],
                         "structure": [v.structure for v in variants]})


def prepare_folder(sp: StudyPlan, folder: Path, restart: bool) -> dict[str, Any]:
    """Create or check the study folder; return its header.

    Raises
    ------
    UsageError
        When the folder holds another study definition (unless ``restart``) or is
        a non-empty folder that is not a study.
    """
    created = None
    if folder.exists() and not folder.is_dir():
        raise UsageError.single("exists and is not a folder", field="--out", file=str(folder))
    if (folder / store.STUDY_FILE).is_file():
        old = store.read_header(folder)
        if old.get("definition_hash") != sp.definition_hash:
            if not restart:
                raise UsageError.single(
                    f"holds results of a different study definition (hash "
                    f"{old.get('definition_hash')}, this file {sp.definition_hash}: the study "
                    "file, its base scenario or the data changed); use another --out folder, "
                    "or --restart to delete the old results", field="--out", file=str(folder))
            for name in (store.RESULTS_DIR, "plans"):
                shutil.rmtree(folder / name, ignore_errors=True)
            for name in (store.TABLE_FILE, store.DESIGN_FILE):
                (folder / name).unlink(missing_ok=True)
        else:
            created = old.get("created")
    elif folder.is_dir() and any(folder.iterdir()):
        raise UsageError.single("is a non-empty folder that is not a study folder; refusing to "
                                "write into it", field="--out", file=str(folder))
    (folder / store.RESULTS_DIR).mkdir(parents=True, exist_ok=True)
    header = _header(sp, created)
    store.atomic_write_bytes(folder / store.STUDY_FILE, json.dumps(header, indent=1).encode())
    design = _design_frame(sp.variants)
    tmp = folder / f".{store.DESIGN_FILE}.tmp"
    design.to_parquet(tmp, index=False)
    tmp.replace(folder / store.DESIGN_FILE)
    store.remove_leftovers(folder)
    return header


class _LocalPool:
    def __init__(self, workers: int):
        self.size = workers
        self.executor = ProcessPoolExecutor(max_workers=workers,
                                            mp_context=multiprocessing.get_context("spawn"))

    def submit(self, task):
        return self.executor.submit(run_batch, task)

    def wait(self, futures, timeout: float):
        done, _ = wait_local(futures, timeout=timeout, return_when=FIRST_COMPLETED)
        return done

    def close(self, cancel: bool = False) -> None:
        if cancel:
            for proc in list(getattr(self.executor, "_processes", {}).values()):
                proc.terminate()
        self.executor.shutdown(wait=not cancel, cancel_futures=cancel)


class _DaskPool:
    def __init__(self, client, cluster=None):
        self.client, self.cluster = client, cluster

    def submit(self, task):
        return self.client.submit(run_batch, task, pure=False)

    def wait(self, futures, timeout: float):
        from distributed import wait

        try:
            result = wait(list(futures), timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return set()
        return set(result.done)

    def close(self, cancel: bool = False) -> None:
        if cancel:
            self.client.cancel(list(self.client.futures.values()) if hasattr(
                self.client, "futures") else [])
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def slurm_cluster(workers: int, threads: int, submit: bool = True):
    """A dask-jobqueue SLURMCluster with ``workers`` jobs of one worker process each.

    Queue, account, walltime and memory come from Dask's configuration
    (``~/.config/dask/jobqueue.yaml``, section ``jobqueue.slurm``); cores default to
    the study's solver threads and memory to 8 GiB when not configured. With
    ``submit=False`` no job is submitted (to inspect ``cluster.job_script()``).
    """
    import dask
    from dask_jobqueue import SLURMCluster

    cluster = SLURMCluster(cores=dask.config.get("jobqueue.slurm.cores", None) or threads,
                           memory=dask.config.get("jobqueue.slurm.memory", None) or "8GiB",
                           processes=1)
    if submit:
        cluster.scale(jobs=workers)
    return cluster


def check_pool_options(workers: int | None, scheduler: str | None, cluster: str | None) -> None:
    """Reject conflicting or unknown executor options before anything is written."""
    if workers is not None and workers < 1:
        raise UsageError.single("must be at least 1", field="--workers")
    if scheduler and cluster:
        raise UsageError.single("give --scheduler or --cluster, not both", field="--scheduler")
    if cluster is not None and cluster != "slurm":
        raise UsageError.single(f"unknown cluster '{cluster}'", field="--cluster",
                                allowed="slurm")
    if cluster == "slurm" and shutil.which("sbatch") is None:
        raise UsageError.single("needs SLURM's 'sbatch' on PATH (run on a SLURM login node), "
                                "or give --scheduler ADDRESS of a running Dask scheduler",
                                field="--cluster")


def _pool(workers: int, scheduler: str | None, cluster: str | None, threads: int):
    if scheduler or cluster:
        from distributed import Client

        jobs = slurm_cluster(workers, threads) if cluster else None
        try:
            client = Client(jobs if jobs is not None else scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise UsageError.single(f"cannot reach the Dask scheduler: {exc}",
                                    field="--scheduler") from None
        return _DaskPool(client, jobs)
    return _LocalPool(workers)


def _variant_dict(v: Variant) -> dict[str, Any]:
    """What a worker needs of a variant (plain data, picklable)."""
    return {"id": v.id, "batch": v.batch, "values": v.values, "pareto": v.pareto, "role": v.role,
            "spec": v.spec}


def _task(folder: Path, data_dir: str | None, reuse: bool, save_plans: bool,
          variants: list[Variant]) -> dict[str, Any]:
    return {"folder": str(folder), "data_dir": data_dir, "reuse": reuse, "save_plans": save_plans,
            "robustness": any(v.role is not None for v in variants),
            "variants": [_variant_dict(v) for v in variants]}


def _apply_caps(sp: StudyPlan, results: dict[str, dict]) -> list[Variant]:
    """Set the Pareto points' caps from their anchors; return points whose anchors failed."""
    failed = []
    by_group: dict[int, dict] = {}
    last = sp.study.pareto.points - 1
    for v in sp.variants:
        if v.pareto == ANCHOR_EMISSIONS or v.pareto == last:
            by_group.setdefault(v.group, {})[v.pareto] = results.get(v.id)
    for v in sp.variants:
        if stage(v) != 2:
            continue
        anchors = by_group.get(v.group, {})
        low, high = anchors.get(ANCHOR_EMISSIONS), anchors.get(last)
        if not low or not high or not low.get("kpis") or not high.get("kpis"):
            failed.append(v)
            continue
        caps = pareto_caps(low["kpis"]["emissions_t_per_year"],
                           high["kpis"]["emissions_t_per_year"], sp.study.pareto.points)
        v.spec["policy"]["carbon_cap_t_per_year"] = caps[v.pareto]
    return failed


WORKER_DEATH = "worker died"
"""Start of the reason recorded for a variant whose worker process died twice on it."""
WORKER_LIVES = 2
"""Deaths of a worker a variant may see (in flight when its worker died) before it fails."""


def _in_flight(batch: list[Variant], folder: Path) -> list[Variant]:
    """The variants of ``batch`` that have no result on disk yet, in order."""
    on_disk = store.read_results(folder)
    return [v for v in batch if v.id not in on_disk]


def run_study(study_file: str | Path | StudyPlan, out: str | Path, workers: int | None = None,
              scheduler: str | None = None, cluster: str | None = None,
              data: str | Path | None = None, restart: bool = False, retry_failed: bool = False,
              save_plans: bool = False, reuse: bool | None = None,
              progress: Progress | None = None,
              on_loaded: Callable[[StudyPlan], None] | None = None) -> StudyRun:
    """Run (or resume) a study; return what was done.

    Parameters
    ----------
    study_file : a study YAML file, or a study already loaded (:func:`load_study`,
        :func:`~planner.study.definition.study_plan`).
    workers : local worker processes (default: the machine's cores), Dask workers to
        wait for, or SLURM jobs with ``cluster="slurm"``.
    scheduler : address of a running Dask scheduler (``tcp://host:8786``).
    restart : delete the results of an older study definition in ``out``.
    retry_failed : solve again the variants recorded as ``error``.
    reuse : override the study's ``reuse_models``.

    A local worker process that dies (killed, out of memory) breaks the process pool:
    the pool is started again and every batch still unfinished is resubmitted from its
    first variant without a result, so one death costs only the variants in flight
    their first attempt. A variant in flight at :data:`WORKER_LIVES` deaths is recorded
    as an error ("worker died ..."); a resume solves such variants again.
    """
    started = time.perf_counter()
    progress = progress or Progress()
    data_dir = str(data) if data is not None else None
    catalogue = load_catalogue(data)
    check_pool_options(workers, scheduler, cluster)
    sp = study_file if isinstance(study_file, StudyPlan) else load_study(study_file, catalogue)
    if on_loaded is not None:
        on_loaded(sp)
    folder = Path(out)
    use_reuse = sp.study.reuse_models if reuse is None else reuse
    if not use_reuse:
        for i, v in enumerate(sp.variants):
            v.batch = i
    prepare_folder(sp, folder, restart)
    results = store.read_results(folder)
    if retry_failed:
        results = {k: r for k, r in results.items() if r["status"] != "error"}
    else:  # a worker's death is not the variant's fault: a resume tries it again
        results = {k: r for k, r in results.items()
                   if not str(r.get("reason", "")).startswith(WORKER_DEATH)}
    already = len(results)
    n_workers = workers or multiprocessing.cpu_count()
    progress.start(len(sp.variants), already, _failed(results))
    pool = None
    try:
        for current_stage in (1, 2):
            if current_stage == 2:
                if not sp.study.pareto and not sp.study.robustness:
                    break
                if sp.study.pareto:
                    unmet, why = _apply_caps(sp, results), "a Pareto anchor of this front failed"
                else:
                    unmet, why = base_sites(sp.variants, results), "the base plan failed"
                for v in unmet:
                    if v.id not in results:
                        results[v.id] = failure(_variant_dict(v), why)
                        store.write_result(folder, results[v.id])
            pending = [v for v in sp.variants if stage(v) == current_stage and v.id not in results]
            if not pending:
                continue
            batches: dict[int, list[Variant]] = {}
            for v in pending:
                batches.setdefault(v.batch, []).append(v)
            wanted = min(n_workers, len(batches)) if not (scheduler or cluster) else n_workers
            if pool is not None and isinstance(pool, _LocalPool) and pool.size < wanted:
                pool.close()  # stage 1 needed fewer workers than stage 2 can use
                pool = None
            if pool is None:
                pool = _pool(wanted, scheduler, cluster, sp.study.solver.threads)
            futures = {pool.submit(_task(folder, data_dir, use_reuse, save_plans, b)): b
                       for b in batches.values()}
            deaths: dict[str, int] = {}
            last_table = 0.0
            while futures:
                finished = pool.wait(list(futures), timeout=0.5)
                if any(isinstance(f.exception(), BrokenProcessPool) for f in finished):
                    pool, futures = _after_worker_death(
                        pool, futures, folder, deaths, results, n_workers,
                        lambda b: _task(folder, data_dir, use_reuse, save_plans, b))
                    progress.update(len(results), _failed(results))
                    continue
                for fut in finished:
                    batch = futures.pop(fut)
                    try:
                        returned = fut.result()
                    except Exception as exc:  # noqa: BLE001 - a dead worker fails its batch only
                        returned = []
                        on_disk = store.read_results(folder)
                        for v in batch:
                            if v.id in on_disk:
                                returned.append(on_disk[v.id])
                            else:
                                rec = failure(_variant_dict(v),
                                              f"worker failed: {type(exc).__name__}: {exc}")
                                store.write_result(folder, rec)
                                returned.append(rec)
                    for rec in returned:
                        if not (folder / store.RESULTS_DIR / f"{rec['variant']}.json").is_file():
                            store.write_result(folder, rec)
                        results[rec["variant"]] = rec
                results.update(store.read_new_results(folder, results))  # written in batches
                progress.update(len(results), _failed(results))
                if time.perf_counter() - last_table > TABLE_EVERY_S:
                    _write_table(folder, sp, results)
                    last_table = time.perf_counter()
    except BaseException:
        if pool is not None:
            pool.close(cancel=True)
            pool = None
        raise
    finally:
        if pool is not None:
            pool.close()
        progress.stop()
    _write_table(folder, sp)
    final = store.read_results(folder)
    statuses: dict[str, int] = {}
    for r in final.values():
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    solved_now = len(final) - already  # counts what dead workers wrote before they died
    return StudyRun(folder, len(sp.variants), already, solved_now, _failed(final), statuses,
                    time.perf_counter() - started)


def _after_worker_death(pool, futures: dict, folder: Path, deaths: dict[str, int],
                        results: dict[str, dict], n_workers: int, task):
    """A fresh local pool with every unfinished batch resubmitted (see :func:`run_study`)."""
    pool.close(cancel=True)
    results.update(store.read_new_results(folder, results))
    remaining = []
    for batch in futures.values():
        left = _in_flight(batch, folder)
        if not left:
            continue
        first = left[0]
        deaths[first.id] = deaths.get(first.id, 0) + 1
        if deaths[first.id] >= WORKER_LIVES:
            rec = failure(_variant_dict(first), f"{WORKER_DEATH} {deaths[first.id]} times while "
                          "solving this variant (killed, or out of memory)")
            store.write_result(folder, rec)
            results[first.id] = rec
            left = left[1:]
        if left:
            remaining.append(left)
    fresh = _LocalPool(max(1, min(n_workers, len(remaining)))) if remaining else pool
    return fresh, {fresh.submit(task(b)): b for b in remaining}


def _failed(results: dict[str, dict]) -> int:
    """Variants without a plan (infeasible, error, or no incumbent in the time limit)."""
    return sum(1 for r in results.values() if not r.get("kpis"))


def _write_table(folder: Path, sp: StudyPlan, results: dict[str, dict] | None = None) -> None:
    """Rewrite results.parquet from ``results`` (default: every file in the folder)."""
    header = store.read_header(folder)
    results = store.read_results(folder) if results is None else results
    store.write_table(folder, store.results_frame(results, header, _design_frame(sp.variants)))
