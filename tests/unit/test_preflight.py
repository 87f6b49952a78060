"""customer_behavior.preflight: the file and warehouse checks behind the on-run-start hook
and `customer-behavior preflight`. Each bad file is made here; the dbt-level tests of the
same messages are in tests/integration/test_bad_input.py."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile

import duckdb
import pytest

from customer_behavior.cli import main
from customer_behavior.preflight import (
    MAX_LINE_BYTES,
    csv_encoding,
    inspect_file,
    settings_problem,
    warehouse_problem,
)

HEADER = "customer_id,age,occupation\n"


def _write(tmp_path, name, data: bytes | str):
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


@pytest.mark.parametrize(
    ("content", "delimiter"),
    [
        (HEADER + "C1,30,x\n", ","),
        ("customer_id;age;occupation\r\nC1;30;x\r\n", ";"),
        ("customer_id\tage\toccupation\nC1\t30\tx\n", "\t"),
        ("customer_id|age|occupation\nC1|30|x\n", "|"),
        ('"customer_id","age","occupation"\n"C1","30","x;y"\n', ","),
        ("\ufeffCustomer_ID , AGE,Occupation\nC1,30,x\n", ","),  # BOM, case, spaces
    ],
)
def test_delimiter_and_header_are_read(tmp_path, content, delimiter):
    got = inspect_file(_write(tmp_path, "customers.csv", content))
    assert got["ok"] and got["format"] == "csv"
    assert got["delimiter"] == delimiter
    assert got["columns"] == ["customer_id", "age", "occupation"]


def test_unnamed_index_column_is_named_and_noted(tmp_path):
    got = inspect_file(_write(tmp_path, "customers.csv", ",customer_id,age\n0,C1,30\n"))
    assert got["columns"] == ["column_1", "customer_id", "age"]
    assert "header column 1 has no name" in got["notes"][0]


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("customers.csv", b"", "is empty (0 bytes)"),
        ("customers.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "it is a PNG image"),
        ("customers.csv", b"PK\x03\x04" + bytes(200), "an Excel .xlsx workbook"),
        ("customers.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "old Excel .xls"),
        ("customers.csv", b"%PDF-1.7\n", "a PDF document"),
        ("customers.csv", b"PAR1" + bytes(100), "rename it to .parquet"),
        ("customers.csv", b"\xff\xfec\x00u\x00", "UTF-16 text"),
        ("customers.csv", b"\x1f\x8b\x08\x00" + bytes(50), "name it .csv.gz"),
        ("customers.csv", b"a,b\n\x00\x01\x02", "contains NUL bytes"),
        ("customers.csv", b"a\x07b,c\nd,e\n", "its first line contains control characters"),
        ("customers.csv", b"customer_id,age,age\nC1,1,2\n", "names column 'age' twice"),
        ("customers.parquet", b"customer_id,age\nC1,30\n", "is not a Parquet file: it starts like text"),
        ("customers.parquet", b"", "is empty (0 bytes)"),
    ],
)
def test_files_that_are_not_what_their_name_says(tmp_path, name, content, problem):
    got = inspect_file(_write(tmp_path, name, content))
    assert got["ok"] is False
    assert problem in got["problem"] + " " + got["expected"], got


def test_real_xlsx_and_random_bytes_are_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "customers.csv", "w") as book:
        book.writestr("xl/workbook.xml", "<workbook/>")
    assert "xlsx" in inspect_file(tmp_path / "customers.csv")["problem"]
    noise = _write(tmp_path, "orders.csv", os.urandom(0) + bytes((i * 151 + 7) % 256 for i in range(5000)))
    assert inspect_file(noise)["ok"] is False


def test_a_file_without_line_breaks_is_refused(tmp_path):
    path = _write(tmp_path, "customers.csv", HEADER.strip() + ",x" * (MAX_LINE_BYTES // 2 + 10))
    got = inspect_file(path)
    assert got["ok"] is False and "has no line break in its first 2,097,152 bytes" in got["problem"]


def test_parquet_is_checked_at_both_ends(tmp_path):
    path = tmp_path / "customers.parquet"
    with duckdb.connect() as con:
        con.sql(f"copy (select 'C1' as customer_id) to '{path}' (format parquet)")
    assert inspect_file(path) == {"ok": True, "format": "parquet", "notes": []}
    path.write_bytes(path.read_bytes()[:-10])
    assert "truncated Parquet file" in inspect_file(path)["problem"]


def test_gzip_csv_is_inspected_decompressed(tmp_path):
    import gzip

    path = tmp_path / "orders.csv.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("order_id;amount\nO1;1,50\n")
    got = inspect_file(path)
    assert got["ok"] and got["delimiter"] == ";" and got["columns"] == ["order_id", "amount"]


@pytest.mark.parametrize(
    ("content", "encoding", "problem"),
    [
        (HEADER + "C1,30,caf\u00e9\n", "utf-8", None),
        ((HEADER + "C1,30,ok\nC2,31,caf\u00e9\n").encode("latin-1"), "latin-1", None),
        ((HEADER + "C1,30,\u201cq\u201d\n").encode("cp1252"), None, "Windows-1252"),
        (HEADER.encode() + "C1,30,caf\u00e9\n".encode() + "C2,30,caf\u00e9\n".encode("latin-1"),
         None, "mixes encodings: line 3 is not UTF-8 but line 2 has UTF-8"),
    ],
)
def test_csv_encoding_decision(tmp_path, content, encoding, problem):
    got = csv_encoding(_write(tmp_path, "customers.csv", content), chunk_bytes=7)
    assert got["encoding"] == encoding
    if problem:
        assert problem in got["problem"]
    if encoding == "latin-1":
        assert got["first_non_utf8_line"] == 3


def test_csv_encoding_counts_lines_across_chunks(tmp_path):
    body = "".join(f"C{i},30,ok\n" for i in range(10_000))
    path = _write(tmp_path, "customers.csv", (HEADER + body + "C,1,\u00e9\n").encode("latin-1"))
    assert csv_encoding(path, chunk_bytes=1000) == {"encoding": "latin-1", "first_non_utf8_line": 10_002}


def test_free_and_missing_warehouses_are_fine(tmp_path):
    assert warehouse_problem(tmp_path / "absent.duckdb") is None
    path = tmp_path / "free.duckdb"
    duckdb.connect(str(path)).close()
    assert warehouse_problem(path) is None


def test_locked_warehouse_is_named_with_its_holder(tmp_path, capsys):
    path = tmp_path / "locked.duckdb"
    code = (
        f"import duckdb, sys; c = duckdb.connect({str(path)!r}); "
        "print('ready', flush=True); sys.stdin.read()"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        started = time.perf_counter()
        problem = warehouse_problem(path)
        assert time.perf_counter() - started < 5
        assert problem and str(path) in problem and f"PID {holder.pid}" in problem
        assert "Close that program" in problem and "WAREHOUSE=" in problem
        assert main(["preflight", "--warehouse", str(path)]) == 2
        assert str(path) in capsys.readouterr().err
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert main(["preflight", "--warehouse", str(path)]) == 0


def test_a_file_that_is_not_a_database_is_explained(tmp_path):
    path = _write(tmp_path, "warehouse.duckdb", b"this is not a database" * 1000)
    problem = warehouse_problem(path)
    assert problem and "cannot be opened by DuckDB" in problem and str(path) in problem


@pytest.mark.parametrize(
    ("name", "value", "variables", "expected"),
    [
        ("memory_limit", "lots", "CUSTOMER_BEHAVIOR_MEMORY_LIMIT, or MEMORY_LIMIT=",
         "a size with a unit"),
        ("memory_limit", "75%", "CUSTOMER_BEHAVIOR_MEMORY_LIMIT, or MEMORY_LIMIT=",
         "a size with a unit"),
        ("threads", "two", "CUSTOMER_BEHAVIOR_THREADS, or THREADS=", "a whole number"),
        ("threads", "0", "CUSTOMER_BEHAVIOR_THREADS, or THREADS=", "a whole number"),
    ],
)
def test_invalid_duckdb_settings_are_named(name, value, variables, expected):
    problem = settings_problem({name: value, "temp_directory": "anywhere"})
    assert problem is not None
    assert f"DuckDB setting {name} = {value!r} (from {variables}" in problem
    assert f"expected {expected}" in problem
    assert "DuckDB said: " in problem


def test_valid_duckdb_settings_pass():
    assert settings_problem({"threads": "2", "memory_limit": "2GB"}) is None
    assert settings_problem({"threads": 1, "memory_limit": "512 MiB"}) is None
    assert settings_problem({}) is None


def test_preflight_command_checks_the_settings_from_the_environment(tmp_path, capsys,
                                                                   monkeypatch):
    monkeypatch.setenv("CUSTOMER_BEHAVIOR_MEMORY_LIMIT", "lots")
    assert main(["preflight", "--warehouse", str(tmp_path / "new.duckdb")]) == 2
    err = capsys.readouterr().err
    assert "DuckDB setting memory_limit = 'lots'" in err and "Traceback" not in err
    monkeypatch.setenv("CUSTOMER_BEHAVIOR_MEMORY_LIMIT", "1GB")
    assert main(["preflight", "--warehouse", str(tmp_path / "new.duckdb")]) == 0
