"""The committed demo seeds build exactly as `make build` runs them, and the result is
reproducible."""

from __future__ import annotations

import hashlib
import json

import pytest
from tests.conftest import column_types, query, run_dbt

pytestmark = pytest.mark.integration

SCHEMAS = ("marts", "segments")


def _table_hashes(warehouse) -> dict[str, str]:
    tables = query(
        warehouse,
        "select schema_name, table_name from duckdb_tables() "
        f"where schema_name in {SCHEMAS} order by 1, 2",
    )
    hashes = {}
    for schema, table in tables.itertuples(index=False):
        frame = query(warehouse, f"select * from {schema}.{table}")
        frame = frame.sort_values(list(frame.columns)).reset_index(drop=True)
        hashes[f"{schema}.{table}"] = hashlib.sha256(
            frame.to_csv(index=False).encode()
        ).hexdigest()
    return hashes


def test_demo_builds_with_all_schemas(demo_build):
    schemas = set(query(demo_build["warehouse"], "select schema_name from duckdb_schemas()").schema_name)
    assert {"raw", "staging", "intermediate", "marts", "segments"} <= schemas
    assert not any(s.startswith("main_") for s in schemas)


def test_demo_reconciles_and_names_segments(demo_build):
    wh = demo_build["warehouse"]
    assert query(wh, "select bool_and(is_reconciled) as ok from marts.row_reconciliation").ok[0]
    prof = query(wh, "select segment_id, segment_name, recommendation from segments.segment_profiles")
    assert len(prof) >= 2 and prof.segment_name.notna().all()


def test_demo_build_says_its_rows_are_the_demo_seeds(demo_build):
    source = query(demo_build["warehouse"],
                   "select distinct dataset, data_source from marts.dataset_coverage")
    assert source.to_dict("records") == [{"dataset": "contract", "data_source": "demo_seeds"}]


def test_descriptions_reach_duckdb(demo_build):
    wh = demo_build["warehouse"]
    missing = query(
        wh,
        "select schema_name || '.' || table_name as t from duckdb_tables() "
        "where schema_name in ('raw', 'staging', 'intermediate', 'marts', 'segments') "
        "and (comment is null or comment = '') "
        "union all select schema_name || '.' || view_name from duckdb_views() "
        "where schema_name in ('staging', 'intermediate') and (comment is null or comment = '')",
    )
    assert missing.empty, list(missing.t)
    # Also the columns that depend on the data (one per channel and category, a mean per
    # customer attribute): the YAML describes the demo's, and on other data
    # macros/comment_pattern_columns.sql comments them by pattern.
    undocumented = query(
        wh,
        "select schema_name || '.' || table_name || '.' || column_name as c "
        "from duckdb_columns() "
        "where schema_name in ('raw', 'staging', 'intermediate', 'marts', 'segments') "
        "and (comment is null or comment = '')",
    )
    assert undocumented.empty, list(undocumented.c)
    means = query(
        wh,
        "select comment from duckdb_columns() where schema_name = 'segments' "
        "and table_name = 'segment_profiles' and column_name = 'mean_total_spend'",
    ).comment[0]
    assert means.startswith("Segment mean of total_spend: Net amount paid"), means


def test_every_built_column_has_a_yaml_description(demo_build):
    """The docs site shows a column's description from the YAML (manifest.json), not its
    DuckDB comment: a column that only the post-hook comments by pattern
    (macros/comment_pattern_columns.sql) passes test_descriptions_reach_duckdb yet is blank on
    the site, as 53 columns of segment_profiles and 10 of segment_features were. Every column
    of every model and seed the demo builds has a YAML description, and the YAML lists no
    column the build does not make (a renamed column would leave a stale entry)."""
    wh = demo_build["warehouse"]
    manifest = json.loads((wh.parent / f"target-{wh.stem}" / "manifest.json").read_text())
    built: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in query(
        wh,
        "select schema_name, table_name, column_name from duckdb_columns() "
        "where schema_name in ('raw', 'staging', 'intermediate', 'marts', 'segments') "
        "order by schema_name, table_name, column_index",
    ).itertuples(index=False):
        built.setdefault((schema, table), []).append(column)
    undescribed, not_built, relations = [], [], 0
    for node in manifest["nodes"].values():
        columns = built.get((node["schema"], node["alias"]))
        if node["resource_type"] not in ("model", "seed") or columns is None:
            continue
        relations += 1
        name = f"{node['schema']}.{node['alias']}"
        described = {c for c, entry in node["columns"].items() if (entry.get("description") or "").strip()}
        undescribed += [f"{name}.{c}" for c in columns if c not in described]
        not_built += [f"{name}.{c}" for c in node["columns"] if c not in columns]
    assert relations >= 60 and relations == len(built), (relations, len(built))
    assert undescribed == [], f"{len(undescribed)} built columns without a YAML description: {undescribed}"
    assert not_built == [], f"YAML columns the demo build does not make: {not_built}"


def test_two_builds_give_identical_tables(demo_build, tmp_path):
    second = tmp_path / "second.duckdb"
    run_dbt(["build"], second)
    first_hashes = _table_hashes(demo_build["warehouse"])
    assert first_hashes and first_hashes == _table_hashes(second)


def test_rule_chooses_the_four_planted_groups_on_the_demo(demo_build):
    """The demo plants four groups; the unpinned k-selection must find four, with a
    distinct name for each."""
    wh = demo_build["warehouse"]
    chosen = query(wh, "select k, chosen_by from segments.segment_k_selection where is_chosen")
    assert chosen.k.tolist() == [4]
    # said for a reader, not copied from a docstring (":func:`select_k`" was in the table)
    assert chosen.chosen_by[0] == ("rule: a rank vote over silhouette, Calinski-Harabasz and "
                                   "Davies-Bouldin (Borda count), ties to the higher silhouette")
    names = query(wh, "select segment_name from segments.segment_profiles").segment_name
    assert names.is_unique and len(names) == 4


def test_marts_keep_their_columns_types_narrow(demo_build):
    """DuckDB widens sum() of a BIGINT to HUGEINT and of a DECIMAL(18, 2) to DECIMAL(38, 2);
    pandas reads a HUGEINT count as a float. Every sum in the marts is cast back
    (macros/sums.sql); 33 columns were wide before."""
    wide = query(
        demo_build["warehouse"],
        "select schema_name || '.' || table_name || '.' || column_name as c, data_type "
        "from duckdb_columns() where schema_name in ('intermediate', 'marts', 'segments') "
        "and (data_type = 'HUGEINT' or data_type like 'DECIMAL(38,%')",
    )
    assert wide.empty, wide.to_dict("records")
    counts = query(demo_build["warehouse"],
                   "select order_count from marts.purchase_frequency_by_region")
    assert str(counts.order_count.dtype) == "int64"  # it was float64 as a HUGEINT
    # a sum, median, minimum or maximum of money is money, in every mart alike
    # (loyalty_vs_spend's median was a DOUBLE, from a cast it made for its correlations)
    money = query(
        demo_build["warehouse"],
        "select table_name || '.' || column_name as c, data_type from duckdb_columns() "
        "where schema_name = 'marts' and regexp_matches(column_name, "
        "'^((median|min|max)_)?total_spend$|^spend$|^median_income$')",
    )
    assert len(money) > 20
    assert set(money.data_type) == {"DECIMAL(18,2)"}, money[money.data_type != "DECIMAL(18,2)"]


#: The models whose rules a reviewer questions most, each pinned by dbt `unit_tests:` on
#: hand-made rows in its YAML (README, Testing; DECISIONLOG).
UNIT_TESTED_MODELS = {
    "int_orders", "int_customer_activity", "int_customers", "int_order_line_rejections",
    "segment_assignments_sql", "income_by_age_group", "purchase_frequency_by_region",
    "customer_demographics_distribution",
    "int_calendar_days", "category_holiday_demand", "stg_contract__orders",
}


def test_the_build_runs_and_passes_the_unit_tests(demo_build):
    """`dbt build` runs the unit tests before each model; a unit test that a config (its
    `enabled:`) or a rename silently dropped would leave the rule unpinned."""
    target = demo_build["warehouse"].parent / f"target-{demo_build['warehouse'].stem}"
    results = json.loads((target / "run_results.json").read_text())["results"]
    unit = {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}
    assert unit and set(unit.values()) == {"pass"}, unit
    tested = {uid.split(".")[2] for uid in unit}
    assert UNIT_TESTED_MODELS <= tested, UNIT_TESTED_MODELS - tested


#: Columns named after the data's own channels, categories and campaigns: a build whose
#: inputs have no rows (``--empty``) has none of them (test_public_datasets checks them).
DATA_NAMED_COLUMNS = ("share_", "mean_share_", "response_")


def test_an_empty_build_makes_every_table_with_the_types_of_a_full_one(demo_build, tmp_path):
    """`dbt build --empty` (dbt's schema-only dry run: every ref and source read as zero
    rows) builds every model and passes every test, and each column has the type the demo
    build gives it: the Python models write typed empty tables instead of failing on zero
    customers (segment_k_selection raised "no usable feature columns" before), and the
    tests hold on empty tables. An engineer can run it in CI to check the SQL and the
    schema without reading the data."""
    warehouse = tmp_path / "empty.duckdb"
    result = run_dbt(["build", "--empty"], warehouse, check=False)
    assert result.returncode == 0, result.stdout[-6000:]
    assert "ERROR=0" in result.stdout and "SKIP=0" in result.stdout, result.stdout[-3000:]
    full, empty = column_types(demo_build["warehouse"]), column_types(warehouse)
    assert len(empty) > 500
    assert {key[:2] for key in full} == {key[:2] for key in empty}, "tables differ"
    retyped = {".".join(k): (full[k], empty[k]) for k in full.keys() & empty.keys()
               if full[k] != empty[k]}
    assert not retyped, retyped
    missing = sorted(".".join(k) for k in full.keys() - empty.keys()
                     if not k[2].startswith(DATA_NAMED_COLUMNS))
    assert not missing and not empty.keys() - full.keys(), missing
    assert query(warehouse, "select count(*) as n from segments.segment_profiles").n[0] == 0
    assert query(warehouse, "select count(*) as n from marts.customers").n[0] == 0
