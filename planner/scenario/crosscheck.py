"""Check a scenario's identifiers against the catalogue, with did-you-mean hints."""

from __future__ import annotations

from collections.abc import Iterable

from planner.catalogue import Catalogue
from planner.catalogue.validate import REQUIRED_FINANCE, finance_value_problem
from planner.errors import Problem, did_you_mean, list_allowed
from planner.scenario.load import Locator
from planner.scenario.schema import Scenario

ENERGY_SOURCES = ("pv_utility", "wind_onshore")


def _check_ids(values: Iterable[str], valid: Iterable[str], path: tuple, what: str,
               locator: Locator) -> list[Problem]:
    valid = list(valid)
    problems = []
    for i, value in enumerate(values):
        if value not in valid:
            file, line = locator.locate(path + (i,))
            problems.append(Problem(f"unknown {what} '{value}'{did_you_mean(value, valid)}",
                                    file=file, line=line,
                                    field=".".join(map(str, path)) + f"[{i}]",
                                    allowed=list_allowed(valid)))
    return problems


def _check_one(value: str, valid: Iterable[str], path: tuple, what: str,
               locator: Locator) -> list[Problem]:
    valid = list(valid)
    if value in valid:
        return []
    file, line = locator.locate(path)
    field = ""
    for part in path:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else part)
    return [Problem(f"unknown {what} '{value}'{did_you_mean(value, valid)}", file=file,
                    line=line, field=field, allowed=list_allowed(valid))]


def crosscheck(scenario: Scenario, catalogue: Catalogue, locator: Locator) -> list[Problem]:
    """All problems with catalogue ids named in the scenario."""
    problems: list[Problem] = []
    sites = catalogue.ids("sites")
    countries = catalogue.ids("countries")
    problems += _check_ids(scenario.accelerators, catalogue.ids("accelerators"),
                           ("accelerators",), "accelerator", locator)
    problems += _check_ids(scenario.cooling, catalogue.ids("cooling"), ("cooling",),
                           "cooling technology", locator)
    problems += _check_ids(scenario.sites.countries, countries, ("sites", "countries"),
                           "member state", locator)
    problems += _check_ids(scenario.sites.include, sites, ("sites", "include"), "site", locator)
    problems += _check_ids(scenario.sites.exclude, sites, ("sites", "exclude"), "site", locator)
    problems += _check_ids(scenario.sites.fixed_open or [], sites, ("sites", "fixed_open"), "site",
                           locator)
    for site in scenario.sites.overrides:
        problems += _check_one(site, sites, ("sites", "overrides", site), "site", locator)
    problems += _check_ids(scenario.energy.ppa, ENERGY_SOURCES, ("energy", "ppa"),
                           "PPA technology", locator)
    problems += _check_ids(scenario.energy.onsite, ENERGY_SOURCES, ("energy", "onsite"),
                           "on-site technology", locator)
    finance_keys = sorted(REQUIRED_FINANCE - {"currency", "price_year"})
    for key, value in scenario.finance.items():
        found = _check_one(key, finance_keys, ("finance", key), "finance parameter", locator)
        why = None if found else finance_value_problem(key, value)
        if why:
            file, line = locator.locate(("finance", key))
            found = [Problem(why, file=file, line=line, field=f"finance.{key}")]
        problems += found
    models = catalogue.ids("llm_models")
    for i, run in enumerate(scenario.workloads.training):
        if run.model is not None:
            problems += _check_one(run.model, models, ("workloads", "training", i, "model"),
                                   "model", locator)
    for i, demand in enumerate(scenario.workloads.inference):
        problems += _check_one(demand.model, models, ("workloads", "inference", i, "model"),
                               "model", locator)
    for i, demand in enumerate(scenario.workloads.hpc):
        problems += _check_one(demand.kernel, catalogue.ids("hpc_kernels"),
                               ("workloads", "hpc", i, "kernel"), "HPC kernel", locator)
    problems += _check_targets(scenario, sites, countries, locator)
    for acc in scenario.accelerator_overrides:
        problems += _check_one(acc, scenario.accelerators, ("accelerator_overrides", acc),
                               "accelerator of this scenario", locator)
    if not any((p.field or "").startswith("sites") for p in problems):
        problems += _check_candidates(scenario, catalogue, locator)  # else it only echoes them
    return problems


def _check_targets(scenario: Scenario, sites: list[str], countries: list[str],
                   locator: Locator) -> list[Problem]:
    problems: list[Problem] = []
    for i, target in enumerate(scenario.targets):
        if target.accelerator is not None:
            problems += _check_one(target.accelerator, scenario.accelerators,
                                   ("targets", i, "accelerator"), "accelerator of this scenario",
                                   locator)
        if target.site is not None:
            problems += _check_one(target.site, sites, ("targets", i, "site"), "site", locator)
        if target.country is not None:
            problems += _check_one(target.country, countries, ("targets", i, "country"),
                                   "member state", locator)
    return problems


def candidate_sites(scenario: Scenario, catalogue: Catalogue) -> list[str]:
    """Site ids the scenario allows, in catalogue order."""
    table = catalogue.sites
    chosen = []
    for site, row in table.iterrows():
        if scenario.sites.countries and row["country"] not in scenario.sites.countries:
            continue
        if scenario.sites.include and site not in scenario.sites.include:
            continue
        if site in scenario.sites.exclude:
            continue
        chosen.append(str(site))
    return chosen


def _check_candidates(scenario: Scenario, catalogue: Catalogue, locator: Locator) -> list[Problem]:
    candidates = candidate_sites(scenario, catalogue)
    if candidates:
        left_out = [s for s in scenario.sites.fixed_open or [] if s in catalogue.ids("sites")
                    and s not in candidates]
        if not left_out:
            return []
        file, line = locator.locate(("sites", "fixed_open"))
        return [Problem(f"sites to open ({', '.join(left_out)}) are left out by countries, "
                        "include or exclude", file=file, line=line, field="sites.fixed_open",
                        allowed=list_allowed(candidates))]
    file, line = locator.locate(("sites",))
    return [Problem("no candidate site is left after applying countries, include and exclude",
                    file=file, line=line, field="sites")]
