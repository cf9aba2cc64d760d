"""`gigaplan explain PLAN_DIR`: why this plan — cost per MW at every site, cost per policy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from planner.cli.flags import check_gap
from planner.cli.render import frame_records, handle_errors, out, print_frame, print_json
from planner.errors import UsageError


def command(
    plan_dir: Annotated[Path, typer.Argument(help="plan folder (from `gigaplan solve --out`)")],
    policies: Annotated[bool, typer.Option("--policies/--no-policies", help="re-solve with each "
                                           "policy relaxed to price it")] = True,
    gap: Annotated[float | None, typer.Option(help="relative MIP gap of the policy re-solves, "
                                              "e.g. 0.001 (default: the scenario's)")] = None,
    json: Annotated[bool, typer.Option("--json", help="one JSON object on stdout")] = False,
    data: Annotated[Path | None, typer.Option("--data", help="catalogue folder")] = None,
) -> None:
    """Why this plan: the cost of 1 MW of IT at every site, and the cost of each policy.

    The levelised cost of 1 MW of IT at every candidate site comes in parts (power,
    cooling, building, labour, grid upgrade, heat revenue); each policy the scenario sets
    is priced by re-solving the plan with it relaxed, in EUR/yr and EUR/GPU-h.

    Writes why_sites.csv and why_policies.csv into PLAN_DIR (the Excel report of the
    folder then has a Why this plan sheet). A policy whose cost the solves' MIP gap cannot
    tell from zero says "within the gap": tighten it with --gap.
    """
    why = _explain(plan_dir, policies, data, gap)
    if json:
        print_json({"meta": why.meta, "sites": frame_records(why.site_costs.reset_index()),
                    "policies": frame_records(why.policy_costs)})
        return
    _print(why)


@handle_errors
def _explain(plan_dir: Path, policies: bool, data: Path | None, gap: float | None):
    from planner.catalogue import load_catalogue
    from planner.optimise import load_plan
    from planner.scenario import Scenario
    from planner.siting.why import explain

    check_gap(gap)
    if not (plan_dir / "plan.json").is_file():
        raise UsageError.single("is not a plan folder (no plan.json); write one with "
                                "`gigaplan solve SCENARIO --out DIR`", field="PLAN_DIR",
                                file=str(plan_dir))
    plan = load_plan(plan_dir)
    if not plan.has_solution:
        raise UsageError.single(f"holds no plan to explain (status {plan.status})",
                                field="PLAN_DIR", file=str(plan_dir))
    catalogue = load_catalogue(data)
    scenario = Scenario.model_validate(plan.meta["scenario_spec"])
    if gap is not None:
        scenario = scenario.model_copy(update={"solver": scenario.solver.model_copy(
            update={"mip_gap_frac": gap})})
    why = explain(scenario, catalogue, plan, policies=policies)
    why.save(plan_dir)
    return why


def _print(why) -> None:
    from planner.siting.tables import policy_table, site_table

    meta = why.meta
    out.print(f"{meta['scenario']}: 1 MW of IT in a block of {meta['block_mw']:,.1f} MW at "
              f"{meta['load_factor']:.0%} load and {meta['renewable_share']:.0%} renewable "
              "supply", markup=False)
    print_frame(site_table(why.site_costs), title="levelised cost of 1 MW of IT, by site")
    if len(why.policy_costs):
        print_frame(policy_table(why.policy_costs), title="cost of each policy (re-solved "
                    "with it relaxed)")
        base, plan_tco = meta.get("policy_base_tco_eur_per_year"), meta.get(
            "plan_tco_eur_per_year")
        if base is not None:
            out.print(f"  priced against the optimum on the representative days, {base / 1e6:,.1f} "
                      f"M EUR/yr (proven gap {meta.get('policy_base_gap') or 0:.2%}); the plan "
                      f"itself, after its full-year check, {plan_tco / 1e6:,.1f} M EUR/yr",
                      markup=False)
    else:
        out.print("the scenario sets no policy to price", markup=False)
