"""What-if from the explorer: one lever swept on the study machinery, and its curves."""

from __future__ import annotations

import io
import time
import zipfile

import pandas as pd
import pytest

from planner.explorer import whatif
from planner.study import load_study


def test_lever_values_are_evenly_spaced_and_bad_ranges_are_refused_in_words():
    carbon = whatif.LEVERS["carbon price"]
    assert whatif.lever_values(carbon, 0, 300, 5) == [0.0, 75.0, 150.0, 225.0, 300.0]
    share = whatif.LEVERS["renewable share target"]
    with pytest.raises(ValueError, match="stop of the renewable share target must be 0% to "
                                         "100%; got 120%"):
        whatif.lever_values(share, 0.5, 1.2, 5)
    with pytest.raises(ValueError, match="number of values must be 2 to 21; got 40"):
        whatif.lever_values(carbon, 0, 300, 40)
    with pytest.raises(ValueError, match="start and stop are equal"):
        whatif.lever_values(carbon, 10, 10, 3)


def test_the_written_study_is_a_valid_study_file(demo_scenario, catalogue, tmp_path):
    spec = whatif.study_spec("demo-small", "grid electricity price", [0.5, 1.0, 2.0], None,
                             30.0, 0.01)
    sp = load_study(whatif.write_study(tmp_path, demo_scenario, spec), catalogue)
    assert [v.values for v in sp.variants] == [{"finance.grid_price_factor": x}
                                              for x in (0.5, 1.0, 2.0)]
    assert sp.base.name == "demo-small"
    front = whatif.study_spec("demo-small", whatif.PARETO, None, 4, 30.0, 0.01)
    assert load_study(whatif.write_study(tmp_path / "p", demo_scenario, front),
                      catalogue).study.pareto.points == 4


def test_non_dominated_keeps_the_plans_nothing_beats_on_cost_and_emissions():
    tco = pd.Series([10.0, 12.0, 11.0, 9.0, 13.0])
    emissions = pd.Series([5.0, 3.0, 6.0, 8.0, 3.0])
    # (9, 8), (10, 5) and (12, 3) form the front; (11, 6) and (13, 3) are beaten
    assert whatif.non_dominated(tco, emissions).tolist() == [True, True, False, True, False]


@pytest.mark.slow
def test_a_carbon_price_what_if_runs_on_the_study_machinery(demo_scenario):
    values = whatif.lever_values(whatif.LEVERS["carbon price"], 0, 300, 4)
    job = whatif.WhatIf.start(demo_scenario, "carbon price", values=values, time_limit_s=60)
    deadline = time.monotonic() + 300
    while not job.done and time.monotonic() < deadline:
        time.sleep(0.2)
    assert job.done and job.error is None, job.error
    frame = job.results()
    assert job.line().startswith("4 of 4 variants solved")
    table = whatif.result_table(frame, "carbon price")
    assert table["carbon price [EUR/tCO2]"].tolist() == values
    assert (table["status"] == "optimal").all() and (table["sites"] != "").all()
    # a higher carbon price never buys more emissions (least cost within the 1 % gap)
    emissions = table["emissions [ktCO2/yr]"]
    assert emissions.iloc[-1] <= emissions.iloc[0]
    curve = whatif.curve_figure(frame, "carbon price")
    assert [len(t.x) for t in curve.data] == [4, 4, 4]
    assert len(whatif.pareto_figure(frame, "carbon price").data) >= 1
    names = zipfile.ZipFile(io.BytesIO(job.archive())).namelist()
    assert {"base.yaml", "study.yaml", "out/results.parquet", "out/study.json"} <= set(names)
    assert job.workbook()[:2] == b"PK"
    job.discard()
    assert not job.folder.exists()


def test_a_study_with_no_solved_variant_shows_its_reasons():
    frame = pd.DataFrame({"variant": ["v0"], "status": ["infeasible"],
                          "reason": ["grid too small at every site"],
                          "policy.renewable_share_frac": [1.0], "open_sites": [""]})
    frame.attrs = {"varied": ["policy.renewable_share_frac"]}
    assert whatif.solved(frame).empty
    table = whatif.result_table(frame, "renewable share target")
    assert table["renewable share target [%]"].tolist() == [100.0]
    assert table["why not solved"].tolist() == ["grid too small at every site"]
