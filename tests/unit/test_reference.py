from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from customer_behavior import reference

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "reference"


def test_committed_reference_seeds_are_what_the_module_writes(tmp_path):
    for path in reference.write_reference_seeds(tmp_path):
        assert path.read_bytes() == (SEEDS / path.name).read_bytes(), path.name


def test_age_bands_cover_every_age_once():
    bands = reference.age_bands()
    covered = [a for lo, hi in zip(bands.min_age, bands.max_age) for a in range(lo, hi + 1)]
    assert covered == list(range(121))
    # the bands source document 000 publishes figures for
    assert {"21-30", "31-40", "41-50", "51-60"} <= set(bands.age_group)


def test_holiday_dates_are_right():
    cal = reference.holiday_calendar(range(2023, 2025)).set_index(["holiday_name", "holiday_date"])
    for name, day in [
        ("Thanksgiving", "2023-11-23"), ("Thanksgiving", "2024-11-28"),
        ("Black Friday", "2024-11-29"), ("Cyber Monday", "2024-12-02"),
        ("Easter Sunday", "2024-03-31"), ("Easter Sunday", "2023-04-09"),
        ("Memorial Day", "2024-05-27"), ("Mother's Day", "2024-05-12"),
        ("Labor Day", "2023-09-04"),
    ]:
        assert (name, day) in cal.index, (name, day)


def test_holiday_calendar_is_sorted_and_unique():
    cal = reference.holiday_calendar()
    assert not cal.duplicated(["holiday_date", "holiday_name"]).any()
    assert list(cal.holiday_date) == sorted(cal.holiday_date)
    assert pd.to_datetime(cal.holiday_date).dt.year.min() == min(reference.HOLIDAY_YEARS)
    assert dt.date.fromisoformat(cal.holiday_date.iloc[-1]).year == max(reference.HOLIDAY_YEARS)


MODELS = Path(__file__).resolve().parents[2] / "models"
#: Where the contract's rows get their reason and flag codes: staging (one row at a time)
#: and the intermediate checks across rows (duplicates, unknown customers, order owners).
CODE_WRITERS = {
    "customers": ["staging/contract/stg_contract__customers.sql",
                  "intermediate/int_customers_checked.sql"],
    "orders": ["staging/contract/stg_contract__orders.sql",
               "intermediate/int_order_line_rejections.sql"],
    "campaign_responses": ["staging/contract/stg_contract__campaign_responses.sql",
                           "intermediate/int_campaign_responses_checked.sql"],
}


def _codes_written(sql: str) -> set[str]:
    """Reason and flag codes a model writes: the second item of a first_reason check
    (`('amount < 0', 'negative_amount')`), `then '<code>'` and `'<code>' as rejection_reason`."""
    patterns = [r",\s*'([a-z_]+)'\),?\s*$", r"then '([a-z_]+)'",
                r"'([a-z_]+)' as rejection_reason"]
    return {code for p in patterns for code in re.findall(p, sql, flags=re.MULTILINE)}


def test_data_dictionary_names_every_code_the_contract_models_write():
    """Each table's rejection reasons and quality flags in the data dictionary are exactly the
    codes its staging and intermediate checks write, so a new check cannot go undocumented
    and the dictionary cannot promise a code nothing writes."""
    dictionary = reference.data_dictionary()
    for table, paths in CODE_WRITERS.items():
        written = set().union(*(_codes_written((MODELS / p).read_text()) for p in paths))
        rows = dictionary[dictionary.table_name == table]
        listed = {code.strip() for cell in pd.concat([rows.rejection_reasons, rows.quality_flags])
                  for code in cell.split(",") if code.strip()}
        assert listed == written, (table, sorted(listed - written), sorted(written - listed))


def test_data_dictionary_orders_columns_within_each_table():
    dictionary = reference.data_dictionary()
    for _, rows in dictionary.groupby("table_name"):
        assert list(rows.column_order) == list(range(1, len(rows) + 1))
    assert dictionary.is_required.map(type).eq(bool).all()
