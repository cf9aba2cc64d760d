"""End-to-end: the `gigaplan` command as a user runs it (real subprocesses)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SCENARIOS, write


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "planner", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def test_version():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("gigaplan ")


def test_data_validate_passes_on_the_bundled_catalogue():
    result = run("data", "validate", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["status"] == "valid"
    assert summary["tables"]["sites"] >= 30
    assert summary["member_states_with_sites"] >= 20
    assert summary["profile_hours"] == 8760 * summary["tables"]["sites"]


def test_data_list_and_show():
    listed = json.loads(run("data", "list", "--json").stdout)
    assert {t["table"] for t in listed} >= {"accelerators", "sites", "countries", "cooling",
                                            "energy", "finance", "llm_models", "hpc_kernels"}
    rows = json.loads(run("data", "show", "accelerators", "--json").stdout)
    h100 = next(r for r in rows if r["id"] == "h100-sxm")
    assert h100["bf16_tflops"] == pytest.approx(989.4, rel=0.01)
    cols = json.loads(run("data", "show", "sites", "--columns", "--json").stdout)
    assert {"column": "grid_mw_max", "unit": "MW"}.items() <= next(
        c for c in cols if c["column"] == "grid_mw_max").items()


def test_unknown_table_is_a_clear_usage_error():
    result = run("data", "show", "acelerators")
    assert result.returncode == 2
    assert "did you mean 'accelerators'" in result.stderr
    assert "Traceback" not in result.stderr


def test_scenario_validate_prints_summaries_of_bundled_files():
    files = [str(p) for p in sorted(SCENARIOS.glob("*.yaml"))]
    result = run("scenario", "validate", *files)
    assert result.returncode == 0, result.stderr
    assert "eu-gigafactory" in result.stdout
    assert "candidate sites:" in result.stdout
    assert f"{len(files)} scenario file(s) valid" in result.stdout


def test_scenario_show_json():
    result = run("scenario", "show", "scenarios/jupiter.yaml", "--json")
    summary = json.loads(result.stdout)
    assert summary["candidate_sites"] == ["julich"]
    assert summary["accelerators"] == ["gh200"]
    assert len(summary["scenario_hash"]) == 12


def test_bad_scenario_exits_2_with_located_message_and_no_traceback(tmp_path):
    bad = write(tmp_path / "bad.yaml", (SCENARIOS / "demo-small.yaml").read_text().replace(
        "accelerators: [h100-sxm, gh200, mi300x]", "accelerators: [h100-sxm, gh20, mi300x]"))
    result = run("scenario", "validate", str(bad))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{bad}:" in result.stderr
    assert "unknown accelerator 'gh20' (did you mean 'gh200'?)" in result.stderr


def test_malformed_yaml_in_json_mode_reports_problem(tmp_path):
    bad = write(tmp_path / "bad.yaml", "name: [x\n")
    result = run("scenario", "validate", str(bad), "--json")
    assert result.returncode == 2
    (entry,) = json.loads(result.stdout)
    assert entry["valid"] is False and "malformed YAML" in entry["problems"][0]


def test_schema_is_json_schema_with_descriptions():
    schema = json.loads(run("scenario", "schema").stdout)
    assert schema["title"] == "Scenario"
    assert "name" in schema["required"]
    # workloads or capacity targets: neither alone is required
    assert {"workloads", "targets"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False


def test_broken_data_folder_exits_2(tmp_path):
    (tmp_path / "accelerators.csv").write_text("id\nx\n")
    result = run("data", "validate", "--data", str(tmp_path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "not found" in result.stderr


def test_unknown_flag_exits_2():
    result = run("data", "validate", "--frobnicate")
    assert result.returncode == 2
    assert "No such option" in result.stderr


def test_import_entsoe_prices_json_and_parquet(tmp_path):
    from tests.conftest import SAMPLES

    out = tmp_path / "prices.parquet"
    result = run("data", "import", "entsoe-prices", str(SAMPLES / "entsoe_day_ahead_sample.csv"),
                 "--out", str(out), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["hours"] == 73
    assert summary["columns"]["price_eur_per_mwh"]["max"] > summary["columns"][
        "price_eur_per_mwh"]["min"]
    import pandas as pd

    assert len(pd.read_parquet(out)) == 73


def test_import_wrong_kind_and_bad_file(tmp_path):
    result = run("data", "import", "pvgs", "x.csv")
    assert result.returncode == 2 and "did you mean 'pvgis'" in result.stderr
    bad = write(tmp_path / "bad.csv", "hello\n")
    result = run("data", "import", "ninja", str(bad))
    assert result.returncode == 2
    assert "no 'electricity' column" in result.stderr
    assert "Traceback" not in result.stderr


def test_build_profiles_for_chosen_sites_writes_file(tmp_path):
    out = tmp_path / "p.parquet"
    result = run("data", "build-profiles", "--sites", "julich,lulea", "--out", str(out))
    assert result.returncode == 0, result.stderr
    import pandas as pd

    frame = pd.read_parquet(out)
    assert sorted(frame["site"].unique()) == ["julich", "lulea"]
    result = run("data", "build-profiles", "--sites", "juelich", "--out", str(out))
    assert result.returncode == 2 and "did you mean 'julich'" in result.stderr


def test_an_id_given_by_its_prefix_is_suggested_whole(tmp_path):
    bad = write(tmp_path / "bad.yaml", (SCENARIOS / "demo-small.yaml").read_text().replace(
        "accelerators: [h100-sxm, gh200, mi300x]", "accelerators: [h100, gh200, mi300x]"))
    result = run("scenario", "validate", str(bad))
    assert result.returncode == 2
    # by prefix, shortest first; edit distance alone would say 'h800' or 'h200'
    assert "unknown accelerator 'h100' (did you mean 'h100-sxm' or 'h100-pcie'?)" in result.stderr


def test_years_print_as_years_and_money_keeps_its_separators():
    from planner.cli.render import _cell, is_year_column

    assert [is_year_column(c) for c in ("year", "year_released", "eur_per_year",
                                        "lifetime_years", "fixed_om_eur_per_kw_year")] == [
        True, True, False, False, False]
    assert _cell(2024, True) == "2024" and _cell(2024.0, False) == "2,024"
    import pandas as pd

    from planner.cli.render import out, print_frame

    with out.capture() as captured:
        print_frame(pd.DataFrame({"id": ["h100-sxm"], "year_released": [2022],
                                  "price_eur_per_year": [25000.0]}))
    text = captured.get()
    assert "2022" in text and "2,022" not in text and "25,000" in text


def test_units_in_column_headers_and_brackets_in_cells_are_printed_not_read_as_markup():
    import pandas as pd

    from planner.cli.render import out, print_frame

    with out.capture() as captured:
        print_frame(pd.DataFrame({"emissions [kt CO2/yr]": [25.6], "site": ["lab[b]"]}),
                    title="alternatives [k EUR/yr]")
    text = captured.get()
    assert "emissions [kt CO2/yr]" in text and "lab[b]" in text
    assert "alternatives [k EUR/yr]" in text


def test_a_table_wider_than_the_line_keeps_whole_columns_and_names_the_rest():
    import pandas as pd

    from planner.cli.render import WIDE, fitting_columns, out, print_frame

    assert fitting_columns([10, 10, 10], 40) == 3 and fitting_columns([10, 10, 10], 39) == 2
    assert fitting_columns([50, 50], 20) == 2  # the key column and one more, always
    frame = pd.DataFrame({f"column_{i}": [176209.0 + i] for i in range(12)})
    width = out.width
    try:
        out.width = 80
        with out.capture() as captured:
            print_frame(frame)
        text = captured.get()
        assert max(len(line) for line in text.splitlines()[:-1]) <= 80
        assert "176,209" in text and "176,20\n" not in text  # numbers whole, not folded
        assert "more columns (column_" in text and "gigaplan --wide" in text
        WIDE["on"] = True
        with out.capture() as captured:
            print_frame(frame)
        assert "column_11" in captured.get() and "more columns" not in captured.get()
    finally:
        out.width, WIDE["on"] = width, False
