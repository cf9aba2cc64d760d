"""Running studies for real: process pool, Dask LocalCluster, resume, kill, failures."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from distributed import LocalCluster

from planner.errors import UsageError
from planner.study import load, run_study
from tests.cli.test_cli import run
from tests.conftest import ROOT, SCENARIOS, write

DEMO = (SCENARIOS / "demo-small.yaml").as_posix()
STUDY = SCENARIOS / "studies" / "demo-carbon-grid.yaml"
KPIS = ["tco_eur_per_year", "emissions_t_per_year", "gpus", "it_mw", "renewable_share"]


def kpi_table(folder: Path) -> pd.DataFrame:
    frame = load(folder).set_index("variant")
    return frame[["status", *frame.attrs["varied"], *KPIS, "open_sites"]]


@pytest.fixture(scope="module")
def local_two(tmp_path_factory) -> Path:
    """The demo study on a local pool of two worker processes."""
    folder = tmp_path_factory.mktemp("study") / "local2"
    result = run_study(STUDY, folder, workers=2)
    assert result.solved_now == 8 and result.failed == 0
    return folder


def test_every_variant_has_a_result_and_the_table_is_consolidated(local_two):
    frame = load(local_two)
    assert list(frame["variant"]) == [f"v{i:04d}" for i in range(1, 9)]
    assert set(frame["status"]) == {"optimal"}
    assert frame.attrs["varied"] == ["policy.carbon_price_eur_per_t", "finance.grid_price_factor"]
    assert frame["tco_eur_per_year"].gt(1e6).all() and frame["gap"].le(0.01).all()
    table = pd.read_parquet(local_two / "results.parquet")
    assert len(table) == 8 and table["variant"].is_unique
    header = json.loads((local_two / "study.json").read_text())
    assert header["variants"] == 8 and header["study"] == "demo-carbon-grid"
    # lever-only variants after the first of each batch re-used the built model
    assert frame["model_reused"].sum() == 6


def test_a_higher_carbon_price_never_raises_emissions(local_two):
    frame = load(local_two)
    for _, group in frame.groupby("finance.grid_price_factor"):
        emissions = group.sort_values("policy.carbon_price_eur_per_t")["emissions_t_per_year"]
        # each point is within the 1 % MIP gap, so allow a little slack in cost terms
        assert emissions.iloc[-1] <= emissions.iloc[0] + 1e-6


def test_same_results_on_one_worker_and_on_a_dask_cluster_of_two(local_two, tmp_path):
    one = tmp_path / "one"
    run_study(STUDY, one, workers=1)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        dask_run = run_study(STUDY, tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert dask_run.solved_now == 8
    workers = {json.loads(p.read_text())["worker"]
               for p in (tmp_path / "dask" / "results").glob("v*.json")}
    assert len(workers) == 2  # both Dask workers solved batches
    expected = kpi_table(local_two)
    pd.testing.assert_frame_equal(kpi_table(one), expected)
    pd.testing.assert_frame_equal(kpi_table(tmp_path / "dask"), expected)


def test_reuse_gives_the_plans_a_fresh_build_gives(local_two, tmp_path):
    fresh = run_study(STUDY, tmp_path / "fresh", workers=2, reuse=False)
    assert fresh.solved_now == 8
    a, b = kpi_table(local_two), kpi_table(tmp_path / "fresh")
    assert not load(tmp_path / "fresh")["model_reused"].any()
    pd.testing.assert_series_equal(a["tco_eur_per_year"], b["tco_eur_per_year"], rtol=0.01)


def test_resume_solves_only_what_is_missing(local_two, tmp_path):
    folder = tmp_path / "resume"
    run_study(STUDY, folder, workers=2)
    for vid in ("v0003", "v0007"):
        (folder / "results" / f"{vid}.json").unlink()
    again = run_study(STUDY, folder, workers=2)
    assert (again.already_done, again.solved_now) == (6, 2)
    assert len(load(folder)) == 8
    nothing = run_study(STUDY, folder, workers=2)
    assert nothing.solved_now == 0


def test_changed_definition_is_detected_not_mixed(local_two, tmp_path):
    study = write(tmp_path / "s.yaml", STUDY.read_text().replace(
        "base: ../demo-small.yaml", f"base: {DEMO}"))
    folder = tmp_path / "out"
    run_study(study, folder, workers=2)
    write(study, study.read_text().replace("[0, 100, 200, 300]", "[0, 50]"))
    with pytest.raises(UsageError, match="different study definition"):
        run_study(study, folder, workers=2)
    assert len(load(folder)) == 8  # old results untouched
    restarted = run_study(study, folder, workers=2, restart=True)
    assert restarted.variants == 4 and len(load(folder)) == 4


def test_failures_are_recorded_and_the_study_goes_on(catalogue, tmp_path):
    study = write(tmp_path / "s.yaml", f"""study: budgets
base: {DEMO}
sweeps:
  - field: policy.budget_eur
    values: [1.0e+6, 2.0e+8, 3.0e+5]
""")
    result = run_study(study, tmp_path / "out", workers=2)
    frame = load(tmp_path / "out").set_index("variant")
    assert result.failed == 2 and result.statuses == {"infeasible": 2, "optimal": 1}
    assert frame.loc["v0002", "status"] == "optimal"
    assert "capex budget of 1,000,000 EUR is exceeded" in frame.loc["v0001", "reason"]
    assert frame.loc["v0001", ["tco_eur_per_year"]].isna().all()


def test_pareto_front_trades_cost_for_emissions(tmp_path):
    study = write(tmp_path / "p.yaml", f"""study: front
base: {DEMO}
set:
  policy.renewable_share_frac: null
pareto: {{points: 4}}
""")
    run_study(study, tmp_path / "out", workers=2)
    frame = load(tmp_path / "out")
    assert frame.attrs["study"]["kind"] == "pareto"
    front = frame[frame["pareto"] != "anchor-emissions"].copy()
    front["point"] = front["pareto"].astype(int)
    front = front.sort_values("point")
    assert len(front) == 4 and set(front["status"]) == {"optimal"}
    caps = front["policy.carbon_cap_t_per_year"].iloc[:-1]
    assert caps.is_monotonic_increasing
    assert (front["emissions_t_per_year"].iloc[:-1] <= caps + 1e-3).all()
    # tighter caps cost more (within the 1 % MIP gap)
    tco = front["tco_eur_per_year"].to_numpy()
    assert tco[0] >= tco[-1] * 0.99


def _spawn(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "planner", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def test_kill_mid_run_then_resume_completes_without_duplicates(tmp_path):
    study = write(tmp_path / "s.yaml", f"""study: kill
base: {DEMO}
sweeps:
  - field: policy.carbon_price_eur_per_t
    start: 0
    stop: 220
    step: 20
batch_size: 3
""")
    folder = tmp_path / "out"
    proc = _spawn(["study", str(study), "--out", str(folder), "--workers", "2", "--quiet"])
    deadline = time.time() + 240
    while time.time() < deadline and len(list((folder / "results").glob("v*.json"))) < 3:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    finished = sorted((folder / "results").glob("v*.json"))
    assert 3 <= len(finished) < 12, "the study was not interrupted mid-run"
    for path in finished:  # every final-named file is whole
        assert json.loads(path.read_text())["variant"] == path.stem
    resumed = run("study", str(study), "--out", str(folder), "--workers", "2", "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    assert f"{12 - len(finished)} solved now, {len(finished)} already done" in resumed.stdout
    frame = load(folder)
    assert list(frame["variant"]) == [f"v{i:04d}" for i in range(1, 13)]
    assert set(frame["status"]) == {"optimal"}
    table = pd.read_parquet(folder / "results.parquet")
    assert len(table) == 12 and table["variant"].is_unique
    assert not list(folder.rglob("*.tmp")), "temporary files left behind"


def test_cli_dry_run_and_bad_flags(tmp_path):
    dry = run("study", str(STUDY), "--dry-run")
    assert dry.returncode == 0 and "v0008" in dry.stdout and "8 variants in 2 batches" in dry.stderr
    for args, message in [
        (["--out", str(tmp_path / "a"), "--workers", "0"], "--workers: must be at least 1"),
        (["--out", str(tmp_path / "b"), "--cluster", "pbs"], "allowed: slurm"),
        (["--out", str(tmp_path / "c"), "--cluster", "slurm"], "needs SLURM's 'sbatch'"),
        (["--out", str(tmp_path / "d"), "--scheduler", "tcp://a:1", "--cluster", "slurm"],
         "not both"),
        ([], "--out: is required"),
    ]:
        result = run("study", str(STUDY), *args)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr
    not_study = tmp_path / "notes"
    not_study.mkdir()
    (not_study / "keep.txt").write_text("mine")
    result = run("study", str(STUDY), "--out", str(not_study))
    assert result.returncode == 2 and "not a study folder" in result.stderr
    assert (not_study / "keep.txt").read_text() == "mine"


def test_report_writes_the_study_workbook_from_the_folder(local_two, tmp_path):
    import openpyxl

    xlsx = tmp_path / "study.xlsx"
    result = run("report", str(local_two), "--xlsx", str(xlsx))
    assert result.returncode == 0, result.stderr
    rows = list(openpyxl.load_workbook(xlsx)["Results"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == 8
    tco = header.index("tco_eur_per_year [EUR/yr]")
    frame = load(local_two)
    assert [r[tco] for r in body] == pytest.approx(list(frame["tco_eur_per_year"]), abs=0.005)


def test_slurm_workers_are_jobs_of_one_worker_with_the_solver_threads():
    from planner.study.runner import slurm_cluster

    cluster = slurm_cluster(workers=4, threads=2, submit=False)
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    assert "#SBATCH --cpus-per-task=2" in script and "#SBATCH --mem=" in script
    assert "--nthreads 2" in script and cluster.scheduler_address in script


def _kill_one_worker_after_first_result(folder: Path, killed: list[int]) -> None:
    import multiprocessing

    deadline = time.time() + 240
    while time.time() < deadline and not list((folder / "results").glob("v*.json")):
        time.sleep(0.05)
    workers = multiprocessing.active_children()
    if workers:
        os.kill(workers[0].pid, signal.SIGKILL)
        killed.append(workers[0].pid)


def test_a_killed_worker_costs_only_a_retry_of_its_variant(tmp_path):
    import threading

    study = write(tmp_path / "s.yaml", f"""study: worker-death
base: {(SCENARIOS / "demo-tiny.yaml").as_posix()}
reuse_models: false
sweeps:
  - field: policy.carbon_price_eur_per_t
    start: 0
    stop: 100
    step: 20
""")
    clean = run_study(study, tmp_path / "clean", workers=2)
    assert clean.failed == 0 and clean.solved_now == 6
    folder = tmp_path / "killed"
    killed: list[int] = []
    killer = threading.Thread(target=_kill_one_worker_after_first_result, args=(folder, killed))
    killer.start()
    result = run_study(study, folder, workers=2)
    killer.join()
    assert killed, "no worker was killed"
    assert result.failed == 0 and result.solved_now == 6
    pd.testing.assert_frame_equal(kpi_table(folder), kpi_table(tmp_path / "clean"))
    assert not list(folder.rglob("*.tmp"))
    # a variant recorded as a worker's death (twice in flight) is solved again on resume
    record = folder / "results" / "v0003.json"
    dead = json.loads(record.read_text())
    dead.update(status="error", reason="worker died 2 times while solving this variant",
                kpis={})
    record.write_text(json.dumps(dead))
    resumed = run_study(study, folder, workers=1)
    assert resumed.solved_now == 1 and resumed.failed == 0
    pd.testing.assert_frame_equal(kpi_table(folder), kpi_table(tmp_path / "clean"))


def test_a_folder_that_stops_taking_writes_mid_run_is_a_sentence_and_resumes(tmp_path):
    study = write(tmp_path / "s.yaml", f"""study: disk
base: {(SCENARIOS / "demo-tiny.yaml").as_posix()}
reuse_models: false
sweeps:
  - field: policy.carbon_price_eur_per_t
    start: 0
    stop: 100
    step: 20
""")
    folder = tmp_path / "out"
    proc = _spawn(["study", str(study), "--out", str(folder), "--workers", "1", "--quiet"])
    results = folder / "results"
    deadline = time.time() + 240
    while time.time() < deadline and not list(results.glob("v*.json")):
        time.sleep(0.05)
    saved = folder / "results-saved"
    results.rename(saved)
    results.symlink_to("/proc")  # a folder that refuses every new file, even for root
    _, stderr = proc.communicate(timeout=240)
    assert proc.returncode == 2, stderr
    assert "Traceback" not in stderr
    assert "cannot write the study's results" in stderr and "run the same command" in stderr
    results.unlink()
    saved.rename(results)
    resumed = run("study", str(study), "--out", str(folder), "--workers", "1", "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    frame = load(folder)
    assert list(frame["variant"]) == [f"v{i:04d}" for i in range(1, 7)]
    assert set(frame["status"]) == {"optimal"}
    assert not list(folder.rglob("*.tmp"))
