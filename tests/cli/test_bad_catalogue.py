"""A broken data folder is reported as the data's fault, by `data validate` and by a solve."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import DATA, ROOT, SCENARIOS

PROFILES = Path("profiles") / "hourly_profiles.parquet"


def _copy(tmp: Path) -> Path:
    target = tmp / "data"
    shutil.copytree(DATA, target)
    return target


def _break_profiles(data: Path, how: str) -> str:
    path = data / PROFILES
    if how == "not parquet":
        path.write_text("site,time_utc\nkajaani,2019-01-01\n")
        return "not a readable Parquet file"
    if how == "truncated":
        path.write_bytes(path.read_bytes()[: 100_000])
        return "not a readable Parquet file"
    frame = pd.read_parquet(path)
    if how == "nan hour":
        frame.loc[frame.index[100], "solar_cf_frac"] = np.nan
        message = "solar_cf_frac is missing (NaN) in rows 100"
    elif how == "missing hour":
        frame = frame.drop(index=frame.index[200])
        message = "8,759 rows, 0 repeated hours, 1 gaps"
    elif how == "repeated hour":
        frame.loc[frame.index[201], "time_utc"] = frame.loc[frame.index[200], "time_utc"]
        message = "1 repeated hours"
    elif how == "negative capacity factor":
        frame.loc[frame.index[300], "wind_cf_frac"] = -0.3
        message = "wind_cf_frac is outside 0 to 1 in rows 300"
    elif how == "text column":
        frame["temp_air_c"] = frame["temp_air_c"].astype(str)
        message = "temp_air_c holds text, not numbers"
    else:
        frame = frame.drop(columns=["wind_cf_frac"])
        message = "missing column(s) wind_cf_frac"
    frame.to_parquet(path)
    return message


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "planner", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=300)


@pytest.mark.parametrize("how", ["not parquet", "truncated", "nan hour", "missing hour",
                                 "repeated hour", "negative capacity factor", "text column",
                                 "missing column"])
def test_a_broken_profile_file_is_the_datas_fault(tmp_path, how):
    data = _copy(tmp_path)
    message = _break_profiles(data, how)
    result = _cli("data", "validate", "--data", str(data))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "data error" in result.stderr and message in result.stderr
    assert str(data / PROFILES) in result.stderr


def test_a_solve_on_broken_profiles_blames_the_data_not_the_scenario(tmp_path):
    data = _copy(tmp_path)
    message = _break_profiles(data, "nan hour")
    out = tmp_path / "plan"
    result = _cli("solve", str(SCENARIOS / "demo-tiny.yaml"), "--data", str(data),
                  "--out", str(out))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "data error" in result.stderr and message in result.stderr
    assert "scenario" not in result.stderr.split(":", 1)[0]
    assert not out.exists()


def test_a_header_only_table_is_refused_by_name(tmp_path):
    data = _copy(tmp_path)
    header = (data / "cooling.csv").read_text().splitlines()[0]
    (data / "cooling.csv").write_text(header + "\n")
    result = _cli("data", "validate", "--data", str(data))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{data / 'cooling.csv'}: the table has a header but no rows" in result.stderr
