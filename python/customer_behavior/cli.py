"""The ``customer-behavior`` command line (also ``python -m customer_behavior``).

One subcommand per step people run by hand. Each subcommand is a pair of functions:
``_add_<name>_parser(subparsers)`` declares its arguments and sets ``func`` to
``_cmd_<name>``, which does the work and returns the process exit code. To add a
subcommand, write the pair and list the ``_add_..._parser`` in ``_SUBCOMMANDS``.
"""

from __future__ import annotations

import argparse
import json
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
            "truth": args.truth,
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
# entry point
# ---------------------------------------------------------------------------

_SUBCOMMANDS: list[Callable] = [_add_generate_parser]


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
