"""From a study to its variants: the design table and each variant's scenario.

A variant is a row of the design: its id (``v0001``...), the value of every varied
field, its Pareto role and its batch. Batches group consecutive variants of the same
model structure (:func:`planner.optimise.solve.structure_key`); a worker solves a
batch in order on one re-used model, so a batch's results never depend on which
worker ran it or how many there were.
"""

from __future__ import annotations

import copy
import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import ValidationError

from planner.catalogue import Catalogue
from planner.errors import Problem, ScenarioError, did_you_mean
from planner.optimise.solve import structure_key
from planner.scenario import Scenario, crosscheck
from planner.scenario.load import Locator
from planner.study.spec import Distribution, DistributionKind, Study

ANCHOR_EMISSIONS = "anchor-emissions"
CAP_MARGIN_FRAC = 1e-3
"""Lowest Pareto cap: least emissions x (1 + margin) + 1 t, so the point stays feasible
within the min-emissions solve's MIP gap."""
MAX_TRUNCATION_ROUNDS = 1000
BASE, DRAW, BASE_SITES = "base", "draw", "base-sites"
"""Robustness roles: the base plan, a draw's optimum, a draw with the base plan's sites."""


@dataclass
class Variant:
    """One scenario of the study."""

    id: str
    values: dict[str, Any]
    pareto: str | int | None = None  # ANCHOR_EMISSIONS, or the point 0..points-1
    role: str | None = None  # robustness: BASE, DRAW or BASE_SITES
    group: int = 0  # combination of the non-Pareto axes (a Pareto front per group)
    batch: int = 0
    structure: str = ""
    spec: dict[str, Any] = field(default_factory=dict, repr=False)


def _split(path: str) -> list[str]:
    return path.split(".")


def set_path(spec: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted ``path`` in a scenario dict; list entries by ``id`` or position.

    Keys may contain dots (site ids do): the longest existing key wins; a missing
    last key is created (a new finance override or site override).
    """
    parts = _split(path)
    node: Any = spec
    i = 0
    while i < len(parts):
        last = i == len(parts) - 1
        if isinstance(node, list):
            for j in range(len(parts), i, -1):
                key = ".".join(parts[i:j])
                found = [e for e in node if isinstance(e, dict) and e.get("id") == key]
                if found:
                    node, i = found[0], j
                    break
            else:
                if parts[i].isdigit() and int(parts[i]) < len(node):
                    if last:
                        node[int(parts[i])] = value
                        return
                    node, i = node[int(parts[i])], i + 1
                    continue
                ids = [e.get("id") for e in node if isinstance(e, dict)]
                raise KeyError(f"no entry '{parts[i]}' in {'.'.join(parts[:i])}"
                               f"{did_you_mean(parts[i], [str(x) for x in ids])}; "
                               f"entries: {', '.join(map(str, ids)) or 'none'}")
            if i == len(parts):
                raise KeyError(f"'{path}' names a whole list entry; name one of its fields")
            continue
        if not isinstance(node, dict):
            raise KeyError(f"'{'.'.join(parts[:i])}' is a value, not a section")
        for j in range(len(parts), i, -1):
            key = ".".join(parts[i:j])
            if key in node:
                if j == len(parts):
                    node[key] = value
                    return
                if node[key] is None:
                    node[key] = {}
                node, i = node[key], j
                break
        else:
            if last:
                node[parts[i]] = value
                return
            node[parts[i]] = {}
            node, i = node[parts[i]], i + 1
    raise KeyError(f"'{path}' names no field")


def get_path(spec: dict[str, Any], path: str) -> Any:
    """The value at a dotted ``path`` (the same addressing as :func:`set_path`)."""
    probe = copy.deepcopy(spec)
    marker = object()
    set_path(probe, path, marker)
    return _find(spec, probe, marker)


def _find(original: Any, probe: Any, marker: object) -> Any:
    if probe is marker:
        return original
    if isinstance(probe, dict):
        for key, value in probe.items():
            found = _find(original.get(key) if isinstance(original, dict) else None, value, marker)
            if found is not _MISSING:
                return found
    if isinstance(probe, list):
        for i, value in enumerate(probe):
            inner = original[i] if isinstance(original, list) and i < len(original) else None
            found = _find(inner, value, marker)
            if found is not _MISSING:
                return found
    return _MISSING


_MISSING = object()


def draw(dist: Distribution, n: int, rng: np.random.Generator) -> list[Any]:
    """``n`` draws from ``dist`` (normal: truncated to [low, high] by redrawing)."""
    kind = dist.dist
    if kind == DistributionKind.uniform:
        return rng.uniform(dist.low, dist.high, n).tolist()
    if kind == DistributionKind.lognormal:
        return rng.lognormal(math.log(dist.median), dist.sigma, n).tolist()
    if kind == DistributionKind.triangular:
        if dist.low == dist.high:
            return [float(dist.low)] * n
        return rng.triangular(dist.low, dist.mode, dist.high, n).tolist()
    if kind == DistributionKind.choice:
        return [dist.values[k] for k in rng.integers(0, len(dist.values), n)]
    values = rng.normal(dist.mean, dist.sd, n)
    low = -np.inf if dist.low is None else dist.low
    high = np.inf if dist.high is None else dist.high
    for _ in range(MAX_TRUNCATION_ROUNDS):
        bad = (values < low) | (values > high)
        if not bad.any():
            return values.tolist()
        values[bad] = rng.normal(dist.mean, dist.sd, int(bad.sum()))
    raise ValueError(f"normal({dist.mean}, {dist.sd}) rarely falls in [{low}, {high}]")


def axes(study: Study) -> list[list[dict[str, Any]]]:
    """The design's axes, each a list of assignments {field: value}, in design order."""
    out: list[list[dict[str, Any]]] = [[{s.field: v} for v in s.points()] for s in study.sweeps]
    out += [[{name: v} for v in values] for name, values in study.grid.items()]
    if study.zip:
        names = list(study.zip)
        out.append([dict(zip(names, row, strict=True))
                    for row in zip(*study.zip.values(), strict=True)])
    if study.monte_carlo:
        rng = np.random.default_rng(study.seed)
        mc = study.monte_carlo
        columns = {name: draw(dist, mc.samples, rng) for name, dist in mc.fields.items()}
        out.append([{name: columns[name][k] for name in columns} for k in range(mc.samples)])
    return out


def expand(study: Study, base: Scenario, catalogue: Catalogue, study_file: str = "",
           lines: dict | None = None) -> list[Variant]:
    """Every variant of ``study`` over ``base``, validated as a scenario.

    Raises
    ------
    ScenarioError
        Naming the study file, the line of the field and the variant, for a field
        path that does not exist or a value the scenario schema or catalogue rejects.
    """
    lines = lines or {}
    if study.robustness:
        return _robustness_variants(study, base, catalogue, study_file, lines)
    combos = list(itertools.product(*axes(study))) if study.varied else [()]
    roles: list[str | int | None] = [None]
    if study.pareto:
        roles = [ANCHOR_EMISSIONS, study.pareto.points - 1, *range(study.pareto.points - 1)]
    total = len(combos) * len(roles)
    if total > 100_000:
        raise ScenarioError.single(f"the design has {total:,} variants; at most 100,000 are "
                                   "allowed per study", file=study_file)
    base_spec = base.model_dump(mode="json")
    fixed = copy.deepcopy(base_spec)
    problems: list[Problem] = []
    for name, value in study.set.items():
        _assign(fixed, name, value, problems, study_file, _line(lines, ("set", name)))
    if problems:
        raise ScenarioError(problems)
    fixed["solver"].update(study.solver.model_dump())
    variants = []
    for g, combo in enumerate(combos):
        values: dict[str, Any] = {}
        for part in combo:
            values.update(part)
        for role in roles:
            vid = f"v{len(variants) + 1:0{max(4, len(str(total)))}d}"
            spec = copy.deepcopy(fixed)
            spec["name"] = f"{study.study}-{vid}"[:64]
            for name, value in values.items():
                _assign(spec, name, value, problems, study_file, _field_line(lines, study, name),
                        vid)
            if role == ANCHOR_EMISSIONS:
                spec["objective"] = "min_emissions"
            elif role is not None and role < study.pareto.points - 1:
                spec["policy"]["carbon_cap_t_per_year"] = 0.0  # placeholder until the anchors
            variants.append(Variant(vid, values, pareto=role, group=g, spec=spec))
        if len(problems) > 20:
            break
    if problems:
        raise ScenarioError(problems[:20])
    for v in variants:
        scenario = _validated(v.spec, catalogue, study_file, lines, study, v.id, problems)
        if scenario is not None:
            v.structure = structure_key(scenario)
            v.spec = scenario.model_dump(mode="json")
            v.values = {name: get_path(v.spec, name) for name in v.values}  # as validated
        if len(problems) > 20:
            break
    if problems:
        raise ScenarioError(problems[:20])
    _batch(variants, study.batch_size if study.reuse_models else 1)
    return variants


def _fixed_spec(study: Study, base: Scenario, study_file: str, lines: dict) -> dict[str, Any]:
    fixed = copy.deepcopy(base.model_dump(mode="json"))
    problems: list[Problem] = []
    for name, value in study.set.items():
        _assign(fixed, name, value, problems, study_file, _line(lines, ("set", name)))
    if problems:
        raise ScenarioError(problems)
    fixed["solver"].update(study.solver.model_dump())
    return fixed


def _robustness_variants(study: Study, base: Scenario, catalogue: Catalogue, study_file: str,
                         lines: dict) -> list[Variant]:
    """The robustness design: the base plan, then two variants per draw.

    Per draw: the base plan's sites fixed open (set once the base is solved), then the
    draw's optimum, which a batch starts from the first.
    """
    fixed = _fixed_spec(study, base, study_file, lines)
    fixed["estimates"] = {"draw": None, "seed": study.seed}
    fixed["sites"]["fixed_open"] = None
    draws = study.robustness.draws
    width = max(4, len(str(1 + 2 * draws)))
    roles = [(BASE, None)] + [(r, k) for k in range(draws) for r in (BASE_SITES, DRAW)]
    variants = []
    for role, draw in roles:
        vid = f"v{len(variants) + 1:0{width}d}"
        spec = copy.deepcopy(fixed)
        spec["name"] = f"{study.study}-{vid}"[:64]
        spec["estimates"]["draw"] = draw
        values = {"estimates.draw": draw, "sites.fixed_open": None}
        variants.append(Variant(vid, values, role=role, spec=spec))
    problems: list[Problem] = []
    scenario = _validated(variants[-1].spec, catalogue, study_file, lines, study,
                          variants[-1].id, problems)
    if problems:
        raise ScenarioError(problems[:20])
    key = structure_key(scenario)
    for v in variants:
        v.structure = key
    _batch(variants, study.batch_size if study.reuse_models else 1)
    return variants


def base_sites(variants: list[Variant], results: dict[str, dict]) -> list[Variant]:
    """Fix the base plan's open sites in every BASE_SITES variant.

    Returns the variants left without (the base plan failed).
    """
    base = next((results.get(v.id) for v in variants if v.role == BASE), None)
    sites = list(base.get("open_sites") or []) if base and base.get("kpis") else []
    failed = []
    for v in variants:
        if v.role != BASE_SITES:
            continue
        if not sites:
            failed.append(v)
            continue
        v.spec["sites"]["fixed_open"] = sites
        v.values["sites.fixed_open"] = sites
    return failed


def _batch(variants: list[Variant], size: int) -> None:
    """Consecutive variants of one structure and Pareto stage, at most ``size`` a batch."""
    batch, count, previous = -1, 0, None
    for v in variants:
        key = (v.structure, stage(v))
        if key != previous or count == size:
            batch, count, previous = batch + 1, 0, key
        v.batch = batch
        count += 1


def stage(variant: Variant) -> int:
    """The stage a variant runs in: 2 for those that need a first result, else 1.

    Stage 2: the capped Pareto points (their anchors' emissions) and the robustness
    draws (the base plan's sites).
    """
    if variant.role in (DRAW, BASE_SITES):
        return 2
    return 2 if isinstance(variant.pareto, int) and variant.spec["policy"].get(
        "carbon_cap_t_per_year") is not None else 1


def pareto_caps(e_min_t: float, e_max_t: float, points: int) -> list[float]:
    """Emission caps [tCO2/yr] of points 0..points-2 (point points-1 is uncapped)."""
    low = e_min_t * (1.0 + CAP_MARGIN_FRAC) + 1.0
    high = max(e_max_t, low)
    return [low + (high - low) * k / (points - 1) for k in range(points - 1)]


def _line(lines: dict, path: tuple) -> int | None:
    return lines.get(path)


def _field_line(lines: dict, study: Study, name: str) -> int | None:
    for key in (("grid", name), ("zip", name), ("monte_carlo", "fields", name)):
        if key in lines:
            return lines[key]
    for i, sweep in enumerate(study.sweeps):
        if sweep.field == name:
            return lines.get(("sweeps", i, "field"), lines.get(("sweeps", i)))
    return None


def _assign(spec: dict, name: str, value: Any, problems: list[Problem], file: str,
            line: int | None, vid: str | None = None) -> None:
    try:
        set_path(spec, name, value)
    except KeyError as exc:
        where = f" (variant {vid})" if vid else ""
        problems.append(Problem(f"{exc.args[0]}{where}", file=file, line=line, field=name))


def _validated(spec: dict, catalogue: Catalogue, file: str, lines: dict, study: Study, vid: str,
               problems: list[Problem]) -> Scenario | None:
    try:
        scenario = Scenario.model_validate(spec)
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                message = f"'{loc}' is not a scenario field"
            problems.append(Problem(f"variant {vid}: {message} (value {err.get('input')!r})",
                                    file=file, line=_loc_line(lines, study, loc), field=loc))
        return None
    found = crosscheck(scenario, catalogue, Locator([]))
    for p in found:
        problems.append(Problem(f"variant {vid}: {p.message}", file=file,
                                line=_loc_line(lines, study, p.field or ""), field=p.field,
                                allowed=p.allowed))
    return None if found else scenario


def _loc_line(lines: dict, study: Study, loc: str) -> int | None:
    """The study line that set the field at ``loc`` (or a prefix of it)."""
    names = [*study.varied, *study.set]
    for name in sorted(names, key=len, reverse=True):
        if loc == name or loc.startswith(name + ".") or name.startswith(loc + "."):
            return _field_line(lines, study, name) or lines.get(("set", name))
    return None
