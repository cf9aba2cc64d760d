"""Comparing plans, and background solves remembered by scenario hash."""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest

from planner.explorer import compare
from planner.explorer.edit import edited, field_values
from planner.explorer.jobs import SolveQueue
from planner.optimise import Plan
from planner.scenario import scenario_hash


def variant(plan: Plan, **kpis) -> Plan:
    spec = dict(plan.meta["scenario_spec"], policy=dict(
        plan.meta["scenario_spec"]["policy"], carbon_price_eur_per_t=300.0))
    meta = dict(plan.meta, scenario="demo-co2", scenario_hash="abcdef123456", scenario_spec=spec)
    return dataclasses.replace(plan, kpis=dict(plan.kpis, **kpis), meta=meta)


def test_kpis_are_marked_better_or_worse_against_the_baseline(demo):
    other = variant(demo, tco_eur_per_year=demo.kpis["tco_eur_per_year"] * 1.1,
                    emissions_t_per_year=demo.kpis["emissions_t_per_year"] / 2, gpus=800,
                    pue=demo.kpis["pue"] * 1.001)
    plans = {compare.plan_label(demo): demo, compare.plan_label(other): other}
    mine = f"demo-small · {demo.meta['scenario_hash'][:6]}"
    assert list(plans) == [mine, "demo-co2 · abcdef"]
    table, marks = compare.kpi_comparison(plans)
    assert table.loc["GPUs"].tolist() == ["776", "800", "+3.1%"]
    assert table.loc["TCO [EUR/yr]", "demo-co2 · abcdef, change [%]"] == "+10.0%"
    assert table.loc["renewable share, annual, net of curtailment (REF) [-]"].iloc[0] == \
        f"{demo.kpis['renewable_share']:.1%}"
    column = marks["demo-co2 · abcdef"]
    assert column["TCO [EUR/yr]"] == "worse" and column["emissions [tCO2/yr]"] == "better"
    assert column["GPUs"] == "changed" and column["PUE [-]"] == ""  # within the tolerance
    assert (marks[mine] == "").all()
    html = compare.highlight(table, marks).to_html()
    assert compare.WORSE in html and compare.BETTER in html and compare.CHANGED in html


def test_plans_are_named_by_what_they_change(demo):
    other = variant(demo)
    renamed = dataclasses.replace(other, meta=dict(other.meta, scenario="demo-small"))
    again = dataclasses.replace(renamed, meta=dict(renamed.meta, scenario_hash="fedcba654321"))
    labels = compare.plan_labels({"a": demo, "b": renamed, "c": other})
    assert labels == {"a": "demo-small", "b": "demo-small: carbon price 300 EUR/tCO2",
                      "c": "demo-co2"}
    twice = compare.plan_labels({"a": demo, "b": renamed, "d": again})
    assert twice["b"] != twice["d"] and twice["d"].endswith("fedcba")
    assert compare.field_phrase("policy.renewable_share_frac", 0.8) == "renewable share 80%"
    assert compare.field_phrase("accelerators", "h100-sxm, gb200") == \
        "accelerators h100-sxm, gb200"


def test_inputs_that_differ_and_sites_side_by_side(demo):
    other = variant(demo)
    plans = {"a": demo, "b": other}
    diff = compare.input_differences(plans)
    assert diff.index.tolist() == ["policy.carbon_price_eur_per_t"]
    assert diff.loc["policy.carbon_price_eur_per_t"].tolist() == [
        "carbon price [EUR/tCO2]", "67", "300"]
    sites = compare.site_comparison(plans)
    assert sites.index.tolist() == ["bologna"] and sites.loc["bologna", "a"].startswith("776 GPUs")
    infeasible = Plan(status="infeasible", gap=None, kpis={}, explanation=["x"], meta=other.meta)
    table, marks = compare.kpi_comparison({"a": demo, "c": infeasible})
    assert marks.loc["status", "c"] == "changed" and marks.loc["TCO [EUR/yr]", "c"] == ""
    assert len(compare.cost_comparison_figure({"a": demo, "c": infeasible}).data) == 1


def fake_solver(calls, gate=None):
    def solve(scenario, catalogue, progress=None):
        calls.append(scenario.name)
        if gate is not None:
            gate.wait(5)
        if scenario.name == "broken":
            raise RuntimeError("boom")
        return Plan(status="optimal", gap=0.0, kpis={"gpus": 1},
                    meta={"scenario": scenario.name, "scenario_hash": scenario_hash(scenario)})
    return solve


def renamed(scenario, name, catalogue):
    values = field_values(scenario)
    values["name"] = name
    return edited(scenario, values, {}, catalogue).scenario


def test_a_scenario_is_solved_once_and_remembered(demo_scenario, catalogue):
    calls = []
    queue = SolveQueue(catalogue, fake_solver(calls))
    first = queue.submit(demo_scenario)
    assert first.result().status == "optimal"
    again = queue.submit(demo_scenario)
    assert again is first and calls == ["demo-small"]
    assert queue.job(scenario_hash(demo_scenario)) is first and queue.job("nope") is None
    assert first.progress() == 1.0 and first.elapsed_s >= 0


def test_solves_run_one_at_a_time_and_failures_are_retried(demo_scenario, catalogue):
    calls, gate = [], threading.Event()
    queue = SolveQueue(catalogue, fake_solver(calls, gate))
    a = queue.submit(renamed(demo_scenario, "a", catalogue))
    b = queue.submit(renamed(demo_scenario, "broken", catalogue))
    time.sleep(0.2)
    assert a.started is not None and b.started is None and b.progress() == 0.0
    gate.set()
    assert a.result().meta["scenario"] == "a"
    with pytest.raises(RuntimeError):
        b.result()
    retried = queue.submit(renamed(demo_scenario, "broken", catalogue))
    assert retried is not b
    with pytest.raises(RuntimeError):
        retried.result()
    assert calls == ["a", "broken", "broken"]


def test_only_the_most_recent_plans_are_remembered(demo_scenario, catalogue):
    queue = SolveQueue(catalogue, fake_solver([]), remember=2)
    jobs = [queue.submit(renamed(demo_scenario, f"s{i}", catalogue)) for i in range(3)]
    for job in jobs:
        job.result()
    queue.submit(renamed(demo_scenario, "s3", catalogue)).result()
    assert queue.job(jobs[0].digest) is None and queue.job(jobs[2].digest) is jobs[2]


def test_cancel_ends_a_real_solve_and_says_so(demo_scenario, catalogue):
    queue = SolveQueue(catalogue)  # the real solver
    job = queue.submit(renamed(demo_scenario, "cancelled", catalogue))
    while job.started is None:
        time.sleep(0.01)
    assert queue.running() is job and "elapsed" in job.line()
    job.stop()
    plan = job.result()
    assert plan.status == "stopped"
    assert any("stopped on request" in note for note in plan.explanation)
    assert queue.running() is None and job.line().startswith("done")


def test_finance_kpis_are_compared_when_plans_have_them(demo):
    import dataclasses

    npv = "NPV of costs over the finance horizon [EUR]"
    older = dataclasses.replace(demo, kpis={k: v for k, v in demo.kpis.items()
                                            if k not in compare.FINANCE_KPIS})
    assert npv not in compare.kpi_comparison({"a": older, "b": older})[0].index
    cheaper = dataclasses.replace(demo, kpis={**demo.kpis, "npv_cost_eur": 90e6})
    dearer = dataclasses.replace(demo, kpis={**demo.kpis, "npv_cost_eur": 100e6})
    table, marks = compare.kpi_comparison({"a": dearer, "b": cheaper})
    assert table.loc[npv].tolist() == ["100,000,000", "90,000,000", "-10.0%"]
    assert marks.loc[npv, "b"] == "better"
