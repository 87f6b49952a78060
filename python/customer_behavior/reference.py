"""Reference tables committed as dbt seeds (``seeds/reference``).

They are generated, not typed by hand, so that a test can prove the committed CSVs are what
this module says they are: ``customer-behavior reference --out seeds/reference`` rewrites them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

#: Age groups: the decade bands of source document 000 (21-30 … 51-60, where the published
#: income figures are stated), with open bands at both ends.
AGE_BANDS: list[tuple[str, int, int]] = [
    ("under 21", 0, 20),
    ("21-30", 21, 30),
    ("31-40", 31, 40),
    ("41-50", 41, 50),
    ("51-60", 51, 60),
    ("61-70", 61, 70),
    ("over 70", 71, 120),
]

HOLIDAY_YEARS = range(2015, 2031)


def age_bands() -> pd.DataFrame:
    """One row per age group: order, label and inclusive age bounds."""
    return pd.DataFrame(
        [
            {"age_group_order": i, "age_group": label, "min_age": lo, "max_age": hi}
            for i, (label, lo, hi) in enumerate(AGE_BANDS, start=1)
        ]
    )


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th given weekday (Mon=0) of a month; n=-1 for the last one."""
    if n > 0:
        first = dt.date(year, month, 1)
        offset = (weekday - first.weekday()) % 7
        return first + dt.timedelta(days=offset + 7 * (n - 1))
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _easter(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = (h + l_ - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day)


def holiday_calendar(years: range = HOLIDAY_YEARS) -> pd.DataFrame:
    """One row per holiday and date: the US retail calendar used for the seasonal marts."""
    rows = []
    for y in years:
        thanksgiving = _nth_weekday(y, 11, 3, 4)
        days = {
            "New Year's Day": dt.date(y, 1, 1),
            "Valentine's Day": dt.date(y, 2, 14),
            "Easter Sunday": _easter(y),
            "Mother's Day": _nth_weekday(y, 5, 6, 2),
            "Memorial Day": _nth_weekday(y, 5, 0, -1),
            "Father's Day": _nth_weekday(y, 6, 6, 3),
            "Independence Day": dt.date(y, 7, 4),
            "Labor Day": _nth_weekday(y, 9, 0, 1),
            "Halloween": dt.date(y, 10, 31),
            "Thanksgiving": thanksgiving,
            "Black Friday": thanksgiving + dt.timedelta(days=1),
            "Cyber Monday": thanksgiving + dt.timedelta(days=4),
            "Christmas Eve": dt.date(y, 12, 24),
            "Christmas Day": dt.date(y, 12, 25),
            "New Year's Eve": dt.date(y, 12, 31),
        }
        for name, day in days.items():
            rows.append({"holiday_date": day.isoformat(), "holiday_name": name, "country": "US"})
    return pd.DataFrame(rows).sort_values(["holiday_date", "holiday_name"], ignore_index=True)


def write_reference_seeds(out_dir: Path | str) -> list[Path]:
    """Write age_bands.csv, holiday_calendar.csv and data_dictionary.csv into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = {"age_bands": age_bands(), "holiday_calendar": holiday_calendar(),
              "data_dictionary": data_dictionary()}
    paths = []
    for name, frame in tables.items():
        paths.append(out / f"{name}.csv")
        frame.to_csv(paths[-1], index=False, lineterminator="\n")
    return paths


#: The input contract as a data dictionary (SPEC "Input contract"): one row per column of
#: the three files, in the contract's column order, with what the build expects of a value
#: and what it does with a blank or a bad one. The column list and the required flags are
#: checked against macros/contract.sql by a dbt test, and every reason and flag code against
#: the models that write it by a unit test.
CONTRACT_DICTIONARY: list[dict[str, object]] = [
    # customers
    {"table_name": "customers", "column_name": "customer_id", "is_required": True,
     "expected_format": "text key, unique per row",
     "when_blank": "row rejected",
     "rejection_reasons": "missing_customer_id, duplicate_customer_id",
     "quality_flags": "",
     "description": "The customer's key; orders and campaign responses refer to it. A repeated "
                    "id keeps its first row."},
    {"table_name": "customers", "column_name": "birth_year", "is_required": False,
     "expected_format": "integer year, 1900 to the current year",
     "when_blank": "NULL (age used instead)", "rejection_reasons": "",
     "quality_flags": "unparseable_birth_year, ambiguous_birth_year, impossible_birth_year",
     "description": "Year of birth; age and age group are computed from it at the as-of date."},
    {"table_name": "customers", "column_name": "age", "is_required": False,
     "expected_format": "integer years, 0-120",
     "when_blank": "NULL (age group unknown when birth_year is blank too)",
     "rejection_reasons": "",
     "quality_flags": "unparseable_age, ambiguous_age, impossible_age",
     "description": "Age in years, read when birth_year is not given."},
    {"table_name": "customers", "column_name": "gender", "is_required": False,
     "expected_format": "f / female / woman / w, m / male / man; anything else is other",
     "when_blank": "unknown", "rejection_reasons": "", "quality_flags": "",
     "description": "Gender, normalised to female / male / other / unknown."},
    {"table_name": "customers", "column_name": "marital_status", "is_required": False,
     "expected_format": "single, married, together, divorced, widowed (and synonyms such as "
                        "s, m, 0, 1, cohabiting, separated, widow)",
     "when_blank": "unknown", "rejection_reasons": "", "quality_flags": "unknown_marital_status",
     "description": "Marital status; an unrecognised value becomes unknown and is flagged."},
    {"table_name": "customers", "column_name": "education", "is_required": False,
     "expected_format": "free text", "when_blank": "unknown", "rejection_reasons": "",
     "quality_flags": "", "description": "Education level as given, lower-cased."},
    {"table_name": "customers", "column_name": "occupation", "is_required": False,
     "expected_format": "free text", "when_blank": "unknown", "rejection_reasons": "",
     "quality_flags": "", "description": "Occupation or industry as given, lower-cased."},
    {"table_name": "customers", "column_name": "annual_income", "is_required": False,
     "expected_format": "amount of money, >= 0 (currency signs, common ISO currency codes "
                        "such as USD or EUR, thousands separators and decimal commas are "
                        "read; other words make it unparseable; 1.234 or 1,234 where the "
                        "file does not show which separator is decimal is ambiguous: var "
                        "number_style)",
     "when_blank": "NULL", "rejection_reasons": "",
     "quality_flags": "unparseable_income, ambiguous_income, negative_income",
     "description": "Annual income; an extreme value is kept and marked is_income_outlier."},
    {"table_name": "customers", "column_name": "kids_at_home", "is_required": False,
     "expected_format": "integer >= 0", "when_blank": "NULL", "rejection_reasons": "",
     "quality_flags": "unparseable_kids_at_home, ambiguous_kids_at_home, "
                      "negative_household_count",
     "description": "Small children in the household."},
    {"table_name": "customers", "column_name": "teens_at_home", "is_required": False,
     "expected_format": "integer >= 0", "when_blank": "NULL", "rejection_reasons": "",
     "quality_flags": "unparseable_teens_at_home, ambiguous_teens_at_home, "
                      "negative_household_count",
     "description": "Teenagers in the household."},
    {"table_name": "customers", "column_name": "region", "is_required": False,
     "expected_format": "free text", "when_blank": "unknown", "rejection_reasons": "",
     "quality_flags": "", "description": "Sales region or zone, lower-cased."},
    {"table_name": "customers", "column_name": "state", "is_required": False,
     "expected_format": "free text", "when_blank": "unknown", "rejection_reasons": "",
     "quality_flags": "", "description": "State or province, lower-cased."},
    {"table_name": "customers", "column_name": "country", "is_required": False,
     "expected_format": "free text", "when_blank": "unknown", "rejection_reasons": "",
     "quality_flags": "", "description": "Country, lower-cased."},
    {"table_name": "customers", "column_name": "signup_date", "is_required": False,
     "expected_format": "date: YYYY-MM-DD (time allowed), YYYYMMDD, DD/MM/YYYY, DD-MM-YYYY, "
                        "DD.MM.YYYY (MM/DD/YYYY with var date_order: month_first), short "
                        "dates with a two-digit year (5/1/24, 05.01.24, 05-JAN-24; 69-99 are "
                        "1969-1999) or with an English month name (Jan 5, 2024; 5 January "
                        "2024); not in the future, "
                        "not before var earliest_plausible_date",
     "when_blank": "NULL", "rejection_reasons": "",
     "quality_flags": "unparseable_signup_date, future_signup_date, implausible_signup_date",
     "description": "First relationship date; tenure is measured from it."},
    {"table_name": "customers", "column_name": "is_loyalty_member", "is_required": False,
     "expected_format": "true / false, yes / no, y / n, t / f, 1 / 0, member / non-member",
     "when_blank": "NULL", "rejection_reasons": "",
     "quality_flags": "unparseable_loyalty_member",
     "description": "Whether the customer is in the loyalty programme."},
    {"table_name": "customers", "column_name": "loyalty_score", "is_required": False,
     "expected_format": "number from 1 to 10", "when_blank": "NULL", "rejection_reasons": "",
     "quality_flags": "unparseable_loyalty_score, ambiguous_loyalty_score, "
                      "loyalty_score_out_of_range",
     "description": "Loyalty score on the 1-10 scale."},
    # orders: one row per order line
    {"table_name": "orders", "column_name": "order_id", "is_required": True,
     "expected_format": "text key; an order has one or more lines, all of one customer",
     "when_blank": "row rejected",
     "rejection_reasons": "missing_order_id, conflicting_order_customer, duplicate_order_line",
     "quality_flags": "",
     "description": "The order's key. A line that repeats another line of the order exactly is "
                    "rejected as a duplicate."},
    {"table_name": "orders", "column_name": "customer_id", "is_required": True,
     "expected_format": "a customer_id of the customers file",
     "when_blank": "row rejected",
     "rejection_reasons": "missing_customer_id, unknown_customer_id", "quality_flags": "",
     "description": "Who placed the order."},
    {"table_name": "orders", "column_name": "order_date", "is_required": True,
     "expected_format": "date, as signup_date; not in the future, not before var "
                        "earliest_plausible_date",
     "when_blank": "row rejected",
     "rejection_reasons": "missing_order_date, unparseable_order_date, future_order_date, "
                          "implausible_order_date",
     "quality_flags": "", "description": "When the order was placed."},
    {"table_name": "orders", "column_name": "channel", "is_required": False,
     "expected_format": "free text (web, catalog, store, app ...)", "when_blank": "unknown",
     "rejection_reasons": "", "quality_flags": "",
     "description": "Sales channel, lower-cased."},
    {"table_name": "orders", "column_name": "product_id", "is_required": False,
     "expected_format": "text key", "when_blank": "NULL", "rejection_reasons": "",
     "quality_flags": "", "description": "The product; product demand marts need it."},
    {"table_name": "orders", "column_name": "product_category", "is_required": True,
     "expected_format": "free text", "when_blank": "row rejected",
     "rejection_reasons": "missing_product_category", "quality_flags": "",
     "description": "Product category, lower-cased."},
    {"table_name": "orders", "column_name": "quantity", "is_required": False,
     "expected_format": "integer > 0", "when_blank": "1",
     "rejection_reasons": "unparseable_quantity, ambiguous_quantity, non_positive_quantity",
     "quality_flags": "",
     "description": "Units on the line."},
    {"table_name": "orders", "column_name": "amount", "is_required": True,
     "expected_format": "amount of money, >= 0, as annual_income", "when_blank": "row rejected",
     "rejection_reasons": "missing_amount, unparseable_amount, ambiguous_amount, negative_amount",
     "quality_flags": "",
     "description": "Net amount paid for the line, after any discount."},
    {"table_name": "orders", "column_name": "discount_amount", "is_required": False,
     "expected_format": "amount of money, >= 0", "when_blank": "0",
     "rejection_reasons": "unparseable_discount_amount, ambiguous_discount_amount, "
                          "negative_discount_amount",
     "quality_flags": "", "description": "Discount granted on the line."},
    {"table_name": "orders", "column_name": "promo_code", "is_required": False,
     "expected_format": "free text", "when_blank": "NULL", "rejection_reasons": "",
     "quality_flags": "", "description": "Promotion code used, if any."},
    # campaign_responses (the whole file is optional)
    {"table_name": "campaign_responses", "column_name": "customer_id", "is_required": True,
     "expected_format": "a customer_id of the customers file", "when_blank": "row rejected",
     "rejection_reasons": "missing_customer_id, unknown_customer_id, "
                          "duplicate_campaign_response",
     "quality_flags": "",
     "description": "Who received the campaign; one row per customer and campaign."},
    {"table_name": "campaign_responses", "column_name": "campaign_id", "is_required": True,
     "expected_format": "text key", "when_blank": "row rejected",
     "rejection_reasons": "missing_campaign_id", "quality_flags": "",
     "description": "The campaign."},
    {"table_name": "campaign_responses", "column_name": "accepted", "is_required": True,
     "expected_format": "true / false, as is_loyalty_member", "when_blank": "row rejected",
     "rejection_reasons": "unparseable_accepted", "quality_flags": "",
     "description": "Whether the customer accepted the offer."},
    {"table_name": "campaign_responses", "column_name": "sent_date", "is_required": False,
     "expected_format": "date, as signup_date", "when_blank": "NULL", "rejection_reasons": "",
     "quality_flags": "unparseable_sent_date, implausible_sent_date",
     "description": "When the campaign was sent; a bad date is set to NULL and the response "
                    "still counts."},
]


def data_dictionary() -> pd.DataFrame:
    """One row per input-contract column: order in its file, requirement, expected values and
    what happens to a blank or bad value (the codes of marts.rejected_rows and
    marts.quality_flags)."""
    frame = pd.DataFrame(CONTRACT_DICTIONARY)
    frame.insert(1, "column_order", frame.groupby("table_name", sort=False).cumcount() + 1)
    return frame


if __name__ == "__main__":  # python -m customer_behavior.reference [seeds/reference]
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m customer_behavior.reference",
        description="Write the reference seeds (age bands, holiday calendar, data dictionary).")
    parser.add_argument("folder", nargs="?", default="seeds/reference",
                        help="where to write them (default: seeds/reference)")
    for written in write_reference_seeds(parser.parse_args().folder):
        print(f"wrote {written}")
