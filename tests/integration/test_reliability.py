"""Reliability: a locked warehouse fails fast with a message, a build killed half-way is
repaired by the next build, two builds of the same input are identical, a refused input
leaves a built warehouse as it was, personal data never leaves the raw layer, and the docs
server listens on 127.0.0.1 only.

The dirty dataset (tests/fixtures/reliability.py: every kind of bad row, a Latin-1 file,
name / email / phone columns) is built once and shared with test_bad_input.py.
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from tests.conftest import DBT, PROJECT_DIR, query, run_dbt
from tests.fixtures.reliability import (
    FIRST_NAMES,
    LAST_NAMES,
    dirty_build,
    table_differences,
    table_hashes,
)

from customer_behavior.preflight import warehouse_problem

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent
MODEL_SCHEMAS = ("staging", "intermediate", "marts", "segments")
EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
PHONE = r"\+\d{1,3}[ -]?\(?\d{2,4}\)?[ -]?\d{3}[ -]?\d{3,4}"
PERSONAL_COLUMN_NAMES = {"name", "cust_name", "customer_name", "first_name", "last_name",
                         "email", "e_mail", "phone", "phone_number", "mobile"}


@pytest.fixture(scope="module")
def dirty(tmp_path_factory):
    return dirty_build(tmp_path_factory)


def _env(warehouse: Path) -> dict:
    return {
        **os.environ,
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "CUSTOMER_BEHAVIOR_WAREHOUSE": str(warehouse),
        "CUSTOMER_BEHAVIOR_TEMP_DIR": str(warehouse.parent / "spill"),
    }


def _dbt_command(warehouse: Path, dbt_vars: dict | None) -> list[str]:
    """The command run_dbt runs, for the tests that need the process itself."""
    work = warehouse.parent
    cmd = [
        str(DBT), "build",
        "--target-path", str(work / f"target-{warehouse.stem}"),
        "--log-path", str(work / f"logs-{warehouse.stem}"),
    ]
    return cmd + (["--vars", json.dumps(dbt_vars)] if dbt_vars else [])


def _leftovers(warehouse: Path) -> list[str]:
    found = query(
        warehouse,
        "select schema_name || '.' || table_name as name from duckdb_tables() "
        "union all select schema_name || '.' || view_name from duckdb_views() where not internal",
    ).name
    return [n for n in found if "__dbt_tmp" in n or "__dbt_backup" in n]


# ---------------------------------------------------------------------------
# determinism, interrupted builds, refused input on a built warehouse
# ---------------------------------------------------------------------------


def test_two_builds_of_the_same_input_are_identical(dirty, tmp_path):
    second = tmp_path / "second.duckdb"
    run_dbt(["build"], second, {"data_dir": str(dirty["data_dir"])})
    first_hashes, second_hashes = table_hashes(dirty["warehouse"]), table_hashes(second)
    assert any(name.startswith("marts.") for name in first_hashes)
    assert any(name.startswith("segments.") for name in first_hashes)
    differing = sorted(n for n in first_hashes if first_hashes[n] != second_hashes.get(n))
    assert set(first_hashes) == set(second_hashes)
    assert differing == [], table_differences(dirty["warehouse"], second, differing)


def test_a_build_killed_mid_model_is_repaired_by_the_next_build(dirty, tmp_path):
    """SIGKILL the whole dbt process group while a model is being written (during a rebuild
    of a built warehouse, so old, temporary and backup relations all exist), then build
    normally: the result equals the clean build."""
    warehouse = tmp_path / "killed.duckdb"
    shutil.copy(dirty["warehouse"], warehouse)
    dbt_vars = {"data_dir": str(dirty["data_dir"])}
    process = subprocess.Popen(
        _dbt_command(warehouse, dbt_vars), cwd=PROJECT_DIR, env=_env(warehouse),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    seen, killed_at = [], None
    try:
        for line in process.stdout:
            seen.append(line)
            if re.search(r"START python table model (marts|segments)\.", line):
                time.sleep(0.5)  # inside the model: pandas and scikit-learn at work
                os.killpg(process.pid, signal.SIGKILL)
                killed_at = line.strip()
                break
    finally:
        if process.poll() is None and killed_at is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    assert killed_at, "".join(seen)[-3000:]
    assert process.returncode == -signal.SIGKILL
    assert not any("Completed successfully" in line for line in seen)

    repaired = run_dbt(["build"], warehouse, dbt_vars)
    assert "Completed successfully" in repaired.stdout
    assert _leftovers(warehouse) == []
    clean, after = table_hashes(dirty["warehouse"]), table_hashes(warehouse)
    differing = sorted(n for n in clean if clean[n] != after.get(n))
    assert set(clean) == set(after)
    assert differing == [], table_differences(dirty["warehouse"], warehouse, differing)


def test_refused_input_leaves_a_built_warehouse_untouched(dirty, tmp_path):
    warehouse = tmp_path / "kept.duckdb"
    shutil.copy(dirty["warehouse"], warehouse)
    before = table_hashes(warehouse, ("raw", "staging", "intermediate", "marts", "segments"))
    broken = tmp_path / "broken"
    shutil.copytree(dirty["data_dir"], broken)
    (broken / "orders.csv").write_bytes(b"")
    result = run_dbt(["build"], warehouse, {"data_dir": str(broken)}, check=False)
    assert result.returncode != 0
    assert f"{broken}/orders.csv (table 'orders') is empty (0 bytes)" in result.stdout
    after = table_hashes(warehouse, ("raw", "staging", "intermediate", "marts", "segments"))
    assert after == before
    # the raw views still read the files of the last good build
    views = query(warehouse, "select sql from duckdb_views() where schema_name = 'raw'").sql
    assert all(str(dirty["data_dir"]) in sql for sql in views)


# ---------------------------------------------------------------------------
# a warehouse held by another process
# ---------------------------------------------------------------------------


def _hold(command: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _wait_until_locked(path: Path, holder: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while warehouse_problem(path) is None:
        assert holder.poll() is None and time.monotonic() < deadline, "the holder did not lock"
        time.sleep(0.2)


def _release(holder: subprocess.Popen) -> None:
    holder.stdin.close()  # the duckdb CLI and the Python holder both exit at end of input
    try:
        holder.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait(timeout=20)


def test_dbt_fails_fast_when_the_duckdb_cli_holds_the_warehouse(tmp_path):
    warehouse = tmp_path / "held.duckdb"
    duckdb.connect(str(warehouse)).close()
    holder = _hold([str(BIN / "duckdb"), str(warehouse)])
    try:
        _wait_until_locked(warehouse, holder)
        started = time.perf_counter()
        result = subprocess.run(
            _dbt_command(warehouse, None), cwd=PROJECT_DIR, env=_env(warehouse),
            capture_output=True, text=True, timeout=300, check=False,
        )
        seconds = time.perf_counter() - started
    finally:
        _release(holder)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    # dbt's own start-up and parsing take most of this; the lock itself fails at once
    assert seconds < 120, seconds
    assert f"The warehouse file {warehouse} is locked" in result.stdout
    assert "duckdb (PID" in result.stdout
    assert "Close that program (quit the duckdb CLI with .quit" in result.stdout
    assert "Traceback" not in output


def test_plain_dbt_names_an_invalid_memory_limit_without_a_traceback(tmp_path):
    warehouse = tmp_path / "settings.duckdb"
    result = subprocess.run(
        _dbt_command(warehouse, None), cwd=PROJECT_DIR,
        env={**_env(warehouse), "CUSTOMER_BEHAVIOR_MEMORY_LIMIT": "lots"},
        capture_output=True, text=True, timeout=300, check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert ("DuckDB setting memory_limit = 'lots' (from CUSTOMER_BEHAVIOR_MEMORY_LIMIT, or "
            "MEMORY_LIMIT=... with make) is not valid") in result.stdout
    assert "Traceback" not in output


def test_make_build_fails_in_seconds_when_python_holds_the_warehouse(tmp_path):
    warehouse = tmp_path / "held.duckdb"
    code = f"import duckdb, sys; con = duckdb.connect({str(warehouse)!r}); sys.stdin.read()"
    holder = _hold([sys.executable, "-c", code])
    try:
        _wait_until_locked(warehouse, holder)
        started = time.perf_counter()
        result = subprocess.run(
            ["make", "--no-print-directory", "dbt-build", f"WAREHOUSE={warehouse}",
             f"TEMP_DIR={tmp_path / 'spill'}"],
            cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120, check=False,
            env={**os.environ, "DBT_TARGET_PATH": str(tmp_path / "target"),
                 "DBT_LOG_PATH": str(tmp_path / "logs")},
        )
        seconds = time.perf_counter() - started
    finally:
        _release(holder)
    assert result.returncode != 0
    assert seconds < 30, seconds
    assert f"The warehouse file {warehouse} is locked" in result.stderr
    assert f"PID {holder.pid}" in result.stderr
    assert "Running with dbt" not in result.stdout  # stopped before dbt started
    assert "Traceback" not in result.stdout + result.stderr


# ---------------------------------------------------------------------------
# personal data
# ---------------------------------------------------------------------------


def _personal_data_hits(warehouse: Path, planted_names: list[str]) -> list[str]:
    """Every column of every table and view in the model schemas whose name or any value
    looks like personal data: an e-mail address, a phone number, a planted name."""
    columns = query(
        warehouse,
        "select schema_name, table_name, column_name from duckdb_columns() "
        f"where schema_name in {MODEL_SCHEMAS} order by 1, 2, column_index",
    )
    assert len(columns) > 100
    hits = [
        f"{r.schema_name}.{r.table_name}.{r.column_name} (column name)"
        for r in columns.itertuples()
        if r.column_name.lower() in PERSONAL_COLUMN_NAMES
    ]
    names = "(?i)(" + "|".join(re.escape(n) for n in planted_names) + ")"
    for (schema, table), cols in columns.groupby(["schema_name", "table_name"]):
        checks = ", ".join(
            f"count(*) filter (where regexp_matches(cast(\"{c}\" as varchar), '{EMAIL}') "
            f"or regexp_matches(cast(\"{c}\" as varchar), '{PHONE}') "
            f"or regexp_matches(cast(\"{c}\" as varchar), '{names}')) as \"{c}\""
            for c in cols.column_name
        )
        counts = query(warehouse, f"select {checks} from {schema}.{table}").iloc[0]
        hits += [f"{schema}.{table}.{c} ({n} values)" for c, n in counts.items() if n]
    return hits


def test_the_scan_finds_planted_personal_data(dirty, tmp_path):
    """The scan itself can fail: a table holding the planted values is reported."""
    warehouse = tmp_path / dirty["warehouse"].name  # same name: views name their catalog
    shutil.copy(dirty["warehouse"], warehouse)
    people = dirty["expected"]["people"]
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table marts.leak as select ?::varchar as note, ?::varchar as contact",
                    [f"call {people[5][0]}", people[7][2]])
        con.execute("create table segments.leak2 as select ?::varchar as email", [people[9][1]])
    hits = _personal_data_hits(warehouse, LAST_NAMES)
    assert sorted(hits) == [
        "marts.leak.contact (1 values)",
        "marts.leak.note (1 values)",
        "segments.leak2.email (1 values)",
        "segments.leak2.email (column name)",
    ]


def test_personal_data_in_a_contract_file_never_reaches_the_models(dirty):
    """customers.csv has name / email / phone for every row: none of it, by column or by
    value, is in any staging, intermediate, mart or segment table."""
    people = dirty["expected"]["people"]
    assert len(people) > 300
    names = sorted({p[0] for p in people}) + LAST_NAMES
    assert _personal_data_hits(dirty["warehouse"], names) == []


DIWALI_HEADER = [
    "User_ID", "Cust_name", "Product_ID", "Gender", "Age Group", "Age", "Marital_Status",
    "State", "Zone", "Occupation", "Product_Category", "Orders", "Amount", "Status",
    "unnamed1", "Email", "Phone",
]


def _diwali_like(folder: Path, n_customers: int = 150) -> list[str]:
    """A small file shaped like "Diwali Sales Data.csv" (Cust_name, plus e-mail and phone
    columns), Latin-1 like the original. Returns the planted names."""
    rng = random.Random(3)
    states = [("Maharashtra", "Western"), ("Uttar Pradesh", "Central"), ("Karnataka", "Southern"),
              ("Delhi", "Central"), ("Bihar", "Eastern"), ("Punjab", "Northern")]
    occupations = ["Healthcare", "Govt", "IT Sector", "Banking", "Retail", "Aviation"]
    categories = ["Auto", "Food", "Clothing & Apparel", "Electronics & Gadgets", "Footwear & Shoes"]
    names, rows = [], []
    for i in range(n_customers):
        name = f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[i % len(LAST_NAMES)]}"
        names.append(name)
        age = rng.randint(18, 70)
        group = next(g for lo, hi, g in [(0, 17, "0-17"), (18, 25, "18-25"), (26, 35, "26-35"),
                                         (36, 45, "36-45"), (46, 50, "46-50"), (51, 55, "51-55"),
                                         (56, 200, "55+")] if lo <= age <= hi)
        state, zone = states[i % len(states)]
        for _ in range(rng.randint(1, 4)):
            rows.append([
                str(1_000_000 + i), name, f"P00{rng.randint(10000, 99999)}", rng.choice("FM"),
                group, str(age), str(rng.randint(0, 1)), state, zone, occupations[i % 6],
                rng.choice(categories), str(rng.randint(1, 4)), str(rng.randint(200, 24000)),
                "", "", f"user{i}@example.in", f"+91 98{i % 100:02d}-{rng.randint(100, 999)}-{rng.randint(100, 999)}",
            ])
    with open(folder / "Diwali Sales Data.csv", "w", newline="", encoding="latin-1") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(DIWALI_HEADER)
        writer.writerows(rows)
    return names


@pytest.mark.skipif(
    not (PROJECT_DIR / "models" / "staging" / "diwali_sales").is_dir(),
    reason="no Diwali dataset adapter (models/staging/diwali_sales)",
)
def test_diwali_customer_names_never_reach_the_models(tmp_path):
    data = tmp_path / "diwali"
    data.mkdir()
    names = _diwali_like(data)
    warehouse = tmp_path / "diwali.duckdb"
    run_dbt(["build"], warehouse, {"data_dir": str(data), "dataset": "diwali_sales"})
    # the names are in the raw view over the file (the input as delivered) ...
    raw = query(warehouse, "select count(*) as n from raw.diwali_sales__sales where cust_name like '% %'")
    assert raw.n[0] > 0
    # ... and nowhere after it
    assert _personal_data_hits(warehouse, sorted(set(names)) + LAST_NAMES) == []


# ---------------------------------------------------------------------------
# docs server
# ---------------------------------------------------------------------------


def _make_n_docs(*overrides: str) -> str:
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", "docs", *overrides], cwd=PROJECT_DIR,
        capture_output=True, text=True, timeout=60, check=True,
    )
    return next(line for line in result.stdout.splitlines() if "docs serve" in line)


def test_docs_server_listens_on_localhost_unless_told_otherwise():
    assert "--host 127.0.0.1 " in _make_n_docs()
    assert "--host 0.0.0.0 " in _make_n_docs("DOCS_HOST=0.0.0.0")


# ---------------------------------------------------------------------------
# the Makefile with the paths and vars people use
# ---------------------------------------------------------------------------


def test_make_build_takes_paths_with_spaces_and_more_vars(tmp_path):
    """A data folder and a warehouse folder with spaces in their names (make's abspath and
    dir split them into words: "no such folder", and a stray folder), and a var beside the
    Makefile's own through VARS."""
    from customer_behavior.generate import generate

    data = tmp_path / "my data"
    generate(data, 30, fmt="csv", seed=5, dirty_rate=0.0, progress=False)
    warehouse = tmp_path / "wh dir" / "x.duckdb"
    result = subprocess.run(
        ["make", "--no-print-directory", "dbt-build", f"DATA_DIR={data}", f"WAREHOUSE={warehouse}",
         f"TEMP_DIR={tmp_path / 'spill dir'}", "VARS=orders_lookback_days: 7",
         "DBT_ARGS=--select stg_contract__customers"],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert '"data_dir": "' + str(data) + '"' in result.stdout
    assert "orders_lookback_days: 7}" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my data", "spill dir", "wh dir"]
    assert query(warehouse, "select count(*) as n from staging.stg_contract__customers").n[0] == 30


def test_make_build_refuses_vars_in_dbt_args():
    """A second --vars replaces the Makefile's, DATA_DIR's included: the demo would be built
    instead of the user's files without a word."""
    result = subprocess.run(
        ["make", "--no-print-directory", "dbt-build", "DATA_DIR=/tmp",
         "DBT_ARGS=--vars '{lifetime_value_calibration_end: 2024-06-30}'"],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode != 0
    assert "DBT_ARGS must not hold --vars" in result.stdout and "VARS=" in result.stdout


def test_make_keeps_exported_duckdb_settings_unless_told_otherwise():
    """profiles.yml reads CUSTOMER_BEHAVIOR_THREADS …; the Makefile's defaults used to
    replace an exported value with its own."""
    def bench_line(env: dict, *overrides: str) -> str:
        result = subprocess.run(
            ["make", "-n", "--no-print-directory", "bench", *overrides], cwd=PROJECT_DIR,
            capture_output=True, text=True, timeout=60, check=True, env={**os.environ, **env},
        )
        return result.stdout.strip().splitlines()[-1]

    exported = {"CUSTOMER_BEHAVIOR_THREADS": "1", "CUSTOMER_BEHAVIOR_MEMORY_LIMIT": "1GB"}
    assert "--threads 1 --memory-limit 1GB " in bench_line(exported)
    assert "--threads 3 --memory-limit 1GB " in bench_line(exported, "THREADS=3")
    clean = {k: "" for k in exported}
    assert "--threads 2 --memory-limit 2GB " in bench_line(clean)
