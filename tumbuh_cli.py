"""The `tumbuh` command: demo data, ingestion, z-scores, exports, the hash key and the dashboard.

The entry module on top of the packages (D30): it imports pipelines, dashboard and demo (the
last two lazily, so the pipeline runs without them); none of them imports it back."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines.config import ConfigError, default_config
from pipelines.guarded import guarded

# Exit codes: 0 done, 1 some file was fatal, 2 a usage or config error, 3 nothing was changed
# because the warehouse, its key or the disk refused (each with a message saying why).
# Every other command reads the config (config/tumbuh.toml or $TUMBUH_CONFIG) first.
WITHOUT_CONFIG = {"demo", "zscore"}


def _warehouse(args: argparse.Namespace) -> Path:
    return Path(args.warehouse) if args.warehouse else default_config().warehouse_path


def cmd_ingest(args: argparse.Namespace) -> int:
    from pipelines.ingest import SOURCE_MODULES, files_in, get_source
    from pipelines.ingest.load import ingest_files

    if args.source == "all":
        jobs = []
        for folder in args.files:
            for name in SOURCE_MODULES:
                sub = Path(folder) / name
                if sub.is_dir():
                    jobs += [(get_source(name), p) for p in files_in(sub)]
        if not jobs:
            print(f"no export files under {', '.join(args.files)}", file=sys.stderr)
            return 2
    else:
        source = get_source(args.source)
        jobs = [(source, Path(f)) for f in args.files]

    def report(result):
        if args.json:
            print(result.to_json(), flush=True)
        else:
            print(result.to_line(), file=sys.stderr if result.fatal else sys.stdout, flush=True)

    warehouse = _warehouse(args)
    results = guarded("ingest", warehouse, lambda: ingest_files(
        jobs, warehouse=warehouse, on_result=report, only_kabkota=args.only_kabkota))
    if isinstance(results, int):
        return results
    return 1 if any(r.fatal for r in results) else 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    from pipelines.warehouse import building

    warehouse = _warehouse(args)
    if not warehouse.exists():
        print(f"no warehouse at {warehouse}: run `tumbuh ingest` first", file=sys.stderr)
        return 2

    marts = None
    if args.engine == "spark":
        from pipelines.spark.session import SparkUnavailable, check_installed

        try:
            check_installed()
        except SparkUnavailable as exc:
            print(f"tumbuh rebuild: {exc}; nothing was changed", file=sys.stderr)
            return 2
        from pipelines.spark.rebuild import build_marts_on_spark as marts

    def rebuild() -> int:
        with building(warehouse, full_rebuild=True, marts=marts):
            pass
        return 0

    result = guarded("rebuild", warehouse, rebuild)
    if result == 0:
        print(f"every mart of {warehouse} rebuilt from its stored rows"
              + (" on Spark" if args.engine == "spark" else ""))
    return result


def cmd_zscore(args: argparse.Namespace) -> int:
    from pipelines.who.cli import run_zscore

    n = run_zscore(args.input, args.output)
    print(f"{n:,} rows written to {args.output}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from demo.generate import main as demo_main

    return demo_main(args) or 0


def cmd_export(args: argparse.Namespace) -> int:
    from pipelines.export import ExportError, export, list_exports
    from pipelines.warehouse import connect_readonly

    warehouse = _warehouse(args)
    if not warehouse.exists():
        print(f"no warehouse at {warehouse}: run `tumbuh ingest` first", file=sys.stderr)
        return 2
    if not args.name:
        with connect_readonly(warehouse) as con:
            for name, description in list_exports(con):
                print(f"{name:32} {description}")
        return 0
    if not args.out:
        print("--out FILE is required (.csv, .parquet or .xlsx)", file=sys.stderr)
        return 2
    import duckdb

    try:
        n = export(args.name, Path(args.out), warehouse)
    except ExportError as exc:
        print(f"tumbuh export: {exc}", file=sys.stderr)
        return 2
    except (OSError, duckdb.IOException, duckdb.OutOfMemoryException) as exc:
        print(f"tumbuh export: could not write {args.out}: {exc}\nNothing was written (no "
              f"partial file is left). To fix: free disk space or choose a folder you can "
              f"write to.", file=sys.stderr)
        return 3
    print(f"{n:,} rows written to {args.out}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from reports.cli import run

    return run(args, _warehouse(args))


def cmd_key(args: argparse.Namespace) -> int:
    """Where the hash key comes from, its fingerprint and whether it is the warehouse's; with
    --create, make the key file (the only command besides a first load that does, D31)."""
    import duckdb

    from pipelines import keys
    from pipelines.warehouse import connect_readonly

    config = default_config()
    warehouse = _warehouse(args)
    try:
        source = keys.key_source(config.privacy, config.base_dir, warehouse)
    except keys.HashKeyError as exc:
        print(f"tumbuh key: {exc}", file=sys.stderr)
        return 3
    stored: str | None = None
    if warehouse.exists():
        try:
            with connect_readonly(warehouse) as con:
                rows = con.execute("SELECT fingerprint FROM meta_key").fetchall()
                stored = rows[0][0] if rows else None
                has_key = keys.has_key(con)
        except duckdb.Error as exc:
            print(f"tumbuh key: cannot read {warehouse}: {exc}", file=sys.stderr)
            return 3
    else:
        has_key = False
    if args.create and not source.from_env and not source.file.exists():
        if has_key:
            print(f"tumbuh key: not creating {source.file}: {warehouse} was built under a key "
                  "and a new one would not match its child keys. Restore the key file from "
                  f"your copy of it, or set ${source.env_name}", file=sys.stderr)
            return 3
        keys.create_key_file(source.file)
    try:
        key = keys.load_key(config.privacy, config.base_dir, warehouse)
    except keys.HashKeyError as exc:
        print(f"tumbuh key: {exc}", file=sys.stderr)
        return 3
    mine = keys.fingerprint(key)
    print(f"hash key from {source.describe()}, fingerprint {mine[:12]}...")
    if not warehouse.exists():
        print(f"no warehouse at {warehouse} yet: its first load stores this key's fingerprint")
    elif stored == mine:
        print(f"{warehouse} was built under this key")
    elif stored is None and not has_key:
        print(f"{warehouse} has no key yet: its next load stores this key's fingerprint")
    else:
        print(f"{warehouse} was built under another key"
              + (f" (fingerprint {stored[:12]}...)" if stored else " (of an older scheme)")
              + ": a load with this key is refused", file=sys.stderr)
        return 3
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from dashboard.serve import main as serve_main

    return serve_main(port=args.port, warehouse=_warehouse(args), address=args.address,
                      no_auth=args.no_auth) or 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tumbuh", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="load export files into the warehouse")
    p.add_argument("source", choices=["posyandu", "pkk", "spm", "intervensi", "all"],
                   help="the kind of export; 'all' takes folders with posyandu/ pkk/ spm/ intervensi/")
    p.add_argument("files", nargs="+", help="export files (or folders, with 'all')")
    p.add_argument("--warehouse", help="published warehouse path (default from config)")
    p.add_argument("--json", action="store_true", help="one JSON object per file")
    p.add_argument("--only-kabkota", metavar="CODE",
                   help="refuse the whole load (nothing published) if a staged row lies outside "
                        "this kab/kota, e.g. 35.07 (the dashboard's uploads by an operator)")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("rebuild", help="rebuild every mart from the stored rows (after a code "
                       "or config change)")
    p.add_argument("--warehouse", help="published warehouse path (default from config)")
    p.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                   help="where the marts are computed: DuckDB (default, embedded) or Spark "
                        "(the [spark] master of the config; needs pip install 'tumbuh[spark]' "
                        "and Java 17)")
    p.set_defaults(func=cmd_rebuild)

    p = sub.add_parser("zscore", help="WHO 2006 z-scores for a CSV (sex, age_days, weight_kg, lenhei_cm, measure)")
    p.add_argument("input")
    p.add_argument("output")
    p.set_defaults(func=cmd_zscore)

    p = sub.add_parser("demo", help="write realistic demo exports for Jawa Timur")
    try:
        from demo.options import add_arguments
        add_arguments(p)
    except ImportError:  # the generator is optional for the pipeline itself
        pass
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("export", help="list the marts, or write one as CSV, Parquet or XLSX")
    p.add_argument("name", nargs="?")
    p.add_argument("--out")
    p.add_argument("--warehouse")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("report", help="the kab/kota report, or 'provinsi' for all 38, as PDF")
    from reports.cli import add_arguments as report_arguments

    report_arguments(p)
    p.set_defaults(func=cmd_report)


    p = sub.add_parser("key", help="show where the hash key comes from and whether it is the "
                       "warehouse's; --create makes the key file")
    p.add_argument("--create", action="store_true",
                   help="create the key file with a random key if there is none (not over a "
                        "warehouse built under a key)")
    p.add_argument("--warehouse", help="published warehouse path (default from config)")
    p.set_defaults(func=cmd_key)

    p = sub.add_parser("serve", help="start the dashboard (on 127.0.0.1 unless --address)")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1, this machine only; 0.0.0.0 = "
                        "every interface, which needs [auth] in the config or --no-auth)")
    p.add_argument("--no-auth", action="store_true",
                   help="listen on a non-loopback address without sign-in")
    p.add_argument("--warehouse")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    from pipelines.filemodes import private_files

    args = build_parser().parse_args(argv)
    try:
        if args.command not in WITHOUT_CONFIG:
            default_config()  # read and checked before any work, even with --warehouse
        with private_files():  # the warehouse, its store, the key file and exports: 0600/0700
            return args.func(args)
    except ConfigError as exc:
        print(f"tumbuh {args.command}: the config cannot be used: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
