"""The ``customer-behavior`` command line (also ``python -m customer_behavior``).

One subcommand per step people run by hand. Each subcommand is a pair of functions:
``_add_<name>_parser(subparsers)`` declares its arguments and sets ``func`` to
``_cmd_<name>``, which does the work and returns the process exit code. To add a
subcommand, write the pair and list the ``_add_..._parser`` in ``_SUBCOMMANDS``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from customer_behavior import __version__

# ---------------------------------------------------------------------------
# generate
# ---------------------------------------------------------------------------


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _category_factor(text: str) -> tuple[str, float]:
    """CATEGORY=FACTOR, e.g. sweets=3."""
    category, sep, factor = text.partition("=")
    try:
        value = float(factor)
    except ValueError:
        value = None
    if not sep or not category.strip() or value is None:
        raise argparse.ArgumentTypeError(f"expected CATEGORY=FACTOR (e.g. sweets=3), not {text!r}")
    return category.strip(), value


def _add_generate_parser(subparsers) -> None:
    from customer_behavior.generate import SIZES

    sizes = "\n".join(f"  {name:<11} {spec['description']}" for name, spec in SIZES.items())
    p = subparsers.add_parser(
        "generate",
        help="write synthetic contract-shaped data (customers, orders, campaign responses)",
        description=textwrap.fill(
            "Write synthetic retail data in the project's input contract: customers, "
            "orders (one row per order line) and campaign_responses, as CSV or Parquet. "
            "Output is deterministic for a given seed and arguments, is written in "
            "chunks (bounded memory at any size) and carries planted, measurable "
            "behaviour (see customer_behavior.generate.PLANTED). A manifest.json with "
            "the arguments, row counts and injected bad rows is written beside the data.",
            width=79,
        ),
        epilog=(
            f"named sizes (--size):\n{sizes}\n\n"
            "examples:\n"
            "  customer-behavior generate --size demo --out seeds/demo\n"
            "  customer-behavior generate --size 1m --format parquet --out bench_data/1m\n"
            "  customer-behavior generate --customers 5000 --truth --out /tmp/sample"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar="DIR",
        help="output directory (created if missing; files are overwritten)",
    )
    size = p.add_mutually_exclusive_group(required=True)
    size.add_argument(
        "--customers",
        type=_positive_int,
        metavar="N",
        help="number of customers (e.g. 100000 or 100_000)",
    )
    size.add_argument(
        "--size",
        choices=sorted(SIZES),
        metavar="NAME",
        help=f"a named preset: {', '.join(SIZES)} (see below)",
    )
    p.add_argument(
        "--format",
        dest="fmt",
        choices=("csv", "parquet"),
        default="csv",
        help="file format (default: csv)",
    )
    p.add_argument("--seed", type=int, default=42, help="random seed, >= 0 (default: 42)")
    p.add_argument(
        "--orders-per-customer",
        type=float,
        default=None,
        metavar="X",
        help="mean orders per customer over 2023-2024; an order has 1-4 lines "
        "(default: 6, or the preset's value)",
    )
    p.add_argument(
        "--dirty-rate",
        type=float,
        default=None,
        metavar="R",
        help="fraction of bad rows to inject into customers and orders for the "
        "rejects pipeline, e.g. 0.002 (default: 0, or the preset's value)",
    )
    p.add_argument(
        "--dropout",
        type=float,
        default=None,
        metavar="P",
        help="plant customer churn: after each repeat purchase a customer stops buying "
        "with a chance of P on average, e.g. 0.05; the mean orders per customer is kept "
        "(default: 0, or the preset's value)",
    )
    p.add_argument(
        "--holiday-category-multiplier",
        type=_category_factor,
        action="append",
        default=None,
        metavar="CATEGORY=FACTOR",
        help="plant a holiday effect on one category: its lines dated on a holiday of the "
        "holiday calendar carry FACTOR times the units (and amount), e.g. sweets=3; repeat "
        "for several categories (default: holidays lift every category alike)",
    )
    p.add_argument(
        "--truth",
        action="store_true",
        help="also write customer_groups_truth.csv (planted group per customer; "
        "not part of the contract, for testing segmentation)",
    )
    p.add_argument(
        "--chunk-customers",
        type=_positive_int,
        default=200_000,
        metavar="N",
        help="customers generated and written per chunk; bounds memory, does not "
        "change the output (default: 200000)",
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar on stderr (default: only for > ~200k order lines)",
    )
    p.set_defaults(func=_cmd_generate)


def _cmd_generate(args: argparse.Namespace) -> int:
    from customer_behavior.generate import SIZES, generate

    preset = SIZES[args.size] if args.size else {}
    n_customers = args.customers if args.customers else preset["n_customers"]
    orders_per_customer = (
        args.orders_per_customer
        if args.orders_per_customer is not None
        else preset.get("orders_per_customer", 6.0)
    )
    dirty_rate = args.dirty_rate if args.dirty_rate is not None else preset.get("dirty_rate", 0.0)
    dropout = args.dropout if args.dropout is not None else preset.get("dropout", 0.0)
    started = time.perf_counter()
    result = generate(
        args.out,
        n_customers,
        fmt=args.fmt,
        seed=args.seed,
        orders_per_customer=orders_per_customer,
        dirty_rate=dirty_rate,
        write_truth=args.truth,
        chunk_customers=args.chunk_customers,
        progress=args.progress,
        dropout=dropout,
        holiday_category_multiplier=dict(args.holiday_category_multiplier or []),
    )
    seconds = time.perf_counter() - started
    manifest = {
        "generator": "customer_behavior.generate",
        "version": __version__,
        "args": {
            "size": args.size,
            "n_customers": n_customers,
            "format": args.fmt,
            "seed": args.seed,
            "orders_per_customer": orders_per_customer,
            "dirty_rate": dirty_rate,
            "dropout": dropout,
            "truth": args.truth,
            # only when planted, so the manifest of the default data is as before
            **({"holiday_category_multiplier": dict(args.holiday_category_multiplier)}
               if args.holiday_category_multiplier else {}),
        },
        "files": {name: Path(path).name for name, path in result["files"].items()},
        "rows": result["rows"],
        "dirty": result["dirty"],
        "variants": result["variants"],
    }
    # no timings or absolute paths: regenerating the same data gives the same manifest
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    rows = result["rows"]
    bad = sum(result["dirty"].values())
    print(
        f"generated {rows['customers']:,} customers, {rows['orders']:,} order lines, "
        f"{rows['campaign_responses']:,} campaign responses"
        + (f" ({bad:,} bad rows injected)" if result["dirty"] else "")
        + f" as {args.fmt} in {args.out} in {seconds:.1f} s"
    )
    return 0


# ---------------------------------------------------------------------------
# charts
# ---------------------------------------------------------------------------


def _add_charts_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "charts",
        help="draw the matplotlib charts of the marts as PNG",
        description=textwrap.fill(
            "Read the marts of a built warehouse (opened read-only) and write one PNG per "
            "chart plus charts.json (what was drawn, what was skipped and why). A chart whose "
            "mart is missing or empty for the dataset is skipped; a small image saying so is "
            "written in its place so that pages embedding it do not break. `make build` "
            "writes them to assets/charts/, the folder the dbt docs site serves.",
            width=79,
        ),
        epilog="example:\n  customer-behavior charts --warehouse warehouse/customer_behavior.duckdb "
        "--out assets/charts",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--warehouse", required=True, type=Path, metavar="FILE",
                   help="the DuckDB file built by dbt")
    p.add_argument("--out", required=True, type=Path, metavar="DIR",
                   help="folder for the PNGs (created if missing)")
    p.set_defaults(func=_cmd_charts)


def _cmd_charts(args: argparse.Namespace) -> int:
    from customer_behavior.charts import render_charts

    started = time.perf_counter()
    entries = render_charts(args.warehouse, args.out)
    written = [e for e in entries if e["status"] == "written"]
    for entry in entries:
        if entry["status"] != "written":
            print(f"skipped {entry['name']}: {entry['reason']}")
    print(f"wrote {len(written)} of {len(entries)} charts to {args.out} "
          f"in {time.perf_counter() - started:.1f} s")
    return 0


# ---------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------


def _add_report_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "report",
        help="write the insight report (Markdown, charts, report_numbers.json)",
        description=textwrap.fill(
            "Write report.md, its charts/ and report_numbers.json into DIR from a built "
            "warehouse (opened read-only). Every number in the report is read from the marts "
            "at generation time; report_numbers.json lists each with the SQL that produced "
            "it. Sections whose mart is missing or empty for the dataset are skipped with a "
            "note.",
            width=79,
        ),
        epilog="example:\n  customer-behavior report --warehouse warehouse/customer_behavior.duckdb "
        "--out reports/contract --charts assets/charts",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--warehouse", required=True, type=Path, metavar="FILE",
                   help="the DuckDB file built by dbt")
    p.add_argument("--out", required=True, type=Path, metavar="DIR",
                   help="folder for report.md, charts/ and report_numbers.json")
    p.add_argument("--charts", type=Path, metavar="DIR", default=None,
                   help="reuse the charts `customer-behavior charts` drew from the same "
                   "warehouse into DIR (copied into the report's charts/); default: draw them")
    p.set_defaults(func=_cmd_report)


def _cmd_report(args: argparse.Namespace) -> int:
    from customer_behavior.report import build_report

    started = time.perf_counter()
    summary = build_report(args.warehouse, args.out, charts_dir=args.charts)
    if summary["sections_skipped"]:
        print("skipped sections: " + ", ".join(summary["sections_skipped"]))
    print(f"wrote {summary['report']} ({summary['number_count']} numbers, "
          f"{summary['charts_written']} charts) in {time.perf_counter() - started:.1f} s")
    return 0


# ---------------------------------------------------------------------------
# bench
# ---------------------------------------------------------------------------


def _add_bench_parser(subparsers) -> None:
    from customer_behavior.generate import SIZES

    sizes = "\n".join(f"  {name:<11} {spec['description']}" for name, spec in SIZES.items())
    p = subparsers.add_parser(
        "bench",
        help="time dbt build against the pandas + scikit-learn way on generated data",
        description=textwrap.fill(
            "For each size: generate contract-shaped Parquet, time `dbt build` of the core "
            "scope (the models the pandas baseline reimplements, with their tests) and of the "
            "whole project, each into a fresh DuckDB file, then the pandas + scikit-learn "
            "baseline (customer_behavior.pandas_baseline) on the same files. Every run is a "
            "child process: wall clock, CPU time and peak memory of its process tree are "
            "recorded, and a run over the memory cap is killed and recorded as such. Results "
            "go into the Markdown file given by --out (one block per size, re-running a size "
            "replaces its block) with per-stage dbt timings from run_results.json.",
            width=79,
        ),
        epilog=(
            f"named sizes (--sizes, or a customer count such as 2k):\n{sizes}\n\n"
            "examples:\n"
            "  customer-behavior bench --sizes 100k,1m --out BENCHMARKS.md\n"
            "  customer-behavior bench --sizes 100m-lines --scope core --memory-limit 8GB\n"
            "  customer-behavior bench --sizes 2k --scope core --out /tmp/bench.md \\\n"
            "      --vars '{\"segment_k_min\": 2, \"segment_k_max\": 3}'"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--sizes", default="100k,1m", metavar="LIST",
                   help="comma-separated sizes (default: 100k,1m)")
    p.add_argument("--out", type=Path, default=Path("BENCHMARKS.md"), metavar="FILE",
                   help="Markdown file to write the results into (default: BENCHMARKS.md)")
    p.add_argument("--json", type=Path, default=None, metavar="FILE",
                   help="also write the raw results as JSON")
    p.add_argument("--scope", default="core,whole", metavar="LIST",
                   help="dbt runs: core (the pandas-equivalent selection), whole (the whole "
                   "project) or both (default: core,whole)")
    p.add_argument("--no-pandas", dest="pandas", action="store_false",
                   help="skip the pandas baseline")
    p.add_argument("--vars", default="{}", metavar="JSON",
                   help="extra dbt vars, e.g. segmentation settings for large runs; the "
                   "segment_* ones are given to the pandas baseline too")
    p.add_argument("--data-root", type=Path, default=Path("bench_data"), metavar="DIR",
                   help="where generated data goes, one folder per size (default: bench_data)")
    p.add_argument("--work-dir", type=Path, default=None, metavar="DIR",
                   help="warehouses, logs and dbt target folders (default: DATA_ROOT/runs)")
    p.add_argument("--keep-data", action="store_true",
                   help="keep the generated data (and reuse it next time) instead of deleting it")
    p.add_argument("--threads", default=None, metavar="N",
                   help="DuckDB threads (default: $CUSTOMER_BEHAVIOR_THREADS or 2)")
    p.add_argument("--memory-limit", default=None, metavar="SIZE",
                   help="DuckDB memory_limit (default: $CUSTOMER_BEHAVIOR_MEMORY_LIMIT or 2GB)")
    p.add_argument("--temp-dir", type=Path, default=None, metavar="DIR",
                   help="DuckDB spill folder (default: a folder in the work dir)")
    p.add_argument("--memory-cap", default="16GiB", metavar="SIZE",
                   help="kill a run whose process tree goes over this resident memory; "
                   "lowered to what is free at the start (default: 16GiB; 0 = no cap)")
    p.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                   help="kill a run that takes longer than this")
    p.add_argument("--seed", type=int, default=42, help="generator seed (default: 42)")
    p.add_argument("--project-dir", type=Path, default=None, metavar="DIR",
                   help="the dbt project to build (default: this package's project); a "
                   "modified copy A/B-tests a change on the same data")
    p.add_argument("--label", default=None, metavar="TEXT",
                   help="name the results SIZE-TEXT (e.g. 1m-pinned-k), so that a run with "
                   "other settings gets its own block instead of replacing the size's")
    p.set_defaults(func=_cmd_bench)


def _cmd_bench(args: argparse.Namespace) -> int:
    import os

    from customer_behavior import benchmark

    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    for size in sizes:
        benchmark.parse_size(size)  # fail on a bad size before any work
    scopes = tuple(s.strip() for s in args.scope.split(",") if s.strip())
    if not scopes or set(scopes) - {"core", "whole"}:
        raise ValueError(f"--scope must list core and/or whole, not {args.scope!r}")
    try:
        dbt_vars = json.loads(args.vars)
    except json.JSONDecodeError as exc:
        raise ValueError(f"--vars is not JSON: {exc}") from None
    if not isinstance(dbt_vars, dict):
        raise ValueError("--vars must be a JSON object")  # noqa: TRY004 (main reports ValueError)
    cap = benchmark.parse_bytes(args.memory_cap)
    results = benchmark.run_benchmark(
        sizes,
        data_root=args.data_root,
        work_root=args.work_dir or args.data_root / "runs",
        scopes=scopes,
        dbt_vars=dbt_vars,
        threads=args.threads or os.environ.get("CUSTOMER_BEHAVIOR_THREADS", "2"),
        memory_limit=args.memory_limit or os.environ.get("CUSTOMER_BEHAVIOR_MEMORY_LIMIT", "2GB"),
        temp_dir=args.temp_dir,
        memory_cap_bytes=cap or None,
        timeout=args.timeout,
        seed=args.seed,
        keep_data=args.keep_data,
        run_pandas=args.pandas,
        project_dir=args.project_dir,
        label=args.label,
        echo=lambda line: print(line, flush=True),
    )
    benchmark.update_markdown(args.out, results)
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"wrote {args.out}")
    print(benchmark.summary_table(results))
    failed = [
        f"{r['size']} {name}"
        for r in results
        for name, run in r["runs"].items()
        if name.startswith("dbt-") and run["status"] != "ok"
    ]
    if failed:
        print(f"dbt runs that did not succeed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


# ---------------------------------------------------------------------------
# preflight
# ---------------------------------------------------------------------------


def _add_preflight_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "preflight",
        help="check that the warehouse file is free before dbt runs (make build does this)",
        description=textwrap.fill(
            "Fail in a second, with a message naming the file and what to do, when another "
            "process (the duckdb CLI, a notebook, DBeaver, another build) holds the DuckDB "
            "warehouse file open, instead of letting dbt fail later. A file that does not "
            "exist yet is fine. Exit status 0 when the build can go ahead, 2 otherwise.",
            width=79,
        ),
        epilog="example:\n  customer-behavior preflight --warehouse warehouse/customer_behavior.duckdb",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--warehouse", required=True, type=Path, metavar="FILE",
                   help="the DuckDB file dbt will build into")
    p.set_defaults(func=_cmd_preflight)


def _cmd_preflight(args: argparse.Namespace) -> int:
    from customer_behavior.preflight import SETTINGS, settings_problem, warehouse_problem

    settings = {name: os.environ[env] for name, (env, _, _) in SETTINGS.items()
                if os.environ.get(env)}
    problem = settings_problem(settings) or warehouse_problem(args.warehouse)
    if problem:
        print(f"customer-behavior preflight: {problem}", file=sys.stderr)
        return 2
    return 0


# ---------------------------------------------------------------------------
# entry point
# ---------------------------------------------------------------------------

_SUBCOMMANDS: list[Callable] = [_add_generate_parser, _add_charts_parser, _add_report_parser, _add_bench_parser, _add_preflight_parser]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="customer-behavior",
        description="SQL-first customer purchasing-behaviour analytics (dbt + DuckDB): "
        "the steps you run by hand.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in _SUBCOMMANDS:
        add(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ValueError as exc:  # bad argument values found by the step itself
        print(f"customer-behavior {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
