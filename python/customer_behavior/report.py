"""The insight report: Markdown whose every number is read from the warehouse when it is built.

``build_report(warehouse, out_dir)`` writes

* ``report.md`` — headline numbers, one section per question of the SPEC table (a sentence
  or two, a table where it helps, and the chart), the hypothesis tests with effect sizes,
  intervals and caveats, the segments with their names, sizes and recommendations, and data
  quality (row reconciliation, rejected rows by reason);
* ``charts/`` — the PNGs the report embeds (relative links ``charts/<name>.png``);
* ``report_numbers.json`` — every number (and every text taken from the marts) the report
  states: ``key -> {"value", "sql", "text"}``, where ``sql`` is the scalar query that
  produced ``value`` and ``text`` is how the report prints it. A test re-runs every query
  against the warehouse and compares.

No figure is written into the code: the text is assembled from :class:`Numbers`, which runs
one scalar query per number. A section whose mart is missing or empty for the dataset is
skipped with a note, never filled in.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from customer_behavior import charts as charts_module
from customer_behavior.statistics import (
    effect_size_label,
    fmt_number,
    fmt_signed,
    missing_interval_text,
    size_gap_reason,
    strongest_driver,
)

__all__ = ["Numbers", "build_report", "normalize_value"]

NA = "n/a"
# Below this BG/NBD dropout chance per purchase the report says almost no customer looks lost.
NEGLIGIBLE_DROPOUT_PER_PURCHASE = 0.01
# From this share of a month's orders placed on customers' first order dates, the report says
# the month's index measures arrivals (an acquisition wave, or the start of the data) as much
# as the season (marts.seasonal_sales.first_order_share).
ARRIVAL_MONTH_FIRST_ORDER_SHARE = 0.25
# The revenue-concentration section says a small top tier carries the business only when
# half of all revenue comes from at most this share of the customers (a weak form of the
# 80/20 rule); above it, revenue is spread across many customers.
TOP_TIER_HALF_REVENUE_CUSTOMER_SHARE = 0.2
# When every region x category lift (cells of at least thirty buying customers) lies within
# this factor of 1 either way, the report says the regions buy much the same mix.
REGION_MIX_ALIKE_LIFT = charts_module.REGION_LIFT_COLOUR_MIN  # one threshold, text and colours
# Categories ordered fewer times than this on the holidays (pooled) are listed but not named
# as the category holidays lift most or least: a handful of orders gives a large lift by chance.
HOLIDAY_CATEGORY_MIN_ORDERS = 30
# When every such category's share of holiday revenue lies within this factor of its share of
# ordinary-day revenue either way, the report says holidays lift the categories alike.
HOLIDAY_MIX_ALIKE_LIFT = 1.2
# The segmentation caution (DECISIONLOG "Segmentation"). Refits that agree with the reference
# segmentation below this mean adjusted Rand index reproduce it less than "good" in Steinley's
# (2004) bands for the index (>= 0.90 excellent, >= 0.80 good, >= 0.65 moderate, below poor).
SEGMENT_STABLE_MEAN_ARI = 0.8
# A segment of fewer than this share of the segmented customers is a handful, not a market.
SEGMENT_SMALL_CUSTOMER_SHARE = 0.02
# When the chosen k is the top of the searched range, the caution suggests searching this many
# more (var segment_k_max); at its bottom, as many fewer (var segment_k_min, at least 2).
SEGMENT_K_WIDEN_BY = 4


# --------------------------------------------------------------------------------------
# values and their formats
# --------------------------------------------------------------------------------------
def normalize_value(value: Any) -> Any:
    """A JSON-friendly form of a DuckDB scalar (the test normalises its recomputation alike)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalar
        return normalize_value(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _as_float(value: Any) -> float | None:
    value = normalize_value(value)
    if value is None or isinstance(value, (str, bool)):
        return None
    return float(value)


def _fmt_int(v: Any) -> str:
    return f"{round(float(v)):,}"


def _fmt_money(v: Any) -> str:
    x = float(v)
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.2f}"


def _fmt_pct(v: Any) -> str:
    return f"{100 * float(v):.1f} %"


def _fmt_p(v: Any) -> str:
    x = float(v)
    return "< 0.001" if x < 0.001 else f"{x:.3f}"


FORMATS: dict[str, Callable[[Any], str]] = {
    "int": _fmt_int,
    "money": _fmt_money,
    # a table column of money states every cell with one precision (see Numbers.cells)
    "money_whole": lambda v: f"{float(v):,.0f}",
    "money_cents": lambda v: f"{float(v):,.2f}",
    "pct": _fmt_pct,
    "signed_pct": lambda v: f"{100 * float(v):+.1f} %",
    "num1": lambda v: f"{float(v):,.1f}",
    "num2": lambda v: f"{float(v):.2f}",
    "signed2": lambda v: f"{float(v):+.2f}",
    # a spend-driver estimate, printed as the mart's driver sentences print it
    "driver_num": lambda v: fmt_number(float(v)),
    "driver_signed": lambda v: fmt_signed(float(v)),
    "index": lambda v: f"×{float(v):.2f}",
    "p": _fmt_p,
    "text": lambda v: str(v),
    # a value of the state dimension: a two-letter code upper-case ('TX'), a name as stored
    "state": charts_module.state_label,
    "date": lambda v: str(v),
}


def _and_join(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [i for i in items if i]
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _literal(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _where(**keys: Any) -> str:
    return " and ".join(f"{col} = {_literal(val)}" for col, val in keys.items())


def _example_sql(relation: str, where: str, width: int = 600) -> str:
    """SQL for the first row (in file order) of ``relation`` matching ``where``: "row <n>:
    <source_values>", pipes escaped for a Markdown table; "row <n>" alone when the values
    were not kept. A row wider than ``width`` characters (a file with hundreds of columns)
    is cut short with an ellipsis."""
    text = ("'row ' || format('{:,}', source_row_number) || "
            "coalesce(': ' || source_values, '')")
    return (f"select replace(case when length({text}) > {width} then left({text}, {width - 1}) "
            f"|| '…' else {text} end, '|', '\\|') from {relation} where {where} "
            "order by source_row_number limit 1")


class Numbers:
    """Runs scalar queries and remembers each value with its SQL and printed text."""

    def __init__(self, con) -> None:
        self.con = con
        self.items: dict[str, dict[str, Any]] = {}

    def scalar(self, sql: str) -> Any:
        """A value used for wording or control flow only (not stated, not recorded)."""
        row = self.con.execute(sql).fetchone()
        return None if row is None else row[0]

    def rows(self, sql: str) -> list[tuple]:
        return self.con.execute(sql).fetchall()

    def get(self, key: str, sql: str, fmt: str = "text") -> str:
        """Run ``sql`` (one value), record it under ``key`` and return its printed text."""
        if key in self.items and self.items[key]["sql"] != sql:
            raise ValueError(f"report number {key!r} registered twice with different SQL")
        row = self.con.execute(sql).fetchone()
        value = normalize_value(None if row is None else row[0])
        text = NA if value is None else FORMATS[fmt](value)
        self.items[key] = {"value": value, "sql": sql, "text": text}
        return text

    def cell(self, relation: str, column: str, fmt: str, **keys: Any) -> str:
        """One column of the row of ``relation`` identified by ``keys``."""
        key = ".".join([relation, *[str(v) for v in keys.values()], column])
        sql = f"select {column} from {relation}"
        if keys:
            sql += f" where {_where(**keys)}"
        return self.get(key, sql, fmt)

    def cells(self, relation: str, columns: list[tuple[str, str]], **keys: Any) -> list[str]:
        """A table row: :meth:`cell` for each ``(column, format)`` of the row ``keys``.

        A money column is printed with one precision in every row, whole units when any of
        the relation's values reaches 100 (a reader compares a column: 897 above 88.53 reads
        as a different kind of number; 897 above 89 does not)."""
        return [self.cell(relation, column, self.column_format(relation, column, fmt), **keys)
                for column, fmt in columns]

    def column_format(self, relation: str, column: str, fmt: str) -> str:
        """The format that prints ``column`` of ``relation`` with one precision in every row:
        ``fmt`` itself, except that "money" becomes "money_whole" when any of the column's
        values reaches 100 and "money_cents" otherwise. :meth:`cells` uses it; a table built
        cell by cell, or a sentence that quotes a table's cell, asks for it too."""
        if fmt != "money":
            return fmt
        largest = self.scalar(f"select max(abs({column})) from {relation}")
        return "money_whole" if largest is not None and float(largest) >= 100 else "money_cents"

    def value_of(self, key: str) -> Any:
        return self.items[key]["value"]


# --------------------------------------------------------------------------------------
# the document
# --------------------------------------------------------------------------------------
class _Doc:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def para(self, text: str) -> None:
        self.lines.extend([text, ""])

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        """A Markdown table. A column (other than the first) that is "n/a" in every row is
        left out: the data cannot fill it (no product categories in CDNOW's orders, no test
        that could run), and a column of n/a says nothing a reader can use."""
        keep = [i for i in range(len(header))
                if i == 0 or not rows or any(row[i] != NA for row in rows)]
        header, rows = [header[i] for i in keep], [[row[i] for i in keep] for row in rows]
        self.lines.append("| " + " | ".join(header) + " |")
        self.lines.append("|" + "|".join("---" for _ in header) + "|")
        for row in rows:
            self.lines.append("| " + " | ".join(c.replace("|", "/") for c in row) + " |")
        self.lines.append("")

    def text(self) -> str:
        return "\n".join(self.lines).rstrip() + "\n"


# How the hypothesis table names a test's method (statistics.hypothesis_tests' `method`), and
# the methods that count one sample, not two groups: their n_a and n_b are the same count
# (the customers correlated, the purchases in the table, the customers paired), so the table
# prints it once, not "3,900 / 3,900".
_METHOD_NAMES = {"welch_t": "Welch's t", "mann_whitney_u": "Mann–Whitney U",
                 "wilcoxon_signed_rank": "Wilcoxon signed-rank", "spearman": "Spearman",
                 "chi_square": "chi-square"}
_ONE_SAMPLE_METHODS = {"spearman": "", "chi_square": "", "wilcoxon_signed_rank": " pairs"}


def _method_name(method: str) -> str:
    return _METHOD_NAMES.get(method, method.replace("_", " "))


# One precision for an effect size and its interval wherever the report states them: the
# hypothesis table and the sentence that cites a test beside it (Cramér's V read 0.042 in the
# seasonal sentence and 0.04 in the table; the table's verdict, from the mart, prints 0.04).
EFFECT_SIZE_FORMAT = "num2"


# The link to the membership section ("### Loyalty members and non-members (document 003)").
MEMBERSHIP_ANCHOR = "#loyalty-members-and-non-members-document-003"


# The columns of a stated-purchase table (marts.stated_purchase_sales; _Report._stated_rows).
_STATED_HEADER = ("Purchases", "Share", "Revenue", "Mean purchase", "Against the mean",
                  "Mean rating", "Buyers' purchases a year")


class _Report:
    def __init__(self, con, charts: dict[str, dict]) -> None:
        self.n = Numbers(con)
        self.doc = _Doc()
        self.charts = charts
        self._exists: dict[str, bool] = {}
        self.skipped: list[str] = []
        # (gap, low, high) as printed, once the membership section has stated the members'
        # gap adjusted for the other drivers of spend; the hypothesis table points to it
        self.adjusted_membership_gap: tuple[str, str, str] | None = None
        # whether the data have an as-of date (the header reads it; data without any date,
        # such as Diwali's sales or shopping trends, have none)
        self.has_as_of_date = True

    # -- availability ------------------------------------------------------------------
    def exists(self, relation: str) -> bool:
        if relation not in self._exists:
            schema, table = relation.split(".", 1)
            self._exists[relation] = bool(self.n.scalar(
                "select count(*) from information_schema.tables "
                f"where table_schema = {_literal(schema)} and table_name = {_literal(table)}"))
        return self._exists[relation]

    def unavailable(self, *relations: str) -> str | None:
        """Why a section cannot be written, or None when all its relations have rows."""
        for relation in relations:
            if not self.exists(relation):
                return f"`{relation}` does not exist in this warehouse"
            if not self.n.scalar(f"select count(*) > 0 from {relation}"):
                return f"`{relation}` is empty for this dataset"
        return None

    def has_column(self, relation: str, column: str) -> bool:
        """Whether ``relation`` (schema.table) has ``column``: a warehouse built by an
        earlier version of the project may lack a newer column."""
        schema, table = relation.split(".")
        return bool(self.n.scalar(
            "select count(*) > 0 from duckdb_columns() where "
            f"{_where(schema_name=schema, table_name=table, column_name=column)}"))

    def skip(self, title: str, reason: str) -> None:
        self.skipped.append(title)
        self.doc.para(f"_Skipped: {reason}._")

    def chart(self, name: str) -> None:
        entry = self.charts.get(name)
        if entry is None:
            return
        if entry["status"] == "written":
            self.doc.para(f"![{entry['title']}](charts/{entry['file']})")
        else:
            self.doc.para(f"_Chart skipped: {entry['reason']}._")

    # -- sections ----------------------------------------------------------------------
    def header(self) -> None:
        n, d = self.n, self.doc
        d.add("# Customer behaviour: insight report", "")
        as_of = n.get("as_of_date", "select max(as_of_date) from marts.customers", "date")
        # Data without any date (Diwali's sales) have no as-of date: say so, not "as of n/a".
        self.has_as_of_date = as_of != NA
        dated = (f"Data as of {as_of}." if as_of != NA
                 else "The data carry no dates, so there is no as-of date: ages are read as "
                      "the data give them, and recency and tenure are not measured.")
        d.para(
            f"{dated} Every figure in this report is read from the warehouse's "
            "marts when the report is generated; `report_numbers.json` beside this file lists "
            "each one with the SQL that produced it. Charts are in `charts/`."
        )

    def headline(self) -> None:
        n, d = self.n, self.doc
        d.add("## Headline numbers", "")
        customers = n.get("headline.customers", "select count(*) from marts.customers", "int")
        # From the customers mart, so datasets that state purchase counts per customer
        # (no order table) report them too; for order data it equals count(*) of marts.orders.
        orders = n.get("headline.orders", "select coalesce(sum(order_count), 0) from marts.customers",
                       "int")
        revenue = n.get("headline.revenue", "select sum(total_spend) from marts.customers",
                        "money")
        mean = n.get("headline.mean_spend", "select avg(total_spend) from marts.customers",
                     "money")
        median = n.get("headline.median_spend",
                       "select median(total_spend) from marts.customers", "money")
        # data that state purchase counts per customer (no order table) have no orders to
        # count: say what the number is
        kind = ("orders" if n.scalar("select count(*) from marts.orders")
                else "purchases (as counted per customer in the data)")
        bullets = [
            (f"- **{customers}** customers placed **{orders}** {kind} worth **{revenue}** "
             f"currency units: **{mean}** per customer on average (median {median})."),
        ]
        if n.scalar("select count(order_date) from marts.orders"):
            first = n.get("headline.first_order_date", "select min(order_date) from marts.orders",
                          "date")
            last = n.get("headline.last_order_date", "select max(order_date) from marts.orders",
                         "date")
            bullets.append(f"- Orders run from {first} to {last}.")
        if not self.unavailable("marts.revenue_concentration_summary"):
            top10 = n.cell("marts.revenue_concentration_summary", "top_10_pct_revenue_share",
                           "pct")
            top20 = n.cell("marts.revenue_concentration_summary", "top_20_pct_revenue_share",
                           "pct")
            bullets.append(f"- The top 10 % of customers by spend bring **{top10}** of revenue "
                           f"(the top 20 %: {top20}).")
        if not self.unavailable("marts.repeat_purchase"):
            rate = n.cell("marts.repeat_purchase", "repeat_rate", "pct", grouping="all")
            bullets.append(f"- **{rate}** of buying customers ordered more than once.")
        if not self.unavailable("segments.segment_profiles"):
            k = n.get("headline.segment_count", "select count(*) from segments.segment_profiles",
                      "int")
            largest = n.get(
                "headline.largest_segment",
                "select segment_name from segments.segment_profiles "
                "order by customer_count desc, segment_id limit 1")
            share = n.get(
                "headline.largest_segment_share",
                "select customer_share from segments.segment_profiles "
                "order by customer_count desc, segment_id limit 1", "pct")
            bullets.append(f"- **{k}** customer segments; the largest, _{largest}_, holds "
                           f"{share} of customers.")
        if not self.unavailable("marts.hypothesis_tests"):
            ran = n.get("headline.tests_ran",
                        "select count(*) from marts.hypothesis_tests where status = 'ran'", "int")
            sig = n.get("headline.tests_significant",
                        "select count(*) from marts.hypothesis_tests "
                        "where status = 'ran' and is_significant", "int")
            if n.value_of("headline.tests_ran"):
                supported = n.get("headline.tests_supported",
                                  "select count(*) from marts.hypothesis_tests "
                                  "where status = 'ran' and verdict like 'Supported:%'", "int")
                verb = "supports its" if n.value_of("headline.tests_supported") == 1 else \
                    "support their"
                finds = "finds" if n.value_of("headline.tests_significant") == 1 else "find"
                text = (f"- {sig} of {ran} hypothesis tests {finds} a significant association "
                        f"after Holm adjustment, and {supported} {verb} hypothesis")
                negligible = ("select count(*) from marts.hypothesis_tests where status = 'ran' "
                              "and verdict like 'Supported:%' "
                              "and effect_size_magnitude = 'negligible'")
                if (n.value_of("headline.tests_supported")
                        and self.has_column("marts.hypothesis_tests", "effect_size_magnitude")
                        and n.scalar(negligible)):
                    weak = n.get("headline.tests_supported_negligible", negligible, "int")
                    if n.value_of("headline.tests_supported_negligible") < \
                            n.value_of("headline.tests_supported"):
                        text += f", {weak} of them with a negligible effect"
                    else:
                        text += (", with a negligible effect"
                                 if n.value_of("headline.tests_supported_negligible") == 1
                                 else ", all with a negligible effect")
                if n.scalar("select count(*) from marts.hypothesis_tests "
                            "where verdict like '%goes the other way%'"):
                    against = n.get("headline.tests_against",
                                    "select count(*) from marts.hypothesis_tests "
                                    "where verdict like '%goes the other way%'", "int")
                    text += f"; in {against} the effect goes the other way"
                bullets.append(text + " (see [Hypothesis tests](#hypothesis-tests)).")
            else:
                bullets.append("- No hypothesis test could run: the data lack what each one "
                               "compares (see [Hypothesis tests](#hypothesis-tests)).")
        d.add(*bullets, "")

    def distribution(self) -> None:
        """Who the customers are: each demographic variable's commonest and median bin."""
        n, d = self.n, self.doc
        d.add("### Who the customers are (document 002)", "")
        rel = "marts.customer_demographics_distribution"
        reason = self.unavailable(rel)
        if reason:
            return self.skip("customer demographics", reason)
        known = (f"from {rel} group by variable "
                 "having sum(customer_count) filter (where bin_kind = 'bin') > 0")
        variables = n.rows(f"select variable, min(variable_label), min(variable_kind) {known} "
                           "order by min(variable_order)")
        absent = [label for (label,) in n.rows(
            f"select min(variable_label) from {rel} group by variable having "
            "coalesce(sum(customer_count) filter (where bin_kind = 'bin'), 0) = 0 "
            "order by min(variable_order)")]
        if not variables:
            d.para("The data give no demographic value (age, income, household, marital "
                   "status, education or gender) for any customer.")
            return self.chart("customer_demographics")

        def median(variable: str) -> str:
            return n.get(f"distribution.{variable}.median_bin",
                         f"select bin_label from {rel} where {_where(variable=variable)} "
                         "and is_median_bin")

        numeric = {variable for variable, _, kind in variables if kind == "numeric"}
        parts = []
        if "age" in numeric:
            parts.append(f"is aged {median('age')}")
        if "annual_income" in numeric:
            parts.append(f"earns {median('annual_income')} a year")
        if "household_size" in numeric:
            size = median("household_size")
            parts.append(f"lives in a household of {size} "
                         f"{'person' if size == '1' else 'people'}")
        text = ""
        if parts:
            text = (f"The median customer {_and_join(parts)} (document 002's age, income and "
                    "family size; household size counts the adults the marital status implies "
                    "and the children at home). ")
        d.para(text + "Each share below is of the customers with a known value; unknown "
               "values, and incomes flagged as outliers, are counted apart.")
        rows = []
        for variable, label, kind in variables:
            key = f"distribution.{variable}"
            scope = f"from {rel} where {_where(variable=variable)}"
            top = f"{scope} and bin_kind = 'bin' order by customer_count desc, bin_order limit 1"
            apart = []
            for bin_kind in ("unknown", "outlier"):
                if n.scalar(f"select sum(customer_count) {scope} and "
                            f"{_where(bin_kind=bin_kind)}"):
                    count = n.get(f"{key}.{bin_kind}", f"select sum(customer_count) {scope} "
                                  f"and {_where(bin_kind=bin_kind)}", "int")
                    plural = "s" if bin_kind == "outlier" and count != "1" else ""
                    apart.append(f"{count} {bin_kind}{plural}")
            rows.append([
                label,
                n.get(f"{key}.known", f"select sum(customer_count) {scope} and bin_kind = 'bin'",
                      "int"),
                n.get(f"{key}.commonest_bin", f"select bin_label {top}"),
                n.get(f"{key}.commonest_share", f"select customer_share {top}", "pct"),
                median(variable) if kind == "numeric" else "–",
                ", ".join(apart) or "–",
            ])
        d.table(["Variable", "Customers with a value", "Commonest", "Its share",
                 "Median customer in", "Counted apart"], rows)
        if absent:
            d.para(f"The data give no value for {_and_join([a.lower() for a in absent])}: "
                   "every customer is unknown there.")
        self.chart("customer_demographics")

    def income(self) -> None:
        n, d = self.n, self.doc
        d.add("### Income by age group (document 000)", "")
        reason = self.unavailable("marts.income_by_age_group")
        if reason:
            return self.skip("income", reason)
        rel = "marts.income_by_age_group"
        # groups with at least thirty incomes, as elsewhere in the report: a median of nine
        # customers must not lead the sentence (the table below still lists every group)
        known = (f"from {rel} where income_customer_count >= 30 "
                 "and age_group <> 'unknown'")
        if n.scalar(f"select count(*) {known}"):
            young = n.get("income.youngest_group",
                          f"select age_group {known} order by age_group_order limit 1")
            young_med = n.get("income.youngest_median",
                              f"select median_income {known} order by age_group_order limit 1",
                              "money")
            old = n.get("income.oldest_group",
                        f"select age_group {known} order by age_group_order desc limit 1")
            old_med = n.get("income.oldest_median",
                            f"select median_income {known} order by age_group_order desc limit 1",
                            "money")
            top = n.get("income.top_group",
                        f"select age_group {known} order by median_income desc, age_group limit 1")
            d.para(f"Median annual income goes from {young_med} in the youngest group "
                   f"({young}) to {old_med} in the oldest ({old}); the highest median is in "
                   f"the {top} group (groups with at least thirty customers with an income). "
                   "Income outliers and customers without an income are left out of the "
                   "income statistics.")
        if not n.scalar(f"select count(*) from {rel} where income_customer_count > 0 "
                        "or age_group <> 'unknown'"):
            d.para("The data give neither an income nor an age for any customer.")
            return self.chart("income_by_age_group")
        if not n.scalar(f"select count(*) from {rel} where income_customer_count > 0"):
            # a table of n/a incomes under a sentence about mean incomes would read as data
            # (shopping trends: ages, no incomes); each age group's spend is in the next
            # sections
            d.para("The data give no annual income for any customer, so incomes cannot be "
                   "compared by age group.")
            return self.chart("income_by_age_group")
        # the income columns are over the customers with an income: where some have none
        # (iFood: 24 of 2,240), say how many the means are over, beside the group's size
        with_income = bool(n.scalar(f"select count(*) from {rel} "
                                    "where customer_count <> income_customer_count"))
        rows = []
        for (group,) in n.rows(f"select age_group from {rel} order by age_group_order"):
            rows.append([
                n.cell(rel, "age_group", "text", age_group=group),
                n.cell(rel, "customer_count", "int", age_group=group),
                *([n.cell(rel, "income_customer_count", "int", age_group=group)]
                  if with_income else []),
                # to the cent: document 000 publishes the means in whole units, cut off rather
                # than rounded (55,202 for 55,202.70), so whole units would read as a mismatch
                n.cell(rel, "mean_income", "money_cents", age_group=group),
                n.cell(rel, "median_income", "money", age_group=group),
                n.cell(rel, "income_p25", "money", age_group=group) + " – "
                + n.cell(rel, "income_p75", "money", age_group=group),
                n.cell(rel, "mean_total_spend", "money", age_group=group),
            ])
        d.para("Mean income is the statistic document 000 publishes by age group (given to "
               "the cent); the median and the interquartile range (where the middle half of "
               "a group's incomes lie) are not moved by a few high incomes:")
        d.table(["Age group", "Customers", *(["With an income"] if with_income else []),
                 "Mean income", "Median income", "Interquartile range", "Mean spend"], rows)
        self.chart("income_by_age_group")

    def loyalty(self) -> None:
        n, d = self.n, self.doc
        d.add("### Loyalty score and spend (document 000)", "")
        reason = self.unavailable("marts.loyalty_vs_spend")
        if reason:
            self.skip("loyalty vs spend", reason)
            self.chart("loyalty_vs_spend")
            return
        rel = "marts.loyalty_vs_spend"
        if n.scalar(f"select spearman_correlation is null from {rel} where age_group = 'all'"):
            d.para("No customer has a loyalty score, so no correlation can be measured.")
            return
        rho = n.cell(rel, "spearman_correlation", "num2", age_group="all")
        r = n.cell(rel, "pearson_correlation", "num2", age_group="all")
        scored = n.cell(rel, "scored_customer_count", "int", age_group="all")
        groups = (f"from {rel} where scope = 'age_group' and spearman_correlation is not null "
                  "and scored_customer_count >= 30")
        text = (f"Across the {scored} customers with a score, loyalty goes with spend: Spearman "
                f"rho = {rho} (Pearson r = {r}).")
        if n.scalar(f"select count(*) {groups}") >= 2:
            lo_g = n.get("loyalty.weakest_group", f"select age_group {groups} "
                         "order by spearman_correlation, age_group limit 1")
            lo = n.get("loyalty.weakest_rho", f"select spearman_correlation {groups} "
                       "order by spearman_correlation, age_group limit 1", "num2")
            hi_g = n.get("loyalty.strongest_group", f"select age_group {groups} "
                         "order by spearman_correlation desc, age_group limit 1")
            hi = n.get("loyalty.strongest_rho", f"select spearman_correlation {groups} "
                       "order by spearman_correlation desc, age_group limit 1", "num2")
            text += (f" Within age groups (with at least thirty scored customers) it ranges "
                     f"from {lo} ({lo_g}) to {hi} ({hi_g}).")
        d.para(text)
        if not self.unavailable("marts.spend_by_loyalty_band"):
            bands = ("from marts.spend_by_loyalty_band where loyalty_band <> 'unknown' "
                     "and customer_count > 0")
            if n.scalar(f"select count(*) {bands}") >= 2:
                lo_b = n.get("loyalty.lowest_band", f"select loyalty_band {bands} "
                             "order by loyalty_band_order limit 1")
                lo_s = n.get("loyalty.lowest_band_spend", f"select mean_total_spend {bands} "
                             "order by loyalty_band_order limit 1", "money")
                hi_b = n.get("loyalty.highest_band", f"select loyalty_band {bands} "
                             "order by loyalty_band_order desc limit 1")
                hi_s = n.get("loyalty.highest_band_spend", f"select mean_total_spend {bands} "
                             "order by loyalty_band_order desc limit 1", "money")
                d.para(f"Customers in the {lo_b} loyalty band spend {lo_s} on average; those "
                       f"in the {hi_b} band spend {hi_s} (a band holds the scores whose whole "
                       "part it names: 1-2 covers scores from 1 up to, not including, 3).")
        self.chart("loyalty_vs_spend")

    def region(self) -> None:
        n, d = self.n, self.doc
        d.add("### Purchase frequency by region (documents 000, 001)", "")
        reason = self.unavailable("marts.purchase_frequency_by_region")
        if reason:
            self.skip("region", reason)
            if not self.unavailable("marts.category_demand_by_region"):
                self.region_categories()
            return
        rel = "marts.purchase_frequency_by_region"
        # regions of at least thirty customers, as elsewhere in the report: six customers'
        # mean is no region's habit (customer purchasing behaviors' east region)
        valid = (f"from {rel} where mean_purchase_frequency_per_year is not null "
                 "and region <> 'unknown' and customer_count >= 30")
        if n.scalar(f"select count(*) {valid}") >= 2:
            hi = n.get("region.most_frequent", f"select region {valid} "
                       "order by mean_purchase_frequency_per_year desc, region limit 1")
            hi_f = n.get("region.most_frequent_rate", f"select mean_purchase_frequency_per_year "
                         f"{valid} order by mean_purchase_frequency_per_year desc, region limit 1",
                         "num2")
            lo = n.get("region.least_frequent", f"select region {valid} "
                       "order by mean_purchase_frequency_per_year, region limit 1")
            lo_f = n.get("region.least_frequent_rate", f"select mean_purchase_frequency_per_year "
                         f"{valid} order by mean_purchase_frequency_per_year, region limit 1",
                         "num2")
            d.para(f"Customers in the {hi} region buy most often ({hi_f} orders a year on "
                   f"average), those in the {lo} region least often ({lo_f}; regions of at "
                   "least thirty customers).")
        if not n.scalar(f"select count(*) from {rel} where region <> 'unknown'"):
            # no chart either: it is skipped for the same reason, which this sentence states
            d.para("The data give no region for any customer.")
            return
        frequency, header = "mean_purchase_frequency_per_year", "Orders per year (mean)"
        if (not n.scalar(f"select count(mean_purchase_frequency_per_year) from {rel}")
                and self.has_column(rel, "mean_orders_per_customer")):
            # undated orders (Diwali's sales): no rate per year, but orders per customer
            frequency, header = "mean_orders_per_customer", "Orders per customer (mean)"
            d.para("The data carry no order dates, so there is no purchase frequency per "
                   "year; the table and the chart give each region's mean orders per customer "
                   "over the whole data instead.")
        columns = [("region", "text"), ("customer_count", "int"), (frequency, "num2"),
                   ("mean_total_spend", "money"), ("revenue_share", "pct")]
        rows = [n.cells(rel, columns, region=region) for (region,) in
                n.rows(f"select region from {rel} order by total_spend desc, region")]
        d.table(["Region", "Customers", header, "Mean spend", "Share of revenue"], rows)
        self.chart("region_frequency_heatmap")
        self.region_categories()

    def region_categories(self) -> None:
        """Which category each region favours against the whole customer base (lift)."""
        n, d = self.n, self.doc
        d.add("#### What each region buys (documents 001, 003)", "")
        rel = "marts.category_demand_by_region"
        reason = self.unavailable(rel)
        if reason:
            return self.skip("categories by region", reason)
        if not n.scalar(f"select count(*) from {rel} where region <> 'unknown'"):
            d.para("The data give no region for any customer.")
            return self.chart("category_demand_by_region")
        # cells of at least thirty buying customers: a handful of customers' lift is noise
        cells = f"from {rel} where region <> 'unknown' and customer_count >= 30 and lift > 0"
        if not n.scalar(f"select count(*) {cells}"):
            d.para("No region has a category bought by at least thirty of its customers, too "
                   "few to compare regions' mixes.")
            return self.chart("category_demand_by_region")
        rows = []
        for (region,) in n.rows(f"select region from {rel} where region <> 'unknown' "
                                "group by region order by sum(spend) desc, region"):
            key = f"region_demand.{region}"
            top = (f"from {rel} where {_where(region=region)} and spend_rank_in_region = 1")
            largest = (n.get(f"{key}.top_category", f"select product_category {top}") + " ("
                       + n.get(f"{key}.top_share", f"select spend_share_in_region {top}", "pct")
                       + ")")
            pick = (f"{cells} and {_where(region=region)} "
                    "order by lift desc, product_category limit 1")
            if not n.scalar(f"select count(*) {cells} and {_where(region=region)}"):
                rows.append([region, largest, "–", "–", "–"])
                continue
            rows.append([
                region, largest,
                n.get(f"{key}.favoured_category", f"select product_category {pick}"),
                n.get(f"{key}.favoured_lift", f"select lift {pick}", "index"),
                n.get(f"{key}.favoured_share", f"select spend_share_in_region {pick}", "pct")
                + " / " + n.get(f"{key}.favoured_share_overall",
                                f"select spend_share_overall {pick}", "pct"),
            ])
        lo = n.get("region_demand.lowest_lift", f"select min(lift) {cells}", "index")
        hi = n.get("region_demand.highest_lift", f"select max(lift) {cells}", "index")
        text = (f"Against the whole customer base's mix, the regions' category lifts run from "
                f"{lo} to {hi} (a lift is the category's share of the region's spend over its "
                "share of all spend; categories bought by at least thirty of the region's "
                "customers)")
        low, high = (_as_float(n.value_of(f"region_demand.{k}_lift")) for k in ("lowest", "highest"))
        if 1 / REGION_MIX_ALIKE_LIFT <= low and high <= REGION_MIX_ALIKE_LIFT:
            text += (": the regions buy much the same mix, so they differ in how often they "
                     "buy (above), not in what.")
        else:
            far = f"{cells} order by abs(ln(lift)) desc, region, product_category limit 1"
            cat = n.get("region_demand.largest_departure_category",
                        f"select product_category {far}")
            region = n.get("region_demand.largest_departure_region", f"select region {far}")
            lift = n.get("region_demand.largest_departure_lift", f"select lift {far}", "index")
            verb = "over" if (_as_float(n.value_of("region_demand.largest_departure_lift"))
                              or 0) > 1 else "under"
            text += (f"; the furthest from the whole customer base is {cat} in the {region} "
                     f"region ({lift}, {verb}-represented): a candidate for a regional "
                     "assortment or campaign.")
        d.para(text + " The table names each region's most over-represented category; a "
               "lift compares shares of spend, so a region that buys more often is not "
               "over-represented in everything.")
        d.table(["Region", "Largest category (share of the region's spend)",
                 "Most over-represented", "Lift", "Its share: region / all customers"], rows)
        self.chart("category_demand_by_region")

    def demographics(self) -> None:
        n, d = self.n, self.doc
        d.add("### Spend by demographic group (documents 001, 003)", "")
        reason = self.unavailable("marts.demographic_spend")
        if reason:
            self.skip("demographics", reason)
            return
        rel = "marts.demographic_spend"
        rows = []
        dims = [r[0] for r in n.rows(
            f"select dimension from {rel} where dimension_value <> 'unknown' group by dimension "
            "having count(*) >= 2 order by dimension")]
        # both spend columns with one precision, as Numbers.cells prints a money column:
        # "672" above "81.80" reads as two kinds of number
        money = n.column_format(rel, "mean_total_spend", "money")
        for dim in dims:
            scope = (f"from {rel} where dimension = {_literal(dim)} "
                     "and dimension_value <> 'unknown' and customer_count >= 30")
            if n.scalar(f"select count(*) {scope}") < 2:
                continue
            top = f"{scope} order by mean_total_spend desc, dimension_value limit 1"
            low = f"{scope} order by mean_total_spend, dimension_value limit 1"
            value = "state" if dim == "state" else "text"
            rows.append([
                dim.replace("_", " "),
                n.get(f"demographics.{dim}.top", f"select dimension_value {top}", value),
                n.get(f"demographics.{dim}.top_spend", f"select mean_total_spend {top}", money),
                n.get(f"demographics.{dim}.low", f"select dimension_value {low}", value),
                n.get(f"demographics.{dim}.low_spend", f"select mean_total_spend {low}", money),
                n.get(f"demographics.{dim}.spread",
                      f"select max(mean_total_spend) / nullif(min(mean_total_spend), 0) {scope}",
                      "index"),
            ])
        if rows:
            d.para("Mean total spend per customer of the highest- and lowest-spending group in "
                   "each dimension (groups of at least thirty customers, 'unknown' left out); "
                   "the spread is the ratio of the two.")
            d.table(["Dimension", "Highest", "Mean spend", "Lowest", "Mean spend", "Spread"],
                    rows)
        else:
            d.para("No demographic dimension has two groups of at least thirty customers.")
        self.chart("demographic_spend")
        if not self.unavailable("marts.spend_by_age_group_and_gender"):
            cells = ("from marts.spend_by_age_group_and_gender where customer_count >= 30 "
                     "and gender <> 'unknown' and age_group <> 'unknown'")
            if n.scalar(f"select count(*) {cells}"):
                order = "order by mean_total_spend desc, age_group, gender limit 1"
                g = n.get("age_gender.top_gender", f"select gender {cells} {order}")
                a = n.get("age_gender.top_age_group", f"select age_group {cells} {order}")
                s = n.get("age_gender.top_spend", f"select mean_total_spend {cells} {order}",
                          "money")
                d.para(f"By age group and gender, {g} customers aged {a} spend the most "
                       f"({s} per customer, cells of at least thirty customers).")
            self.chart("age_gender_spend")
        self.demographics_by_row()

    def demographics_by_row(self) -> None:
        """Where the purchase rows state their buyer's attributes (Diwali), spend counted by
        each row's own attributes, as document 001 counts it, beside the per-customer view."""
        n, d = self.n, self.doc
        rel = "marts.demographic_spend_by_order_line"
        if self.unavailable(rel):
            return
        rows = []
        for dim in ("gender", "age_group", "state", "occupation"):
            scope = f"from {rel} where dimension = {_literal(dim)} and dimension_value <> 'unknown'"
            if n.scalar(f"select count(*) {scope}") < 2:
                continue
            top = f"{scope} order by total_spend desc, dimension_value limit 1"
            by_customer = ("from marts.demographic_spend where dimension = "
                           f"{_literal(dim)} and dimension_value <> 'unknown' "
                           "order by total_spend desc, dimension_value limit 1")
            value = "state" if dim == "state" else "text"
            rows.append([
                dim.replace("_", " "),
                n.get(f"demographics_by_row.{dim}.top", f"select dimension_value {top}", value),
                n.get(f"demographics_by_row.{dim}.top_spend", f"select total_spend {top}",
                      "money"),
                n.get(f"demographics_by_row.{dim}.top_share", f"select revenue_share {top}",
                      "pct"),
                n.get(f"demographics_by_row.{dim}.top_by_customer",
                      f"select dimension_value {by_customer}", value),
                n.get(f"demographics_by_row.{dim}.top_by_customer_share",
                      f"select revenue_share {by_customer}", "pct"),
            ])
        if not rows:
            return
        text = ("The purchase rows of this dataset state their buyer's attributes themselves, "
                "and a customer's rows may disagree")
        if self.exists("marts.quality_flags"):
            flagged = ("select count(distinct customer_id) from marts.quality_flags "
                       "where quality_flag = 'inconsistent_customer_attributes'")
            if n.scalar(flagged):
                text += (f" ({n.get('demographics_by_row.inconsistent_customers', flagged, 'int')}"
                         " customers' rows do, flag `inconsistent_customer_attributes`)")
        d.para(text + ". The table above counts each customer once, by their first row; "
               "document 001 counts each row by its own attributes "
               "(`marts.demographic_spend_by_order_line`). The largest group by total spend "
               "each way:")
        d.table(["Dimension", "By row", "Spend", "Share", "By customer (first row)", "Share"],
                rows)

    def demand(self) -> None:
        n, d = self.n, self.doc
        d.add("### Category and product demand (documents 001, 003, 004)", "")
        reason = self.unavailable("marts.category_demand")
        if reason:
            return self.skip("category demand", reason)
        rel = "marts.category_demand"
        top = n.get("demand.top_category",
                    f"select product_category from {rel} where spend_rank = 1")
        top_share = n.get("demand.top_category_share",
                          f"select spend_share from {rel} where spend_rank = 1", "pct")
        text = f"{top.capitalize()} leads spend with {top_share} of the total"
        if n.scalar(f"select count(*) from {rel}") >= 2:
            second = n.get("demand.second_category",
                           f"select product_category from {rel} where spend_rank = 2")
            both = n.get("demand.top_two_share",
                         f"select sum(spend_share) from {rel} where spend_rank <= 2", "pct")
            text += f", followed by {second}; together they take {both}"
        widest = n.get("demand.widest_category", f"select product_category from {rel} "
                       "order by penetration desc, product_category limit 1")
        widest_pen = n.get("demand.widest_penetration", f"select penetration from {rel} "
                           "order by penetration desc, product_category limit 1", "pct")
        text += f". The most widely bought category is {widest} ({widest_pen} of customers)."
        if not self.unavailable("marts.product_demand") and n.scalar(
            "select count(product_id) from marts.product_demand"
        ):
            prod = n.get("demand.top_product",
                         "select product_id from marts.product_demand where spend_rank = 1")
            prod_share = n.get("demand.top_product_share",
                               "select spend_share from marts.product_demand where spend_rank = 1",
                               "pct")
            text += f" The best-selling product is {prod} ({prod_share} of spend)"
            if self.has_column("marts.product_demand", "order_rank") and n.scalar(
                "select count(order_rank) from marts.product_demand"
            ):
                most = "from marts.product_demand where order_rank = 1"
                text += (
                    "; the most ordered is "
                    f"{n.get('demand.most_ordered_product', f'select product_id {most}')} in "
                    f"{n.get('demand.most_ordered_category', f'select product_category {most}')}"
                    f" ({n.get('demand.most_ordered_orders', f'select order_count {most}', 'int')}"
                    " orders)")
            text += "."
        d.para(text)
        columns = [("product_category", "text"), ("spend", "money"), ("spend_share", "pct"),
                   ("penetration", "pct")]
        header = ["Category", "Spend", "Share of spend", "Customers who bought"]
        if n.scalar(f"select count(order_count) from {rel}"):
            columns.append(("order_count", "int"))
            header.append("Orders")
        if n.scalar(f"select count(quantity) from {rel}"):
            columns.append(("quantity", "int"))
            header.append("Units")
        rows = [n.cells(rel, columns, product_category=cat) for (cat,) in
                n.rows(f"select product_category from {rel} order by spend_rank")]
        d.table(header, rows)
        self.chart("category_demand")
        if not self.unavailable("marts.category_demand_by_segment"):
            seg = "marts.category_demand_by_segment"
            items = []
            for (sid,) in n.rows(f"select distinct segment_id from {seg} order by segment_id"):
                pick = (f"from {seg} where segment_id = {sid} "
                        "order by spend_share_index desc, product_category limit 1")
                name = n.get(f"demand.segment.{sid}.name", f"select segment_name {pick}")
                cat = n.get(f"demand.segment.{sid}.signature", f"select product_category {pick}")
                lift = n.get(f"demand.segment.{sid}.lift", f"select spend_share_index {pick}",
                             "index")
                items.append(f"- _{name}_: {cat} ({lift} its share of all spend)")
            d.para("Each segment's most over-represented category, the one whose share of "
                   "the segment's total spend is furthest above its share of all spend. (The "
                   "segment names use the average customer's spend shares instead, which "
                   "weigh every customer alike and skip categories whose average share is "
                   "under 5 %, so a name can point to another category.)")
            d.add(*items, "")
            self.chart("category_demand_by_segment")
        self.products_by_segment()

    def products_by_segment(self) -> None:
        """Each segment's best-selling product and the product it favours most."""
        n, d = self.n, self.doc
        rel = "marts.product_demand_by_segment"
        if self.unavailable(rel):
            return
        rows = []
        for (sid,) in n.rows(f"select distinct segment_id from {rel} order by segment_id"):
            top = f"from {rel} where segment_id = {sid} and spend_rank_in_segment = 1"
            name = n.get(f"products.segment.{sid}.name", f"select segment_name {top}")
            best = n.get(f"products.segment.{sid}.top", f"select product_id {top}")
            share = n.get(f"products.segment.{sid}.top_share",
                          f"select share_of_segment_spend {top}", "pct")
            # the most over-represented product among those enough of the segment bought
            # for the lift to mean something (the report's threshold of thirty customers)
            enough = f"from {rel} where segment_id = {sid} and customer_count >= 30"
            lean = f"{enough} order by spend_share_index desc, product_category, product_id limit 1"
            if n.scalar(f"select count(*) {enough}"):
                fav = n.get(f"products.segment.{sid}.favoured", f"select product_id {lean}")
                lift = n.get(f"products.segment.{sid}.favoured_lift",
                             f"select spend_share_index {lean}", "index")
                buyers = n.get(f"products.segment.{sid}.favoured_buyers",
                               f"select customer_count {lean}", "int")
                favoured = f"{fav} ({lift}, {buyers} buyers)"
            else:
                favoured = "none bought by thirty of its customers"
            rows.append([name, f"{best} ({share})", favoured])
        d.para("Each segment's best-selling product, and the product it favours most against "
               "all customers (the lift is the product's share of the segment's spend over "
               "its share of all spend; products bought by at least thirty of the segment's "
               f"customers; `{rel}`).")
        d.table(["Segment", "Best-selling product (share of the segment's spend)",
                 "Most over-represented product (lift, buyers)"], rows)

    def channels(self) -> None:
        n, d = self.n, self.doc
        d.add("### Channels and product categories (document 004)", "")
        usage_reason = self.unavailable("marts.channel_usage")
        spend_reason = self.unavailable("marts.channel_product_spend")
        if usage_reason and spend_reason:
            return self.skip("channels", spend_reason)
        if not usage_reason:
            self.channel_usage()
        if not spend_reason:
            rel = "marts.channel_product_spend"
            cell = f"from {rel} order by spend desc, channel, product_category limit 1"
            c_ch = n.get("channels.top_cell_channel", f"select channel {cell}")
            c_cat = n.get("channels.top_cell_category", f"select product_category {cell}")
            c_share = n.get("channels.top_cell_share", f"select spend_share {cell}", "pct")
            d.para(f"The largest single combination of channel and product category is {c_cat} "
                   f"through {c_ch} ({c_share} of all spend).")
            self.chart("channel_category_heatmap")
        if not self.unavailable("marts.customer_value_by_channel_mix"):
            mix = "marts.customer_value_by_channel_mix"
            has = n.scalar(f"select count(distinct has_catalog_purchase) from {mix}")
            if has == 2:
                cat = n.get("channels.catalog_mean_spend",
                            f"select sum(total_spend) / sum(customer_count) from {mix} "
                            "where has_catalog_purchase", "money")
                cat_n = n.get("channels.catalog_customers",
                              f"select sum(customer_count) from {mix} where has_catalog_purchase",
                              "int")
                other = n.get("channels.non_catalog_mean_spend",
                              f"select sum(total_spend) / sum(customer_count) from {mix} "
                              "where not has_catalog_purchase", "money")
                other_n = n.get("channels.non_catalog_customers",
                                f"select sum(customer_count) from {mix} "
                                "where not has_catalog_purchase", "int")
                d.para(f"Customers who bought through the catalog ({cat_n}) spend {cat} on "
                       f"average; those who never did ({other_n}) spend {other}.")
            if n.scalar(f"select count(*) from {mix} where channel_mix = 'web'"):
                web = n.cell(mix, "mean_total_spend", "money", channel_mix="web")
                web_n = n.cell(mix, "customer_count", "int", channel_mix="web")
                d.para(f"Web-only customers ({web_n}) spend {web} on average.")
            self.chart("channel_mix_value")

    def channel_usage(self) -> None:
        """Where the orders and the spend go, and what each channel's customers are worth
        (marts.channel_usage); data that count purchases per channel without splitting
        spend by channel (iFood) are described by their purchases. The catalog-against-web
        comparison of document 004 follows from the channel mixes (in channels())."""
        n, d = self.n, self.doc
        rel = "marts.channel_usage"
        spend_known = n.scalar(f"select count(spend) > 0 from {rel}")
        top_orders = f"from {rel} order by order_count desc, channel limit 1"
        ch = n.get("channels.top_order_channel", f"select channel {top_orders}")
        share = n.get("channels.top_order_channel_share", f"select order_share {top_orders}",
                      "pct")
        if spend_known:
            top_spend = f"from {rel} order by spend desc, channel limit 1"
            s_ch = n.get("channels.top_spend_channel", f"select channel {top_spend}")
            s_share = n.get("channels.top_spend_channel_share",
                            f"select spend_share {top_spend}", "pct")
            lead = (f"The {s_ch} channel carries the most spend ({s_share})"
                    + (f" and the most orders ({share})." if s_ch == ch else
                       f", the {ch} channel the most orders ({share})."))
        else:
            count = n.get("channels.top_order_channel_orders", f"select order_count {top_orders}",
                          "int")
            total = n.get("channels.order_count", f"select sum(order_count) from {rel}", "int")
            lead = (f"The data count purchases per channel but do not split spend by channel. "
                    f"The {ch} channel carries the most purchases: {count} of {total} "
                    f"({share}).")
        d.para(lead)
        columns = [("channel", "text"), ("customer_count", "int"), ("customer_share", "pct"),
                   ("order_count", "int"), ("order_share", "pct")]
        unit = "Orders" if spend_known else "Purchases"
        headers = ["Channel", "Customers who used it", "Share of customers", unit,
                   f"Share of {unit.lower()}"]
        if spend_known:
            columns += [("spend", "money"), ("spend_share", "pct")]
            headers += ["Spend", "Share of spend"]
        columns.append(("mean_customer_total_spend", "money"))
        headers.append("Its customers' mean total spend")
        rows = [n.cells(rel, columns, channel=channel) for (channel,) in
                n.rows(f"select channel from {rel} order by order_count desc, channel")]
        d.table(headers, rows)

    def promotions(self) -> None:
        n, d = self.n, self.doc
        d.add("### Discounts and promotions (document 003)", "")
        reason = self.unavailable("marts.promotion_impact")
        if reason and not self.unavailable("marts.stated_purchase_sales"):
            return self.stated_promotions()
        if reason:
            return self.skip("promotions", reason)
        rel = "marts.promotion_impact"
        if n.scalar(f"select count(*) from {rel} where is_discounted and order_count > 0") == 0:
            d.para("No order in the data carries a discount, so promotions cannot be compared.")
            return self.chart("promotion_impact")
        disc = f"from {rel} where is_discounted"
        full = f"from {rel} where not is_discounted"
        share = n.get("promotions.discounted_order_share", f"select sum(order_share) {disc}",
                      "pct")
        rev = n.get("promotions.discounted_revenue_share", f"select sum(revenue_share) {disc}",
                    "pct")
        u_d = n.get("promotions.discounted_units_per_order",
                    f"select sum(quantity) / sum(order_count) {disc}", "num2")
        u_f = n.get("promotions.full_price_units_per_order",
                    f"select sum(quantity) / sum(order_count) {full}", "num2")
        v_d = n.get("promotions.discounted_order_value",
                    f"select sum(revenue) / sum(order_count) {disc}", "money")
        v_f = n.get("promotions.full_price_order_value",
                    f"select sum(revenue) / sum(order_count) {full}", "money")
        given = n.get("promotions.discount_given", f"select sum(discount_amount) {disc}",
                      "money")
        given_share = n.get(
            "promotions.discount_given_share",
            f"select sum(discount_amount) / (select sum(revenue) + sum(discount_amount) "
            f"from {rel}) {disc}", "pct")
        d.para(f"{share} of orders carry a discount and bring {rev} of revenue. A discounted "
               f"order holds {u_d} units on average against {u_f} at full price, and is worth "
               f"{v_d} against {v_f} (net of the discount). The discounts gave away {given} "
               f"({given_share} of sales before discounts).")
        columns = [("discount_band", "text"), ("order_count", "int"),
                   ("mean_units_per_order", "num2"), ("mean_order_value", "money"),
                   ("revenue_share", "pct")]
        rows = [n.cells(rel, columns, discount_band=band) for (band,) in
                n.rows(f"select discount_band from {rel} where order_count > 0 "
                       "order by discount_band_order")]
        d.table(["Discount", "Orders", "Units per order", "Mean order value",
                 "Share of revenue"], rows)
        self.chart("promotion_impact")

    def membership(self) -> None:
        n, d = self.n, self.doc
        d.add("### Loyalty members and non-members (document 003)", "")
        reason = self.unavailable("marts.loyalty_membership_spend")
        if reason:
            return self.skip("membership", reason)
        rel = "marts.loyalty_membership_spend"
        have = {r[0] for r in n.rows(f"select membership_status from {rel}")}
        if not {"member", "non-member"} <= have:
            d.para("The data do not tell loyalty members from non-members.")
            return
        cols = [("customer_count", "int", "Customers"), ("mean_total_spend", "money", "Mean spend"),
                ("median_total_spend", "money", "Median spend"),
                ("mean_order_count", "num2", "Orders per customer"),
                ("repeat_rate", "pct", "Repeat rate"), ("revenue_share", "pct", "Share of revenue")]
        m = {c: n.cell(rel, c, f, membership_status="member") for c, f, _ in cols}
        o = {c: n.cell(rel, c, f, membership_status="non-member") for c, f, _ in cols}
        d.para(f"Members ({m['customer_count']}) spend {m['mean_total_spend']} on average "
               f"(median {m['median_total_spend']}); non-members ({o['customer_count']}) "
               f"spend {o['mean_total_spend']} (median {o['median_total_spend']}). Members bring "
               f"{m['revenue_share']} of revenue. The hypothesis test below states whether the "
               "difference is larger than chance.")
        d.table(["", *[label for _, _, label in cols]],
                [["members", *[m[c] for c, _, _ in cols]],
                 ["non-members", *[o[c] for c, _, _ in cols]]])
        drivers = "marts.spend_drivers"
        member = f"from {drivers} where predictor = 'is_loyalty_member' and status = 'ran'"
        if not self.unavailable(drivers) and n.scalar(f"select count(*) {member}"):
            # printed as "What drives spend" prints the same estimate (is loyalty member:
            # "+1.31 ... (95 % CI -51.2 to +53.8)"), not as money ("1.31 (95 % CI -51.16 to
            # 53.78)"); the raw gap it is set against with the same precision
            gap = n.get("membership.adjusted_gap", f"select raw_coefficient {member}",
                        "driver_signed")
            lo = n.get("membership.adjusted_gap_low", f"select raw_ci_low {member}",
                       "driver_signed")
            hi = n.get("membership.adjusted_gap_high", f"select raw_ci_high {member}",
                       "driver_signed")
            others = n.get("membership.adjusted_for",
                           f"select string_agg(predictor, ', ' order by predictor) from "
                           f"{drivers} where predictor <> 'is_loyalty_member' "
                           "and status = 'ran'")
            raw = n.get("membership.raw_gap",
                        f"select sum(mean_total_spend) filter (where membership_status = "
                        f"'member') - sum(mean_total_spend) filter (where membership_status = "
                        f"'non-member') from {rel}", "driver_num")
            alike = _and_join(others.replace("_", " ").split(", "))
            low = _as_float(n.value_of("membership.adjusted_gap_low"))
            high = _as_float(n.value_of("membership.adjusted_gap_high"))
            compared = (f"Compared with non-members alike in {alike} (the model in \"What "
                        f"drives spend\"), members' spend differs by {gap} (95 % CI {lo} to "
                        f"{hi})")
            raw_gap = _as_float(n.value_of("membership.raw_gap"))
            if (low is not None and high is not None and low <= 0 <= high
                    and raw_gap is not None and low <= raw_gap <= high):
                # the raw gap is itself inside the adjusted interval (shopping trends: -0.38
                # against -0.37, -2.03 to +1.3): the adjustment explains nothing away
                d.para(f"{compared}, an interval that includes no difference, and the raw gap "
                       f"of {raw} lies inside it too: members and non-members spend alike, "
                       "with or without the adjustment. Neither figure shows what the "
                       "programme causes.")
            elif low is not None and high is not None and low <= 0 <= high:
                d.para(f"{compared}, an interval that includes no difference: most of the raw "
                       f"gap of {raw} goes with who the members are. Neither figure shows what "
                       "the programme causes.")
            else:
                d.para(f"{compared}, against a raw gap of {raw}; the difference between the "
                       "two goes with who the members are. Neither figure shows that the "
                       "programme causes the spend.")
            self.adjusted_membership_gap = (gap, lo, hi)
        self.chart("loyalty_membership")

    def seasons(self) -> None:
        n, d = self.n, self.doc
        d.add("### Seasonal and holiday demand (documents 001, 003)", "")
        reason = self.unavailable("marts.seasonal_sales")
        if reason and not self.unavailable("marts.stated_purchase_sales"):
            return self.stated_seasons()
        if reason:
            self.skip("seasons", reason + " (it needs order dates)")
            if not self.unavailable("marts.category_seasonal_demand"):
                self.category_seasons()
            if not self.unavailable("marts.category_holiday_demand"):
                self.category_holidays()
            return
        rel = "marts.seasonal_sales"
        full_years = (f"(select order_year, sum(revenue) as revenue, sum(order_count) as orders "
                      f"from {rel} group by order_year having count(*) = 12)")
        if (n.scalar(f"select count(*) from {full_years}") or 0) >= 2:
            last = f"from {full_years} order by order_year desc limit 1"
            prev = f"{last} offset 1"
            growth = n.get("seasons.revenue_growth",
                           f"select (select revenue {last}) / (select revenue {prev}) - 1",
                           "signed_pct")
            d.para(
                f"Revenue went from {n.get('seasons.prev_year_revenue', f'select revenue {prev}', 'money')}"
                f" in {n.get('seasons.prev_year', f'select order_year {prev}', 'text')} to "
                f"{n.get('seasons.last_year_revenue', f'select revenue {last}', 'money')} in "
                f"{n.get('seasons.last_year', f'select order_year {last}', 'text')} ({growth}) "
                f"and orders from {n.get('seasons.prev_year_orders', f'select orders {prev}', 'int')}"
                f" to {n.get('seasons.last_year_orders', f'select orders {last}', 'int')} (the two "
                "latest complete years). A trend inside a year, growth or decline, moves its "
                "later months, so the month and holiday indices below mix season with trend.")
        best = f"from {rel} order by revenue_index_within_year desc, order_month limit 1"
        worst = f"from {rel} order by revenue_index_within_year, order_month limit 1"
        b_m = n.get("seasons.best_month", f"select strftime(order_month, '%B %Y') {best}")
        b_i = n.get("seasons.best_month_index", f"select revenue_index_within_year {best}",
                    "index")
        w_m = n.get("seasons.worst_month", f"select strftime(order_month, '%B %Y') {worst}")
        w_i = n.get("seasons.worst_month_index", f"select revenue_index_within_year {worst}",
                    "index")
        d.para(f"Measured per day against the average month of the same year, the strongest "
               f"month is {b_m} ({b_i}) and the weakest {w_m} ({w_i}).")
        first_share = _as_float(n.scalar(f"select first_order_share {best}"))
        if first_share is not None and first_share >= ARRIVAL_MONTH_FIRST_ORDER_SHARE:
            arrival = f"first_order_share >= {ARRIVAL_MONTH_FIRST_ORDER_SHARE}"
            settled = (f"from {rel} where first_order_share < {ARRIVAL_MONTH_FIRST_ORDER_SHARE} "
                       "order by revenue_index_within_year desc, order_month limit 1")
            share = n.get("seasons.best_month_first_order_share",
                          f"select first_order_share {best}", "pct")
            crowded = n.get("seasons.arrival_months",
                            f"select count(*) from {rel} where {arrival}", "int")
            months = n.get("seasons.months", f"select count(*) from {rel}", "int")
            have = "has" if n.value_of("seasons.arrival_months") == 1 else "have"
            text = (f"{share} of {b_m}'s orders were customers' first orders in the data, and "
                    f"{crowded} of the {months} months {have} a quarter or more: for those months, "
                    "and the seasons and holidays they fall in, the figures measure when "
                    "customers arrived (or when the data begin) as much as the season.")
            if n.scalar(f"select count(*) from {rel} where not ({arrival})"):
                s_m = n.get("seasons.best_settled_month",
                            f"select strftime(order_month, '%B %Y') {settled}")
                s_i = n.get("seasons.best_settled_month_index",
                            f"select revenue_index_within_year {settled}", "index")
                text += f" Among the other months the strongest is {s_m} ({s_i})."
            d.para(text)
        if not self.unavailable("marts.sales_by_season"):
            s = "marts.sales_by_season"
            hi = f"from {s} order by orders_per_day desc, season limit 1"
            lo = f"from {s} order by orders_per_day, season limit 1"
            d.para(
                f"By season, {n.get('seasons.busiest_season', f'select season {hi}')} is busiest "
                f"({n.get('seasons.busiest_orders_per_day', f'select orders_per_day {hi}', 'num1')}"
                f" orders a day) and {n.get('seasons.quietest_season', f'select season {lo}')} "
                f"quietest "
                f"({n.get('seasons.quietest_orders_per_day', f'select orders_per_day {lo}', 'num1')})."
            )
        if not self.unavailable("marts.holiday_sales"):
            h = "marts.holiday_sales"
            named = f"from {h} where is_holiday"
            if n.scalar(f"select count(*) {named}") and n.scalar(
                f"select count(*) from {h} where holiday_name = 'no holiday'"
            ):
                top = f"{named} order by orders_per_day_index desc, holiday_name limit 1"
                name = n.get("seasons.top_holiday", f"select holiday_name {top}")
                idx = n.get("seasons.top_holiday_index", f"select orders_per_day_index {top}",
                            "index")
                above = n.get("seasons.holidays_above_ordinary",
                              f"select count(*) {named} and orders_per_day_index > 1", "int")
                total = n.get("seasons.holidays_in_range", f"select count(*) {named}", "int")
                d.para(f"{name} has the most orders per day, {idx} an ordinary day; {above} of "
                       f"the {total} holidays in the data's date range beat an ordinary day.")
        self.chart("seasonal_sales")
        self.category_seasons()
        self.category_holidays()

    def _stated_rows(self, dimension: str) -> list[list[str]]:
        """The table rows of one dimension of marts.stated_purchase_sales, in its order."""
        n, rel = self.n, "marts.stated_purchase_sales"
        columns = [("purchase_count", "int"), ("purchase_share", "pct"), ("revenue", "money"),
                   ("mean_purchase_value", "money"), ("purchase_value_index", "index"),
                   ("mean_review_rating", "num2"), ("mean_purchases_per_year", "num1")]
        return [[value, *n.cells(rel, columns, dimension=dimension, dimension_value=value)]
                for (value,) in n.rows(f"select dimension_value from {rel} where "
                                       f"{_where(dimension=dimension)} "
                                       "order by dimension_value_order, dimension_value")]

    def seasonal_mix_test(self, section: str, grain: str) -> None:
        """One sentence citing marts.hypothesis_tests' chi-square test of season x category
        (seasonal_category_demand) when it ran on this section's counts (``grain``: 'order
        line' for dated lines, 'purchase' for stated seasons); ``section`` prefixes the
        numbers' keys."""
        n, d = self.n, self.doc
        rel = "marts.hypothesis_tests"
        if self.unavailable(rel) or not self.has_column(rel, "effect_size_magnitude"):
            return
        k = {"test_id": "seasonal_category_demand"}
        if not n.scalar(f"select count(*) from {rel} where {_where(**k)} and status = 'ran' "
                        f"and {_where(grain=grain)}"):
            return
        def value(column: str, fmt: str) -> str:
            return n.get(f"{section}.chi_square.{column}",
                         f"select {column} from {rel} where {_where(**k)}", fmt)

        chi2, df, p = value("statistic", "num1"), value("df", "int"), value("p_value_holm", "p")
        v = value("effect_size", EFFECT_SIZE_FORMAT)
        interval = self.effect_interval(rel, k, "95 % CI {low} to {high}")
        size = value("effect_size_magnitude", "text")
        significant = n.scalar(f"select is_significant from {rel} where {_where(**k)}")
        finding = ("differs between seasons by more than chance" if significant
                   else "does not differ between seasons clearly beyond chance")
        def p_text(name: str, p: str) -> str:
            return f"{name} {p}" if p.startswith("<") else f"{name} = {p}"

        text = (f"Tested (seasonal_category_demand under \"Hypothesis tests\"), the category "
                f"mix {finding}: chi-square {chi2} on {df} degrees of freedom, "
                f"{p_text('Holm p', p)}; Cramér's V {v} ({interval}) is {size} by Cohen's "
                "(1988) thresholds for Cramér's V")
        clustered = (self.has_column(rel, "p_value_clustered") and n.scalar(
            f"select p_value_clustered is not null from {rel} where {_where(**k)}"))
        if clustered:
            # the test with each customer's lines together (Rao-Scott); the verdict says when
            # the significance does not survive it
            customers = value("clusters", "int")
            text += (f". Counting each of the {customers} customers' lines together (Rao-Scott) "
                     f"gives {p_text('p', value('p_value_clustered', 'p'))}")
        lost = significant and clustered and "but not significant once" in n.scalar(
            f"select verdict from {rel} where {_where(**k)}")
        if lost:
            text += (", which is not significant after Holm: the shift may be a few customers' "
                     "habits rather than the seasons'")
        elif significant:
            text += (": with this many purchases even a slight shift is significant, so plan "
                     "with the size of the shift, not with the p-value")
        d.para(text + ".")

    def stated_seasons(self) -> None:
        """Seasons as the data state them for each purchase (no order dates)."""
        n, d = self.n, self.doc
        rel = "marts.stated_purchase_sales"
        where = f"from {rel} where {_where(dimension='season')}"
        top = f"{where} order by revenue desc, dimension_value limit 1"
        low = f"{where} order by revenue, dimension_value limit 1"
        best = n.get("stated_seasons.top_season", f"select dimension_value {top}")
        best_share = n.get("stated_seasons.top_season_share", f"select revenue_share {top}",
                           "pct")
        worst = n.get("stated_seasons.bottom_season", f"select dimension_value {low}")
        worst_share = n.get("stated_seasons.bottom_season_share",
                            f"select revenue_share {low}", "pct")
        d.para("The data give no order dates; each purchase states the season it was made in, "
               f"so seasons are compared by their purchases: {best} brings the most revenue "
               f"({best_share}) and {worst} the least ({worst_share}). The data do not say "
               "how many days of each season they cover, so a season's share mixes its "
               "demand with how long the data watched it.")
        d.table(["Season", *_STATED_HEADER], self._stated_rows("season"))
        grid = "marts.category_demand_by_stated_season"
        if self.unavailable(grid):
            return
        d.add("#### Seasonal demand by category (documents 001, 003)", "")
        pull = f"from {grid} order by seasonal_index desc, season_order, product_category limit 1"
        drag = f"from {grid} order by seasonal_index, season_order, product_category limit 1"
        d.para(
            "The index is the category's share of the season's purchases against its share "
            "of all purchases (×1.00: the season buys it as often as the year does). The "
            f"strongest pull is {n.get('stated_seasons.pull_category', f'select product_category {pull}')}"
            f" in {n.get('stated_seasons.pull_season', f'select season {pull}')} "
            f"({n.get('stated_seasons.pull_index', f'select seasonal_index {pull}', 'index')}), "
            "the weakest "
            f"{n.get('stated_seasons.drag_category', f'select product_category {drag}')} in "
            f"{n.get('stated_seasons.drag_season', f'select season {drag}')} "
            f"({n.get('stated_seasons.drag_index', f'select seasonal_index {drag}', 'index')}).")
        columns = [("purchase_count", "int"), ("share_of_season_purchases", "pct"),
                   ("seasonal_index", "index"), ("top_item", "text")]
        rows = [[season, category, *n.cells(grid, columns, season=season,
                                            product_category=category)]
                for season, category in n.rows(
                    f"select season, product_category from {grid} "
                    "order by season_order, purchase_count desc, product_category")]
        d.table(["Season", "Category", "Purchases", "Share of the season", "Index",
                 "Item bought most"], rows)
        self.seasonal_mix_test("stated_seasons", "purchase")
        self.chart("stated_purchase_sales")

    def stated_promotions(self) -> None:
        """Discounts and promo codes as the data state them for each purchase."""
        n, d = self.n, self.doc
        rel = "marts.stated_purchase_sales"

        def value(dimension: str, flag: str, column: str, fmt: str) -> str:
            return n.cell(rel, column, fmt, dimension=dimension, dimension_value=flag)

        share = value("discount_applied", "yes", "purchase_share", "pct")
        yes_mean = value("discount_applied", "yes", "mean_purchase_value", "money")
        no_mean = value("discount_applied", "no", "mean_purchase_value", "money")
        yes_freq = value("discount_applied", "yes", "mean_purchases_per_year", "num1")
        no_freq = value("discount_applied", "no", "mean_purchases_per_year", "num1")
        d.para(
            "The data state, for each purchase, whether a discount was applied and whether a "
            "promo code was used, not how deep the discount was. "
            f"{share} of purchases were discounted. A discounted purchase averaged {yes_mean} "
            f"against {no_mean} at full price, and the customers who bought on discount say "
            f"they buy {yes_freq} times a year against {no_freq} (the test of document 003's "
            "hypothesis is under \"Hypothesis tests\").")
        crossed = f"from {rel} where {_where(dimension='discount_and_promo_code')}"
        mixed = n.get("stated_promotions.mixed_purchases",
                      f"select coalesce(sum(purchase_count) filter (where dimension_value in "
                      f"('discount only', 'promo code only')), 0) {crossed}", "int")
        if n.value_of("stated_promotions.mixed_purchases") == 0:
            total = n.get("stated_promotions.purchases",
                          f"select sum(purchase_count) {crossed}", "int")
            d.para(f"In these data a discount was applied exactly when a promo code was used "
                   f"({mixed} of the {total} purchases have one without the other), so the "
                   "effect of a discount cannot be told from that of a promo code.")
        else:
            d.table(["Discount applied", *_STATED_HEADER],
                    self._stated_rows("discount_applied"))
            d.table(["Promo code used", *_STATED_HEADER],
                    self._stated_rows("promo_code_used"))
        d.table(["Discount and promo code", *_STATED_HEADER],
                self._stated_rows("discount_and_promo_code"))
        d.para("How the purchases were paid for and shipped:")
        d.table(["Payment method", *_STATED_HEADER], self._stated_rows("payment_method"))
        d.table(["Shipping type", *_STATED_HEADER], self._stated_rows("shipping_type"))

    def category_seasons(self) -> None:
        """Each category's strongest and weakest season against its own average season."""
        n, d = self.n, self.doc
        d.add("#### Seasonal demand by category (documents 001, 003)", "")
        rel = "marts.category_seasonal_demand"
        reason = self.unavailable(rel)
        if reason:
            return self.skip("seasonal demand by category",
                             reason + " (it needs dated order lines with product categories)")
        if n.scalar(f"select count(distinct season) from {rel}") < 2:
            d.para("The data cover a single season, so no season can be compared with another.")
            return self.chart("category_seasonal_demand")

        def ranked(order: str) -> str:
            return (f"(select *, row_number() over (partition by product_category order by "
                    f"seasonal_index {order}, season_order) as season_rank from {rel})")

        best, worst = ranked("desc"), ranked("asc")
        rows = []
        for (category,) in n.rows(f"select product_category from {rel} group by "
                                  "product_category order by sum(spend) desc, product_category"):
            key = f"category_seasons.{category}"
            b = f"from {best} where season_rank = 1 and {_where(product_category=category)}"
            w = f"from {worst} where season_rank = 1 and {_where(product_category=category)}"
            rows.append([
                category,
                n.get(f"{key}.best_season", f"select season {b}"),
                n.get(f"{key}.best_index", f"select seasonal_index {b}", "index"),
                n.get(f"{key}.worst_season", f"select season {w}"),
                n.get(f"{key}.worst_index", f"select seasonal_index {w}", "index"),
            ])
        peaks = f"from {best} where season_rank = 1"
        categories = n.get("category_seasons.categories", f"select count(*) {peaks}", "int")
        if n.scalar(f"select count(distinct season) {peaks}") == 1:
            season = n.get("category_seasons.common_best_season", f"select min(season) {peaks}")
            text = f"Every category sells most per day in {season}"
        else:
            common = (f"select season {peaks} group by season "
                      "order by count(*) desc, min(season_order) limit 1")
            season = n.get("category_seasons.most_common_best_season", common)
            count = n.get("category_seasons.most_common_best_season_count",
                          f"select count(*) {peaks} and season = ({common})", "int")
            text = (f"The categories peak in different seasons: {season} for {count} of the "
                    f"{categories}")
        swing = (f"from {rel} group by product_category order by "
                 "max(seasonal_index) - min(seasonal_index) desc, product_category limit 1")
        cat = n.get("category_seasons.most_seasonal", f"select product_category {swing}")
        hi = n.get("category_seasons.most_seasonal_high", f"select max(seasonal_index) {swing}",
                   "index")
        lo = n.get("category_seasons.most_seasonal_low", f"select min(seasonal_index) {swing}",
                   "index")
        d.para(f"{text}. The index is the season's spend per day against the category's own "
               "average season, so seasons the data cover for different numbers of "
               f"days compare fairly; {cat} swings most, from {lo} to {hi}. Stock and promote "
               "each category ahead of its strongest season. A season also carries the data's "
               "growth and the arrival of new customers: a category that a recent wave of "
               "customers favours can look seasonal without being so (see the monthly chart "
               "above).")
        d.table(["Category", "Strongest season", "Index", "Weakest season", "Index"], rows)
        self.seasonal_mix_test("category_seasons", "order line")
        self.chart("category_seasonal_demand")

    def category_holidays(self) -> None:
        """Which categories holidays lift: each category's revenue per holiday day against per
        ordinary day, and its share of holiday against ordinary-day revenue, holidays pooled."""
        n, d = self.n, self.doc
        d.add("#### Which categories holidays lift (documents 001, 003)", "")
        rel = "marts.category_holiday_demand"
        reason = self.unavailable(rel)
        if reason:
            return self.skip("holiday demand by category",
                             reason + " (it needs dated order lines with product categories and "
                             "a holiday of the calendar inside the data's date range)")
        pooled = f"from {rel} where is_all_holidays"
        if not n.scalar(f"select count(*) {pooled} and revenue_lift is not null"):
            d.para("Every day of the data is a holiday of the calendar, so no ordinary day is "
                   "left to compare the holidays with.")
            return self.chart("category_holiday_demand")
        key = "category_holidays"
        holidays = n.get(f"{key}.holidays", f"select count(distinct holiday_name) from {rel} "
                         "where not is_all_holidays", "int")
        days = n.get(f"{key}.holiday_days", f"select max(holiday_day_count) {pooled}", "int")
        ordinary = n.get(f"{key}.ordinary_days", f"select max(ordinary_day_count) {pooled}",
                         "int")
        overall = n.get(f"{key}.all_categories_revenue_lift",
                        "select (sum(holiday_revenue) / max(holiday_day_count)) / "
                        f"(sum(ordinary_revenue) / max(ordinary_day_count)) {pooled}", "index")
        text = (f"On the {days} days of the {holidays} holidays in the data's date range, all "
                f"categories together sell {overall} as much per day as on an ordinary day (the "
                f"other {ordinary} days).")
        named = (f"{pooled} and holiday_order_count >= {HOLIDAY_CATEGORY_MIN_ORDERS} "
                 "and share_lift > 0")
        if not n.scalar(f"select count(*) {named}"):
            text += (" No category was ordered at least thirty times on the holidays, too few "
                     "to say which of them holidays lift.")
        else:
            lo = n.get(f"{key}.lowest_share_lift", f"select min(share_lift) {named}", "index")
            hi = n.get(f"{key}.highest_share_lift", f"select max(share_lift) {named}", "index")
            low, high = (_as_float(n.value_of(f"{key}.{k}_share_lift"))
                         for k in ("lowest", "highest"))
            text += (f" Against the whole assortment, the categories' share lifts run from {lo} "
                     f"to {hi} (a category's share of holiday revenue over its share of "
                     "ordinary-day revenue; categories ordered at least thirty times on the "
                     "holidays).")
            if 1 / HOLIDAY_MIX_ALIKE_LIFT <= low and high <= HOLIDAY_MIX_ALIKE_LIFT:
                text += (" Holidays lift the categories alike, so they call for more of "
                         "everything rather than a different mix.")
            else:
                parts = []
                if high > HOLIDAY_MIX_ALIKE_LIFT:
                    top = f"{named} order by share_lift desc, product_category limit 1"
                    parts.append(
                        f"Holidays lift {n.get(f'{key}.most_lifted', f'select product_category {top}')}"
                        f" most: it sells "
                        f"{n.get(f'{key}.most_lifted_revenue_lift', f'select revenue_lift {top}', 'index')}"
                        f" its ordinary day's revenue per holiday day, against {overall} for "
                        "all categories, and its share of revenue rises from "
                        f"{n.get(f'{key}.most_lifted_ordinary_share', f'select ordinary_revenue_share {top}', 'pct')}"
                        " on ordinary days to "
                        f"{n.get(f'{key}.most_lifted_holiday_share', f'select holiday_revenue_share {top}', 'pct')}"
                        " on holidays, so stock and promote it ahead of them")
                if low < 1 / HOLIDAY_MIX_ALIKE_LIFT:
                    bottom = f"{named} order by share_lift, product_category limit 1"
                    parts.append(
                        f"{n.get(f'{key}.least_lifted', f'select product_category {bottom}')}"
                        " loses most of its share on holidays ("
                        f"{n.get(f'{key}.least_lifted_ordinary_share', f'select ordinary_revenue_share {bottom}', 'pct')}"
                        " → "
                        f"{n.get(f'{key}.least_lifted_holiday_share', f'select holiday_revenue_share {bottom}', 'pct')}"
                        ")")
                text += " " + "; ".join(parts) + "."
        d.para(text)
        columns = [("product_category", "text"), ("holiday_order_count", "int"),
                   ("ordinary_revenue_per_day", "money"), ("holiday_revenue_per_day", "money"),
                   ("revenue_lift", "index"), ("ordinary_revenue_share", "pct"),
                   ("holiday_revenue_share", "pct"), ("share_lift", "index")]
        rows = []
        for (category,) in n.rows(f"select product_category {pooled} "
                                  "order by share_lift desc nulls last, product_category"):
            cells = n.cells(rel, columns, holiday_name="all holidays", product_category=category)
            rows.append(cells[:5] + [f"{cells[5]} / {cells[6]}", cells[7]])
        d.table(["Category", "Orders on holidays", "Revenue per ordinary day",
                 "Revenue per holiday day", "Lift", "Share of revenue: ordinary days / holidays",
                 "Share lift"], rows)
        most_days = n.get(f"{key}.max_days_per_holiday",
                          f"select max(holiday_day_count) from {rel} where not is_all_holidays",
                          "int")
        # "ten" is charts.MIN_HOLIDAY_CELL_ORDERS in words (the report's numerals come from marts)
        d.para(f"A single holiday covers at most {most_days} days of the data, so the chart's "
               "cells per holiday rest on few orders (greyed below ten); the pooled figures "
               "above are the firmer answer. A holiday also falls in a season (Black Friday in "
               "late November), so a category's lift carries that season's demand for it as "
               "well as the holiday's.")
        self.chart("category_holiday_demand")

    def repeat(self) -> None:
        n, d = self.n, self.doc
        d.add("### Repeat purchase (document 003)", "")
        reason = self.unavailable("marts.repeat_purchase")
        if reason:
            return self.skip("repeat purchase", reason)
        rel = "marts.repeat_purchase"
        rate = n.cell(rel, "repeat_rate", "pct", grouping="all")
        text = f"{rate} of buying customers ordered more than once"
        if n.scalar(f"select median_days_between_orders is not null from {rel} "
                    "where grouping = 'all'"):
            gap = n.cell(rel, "median_days_between_orders", "num1", grouping="all")
            text += f"; the median gap between two orders is {gap} days"
        text += "."
        groups = (f"from {rel} where grouping = 'age_group' and grouping_value <> 'unknown' "
                  "and buying_customer_count >= 30 and median_days_between_orders is not null")
        if n.scalar(f"select count(*) {groups}") >= 2:
            # every group at the extreme is named: a tie has no single winner
            def tied(extreme: str) -> str:
                return (f"select string_agg(grouping_label, ' and ' order by grouping_order) "
                        f"{groups} and median_days_between_orders = "
                        f"(select {extreme}(median_days_between_orders) {groups})")

            def gap(extreme: str) -> str:
                return f"select {extreme}(median_days_between_orders) {groups}"

            if n.scalar(gap("min")) == n.scalar(gap("max")):
                text += (" Every age group waits the same median "
                         f"{n.get('repeat.common_gap', gap('min'), 'num1')} days.")
            else:
                text += (
                    f" By age group, {n.get('repeat.fastest_age_group', tied('min'))}"
                    f" customers come back soonest "
                    f"({n.get('repeat.fastest_gap', gap('min'), 'num1')}"
                    f" days) and {n.get('repeat.slowest_age_group', tied('max'))}"
                    f" customers latest "
                    f"({n.get('repeat.slowest_gap', gap('max'), 'num1')}"
                    " days)."
                )
        d.para(text)
        # a column no segment has a value for is left out, not printed as n/a down the table
        # (undated purchase counts, as on the iFood data, give neither gaps nor rates a year)
        columns = [("grouping_label", "text", "Segment"),
                   ("buying_customer_count", "int", "Buying customers"),
                   ("repeat_rate", "pct", "Repeat rate"),
                   ("median_days_between_orders", "num1", "Median days between orders"),
                   ("mean_purchase_frequency_per_year", "num2", "Orders per year (mean)")]
        columns = [c for c in columns if c[1] == "text" or n.scalar(
            f"select count({c[0]}) > 0 from {rel} where grouping = 'segment'")]
        rows = [[n.cell(rel, column, fmt, grouping="segment", grouping_value=value)
                 for column, fmt, _ in columns]
                for (value,) in n.rows(f"select grouping_value from {rel} "
                                       "where grouping = 'segment' order by grouping_order")]
        if rows:
            d.table([header for _, _, header in columns], rows)
        self.chart("repeat_purchase")

    def concentration(self) -> None:
        n, d = self.n, self.doc
        d.add("### Revenue concentration (document 004)", "")
        reason = self.unavailable("marts.revenue_concentration_summary")
        if reason:
            return self.skip("revenue concentration", reason)
        rel = "marts.revenue_concentration_summary"
        top10 = n.cell(rel, "top_10_pct_revenue_share", "pct")
        top20 = n.cell(rel, "top_20_pct_revenue_share", "pct")
        half = n.cell(rel, "customer_share_for_50_pct_revenue", "pct")
        eighty = n.cell(rel, "customer_share_for_80_pct_revenue", "pct")
        gini = n.cell(rel, "gini_coefficient", "num2")
        # "a small top tier carries the business" only where it does: shopping trends' top
        # 10 % bring 16 % of revenue (Gini 0.23), and half of it takes a third of customers
        lead = ("A small top tier carries the business"
                if (_as_float(n.value_of(f"{rel}.customer_share_for_50_pct_revenue"))
                    or 1) <= TOP_TIER_HALF_REVENUE_CUSTOMER_SHARE
                else "Revenue is spread across many customers, not carried by a small top tier")
        d.para(f"{lead}: the top 10 % of customers by spend "
               f"bring {top10} of revenue and the top 20 % bring {top20}. Half of all revenue "
               f"comes from {half} of customers, four fifths from {eighty}. The Gini "
               f"coefficient of spend is {gini} (zero would be equal spend).")
        self.chart("revenue_concentration")
        self.top_decile_categories()

    def top_decile_categories(self) -> None:
        """What the top 10 % of customers buy against the other 90 % (document 004, "wines
        and meat drive the most spending among top customers")."""
        n, d = self.n, self.doc
        rel = "marts.category_demand_by_spend_decile"
        if self.unavailable(rel) or not n.scalar(
            f"select count(*) from {rel} where spend_decile = 1 and spend > 0"
        ):
            return
        top = f"from {rel} where spend_decile = 1"
        first = f"{top} and spend_rank_in_decile = 1"
        second = f"{top} and spend_rank_in_decile = 2"
        cat1 = n.get("deciles.top.first", f"select product_category {first}")
        share1 = n.get("deciles.top.first_share", f"select share_of_decile_spend {first}", "pct")
        text = f"What the top 10 % buy: {cat1} takes {share1} of their spend"
        pair = [cat1]
        if n.scalar(f"select count(*) {second} and spend > 0"):
            cat2 = n.get("deciles.top.second", f"select product_category {second}")
            share2 = n.get("deciles.top.second_share",
                           f"select share_of_decile_spend {second}", "pct")
            text += f" and {cat2} {share2}"
            pair.append(cat2)
        # the same categories' share of the spend of everyone else (deciles 2 to 10)
        picked = (f"product_category in (select product_category {top} and "
                  f"spend_rank_in_decile <= {len(pair)})")
        rest = n.get("deciles.rest.pair_share",
                     f"select sum(spend) filter (where {picked}) / nullif(sum(spend), 0) "
                     f"from {rel} where spend_decile > 1", "pct")
        together = n.get("deciles.top.pair_share",
                         f"select sum(share_of_decile_spend) {top} and "
                         f"spend_rank_in_decile <= {len(pair)}", "pct")
        which = " and ".join(pair)
        text += (f" ({together} together); among the other 90 % of customers {which} "
                 f"take {rest}.")
        fav = f"{top} and spend > 0 order by spend_share_index desc, product_category limit 1"
        fav_cat = n.get("deciles.top.favoured", f"select product_category {fav}")
        fav_lift = n.get("deciles.top.favoured_lift", f"select spend_share_index {fav}",
                         "index")
        text += (f" The category the top 10 % favour most against all customers is {fav_cat} "
                 f"({fav_lift} its share of all spend).")
        d.para(text)
        self.chart("category_demand_by_spend_decile")

    def campaigns(self) -> None:
        n, d = self.n, self.doc
        d.add("### Campaign response (documents 002, 004)", "")
        reason = self.unavailable("marts.campaign_response")
        if reason:
            return self.skip("campaigns", reason + " (the dataset has no campaign responses)")
        rel = "marts.campaign_response"
        overall = f"from {rel} where grouping = 'all'"
        best = f"{overall} order by response_rate desc, campaign_id limit 1"
        worst = f"{overall} order by response_rate, campaign_id limit 1"
        text = (f"Across {n.get('campaigns.count', f'select count(*) {overall}', 'int')} "
                f"campaigns, response ranges from "
                f"{n.get('campaigns.worst_rate', f'select response_rate {worst}', 'pct')} "
                f"({n.get('campaigns.worst', f'select campaign_id {worst}')}) to "
                f"{n.get('campaigns.best_rate', f'select response_rate {best}', 'pct')} "
                f"({n.get('campaigns.best', f'select campaign_id {best}')}).")
        seg = (f"from {rel} where grouping = 'segment' group by grouping_value, grouping_label "
               "having sum(customers_sent) > 0")
        if n.scalar(f"select count(*) from ({'select 1 ' + seg})") >= 2:
            hi = f"{seg} order by sum(customers_accepted) / sum(customers_sent) desc, " \
                 "grouping_value limit 1"
            lo = f"{seg} order by sum(customers_accepted) / sum(customers_sent), " \
                 "grouping_value limit 1"
            text += (
                f" The most responsive segment is "
                f"_{n.get('campaigns.top_segment', f'select grouping_label {hi}')}_ "
                f"({n.get('campaigns.top_segment_rate', f'select sum(customers_accepted) / sum(customers_sent) {hi}', 'pct')}"
                f" of campaigns sent accepted), the least "
                f"_{n.get('campaigns.low_segment', f'select grouping_label {lo}')}_ "
                f"({n.get('campaigns.low_segment_rate', f'select sum(customers_accepted) / sum(customers_sent) {lo}', 'pct')})."
            )
        d.para(text)
        self.chart("campaign_response")

    def hypotheses(self) -> None:
        n, d = self.n, self.doc
        d.add("### Hypothesis tests", "")
        reason = self.unavailable("marts.hypothesis_tests")
        if reason:
            return self.skip("hypothesis tests", reason)
        rel = "marts.hypothesis_tests"
        d.para("Each hypothesis from the source documents is tested on the warehouse: the "
               "method fits the data (Mann–Whitney for skewed spend, Welch's t otherwise, "
               "Spearman for associations, a chi-square test with Cramér's V for the season "
               "x category counts), p-values are Holm-adjusted across the tests, and "
               "each effect size comes with its 95 % confidence interval and its size in "
               "words (negligible, small, medium or large) by Cohen's (1988) conventions "
               "for a standardised difference of means, a correlation or Cramér's V (the "
               "thresholds are in the description of hypothesis_tests.effect_size_magnitude "
               "on the docs site). With many customers a negligible effect can be "
               "significant: read its size before acting on it.")
        rows, notes = [], []
        sized = self.has_column(rel, "effect_size_magnitude")
        for (test_id,) in n.rows(f"select test_id from {rel} order by test_id"):
            k = {"test_id": test_id}
            if n.scalar(f"select status from {rel} where {_where(**k)}") != "ran":
                rows.append([n.cell(rel, "hypothesis", "text", **k),
                             n.cell(rel, "source_document", "text", **k),
                             NA, NA, NA, n.cell(rel, "verdict", "text", **k)])
                continue
            effect = (n.cell(rel, "effect_size", EFFECT_SIZE_FORMAT, **k) + " ["
                      + self.effect_interval(rel, k, "{low}, {high}") + "] "
                      + effect_size_label(n.cell(rel, "effect_size_name", "text", **k)))
            if sized:
                effect += ", " + n.cell(rel, "effect_size_magnitude", "text", **k)
            method = n.scalar(f"select method from {rel} where {_where(**k)}")
            n_a, n_b = n.cell(rel, "n_a", "int", **k), n.cell(rel, "n_b", "int", **k)
            sizes = (n_a + _ONE_SAMPLE_METHODS[method]
                     if method in _ONE_SAMPLE_METHODS and n_a == n_b else f"{n_a} / {n_b}")
            verdict = n.cell(rel, "verdict", "text", **k)
            if test_id == "loyalty_member_spend" and self.adjusted_membership_gap:
                # the raw comparison's verdict, qualified by the gap among customers alike in
                # the other drivers, which the membership section states
                gap, low, high = self.adjusted_membership_gap
                verdict += (f"; adjusted for the other drivers of spend, the gap is {gap} "
                            f"(95 % CI {low} to {high}): see [Loyalty members and "
                            f"non-members]({MEMBERSHIP_ANCHOR})")
            rows.append([
                n.cell(rel, "hypothesis", "text", **k),
                n.cell(rel, "source_document", "text", **k),
                _method_name(method) + " (n " + sizes + ")",
                effect,
                n.cell(rel, "p_value_holm", "p", **k),
                verdict,
            ])
            notes.append(f"- _{n.cell(rel, 'test_id', 'text', **k)}_: "
                         f"{n.cell(rel, 'caveat', 'text', **k)}")
        d.table(["Hypothesis", "Document", "Method (n)", "Effect size [95 % CI]",
                 "Holm p", "Verdict"], rows)
        self.over_50_newness(rel)
        if notes:
            d.para("Caveats, test by test:")
            d.add(*notes, "")
        self.chart("hypothesis_tests")

    def effect_interval(self, rel: str, k: dict, template: str) -> str:
        """The 95 % interval of a hypothesis test's effect size, its bounds put into
        ``template`` ("{low}, {high}" in the table, "95 % CI {low} to {high}" in a sentence);
        when the mart stores no bounds, what ``ci_method`` says instead of "n/a, n/a": an
        interval that collapsed to a point is "interval not estimable" (statistics'
        NOT_ESTIMABLE, its reason in the test's caveat), any other "interval not available"."""
        n = self.n
        if n.scalar(f"select ci_low is null or ci_high is null from {rel} where {_where(**k)}"):
            return missing_interval_text(
                n.scalar(f"select ci_method from {rel} where {_where(**k)}")
                if self.has_column(rel, "ci_method") else None)
        return template.format(low=n.cell(rel, "ci_low", EFFECT_SIZE_FORMAT, **k),
                               high=n.cell(rel, "ci_high", EFFECT_SIZE_FORMAT, **k))

    def over_50_newness(self, rel: str) -> None:
        """The over-50 frequency gap over all customers against established customers only."""
        n, d = self.n, self.doc
        both = n.scalar(
            f"select count(*) from {rel} where status = 'ran' and metric = "
            "'purchase_frequency_per_year' and test_id in ('over_50_frequency', "
            "'over_50_frequency_established')"
        )
        if both != 2:
            return
        gaps = {}
        for test_id in ("over_50_frequency", "over_50_frequency_established"):
            k = {"test_id": test_id}
            gaps[test_id] = [n.cell(rel, "mean_b", "num2", **k), n.cell(rel, "mean_a", "num2", **k)]
        narrower = n.scalar(
            f"select (select abs(mean_b - mean_a) from {rel} where test_id = "
            "'over_50_frequency_established') < (select abs(mean_b - mean_a) from "
            f"{rel} where test_id = 'over_50_frequency')"
        )
        young, old = gaps["over_50_frequency_established"]
        all_young, all_old = gaps["over_50_frequency"]
        text = (f"Purchase frequency by age, measured over at least a year: customers 50 or "
                f"under place {young} orders a year on average and over-50s {old}; over all "
                f"customers the figures are {all_young} and {all_old}. ")
        if narrower:
            text += ("The gap is narrower among established customers: a customer who arrived "
                     "within the last year is measured over a short window, where a single "
                     "order makes up much of the rate, so plan with the established-customer "
                     "figures.")
        else:
            text += ("The gap is no narrower among established customers, so it does not come "
                     "from recent arrivals being measured over short windows.")
        d.para(text)

    def drivers(self) -> None:
        n, d = self.n, self.doc
        d.add("### What drives spend (document 004)", "")
        reason = self.unavailable("marts.spend_drivers")
        if reason:
            return self.skip("spend drivers", reason)
        rel = "marts.spend_drivers"
        ran = f"from {rel} where status = 'ran'"
        if not n.scalar(f"select count(*) {ran}"):
            d.para("No driver could be estimated on this dataset.")
            return
        r2 = n.get("drivers.r_squared", f"select max(r_squared) {ran}", "num2")
        size = n.get("drivers.n", f"select max(n) {ran}", "int")
        d.para(f"A linear model of total spend on standardised drivers (robust intervals) "
               f"explains R² = {r2} of the variance over {size} customers. Ranked by the size "
               f"of their standardised effect:")
        items = []
        for (pred,) in n.rows(f"select predictor {ran} order by rank"):
            k = {"predictor": pred}
            items.append(
                f"- **{n.cell(rel, 'predictor', 'text', **k).replace('_', ' ')}** "
                f"(beta {n.cell(rel, 'standardized_beta', 'signed2', **k)}, 95 % CI "
                f"{n.cell(rel, 'ci_low', 'signed2', **k)} to {n.cell(rel, 'ci_high', 'signed2', **k)}): "
                f"{n.cell(rel, 'interpretation', 'text', **k)}")
        d.add(*items, "")
        # the gap columns (2026-12-07); without them the rule compares the intervals
        gaps = (", size_gap_to_largest, size_gap_ci_low, size_gap_ci_high"
                if self.has_column(rel, "size_gap_ci_low") else "")
        verdict = strongest_driver(n.rows(
            f"select predictor, standardized_beta, ci_low, ci_high{gaps} {ran} order by rank"))
        if verdict.count < 2:
            d.para("Only one driver could be estimated on this dataset, so there is nothing to "
                   "rank it against: document 004's comparison needs income, age and household "
                   "size.")
        elif not n.scalar(f"select count(*) {ran} and not (ci_low <= 0 and 0 <= ci_high)"):
            # every interval includes no effect (shopping trends: R² 0.00, age and membership
            # at beta -0.01): the largest of several noise estimates is no strongest driver
            d.para("Document 004 names income as the strongest predictor; here every driver's "
                   "95 % interval includes no effect, so none of them can be named the "
                   "strongest: on these data the model finds no driver of spend.")
        elif verdict.strongest is None:
            # the one rule of the mart's sentences (statistics.strongest_driver): the largest
            # estimate is not told apart from the others named
            k = {"predictor": verdict.largest}
            top = (f"{n.cell(rel, 'predictor', 'text', **k).replace('_', ' ')} (beta "
                   f"{n.cell(rel, 'standardized_beta', 'signed2', **k)}, 95 % CI "
                   f"{n.cell(rel, 'ci_low', 'signed2', **k)} to {n.cell(rel, 'ci_high', 'signed2', **k)})")
            others = _and_join([
                f"{n.cell(rel, 'predictor', 'text', predictor=p).replace('_', ' ')} (beta "
                f"{n.cell(rel, 'standardized_beta', 'signed2', predictor=p)}, 95 % CI "
                f"{n.cell(rel, 'ci_low', 'signed2', predictor=p)} to "
                f"{n.cell(rel, 'ci_high', 'signed2', predictor=p)})"
                for p, *_ in verdict.not_distinguishable])
            why = ("its interval includes no effect" if verdict.includes_zero
                   else "the intervals allow effects of the same size")
            if verdict.by_size_gap and not verdict.includes_zero:
                why = size_gap_reason([(
                    n.cell(rel, "predictor", "text", predictor=p).replace("_", " "),
                    *[n.cell(rel, c, "signed2", predictor=p) for c in (
                        "size_gap_to_largest", "size_gap_ci_low", "size_gap_ci_high")])
                    for p, *_ in verdict.not_distinguishable])
            d.para(f"Document 004 names income as the strongest predictor; here the largest "
                   f"standardised effect, {top}, is not distinguishable from {others}: {why}, "
                   "so none of them can be named the strongest.")
        else:
            top = n.get("drivers.strongest", f"select predictor {ran} order by rank limit 1")
            here = "here too" if top == "annual_income" else "here"
            text = (f"Document 004 names income as the strongest predictor; {here} the "
                    f"strongest is {top.replace('_', ' ')}.")
            if n.scalar(f"select count(*) {ran} and predictor in ('annual_income', 'age')") == 2:
                text += (" Drivers that move together (income, age) share their effect, which "
                         "widens their intervals.")
            d.para(text)
        self.chart("spend_drivers")
        if not self.unavailable("marts.customer_correlations"):
            self.chart("correlation_matrix")

    def lifetime_value(self) -> None:
        n, d = self.n, self.doc
        d.add("### Customer lifetime value (document 004)", "")
        reason = self.unavailable("marts.customer_lifetime_value")
        if reason:
            return self.skip("lifetime value", reason + " (it needs order dates)")
        rel = "marts.customer_lifetime_value"
        total = n.get("clv.total", f"select sum(predicted_clv_horizon) from {rel}", "money")
        median = n.get("clv.median", f"select median(predicted_clv_horizon) from {rel}", "money")
        alive = n.get("clv.mean_p_alive", f"select avg(p_alive) from {rel}", "pct")
        top = n.get("clv.top_decile_share",
                    f"select sum(v) filter (where r <= ceil(0.1 * c)) / sum(v) from ("
                    f"select predicted_clv_horizon as v, row_number() over (order by "
                    f"predicted_clv_horizon desc, customer_id) as r, count(*) over () as c "
                    f"from {rel})", "pct")
        holdout = "marts.lifetime_value_holdout"
        checked = not self.unavailable(holdout)
        start = "the next 12 months"
        if checked:
            cal_end = n.get("clv.calibration_end",
                            f"select max(calibration_end) from {holdout}", "date")
            start = f"the 12 months after {cal_end}, where the models' data end"
        d.para(f"A BG/NBD purchase model with a Gamma–Gamma spend model predicts {total} "
               f"currency units of discounted spend over {start} (median {median} "
               f"per customer; the top 10 % of customers by predicted value hold {top} of it). "
               f"The average probability that a customer is still active is {alive}."
               + self._one_time_buyers_alive(rel))
        self.lifetime_value_fit_caveat()
        if checked:
            self.lifetime_value_holdout(holdout)
        self.chart("clv_distribution")

    def _one_time_buyers_alive(self, rel: str) -> str:
        """BG/NBD gives a customer without a repeat purchase P(alive) = 1 (nothing in the
        data says they left), so the average is high where many bought once (CDNOW: 52 % of
        customers, 78.7 % on average, 55.9 % over the repeat buyers): say so beside it."""
        n = self.n
        scope = f"from {rel} where repeat_purchase_weeks = 0"
        if not (n.scalar(f"select count(*) {scope}")
                and n.scalar(f"select count(*) from {rel} where repeat_purchase_weeks > 0")):
            return ""
        once = n.get("clv.one_time_buyer_share",
                     f"select avg(case when repeat_purchase_weeks = 0 then 1.0 else 0.0 end) "
                     f"from {rel}", "pct")
        repeat = n.get("clv.mean_p_alive_repeat_buyers",
                       f"select avg(p_alive) from {rel} where repeat_purchase_weeks > 0", "pct")
        return (f" The model counts a customer who has bought only once as still active "
                f"(nothing in the data says they left): {once} of customers bought only "
                f"once, and over the customers with a repeat purchase the average is {repeat}.")

    def lifetime_value_holdout(self, rel: str) -> None:
        """The model checked on purchases it did not see (var lifetime_value_calibration_end)."""
        n = self.n
        where = "where grouping = 'all'"
        cal_end = n.get("clv.calibration_end", f"select max(calibration_end) from {rel}", "date")
        weeks = n.get("clv.holdout_weeks", f"select holdout_weeks from {rel} {where}", "num1")
        customers = n.get("clv.holdout_customers",
                          f"select customer_count from {rel} {where}", "int")
        expected = n.get("clv.holdout_expected",
                         f"select expected_purchases from {rel} {where}", "int")
        actual = n.get("clv.holdout_actual", f"select actual_purchases from {rel} {where}", "int")
        error = n.get("clv.holdout_relative_error",
                      f"select abs(relative_error) from {rel} {where}", "pct")
        direction = "fewer" if (n.value_of("clv.holdout_expected") or 0) < (
            n.value_of("clv.holdout_actual") or 0) else "more"
        self.doc.para(
            f"Checked on purchases the models did not see: fitted on the orders up to "
            f"{cal_end}, BG/NBD expected {expected} purchase days over the following {weeks} "
            f"weeks from the {customers} customers who had bought by then; they made {actual}, "
            f"so the model expected {error} {direction} (`{rel}` compares them by number of "
            "repeat purchases in the calibration period)."
        )

    def lifetime_value_fit_caveat(self) -> None:
        """Say so when a lifetime-value model's parameters are not pinned down by the data."""
        n, fit = self.n, "marts.lifetime_value_model"
        if self.unavailable(fit):
            return
        names = {"bg_nbd": "BG/NBD", "gamma_gamma": "Gamma–Gamma"}
        unpinned = [m for (m,) in n.rows(f"select distinct model from {fit} where std_error "
                                         "is null or not converged order by model")]
        if not unpinned:
            return
        text = (f"Caveat: on this data the {' and '.join(names.get(m, m) for m in unpinned)} "
                f"fit has parameters without standard errors or did not converge (`{fit}`, "
                "column `message`, says which and why), so these predictions are point "
                "estimates of unknown precision.")
        if "bg_nbd" in unpinned:
            key = "clv.bg_nbd_dropout_per_purchase"  # a / (a + b)
            dropout = n.get(key, "select max(estimate) filter (where parameter = 'a') / "
                                 "sum(estimate) filter (where parameter in ('a', 'b')) "
                                 f"from {fit} where model = 'bg_nbd'", "pct")
            share = n.value_of(key)
            if share is not None and share < NEGLIGIBLE_DROPOUT_PER_PURCHASE:
                text += (f" BG/NBD puts the chance that a customer stops buying after a "
                         f"purchase at {dropout}: almost no customer looks lost, its dropout "
                         "parameters are barely identified, and the predictions extend each "
                         "customer's current purchase rate.")
        self.doc.para(text)

    def segments(self) -> None:
        n, d = self.n, self.doc
        d.add("## Customer segments", "")
        reason = self.unavailable("segments.segment_profiles", "segments.segment_k_selection")
        if reason:
            return self.skip("segments", reason)
        sel = "segments.segment_k_selection"
        k = n.get("segments.k", f"select k from {sel} where is_chosen", "int")
        how = n.get("segments.chosen_by", f"select chosen_by from {sel} where is_chosen")
        how = re.sub(r":\w+:`([^`]*)`", r"`\1`", how).rstrip(".")
        sil = n.get("segments.silhouette", f"select silhouette from {sel} where is_chosen", "num2")
        k_lo = n.get("segments.k_min", f"select min(k) from {sel}", "int")
        k_hi = n.get("segments.k_max", f"select max(k) from {sel}", "int")
        if k_lo == k_hi:  # vars segment_k_min = segment_k_max: nothing to choose among
            d.para(f"KMeans on the scaled customer features finds **{k} segments**, the one k "
                   f"the build scored (vars `segment_k_min` and `segment_k_max` are equal; "
                   f"silhouette {sil}).")
        else:
            d.para(f"KMeans on the scaled customer features finds **{k} segments**, chosen "
                   f"among k = {k_lo} … {k_hi} ({how}; silhouette {sil}).")
        unsegmented = ("from marts.customers where customer_id not in "
                       "(select customer_id from segments.customer_segments)")
        if (not self.unavailable("marts.customers", "segments.customer_segments")
                and n.scalar(f"select count(*) {unsegmented}")):
            count = n.get("segments.unsegmented", f"select count(*) {unsegmented}", "int")
            share = n.get("segments.unsegmented_share",
                          f"select count(*) / (select count(*) from marts.customers) "
                          f"{unsegmented}", "pct")
            d.para(f"{count} customers ({share} of the customer base) have not bought anything "
                   "and are not segmented: they are prospects, for a first-purchase offer, not "
                   "a kind of buyer. The segments' shares below are of the customers who have "
                   "bought.")
        self.chart("segment_k_selection")
        if not self.unavailable("segments.segment_stability"):
            st = "segments.segment_stability"
            mean_ari = n.get("segments.mean_ari", f"select avg(adjusted_rand_index) from {st}",
                             "num2")
            min_ari = n.get("segments.min_ari", f"select min(adjusted_rand_index) from {st}",
                            "num2")
            runs = n.get("segments.stability_runs", f"select count(*) from {st}", "int")
            d.para(f"Refitting with other random states and on bootstrap samples ({runs} refits) "
                   f"reproduces the segments with a mean adjusted Rand index of {mean_ari} "
                   f"(lowest {min_ari}; one means identical).")
        self.segment_caution()
        rel = "segments.segment_profiles"
        # data that name no channel (shopping trends) or no category (CDNOW) get no such
        # column (_Doc.table) and no such word in the sentence under the table
        has_channel = bool(n.scalar(f"select count(top_channel) > 0 from {rel}"))
        has_category = bool(n.scalar(f"select count(top_category) > 0 from {rel}"))
        rows, recs = [], []
        for (sid,) in n.rows(f"select segment_id from {rel} order by segment_id"):
            k_ = {"segment_id": sid}
            name = n.cell(rel, "segment_name", "text", **k_)
            rows.append([
                name,
                n.cell(rel, "customer_count", "int", **k_),
                n.cell(rel, "customer_share", "pct", **k_),
                n.cell(rel, "revenue_share", "pct", **k_),
                # one precision down the column (Numbers.cells): 961 above 82.29 would not
                n.cell(rel, "mean_total_spend", n.column_format(rel, "mean_total_spend", "money"),
                       **k_),
                n.cell(rel, "top_category", "text", **k_),
                n.cell(rel, "top_channel", "text", **k_),
            ])
            recs.append(f"- **{name}** — {n.cell(rel, 'recommendation', 'text', **k_)} "
                        f"_Why this name: {n.cell(rel, 'name_reason', 'text', **k_)}._")
        by_purchases = self.has_column(rel, "channel_share_basis") and n.scalar(
            f"select bool_or(channel_share_basis = 'purchases') from {rel}")
        d.table(["Segment", "Customers", "Share of customers", "Share of revenue", "Mean spend",
                 "Top category", "Top channel" + (" (purchases)" if by_purchases else "")],
                rows)
        spent = "where a segment spends most"
        if has_channel and by_purchases:
            used = ("buys through most often (the data count purchases per channel but do not "
                    "split spend by channel)")
            where = (f"category is {spent} and its top channel the one it {used}"
                     if has_category else f"channel is the one a segment {used}")
        else:
            where = {(True, True): f"category and channel are {spent}",
                     (True, False): f"category is {spent}",
                     (False, True): f"channel is {spent}"}.get((has_category, has_channel))
        signature = " or ".join(word for word, has in (("category", has_category),
                                                        ("channel", has_channel)) if has)
        d.para("Names and recommendations are derived from each profile by the rules in "
               "`customer_behavior.segmentation`, not written by hand"
               + (f". The table's top {where}; a name's signature {signature} is the one it "
                  "favours most against the whole customer base (share lift), so the two can "
                  "differ:" if where else ":"))
        d.add(*recs, "")
        self.chart("segment_profiles")
        self.chart("segment_scatter")
        self.segment_value()

    def segment_caution(self) -> None:
        """A caution before the segments' names and recommendations when the segmentation is
        weak: the chosen k at an edge of the range searched (not when k was pinned, by var
        segment_k or by a range of one k), refits that reproduce it less than well (mean
        adjusted Rand index below SEGMENT_STABLE_MEAN_ARI), or a segment of under
        SEGMENT_SMALL_CUSTOMER_SHARE of the customers. Nothing when none applies."""
        n, d = self.n, self.doc
        sel, st, rel = ("segments.segment_k_selection", "segments.segment_stability",
                        "segments.segment_profiles")
        chosen = f"from {sel} where is_chosen"
        found, todo = [], []
        pinned = n.scalar(f"select bool_or(chosen_by like 'pinned%') {chosen}")
        searched = not pinned and n.scalar(f"select count(distinct k) > 1 from {sel}")
        at_top = searched and n.scalar(f"select k = (select max(k) from {sel}) {chosen}")
        at_bottom = searched and n.scalar(f"select k = (select min(k) from {sel}) {chosen}")
        if at_top or at_bottom:
            k = n.get("segments.k", f"select k {chosen}", "int")
            k_lo = n.get("segments.k_min", f"select min(k) from {sel}", "int")
            k_hi = n.get("segments.k_max", f"select max(k) from {sel}", "int")
        if at_top:
            wider = n.get("segments.caution.wider_k_max",
                          f"select max(k) + {SEGMENT_K_WIDEN_BY} from {sel}", "int")
            found.append(f"The chosen k = {k} is the largest number of segments the search "
                         f"tried (k = {k_lo} … {k_hi}): the indices may prefer more segments "
                         "than were tried, so the search did not find a best k inside its range")
            todo.append(f"widen the search (add `VARS='segment_k_max: {wider}'` to the "
                        "`make build` command: var `segment_k_max`) and see whether k moves")
        elif at_bottom and n.scalar(f"select k = 2 {chosen}"):
            finer = n.get("segments.caution.finer_k", f"select k + 1 {chosen}", "int")
            found.append(f"The chosen k = {k} is the smallest number of segments the search "
                         f"tried (k = {k_lo} … {k_hi}) and the smallest k-means can give: the "
                         "indices prefer the coarsest split, as they do when the customers form "
                         "a continuum rather than distinct groups, so the segments may be two "
                         "ends of one scale (such as spend) more than kinds of customer")
            todo.append(f"compare a finer segmentation (add `SEGMENT_K={finer}` to the `make "
                        "build` command) before acting on the split")
        elif at_bottom:
            lower = n.get("segments.caution.lower_k_min",
                          f"select greatest(2, min(k) - {SEGMENT_K_WIDEN_BY}) from {sel}", "int")
            found.append(f"The chosen k = {k} is the smallest number of segments the search "
                         f"tried (k = {k_lo} … {k_hi}): the indices may prefer fewer segments "
                         "than were tried, so the search did not find a best k inside its range")
            todo.append(f"widen the search (add `VARS='segment_k_min: {lower}'` to the "
                        "`make build` command: var `segment_k_min`) and see whether k moves")
        if not self.unavailable(st) and n.scalar(
                f"select avg(adjusted_rand_index) < {SEGMENT_STABLE_MEAN_ARI} from {st}"):
            mean_ari = n.get("segments.mean_ari", f"select avg(adjusted_rand_index) from {st}",
                             "num2")
            floor = n.get("segments.caution.stable_mean_ari",
                          f"select {SEGMENT_STABLE_MEAN_ARI}", "num2")
            found.append(f"Refits reproduce the segments only in part: their mean adjusted Rand "
                         f"index, {mean_ari}, is below {floor}, where Steinley (2004) puts the "
                         "start of good agreement, so another random state or another sample "
                         "of customers would draw other segments")
            todo.append("pin a number of segments that refits reproduce (add `SEGMENT_K=…` "
                        "to the `make build` command and read the adjusted Rand index above "
                        "again)")
        small = f"from {rel} where customer_share < {SEGMENT_SMALL_CUSTOMER_SHARE}"
        if n.scalar(f"select count(*) {small}"):
            count = n.get("segments.caution.small_segments", f"select count(*) {small}", "int")
            share = n.get("segments.caution.small_share",
                          f"select {SEGMENT_SMALL_CUSTOMER_SHARE}", "pct")
            least = f"{small} order by customer_count, segment_id limit 1"
            name = n.get("segments.caution.smallest_segment", f"select segment_name {least}")
            size = n.get("segments.caution.smallest_segment_customers",
                         f"select customer_count {least}", "int")
            size_share = n.get("segments.caution.smallest_segment_share",
                               f"select customer_share {least}", "pct")
            each = "holds" if n.value_of("segments.caution.small_segments") == 1 else "each hold"
            found.append(f"{count} of the segments {each} under {share} of the segmented "
                         f"customers (the smallest, _{name}_, {size} customers or {size_share}): "
                         "a profile of so few customers is easily an artefact of a few unusual "
                         "ones")
            todo.append("read a segment that small as a handful of customers to look at, not a "
                        "market to plan for")
        if not found:
            return
        d.para("**Caution: treat these segments as tentative.** What the segmentation shows:")
        d.add(*[f"- {text}." for text in found], "")
        d.para("What to do: " + "; ".join(todo) + ". Until then, the names and recommendations "
               "below describe this one fit, not settled groups of customers.")

    def segment_value(self) -> None:
        """The size of the prize per segment: past spend against the lifetime-value models'
        expected next 12 months, and the past spend of customers who have probably stopped."""
        n, d = self.n, self.doc
        rel = "marts.segment_value"
        if self.unavailable(rel):
            return
        columns = [("segment_name", "text"), ("historical_value_share", "pct"),
                   ("predicted_value_share", "pct"), ("predicted_value_per_customer", "money"),
                   ("likely_lapsed_customer_share", "pct"),
                   ("likely_lapsed_historical_value", "money")]
        rows = [n.cells(rel, columns, segment_id=sid) for (sid,) in
                n.rows(f"select segment_id from {rel} order by segment_id")]
        top = n.get("segment_value.top_predicted",
                    f"select segment_name from {rel} order by predicted_value desc, segment_id "
                    "limit 1")
        top_share = n.get("segment_value.top_predicted_share",
                          f"select predicted_value_share from {rel} order by predicted_value "
                          "desc, segment_id limit 1", "pct")
        rising = n.get("segment_value.top_ratio",
                       f"select segment_name from {rel} order by predicted_to_historical_ratio "
                       "desc, segment_id limit 1")
        ratio = n.get("segment_value.top_ratio_value",
                      f"select predicted_to_historical_ratio from {rel} order by "
                      "predicted_to_historical_ratio desc, segment_id limit 1", "num2")
        # A high ratio can be a short past rather than growth: say how long the past is.
        first_bought = ("avg(datediff('day', customers.first_order_date, customers.as_of_date))"
                        " from marts.customers as customers")
        rising_days = n.get(
            "segment_value.top_ratio_history_days",
            f"select {first_bought} join segments.customer_segments as segments using "
            f"(customer_id) where segments.segment_id = (select segment_id from {rel} order by "
            "predicted_to_historical_ratio desc, segment_id limit 1)", "int")
        all_days = n.get("segment_value.history_days", f"select {first_bought}", "int")
        past = (f" (its customers first bought {rising_days} days before the as-of date on "
                f"average, against {all_days} for all customers)"
                if NA not in (rising_days, all_days) else "")
        d.para(f"What each segment is worth next (`{rel}`, from the lifetime-value models): "
               f"_{top}_ is expected to bring the most in the next 12 months ({top_share} of "
               f"the expected total); _{rising}_ is expected to spend {ratio} times its past "
               f"spend in one year, the most against its past{past}. 'Likely lapsed' customers have "
               "more probably stopped buying than not (BG/NBD's P(alive)); their past spend is "
               "what a win-back could recover.")
        d.table(["Segment", "Share of past spend", "Share of expected 12-month value",
                 "Expected per customer", "Share likely lapsed", "Their past spend"], rows)
        self.no_repeat_customers(rel)

    def no_repeat_customers(self, rel: str) -> None:
        """BG/NBD lets a customer drop out only after a repeat purchase, so a customer who
        bought on one day only is 'alive' however long ago: say how many the likely-lapsed
        columns cannot see, where they are a tenth or more of a segment."""
        n, d = self.n, self.doc
        where = "no_repeat_customer_share >= 0.1"
        order = f"from {rel} where {where} order by no_repeat_customer_share desc, segment_id"
        count = n.get("segment_value.no_repeat_segments",
                      f"select count(*) from {rel} where {where}", "int")
        if count in (NA, "0"):
            return
        name = n.get("segment_value.most_no_repeat", f"select segment_name {order} limit 1")
        share = n.get("segment_value.most_no_repeat_share",
                      f"select no_repeat_customer_share {order} limit 1", "pct")
        weeks = n.get("segment_value.most_no_repeat_weeks",
                      f"select no_repeat_mean_weeks_since_purchase {order} limit 1", "int")
        spend = n.get("segment_value.most_no_repeat_value",
                      f"select no_repeat_historical_value {order} limit 1", "money")
        total = n.get("segment_value.no_repeat_share_all",
                      f"select sum(no_repeat_customer_count) / sum(customer_count) from {rel}",
                      "pct")
        text = (f"The likely-lapsed columns cannot see customers who bought on one day only: "
                f"BG/NBD lets a customer stop only after a repeat purchase, so it gives them "
                f"P(alive) = 1 however long ago they bought. {share} of _{name}_ are such "
                f"customers (their one purchase day was {weeks} weeks before the end of the "
                f"models' data on average; past spend {spend}); {total} of all customers "
                f"(`{rel}`, columns `no_repeat_*`).")
        holdout = "marts.lifetime_value_holdout"
        if self.unavailable(holdout):
            text += (" Whether they come back is not measured here: a build with "
                     "`LTV_CALIBRATION_END` checks it on purchases the models did not see.")
        elif n.scalar(f"select count(*) from {holdout} "
                      "where calibration_repeat_purchases = '0'"):
            zero = f"from {holdout} where calibration_repeat_purchases = '0'"
            came = n.get("clv.holdout_no_repeat_returning",
                         f"select returning_customer_count {zero}", "int")
            of = n.get("clv.holdout_no_repeat_customers", f"select customer_count {zero}", "int")
            came_share = n.get("clv.holdout_no_repeat_returning_share",
                               f"select returning_customer_share {zero}", "pct")
            cal_end = n.get("clv.calibration_end",
                            f"select max(calibration_end) from {holdout}", "date")
            text += (f" Checked where the models did not look: of the {of} customers with no "
                     f"repeat purchase by {cal_end}, {came} ({came_share}) bought again after "
                     "it.")
        d.para(text)

    def quality(self) -> None:
        n, d = self.n, self.doc
        d.add("## Data quality", "")
        reason = self.unavailable("marts.row_reconciliation")
        if reason:
            return self.skip("data quality", reason)
        rel = "marts.row_reconciliation"
        rows = []
        for (table,) in n.rows(f"select table_name from {rel} order by table_name"):
            k = {"table_name": table}
            rows.append([
                n.cell(rel, "table_name", "text", **k),
                n.cell(rel, "raw_row_count", "int", **k),
                n.cell(rel, "accepted_row_count", "int", **k),
                n.cell(rel, "rejected_row_count", "int", **k),
                "yes" if n.scalar(f"select is_reconciled from {rel} where {_where(**k)}")
                else "**no**",
            ])
        d.para("Every input row is either accepted or kept in `marts.rejected_rows` with a "
               "reason; raw = accepted + rejected for every table. A row of `orders` is an "
               "order line (an order has one or more), so its counts are lines, not orders:")
        d.table(["Table", "Raw rows", "Accepted", "Rejected", "Reconciled"], rows)
        if not self.unavailable("marts.rejected_rows"):
            rr = "marts.rejected_rows"
            rows = []
            for table, why in n.rows(f"select table_name, rejection_reason from {rr} "
                                     "group by all order by count(*) desc, table_name, "
                                     "rejection_reason"):
                where = _where(table_name=table, rejection_reason=why)
                rows.append([
                    table, why.replace("_", " "),
                    n.get(f"quality.rejected.{table}.{why}",
                          f"select count(*) from {rr} where {where}", "int"),
                    n.get(f"quality.rejected_example.{table}.{why}",
                          _example_sql(rr, where)),
                ])
            d.para("Rejected rows by reason, each with its first row in the file and that "
                   "row's values as read (`source_values`):")
            d.table(["Table", "Reason", "Rows", "First rejected row"], rows)
            self._loosely_matching_customer_ids()
        else:
            d.para("No input row was rejected.")
        if not self.unavailable("marts.quality_flags"):
            qf = "marts.quality_flags"
            rows = []
            for table, flag in n.rows(f"select table_name, quality_flag from {qf} group by all "
                                      "order by count(*) desc, table_name, quality_flag"):
                # customers keep their old keys (quality.flags.<flag>); other tables are named
                key = flag if table == "customers" else f"{table}.{flag}"
                where = _where(table_name=table, quality_flag=flag)
                rows.append([table.replace("_", " "), flag.replace("_", " "),
                             n.get(f"quality.flags.{key}",
                                   f"select count(*) from {qf} where {where}", "int"),
                             n.get(f"quality.flag_example.{key}", _example_sql(qf, where))])
            d.para("Values repaired or flagged but kept (the row stays in the marts), each "
                   "with its first row in the file and that row's values as read:")
            d.table(["Table", "Flag", "Rows", "First flagged row"], rows)

    def _loosely_matching_customer_ids(self) -> None:
        """A sentence per table whose unknown-customer rows would match a customer if the
        files spelled the id alike: marts.rejected_rows names that customer
        (loosely_matching_customer_id), the same column the warn test
        unknown_customer_ids_match_a_customer_loosely reads."""
        rr = "marts.rejected_rows"
        if not self.has_column(rr, "loosely_matching_customer_id"):
            return
        n = self.n
        unknown = "rejection_reason = 'unknown_customer_id'"
        tables = n.rows(f"select distinct table_name from {rr} where {unknown} "
                        "and loosely_matching_customer_id is not null order by table_name")
        for (table,) in tables:
            k = f"{unknown} and {_where(table_name=table)}"
            matched = f"{k} and loosely_matching_customer_id is not null"
            matching = n.get(f"quality.loose_ids.{table}.matching",
                             f"select count(*) from {rr} where {matched}", "int")
            unknown_rows = n.get(f"quality.loose_ids.{table}.unknown",
                                 f"select count(*) from {rr} where {k}", "int")
            rejected = n.get(f"quality.loose_ids.{table}.example_rejected",
                             f"select min(customer_id) from {rr} where {matched}")
            customer = n.get(f"quality.loose_ids.{table}.example_customer",
                             f"select arg_min(loosely_matching_customer_id, customer_id) "
                             f"from {rr} where {matched}")
            self.doc.para(
                f"**Check how the files spell customer ids.** {matching} of the {unknown_rows} "
                f"{table.replace('_', ' ')} rows rejected as unknown customer id would match "
                "a customer if case, leading zeros or a trailing `.0` were ignored (such as "
                f"`{rejected}` for the customer `{customer}`): probably one id that an export "
                "changed, not an unknown customer. Ids are matched exactly, so these rows "
                "stay rejected until the files agree.")

    def data_origin(self) -> str | None:
        """The caveat on where the rows came from (marts.dataset_coverage): the generated demo
        seeds, a public dataset as published, or none for the user's own files."""
        coverage = "marts.dataset_coverage"
        if self.unavailable(coverage) or not self.has_column(coverage, "data_source"):
            return None
        dataset, label, source = self.n.rows(
            f"select dataset, dataset_label, data_source from {coverage} limit 1")[0]
        if source == "demo_seeds":
            return ("- **Generated demo data.** The demo seeds are generated by "
                    "`customer_behavior.generate` with planted behaviour; findings on them "
                    "describe the generator, not a real retailer. Run the project on your own "
                    "data (`make build DATA_DIR=…`) for real conclusions.")
        if dataset != "contract":
            return (f"- **A public dataset, as published.** {label}: findings describe that "
                    "sample, how it was collected and what it leaves out, not your customers. "
                    "Run the project on your own data (`make build DATA_DIR=…`) for "
                    "conclusions about them.")
        return None

    def caveats(self) -> None:
        self.doc.add("## Caveats", "")
        origin = self.data_origin()
        self.doc.add(
            "- **Observational data.** Every comparison here is an association, not a cause: "
            "customers choose their discounts, channels and loyalty membership, and whatever "
            "drives that choice can drive spend too.",
            *([origin] if origin else []),
            "- **Definitions.** Spend is net of discounts; "
            + ("ages, recency and tenure are measured at the data's as-of date"
               if self.has_as_of_date else
               "the data carry no dates, so ages are as the data give them and recency and "
               "tenure are not measured")
            + "; income statistics leave out flagged income outliers.",
            "",
        )
        if self.skipped:
            self.doc.para("Sections skipped for this dataset: " + ", ".join(self.skipped) + ".")

    def segment_trends(self) -> None:
        """Each segment's share of revenue early and late in the data (document 002's
        "purchasing trends over time ... across different segments")."""
        n, d = self.n, self.doc
        d.add("### Segment trends over time (document 002)", "")
        rel = "marts.segment_monthly_sales"
        reason = self.unavailable(rel)
        if reason:
            return self.skip("segment trends", reason + " (it needs order dates)")
        month_count = n.scalar(f"select count(distinct order_month) from {rel}")
        if month_count < 6:
            return self.skip("segment trends", f"`{rel}` holds {month_count} months; comparing "
                             "the first and last months needs at least 6")
        halves = (
            f"with months as (select order_month, row_number() over (order by order_month) "
            f"as month_number, count(*) over () as month_count from (select distinct "
            f"order_month from {rel})), "
            f"halves as (select cells.segment_id, cells.segment_name, cells.revenue, case "
            f"when months.month_number <= months.month_count // 2 then 'early' "
            f"when months.month_number > months.month_count - months.month_count // 2 "
            f"then 'late' end as half from {rel} as cells inner join months "
            f"on cells.order_month = months.order_month), "
            f"shares as (select segment_id, min(segment_name) as segment_name, "
            f"sum(revenue) filter (where half = 'early') / sum(sum(revenue) filter "
            f"(where half = 'early')) over () as early_share, "
            f"sum(revenue) filter (where half = 'late') / sum(sum(revenue) filter "
            f"(where half = 'late')) over () as late_share from halves group by segment_id) "
        )
        gain = f"{halves}select * from shares order by late_share - early_share desc, segment_id limit 1"
        loss = f"{halves}select * from shares order by late_share - early_share, segment_id limit 1"
        half = month_count // 2
        d.para(
            f"`{rel}` follows each segment month by month over the data's "
            f"{n.get('segment_trends.month_count', f'select count(distinct order_month) from {rel}', 'int')}"
            f" months. Comparing the first {half} months with the last {half}: "
            f"_{n.get('segment_trends.gainer', f'select segment_name from ({gain})')}_ went from "
            f"{n.get('segment_trends.gainer_early', f'select early_share from ({gain})', 'pct')} to "
            f"{n.get('segment_trends.gainer_late', f'select late_share from ({gain})', 'pct')} "
            f"of revenue, _{n.get('segment_trends.loser', f'select segment_name from ({loss})')}_ "
            f"from {n.get('segment_trends.loser_early', f'select early_share from ({loss})', 'pct')}"
            f" to {n.get('segment_trends.loser_late', f'select late_share from ({loss})', 'pct')}."
            " The first and last months of the data may be partial, and a segment of recent "
            "arrivals grows by construction: read the shares, not the totals.")
        self.chart("segment_trends")

    def build(self) -> str:
        self.header()
        self.headline()
        self.doc.add("## Questions and answers", "")
        for section in (self.distribution, self.income, self.loyalty, self.region, self.demographics, self.demand,
                        self.channels, self.promotions, self.membership, self.seasons,
                        self.repeat, self.concentration, self.campaigns, self.hypotheses,
                        self.drivers, self.lifetime_value):
            section()
        self.segments()
        self.segment_trends()
        self.quality()
        self.caveats()
        return self.doc.text()


# --------------------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------------------
def _charts_from(charts_dir: Path, warehouse: Path, target: Path) -> list[dict] | None:
    """Reuse charts drawn from the same warehouse: copy them into ``target``."""
    manifest = charts_dir / "charts.json"
    if not manifest.exists():
        return None
    data = json.loads(manifest.read_text())
    if data.get("warehouse") != str(warehouse.resolve()):
        return None
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("*.png"):
        old.unlink()
    entries = data.get("charts", [])
    for entry in entries:
        if entry["status"] == "written":
            shutil.copy2(charts_dir / entry["file"], target / entry["file"])
    shutil.copy2(manifest, target / "charts.json")
    return entries


def build_report(warehouse: Path | str, out_dir: Path | str,
                 charts_dir: Path | str | None = None) -> dict:
    """Write ``report.md``, ``charts/`` and ``report_numbers.json`` into ``out_dir``.

    ``charts_dir``: a folder written by ``customer-behavior charts`` from the same warehouse;
    its PNGs are copied instead of drawn again. Otherwise the charts are drawn into
    ``out_dir/charts``. Returns a summary (paths, counts).
    """
    import duckdb

    warehouse = Path(warehouse)
    if not warehouse.exists():
        raise ValueError(f"warehouse {warehouse} does not exist: build it first (make build)")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    chart_target = out / "charts"
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        entries = _charts_from(Path(charts_dir), warehouse, chart_target) if charts_dir else None
        if entries is None:
            entries = charts_module.render_charts(con, chart_target, placeholders=False)
        report = _Report(con, {e["name"]: e for e in entries})
        text = report.build()
        numbers = report.n.items
    finally:
        con.close()
    (out / "report.md").write_text(text)
    (out / "report_numbers.json").write_text(json.dumps(
        {"generated_by": "customer_behavior.report", "numbers": numbers},
        indent=2, ensure_ascii=False) + "\n")
    written = [e for e in entries if e["status"] == "written"]
    return {
        "report": out / "report.md",
        "numbers": out / "report_numbers.json",
        "number_count": len(numbers),
        "charts_written": len(written),
        "charts_skipped": [e["name"] for e in entries if e["status"] != "written"],
        "sections_skipped": report.skipped,
    }
