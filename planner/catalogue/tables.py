"""The catalogue's tables, declared column by column (units live here)."""

from __future__ import annotations

from planner.catalogue.spec import Column, TableSpec, frac, num, text

EU27 = (
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
)

SOURCES = TableSpec(
    name="sources",
    file="sources.csv",
    key=("key",),
    sourced=False,
    doc="Registry of every source cited by a catalogue row.",
    columns=(
        text("key", "source key cited in the `source` column of other tables"),
        text("title", "title of the document or dataset"),
        text("publisher", "organisation or authors"),
        text("url", "where it can be found", required=False),
        num("year", "-", "publication year", lo=1990, hi=2030, kind="int"),
        text("licence", "terms under which the figures are reused"),
    ),
)

ACCELERATORS = TableSpec(
    name="accelerators",
    file="accelerators.csv",
    key=("id",),
    doc="AI and HPC accelerators: dense peak throughput, memory, interconnect, power, price.",
    columns=(
        text("id", "accelerator id used in scenarios"),
        text("name", "product name"),
        text("vendor", "vendor"),
        num("year_released", "-", "year of first availability", 2015, 2030, kind="int"),
        num("fp64_tflops", "TFLOP/s", "dense FP64 peak (tensor/matrix where present)",
            required=False),
        num("bf16_tflops", "TFLOP/s", "dense BF16 peak", lo=1.0),
        num("fp8_tflops", "TFLOP/s", "dense FP8 peak", required=False),
        num("fp4_tflops", "TFLOP/s", "dense FP4 peak", required=False),
        num("hbm_gb", "GB", "HBM capacity per GPU", lo=1.0),
        num("hbm_tb_per_s", "TB/s", "HBM bandwidth per GPU", lo=0.1),
        num("scaleup_gb_per_s", "GB/s", "scale-up (NVLink-class) bandwidth per GPU, bidirectional",
            required=False),
        num("scaleup_domain_gpus", "GPUs", "GPUs in one scale-up domain", 1, 1024, kind="int"),
        num("scaleout_gbit_per_s", "Gbit/s", "scale-out NIC bandwidth per GPU", lo=10.0),
        num("tdp_w", "W", "thermal design power per GPU", 50, 3000),
        num("gpus_per_node", "GPUs", "GPUs per server (an NVL72 rack counts as one node)",
            1, 128, kind="int"),
        num("node_power_kw", "kW", "server power incl. CPUs, NICs, fans", 0.1, 200),
        text("node_form", "server form factor"),
        num("nodes_per_rack", "nodes", "servers per rack in a dense deployment", 1, 64, kind="int"),
        num("rack_kw", "kW", "power per rack in a dense deployment", 1, 300),
        Column("air_coolable", "bool", "-", "can be deployed in an air-cooled rack"),
        Column("immersion_compatible", "bool", "-",
               "servers can be immersed (false for cold-plate rack and blade designs)"),
        num("price_usd_per_gpu", "USD", "price per GPU as published"),
        num("price_eur_per_gpu", "EUR", "price per GPU in EUR at usd_per_eur"),
        num("price_eur_per_node", "EUR", "price per server in EUR"),
        text("price_date", "date of the price (YYYY or YYYY-MM)"),
        num("usd_per_eur", "USD/EUR", "exchange rate used for the EUR prices", 0.5, 2.0),
    ),
)

SITES = TableSpec(
    name="sites",
    file="sites.csv",
    key=("id",),
    foreign_keys={"country": "countries"},
    doc="Candidate sites in EU member states: coordinates, grid, build cost, heat offtake, water.",
    columns=(
        text("id", "site id used in scenarios"),
        text("name", "place name"),
        text("country", "ISO 3166-1 alpha-2 member state"),
        num("lat", "degrees", "latitude (WGS84)", 27.0, 71.0),
        num("lon", "degrees", "longitude (WGS84)", -32.0, 45.0),
        text("kind", "kind of site",
             choices=("hpc-centre", "ai-factory", "datacentre-cluster", "greenfield")),
        text("host_system", "existing system hosted there", required=False),
        num("grid_mw_now", "MW", "grid connection available now for a new installation"),
        num("grid_mw_max", "MW", "most grid connection reachable with an upgrade"),
        num("grid_upgrade_eur_per_kw", "EUR/kW", "cost of upgrading the grid connection"),
        num("build_cost_factor", "-", "construction cost relative to EU average (1.0)", 0.2, 3.0),
        num("land_ha", "ha", "land plausibly available"),
        num("dh_offtake_mw", "MW (thermal)", "district-heating offtake for waste heat",
            required=False),
        num("dh_price_eur_per_mwh", "EUR/MWh (thermal)",
            "price paid for heat delivered at the network's supply temperature", required=False),
        num("dh_supply_temp_c", "°C", "district-heating network supply temperature", 20, 150,
            required=False),
        num("dh_return_temp_c", "°C", "district-heating network return temperature", 10, 120,
            required=False),
        num("water_stress_score", "0-5", "WRI Aqueduct baseline water stress", 0.0, 5.0),
    ),
)

SITE_CLIMATE = TableSpec(
    name="site_climate",
    file="site_climate.csv",
    key=("site", "month"),
    foreign_keys={"site": "sites"},
    doc="Monthly climate normals per site (tidy: one row per site and month).",
    columns=(
        text("site", "site id"),
        num("month", "-", "month of the year", 1, 12, kind="int"),
        num("temp_mean_c", "°C", "monthly mean air temperature (climate normal)", -40, 45),
        num("temp_daily_range_c", "K", "mean daily maximum minus mean daily minimum", 0, 30),
    ),
)

COUNTRIES = TableSpec(
    name="countries",
    file="countries.csv",
    key=("country",),
    doc="EU-27 member states: electricity price, grid carbon, capacity factors, PPA, labour.",
    columns=(
        text("country", "ISO 3166-1 alpha-2 code", choices=EU27),
        text("name", "country name"),
        num("elec_price_eur_per_mwh", "EUR/MWh", "industrial electricity price excl. VAT", 10, 1000),
        text("elec_price_band", "Eurostat consumption band of the price", choices=("IF", "IE", "ID")),
        num("grid_co2_g_per_kwh", "gCO2/kWh", "annual average grid carbon intensity", 0, 1500),
        frac("solar_cf_frac", "solar PV annual capacity factor"),
        frac("wind_onshore_cf_frac", "onshore wind annual capacity factor"),
        num("ppa_solar_eur_per_mwh", "EUR/MWh", "solar PPA price", 1, 500),
        num("ppa_wind_eur_per_mwh", "EUR/MWh", "onshore wind PPA price", 1, 500),
        num("labour_cost_eur_per_hour", "EUR/h", "hourly labour cost", 1, 150),
        num("labour_cost_factor", "-", "labour cost relative to EU-27 average", 0.1, 3.0),
        num("construction_cost_factor", "-", "construction price level relative to EU-27",
            0.2, 3.0),
        num("cooling_degree_days", "K·day", "annual cooling degree days", required=False),
    ),
)

COOLING = TableSpec(
    name="cooling",
    file="cooling.csv",
    key=("id",),
    doc="Cooling technologies: capex, rack density limit, climate-driven PUE, water, heat recovery.",
    columns=(
        text("id", "cooling technology id used in scenarios"),
        text("name", "name"),
        text("kind", "how the heat leaves the servers", choices=("air", "liquid", "immersion")),
        num("capex_eur_per_kw_it", "EUR/kW IT", "cooling capex per kW of IT load (increment on "
            "the air-cooled building)"),
        frac("fixed_om_frac_per_year", "cooling O&M per year as a fraction of its capex"),
        num("max_rack_kw", "kW", "highest rack power it can cool", 1, 500),
        num("pue_min", "-", "PUE at or below the free-cooling threshold", 1.0, 3.0),
        num("pue_threshold_c", "°C", "outdoor temperature above which PUE rises", -20, 45, ),
        num("pue_slope_per_c", "1/K", "PUE increase per K above the threshold", 0.0, 0.2),
        num("wue_l_per_kwh", "L/kWh IT", "water use effectiveness at or below the threshold "
            "(pue_threshold_c)", 0.0, 10.0),
        num("wue_slope_l_per_kwh_per_c", "L/kWh IT per K", "water use effectiveness increase "
            "per K above the threshold (evaporative or adiabatic assist)", 0.0, 1.0),
        frac("heat_recovery_frac", "fraction of IT heat recoverable for district heating"),
        num("heat_supply_temp_c", "°C", "temperature of the recovered heat", 0, 100),
    ),
)

ENERGY = TableSpec(
    name="energy",
    file="energy.csv",
    key=("id",),
    doc="Energy supply and facility technologies: capex, fixed O&M, efficiency, lifetime.",
    columns=(
        text("id", "technology id"),
        text("name", "name"),
        num("capex_eur_per_kw", "EUR/kW", "capex per kW of power capacity", required=False),
        num("capex_eur_per_kwh", "EUR/kWh", "capex per kWh of storage capacity", required=False),
        num("fixed_om_eur_per_kw_year", "EUR/kW/yr", "fixed O&M per kW", required=False),
        num("fixed_om_eur_per_kwh_year", "EUR/kWh/yr", "fixed O&M per kWh", required=False),
        num("variable_om_eur_per_mwh", "EUR/MWh", "variable O&M per MWh out", required=False),
        frac("efficiency_frac", "electrical or round-trip efficiency", required=False),
        num("lifetime_years", "years", "technical lifetime in the source (the optimiser "
            "annualises with finance.csv's economic lifetimes)", 1, 80),
        num("co2_g_per_kwh_out", "gCO2/kWh", "direct emissions per kWh produced", required=False),
    ),
)

FINANCE = TableSpec(
    name="finance",
    file="finance.csv",
    key=("parameter",),
    doc="Finance defaults: discount rate, lifetimes, O&M, staff, price year and currency.",
    columns=(
        text("parameter", "parameter name"),
        text("value", "value (numeric except currency)"),
        text("unit", "unit of the value"),
    ),
)

LLM_MODELS = TableSpec(
    name="llm_models",
    file="llm_models.csv",
    key=("id",),
    doc="Transformer architectures (dense and mixture-of-experts).",
    columns=(
        text("id", "model id used in scenarios"),
        text("name", "name"),
        text("kind", "architecture kind", choices=("dense", "moe")),
        num("params_b", "1e9 parameters", "total parameters", lo=0.001),
        num("active_params_b", "1e9 parameters", "parameters active per token", lo=0.001),
        num("layers", "-", "transformer layers", 1, 1000, kind="int"),
        num("hidden_size", "-", "model width", 1, 1e6, kind="int"),
        num("heads", "-", "attention heads", 1, 10000, kind="int"),
        num("kv_heads", "-", "key/value heads (GQA)", 1, 10000, kind="int"),
        num("ffn_hidden_size", "-", "dense FFN width", 1, 1e7, kind="int"),
        num("mlp_matrices", "-", "weight matrices per MLP: 2 (GELU) or 3 (SwiGLU)", 2, 3,
            kind="int"),
        num("vocab_size", "-", "vocabulary size", 1, 1e7, kind="int"),
        num("experts", "-", "routed experts per MoE layer", 1, 1e5, required=False, kind="int"),
        num("experts_per_token", "-", "routed experts per token (top-k)", 1, 1e3,
            required=False, kind="int"),
        num("shared_experts", "-", "always-active shared experts", 0, 1e3, required=False,
            kind="int"),
        num("moe_ffn_hidden_size", "-", "expert FFN width", 1, 1e7, required=False, kind="int"),
        num("dense_layers", "-", "leading dense layers in an MoE", 0, 1000, required=False,
            kind="int"),
        num("max_seq_len", "tokens", "context length", 1, 1e8, kind="int"),
    ),
)

HPC_KERNELS = TableSpec(
    name="hpc_kernels",
    file="hpc_kernels.csv",
    key=("id",),
    doc="HPC kernels by precision and arithmetic intensity (roofline operating points).",
    columns=(
        text("id", "kernel id used in scenarios"),
        text("name", "name"),
        text("precision", "arithmetic precision", choices=("fp64", "fp32", "bf16", "fp8")),
        num("arithmetic_intensity_flop_per_byte", "FLOP/byte", "operational intensity", lo=1e-3),
        frac("compute_efficiency_frac", "achieved fraction of the attainable roofline"),
        text("description", "what the kernel represents"),
    ),
)

EMISSION_FACTORS = TableSpec(
    name="emission_factors",
    file="emission_factors.csv",
    key=("production_type",),
    doc="Lifecycle emission factors by ENTSO-E production type (for hourly grid carbon shapes).",
    columns=(
        text("production_type", "ENTSO-E production type"),
        num("co2_g_per_kwh", "gCO2/kWh", "lifecycle emission factor", 0, 2000),
    ),
)

ACCELERATOR_EFFICIENCY = TableSpec(
    name="accelerator_efficiency",
    file="accelerator_efficiency.csv",
    key=("id",),
    foreign_keys={"id": "accelerators"},
    doc="Achieved fractions of vendor peaks per accelerator: the roofline's ceilings.",
    columns=(
        text("id", "accelerator id"),
        frac("gemm_efficiency_frac", "best measured large-GEMM throughput / dense BF16 peak"),
        frac("fp64_efficiency_frac", "HPL Rmax / (GPUs x FP64 peak)", required=False),
        frac("memory_efficiency_frac", "achieved / peak HBM bandwidth"),
        frac("scaleup_efficiency_frac", "achieved all-reduce bus bandwidth / scale-up link peak"),
        frac("scaleout_efficiency_frac", "achieved bus bandwidth / scale-out NIC peak"),
        frac("idle_power_frac", "idle GPU power / TDP"),
    ),
)

ROOFLINE_PARAMETERS = TableSpec(
    name="roofline_parameters",
    file="roofline_parameters.csv",
    key=("parameter",),
    doc="Global parameters of the performance core: failures, overlaps, memory, batch rule, power.",
    columns=(
        text("parameter", "parameter name"),
        num("value", "see unit", "value", lo=None),
        text("unit", "unit of the value"),
    ),
)

CALIBRATION_RUNS = TableSpec(
    name="calibration_runs",
    file="calibration_runs.csv",
    key=("run",),
    foreign_keys={"accelerator": "accelerators"},
    doc="Published training runs with their layouts, to validate the roofline core.",
    columns=(
        text("run", "run id"),
        text("model", "llm_models id, if catalogued", required=False),
        num("params_b", "1e9 parameters", "total parameters", lo=0.001),
        num("active_params_b", "1e9 parameters", "parameters active per token", lo=0.001),
        text("accelerator", "accelerator id"),
        num("gpus", "GPUs", "GPUs used", 1, 1e7, kind="int"),
        num("tp", "-", "tensor-parallel degree", 1, 1024, required=False, kind="int"),
        num("pp", "-", "pipeline-parallel degree", 1, 1024, required=False, kind="int"),
        num("dp", "-", "data-parallel degree", 1, 1e6, required=False, kind="int"),
        num("cp", "-", "context-parallel degree", 1, 1024, required=False, kind="int"),
        num("ep", "-", "expert-parallel degree", 1, 1024, required=False, kind="int"),
        num("seq_len", "tokens", "sequence length", 1, 1e7, kind="int"),
        num("global_batch_seqs", "sequences", "global batch", 1, 1e8, kind="int"),
        text("recompute", "activation recomputation", required=False,
             choices=("none", "selective", "full")),
        text("precision", "training precision", choices=("fp16", "bf16", "fp8")),
        num("measured_tflops_per_gpu", "TFLOP/s", "published throughput per GPU"),
        frac("measured_mfu_frac", "published or derived model FLOPs utilisation"),
        text("flops_convention", "what the published TFLOP/s counts",
             choices=("model", "hardware")),
    ),
)

REFERENCE_SYSTEMS = TableSpec(
    name="reference_systems",
    file="reference_systems.csv",
    key=("system",),
    foreign_keys={"accelerator": "accelerators"},
    doc="TOP500/Green500 systems (JUPITER first) to validate HPC estimates.",
    columns=(
        text("system", "system and list"),
        text("accelerator", "accelerator id"),
        num("gpus", "GPUs", "accelerators in the HPL run", 1, 1e7, required=False, kind="int"),
        num("rmax_pflops", "PFLOP/s", "HPL Rmax"),
        num("rpeak_pflops", "PFLOP/s", "Rpeak", required=False),
        num("power_mw", "MW", "HPL power", required=False),
        num("gflops_per_w", "GFLOP/s/W", "energy efficiency", required=False),
        text("list", "TOP500/Green500 list"),
    ),
)

ESTIMATE_RANGES = TableSpec(
    name="estimate_ranges",
    file="estimate_ranges.csv",
    key=("table", "id", "field"),
    sourced=False,
    indexed=False,
    doc="Range of every estimated figure of sites.csv and countries.csv (uncertainty as data).",
    columns=(
        text("table", "table holding the estimate", choices=("sites", "countries")),
        text("id", "row of that table: site id or ISO country code"),
        text("field", "column of that row listed in its estimated_fields"),
        num("low", "unit of the field", "lowest plausible value", lo=None),
        num("high", "unit of the field", "highest plausible value", lo=None),
        text("reason", "why the figure is uncertain and how the range was set"),
    ),
)

TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        SOURCES, ACCELERATORS, SITES, SITE_CLIMATE, COUNTRIES, COOLING, ENERGY, FINANCE,
        LLM_MODELS, HPC_KERNELS, EMISSION_FACTORS, ACCELERATOR_EFFICIENCY, ROOFLINE_PARAMETERS,
        CALIBRATION_RUNS, REFERENCE_SYSTEMS, ESTIMATE_RANGES,
    )
}

COOLING_IDS = ("air_economiser", "rear_door", "direct_liquid", "immersion")
