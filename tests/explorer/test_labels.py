"""Column labels and table cells as a reader sees them (planner.labels, explorer tables)."""

from __future__ import annotations

import pandas as pd
import pytest

from planner.explorer.tables import readable, shown
from planner.labels import BLANK, column_label, display_frame


@pytest.mark.parametrize(("key", "label"), [
    ("params_b", "parameters [billion]"), ("it_mw", "IT load [MW]"),
    ("gpus_h100-sxm", "GPUs, H100 SXM"), ("gpus_mi355x", "GPUs, MI355X"),
    ("GPUs gb200", "GPUs, GB200"),  # the report's Sites header
    ("tco_eur_per_year", "TCO [EUR/yr]"),  # the report's KPI label
    ("policy.carbon_price_eur_per_t", "carbon price [EUR/tCO2]"),  # suffix convention
    ("solar_cf_frac", "solar cf [%]"), ("share of TCO [fraction]", "share of TCO [%]"),
    ("IT load [MW]", "IT load [MW]"), ("vendor", "vendor"), ("hidden_size", "hidden size"),
])
def test_column_labels_are_plain_words_with_units(key, label):
    assert column_label(key) == label


def test_cells_read_as_numbers_with_units_not_as_floats():
    frame = pd.DataFrame({
        "nodes": [99.29, 97.0], "gpus_h100-sxm": [776, 0], "PUE, mean [-]": [1.08, float("nan")],
        "share of TCO [fraction]": [0.8391, 0.0], "capex [EUR]": [29688984.0, None],
        "cooling": ["direct_liquid", None], "chosen": [True, False], "year": [2025.0, 2020.0]})
    out = display_frame(frame)
    assert list(out.columns) == ["nodes", "GPUs, H100 SXM", "PUE, mean [-]", "share of TCO [%]",
                                 "capex [EUR]", "cooling", "chosen", "year"]
    assert out.iloc[0].tolist() == ["100", "776", "1.08", "83.9 %", "29,688,984",
                                    "direct_liquid", "yes", "2025"]
    assert out.iloc[1].tolist() == ["97", "0", BLANK, "0 %", BLANK, BLANK, "no", "2020"]
    assert not any("nan" in c.lower() or "None" in c for c in out.to_numpy().ravel())


def test_pue_keeps_two_decimals_in_a_column_of_mixed_units():
    # the full-year check holds MWh/yr, PUE and MW in one column; PUE 1.08 is not "1"
    check = pd.DataFrame({"figure": ["facility energy", "PUE, annual", "peak facility load"],
                          "unit": ["MWh/yr", "-", "MW"], "full year": [4587.93, 1.0806, 0.8438],
                          "difference [fraction]": [0.000526, 0.0, 0.0]})
    out = shown(check)
    assert out["full year"].tolist() == ["4,588", "1.08", "0.8438"]
    assert out["difference [%]"].tolist() == ["0.1 %", "0 %", "0 %"]


def test_the_styled_table_shows_the_same_text_and_keeps_the_numbers():
    frame = pd.DataFrame({"pue_mean": [1.08], "it_mw": [1234.5678], "why not": [None]})
    styler = readable(frame)
    assert list(styler.data.columns) == ["PUE, mean [-]", "IT load [MW]", "why not"]
    assert styler.data.iloc[0, 0] == 1.08  # sortable underneath
    html = styler.to_html()
    assert ">1.08<" in html and ">1,235<" in html and f">{BLANK}<" in html
    assert "nan" not in html.lower() and "None" not in html


def test_a_mixed_column_becomes_text_by_each_rows_unit():
    frame = pd.DataFrame({"parameter": ["price_year", "overlap_frac", "name"],
                          "value": [2024, 0.4, "x"], "unit": ["-", "fraction", "-"]})
    assert shown(frame)["value"].tolist() == ["2024", "40.0 %", "x"]
    assert readable(frame).data["value"].tolist() == ["2024", "40.0 %", "x"]


def test_a_column_already_in_percent_is_not_multiplied_again():
    frame = pd.DataFrame({"renewable share [%]": [71.0], "renewable_share": [0.71]})
    out = display_frame(frame)
    assert out.iloc[0].tolist() == ["71.0 %", "71.0 %"]
    assert out.columns[1] == "renewable share, annual, net of curtailment (REF) [%]"
