"""How the report prints the numbers it reads (customer_behavior.report.Numbers)."""

from __future__ import annotations

import duckdb
import pytest

from customer_behavior.report import Numbers


@pytest.fixture
def numbers():
    con = duckdb.connect()
    con.execute(
        "create table segment_value as select * from (values "
        "(1, 897.2149, 12.5), (2, 88.5349, 3.404), (3, 100.0, 7.0)) "
        "as t(segment_id, per_customer, small_amount)"
    )
    yield Numbers(con)
    con.close()


def test_a_money_column_is_printed_with_one_precision_in_every_row(numbers):
    columns = [("per_customer", "money"), ("small_amount", "money")]
    rows = [numbers.cells("segment_value", columns, segment_id=sid) for sid in (1, 2, 3)]
    # a column that reaches 100 is printed in whole units, in every row
    assert [row[0] for row in rows] == ["897", "89", "100"]
    # a column of small amounts keeps its cents, in every row
    assert [row[1] for row in rows] == ["12.50", "3.40", "7.00"]
    # what is recorded for report_numbers.json is what is printed, with the exact value
    item = numbers.items["segment_value.2.per_customer"]
    assert (item["text"], item["value"]) == ("89", pytest.approx(88.5349))


def test_a_single_money_value_keeps_its_own_precision(numbers):
    assert numbers.get("one", "select 88.5349", "money") == "88.53"
    assert numbers.get("two", "select 897.2149", "money") == "897"


def test_a_table_built_cell_by_cell_asks_numbers_for_the_columns_format(numbers):
    """The report's sections that build a table row cell by cell (segments) or quote a
    table's cells in a sentence (demographics) ask Numbers.column_format, the public name of
    what Numbers.cells uses, instead of calling a private method of another class."""
    assert numbers.column_format("segment_value", "per_customer", "money") == "money_whole"
    assert numbers.column_format("segment_value", "small_amount", "money") == "money_cents"
    assert numbers.column_format("segment_value", "small_amount", "num2") == "num2"
    assert not hasattr(numbers, "_column_format")


@pytest.mark.parametrize("value", [1.3097, -51.1629, 53.7824, -0.3696, -2.0349, 1.2957, 20.734,
                                   -80.66, 395.08, 1234.5, 7.0, 0.0, 0.004, -0.004])
def test_a_spend_driver_estimate_is_printed_as_the_driver_sentences_print_it(numbers, value):
    """The membership section quotes the loyalty-member estimate of marts.spend_drivers,
    whose interpretation (written by statistics.fmt_signed) reads "+1.31 ... (95 % CI -51.2
    to +53.8)"; printed as money it read "1.31 (95 % CI -51.16 to 53.78)" in the membership
    section. Its formats print every value as the driver sentences do."""
    from customer_behavior import statistics

    assert numbers.get("gap", f"select {value}", "driver_signed") == statistics.fmt_signed(value)
    assert numbers.get("raw", f"select {value}", "driver_num") == statistics.fmt_number(value)
