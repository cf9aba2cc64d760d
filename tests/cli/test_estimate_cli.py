"""End-to-end: `gigaplan estimate ...` as a user runs it."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_cli import run

LAYOUT_KEYS = {"tp", "pp", "dp", "ep", "cp", "micro_batch"}


def test_train_with_params_and_gpus_json():
    result = run("estimate", "train", "--params", "405e9", "--tokens", "15.6e12",
                 "--accelerator", "h100-sxm", "--gpus", "16384", "--seq-len", "8192", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    for key in ("gpus", "gpu_hours", "wall_days", "mfu", "tflops_per_gpu", "tokens_per_s_per_gpu",
                "memory_per_gpu_gb", "layout", "energy_mwh"):
        assert key in out
    assert LAYOUT_KEYS <= set(out["layout"])
    assert out["gpus"] == 16384
    assert out["gpu_hours"] == pytest.approx(out["gpus"] * out["wall_days"] * 24, rel=1e-9)


def test_train_deadline_human_output():
    result = run("estimate", "train", "--model", "llama3-405b", "--tokens", "15.6e12",
                 "--accelerator", "h100-sxm", "--deadline-days", "90")
    assert result.returncode == 0, result.stderr
    assert "wall time [days]" in result.stdout and "layout" in result.stdout


def test_moe_with_active_params():
    result = run("estimate", "train", "--params", "671e9", "--active-params", "37e9", "--tokens",
                 "14.8e12", "--accelerator", "h800", "--gpus", "2048", "--seq-len", "4096",
                 "--precision", "fp8", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["layout"]["ep"] > 1


@pytest.mark.parametrize("args,message", [
    (["--model", "llama3-405b", "--tokens", "1e12", "--accelerator", "a100-40gb", "--gpus", "8"],
     "fits on no layout"),
    (["--model", "llama3-405b", "--tokens", "15.6e12", "--accelerator", "h100-sxm",
      "--deadline-days", "2"], "no fleet"),
    (["--model", "llama3-405b", "--tokens", "-1", "--accelerator", "h100-sxm", "--gpus", "8"],
     "positive"),
    (["--model", "lama3-405b", "--tokens", "1e12", "--accelerator", "h100-sxm", "--gpus", "8"],
     "did you mean 'llama3-405b'"),
    (["--model", "llama3-8b", "--tokens", "1e12", "--accelerator", "h100-sxm", "--gpus", "8",
      "--precision", "fp16"], "unknown precision"),
])
def test_impossible_requests_exit_2_without_traceback(args, message):
    result = run("estimate", "train", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_infer_json():
    result = run("estimate", "infer", "--model", "llama3-70b", "--accelerator", "h100-sxm",
                 "--demand", "100000", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["tpot_ms"] <= 50 and out["gpus_for_demand"] >= 1


def test_hpc_jupiter_json():
    result = run("estimate", "hpc", "--kernel", "hpl", "--accelerator", "gh200", "--gpus", "23752",
                 "--json")
    out = json.loads(result.stdout)
    assert out["rmax_pflops"] == pytest.approx(1000, rel=0.02)
    assert {"power_mw", "gflops_per_w"} <= set(out)


def test_validate_prints_both_tables():
    result = run("estimate", "validate")
    assert result.returncode == 0, result.stderr
    assert "training runs" in result.stdout and "HPL systems" in result.stdout
    assert "JUPITER" in result.stdout
