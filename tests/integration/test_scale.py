"""Scale features, proven on small data (speed is measured by `make bench`, never judged here).

* The DuckDB settings of the profile (threads, memory limit, spill folder) follow the
  environment variables the Makefile sets.
* The incremental orders (int_orders, read through the marts.orders view): after a daily
  load of new orders, an incremental run gives the same mart as a full refresh, and it does
  not rebuild history (a planted change to an old row survives an incremental run; a full
  refresh repairs it). Every view still reads when the warehouse file is copied under
  another name or attached under an alias.
* The pandas baseline computes the same core marts as the dbt build on the same files.
* `customer-behavior bench` runs end to end once at a tiny size.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from tests.conftest import PROJECT_DIR, query, run_dbt

pytestmark = pytest.mark.integration


SHOW_SETTINGS = (
    "select current_setting('threads') as threads, "
    "current_setting('memory_limit') as memory_limit, "
    "current_setting('temp_directory') as temp_directory"
)


def test_profile_settings_follow_the_environment(tmp_path):
    spill = tmp_path / "my-spill"
    result = run_dbt(
        ["show", "--inline", SHOW_SETTINGS, "--output", "json"],
        tmp_path / "settings.duckdb",
        env={"CUSTOMER_BEHAVIOR_THREADS": "1", "CUSTOMER_BEHAVIOR_MEMORY_LIMIT": "1GB",
             "CUSTOMER_BEHAVIOR_TEMP_DIR": str(spill)},
    )
    shown = json.loads(result.stdout[result.stdout.index("{"):result.stdout.rindex("}") + 1])
    row = shown["show"][0]
    assert row["threads"] == 1
    assert row["memory_limit"] == "953.6 MiB"  # 1 GB = 10^9 bytes, shown in MiB
    assert row["temp_directory"] == str(spill)


# --------------------------------------------------------------------------------------
# incremental orders
# --------------------------------------------------------------------------------------
CUTOFF = "2024-12-20"  # day 1 holds orders up to here; day 2 adds the rest (11 days)
# the orders mart and what it is built from; only tests whose every parent is selected
BUILD_ORDERS = ["build", "--select", "+orders", "--indirect-selection", "cautious"]


@pytest.fixture(scope="module")
def daily_loads(tmp_path_factory):
    from customer_behavior.generate import generate

    work = tmp_path_factory.mktemp("incremental")
    full = work / "full"
    generate(full, 800, fmt="parquet", seed=11, progress=False)
    day = work / "data"
    day.mkdir()
    for name in ("customers", "campaign_responses"):
        shutil.copy(full / f"{name}.parquet", day / f"{name}.parquet")
    orders = pq.read_table(full / "orders.parquet")
    cutoff = pd.Timestamp(CUTOFF).date()
    pq.write_table(orders.filter(pc.less_equal(orders["order_date"], cutoff)),
                   day / "orders.parquet")
    return {"work": work, "full": full, "day": day, "orders": orders}


def _orders(warehouse: Path) -> pd.DataFrame:
    return query(warehouse, "select * from marts.orders order by order_id").reset_index(drop=True)


def test_incremental_orders_after_a_daily_load_equal_a_full_refresh(daily_loads):
    work, day = daily_loads["work"], daily_loads["day"]
    dbt_vars = {"data_dir": str(day)}
    incremental = work / "incremental.duckdb"
    run_dbt(BUILD_ORDERS, incremental, dbt_vars)
    before = _orders(incremental)
    assert before.order_date.max() <= pd.Timestamp(CUTOFF)

    # the next day's file holds every order: the old ones and 11 new days
    shutil.copy(daily_loads["full"] / "orders.parquet", day / "orders.parquet")
    run_dbt(BUILD_ORDERS, incremental, dbt_vars)
    compiled = (work / "target-incremental" / "compiled" / "customer_behavior" / "models"
                / "intermediate" / "int_orders.sql").read_text()
    assert "max(order_date)" in compiled, "the second run must be incremental"
    after = _orders(incremental)

    rebuilt = work / "rebuilt.duckdb"
    run_dbt([*BUILD_ORDERS, "--full-refresh"], rebuilt, dbt_vars)
    expected = _orders(rebuilt)
    assert len(after) > len(before)
    assert after.order_date.max() > pd.Timestamp(CUTOFF)
    pd.testing.assert_frame_equal(after, expected)


def test_incremental_orders_do_not_rebuild_history(daily_loads):
    """Plant a change in an old and a recent order; an incremental run rewrites only the
    recent one (inside the lookback window), a full refresh both."""
    work, day = daily_loads["work"], daily_loads["day"]
    shutil.copy(daily_loads["full"] / "orders.parquet", day / "orders.parquet")
    dbt_vars = {"data_dir": str(day), "orders_lookback_days": 3}
    warehouse = work / "history.duckdb"
    run_dbt(BUILD_ORDERS, warehouse, dbt_vars)
    latest = _orders(warehouse).order_date.max()
    with duckdb.connect(str(warehouse)) as con:
        old_id = con.sql(
            "select min(order_id) from marts.orders where order_date < date '2024-06-01'"
        ).fetchone()[0]
        recent_id = con.sql(
            f"select min(order_id) from marts.orders where order_date = date '{latest.date()}'"
        ).fetchone()[0]
        con.execute(
            "update intermediate.int_orders set amount = -1 where order_id in (?, ?)",
            [old_id, recent_id],
        )
    run_dbt(["run", "--select", "int_orders"], warehouse, dbt_vars)
    amounts = _orders(warehouse).set_index("order_id").amount
    assert amounts[old_id] == -1, "an incremental run must not rebuild old orders"
    assert amounts[recent_id] > 0, "orders inside the lookback window are recomputed"
    run_dbt(["run", "--select", "int_orders", "--full-refresh"], warehouse, dbt_vars)
    assert _orders(warehouse).set_index("order_id").amount[old_id] > 0


def test_an_order_whose_lines_span_the_window_is_rolled_up_whole(daily_loads, tmp_path):
    """One line of an old order dated on the last day (a late line, or an order whose lines
    fall on different days): the window touches the order, and an incremental run must roll
    up all its lines, not only those inside the window. Before, it replaced the order by its
    in-window line alone, and every build of the same files failed the agreement test."""
    data = tmp_path / "data"
    shutil.copytree(daily_loads["full"], data)
    orders = pq.read_table(data / "orders.parquet").to_pandas()
    last_day = orders.order_date.max()
    lines_per_order = orders.groupby("order_id").order_id.transform("size")
    spanning = orders[(lines_per_order >= 2) & (pd.to_datetime(orders.order_date)
                                                 < pd.Timestamp("2024-06-01"))].order_id.min()
    first_line = orders.index[orders.order_id == spanning][0]
    orders.loc[first_line, "order_date"] = last_day
    pq.write_table(pa.Table.from_pandas(orders, schema=pq.read_schema(data / "orders.parquet"),
                                        preserve_index=False), data / "orders.parquet")
    dbt_vars = {"data_dir": str(data), "orders_lookback_days": 3}
    warehouse = tmp_path / "span.duckdb"
    run_dbt(BUILD_ORDERS, warehouse, dbt_vars)
    whole = _orders(warehouse)
    run_dbt(BUILD_ORDERS, warehouse, dbt_vars)  # the same files again: incremental
    again = _orders(warehouse)
    pd.testing.assert_frame_equal(again, whole)
    row = again.set_index("order_id").loc[spanning]
    assert row.line_count == (orders.order_id == spanning).sum() >= 2
    assert row.order_date < pd.Timestamp("2024-06-01")  # the earliest of its lines


def test_replaced_order_history_fails_the_build_until_a_full_refresh(daily_loads, tmp_path):
    """An incremental run keeps orders older than its window: when the file is replaced by
    other data (regenerated seeds, another DATA_DIR on the same warehouse) the orders would
    be silently stale. The data test comparing int_orders with its lines fails the build and
    names the fix; a full refresh passes."""
    from customer_behavior.generate import generate

    data = tmp_path / "data"
    shutil.copytree(daily_loads["full"], data)
    dbt_vars = {"data_dir": str(data)}
    warehouse = tmp_path / "replaced.duckdb"
    run_dbt(BUILD_ORDERS, warehouse, dbt_vars)
    generate(tmp_path / "other", 800, fmt="parquet", seed=12, progress=False)
    shutil.copy(tmp_path / "other" / "orders.parquet", data / "orders.parquet")
    stale = run_dbt(BUILD_ORDERS, warehouse, dbt_vars, check=False)
    assert stale.returncode != 0
    assert "int_orders_agree_with_their_lines_else_full_refresh" in stale.stdout
    # dbt prints where the failing rows are; they name the fix
    assert 'data_quality_warnings"."int_orders_agree_with_their_lines' in stale.stdout
    fix = query(warehouse, "select distinct fix from "
                           "data_quality_warnings.int_orders_agree_with_their_lines_else_full_refresh")
    assert fix.fix.tolist() == [
        ("int_orders is out of date with its order lines: run  dbt build --full-refresh "
         "--select int_orders+")]
    run_dbt([*BUILD_ORDERS, "--full-refresh"], warehouse, dbt_vars)


# --------------------------------------------------------------------------------------
# the pandas baseline computes what the dbt build computes
# --------------------------------------------------------------------------------------
def test_every_view_reads_under_another_file_name_or_alias(planted_build, tmp_path):
    """DuckDB stores a view's query as written: a view that named its inputs with the
    database (customer_behavior.intermediate....) would fail once the file is renamed or
    attached as another catalog. Every view must read the same rows from a renamed copy and
    from an alias, and must not fall back on a same-named table of the default catalog."""
    views = query(
        planted_build["warehouse"],
        "select schema_name, view_name from duckdb_views() where not internal order by all",
    )
    assert {"int_order_lines", "int_order_lines_checked", "orders"} <= set(views.view_name)
    counts = " union all ".join(
        f"select '{s}.{v}' as view, count(*) as n from {{prefix}}{s}.{v}"
        for s, v in views.itertuples(index=False)
    )
    expected = query(planted_build["warehouse"], counts.format(prefix="") + " order by view")
    # a stored warning's rows are empty when nothing warns; every model's view has rows
    models = ~expected.view.str.startswith("data_quality_warnings.")
    assert (expected.n[models] > 0).all() and models.sum() < len(expected), expected
    renamed = tmp_path / "renamed_copy.duckdb"
    shutil.copy(planted_build["warehouse"], renamed)
    pd.testing.assert_frame_equal(
        query(renamed, counts.format(prefix="") + " order by view"), expected
    )
    with duckdb.connect() as con:
        con.execute(f"attach '{renamed}' as some_alias (read_only)")
        con.execute("create schema intermediate")  # a decoy in the default catalog
        con.execute("create table intermediate.int_orders as select 1 as order_id")
        pd.testing.assert_frame_equal(
            con.sql(counts.format(prefix="some_alias.") + " order by view").df(), expected
        )


def test_pandas_baseline_equals_the_dbt_core_marts(planted_build, tmp_path):
    from customer_behavior import pandas_baseline

    out = tmp_path / "pandas"
    result = pandas_baseline.run(planted_build["data_dir"], out, segment_k=4, n_init=10)
    assert result["k"] == 4
    wh = planted_build["warehouse"]

    # rejects: the same rows for the same reasons
    expected = query(wh, "select table_name, rejection_reason, count(*) as n from "
                         "marts.rejected_rows group by all order by all")
    got = (pd.read_parquet(out / "rejected_rows.parquet")
           .groupby(["table_name", "rejection_reason"]).size().rename("n").reset_index()
           .sort_values(["table_name", "rejection_reason"]).reset_index(drop=True))
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)

    # customers: every customer with the same activity numbers
    cols = ["customer_id", "age_group", "order_count", "total_spend", "recency_days",
            "purchase_frequency_per_year", "purchase_frequency_window_days", "campaigns_accepted",
            "is_income_outlier"]
    dbt_customers = query(wh, f"select {', '.join(cols)} from marts.customers order by customer_id")
    pd_customers = (pd.read_parquet(out / "customers.parquet")[cols]
                    .sort_values("customer_id").reset_index(drop=True))
    # both round to 6 decimals; DuckDB rounds halves away from zero, pandas to even
    pd.testing.assert_frame_equal(pd_customers, dbt_customers, check_dtype=False, atol=2e-6)

    # orders and a behaviour mart
    dbt_orders = query(wh, "select order_id, customer_id, line_count, amount, "
                           "season, is_holiday from marts.orders order by order_id")
    pd_orders = (pd.read_parquet(out / "orders.parquet")[list(dbt_orders.columns)]
                 .sort_values("order_id").reset_index(drop=True))
    pd.testing.assert_frame_equal(pd_orders, dbt_orders, check_dtype=False, atol=1e-6)
    dbt_cps = query(wh, "select channel, product_category, customer_count, order_count, spend "
                        "from marts.channel_product_spend order by 1, 2")
    pd_cps = (pd.read_parquet(out / "channel_product_spend.parquet")[list(dbt_cps.columns)]
              .sort_values(["channel", "product_category"]).reset_index(drop=True))
    pd.testing.assert_frame_equal(pd_cps, dbt_cps, check_dtype=False, atol=1e-6)

    # segments: same k, and nearly the same partition (same sample, same KMeans settings)
    dbt_sizes = query(wh, "select segment_id, count(*) as n from segments.customer_segment_assignments "
                          "group by 1 order by 1").n.to_numpy()
    pd_sizes = (pd.read_parquet(out / "customer_segments.parquet").segment_id
                .value_counts().sort_index().to_numpy())
    assert len(pd_sizes) == len(dbt_sizes) == 4
    assert abs(pd_sizes - dbt_sizes).sum() <= 0.02 * dbt_sizes.sum()


# --------------------------------------------------------------------------------------
# the benchmark command, once, at a tiny size
# --------------------------------------------------------------------------------------
def test_bench_command_runs_end_to_end_at_a_tiny_size(tmp_path):
    out, results = tmp_path / "BENCHMARKS.md", tmp_path / "bench.json"
    cmd = [
        str(Path(sys.executable).parent / "customer-behavior"), "bench", "--sizes", "2k",
        "--scope", "core", "--out", str(out), "--json", str(results),
        "--data-root", str(tmp_path / "data"), "--work-dir", str(tmp_path / "runs"),
        "--vars", json.dumps({"segment_k_min": 2, "segment_k_max": 3}),
        "--memory-cap", "6GiB", "--timeout", "600",
    ]
    proc = subprocess.run(
        cmd, check=False, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=900
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (result,) = json.loads(results.read_text())
    assert result["rows"]["customers"] == 2000 and result["rows"]["orders"] > 20_000
    dbt_run, pandas_run = result["runs"]["dbt-core"], result["runs"]["pandas"]
    assert dbt_run["status"] == pandas_run["status"] == "ok"
    for run in (dbt_run, pandas_run):
        assert run["seconds"] > 0 and run["peak_rss_bytes"] > 50 * 1024**2
    stages = dbt_run["extra"]["stages"]
    assert min(stages[s] for s in ("staging", "intermediate", "marts", "segments", "tests")) > 0
    assert dbt_run["extra"]["statuses"].get("error", 0) == 0
    assert pandas_run["extra"]["k"] in (2, 3)
    text = out.read_text()
    assert "<!-- bench:2k -->" in text and "<!-- bench-summary -->" in text
    assert "| 2k | 2,000 |" in text
    assert not (tmp_path / "data" / "2k").exists(), "generated data is deleted afterwards"
