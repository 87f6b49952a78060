"""Bad input: every kind of messy export either builds, with each bad row kept in
marts.rejected_rows (or marts.quality_flags) and raw = accepted + rejected, or stops in the
on-run-start hook, before any model runs, with a message naming the file, the column or
line, and what was expected.

Two halves:

* row-level problems (``dirty``): one dataset with every kind of bad row planted
  (tests/fixtures/reliability.py), built once; the counts must match what was planted;
* file-level problems (``case``): a small clean dataset with one file broken per case, built
  into a fresh warehouse that must hold no model afterwards. All cases share one data
  folder, warehouse path and target folder, so dbt's partial parsing makes a case cost a
  few seconds.
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from tests.conftest import PROJECT_DIR, query, run_dbt
from tests.fixtures.reliability import PLANTED_CUSTOMERS, dirty_build

pytestmark = pytest.mark.integration

CONTRACT_CUSTOMER_COLUMNS = [
    "customer_id", "birth_year", "age", "gender", "marital_status", "education", "occupation",
    "annual_income", "kids_at_home", "teens_at_home", "region", "state", "country",
    "signup_date", "is_loyalty_member", "loyalty_score",
]


@pytest.fixture(scope="module")
def dirty(tmp_path_factory):
    return dirty_build(tmp_path_factory)


# ---------------------------------------------------------------------------
# row-level problems: built, kept, reconciled
# ---------------------------------------------------------------------------


def _data_rows(path: Path, encoding: str) -> int:
    with open(path, newline="", encoding=encoding) as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


def test_raw_rows_equal_accepted_plus_rejected(dirty):
    """Counted from the files themselves, not from the warehouse's own raw layer."""
    rec = query(dirty["warehouse"], "select * from marts.row_reconciliation").set_index("table_name")
    for table, encoding in [("customers", "latin-1"), ("orders", "utf-8"), ("campaign_responses", "utf-8")]:
        in_file = _data_rows(dirty["data_dir"] / f"{table}.csv", encoding)
        assert in_file == dirty["expected"]["rows"][table]
        assert rec.loc[table, "raw_row_count"] == in_file, table
        assert rec.loc[table, "accepted_row_count"] + rec.loc[table, "rejected_row_count"] == in_file
    assert rec["is_reconciled"].all()


def test_every_planted_bad_row_is_rejected_with_its_reason(dirty):
    found = query(
        dirty["warehouse"],
        "select table_name, rejection_reason, count(*) as n from marts.rejected_rows group by all",
    )
    found = {(r.table_name, r.rejection_reason): r.n for r in found.itertuples()}
    assert found == dirty["expected"]["rejected"]


def _file_rows(path: Path, encoding: str) -> dict[int, dict[str, str | None]]:
    """Data rows of a CSV by their 1-based position, empty fields as None."""
    with open(path, newline="", encoding=encoding) as fh:
        return {i: {k: (v if v != "" else None) for k, v in row.items()}
                for i, row in enumerate(csv.DictReader(fh), start=1)}


CONTRACT_COLUMNS = {
    "customers": CONTRACT_CUSTOMER_COLUMNS,
    "orders": ["order_id", "customer_id", "order_date", "channel", "product_id",
               "product_category", "quantity", "amount", "discount_amount", "promo_code"],
    "campaign_responses": ["customer_id", "campaign_id", "accepted", "sent_date"],
}


def test_rejected_and_flagged_rows_keep_the_values_they_were_read_with(dirty):
    """source_values is the file's own row (contract columns only), read here with the csv
    module: a rejected or repaired value can be seen without opening the file."""
    files = {
        table: _file_rows(dirty["data_dir"] / f"{table}.csv", encoding)
        for table, encoding in [("customers", "latin-1"), ("orders", "utf-8"),
                                ("campaign_responses", "utf-8")]
    }
    for mart in ("rejected_rows", "quality_flags"):
        rows = query(dirty["warehouse"],
                     f"select table_name, source_row_number, source_values from marts.{mart}")
        assert len(rows) >= 5 and rows.source_values.notna().all(), mart
        for row in rows.itertuples(index=False):
            got = json.loads(row.source_values)
            in_file = files[row.table_name][row.source_row_number]
            assert list(got) == CONTRACT_COLUMNS[row.table_name]  # never a file's other columns
            assert got == {k: in_file.get(k) for k in got}, (mart, row)
    # the planted values that were repaired or refused are there as written
    flagged = query(dirty["warehouse"], "select source_values from marts.quality_flags "
                                        "where customer_id = 'C9000004'").source_values
    assert any(json.loads(v)["annual_income"] == "lots" for v in flagged)


def test_customers_who_bought_nothing_are_prospects_not_a_segment(dirty, tmp_path):
    """The planted customers C9000009 and C9000010 have no orders (every generated customer
    has one): they stay in marts.customers (order_count 0) but are not segmented, and the
    report counts them; everyone who bought is segmented."""
    wh = dirty["warehouse"]
    customers = query(wh, "select customer_id, order_count, total_spend from marts.customers")
    bought = set(customers.customer_id[(customers.order_count > 0) | (customers.total_spend != 0)])
    prospects = set(customers.customer_id) - bought
    assert prospects == {"C9000009", "C9000010"}
    for relation in ("segments.segment_features", "segments.customer_segments",
                     "segments.segment_assignments_sql"):
        assert set(query(wh, f"select customer_id from {relation}").customer_id) == bought, relation
    from customer_behavior.report import build_report

    build_report(wh, tmp_path / "report")
    text = (tmp_path / "report" / "report.md").read_text()
    share = f"{100 * len(prospects) / len(customers):.1f} %"
    assert (f"{len(prospects):,} customers ({share} of the customer base) have not bought "
            "anything and are not segmented") in text


def test_a_campaign_sent_to_a_prospect_counts_outside_the_segments(dirty):
    """C9000010 bought nothing (no segment) and accepted CMP2: campaign_response counts them
    in CMP2's 'all' row and in a not_segmented row, and the grouped rows add up to 'all' (the
    build failed its own reconciliation test when such a recipient was dropped)."""
    wh = dirty["warehouse"]
    cr = query(wh, "select * from marts.campaign_response where campaign_id = 'CMP2'")
    everyone = cr[cr.grouping == "all"].iloc[0]
    outside = cr[cr.grouping == "not_segmented"]
    assert len(outside) == 1
    recipients = query(
        wh,
        "select count(*) filter (where s.customer_id is null) as sent, "
        "count(*) filter (where s.customer_id is null and r.is_accepted) as accepted "
        "from intermediate.int_campaign_responses_checked as r "
        "left join segments.customer_segments as s on r.customer_id = s.customer_id "
        "where r.rejection_reason is null and r.campaign_id = 'CMP2'",
    ).iloc[0]
    assert (outside.customers_sent.iloc[0], outside.customers_accepted.iloc[0]) == (
        recipients.sent, recipients.accepted) == (1, 1)
    grouped = cr[cr.grouping != "all"]
    assert grouped.customers_sent.sum() == everyone.customers_sent
    assert grouped.customers_accepted.sum() == everyone.customers_accepted


def test_repairable_values_are_flagged_and_kept(dirty):
    wh = dirty["warehouse"]
    flags = query(wh, "select quality_flag, count(*) as n from marts.quality_flags group by all")
    assert dict(zip(flags.quality_flag, flags.n, strict=True)) == dirty["expected"]["flags"]
    kept = query(
        wh,
        "select customer_id, age, annual_income, signup_date from intermediate.int_customers "
        "where customer_id like 'C9%' order by customer_id",
    ).set_index("customer_id")
    planted = [row[0] for row in PLANTED_CUSTOMERS if row[0].startswith("C9")]
    assert list(kept.index) == planted  # flagged customers are kept, not dropped
    assert kept.loc[["C9000001", "C9000002", "C9000006"], "age"].isna().all()  # 150, -3, "forty"
    assert pd.isna(kept.loc["C9000004", "annual_income"])  # "lots"
    assert pd.isna(kept.loc["C9000005", "signup_date"])  # 2099-01-01
    assert pd.isna(kept.loc["C9000009", "signup_date"])  # 1900-01-01, a placeholder
    # the placeholder starts no tenure: the generated sign-ups span about twelve years, a
    # 1900 sign-up would be 124 years old, and this customer has no order to start from
    tenure = query(wh, "select max(tenure_days) as longest, "
                       "max(tenure_days) filter (customer_id = 'C9000009') as placeholder "
                       "from marts.customers")
    assert tenure.longest[0] < 365.25 * 20 and pd.isna(tenure.placeholder[0])
    # signed up after the as-of date (the latest order): a tenure of 0, not negative
    fresher = query(wh, "select tenure_days, signup_date > as_of_date as after "
                        "from marts.customers where customer_id = 'C9000010'")
    assert fresher.after[0] and fresher.tenure_days[0] == 0


def test_parse_macros_read_each_text_as_what_it_is(tmp_path):
    """The staging macros themselves (macros/cleaning.sql), compiled by dbt: every form a
    value may take, with what it must read as - or NULL, which staging rejects. None may
    become another number or day."""

    cases = {
        # text: (money, integer, date)
        "12": (12.0, 12, None),
        "$ (1,234.10)": (-1234.10, None, None),
        "(1,234.10) EUR": (-1234.10, None, None),
        "12.50-": (-12.50, None, None),
        "1 234.50": (1234.50, None, None),
        "1.5E+03": (1500.0, None, None),
        "12abc34": (None, None, None),
        "12 CR": (None, None, None),
        # an ISO 4217 code of money_currency_codes at either end, in any case, is a currency;
        # other words are not (any three letters were dropped until 2026-12-06: 12abc was 12)
        "12 usd": (12.0, None, None),
        "EUR12": (12.0, None, None),
        "-INR 5": (-5.0, None, None),
        "12abc": (None, None, None),
        "10 pcs": (None, None, None),
        "99 box": (None, None, None),
        "abc 12": (None, None, None),
        "12 usdx": (None, None, None),
        "2.5": (2.5, None, None),
        "3.0": (3.0, 3, None),
        # exact as an integer (it went through a double before: ...992)
        "9007199254740993": (float("9007199254740993"), 9007199254740993, None),
        "2024-01-05T10:00:00Z": (None, None, "2024-01-05"),
        "2024-01-05 junk": (None, None, None),
        "31/12/2024 10:00": (None, None, "2024-12-31"),
        "05/02/2023": (None, None, "2023-02-05"),
        # a two-digit year as spreadsheets' short dates write it (unparseable until
        # 2026-12-07); 69-99 are 1969-1999; a dash between numbers could be year first
        "05/02/23": (None, None, "2023-02-05"),
        "5/1/24": (None, None, "2024-01-05"),
        "05/02/99": (None, None, "1999-02-05"),
        "31/02/23": (None, None, None),
        "05-JAN-24": (None, None, "2024-01-05"),
        "05-02-23": (None, None, None),
        "20240105": (20240105.0, 20240105, "2024-01-05"),
        "2024-02-30": (None, None, None),
        # an English month name is read whatever var date_order says; other names are not
        "Jan 5, 2024": (None, None, "2024-01-05"),
        "January 5 2024 10:30": (None, None, "2024-01-05"),
        "5 Jan 2024": (None, None, "2024-01-05"),
        "05-jan-2024": (None, None, "2024-01-05"),
        "Dec. 31, 2024": (None, None, "2024-12-31"),
        "Sept 5, 2024": (None, None, None),
        "Jan 32, 2024": (None, None, None),
        "Jan 5, 24": (None, None, None),
    }
    from customer_behavior.generate import _BAD_DATES

    cases.update({d: (None, None, None) for d in _BAD_DATES})
    values = ", ".join("('" + text.replace("'", "''") + "')" for text in cases)
    sql = ("select x, cast({{ parse_money('x') }} as double) as money, "
           "cast({{ parse_integer('x') }} as varchar) as integer, "
           "strftime({{ parse_date('x') }}, '%Y-%m-%d') as day "
           f"from (values {values}) as t(x)")
    rows = _show_rows(sql, tmp_path / "show.duckdb")
    got = {r["x"]: (r["money"], None if r["integer"] is None else int(r["integer"]), r["day"])
           for r in rows}
    assert got == cases


def _show_rows(sql: str, warehouse: Path, dbt_vars: dict | None = None,
               env: dict | None = None) -> list[dict]:
    """The rows of ``dbt show --inline sql`` (at most 100)."""
    import json as json_module

    result = run_dbt(["show", "--inline", sql, "--limit", "100", "--output", "json",
                      "--log-format", "json"], warehouse, dbt_vars, env=env)
    for line in result.stdout.splitlines():
        try:
            event = json_module.loads(line)
        except ValueError:
            continue
        preview = event.get("data", {}).get("preview")
        if preview:
            return json_module.loads(preview)
    raise AssertionError(result.stdout[-2000:])


def test_integers_take_the_thousands_spellings_of_amounts(tmp_path):
    """parse_integer reads the comma and space thousands parse_money reads (one pattern,
    grouped_digits): a quantity "1,000" was unparseable while an amount "1,000" was 1000.
    A value that is not whole stays unparseable, also with thousands ("1,000.5"), and a
    group that is not three digits is no group ("1,00")."""
    cases = {
        # text: (money, integer)
        "1,000": (1000.0, 1000),
        "12,345,678": (12345678.0, 12345678),
        "1 000": (1000.0, 1000),
        "1\u00a0000": (1000.0, 1000),
        "1\u202f000": (1000.0, 1000),
        "-1,000": (-1000.0, -1000),
        "+1,000": (None, 1000),
        "1,000.0": (1000.0, 1000),
        "1,000.5": (1000.5, None),
        "2.5": (2.5, None),
        "1,00": (None, None),
        "1,0000": (None, None),
        "1,000,00": (None, None),
        "1 000,5": (None, None),
        # a group of thousands never starts with a lone 0 (it was 125)
        "0,125": (None, None),
        "0 125": (None, None),
    }
    values = ", ".join("('" + text + "')" for text in cases)
    sql = ("select x, cast({{ parse_money('x') }} as double) as money, "
           "cast({{ parse_integer('x') }} as varchar) as integer "
           f"from (values {values}) as t(x)")
    rows = _show_rows(sql, tmp_path / "show.duckdb")
    got = {r["x"]: (r["money"], None if r["integer"] is None else int(r["integer"])) for r in rows}
    assert got == cases


def test_a_fractional_parquet_number_is_no_integer(tmp_path):
    """A Parquet file keeps its types, which staging casts (macros/cleaning.sql): a float
    quantity 2.5 (pandas writes an integer column with a blank as float64) was cast to 2
    (and 0.5 to 0, rejected as non_positive_quantity), where the text "2.5" is
    unparseable."""
    rows = _show_rows(
        "select cast({{ parse_integer('d', 'double') }} as varchar) as from_double, "
        "cast({{ parse_integer('m', 'decimal(10,2)') }} as varchar) as from_decimal "
        "from (values (3.0::double, 3.00::decimal(10,2), 1), (2.5, 2.50, 2), (-1.0, -1.00, 3), "
        "('nan'::double, null, 4), (0.5, 0.50, 5)) as t(d, m, i) order by i",
        tmp_path / "show.duckdb",
    )
    assert [(r["from_double"], r["from_decimal"]) for r in rows] == [
        ("3", "3"), (None, None), ("-1", "-1"), (None, None), (None, None)]


def test_a_parquet_instant_is_read_as_its_day_in_utc(tmp_path):
    """A Parquet TIMESTAMP WITH TIME ZONE was cast to its day in the build machine's time
    zone, so one file gave other order dates in California than in London."""
    rows = _show_rows(
        "select strftime({{ parse_date('t', 'timestamp with time zone') }}, '%Y-%m-%d') as day "
        "from (values (timestamptz '2023-02-05 03:00:00+00'), "
        "(timestamptz '2023-02-05 23:30:00+00')) as v(t)",
        tmp_path / "show.duckdb",
        env={"TZ": "America/Los_Angeles"},
    )
    assert [r["day"] for r in rows] == ["2023-02-05", "2023-02-05"]


def test_dotted_day_first_dates_are_read(tmp_path):
    """German and other European exports write dates 'DD.MM.YYYY': every order line of such
    a file was rejected as unparseable_order_date. Dotted dates are day-first under either
    date_order, also with a two-digit year ('05.01.24'); an impossible day is still
    unparseable."""
    sql = ("select x, strftime({{ parse_date('x') }}, '%Y-%m-%d') as day "
           "from (values ('05.01.2024', 1), ('31.12.2024 10:30', 2), ('5.1.2024', 3), "
           "('05.01.24', 4), ('31.02.2024', 5), ('13.13.2024', 6)) as t(x, i) order by i")
    want = ["2024-01-05", "2024-12-31", "2024-01-05", "2024-01-05", None, None]
    assert [r["day"] for r in _show_rows(sql, tmp_path / "show.duckdb")] == want
    month_first = _show_rows(sql, tmp_path / "show.duckdb", {"date_order": "month_first"})
    assert [r["day"] for r in month_first] == want


def test_short_dates_with_two_digit_years_are_read(case):
    """A file saved from a spreadsheet's short dates ('5/1/24', day-first here) lost every
    line as unparseable_order_date. Each line's date is now the base file's, and the
    lines are as many as before."""
    result, warehouse, data = case(_order_dates_written("%d/%m/%y"),
                                   select=["stg_contract__orders"])
    assert result.returncode == 0, result.stdout[-3000:]
    staged = query(warehouse, "select source_row_number, strftime(order_date, '%Y-%m-%d') as day, "
                              "rejection_reason from staging.stg_contract__orders order by 1")
    base = pd.read_csv(data.parent / "base" / "orders.csv", dtype=str, keep_default_na=False)
    want = pd.to_datetime(base.order_date).dt.strftime("%Y-%m-%d").tolist()
    assert len(staged) == len(base) > 100
    assert staged.day.tolist() == want
    assert "unparseable_order_date" not in set(staged.rejection_reason.dropna())


def test_timestamps_with_a_spaced_or_named_zone_are_read(tmp_path):
    """BigQuery exports write '2024-01-05 10:00:00 UTC', other tools put a space before the
    offset ('2024-01-05 10:00:00 +01:00'): both were rejected as unparseable_order_date,
    every line of such a file. The day written is the day read, as for '...T10:00+05:00'.
    A zone named by its abbreviation or IANA name ('10:00:00 CET', '10:00 PST',
    '10:00 America/New_York') was unparseable until 2026-12-07; other words after a time
    still are, and a zone needs a time before it."""
    sql = ("select x, strftime({{ parse_date('x') }}, '%Y-%m-%d') as day from (values "
           "('2024-01-05 10:00:00 UTC', 1), ('2024-01-05 23:30:00 +01:00', 2), "
           "('2024-01-05 10:00:00.000 -0500', 3), ('05/01/2024 10:00 UTC', 4), "
           "('2024-01-05 10:00:00 CET', 5), ('2024-01-05 UTC', 6), "
           "('05/01/2024 23:30 PST', 7), ('2024-01-05 10:00 America/New_York', 8), "
           "('2024-01-05 10:00:00 MSK', 9), ('2024-01-05 10:00:00 junk', 10), "
           "('2024-01-05 10:00:00 Pst', 11), ('2024-01-05 CET', 12)) as t(x, i) order by i")
    days = [r["day"] for r in _show_rows(sql, tmp_path / "show.duckdb")]
    assert days == ["2024-01-05"] * 5 + [None] + ["2024-01-05"] * 3 + [None] * 3


def test_missing_spellings_are_blank_in_keys_and_text(tmp_path):
    """"N/A" and Excel's "#N/A" are blanks like "NA" and "NULL" (macros/cleaning.sql): a
    gender of "n/a" was read as 'other', a region "N/A" became a region called n/a, and a
    quantity "n/a" rejected its line where "NA" gave the default 1. In the keys (clean_key)
    every spelling is blank: a customers export with "NULL" ids held a customer called
    NULL, to whom the orders with customer_id "NULL" were then attributed."""

    cases = {
        # text: (clean_text, clean_key, gender)
        "": (None, None, "unknown"),
        "NA": (None, None, "unknown"),
        "NULL": (None, None, "unknown"),
        " null ": (None, None, "unknown"),
        "NaN": (None, None, "unknown"),
        "n/a": (None, None, "unknown"),
        "N/A": (None, None, "unknown"),
        " N/A ": (None, None, "unknown"),
        "#N/A": (None, None, "unknown"),
        "C001": ("c001", "C001", "other"),
        " C002 ": ("c002", "C002", "other"),
        "NULLS": ("nulls", "NULLS", "other"),
        "N/A1": ("n/a1", "N/A1", "other"),
        "Ñ/A": ("ñ/a", "Ñ/A", "other"),
        "F": ("f", "F", "female"),
    }
    values = ", ".join("('" + text.replace("'", "''") + "')" for text in cases)
    sql = ("select x, {{ clean_text('x') }} as text_value, {{ clean_key('x') }} as key_value, "
           "{{ normalize_gender('x') }} as gender "
           f"from (values {values}) as t(x)")
    rows = _show_rows(sql, tmp_path / "show.duckdb")
    got = {r["x"]: (r["text_value"], r["key_value"], r["gender"]) for r in rows}
    assert got == cases


def test_rejected_rows_reach_no_mart(dirty):
    wh = dirty["warehouse"]
    orders = query(wh, "select order_id from marts.orders where order_id like 'O92%'")
    assert orders.empty
    customers = query(wh, "select customer_id from marts.customers where customer_id = 'C8888888'")
    assert customers.empty
    # a duplicated customer keeps its first row: C0000001's age is not the planted 40
    first = query(wh, "select age from intermediate.int_customers where customer_id = 'C0000001'")
    assert len(first) == 1


def test_latin1_file_is_read_as_latin1_with_a_note(dirty):
    assert "is not UTF-8 (line 2); every byte fits Latin-1" in dirty["stdout"]
    occupation = query(
        dirty["warehouse"], "select occupation from marts.customers where customer_id = 'C9000007'"
    ).occupation[0]
    assert occupation == "ingénieur"


def test_decimal_commas_are_read_as_decimals(dirty):
    wh = dirty["warehouse"]
    income = query(wh, "select annual_income from intermediate.int_customers where customer_id = 'C9000007'")
    assert float(income.annual_income[0]) == 52000.50  # "52.000,50"
    amount = query(wh, "select amount from marts.orders where order_id = 'O9100007'")
    assert float(amount.amount[0]) == 12.50  # "12,50"
    amounts = query(wh, "select order_id, amount from marts.orders "
                        "where order_id in ('O9100009', 'O9100010') order by order_id")
    assert amounts.amount.astype(float).tolist() == [1234.50, 1500.00]  # "1 234,50 €", "1.5E+03"


def test_an_unreadable_campaign_send_date_is_flagged_and_the_response_kept(dirty):
    wh = dirty["warehouse"]
    flag = query(wh, "select table_name, customer_id, campaign_id from marts.quality_flags "
                     "where quality_flag = 'unparseable_sent_date'")
    assert flag.to_dict("records") == [
        {"table_name": "campaign_responses", "customer_id": "C0000003", "campaign_id": "CMP8"}]
    kept = query(wh, "select is_accepted, sent_date from intermediate.int_campaign_responses_checked"
                     " where customer_id = 'C0000003' and campaign_id = 'CMP8'")
    assert kept.is_accepted.tolist() == [True] and kept.sent_date.isna().all()
    placeholder = query(wh, "select is_accepted, sent_date from intermediate.int_campaign_responses_checked"
                            " where customer_id = 'C0000003' and campaign_id = 'CMP7'")
    assert placeholder.is_accepted.tolist() == [False] and placeholder.sent_date.isna().all()


def test_extra_columns_are_noted_and_never_read(dirty):
    assert "has columns outside the contract, not read: name, email, phone" in dirty["stdout"]
    columns = query(
        dirty["warehouse"],
        "select column_name from duckdb_columns() where schema_name = 'raw' "
        "and table_name = 'customers' order by column_index",
    ).column_name.tolist()
    assert columns == CONTRACT_CUSTOMER_COLUMNS


# ---------------------------------------------------------------------------
# file-level problems: stop before any model, with a message
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """run(mutate, select=None): copy the clean base data, break it with ``mutate(folder)``,
    build into a fresh warehouse; returns (dbt result, warehouse, data folder)."""
    from customer_behavior.generate import generate

    work = tmp_path_factory.mktemp("bad_input")
    base = work / "base"
    generate(base, 60, fmt="csv", seed=5, dirty_rate=0.0, progress=False)
    data = work / "data"
    warehouse = work / "case.duckdb"

    def run(mutate, select: list[str] | None = None):
        shutil.rmtree(data, ignore_errors=True)
        shutil.copytree(base, data)
        mutate(data)
        for leftover in work.glob("case.duckdb*"):
            leftover.unlink()
        args = ["build"] + (["--select", *select] if select else [])
        result = run_dbt(args, warehouse, {"data_dir": str(data)}, check=False)
        return result, warehouse, data

    return run


def _models_built(warehouse: Path) -> set[str]:
    if not warehouse.exists():
        return set()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.sql(
            "select distinct schema_name from duckdb_tables() union "
            "select distinct schema_name from duckdb_views() where not internal"
        ).fetchall()
    return {r[0] for r in rows} - {"raw", "main"}


def _rewrite(path: Path, transform) -> None:
    path.write_text(transform(path.read_text()))


def _drop_column(column: str):
    def mutate(folder: Path) -> None:
        with open(folder / "orders.csv", newline="") as fh:
            rows = list(csv.DictReader(fh))
        header = [c for c in rows[0] if c != column]
        with open(folder / "orders.csv", "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return mutate


def _png(folder: Path) -> None:
    (folder / "customers.csv").write_bytes(
        b"\x89PNG\r\n\x1a\n" + random.Random(1).randbytes(4000)
    )


def _random_bytes(folder: Path) -> None:
    (folder / "customers.csv").write_bytes(random.Random(2).randbytes(5000))


def _xlsx(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")


def _xlsx_instead_of_csv(folder: Path) -> None:
    (folder / "customers.csv").unlink()
    _xlsx(folder / "customers.xlsx")


def _xlsx_named_csv(folder: Path) -> None:
    _xlsx(folder / "customers.csv")


def _empty(folder: Path) -> None:
    (folder / "orders.csv").write_bytes(b"")


def _header_only(folder: Path) -> None:
    _rewrite(folder / "orders.csv", lambda text: text.splitlines()[0] + "\n")


def _long_line(folder: Path) -> None:
    def transform(text: str) -> str:
        lines = text.splitlines()
        fields = lines[20].split(",")
        fields[4] = "x" * 10_000_000  # product_id
        lines[20] = ",".join(fields)
        return "\n".join(lines) + "\n"
    _rewrite(folder / "orders.csv", transform)


def _ragged(folder: Path) -> None:
    def transform(text: str) -> str:
        lines = text.splitlines()
        lines[7] += ",surplus"
        return "\n".join(lines) + "\n"
    _rewrite(folder / "customers.csv", transform)


def _with_occupations(folder: Path, occupations: dict[int, bytes]) -> None:
    """Rewrite customers.csv with the occupation of the given data rows (1 = first row
    under the header) replaced by raw bytes."""
    with open(folder / "customers.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    column = rows[0].index("occupation")
    out = []
    for number, row in enumerate(rows):
        fields = [field.encode() for field in row]
        if number in occupations:
            fields[column] = occupations[number]
        out.append(b",".join(fields))
    (folder / "customers.csv").write_bytes(b"\n".join(out) + b"\n")


def _windows_1252(folder: Path) -> None:
    _with_occupations(folder, {3: "\u201cservice\u201d".encode("cp1252")})  # curly quotes


def _colon_delimited(folder: Path) -> None:
    _rewrite(folder / "customers.csv", lambda t: t.replace(",", ":"))


def _order_dates_written(form: str) -> Callable[[Path], None]:
    """A mutate function: every order_date of orders.csv that is a YYYY-MM-DD date written
    again with strftime ``form``, the others left as they are."""
    def mutate(folder: Path) -> None:
        orders = pd.read_csv(folder / "orders.csv", dtype=str, keep_default_na=False)
        dates = pd.to_datetime(orders["order_date"], format="%Y-%m-%d", errors="coerce")
        orders["order_date"] = dates.dt.strftime(form).where(dates.notna(), orders["order_date"])
        orders.to_csv(folder / "orders.csv", index=False)
    return mutate


# a US export, MM/DD/YYYY; a US spreadsheet's short dates, MM/DD/YY; short dates written
# year first, YY/MM/DD ('24/01/31', as some East Asian exports do: read day-first it
# would be 24 January 2031)
_month_first_dates = _order_dates_written("%m/%d/%Y")
_month_first_short_dates = _order_dates_written("%m/%d/%y")
_year_first_short_dates = _order_dates_written("%y/%m/%d")


def _month_first_parquet_text(folder: Path) -> None:
    """The same export saved as Parquet with the dates kept as text."""
    _month_first_dates(folder)
    orders = pd.read_csv(folder / "orders.csv", dtype=str, keep_default_na=False)
    orders.to_parquet(folder / "orders.parquet", index=False)
    (folder / "orders.csv").unlink()


def _csv_and_parquet(folder: Path) -> None:
    """The same orders saved twice, as CSV and Parquet: which one is meant is a guess."""
    pd.read_csv(folder / "orders.csv", dtype=str).to_parquet(folder / "orders.parquet")


def _same_column_twice(folder: Path) -> None:
    """Two headers that read as one contract column once case and spaces are ignored."""
    customers = pd.read_csv(folder / "customers.csv", dtype=str, keep_default_na=False)
    customers["Customer ID"] = customers["customer_id"]
    customers.to_csv(folder / "customers.csv", index=False)


STOPS = {
    # case: (mutate, fragments the message must contain; {data} is the data folder)
    "missing_required_column": (
        _drop_column("amount"),
        ["{data}/orders.csv (table 'orders') has no required column 'amount'",
         "Expected the columns order_id, customer_id", "Found: order_id"],
    ),
    "png_named_csv": (_png, ["{data}/customers.csv", "is not a CSV text file: it is a PNG image"]),
    "random_bytes": (_random_bytes, ["{data}/customers.csv", "is not a CSV text file"]),
    "xlsx_instead_of_csv": (
        _xlsx_instead_of_csv,
        ["no file for required table 'customers'", "customers.xlsx",
         "Spreadsheets are not read: save the sheet as 'CSV UTF-8'"],
    ),
    "xlsx_named_csv": (
        _xlsx_named_csv, ["{data}/customers.csv", "an Excel .xlsx workbook", "CSV UTF-8"],
    ),
    "empty_file": (_empty, ["{data}/orders.csv (table 'orders') is empty (0 bytes)",
                            "Expected a header line naming the columns"]),
    "header_only": (_header_only, ["{data}/orders.csv (table 'orders') has a header but no data rows"]),
    "ten_mb_line": (
        _long_line,
        ["{data}/orders.csv (table 'orders')", "line 21 is longer than 2,097,152 bytes",
         "Expected one record per line"],
    ),
    "ragged_row": (
        _ragged,
        ["{data}/customers.csv", "line 8 has more fields than the header's 16",
         "Expected one record per line with the header's 16 fields (customer_id, birth_year"],
    ),
    "windows_1252": (
        _windows_1252,
        ["{data}/customers.csv", "is not UTF-8 text", "Windows-1252", "re-save the file as UTF-8"],
    ),
    "unknown_delimiter": (
        _colon_delimited,
        ["{data}/customers.csv", "has no required column 'customer_id'",
         "The header was read as a single column"],
    ),
    "month_first_dates": (
        _month_first_dates,
        ["{data}/orders.csv (table 'orders') has ", ("value(s) in column 'order_date' that can "
         "only be month-first, such as '"), ("build with the dbt var date_order: month_first "
         "(make build VARS='date_order: month_first'); otherwise convert the column to "
         "YYYY-MM-DD")],
    ),
    "month_first_short_dates": (
        _month_first_short_dates,
        ["{data}/orders.csv (table 'orders') has ", ("value(s) in column 'order_date' that can "
         "only be month-first, such as '"), "build with the dbt var date_order: month_first"],
    ),
    "year_first_short_dates": (
        _year_first_short_dates,
        [("{data}/orders.csv (table 'orders') has short dates in column 'order_date' whose "
          "last number takes "), "so they look year-first (YY/MM/DD)",
         "Convert the column to YYYY-MM-DD. Nothing was built."],
    ),
    "month_first_parquet_text": (
        _month_first_parquet_text,
        ["{data}/orders.parquet (table 'orders') has ", ("value(s) in column 'order_date' that "
         "can only be month-first, such as '"), "build with the dbt var date_order: month_first"],
    ),
    "csv_and_parquet_for_one_table": (
        _csv_and_parquet,
        [("DATA_DIR {data} has more than one file for table 'orders': {data}/orders.csv, "
          "{data}/orders.parquet"), "Remove or rename the others; nothing was built"],
    ),
    "same_column_twice": (
        _same_column_twice,
        [("{data}/customers.csv (table 'customers') has two columns that both read as "
         "'customer_id'"), "names are matched ignoring case, spaces and dashes"],
    ),
}


@pytest.mark.parametrize("name", list(STOPS))
def test_broken_file_stops_before_any_model(case, name):
    mutate, fragments = STOPS[name]
    result, warehouse, data = case(mutate)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert "Input contract violated" in result.stdout
    for fragment in fragments:
        assert fragment.format(data=data) in result.stdout, (fragment, result.stdout[-3000:])
    assert "Traceback" not in output
    assert _models_built(warehouse) == set(), "a model was built although the input was refused"


def _semicolons_and_decimal_commas(folder: Path) -> None:
    with open(folder / "customers.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    income = rows[0].index("annual_income")
    for row in rows[1:]:
        row[income] = row[income].replace(".", ",")
    with open(folder / "customers.csv", "w", newline="") as fh:
        csv.writer(fh, delimiter=";", lineterminator="\n").writerows(rows)
    with open(folder / "orders.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    with open(folder / "orders.csv", "w", newline="") as fh:
        csv.writer(fh, delimiter="\t", lineterminator="\r\n").writerows(rows)


def _blank_amounts(folder: Path) -> None:
    """An export whose amount column is there but empty in every row."""
    orders = pd.read_csv(folder / "orders.csv", dtype=str, keep_default_na=False)
    orders["amount"] = ""
    orders.to_csv(folder / "orders.csv", index=False)


def test_a_table_that_loses_most_rows_warns(case):
    """Every order line rejected (missing_amount) still builds and reconciles, but dbt warns,
    naming the table and the commonest reason: the order marts are empty."""
    result, warehouse, _ = case(_blank_amounts)
    assert result.returncode == 0, result.stdout[-3000:]
    # the test's own line says WARN (the summary's "WARN=0" would not), and the summary counts it
    assert re.search(r"WARN 1 +most_rows_of_each_input_are_accepted", result.stdout), \
        result.stdout[-3000:]
    assert "WARN=1" in result.stdout
    # dbt points at the failing rows, kept as a view: which table, and why
    assert "data_quality_warnings\".\"most_rows_of_each_input_are_accepted" in result.stdout
    warned = query(warehouse, "select table_name, most_common_reason "
                              "from data_quality_warnings.most_rows_of_each_input_are_accepted")
    assert warned.to_dict("records") == [{"table_name": "orders", "most_common_reason": "missing_amount"}]
    failing = query(warehouse, "select * from marts.row_reconciliation where table_name = 'orders'")
    assert failing.rejected_row_count[0] == failing.raw_row_count[0] > 0
    assert query(warehouse, "select count(*) as n from marts.orders").n[0] == 0


def _blank_customer_ids(folder: Path) -> None:
    """A customers export whose customer_id column is there but empty in every row."""
    customers = pd.read_csv(folder / "customers.csv", dtype=str, keep_default_na=False)
    customers["customer_id"] = ""
    customers.to_csv(folder / "customers.csv", index=False)


def test_a_customer_file_without_one_accepted_row_stops_with_its_reason(case):
    """No customer row accepted: the build stops at a data test that says how many rows were
    read and why they were rejected, not with a Python traceback from segmenting zero
    customers; every row is kept in marts.rejected_rows, and nothing is built from zero
    customers."""
    result, warehouse, _ = case(_blank_customer_ids)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert re.search(r"FAIL 1 +some_customer_rows_are_accepted", result.stdout), output[-3000:]
    assert "Traceback" not in output
    assert "data_quality_warnings\".\"some_customer_rows_are_accepted" in result.stdout
    failing = query(warehouse, "select table_name, raw_row_count, accepted_row_count, "
                               "most_common_reason, most_common_reason_rows "
                               "from data_quality_warnings.some_customer_rows_are_accepted")
    assert failing.to_dict("records") == [{
        "table_name": "customers", "raw_row_count": 60, "accepted_row_count": 0,
        "most_common_reason": "missing_customer_id", "most_common_reason_rows": 60}]
    rejected = query(warehouse, "select rejection_reason, count(*) as n from marts.rejected_rows "
                                "where table_name = 'customers' group by all")
    assert rejected.to_dict("records") == [{"rejection_reason": "missing_customer_id", "n": 60}]
    assert "segments" not in _models_built(warehouse)
    assert query(warehouse, "select count(*) as n from duckdb_tables() "
                            "where table_name = 'customers' and schema_name = 'marts'").n[0] == 0


def _ids_respelled_by_a_spreadsheet(folder: Path) -> None:
    """Numeric customer ids, zero-padded in the customers file ("00007"); five order lines
    that name their customer without the zeros ("7", as a spreadsheet re-saves them) and
    three campaign responses that name theirs as a number ("7.0")."""
    customers = pd.read_csv(folder / "customers.csv", dtype=str, keep_default_na=False)
    number = {cid: i for i, cid in enumerate(customers["customer_id"], start=1)}
    customers["customer_id"] = [f"{number[c]:05d}" for c in customers["customer_id"]]
    customers.to_csv(folder / "customers.csv", index=False)
    for name, respell, rows in (("orders.csv", str, 5), ("campaign_responses.csv", "{}.0".format, 3)):
        frame = pd.read_csv(folder / name, dtype=str, keep_default_na=False)
        ids = [f"{number[c]:05d}" for c in frame["customer_id"]]
        ids[:rows] = [respell(int(i)) for i in ids[:rows]]
        frame["customer_id"] = ids
        frame.to_csv(folder / name, index=False)


def test_customer_ids_spelled_differently_across_files_warn(case):
    """Keys match exactly, so an order line naming customer "7" where the customers file has
    "00007" is rejected as unknown_customer_id; the build warns that those rows match a
    customer once case, leading zeros and a trailing ".0" are ignored, per table, with an
    example pair (tests/dbt/data_quality/unknown_customer_ids_match_a_customer_loosely.sql)."""
    result, warehouse, _ = case(_ids_respelled_by_a_spreadsheet)
    assert result.returncode == 0, result.stdout[-3000:]
    assert re.search(r"WARN 2 +unknown_customer_ids_match_a_customer_loosely", result.stdout), \
        result.stdout[-3000:]
    assert "data_quality_warnings\".\"unknown_customer_ids_match_a_customer_loosely" in result.stdout
    warned = query(warehouse, "select * from data_quality_warnings"
                              ".unknown_customer_ids_match_a_customer_loosely order by table_name")
    assert warned.to_dict("records") == [
        {"table_name": "campaign_responses", "unknown_customer_row_count": 3,
         "loosely_matching_row_count": 3, "example_rejected_customer_id": warned.example_rejected_customer_id[0],
         "example_customer_id": f"{int(float(warned.example_rejected_customer_id[0])):05d}"},
        {"table_name": "orders", "unknown_customer_row_count": 5, "loosely_matching_row_count": 5,
         "example_rejected_customer_id": warned.example_rejected_customer_id[1],
         "example_customer_id": f"{int(warned.example_rejected_customer_id[1]):05d}"},
    ]
    assert warned.example_rejected_customer_id[0].endswith(".0")
    # the rows are still rejected, with the id they named, and reconciled
    rejected = query(warehouse, "select table_name, count(*) as n, bool_and(customer_id not like '0%') as unpadded, "
                                "bool_and(loosely_matching_customer_id = lpad(split_part(customer_id, '.', 1), 5, '0')) "
                                "as matched from marts.rejected_rows where rejection_reason = 'unknown_customer_id' "
                                "group by all order by table_name")
    assert rejected.to_dict("records") == [
        {"table_name": "campaign_responses", "n": 3, "unpadded": True, "matched": True},
        {"table_name": "orders", "n": 5, "unpadded": True, "matched": True}]
    assert query(warehouse, "select bool_and(is_reconciled) as ok from marts.row_reconciliation").ok[0]


def test_loose_customer_keys_ignore_case_zeros_and_a_trailing_point_zero(tmp_path):
    """macros/loose_customer_key.sql: the spellings two exports give one id, and no more."""
    cases = {"C0771064": "c0771064", "c0771064": "c0771064", "00123": "123", "123": "123",
             "123.0": "123", "123.00": "123", "0": None, "000": None, "12.5": "12.5",
             "A-0012": "a-0012", "1230": "1230"}
    values = ", ".join(f"('{text}')" for text in cases)
    rows = _show_rows("select x, {{ loose_customer_key('x') }} as loose "
                      f"from (values {values}) as t(x)", tmp_path / "show.duckdb")
    assert {r["x"]: r["loose"] for r in rows} == cases


def test_semicolon_and_tab_files_are_read_like_commas(case):
    """The delimiter is detected from the header; a semicolon file's decimal commas
    ("52000,50") are decimals, so every value equals the comma-separated original's."""
    result, warehouse, data = case(
        _semicolons_and_decimal_commas, select=["stg_contract__customers", "stg_contract__orders"]
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "customers.csv: columns are separated by semicolons, not commas" in result.stdout
    assert "orders.csv: columns are separated by tabs, not commas" in result.stdout
    base = data.parent / "base"
    got = query(warehouse, "select customer_id, annual_income from staging.stg_contract__customers")
    with duckdb.connect() as con:
        want = con.sql(
            f"select customer_id, try_cast(annual_income as decimal(18, 2)) as annual_income "
            f"from read_csv('{base / 'customers.csv'}', all_varchar = true)"
        ).df()
    merged = got.merge(want, on="customer_id", suffixes=("_got", "_want"))
    assert len(merged) == len(want) == 60
    assert merged.annual_income_want.notna().sum() > 40
    assert (
        merged.annual_income_got.astype(float).fillna(-1)
        == merged.annual_income_want.astype(float).fillna(-1)
    ).all()
    lines = query(warehouse, "select count(*) as n, sum(amount) as total from staging.stg_contract__orders")
    with duckdb.connect() as con:
        expected = con.sql(
            f"select count(*) as n, sum(amount) as total from read_csv('{base / 'orders.csv'}')"
        ).df()
    assert lines.n[0] == expected.n[0]
    assert float(lines.total[0]) == pytest.approx(float(expected.total[0]), abs=0.005)


def _german_number(text: str) -> str:
    """'1234.5' as a German export writes it: '1.234,50'."""
    return f"{float(text):,.2f}".translate(str.maketrans(",.", ".,"))


# orders.csv data row (1 = first under the header) -> column -> value, planted over a
# German copy of the base orders; what staging must read them as is in the test
GERMAN_PLANTS = {
    1: {"amount": "1.234"},
    2: {"amount": "12.345.678,9"},
    3: {"amount": "1.234,50 €"},
    4: {"amount": "1,234"},  # 1.234 in the file's style, 1234 in the contract's: either
    5: {"quantity": "1.000"},
    6: {"quantity": "2,5"},
    7: {"quantity": "3,0"},
    8: {"quantity": "1,000"},
    9: {"discount_amount": "1.000"},
}


def _semicolon_orders(write_number: Callable[[str], str], plants: dict[int, dict[str, str]]):
    """orders.csv as a German export: semicolons, every amount and discount_amount written
    by ``write_number``, then the planted values (data row -> column -> text)."""
    def mutate(folder: Path) -> None:
        with open(folder / "orders.csv", newline="") as fh:
            rows = list(csv.DictReader(fh))
        for row in rows:
            for column in ("amount", "discount_amount"):
                if row[column]:
                    row[column] = write_number(row[column])
        for number, values in plants.items():
            rows[number - 1].update(values)
        with open(folder / "orders.csv", "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter=";", lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return mutate


def _german_orders(plants: dict[int, dict[str, str]], extra: dict[int, dict[str, str]] | None = None):
    """orders.csv as a German export: decimal commas and dot thousands ('1.234,50') in
    amount and discount_amount, then the planted values."""
    return _semicolon_orders(_german_number, {**plants, **(extra or {})})


def _staged_orders(warehouse: Path) -> dict[int, dict]:
    rows = query(warehouse, "select source_row_number, quantity, amount, discount_amount, "
                            "rejection_reason from staging.stg_contract__orders")
    rows = rows.astype(object).where(rows.notna(), None)
    return {r["source_row_number"]: r for r in rows.to_dict("records")}


def _staged_beside_base(case, mutate):
    """Build stg_contract__orders from the base files changed by ``mutate``: the dbt result,
    the staged lines by source row number, the base orders.csv's rows (every line staged)
    and the data folder."""
    result, warehouse, data = case(mutate, select=["stg_contract__orders"])
    assert result.returncode == 0, result.stdout[-3000:]
    staged = _staged_orders(warehouse)
    with open(data.parent / "base" / "orders.csv", newline="") as fh:
        base = list(csv.DictReader(fh))
    assert len(staged) == len(base) > 100
    return result, staged, base, data


def test_dot_thousands_in_a_decimal_comma_file_are_read(case):
    """A file whose numbers are written with a decimal comma ('12,50', '1.234,50') writes
    thousands with a dot: its amount '1.234' was read as 1.23 (1.234 with cents) and a
    quantity '1.000' as 1. The file's style is decided from its own values
    (contract_number_style); '1,234', which could be 1.234 or 1234, is rejected as
    ambiguous_amount (a reason of its own since 2026-12-07: it was unparseable_amount), and a
    quantity with a decimal comma is whole or unparseable as with a point."""
    result, staged, base, _ = _staged_beside_base(case, _german_orders(GERMAN_PLANTS))
    read = {n: (staged[n]["amount"], staged[n]["quantity"], staged[n]["discount_amount"],
                staged[n]["rejection_reason"]) for n in GERMAN_PLANTS}
    assert read[1][0] == 1234 and read[2][0] == 12345678.90 and read[3][0] == 1234.50
    assert read[4][0] is None and read[4][3] == "ambiguous_amount"
    assert read[5][1] == 1000 and read[7][1] == 3
    assert read[6][1] is None and read[6][3] == "unparseable_quantity"
    assert read[8][1] is None and read[8][3] == "ambiguous_quantity"
    assert read[9][2] == 1000
    # every other line reads as the base file's point-decimal original
    for number, row in enumerate(base, start=1):
        if number in GERMAN_PLANTS:
            continue
        got = staged[number]
        assert float(got["amount"]) == round(float(row["amount"]), 2), (number, row)
        assert float(got["discount_amount"]) == round(float(row["discount_amount"] or 0), 2)
        assert got["quantity"] == int(row["quantity"]) and got["rejection_reason"] is None
    assert "writes numbers with a decimal comma (12,50): a dot in them separates thousands" \
        in result.stdout


def test_a_number_that_could_be_either_style_is_rejected_in_a_mixed_file(case):
    """One '20.00' in the German file above makes it mixed: each value is read by its own
    form ('1.234,50 €' is 1234.50, '20.00' is 20, '1.234.567' 1234567 and '0.125' 0.125,
    which were unparseable until 2026-12-07), and '1.234' or '1,234', which could be
    either, is rejected as ambiguous_<column> (unparseable_<column> before) rather than
    guessed; '2,5' is a decimal comma, so not a whole quantity: unparseable."""
    extra = {10: {"amount": "20.00"}, 11: {"amount": "1.234.567"}, 12: {"amount": "0.125"}}
    result, warehouse, _ = case(_german_orders(GERMAN_PLANTS, extra),
                                select=["stg_contract__orders"])
    assert result.returncode == 0, result.stdout[-3000:]
    staged = _staged_orders(warehouse)
    assert staged[10]["amount"] == 20 and staged[3]["amount"] == 1234.50
    assert staged[2]["amount"] == 12345678.90 and staged[7]["quantity"] == 3
    assert staged[11]["amount"] == 1234567 and staged[11]["rejection_reason"] is None
    assert float(staged[12]["amount"]) == 0.13 and staged[12]["rejection_reason"] is None
    for number, reason in [(1, "ambiguous_amount"), (4, "ambiguous_amount"),
                           (5, "ambiguous_quantity"), (6, "unparseable_quantity"),
                           (8, "ambiguous_quantity"), (9, "ambiguous_discount_amount")]:
        assert staged[number]["rejection_reason"] == reason, (number, staged[number])
    assert "writes some numbers with a decimal comma (12,50) and others with a decimal point" \
        in result.stdout


def test_a_lone_zero_before_a_comma_is_a_decimal_comma(case):
    """'0,125' in a file of decimal points was read as 125: parse_money took the comma for
    a thousands separator. A group of thousands never starts with a lone 0, so '0,125'
    (and ',5') shows a decimal comma, as '0.125' shows a decimal point: the file is mixed,
    '0,125' is 0.125 (0.13 with cents), and every other line reads as before."""
    plants = {1: {"amount": "0,125"}, 2: {"discount_amount": ",5"}}
    result, staged, base, _ = _staged_beside_base(case, _semicolon_orders(lambda text: text, plants))
    assert float(staged[1]["amount"]) == 0.13 and staged[1]["rejection_reason"] is None
    assert float(staged[2]["discount_amount"]) == 0.5 and staged[2]["rejection_reason"] is None
    for number, row in enumerate(base, start=1):
        if number in plants:
            continue
        got = staged[number]
        assert float(got["amount"]) == round(float(row["amount"]), 2), (number, row)
        assert got["rejection_reason"] is None, (number, got)
    assert "writes some numbers with a decimal comma (12,50) and others with a decimal point" \
        in result.stdout


def _whole_german_orders(plants: dict[int, dict[str, str]]):
    """orders.csv as a German export whose amounts are all whole: every amount and discount
    rounded to a whole number and written with dot thousands ('1.234'), never a decimal
    comma, then the planted values."""
    return _semicolon_orders(lambda text: f"{round(float(text)):,}".replace(",", "."), plants)


def test_an_all_whole_decimal_comma_file_is_told_by_its_dot_groups(case):
    """A decimal-comma file that never writes a decimal comma ('1.234', never '12,50') was
    taken for a point file, and its '1.234' read as 1.23 without a word. A value with more
    than one dot group ('1.234.567'), which a point file cannot write, shows the style: the
    file's '1.234' is 1234, a quantity or discount '1.000' 1000, and '1,234' (1.234 or 1234)
    is rejected as ambiguous_amount."""
    plants = {1: {"amount": "1.234"}, 2: {"amount": "1.234.567"}, 3: {"quantity": "1.000"},
              4: {"amount": "1,234"}, 5: {"discount_amount": "1.000"}}
    result, staged, base, data = _staged_beside_base(case, _whole_german_orders(plants))
    assert [staged[n]["amount"] for n in (1, 2)] == [1234, 1234567]
    assert staged[3]["quantity"] == 1000 and staged[5]["discount_amount"] == 1000
    assert staged[4]["amount"] is None and staged[4]["rejection_reason"] == "ambiguous_amount"
    # every other line reads as the base file's amount, rounded as the export wrote it
    for number, row in enumerate(base, start=1):
        if number in plants:
            continue
        got = staged[number]
        assert got["amount"] == round(float(row["amount"])), (number, row)
        assert got["rejection_reason"] is None
    assert (f"Note: {data / 'orders.csv'} writes numbers with a decimal comma (12,50): a dot in "
            "them separates thousands (1.234 is 1234), as its amount '1.234.567' shows") \
        in result.stdout


def _numbers_without_a_style(folder: Path) -> None:
    """Orders and customers whose numbers are all whole: the orders a German export's
    ('1.234', '12.500', '1,234', a quantity '1.000'), the customers' plain digits with an
    income '52.000' and one '1,234'. No value says whether a dot is decimal."""
    _whole_german_orders({1: {"amount": "1.234"}, 2: {"amount": "12.500"},
                          3: {"amount": "1,234"}, 4: {"quantity": "1.000"}})(folder)
    customers = pd.read_csv(folder / "customers.csv", dtype=str, keep_default_na=False)
    for column in ("annual_income", "loyalty_score"):
        customers[column] = [str(round(float(v))) if v else v for v in customers[column]]
    customers.loc[0, "annual_income"] = "52.000"
    customers.loc[1, "annual_income"] = "1,234"
    customers.to_csv(folder / "customers.csv", index=False)


def test_a_number_its_file_does_not_show_the_style_of_is_not_guessed(case):
    """In a file where no value shows whether a dot is a decimal point or separates
    thousands, '1.234' could be 1.234 or 1234 (it was read as 1.234, as in a point file):
    such values, and '1,234', are rejected as ambiguous_<column> (customers: set to NULL and
    flagged ambiguous_income) with their text kept in marts.rejected_rows /
    marts.quality_flags, rows still reconcile, and the log names the file, each column with
    an example and the var that settles it. With var number_style: decimal_comma the same
    files read '1.234' as 1234 ('1,234' stays ambiguous there), with point as 1.234 (and a
    quantity '1.000' as 1)."""
    result, warehouse, data = case(_numbers_without_a_style)
    assert result.returncode == 0, result.stdout[-3000:]
    staged = _staged_orders(warehouse)
    assert [staged[n]["rejection_reason"] for n in (1, 2, 3, 4)] == \
        ["ambiguous_amount"] * 3 + ["ambiguous_quantity"]
    rejected = query(warehouse, "select source_row_number, rejection_reason, source_values "
                                "from marts.rejected_rows where table_name = 'orders' "
                                "and rejection_reason like 'ambiguous_%' order by 1")
    assert list(rejected.source_row_number) == [1, 2, 3, 4]
    assert [json.loads(v)["amount"] for v in rejected.source_values[:3]] == ["1.234", "12.500", "1,234"]
    assert json.loads(rejected.source_values[3])["quantity"] == "1.000"
    flagged = query(warehouse, "select source_row_number, quality_flag, source_values "
                               "from marts.quality_flags where quality_flag like 'ambiguous_%' order by 1")
    assert list(flagged.quality_flag) == ["ambiguous_income"] * 2
    assert [json.loads(v)["annual_income"] for v in flagged.source_values] == ["52.000", "1,234"]
    unparseable = query(warehouse, "select count(*) as n from marts.quality_flags "
                                   "where quality_flag = 'unparseable_income'")
    assert unparseable.n[0] == 0
    assert query(warehouse, "select bool_and(is_reconciled) as ok from marts.row_reconciliation").ok[0]
    for file, example in [("orders.csv", "amount '1.234' (2 values), quantity '1.000' (1 value)"),
                          ("customers.csv", "annual_income '52.000' (1 value)")]:
        assert (f"Note: {data / file}: no number in it shows whether a dot is a decimal point "
                f"or separates thousands") in result.stdout, result.stdout[-3000:]
        assert example in result.stdout
    assert "VARS='number_style: decimal_comma'" in result.stdout

    def staged_with(style: str):
        again = run_dbt(["build", "--select", "stg_contract__orders", "stg_contract__customers"],
                        warehouse, {"data_dir": str(data), "number_style": style}, check=False)
        assert again.returncode == 0, again.stdout[-3000:]
        incomes = query(warehouse, "select source_row_number, annual_income, quality_flags "
                                   "from staging.stg_contract__customers where source_row_number <= 2 "
                                   "order by 1")
        return _staged_orders(warehouse), incomes.astype(object).where(incomes.notna(), None)

    staged, incomes = staged_with("decimal_comma")
    assert [staged[n]["amount"] for n in (1, 2)] == [1234, 12500] and staged[4]["quantity"] == 1000
    assert staged[3]["rejection_reason"] == "ambiguous_amount"
    assert incomes.annual_income[0] == 52000 and "ambiguous_income" in incomes.quality_flags[1].split(",")
    staged, incomes = staged_with("point")
    assert [float(staged[n]["amount"]) for n in (1, 2, 3)] == [1.23, 12.5, 1234]
    assert staged[4]["quantity"] == 1  # 1.000 with a decimal point
    assert incomes.annual_income[0] == 52 and incomes.annual_income[1] == 1234
    refused = run_dbt(["build", "--select", "stg_contract__orders"], warehouse,
                      {"data_dir": str(data), "number_style": "comma"}, check=False)
    assert refused.returncode != 0 and "var number_style must be auto" in refused.stdout


def test_values_that_show_a_number_style_and_how_each_style_reads_them(tmp_path):
    """macros/contract.sql, compiled by dbt: which values show a decimal comma (or dot
    thousands: '1.234.567'), which a decimal point ('0.125' and '.125' too: a group of
    thousands is never a lone 0; '1,234,567'), which could be either ('1.234', '12.500'),
    and what contract_decimal_comma makes of each in a mixed and in an undecided file
    (None: unchanged; 'ambiguous': not read)."""
    cases = {
        # text: (comma evidence, point evidence, ambiguous dot, mixed, undecided)
        "12,50": (True, False, False, "12.50", None),
        "1.234,50 €": (True, False, False, "1234.50 €", None),
        "1.234.567": (True, False, False, "1234567", None),
        "€ 12.345.678": (True, False, False, "€ 12345678", None),
        "1.234": (False, False, True, "ambiguous", "ambiguous"),
        "12.500": (False, False, True, "ambiguous", "ambiguous"),
        "-999.000 EUR": (False, False, True, "ambiguous", "ambiguous"),
        "1,234": (False, False, False, "ambiguous", "ambiguous"),
        "0,125": (True, False, False, "0.125", "ambiguous"),
        ",5 €": (True, False, False, ".5 €", None),
        "0.125": (False, True, False, None, None),
        ".125": (False, True, False, None, None),
        "0.123.456": (False, True, False, None, None),
        "20.00": (False, True, False, None, None),
        "1,234.50": (False, True, False, None, None),
        "1,234,567": (False, True, False, None, None),
        "1234": (False, False, False, None, None),
        "2.5": (False, True, False, None, None),
    }
    values = ", ".join("('" + text + "')" for text in cases)
    sql = ("select x, "
           "regexp_full_match(x, '{{ contract_decimal_comma_pattern() }}') "
           "or regexp_full_match(x, '{{ contract_dot_thousands_pattern() }}') as comma, "
           "regexp_matches(x, '{{ contract_decimal_point_pattern() }}') as point, "
           "regexp_full_match(x, '{{ contract_ambiguous_dot_pattern() }}') as ambiguous, "
           "{{ contract_decimal_comma('x', none, 'mixed') }} as mixed, "
           "{{ contract_decimal_comma('x', none, 'undecided') }} as undecided "
           f"from (values {values}) as t(x)")
    rows = _show_rows(sql, tmp_path / "show.duckdb")

    def reading(row, style):
        text = row[style]
        return "ambiguous" if text.startswith("ambiguous: ") else (None if text == row["x"] else text)

    got = {r["x"]: (r["comma"], r["point"], r["ambiguous"], reading(r, "mixed"), reading(r, "undecided"))
           for r in rows}
    assert got == cases


def _point_orders_with_groups(folder: Path) -> None:
    with open(folder / "orders.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for number, values in {1: {"amount": "1.234"}, 2: {"amount": "1,234"},
                           3: {"quantity": "1,000"}, 4: {"quantity": "1 000"},
                           5: {"quantity": "2.5"}, 6: {"quantity": "1.000"}}.items():
        rows[number - 1].update(values)
    with open(folder / "orders.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_a_point_file_reads_its_numbers_as_before(case):
    """Without a decimal comma in the file nothing is rewritten: '1.234' is 1.234 (1.23
    with cents) and '1,234' is 1234, as before; a quantity takes comma and space thousands
    ('1,000', '1 000'), and '2.5' stays unparseable."""
    result, warehouse, _ = case(_point_orders_with_groups, select=["stg_contract__orders"])
    assert result.returncode == 0, result.stdout[-3000:]
    assert "decimal comma" not in result.stdout
    staged = _staged_orders(warehouse)
    assert [float(staged[n]["amount"]) for n in (1, 2)] == [1.23, 1234.0]
    assert [staged[n]["quantity"] for n in (3, 4, 6)] == [1000, 1000, 1]
    assert staged[5]["rejection_reason"] == "unparseable_quantity"


def _categories_with_double_quotes(folder: Path) -> None:
    """Every third order line in a category whose name has a double quote ('tv 27"', as a
    product catalogue writes inches), every fifth through such a channel."""
    orders = pd.read_csv(folder / "orders.csv", dtype=str, keep_default_na=False)
    orders.loc[orders.index % 3 == 0, "product_category"] = 'TV 27"'
    orders.loc[orders.index % 5 == 0, "channel"] = 'kiosk "B"'
    orders.to_csv(folder / "orders.csv", index=False)


def test_a_category_or_channel_with_a_double_quote_builds(case):
    """A category or channel value becomes a segment_features column (share_category_<x>);
    dbt quotes column names without escaping a double quote, so 'tv 27"' ended the
    identifier early and the build failed at segment_features with 'Parser Error: syntax
    error'. The column is named with two single quotes instead, and the share still counts
    that category's spend."""
    result, warehouse, _ = case(_categories_with_double_quotes)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    columns = query(
        warehouse,
        "select column_name from duckdb_columns() "
        "where schema_name = 'segments' and table_name = 'segment_features'",
    ).column_name.tolist()
    assert "share_category_tv 27''" in columns
    assert "share_channel_kiosk ''b''" in columns
    shares = query(warehouse, 'select sum("share_category_tv 27\'\'") as total '
                              "from segments.segment_features")
    assert shares.total[0] > 0


# a US export with a time of day: every order_date written 'MM/DD/YYYY HH:MM'
_month_first_dates_with_times = _order_dates_written("%m/%d/%Y 10:30")


def test_month_first_dates_with_a_time_stop_the_build_too(case):
    """'05/13/2024 10:30' can only be month-first, as '05/13/2024' can: the check compared
    the whole text with a date alone, so a US export with times built, its lines dated the
    13th to the 31st rejected as unparseable_order_date and the others ('02/05/2023 10:30')
    accepted as the wrong day (5 February read as 2 May)."""
    result, warehouse, _ = case(_month_first_dates_with_times, select=["stg_contract__orders"])
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert "orders.csv (table 'orders') has" in output
    assert "in column 'order_date' that can only be month-first, such as '" in output
    assert "10:30'" in output
    assert "date_order: month_first" in output
    assert "Traceback" not in output
    assert _models_built(warehouse) == set()



def test_month_first_short_dates_over_more_than_twelve_years_build(tmp_path):
    """A US spreadsheet's short dates (MM/DD/YY, var date_order month_first) covering 16
    years: the year, last, takes 16 values and the month, first, at most 12, which the
    year-first check took for YY/MM/DD and stopped the build on. The days, in the middle,
    take more than 12 values, which a year-first file's months cannot: it builds, each
    line on the day written."""
    from customer_behavior.generate import generate

    data = tmp_path / "us"
    generate(data, 60, fmt="csv", seed=5, dirty_rate=0.0, progress=False)
    orders = pd.read_csv(data / "orders.csv", dtype=str, keep_default_na=False)
    dates = pd.to_datetime(orders["order_date"], format="%Y-%m-%d")
    spread = pd.Series([d - pd.DateOffset(years=i % 15) for i, d in enumerate(dates)])
    orders["order_date"] = spread.dt.strftime("%m/%d/%y")
    orders.to_csv(data / "orders.csv", index=False)
    assert spread.dt.year.nunique() > 12 and spread.min().year >= 1969  # %y's window
    warehouse = tmp_path / "us.duckdb"
    result = run_dbt(["build", "--select", "stg_contract__orders"], warehouse,
                     {"data_dir": str(data), "date_order": "month_first"}, check=False)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    staged = query(warehouse, "select strftime(order_date, '%Y-%m-%d') as day "
                              "from staging.stg_contract__orders order by source_row_number")
    assert staged.day.tolist() == spread.dt.strftime("%Y-%m-%d").tolist()

# order dates as a US spreadsheet writes them, 'Jan 05, 2024', every date quoted by the
# CSV writer because of its comma
_month_name_dates = _order_dates_written("%b %d, %Y")


def test_month_name_dates_build_to_the_same_days(case):
    """End to end: an orders file dated 'Jan 05, 2024' builds (no month-first check stops
    it) and every line gets the day the ISO file had."""
    result, warehouse, data = case(_month_name_dates, select=["stg_contract__orders"])
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    got = query(warehouse, "select source_row_number, order_date from staging.stg_contract__orders "
                           "order by source_row_number")
    iso = pd.read_csv(data.parent / "base" / "orders.csv", dtype=str, keep_default_na=False)
    assert len(got) == len(iso) > 100
    assert got.order_date.notna().all()
    assert (pd.to_datetime(got.order_date).dt.strftime("%Y-%m-%d") == iso.order_date).all()


def test_month_first_files_build_with_var_date_order(tmp_path):
    """Known answer: a US export (every date MM/DD/YYYY: orders, sign-ups, campaign sends)
    built with var date_order = month_first gives the very dates the generator wrote as
    YYYY-MM-DD, and the same rows as the ISO files. Under month_first a value that can only
    be day-first stops the build, naming the var; an unknown date_order stops it too."""
    from customer_behavior.generate import generate

    iso = tmp_path / "iso"
    generate(iso, 80, fmt="csv", seed=7, dirty_rate=0.0, progress=False)
    us = tmp_path / "us"
    shutil.copytree(iso, us)
    for table, column in [("orders", "order_date"), ("customers", "signup_date"),
                          ("campaign_responses", "sent_date")]:
        frame = pd.read_csv(us / f"{table}.csv", dtype=str, keep_default_na=False)
        dated = pd.to_datetime(frame[column], errors="coerce")
        frame[column] = dated.dt.strftime("%m/%d/%Y").where(dated.notna(), frame[column])
        frame.to_csv(us / f"{table}.csv", index=False)
    assert pd.read_csv(us / "orders.csv", dtype=str).order_date.str.match(
        r"^(0[1-9]|1[0-2])/(1[3-9]|2[0-9]|3[01])/").any()  # some can only be month-first

    def dates(warehouse):
        return {
            table: query(warehouse, f"select * exclude (source_row_number) from staging.{table}"
                                    " order by all")
            for table in ("stg_contract__orders", "stg_contract__customers",
                          "stg_contract__campaign_responses")
        }

    select = ["run", "--select", "stg_contract__orders", "stg_contract__customers",
              "stg_contract__campaign_responses"]
    run_dbt(select, tmp_path / "iso.duckdb", {"data_dir": str(iso)})
    run_dbt(select, tmp_path / "us.duckdb", {"data_dir": str(us), "date_order": "month_first"})
    expected, found = dates(tmp_path / "iso.duckdb"), dates(tmp_path / "us.duckdb")
    for table in expected:
        pd.testing.assert_frame_equal(found[table], expected[table], check_dtype=False)
    orders = found["stg_contract__orders"]
    assert orders.order_date.notna().all() and orders.rejection_reason.isna().all()

    orders = pd.read_csv(us / "orders.csv", dtype=str, keep_default_na=False)
    orders.loc[5, "order_date"] = "13/05/2024"
    orders.to_csv(us / "orders.csv", index=False)
    stopped = run_dbt(select, tmp_path / "us2.duckdb",
                      {"data_dir": str(us), "date_order": "month_first"}, check=False)
    assert stopped.returncode != 0
    assert ("has 1 value(s) in column 'order_date' that can only be day-first, such as "
            "'13/05/2024', although var date_order is month_first") in stopped.stdout
    wrong = run_dbt(["compile", "--select", "stg_contract__orders"], tmp_path / "w.duckdb",
                    {"date_order": "MDY"}, check=False)
    assert wrong.returncode != 0
    assert "var date_order must be day_first" in wrong.stdout and "not 'mdy'" in wrong.stdout


def test_a_floor_date_that_is_no_date_stops_naming_the_var(tmp_path):
    """var earliest_plausible_date is compared with every order, sign-up and send date; a
    value DuckDB would read some other way (or refuse mid-build) stops compilation."""
    result = run_dbt(["compile", "--select", "stg_contract__orders"], tmp_path / "floor.duckdb",
                     {"earliest_plausible_date": "1/2/1970"}, check=False)
    assert result.returncode != 0
    assert "var earliest_plausible_date must be a date written YYYY-MM-DD" in result.stdout
    assert "'1/2/1970'" in result.stdout


def test_files_are_found_by_their_own_names_in_any_folder(tmp_path, monkeypatch):
    """A folder whose name has brackets and a space (glob() read "exp[1]" as a pattern and
    found no file), given relative to the project as plain dbt allows: only orders.csv is
    read, not orders.backup.csv beside it, and the raw views hold the absolute path, so the
    warehouse still reads them from another working directory."""
    from customer_behavior.generate import generate

    folder = tmp_path / "exp[1] copy"
    generate(folder, 40, fmt="csv", seed=5, dirty_rate=0.0, progress=False)
    orders = pd.read_csv(folder / "orders.csv", dtype=str)
    orders.head(3).to_csv(folder / "orders.backup.csv", index=False)
    relative = Path(os.path.relpath(folder, PROJECT_DIR))
    warehouse = tmp_path / "found.duckdb"
    result = run_dbt(["run", "--select", "stg_contract__orders"], warehouse,
                     {"data_dir": str(relative)})
    assert f"{folder}/orders.backup.csv not read" in result.stdout, result.stdout[-3000:]
    monkeypatch.chdir(tmp_path)
    assert query(warehouse, "select count(*) as n from raw.orders").n[0] == len(orders)
    assert query(warehouse, "select count(*) as n from staging.stg_contract__orders").n[0] == len(orders)


def test_going_back_to_the_demo_on_a_data_dir_warehouse_says_how(tmp_path):
    """raw.customers is a view over the user's file; seeding the demo over it failed with
    dbt's "Cannot seed ... it is a view", and the README's --full-refresh did not help."""
    from customer_behavior.generate import generate

    folder = tmp_path / "data"
    generate(folder, 40, fmt="csv", seed=5, dirty_rate=0.0, progress=False)
    warehouse = tmp_path / "switch.duckdb"
    run_dbt(["run", "--select", "stg_contract__customers"], warehouse, {"data_dir": str(folder)})
    refused = run_dbt(["seed"], warehouse, check=False)
    assert refused.returncode != 0
    assert "was built from DATA_DIR files" in refused.stdout, refused.stdout[-3000:]
    assert "add --full-refresh" in refused.stdout
    assert query(warehouse, "select count(*) as n from raw.customers").n[0] == 40  # untouched
    # a run that does not seed leaves the user's views alone
    run_dbt(["run", "--select", "stg_contract__customers"], warehouse)
    assert query(warehouse, "select count(*) as n from raw.customers").n[0] == 40
    run_dbt(["seed", "--full-refresh"], warehouse)
    assert query(warehouse, "select count(*) as n from raw.customers").n[0] == 2500
    kind = query(warehouse, "select count(*) as n from duckdb_tables() "
                            "where schema_name = 'raw' and table_name = 'customers'")
    assert kind.n[0] == 1
