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
    """Write age_bands.csv and holiday_calendar.csv into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "age_bands.csv", out / "holiday_calendar.csv"]
    age_bands().to_csv(paths[0], index=False, lineterminator="\n")
    holiday_calendar().to_csv(paths[1], index=False, lineterminator="\n")
    return paths
