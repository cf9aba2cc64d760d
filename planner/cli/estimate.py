"""`gigaplan estimate ...`: the roofline core from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from planner.cli.render import format_value, handle_errors, out, print_frame, print_json
from planner.errors import UsageError

app = typer.Typer(help="Estimate training, inference and HPC performance (roofline core).",
                  no_args_is_help=True)
Json = Annotated[bool, typer.Option("--json", help="one JSON document on stdout")]
DataDir = Annotated[Path | None, typer.Option("--data", help="catalogue folder (default: data/)")]
PRECISIONS = ("bf16", "fp8", "fp4")


def _print_pairs(title: str, pairs: dict) -> None:
    out.print(f"[bold]{title}[/]", markup=True)
    width = max(len(k) for k in pairs)
    for key, value in pairs.items():
        out.print(f"  {key:<{width}}  {format_value(value)}", markup=False)


def _precision(value: str) -> str:
    if value not in PRECISIONS:
        raise UsageError.single(f"unknown precision '{value}'", field="--precision",
                                allowed=", ".join(PRECISIONS))
    return value


@app.command("train")
@handle_errors
def train(
    tokens: Annotated[float, typer.Option(help="training tokens, e.g. 15.6e12")],
    accelerator: Annotated[str, typer.Option(help="accelerator id, e.g. h100-sxm")],
    model: Annotated[str | None, typer.Option(help="llm_models id, e.g. llama3-405b")] = None,
    params: Annotated[float | None, typer.Option(help="total parameters (derives a "
                                                      "standard architecture)")] = None,
    active_params: Annotated[float | None, typer.Option(help="active parameters of an MoE")] = None,
    gpus: Annotated[int | None, typer.Option(help="fleet size: how long does it take?")] = None,
    deadline_days: Annotated[float | None, typer.Option(help="deadline: fewest GPUs?")] = None,
    seq_len: Annotated[int, typer.Option(help="sequence length [tokens]")] = 8192,
    precision: Annotated[str, typer.Option(help="bf16 | fp8 | fp4")] = "bf16",
    batch_tokens: Annotated[float | None, typer.Option(help="global batch [tokens]; default "
                                                            "by model size")] = None,
    tp: Annotated[int | None, typer.Option(help="pin tensor parallelism")] = None,
    pp: Annotated[int | None, typer.Option(help="pin pipeline parallelism")] = None,
    cp: Annotated[int | None, typer.Option(help="pin context parallelism")] = None,
    ep: Annotated[int | None, typer.Option(help="pin expert parallelism")] = None,
    data: DataDir = None, json: Json = False,
) -> None:
    """Time, GPUs, layout, MFU, memory and energy of a training run."""
    from planner.catalogue import load_catalogue
    from planner.roofline import api

    if model and (params or active_params):
        raise UsageError.single("give --model or --params/--active-params, not both")
    pinned = {k: v for k, v in {"tp": tp, "pp": pp, "cp": cp, "ep": ep}.items() if v is not None}
    est = api.estimate_training_run(
        load_catalogue(data), accelerator, tokens, model_id=model, params=params,
        active_params=active_params, gpus=gpus, deadline_days=deadline_days, seq_len=seq_len,
        precision=_precision(precision), batch_tokens=batch_tokens, pinned=pinned or None)
    if json:
        print_json(est.as_dict())
        return
    lay = est.layout
    _print_pairs(f"training {est.model} on {est.gpus:,} x {est.accelerator} ({est.precision})", {
        "GPUs": est.gpus,
        "wall time [days]": est.wall_days,
        "GPU-hours": est.gpu_hours,
        "MFU [-]": est.mfu,
        "model TFLOP/s per GPU": est.tflops_per_gpu,
        "tokens/s per GPU": est.tokens_per_s_per_gpu,
        "memory per GPU [GB]": f"{est.memory_per_gpu_gb:.1f} of {est.memory_capacity_gb:.0f}",
        "layout": f"TP{lay.tp} PP{lay.pp} DP{lay.dp} CP{lay.cp} EP{lay.ep} micro-batch "
                  f"{lay.micro_batch} interleave {lay.interleave} ZeRO-{lay.zero_stage} "
                  f"recompute {lay.recompute}",
        "global batch [tokens]": est.batch_tokens,
        "step time [s]": est.step_time_s,
        "goodput [-]": est.goodput,
        "GPU power [W]": est.gpu_power_w,
        "IT power [MW]": est.it_power_mw,
        "IT energy [MWh]": est.energy_mwh,
        "layouts evaluated / fitting": f"{est.layouts_evaluated:,} / {est.layouts_fitting:,}",
    })
    share = {k.removesuffix("_s"): v / est.step_time_s for k, v in est.step_breakdown_s.items()}
    out.print("  step time shares: " + ", ".join(f"{k} {v:.1%}" for k, v in share.items()))


@app.command("infer")
@handle_errors
def infer(
    model: Annotated[str, typer.Option(help="llm_models id")],
    accelerator: Annotated[str, typer.Option(help="accelerator id")],
    prompt_tokens: Annotated[int, typer.Option(help="prompt length [tokens]")] = 2000,
    output_tokens: Annotated[int, typer.Option(help="output length [tokens]")] = 500,
    ttft_s: Annotated[float, typer.Option(help="time-to-first-token target [s]")] = 2.0,
    tpot_ms: Annotated[float, typer.Option(help="time-per-output-token target [ms]")] = 50.0,
    precision: Annotated[str, typer.Option(help="bf16 | fp8 | fp4")] = "fp8",
    demand: Annotated[float | None, typer.Option(help="output tokens/s to serve")] = None,
    data: DataDir = None, json: Json = False,
) -> None:
    """Tokens/s per GPU under latency targets, and GPUs for a demand."""
    from planner.catalogue import load_catalogue
    from planner.roofline import api

    est = api.estimate_inference(load_catalogue(data), accelerator, model, prompt_tokens,
                                 output_tokens, ttft_s, tpot_ms, _precision(precision), demand)
    if json:
        print_json(est.as_dict())
        return
    _print_pairs(f"serving {est.model} on {est.accelerator} ({est.precision})", {
        "output tokens/s per GPU": est.tokens_per_s_per_gpu,
        "tensor parallel": est.tp,
        "batch [sequences]": est.batch,
        "max batch by KV memory": est.max_batch_by_memory,
        "TPOT [ms]": est.tpot_ms,
        "TTFT [s]": est.ttft_s,
        "weights per GPU [GB]": est.weights_gb_per_gpu,
        "KV cache per GPU [GB]": est.kv_cache_gb_per_gpu,
        "GPU power [W]": est.gpu_power_w,
        "GPU energy [kWh per 1e6 tokens]": est.energy_kwh_per_million_tokens,
        "GPUs for the demand": est.gpus_for_demand if est.gpus_for_demand else "-",
    })


@app.command("hpc")
@handle_errors
def hpc(
    kernel: Annotated[str, typer.Option(help="hpc_kernels id, e.g. hpl")],
    accelerator: Annotated[str, typer.Option(help="accelerator id")],
    gpus: Annotated[int, typer.Option(help="number of GPUs")],
    demand_pflops: Annotated[float | None, typer.Option(help="sustained PFLOP/s wanted")] = None,
    data: DataDir = None, json: Json = False,
) -> None:
    """Sustained throughput (Rmax for HPL), power and GFLOP/s per W of a fleet."""
    from planner.catalogue import load_catalogue
    from planner.roofline import api

    est = api.estimate_hpc(load_catalogue(data), kernel, accelerator, gpus, demand_pflops)
    if json:
        print_json(est.as_dict())
        return
    _print_pairs(f"{est.kernel} on {est.gpus:,} x {est.accelerator}", {
        "Rmax [PFLOP/s]": est.rmax_pflops,
        "per GPU [TFLOP/s]": est.tflops_per_gpu,
        "bound by": est.bound,
        "IT power [MW]": est.power_mw,
        "efficiency [GFLOP/s per W]": est.gflops_per_w,
        "GPUs for the demand": est.gpus_for_pflops if est.gpus_for_pflops else "-",
    })


@app.command("validate")
@handle_errors
def validate(data: DataDir = None, json: Json = False) -> None:
    """Predicted versus published: the calibration runs and HPL systems."""
    from planner.catalogue import load_catalogue
    from planner.roofline import calibration

    cat = load_catalogue(data)
    runs, systems = calibration.training_runs(cat), calibration.hpl_systems(cat)
    if json:
        print_json({"training_runs": runs.to_dict("records"),
                    "hpl_systems": systems.to_dict("records")})
        return
    print_frame(runs, title="training runs: TFLOP/s per GPU, predicted vs published")
    print_frame(systems.drop(columns=["accelerator"]), title="HPL systems")
    out.print(f"training ratio range {runs['ratio'].min():.2f}-{runs['ratio'].max():.2f}; "
              f"HPL Rmax ratio range {systems['rmax_ratio'].min():.2f}-"
              f"{systems['rmax_ratio'].max():.2f}")


