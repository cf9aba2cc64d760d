"""The explorer's siting views as pure functions: why this plan, robustness, alternatives.

Real demo-small runs: site costs (about 1 s), the policy re-solve (about 2 s), a
robustness study of 2 draws on the study machinery (about 10 s) and two alternatives
(about 10 s), the last two in their background threads as the explorer starts them.
"""

from __future__ import annotations

import time

import pytest

from planner.explorer import compare, siting
from planner.explorer.tables import shown
from planner.siting import tables
from planner.siting.why import PARTS


def wait(job, timeout_s: float = 240.0):
    end = time.monotonic() + timeout_s
    while not job.done:
        assert time.monotonic() < end, f"still running: {job.line()}"
        time.sleep(0.2)
    assert job.error is None, job.error
    return job


def test_why_sites_cost_every_candidate_cheapest_first_with_the_plan_site_open(demo, catalogue):
    costs = siting.why_sites(demo, catalogue)
    assert {"bologna", "julich", "kajaani"} <= set(costs.index)
    assert list(costs["total_eur_per_mw_year"]) == sorted(costs["total_eur_per_mw_year"])
    parts = costs[[f"{p}_eur_per_mw_year" for p in PARTS]].sum(axis=1)
    assert parts.to_numpy() == pytest.approx(costs["total_eur_per_mw_year"].to_numpy())
    assert costs.loc["bologna", "open"] and not costs.loc["kajaani", "open"]
    fig = siting.parts_figure(costs)
    bars = [t for t in fig.data if t.type == "bar"]
    assert [t.name for t in bars] == [tables.PART_HEADERS[p] for p in PARTS]
    assert list(bars[0].x) == list(costs.index)
    assert fig.layout.barmode == "relative"  # heat revenue below the axis
    text = shown(tables.site_table(costs))
    assert list(text["site"]) == list(costs.index)
    assert any(str(c).startswith("power") for c in text.columns)


def test_price_policies_prices_the_renewable_target_of_the_demo(demo, catalogue):
    policies = siting.price_policies(demo, catalogue)
    assert list(policies["policy"]) == ["renewable_share_frac"]
    row = policies.iloc[0]
    assert row["cost_low_eur_per_year"] <= row["cost_eur_per_year"] + 1e-6
    assert row["cost_eur_per_year"] <= row["cost_high_eur_per_year"] + 1e-6


def test_robustness_spec_bounds_the_draws():
    spec = siting.robustness_spec("demo", 3, 7, 30.0)
    assert spec["robustness"] == {"draws": 3} and spec["seed"] == 7
    with pytest.raises(ValueError, match="draws must be 1 to 200"):
        siting.robustness_spec("demo", siting.MAX_DRAWS + 1, 7, 30.0)


def test_a_robustness_run_in_the_background_summarises_its_draws(demo_scenario, catalogue):
    job = wait(siting.RobustnessRun.start_draws(demo_scenario, 2))
    assert "5 of 5 solves done" in job.line()
    robust = job.summary(catalogue)
    assert len(robust.draws) == 2
    lines = siting.robustness_lines(robust)
    assert lines[0].startswith("bologna (IT) open in") and "of draws" in lines[0]
    assert any(line.startswith("regret of the base siting") for line in lines)
    fig = siting.spread_figure(robust)
    assert [t.type for t in fig.data] == ["box", "box", "histogram"]
    assert len(fig.data[0].y) == 2
    assert job.robustness_workbook(catalogue)[:2] == b"PK"  # a zip: the xlsx
    job.discard()


def test_alternatives_run_labels_its_plans_for_compare(demo, demo_scenario, catalogue):
    job = wait(siting.AlternativesRun.start(demo_scenario, catalogue, 0.15, 2))
    found = job.found
    assert "2 alternatives found within 15.0%" in job.line()
    labels = siting.alternative_labels(found)
    assert list(labels) == ["a01", "a02"]
    assert labels["a01"].startswith("demo-small · alternative a01 (without IT, +")
    session = {"base": demo, **siting.labelled_alternatives(found, "base")}
    named = compare.plan_labels(session)
    assert named["base"] == "demo-small"
    assert named["base:a01"] == labels["a01"]
    table, _ = compare.kpi_comparison({named[k]: p for k, p in session.items()})
    assert len(table.columns) >= 3
    fig = siting.share_figure(found.by_country)
    assert {t.name for t in fig.data} >= {"IT"}
    assert sum(t.y[0] for t in fig.data) == pytest.approx(100.0)
