"""The bundled catalogue: coverage the planners need, provenance, and bad-row reporting."""

from __future__ import annotations

import pandas as pd
import pytest

from planner.catalogue import EU27, TABLES, load_catalogue
from planner.errors import DataError

REQUIRED_ACCELERATORS = {
    "a100-40gb", "a100-80gb", "h100-sxm", "h100-pcie", "h200", "h800", "gh200", "b200",
    "gb200", "mi250x", "mi300x", "mi325x", "mi355x", "gaudi3",
}
REQUIRED_MODELS = {"llama3-8b", "llama3-70b", "llama3-405b", "gpt3-175b", "deepseek-v3",
                   "megatron-1t", "frontier-moe-10t"}


def test_required_accelerators_present(catalogue):
    assert REQUIRED_ACCELERATORS <= set(catalogue.ids("accelerators"))


def test_sites_cover_at_least_30_locations_in_20_member_states(catalogue):
    sites = catalogue.sites
    assert len(sites) >= 30
    assert sites["country"].nunique() >= 20
    assert set(sites["country"]) <= set(EU27)


def test_reference_site_julich_hosts_jupiter(catalogue):
    julich = catalogue.sites.loc["julich"]
    assert julich["country"] == "DE"
    assert julich["lat"] == pytest.approx(50.92, abs=0.05)
    assert "JUPITER" in julich["host_system"]


def test_all_eu27_countries_with_sourced_prices(catalogue):
    countries = catalogue.countries
    assert set(countries.index) == set(EU27)
    # Eurostat nrg_pc_205, 2024-S2, band IF, excl. VAT: DE 0.1430 EUR/kWh, FI 0.0500
    assert countries.at["DE", "elec_price_eur_per_mwh"] == pytest.approx(143.0)
    assert countries.at["FI", "elec_price_eur_per_mwh"] == pytest.approx(50.0)


def test_models_and_kernels(catalogue):
    assert REQUIRED_MODELS <= set(catalogue.ids("llm_models"))
    models = catalogue.llm_models
    assert (models.loc[models["kind"] == "moe", "experts"] > 1).all()
    assert (models["active_params_b"] <= models["params_b"]).all()
    assert {"hpl", "hpcg", "stencil-climate"} <= set(catalogue.ids("hpc_kernels"))


def test_dense_param_counts_follow_from_the_architecture(catalogue):
    """Params of dense models agree with 12*L*h^2-style counts (SwiGLU, GQA) within 3 %."""
    m = catalogue.llm_models
    for model_id in ("llama3-8b", "llama3-70b", "llama3-405b"):
        r = m.loc[model_id]
        h, L, f, v = r["hidden_size"], r["layers"], r["ffn_hidden_size"], r["vocab_size"]
        kv = h * r["kv_heads"] / r["heads"]
        attention = 2 * h * h + 2 * h * kv
        mlp = 3 * h * f
        total = L * (attention + mlp) + 2 * v * h
        assert total / 1e9 == pytest.approx(r["params_b"], rel=0.03), model_id


def test_cooling_options_and_air_density_limit(catalogue):
    cooling = catalogue.cooling
    assert {"air_economiser", "rear_door", "direct_liquid", "immersion"} <= set(cooling.index)
    nvl72 = catalogue.accelerators.at["gb200", "rack_kw"]
    # DESIGN.md: air cannot cool a 130 kW NVL72 rack; liquid can
    assert cooling.at["air_economiser", "max_rack_kw"] < nvl72 <= cooling.at["direct_liquid",
                                                                             "max_rack_kw"]
    assert not catalogue.accelerators.at["gb200", "air_coolable"]


def test_every_row_cites_registered_sources(catalogue):
    registered = set(catalogue.sources.index)
    for name, spec in TABLES.items():
        if not spec.sourced:
            continue
        keys = catalogue.tables[name]["source"].str.split(";").explode()
        assert set(keys) <= registered, name


def test_every_numeric_column_states_its_unit():
    for spec in TABLES.values():
        for name in spec.column_names:
            col = spec.column(name)
            if col.kind in ("float", "int"):
                assert col.unit, f"{spec.name}.{name} has no unit"


def test_finance_defaults(catalogue):
    assert catalogue.finance_value("usd_per_eur") == pytest.approx(1.0824)
    assert 0 < catalogue.finance_value("discount_rate") < 0.2
    assert catalogue.tables["finance"].at["currency", "value"] == "EUR"


def test_eur_prices_follow_from_usd_at_stated_rate(catalogue):
    acc = catalogue.accelerators
    implied = acc["price_usd_per_gpu"] / acc["usd_per_eur"]
    assert (implied / acc["price_eur_per_gpu"]).between(0.99, 1.01).all()


def test_data_version_is_stable(catalogue):
    assert load_catalogue(catalogue.data_dir).version == catalogue.version
    assert len(catalogue.version) == 12


# ---- bad data rows ------------------------------------------------------------------

def _edit(path, column, row_id, value, key="id"):
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[frame[key] == row_id, column] = value
    frame.to_csv(path, index=False)
    return int(frame.index[frame[key] == row_id][0]) + 2  # file line


def _problems(data_dir):
    with pytest.raises(DataError) as info:
        load_catalogue(data_dir)
    return info.value.problems


def test_negative_tdp_is_reported_with_file_line_and_range(data_copy):
    line = _edit(data_copy / "accelerators.csv", "tdp_w", "h100-sxm", "-700")
    (problem,) = _problems(data_copy)
    assert problem.file.endswith("accelerators.csv")
    assert problem.line == line
    assert problem.field == "tdp_w"
    assert "below the minimum" in problem.message
    assert "W" in problem.allowed


def test_text_in_numeric_column(data_copy):
    _edit(data_copy / "sites.csv", "grid_mw_max", "kajaani", "lots")
    (problem,) = _problems(data_copy)
    assert "'lots' is not a number (MW)" in problem.message


def test_row_without_source_is_rejected(data_copy):
    _edit(data_copy / "cooling.csv", "source", "immersion", "")
    problems = _problems(data_copy)
    assert any(p.field == "source" for p in problems)


def test_unregistered_source_key_is_rejected(data_copy):
    _edit(data_copy / "countries.csv", "source", "DE", "my-blog", key="country")
    (problem,) = _problems(data_copy)
    assert "source key 'my-blog' is not in sources.csv" in problem.message


def test_unknown_country_and_duplicate_id(data_copy):
    frame = pd.read_csv(data_copy / "sites.csv", dtype=str, keep_default_na=False)
    frame = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
    frame.loc[1, "country"] = "UK"
    frame.to_csv(data_copy / "sites.csv", index=False)
    messages = " | ".join(p.render() for p in _problems(data_copy))
    assert "duplicate key (julich)" in messages
    assert "'UK' is not an allowed value" in messages or "'UK' is not a countries id" in messages


def test_unknown_and_missing_columns(data_copy):
    frame = pd.read_csv(data_copy / "energy.csv", dtype=str, keep_default_na=False)
    frame = frame.rename(columns={"lifetime_years": "lifetime"})
    frame.to_csv(data_copy / "energy.csv", index=False)
    messages = " | ".join(p.message for p in _problems(data_copy))
    assert "missing column(s) lifetime_years" in messages
    assert "unknown column(s) lifetime" in messages


def test_estimated_fields_must_name_real_columns(data_copy):
    _edit(data_copy / "accelerators.csv", "estimated_fields", "b200", "price_eur")
    (problem,) = _problems(data_copy)
    assert "estimated_fields names unknown column 'price_eur'" in problem.message


def test_missing_climate_month(data_copy):
    frame = pd.read_csv(data_copy / "site_climate.csv", dtype=str, keep_default_na=False)
    frame = frame[~((frame["site"] == "julich") & (frame["month"] == "7"))]
    frame.to_csv(data_copy / "site_climate.csv", index=False)
    (problem,) = _problems(data_copy)
    assert "site 'julich' lacks climate normals for month(s) [7]" in problem.message


def test_unreadable_csv(data_copy):
    (data_copy / "finance.csv").write_bytes(b"\xff\xfe\x00garbage")
    problems = _problems(data_copy)
    assert any("finance.csv" in p.file for p in problems)


@pytest.mark.parametrize(("parameter", "value", "message"), [
    ("gpu_lifetime_years", "0", "gpu_lifetime_years = 0 is outside 1 to 100"),
    ("discount_rate", "nan", "discount_rate = nan is not a finite number"),
    ("building_module_mw", "0", "building_module_mw = 0 is outside 0.01 to 1000"),
    ("grid_price_factor", "inf", "grid_price_factor = inf is not a finite number"),
])
def test_finance_values_a_plan_cannot_be_built_on_are_refused(data_copy, parameter, value,
                                                              message):
    line = _edit(data_copy / "finance.csv", "value", parameter, value, key="parameter")
    (problem,) = _problems(data_copy)
    assert problem.file.endswith("finance.csv") and problem.line == line
    assert message in problem.message


def test_a_value_beyond_any_real_quantity_is_refused(data_copy):
    line = _edit(data_copy / "sites.csv", "grid_mw_max", "kajaani", "1e308")
    (problem,) = _problems(data_copy)
    assert problem.line == line and problem.field == "grid_mw_max"
    assert "beyond any real quantity" in problem.message
