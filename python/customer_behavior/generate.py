"""Synthetic, contract-shaped retail data with planted, measurable behaviour.

``generate()`` writes the three raw tables of the input contract -- ``customers``,
``orders`` (one row per order line) and ``campaign_responses`` -- as CSV or Parquet,
for any number of customers, deterministically from a seed and in bounded memory.

How it is built
---------------
* Customers are generated in fixed *blocks* of ``BLOCK_CUSTOMERS`` customers. Every
  block draws all of its numbers from its own generator,
  ``np.random.default_rng([seed, stream, block_index])``, so the output depends only on
  ``seed`` and the arguments -- never on ``chunk_customers`` (how many blocks are
  written per chunk) or on the machine's memory. Same seed + same arguments give
  byte-identical files (on the same platform and numpy version).
* A *chunk* (``chunk_customers``, rounded up to whole blocks) is concatenated and
  streamed out: ``pyarrow.parquet.ParquetWriter`` for Parquet, an appending
  ``pyarrow.csv.CSVWriter`` for CSV. Memory is bounded by the chunk size
  (~1.2 GB peak RSS for 200,000 customers at 20 lines each), not by the data size.
* Everything is vectorised numpy; strings are only built by pyarrow compute kernels.
* Dirty rows (``dirty_rate > 0``) come from a separate random stream, so the clean part
  of a dirty run is the same data as a clean run with the same seed.

Planted behaviour (the numbers live in ``PLANTED``, which the generator itself reads)
-----------------------------------------------------------------------------------
Four latent groups (written to ``customer_groups_truth.csv`` only with
``write_truth=True``; that file is not part of the contract). They are planted to be
clearly distinct in the project's segmentation features (recency, frequency, spend, basket
value, income, age, children, channel and category spend shares): each group has its own
dominant channel (~70 % of its spend), its own signature category, its own age band and
income level, and little within-group noise, so the segmentation step, unpinned, finds
k = 4 and recovers the groups (adjusted Rand index > 0.8; see the tests).

1. ``affluent_connoisseurs`` (20 %): age 45-70, income ~95k +- 9k, no children at home,
   high basket value (big unit prices, mean 2.7 lines per order), wine ~44 % and meat
   ~28 % of spend (gold ~12 % of lines), **catalog** ~74 % of spend (store ~18 %), 60 %
   loyalty members, 10 % of orders discounted, order rate 0.95x, campaign acceptance
   high (28 %).
2. ``budget_families`` (35 %): age 30-46, income ~46k +- 6k, 1-3 kids, 0-2 teens,
   **web** ~67 % of spend (app ~16 %), small baskets (basket scale 0.8), 40 % of orders
   discounted, **meat** ~53 % of spend plus fruits and sweets, 35 % members, the most
   orders (order rate 1.0x), campaign acceptance 10 %.
3. ``young_frugal`` (25 %): age 18-27, income ~27k +- 4k, no kids or teens, the fewest
   orders (order rate 0.5x), cheap baskets (mean 2.0 lines; ~77 % of their lines are
   **sweets and fruits**), **app** ~72 % of spend, 20 % members, campaign acceptance low
   (4 %). They buy so rarely that their last order is ~5 months before the as-of date.
4. ``new_loyalists`` (20 %): signed up between 2024-05-01 and 2024-11-30 (the last 8
   months before the as-of date 2024-12-31), so recent (last order ~3-4 weeks ago) with
   few orders in total but a high order rate (2.8x); age 28-50, income ~62k +- 7k, 0-1
   kids (15 % have one), no teens, 90 % members, mid spend, **store** ~73 % of spend,
   **fish** (~34 % of lines, ~27 % of spend, more than any other group), campaign
   acceptance 24 %.

Customer-level channel and category preferences are Dirichlet draws (concentration 80)
around the group's mix, so customers vary a little inside a group; ``category_mix``
weights are line-level preferences (categories are drawn without replacement per
order), not spend shares -- cheap categories (fruits, sweets) take a much smaller share of
spend than of lines. Spend shares quoted above are measured on 5,000 customers, seed 7.

Global effects on top of the groups:

* **Older customers earn more**: income = group mean + 600 per year of age around the
  group's centre age + noise (so income rises with age inside every group as well).
* **Income drives spend**: unit prices scale with ``(income / 50,000) ** 0.8``.
* **Loyalty goes with spend**: ``loyalty_score = clip(5.5 + 1.5 * z + 0.5 * member +
  N(0, 1.9), 1, 10)`` where ``z`` is the standardised log of the customer's expected
  total spend (Spearman with realised total spend ~0.55).
* **Regions differ in purchase frequency**: order-rate multiplier North 1.25, West 1.10,
  East 1.00, Central 0.90, South 0.80.
* **Each child lowers spend**: basket-value multiplier ``0.85 ** (kids + teens)``.
* **Wine and meat lead total spend** (~36 % and ~32 %); gold has the highest unit
  price but is rarely bought (~5 % of lines).
* **Catalog buyers are worth more**: catalog lines cost x1.3.
* **Discounts raise volume**: discounted lines have 1.3x the mean quantity; discount
  depth 10 / 20 / 30 % (codes SAVE10 / SAVE20 / SAVE30, 50 / 30 / 20 % of promos);
  ``amount`` is net of ``discount_amount``.
* **Loyalty members spend ~15 % more per order** (basket multiplier 1.15).
* **Over-50s buy less often**: order-rate multiplier 0.75 for age > 50.
* **Seasonality**: monthly order weights with a summer dip (July 0.72) and a Nov-Dec
  peak, x1.6 in Black Friday week (Tue-Mon around Black Friday) and x1.5 in the week
  before Christmas (18-24 Dec); Christmas Day x0.3. Nov-Dec get ~1.45x the daily order
  weight of the rest of the year, and ~1.75x the daily orders, because the active
  customer base grows through the window (sign-ups, new loyalists).
* **Campaign acceptance varies by group** (see above), x0.8-1.2 per campaign.

Customers only churn when asked to (``dropout`` > 0): a customer then stops buying after
each repeat purchase with a chance p drawn per customer from Beta(a, b) with mean
``dropout`` and a + b = ``DROPOUT_CONCENTRATION`` (BG/NBD's dropout process), and the order
rate is recalibrated to keep the mean orders per customer. The demo preset plants 0.05; the
other presets and the default plant none.

Holidays lift every category alike (the order weights above) unless asked otherwise:
``holiday_category_multiplier={"sweets": 3.0}`` multiplies the units (and so the amount) of
every line of those categories dated on a holiday of the project's holiday calendar
(``reference.holiday_calendar``, the ``holiday_calendar`` seed), for a known answer to "which
categories do holidays lift" (``marts.category_holiday_demand``). Which orders and lines exist
does not change, only those lines' quantities, and no random number is drawn for it: without
the option (the presets, the committed demo) the data are exactly those of earlier versions.

Every customer has at least one order (``1 + Poisson(mu - 1)``, ``mu`` the expected
number of orders in the customer's active window), orders fall between
``max(signup_date, 2023-01-01)`` and 2024-12-31, an order has 1-4 lines in distinct
categories, and all lines of an order share customer, date, channel and promo code.
The mean number of orders per customer is calibrated to ``orders_per_customer``.

Dirty mode
----------
With ``dirty_rate > 0`` roughly that fraction of rows of ``orders`` and ``customers``
is made bad (each bad row has exactly one problem) and the exact count per
``"table.reason"`` is returned:

* orders: ``negative_amount`` (amount negated), ``unknown_customer_id`` (an id that is
  not in customers), ``invalid_order_date`` (CSV: an unparseable text such as
  ``2024-13-45``; Parquet cannot store that in a date column, so the date is null),
  ``zero_quantity``, ``duplicate_line`` (an exact copy of a line, written right after
  it; the count is the number of extra rows).
* customers: ``impossible_age`` (age 150 / birth year 1874, or birth year 1850 / age
  174), ``invalid_marital_status`` ("YOLO" / "Absurd"), ``income_outlier`` (666666).

Dirty mode also spells a few genders as "F" / "M" / "Other"; those rows are valid (staging
normalises them) and are counted separately under ``"variants"``. Each reason appears
at least once when ``dirty_rate > 0`` (the first block guarantees it).
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

__all__ = ["BLOCK_CUSTOMERS", "PLANTED", "SIZES", "TABLES", "generate"]

# ---------------------------------------------------------------------------
# Planted behaviour: the single source of truth for every parameter below.
# ---------------------------------------------------------------------------

AS_OF_DATE = date(2024, 12, 31)
ORDER_START_DATE = date(2023, 1, 1)

GROUPS = ("affluent_connoisseurs", "budget_families", "young_frugal", "new_loyalists")
CHANNELS = ("web", "catalog", "store", "app")
CATEGORIES = ("wine", "meat", "fish", "fruits", "sweets", "gold")
REGIONS = ("North", "South", "East", "West", "Central")
STATES = {
    "North": ("MI", "MN", "WI", "ND"),
    "South": ("TX", "FL", "GA", "NC"),
    "East": ("NY", "PA", "MA", "NJ"),
    "West": ("CA", "WA", "OR", "CO"),
    "Central": ("IL", "OH", "MO", "KS"),
}
MARITAL = ("single", "married", "together", "divorced", "widowed")
EDUCATION = ("basic", "high school", "graduate", "master", "phd")
OCCUPATIONS = (
    "professional",
    "manager",
    "self-employed",
    "skilled trade",
    "service",
    "clerical",
    "student",
    "retired",
)
CAMPAIGNS = ("CMP1", "CMP2", "CMP3", "CMP4", "CMP5")
PRODUCTS_PER_CATEGORY = 20

PLANTED: dict = {
    "as_of_date": AS_OF_DATE.isoformat(),
    "order_window": (ORDER_START_DATE.isoformat(), AS_OF_DATE.isoformat()),
    "groups": {
        "affluent_connoisseurs": {
            "share": 0.20,
            "age_range": (45, 70),
            "income_mean": 95_000,
            "income_sd": 9_000,
            "income_centre_age": 57,
            "kids_at_home": {0: 1.0},
            "teens_at_home": {0: 1.0},
            "signup_range": ("2013-01-01", "2023-12-31"),
            "loyalty_member_rate": 0.60,
            "order_rate": 0.95,
            "basket_scale": 1.1,
            "lines_per_order": {1: 0.15, 2: 0.25, 3: 0.35, 4: 0.25},
            "promo_rate": 0.10,
            "channel_mix": {"web": 0.07, "catalog": 0.68, "store": 0.22, "app": 0.03},
            "category_mix": {
                "wine": 0.52,
                "meat": 0.28,
                "fish": 0.08,
                "fruits": 0.05,
                "sweets": 0.03,
                "gold": 0.07,
            },
            "campaign_accept_rate": 0.28,
            "marital_status": {
                "single": 0.07,
                "married": 0.55,
                "together": 0.15,
                "divorced": 0.15,
                "widowed": 0.08,
            },
            "education": {
                "basic": 0.02,
                "high school": 0.10,
                "graduate": 0.40,
                "master": 0.30,
                "phd": 0.18,
            },
            "occupation": {
                "professional": 0.35,
                "manager": 0.30,
                "self-employed": 0.15,
                "skilled trade": 0.03,
                "service": 0.02,
                "clerical": 0.03,
                "student": 0.0,
                "retired": 0.12,
            },
        },
        "budget_families": {
            "share": 0.35,
            "age_range": (30, 46),
            "income_mean": 46_000,
            "income_sd": 6_000,
            "income_centre_age": 38,
            "kids_at_home": {1: 0.40, 2: 0.40, 3: 0.20},
            "teens_at_home": {0: 0.50, 1: 0.35, 2: 0.15},
            "signup_range": ("2013-01-01", "2023-12-31"),
            "loyalty_member_rate": 0.35,
            "order_rate": 1.0,
            "basket_scale": 0.8,
            "lines_per_order": {1: 0.40, 2: 0.30, 3: 0.20, 4: 0.10},
            "promo_rate": 0.40,
            "channel_mix": {"web": 0.68, "catalog": 0.03, "store": 0.13, "app": 0.16},
            "category_mix": {
                "wine": 0.06,
                "meat": 0.45,
                "fish": 0.06,
                "fruits": 0.24,
                "sweets": 0.18,
                "gold": 0.01,
            },
            "campaign_accept_rate": 0.10,
            "marital_status": {
                "single": 0.05,
                "married": 0.60,
                "together": 0.25,
                "divorced": 0.10,
                "widowed": 0.0,
            },
            "education": {
                "basic": 0.08,
                "high school": 0.40,
                "graduate": 0.40,
                "master": 0.10,
                "phd": 0.02,
            },
            "occupation": {
                "professional": 0.15,
                "manager": 0.10,
                "self-employed": 0.08,
                "skilled trade": 0.30,
                "service": 0.20,
                "clerical": 0.17,
                "student": 0.0,
                "retired": 0.0,
            },
        },
        "young_frugal": {
            "share": 0.25,
            "age_range": (18, 27),
            "income_mean": 27_000,
            "income_sd": 4_000,
            "income_centre_age": 22,
            "kids_at_home": {0: 1.0},
            "teens_at_home": {0: 1.0},
            "signup_range": ("2013-01-01", "2023-12-31"),
            "loyalty_member_rate": 0.20,
            "order_rate": 0.5,
            "basket_scale": 0.95,
            "lines_per_order": {1: 0.30, 2: 0.45, 3: 0.20, 4: 0.05},
            "promo_rate": 0.25,
            "channel_mix": {"web": 0.18, "catalog": 0.02, "store": 0.08, "app": 0.72},
            "category_mix": {
                "wine": 0.02,
                "meat": 0.04,
                "fish": 0.02,
                "fruits": 0.38,
                "sweets": 0.51,
                "gold": 0.03,
            },
            "campaign_accept_rate": 0.04,
            "marital_status": {
                "single": 0.70,
                "married": 0.05,
                "together": 0.25,
                "divorced": 0.0,
                "widowed": 0.0,
            },
            "education": {
                "basic": 0.10,
                "high school": 0.50,
                "graduate": 0.35,
                "master": 0.05,
                "phd": 0.0,
            },
            "occupation": {
                "professional": 0.10,
                "manager": 0.02,
                "self-employed": 0.03,
                "skilled trade": 0.15,
                "service": 0.30,
                "clerical": 0.15,
                "student": 0.25,
                "retired": 0.0,
            },
        },
        "new_loyalists": {
            "share": 0.20,
            "age_range": (28, 50),
            "income_mean": 62_000,
            "income_sd": 7_000,
            "income_centre_age": 39,
            "kids_at_home": {0: 0.85, 1: 0.15},
            "teens_at_home": {0: 1.0},
            "signup_range": ("2024-05-01", "2024-11-30"),
            "loyalty_member_rate": 0.90,
            "order_rate": 2.8,
            "basket_scale": 1.0,
            "lines_per_order": {1: 0.35, 2: 0.30, 3: 0.20, 4: 0.15},
            "promo_rate": 0.20,
            "channel_mix": {"web": 0.18, "catalog": 0.03, "store": 0.72, "app": 0.07},
            "category_mix": {
                "wine": 0.10,
                "meat": 0.16,
                "fish": 0.48,
                "fruits": 0.14,
                "sweets": 0.10,
                "gold": 0.02,
            },
            "campaign_accept_rate": 0.24,
            "marital_status": {
                "single": 0.25,
                "married": 0.40,
                "together": 0.20,
                "divorced": 0.12,
                "widowed": 0.03,
            },
            "education": {
                "basic": 0.03,
                "high school": 0.25,
                "graduate": 0.45,
                "master": 0.20,
                "phd": 0.07,
            },
            "occupation": {
                "professional": 0.30,
                "manager": 0.20,
                "self-employed": 0.10,
                "skilled trade": 0.15,
                "service": 0.10,
                "clerical": 0.15,
                "student": 0.0,
                "retired": 0.0,
            },
        },
    },
    # customer-level preferences are Dirichlet draws around the group mix
    "preference_concentration": {"channel": 80.0, "category": 80.0},
    "female_share": 0.52,
    "retired_min_age": 58,
    "income_per_year_of_age": 600,
    "income_min": 8_000,
    "income_missing_rate": 0.01,
    "income_spend_elasticity": 0.8,
    "income_spend_reference": 50_000,
    "region_share": {"North": 0.20, "South": 0.22, "East": 0.22, "West": 0.20, "Central": 0.16},
    "state_weights": (0.4, 0.3, 0.2, 0.1),
    "region_order_rate": {
        "North": 1.25,
        "West": 1.10,
        "East": 1.00,
        "Central": 0.90,
        "South": 0.80,
    },
    "over_50_order_rate": 0.75,
    "order_rate_noise_sd": 0.20,  # log-normal, per customer
    "basket_noise_sd": 0.12,  # log-normal, per customer
    "line_price_noise_sd": 0.15,  # log-normal, per line
    "child_basket_multiplier": 0.85,  # ** (kids_at_home + teens_at_home)
    "loyalty_member_basket_multiplier": 1.15,
    "catalog_amount_multiplier": 1.30,
    "discount_quantity_multiplier": 1.30,
    "discount_depths": {10: 0.5, 20: 0.3, 30: 0.2},  # percent off: share of promos
    "category_unit_price": {
        "wine": 34.0,
        "meat": 24.0,
        "fish": 15.0,
        "fruits": 6.0,
        "sweets": 5.5,
        "gold": 48.0,
    },
    "category_mean_quantity": {
        "wine": 1.6,
        "meat": 1.7,
        "fish": 1.4,
        "fruits": 2.0,
        "sweets": 1.8,
        "gold": 1.05,
    },
    "product_popularity_exponent": 1.1,  # Zipf weights 1 / rank ** s within a category
    "product_price_sd": 0.25,  # log-normal product price level
    "loyalty_score": {
        "intercept": 5.5,
        "per_sd_log_spend": 1.5,
        "member_bonus": 0.5,
        "noise_sd": 1.9,
        "range": (1.0, 10.0),
    },
    "monthly_order_weight": {
        1: 0.85,
        2: 0.82,
        3: 0.92,
        4: 0.95,
        5: 0.95,
        6: 0.80,
        7: 0.72,
        8: 0.78,
        9: 0.95,
        10: 1.00,
        11: 1.06,
        12: 1.09,
    },
    "holiday_spikes": {
        "black_friday_week": {"multiplier": 1.6, "days": "Black Friday -3 .. +3"},
        "week_before_christmas": {"multiplier": 1.5, "days": "Dec 18 .. Dec 24"},
        "christmas_day": {"multiplier": 0.3, "days": "Dec 25"},
    },
    "campaigns": {
        "CMP1": ("2023-03-15", 0.8),
        "CMP2": ("2023-06-15", 1.0),
        "CMP3": ("2023-10-01", 1.1),
        "CMP4": ("2024-04-15", 0.9),
        "CMP5": ("2024-10-15", 1.2),
    },  # sent date, acceptance multiplier
    "campaign_send_rate": 0.6,  # per campaign, to customers signed up by the sent date
}

# What each planted effect looks like in the output (measured on 5,000 customers, seed 7;
# tests/unit/test_generate.py checks every one).
PLANTED["effects"] = {
    "groups": "four latent groups (shares 20/35/25/20 %), each with its own dominant channel "
    "(~70 % of spend: catalog / web / app / store), signature category, age band and income "
    "level: the segmentation step (select_k -> choose_k), unpinned, picks k = 4 and "
    "recovers them (adjusted Rand index ~0.9)",
    "income_rises_with_age": "income = group mean + 600 x (age - group centre age) + noise: "
    "mean income rises across age bands 18-30 .. 61-70 and with age inside every group",
    "income_drives_spend": "unit prices x (income / 50,000) ** 0.8: income is the strongest "
    "single predictor of total spend (Pearson ~0.7)",
    "loyalty_goes_with_spend": "loyalty_score = clip(5.5 + 1.5 z + 0.5 member + N(0, 1.9), "
    "1, 10) with z the standardised log expected spend: Spearman with total spend ~0.55",
    "region_purchase_frequency": "order rate x North 1.25, West 1.10, East 1.00, "
    "Central 0.90, South 0.80",
    "children_lower_spend": "basket value x 0.85 ** (kids_at_home + teens_at_home)",
    "wine_and_meat_lead_spend": "wine ~36 % and meat ~32 % of spend; gold has the highest "
    "unit price but ~5 % of lines",
    "catalog_worth_more": "catalog lines x1.3 amount (same customer and category)",
    "discounts_raise_volume": "discounted lines x1.3 mean quantity; 10 / 20 / 30 % off; "
    "amount is net of discount_amount",
    "members_spend_more": "loyalty members' baskets x1.15 inside each group (overall ~1.9x, "
    "as members concentrate in the richer groups)",
    "over_50s_buy_less_often": "order rate x0.75 for age > 50",
    "seasonality": "Nov-Dec ~1.75x the daily orders of the rest of the year; spikes in Black "
    "Friday week and 18-24 Dec; summer dip",
    "campaign_response_by_group": "acceptance affluent 28 %, new loyalists 24 %, budget "
    "families 10 %, young frugal 4 % (x0.8-1.2 per campaign)",
}

TABLES = ("customers", "orders", "campaign_responses")
TRUTH_FILE = "customer_groups_truth.csv"
BLOCK_CUSTOMERS = 1_000  # unit of randomness; chunks are whole numbers of blocks

# ~20 order lines per customer for the benchmark sizes (mean ~2.2 lines per order)
_BENCH_ORDERS_PER_CUSTOMER = 9.2
SIZES: dict[str, dict] = {
    "demo": {
        "n_customers": 2_500,
        "orders_per_customer": 8.0,
        "dirty_rate": 0.002,
        "dropout": 0.05,
        "description": "committed demo seeds: 2,500 customers, ~43k order lines, a few bad "
        "rows, some customers who stop buying",
    },
    "100k": {
        "n_customers": 100_000,
        "orders_per_customer": _BENCH_ORDERS_PER_CUSTOMER,
        "dirty_rate": 0.0,
        "description": "100,000 customers, ~2 M order lines",
    },
    "1m": {
        "n_customers": 1_000_000,
        "orders_per_customer": _BENCH_ORDERS_PER_CUSTOMER,
        "dirty_rate": 0.0,
        "description": "1,000,000 customers, ~20 M order lines (benchmark target)",
    },
    "100m-lines": {
        "n_customers": 5_000_000,
        "orders_per_customer": _BENCH_ORDERS_PER_CUSTOMER,
        "dirty_rate": 0.0,
        "description": "5,000,000 customers, ~100 M order lines (spill test)",
    },
}

ORDER_REASONS = (
    "negative_amount",
    "unknown_customer_id",
    "invalid_order_date",
    "zero_quantity",
    "duplicate_line",
)
CUSTOMER_REASONS = ("impossible_age", "invalid_marital_status", "income_outlier")
# Unparseable in every form staging accepts (ISO, %d-%m-%Y, %d/%m/%Y, %Y%m%d).
_BAD_DATES = ("2024-13-45", "2023-02-30", "2024-00-10", "not a date")
_BAD_MARITAL = ("YOLO", "Absurd")
_INCOME_OUTLIER = 666_666.00

# random streams: (seed, stream, block) -> independent generators
_STREAM_CATALOGUE = 0
_STREAM_BLOCK = 1
_STREAM_DIRTY = 2
_STREAM_DROPOUT = 3
#: a + b of the Beta distribution of the per-customer dropout chance (mean = ``dropout``):
#: customers differ in how fast they leave, as BG/NBD assumes, and its a and b are then
#: identified separately (a single chance for everyone leaves them free to grow together)
DROPOUT_CONCENTRATION = 8.0
_CALIBRATION_ENTROPY = (20_241_231, 7)  # fixed: calibration depends on parameters only
_CALIBRATION_CUSTOMERS = 50_000

_EPOCH = date(1970, 1, 1)


def _days(d: date | str) -> int:
    if isinstance(d, str):
        d = date.fromisoformat(d)
    return (d - _EPOCH).days


_AS_OF = _days(AS_OF_DATE)
_START = _days(ORDER_START_DATE)
_N_DAYS = _AS_OF - _START + 1


# ---------------------------------------------------------------------------
# Parameter arrays derived from PLANTED
# ---------------------------------------------------------------------------


def _cum(probs: np.ndarray) -> np.ndarray:
    p = np.asarray(probs, dtype=np.float64)
    p = p / p.sum(axis=-1, keepdims=True)
    c = np.cumsum(p, axis=-1)
    c[..., -1] = 1.0
    return c


def _dist(mapping: dict, keys) -> list[float]:
    return [float(mapping.get(k, 0.0)) for k in keys]


def _padded(mapping: dict, size: int) -> list[float]:
    return [float(mapping.get(i, 0.0)) for i in range(size)]


class _Params:
    """numpy views of PLANTED, indexed by group / channel / category codes."""

    def __init__(self) -> None:
        g = [PLANTED["groups"][name] for name in GROUPS]
        self.group_cum = _cum([x["share"] for x in g])
        self.age_lo = np.array([x["age_range"][0] for x in g])
        self.age_hi = np.array([x["age_range"][1] for x in g])
        self.income_mean = np.array([x["income_mean"] for x in g], dtype=float)
        self.income_sd = np.array([x["income_sd"] for x in g], dtype=float)
        self.income_centre = np.array([x["income_centre_age"] for x in g], dtype=float)
        self.kids_cum = _cum([_padded(x["kids_at_home"], 4) for x in g])
        self.teens_cum = _cum([_padded(x["teens_at_home"], 3) for x in g])
        self.signup_lo = np.array([_days(x["signup_range"][0]) for x in g])
        self.signup_hi = np.array([_days(x["signup_range"][1]) for x in g])
        self.member_rate = np.array([x["loyalty_member_rate"] for x in g])
        self.order_rate = np.array([x["order_rate"] for x in g])
        self.basket_scale = np.array([x["basket_scale"] for x in g])
        lpo = [_padded(x["lines_per_order"], 5)[1:] for x in g]
        self.lines_cum = _cum(lpo)
        self.lines_mean = np.array([np.dot(np.arange(1, 5), np.array(p) / sum(p)) for p in lpo])
        self.promo_rate = np.array([x["promo_rate"] for x in g])
        conc = PLANTED["preference_concentration"]
        self.channel_alpha = np.array([_dist(x["channel_mix"], CHANNELS) for x in g])
        self.channel_alpha *= conc["channel"] / self.channel_alpha.sum(1, keepdims=True)
        self.category_alpha = np.array([_dist(x["category_mix"], CATEGORIES) for x in g])
        self.category_alpha *= conc["category"] / self.category_alpha.sum(1, keepdims=True)
        self.accept_rate = np.array([x["campaign_accept_rate"] for x in g])
        self.marital_cum = _cum([_dist(x["marital_status"], MARITAL) for x in g])
        self.education_cum = _cum([_dist(x["education"], EDUCATION) for x in g])
        self.occupation_cum = _cum([_dist(x["occupation"], OCCUPATIONS) for x in g])
        self.region_cum = _cum(_dist(PLANTED["region_share"], REGIONS))
        self.region_rate = np.array(_dist(PLANTED["region_order_rate"], REGIONS))
        self.state_cum = _cum(PLANTED["state_weights"])
        self.n_states = len(PLANTED["state_weights"])
        self.cat_price = np.array(_dist(PLANTED["category_unit_price"], CATEGORIES))
        self.cat_qty = np.array(_dist(PLANTED["category_mean_quantity"], CATEGORIES))
        depths = PLANTED["discount_depths"]
        self.depth_pct = np.array(sorted(depths), dtype=np.int64)
        self.depth_cum = _cum([depths[d] for d in sorted(depths)])
        rank = np.arange(1, PRODUCTS_PER_CATEGORY + 1, dtype=float)
        self.product_cum = _cum(rank ** -PLANTED["product_popularity_exponent"])
        self.camp_sent = np.array([_days(PLANTED["campaigns"][c][0]) for c in CAMPAIGNS])
        self.camp_mult = np.array([PLANTED["campaigns"][c][1] for c in CAMPAIGNS])
        self.day_cum = _season_cum()
        self.retired = OCCUPATIONS.index("retired")
        self.professional = OCCUPATIONS.index("professional")
        self.catalog = CHANNELS.index("catalog")


def _black_friday(year: int) -> date:
    nov1 = date(year, 11, 1)
    first_thursday = 1 + (3 - nov1.weekday()) % 7
    return date(year, 11, first_thursday + 21 + 1)


def _season_weights() -> np.ndarray:
    """Relative order weight of each day of the order window."""
    monthly = PLANTED["monthly_order_weight"]
    spikes = PLANTED["holiday_spikes"]
    w = np.empty(_N_DAYS)
    for i in range(_N_DAYS):
        d = date.fromordinal(ORDER_START_DATE.toordinal() + i)
        x = monthly[d.month]
        bf = _black_friday(d.year)
        if abs((d - bf).days) <= 3:
            x *= spikes["black_friday_week"]["multiplier"]
        if d.month == 12 and 18 <= d.day <= 24:
            x *= spikes["week_before_christmas"]["multiplier"]
        if d.month == 12 and d.day == 25:
            x *= spikes["christmas_day"]["multiplier"]
        w[i] = x
    return w


def _season_cum() -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(_season_weights())])


_PARAMS: _Params | None = None


def _params() -> _Params:
    global _PARAMS
    if _PARAMS is None:
        _PARAMS = _Params()
    return _PARAMS


# ---------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------


def _pick(rng: np.random.Generator, cum_rows: np.ndarray) -> np.ndarray:
    """One categorical draw per row of a (n, k) cumulative-probability matrix."""
    u = rng.random(cum_rows.shape[0])
    idx = (cum_rows <= u[:, None]).sum(axis=1)
    return np.minimum(idx, cum_rows.shape[1] - 1)


def _pick1(rng: np.random.Generator, cum: np.ndarray, n: int) -> np.ndarray:
    """n categorical draws from one cumulative-probability vector."""
    return np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(cum) - 1)


def _dirichlet_rows(rng: np.random.Generator, alpha_rows: np.ndarray) -> np.ndarray:
    x = rng.standard_gamma(alpha_rows) + 1e-12
    return x / x.sum(axis=1, keepdims=True)


@dataclass
class _World:
    """Constants shared by every block of one run."""

    seed: int
    n_customers: int
    rate_scale: float  # orders per year per unit of relative order rate
    prop_mean: float  # mean / sd of log expected spend, for the loyalty score
    prop_sd: float
    product_price: np.ndarray  # (categories, products) price level
    dropout: float = 0.0  # mean chance a customer stops buying after each repeat purchase
    # planted on request: per category code, the factor on its units on holiday days (None:
    # holidays lift every category alike), and the holiday calendar's days (days since 1970)
    holiday_category_multiplier: np.ndarray | None = None
    holiday_days: np.ndarray | None = None


def _draw_customers(rng: np.random.Generator, n: int, p: _Params) -> dict[str, np.ndarray]:
    P = PLANTED
    c: dict[str, np.ndarray] = {}
    g = _pick1(rng, p.group_cum, n)
    c["group"] = g
    age = rng.integers(p.age_lo[g], p.age_hi[g] + 1)
    c["age"] = age
    c["female"] = rng.random(n) < P["female_share"]
    c["marital"] = _pick(rng, p.marital_cum[g])
    c["education"] = _pick(rng, p.education_cum[g])
    occ = _pick(rng, p.occupation_cum[g])
    occ[(occ == p.retired) & (age < P["retired_min_age"])] = p.professional
    c["occupation"] = occ
    income = (
        p.income_mean[g]
        + P["income_per_year_of_age"] * (age - p.income_centre[g])
        + rng.standard_normal(n) * p.income_sd[g]
    )
    c["income"] = np.round(np.maximum(income, P["income_min"]), 2)
    c["income_missing"] = rng.random(n) < P["income_missing_rate"]
    c["kids"] = _pick(rng, p.kids_cum[g])
    c["teens"] = _pick(rng, p.teens_cum[g])
    region = _pick1(rng, p.region_cum, n)
    c["region"] = region
    c["state"] = region * p.n_states + _pick1(rng, p.state_cum, n)
    c["signup"] = rng.integers(p.signup_lo[g], p.signup_hi[g] + 1)
    c["member"] = rng.random(n) < p.member_rate[g]
    c["rate_noise"] = np.exp(rng.standard_normal(n) * P["order_rate_noise_sd"])
    c["basket_noise"] = np.exp(rng.standard_normal(n) * P["basket_noise_sd"])
    c["loyalty_noise"] = rng.standard_normal(n)
    c["channel_pref"] = _dirichlet_rows(rng, p.channel_alpha[g])
    c["category_pref"] = _dirichlet_rows(rng, p.category_alpha[g])
    # derived latent quantities
    active_from = np.maximum(c["signup"], _START)
    c["active_from"] = active_from
    c["active_years"] = (_AS_OF - active_from + 1) / 365.25
    c["relative_rate"] = (
        p.order_rate[g]
        * p.region_rate[region]
        * np.where(age > 50, P["over_50_order_rate"], 1.0)
        * c["rate_noise"]
    )
    c["basket"] = (
        (c["income"] / P["income_spend_reference"]) ** P["income_spend_elasticity"]
        * p.basket_scale[g]
        * P["child_basket_multiplier"] ** (c["kids"] + c["teens"])
        * np.where(c["member"], P["loyalty_member_basket_multiplier"], 1.0)
        * c["basket_noise"]
    )
    return c


def _expected_orders(c: dict[str, np.ndarray], rate_scale: float) -> np.ndarray:
    return np.maximum(rate_scale * c["relative_rate"] * c["active_years"], 1.0)


def _expected_kept_orders(mu: np.ndarray, p: np.ndarray | float) -> np.ndarray:
    """E[1 + min(M, K)] for N = 1 + M orders, M ~ Poisson(mu - 1) repeat orders, of which
    the customer places at most K ~ Geometric(p) >= 1 before dropping out:
    E[min(M, K)] = sum_{j>=1} P(M >= j) q^(j-1) = ((1 - q exp(-(mu - 1) p)) / p - 1) / q,
    q = 1 - p (-> mu - 1 as p -> 0)."""
    p = np.broadcast_to(np.asarray(p, dtype="float64"), np.shape(mu))
    safe = np.where(p > 1e-12, p, 0.5)
    q = 1.0 - safe
    repeats = ((1.0 - q * np.exp(-(mu - 1.0) * safe)) / safe - 1.0) / q
    return np.where(p > 1e-12, 1.0 + repeats, mu)


def _dropout_chances(rng: np.random.Generator, n: int, dropout: float) -> np.ndarray:
    """Per-customer chance of stopping after a repeat purchase: Beta with mean ``dropout``."""
    if dropout <= 0:
        return np.zeros(n)
    return rng.beta(dropout * DROPOUT_CONCENTRATION, (1.0 - dropout) * DROPOUT_CONCENTRATION, n)


def _log_propensity(c: dict[str, np.ndarray], rate_scale: float, p: _Params) -> np.ndarray:
    return np.log(_expected_orders(c, rate_scale) * c["basket"] * p.lines_mean[c["group"]])


def _make_world(
    seed: int, n_customers: int, orders_per_customer: float, dropout: float = 0.0
) -> _World:
    p = _params()
    rng = np.random.default_rng(list(_CALIBRATION_ENTROPY))
    c = _draw_customers(rng, _CALIBRATION_CUSTOMERS, p)
    m = c["relative_rate"] * c["active_years"]
    # the mean of the orders kept (all of them without dropout) is increasing in k: bisect
    # for the target mean; with dropout the bound grows, as orders are cut short
    chances = _dropout_chances(np.random.default_rng([*_CALIBRATION_ENTROPY, 1]),
                               len(m), dropout)

    def kept_mean(k: float) -> float:
        return float(_expected_kept_orders(np.maximum(k * m, 1.0), chances).mean())

    lo, hi = 0.0, orders_per_customer / max(float(m.min()), 1e-9) + 1.0
    for _ in range(60):
        if kept_mean(hi) >= orders_per_customer:
            break
        lo, hi = hi, hi * 2
    else:
        raise ValueError(
            f"orders_per_customer {orders_per_customer} cannot be reached with dropout "
            f"{dropout}: customers who stop buying that often place fewer orders on average"
        )
    for _ in range(100):
        mid = (lo + hi) / 2
        if kept_mean(mid) < orders_per_customer:
            lo = mid
        else:
            hi = mid
    rate_scale = (lo + hi) / 2
    prop = _log_propensity(c, rate_scale, p)
    cat_rng = np.random.default_rng([seed, _STREAM_CATALOGUE])
    level = np.exp(
        cat_rng.standard_normal((len(CATEGORIES), PRODUCTS_PER_CATEGORY))
        * PLANTED["product_price_sd"]
    )
    weights = np.diff(np.concatenate([[0.0], p.product_cum]))
    level /= (level * weights).sum(axis=1, keepdims=True)  # popularity-weighted mean 1
    return _World(
        seed=seed,
        n_customers=n_customers,
        rate_scale=rate_scale,
        prop_mean=float(prop.mean()),
        prop_sd=float(prop.std()),
        product_price=level,
        dropout=float(dropout),
    )


def _block(world: _World, b: int, dirty_rate: float) -> dict:
    """All rows of one block of customers, as numpy arrays."""
    p = _params()
    P = PLANTED
    rng = np.random.default_rng([world.seed, _STREAM_BLOCK, b])
    first = b * BLOCK_CUSTOMERS
    n = min(BLOCK_CUSTOMERS, world.n_customers - first)
    c = _draw_customers(rng, n, p)
    g = c["group"]

    ls = P["loyalty_score"]
    z = (_log_propensity(c, world.rate_scale, p) - world.prop_mean) / world.prop_sd
    score = (
        ls["intercept"]
        + ls["per_sd_log_spend"] * z
        + ls["member_bonus"] * c["member"]
        + ls["noise_sd"] * c["loyalty_noise"]
    )
    c["loyalty_tenths"] = np.round(np.clip(score, *ls["range"]) * 10).astype(np.int64)

    # --- orders ---------------------------------------------------------------
    mu = _expected_orders(c, world.rate_scale)
    n_orders = 1 + rng.poisson(mu - 1.0)
    n_ord = int(n_orders.sum())
    oc = np.repeat(np.arange(n), n_orders)  # customer (local) of each order
    lo = p.day_cum[c["active_from"][oc] - _START]
    hi = p.day_cum[-1]
    u = lo + rng.random(n_ord) * (hi - lo)
    day = np.searchsorted(p.day_cum, u, side="right") - 1
    day = np.clip(day, c["active_from"][oc] - _START, _N_DAYS - 1)
    day = day[np.lexsort((day, oc))] + _START  # chronological within customer
    if world.dropout > 0:
        # after each repeat purchase the customer stops buying with their chance p (BG/NBD:
        # the first purchase starts the relationship): keep the first order and K repeats,
        # K ~ Geometric(p) >= 1 (own stream: without dropout the data are exactly those of
        # earlier versions)
        drop_rng = np.random.default_rng([world.seed, _STREAM_DROPOUT, b])
        chance = _dropout_chances(drop_rng, n, world.dropout)
        kept = np.minimum(n_orders, 1 + drop_rng.geometric(np.maximum(chance, 1e-12)))
        rank = np.arange(n_ord) - np.repeat(np.cumsum(n_orders) - n_orders, n_orders)
        keep = rank < kept[oc]
        oc, day, n_orders = oc[keep], day[keep], kept
        n_ord = int(n_orders.sum())
    channel = _pick(rng, np.cumsum(c["channel_pref"][oc], axis=1))
    promo = rng.random(n_ord) < p.promo_rate[g[oc]]
    depth = np.where(promo, 1 + _pick1(rng, p.depth_cum, n_ord), 0)  # 0 = no promo
    n_lines = 1 + _pick(rng, p.lines_cum[g[oc]])
    keys = np.log(c["category_pref"][oc]) + rng.gumbel(size=(n_ord, len(CATEGORIES)))
    ranked = np.argsort(-keys, axis=1, kind="stable")
    cat = ranked[np.arange(len(CATEGORIES))[None, :] < n_lines[:, None]]

    # --- order lines ------------------------------------------------------------
    lo_ = np.repeat(np.arange(n_ord), n_lines)  # order (local) of each line
    n_line = len(lo_)
    lc = oc[lo_]
    prod = _pick1(rng, p.product_cum, n_line)
    l_depth = depth[lo_]
    l_channel = channel[lo_]
    mean_q = p.cat_qty[cat] * np.where(l_depth > 0, P["discount_quantity_multiplier"], 1.0)
    qty = 1 + rng.poisson(mean_q - 1.0)
    if world.holiday_category_multiplier is not None:
        # planted on request: on the holiday calendar's days the named categories' lines carry
        # that many times the units (no random draw, so the other numbers stay the same)
        factor = np.where(np.isin(day[lo_], world.holiday_days),
                          world.holiday_category_multiplier[cat], 1.0)
        qty = np.maximum(np.round(qty * factor), 1).astype(qty.dtype)
    unit = (
        p.cat_price[cat]
        * world.product_price[cat, prod]
        * c["basket"][lc]
        * np.where(l_channel == p.catalog, P["catalog_amount_multiplier"], 1.0)
        * np.exp(rng.standard_normal(n_line) * P["line_price_noise_sd"])
    )
    gross = np.maximum(np.round(qty * unit * 100.0), 1).astype(np.int64)
    pct = np.where(l_depth > 0, p.depth_pct[np.maximum(l_depth - 1, 0)], 0)
    discount = np.round(gross * pct / 100.0).astype(np.int64)
    lines = {
        "order": lo_,
        "customer": (first + 1 + lc).astype(np.int64),
        "day": day[lo_].astype(np.int32),
        "channel": l_channel,
        "category": cat,
        "product": prod,
        "quantity": qty.astype(np.int32),
        "amount": gross - discount,
        "discount": discount,
        "depth": l_depth,
        "bad_date": None,
    }

    # --- campaigns --------------------------------------------------------------
    k = len(CAMPAIGNS)
    sent = (rng.random((n, k)) < P["campaign_send_rate"]) & (
        c["signup"][:, None] <= p.camp_sent[None, :]
    )
    accept_p = np.clip(p.accept_rate[g][:, None] * p.camp_mult[None, :], 0.0, 1.0)
    accepted = rng.random((n, k)) < accept_p
    ci, cj = np.nonzero(sent)
    camps = {
        "customer": (first + 1 + ci).astype(np.int64),
        "campaign": cj,
        "accepted": accepted[ci, cj],
    }

    customers = c
    customers["id"] = np.arange(first + 1, first + n + 1, dtype=np.int64)
    customers["gender_text"] = None
    customers["marital_text"] = None
    dirty: dict[str, int] = {}
    variants: dict[str, int] = {}
    if dirty_rate > 0:
        _make_dirty(world, b, dirty_rate, customers, lines, dirty, variants)
    return {
        "customers": customers,
        "lines": lines,
        "n_orders": n_ord,
        "campaigns": camps,
        "dirty": dirty,
        "variants": variants,
    }


def _dirty_positions(rng, n: int, rate: float, n_reasons: int, at_least_one: bool):
    counts = rng.binomial(n, rate / n_reasons, size=n_reasons)
    if at_least_one:
        counts = np.maximum(counts, 1)
    while counts.sum() > n:  # tiny blocks only
        counts[np.argmax(counts)] -= 1
    pos = rng.choice(n, size=int(counts.sum()), replace=False)
    return np.split(pos, np.cumsum(counts)[:-1])


def _make_dirty(world, b, rate, cust, lines, dirty, variants) -> None:
    rng = np.random.default_rng([world.seed, _STREAM_DIRTY, b])
    first_block = b == 0
    n = len(cust["id"])
    # customers
    pos = dict(
        zip(CUSTOMER_REASONS, _dirty_positions(rng, n, rate, len(CUSTOMER_REASONS), first_block))
    )
    age = cust["age"].copy()
    ix = pos["impossible_age"]
    age[ix] = np.where(np.arange(len(ix)) % 2 == 0, 150, 2024 - 1850)
    cust["age"] = age
    marital = np.array(MARITAL, dtype=object)[cust["marital"]]
    marital[pos["invalid_marital_status"]] = rng.choice(
        np.array(_BAD_MARITAL, dtype=object), size=len(pos["invalid_marital_status"])
    )
    cust["marital_text"] = marital
    income = cust["income"].copy()
    missing = cust["income_missing"].copy()
    income[pos["income_outlier"]] = _INCOME_OUTLIER
    missing[pos["income_outlier"]] = False
    cust["income"], cust["income_missing"] = income, missing
    for r in CUSTOMER_REASONS:
        dirty[f"customers.{r}"] = len(pos[r])
    # harmless spelling variants of gender (normalised in staging, not rejected)
    nv = int(rng.binomial(n, rate))
    vpos = rng.choice(n, size=nv, replace=False)
    gender = np.where(cust["female"], "female", "male").astype(object)
    spelled = np.where(cust["female"][vpos], "F", "M").astype(object)
    spelled[rng.random(nv) < 0.2] = "Other"
    gender[vpos] = spelled
    cust["gender_text"] = gender
    variants["customers.gender_spelling"] = nv

    # orders
    m = len(lines["order"])
    pos = dict(
        zip(
            ORDER_REASONS,
            _dirty_positions(rng, m, rate, len(ORDER_REASONS), first_block and m >= 5),
        )
    )
    amount = lines["amount"].copy()
    amount[pos["negative_amount"]] *= -1
    lines["amount"] = amount
    custs = lines["customer"].copy()
    ix = pos["unknown_customer_id"]
    custs[ix] = world.n_customers + 1 + rng.integers(0, 1_000_000, size=len(ix))
    lines["customer"] = custs
    bad = np.zeros(m, dtype=bool)
    bad[pos["invalid_order_date"]] = True
    bad_text = np.full(m, None, dtype=object)
    bad_text[pos["invalid_order_date"]] = rng.choice(
        np.array(_BAD_DATES, dtype=object), size=len(pos["invalid_order_date"])
    )
    qty = lines["quantity"].copy()
    qty[pos["zero_quantity"]] = 0
    lines["quantity"] = qty
    reps = np.ones(m, dtype=np.int64)
    reps[pos["duplicate_line"]] = 2
    take = np.repeat(np.arange(m), reps)
    for key in list(lines):
        if lines[key] is not None:
            lines[key] = lines[key][take]
    lines["bad_date"] = bad[take]
    lines["bad_date_text"] = bad_text[take]
    for r in ORDER_REASONS:
        dirty[f"orders.{r}"] = len(pos[r])


# ---------------------------------------------------------------------------
# Arrow conversion
# ---------------------------------------------------------------------------

_MONEY = pa.decimal128(18, 2)
_SCORE = pa.decimal128(3, 1)


def _decimal(units: np.ndarray, typ: pa.DataType, null: np.ndarray | None = None) -> pa.Array:
    """Exact decimal128 array from integer minor units (cents, tenths)."""
    units = np.ascontiguousarray(units, dtype=np.int64)
    words = np.empty((len(units), 2), dtype=np.int64)
    words[:, 0] = units
    words[:, 1] = np.where(units < 0, -1, 0)
    validity = None
    null_count = 0
    if null is not None and null.any():
        validity = pa.array(~null).buffers()[1]
        null_count = int(null.sum())
    return pa.Array.from_buffers(typ, len(units), [validity, pa.py_buffer(words)], null_count)


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    text = pc.utf8_lpad(pc.cast(pa.array(numbers, type=pa.int64()), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, text, "")


def _labels(values, codes: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """String column from small integer codes (a plain string array, not a dictionary)."""
    idx = pa.array(np.asarray(codes, dtype=np.int32), mask=null)
    return pa.array(list(values), type=pa.string()).take(idx)


def _dates(days: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(days, dtype=np.int32), type=pa.int32(), mask=null).cast(pa.date32())


CUSTOMER_SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("birth_year", pa.int32()),
        ("age", pa.int32()),
        ("gender", pa.string()),
        ("marital_status", pa.string()),
        ("education", pa.string()),
        ("occupation", pa.string()),
        ("annual_income", _MONEY),
        ("kids_at_home", pa.int32()),
        ("teens_at_home", pa.int32()),
        ("region", pa.string()),
        ("state", pa.string()),
        ("country", pa.string()),
        ("signup_date", pa.date32()),
        ("is_loyalty_member", pa.bool_()),
        ("loyalty_score", _SCORE),
    ]
)
ORDER_SCHEMA = pa.schema(
    [
        ("order_id", pa.string()),
        ("customer_id", pa.string()),
        ("order_date", pa.date32()),
        ("channel", pa.string()),
        ("product_id", pa.string()),
        ("product_category", pa.string()),
        ("quantity", pa.int32()),
        ("amount", _MONEY),
        ("discount_amount", _MONEY),
        ("promo_code", pa.string()),
    ]
)
CAMPAIGN_SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("campaign_id", pa.string()),
        ("accepted", pa.bool_()),
        ("sent_date", pa.date32()),
    ]
)
TRUTH_SCHEMA = pa.schema([("customer_id", pa.string()), ("planted_group", pa.string())])
_ALL_STATES = [s for r in REGIONS for s in STATES[r]]
_PRODUCT_IDS = [f"{cat}-{i:03d}" for cat in CATEGORIES for i in range(1, PRODUCTS_PER_CATEGORY + 1)]
_PROMO_CODES = [f"SAVE{d}" for d in sorted(PLANTED["discount_depths"])]


def _cat(arrays: list[np.ndarray | None]) -> np.ndarray | None:
    if any(a is None for a in arrays):
        return None
    return np.concatenate(arrays)


def _customers_table(blocks: list[dict], width: int) -> tuple[pa.Table, pa.Table]:
    cs = [b["customers"] for b in blocks]

    def col(k):
        return np.concatenate([c[k] for c in cs])

    n = sum(len(c["id"]) for c in cs)
    ids = _ids("C", col("id"), width)
    age = col("age")
    gender_text = _cat([c["gender_text"] for c in cs])
    gender = (
        pa.array(gender_text, type=pa.string())
        if gender_text is not None
        else _labels(("male", "female"), col("female"))
    )
    marital_text = _cat([c["marital_text"] for c in cs])
    marital = (
        pa.array(marital_text, type=pa.string())
        if marital_text is not None
        else _labels(MARITAL, col("marital"))
    )
    age_vals = age.astype(np.int32)
    table = pa.table(
        [
            ids,
            pa.array((AS_OF_DATE.year - age).astype(np.int32)),
            pa.array(age_vals),
            gender,
            marital,
            _labels(EDUCATION, col("education")),
            _labels(OCCUPATIONS, col("occupation")),
            _decimal(np.round(col("income") * 100).astype(np.int64), _MONEY, col("income_missing")),
            pa.array(col("kids").astype(np.int32)),
            pa.array(col("teens").astype(np.int32)),
            _labels(REGIONS, col("region")),
            _labels(_ALL_STATES, col("state")),
            pa.array(np.full(n, "US", dtype=object), type=pa.string()),
            _dates(col("signup")),
            pa.array(col("member")),
            _decimal(col("loyalty_tenths"), _SCORE),
        ],
        schema=CUSTOMER_SCHEMA,
    )
    truth = pa.table([ids, _labels(GROUPS, col("group"))], schema=TRUTH_SCHEMA)
    return table, truth


def _orders_table(blocks: list[dict], first_order: int, width: int, text_dates: bool):
    ls = [b["lines"] for b in blocks]
    offsets = first_order + np.cumsum([0] + [b["n_orders"] for b in blocks[:-1]])
    order_no = np.concatenate([lines["order"] + off for lines, off in zip(ls, offsets)])

    def col(k):
        return np.concatenate([x[k] for x in ls])

    bad = _cat([x["bad_date"] for x in ls])
    if text_dates:
        dates = pc.cast(_dates(col("day")), pa.string())
        if bad is not None and bad.any():
            texts = np.concatenate([x["bad_date_text"] for x in ls])
            dates = pc.if_else(pa.array(bad), pa.array(texts, type=pa.string()), dates)
        schema = ORDER_SCHEMA.set(2, pa.field("order_date", pa.string()))
    else:
        dates = _dates(col("day"), bad)
        schema = ORDER_SCHEMA
    depth = col("depth")
    category = col("category")
    table = pa.table(
        [
            _ids("O", order_no + 1, 9),
            _ids("C", col("customer"), width),
            dates,
            _labels(CHANNELS, col("channel")),
            _labels(_PRODUCT_IDS, category * PRODUCTS_PER_CATEGORY + col("product")),
            _labels(CATEGORIES, category),
            pa.array(col("quantity")),
            _decimal(col("amount"), _MONEY),
            _decimal(col("discount"), _MONEY),
            _labels(_PROMO_CODES, np.maximum(depth - 1, 0), depth == 0),
        ],
        schema=schema,
    )
    return table, first_order + sum(b["n_orders"] for b in blocks)


def _campaigns_table(blocks: list[dict], width: int) -> pa.Table:
    cs = [b["campaigns"] for b in blocks]
    cust = np.concatenate([c["customer"] for c in cs])
    camp = np.concatenate([c["campaign"] for c in cs])
    p = _params()
    return pa.table(
        [
            _ids("C", cust, width),
            _labels(CAMPAIGNS, camp),
            pa.array(np.concatenate([c["accepted"] for c in cs])),
            _dates(p.camp_sent[camp]),
        ],
        schema=CAMPAIGN_SCHEMA,
    )


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


class _Sink:
    """Streams tables of one schema to a CSV or Parquet file (via a temporary name)."""

    def __init__(self, path: Path, schema: pa.Schema, fmt: str) -> None:
        self.path = path
        self.tmp = path.with_name(path.name + ".tmp")
        self.rows = 0
        if fmt == "parquet":
            self._file = None
            self._writer = pq.ParquetWriter(self.tmp, schema, compression="zstd")
        else:
            self._file = open(self.tmp, "wb")  # noqa: SIM115 - closed in close()
            self._file.write((",".join(schema.names) + "\n").encode("utf-8"))
            self._writer = pacsv.CSVWriter(
                self._file,
                schema,
                write_options=pacsv.WriteOptions(include_header=False, quoting_style="none"),
            )
        self.fmt = fmt

    def write(self, table: pa.Table) -> None:
        self.rows += table.num_rows
        if self.fmt == "parquet":
            self._writer.write_table(table, row_group_size=1_000_000)
        else:
            self._writer.write_table(table)

    def close(self) -> None:
        self._writer.close()
        if self._file is not None:
            self._file.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        try:
            self._writer.close()
            if self._file is not None:
                self._file.close()
        finally:
            self.tmp.unlink(missing_ok=True)


def _holiday_category_factors(multiplier: Mapping[str, float] | None) -> np.ndarray | None:
    """The factor on each category's units on holiday days (1 for the others), or None."""
    if not multiplier:
        return None
    unknown = sorted(set(multiplier) - set(CATEGORIES))
    if unknown:
        raise ValueError(f"holiday_category_multiplier names unknown categories {unknown}; "
                         f"the generator's are {list(CATEGORIES)}")
    factors = np.ones(len(CATEGORIES))
    for category, factor in multiplier.items():
        if not (math.isfinite(factor) and factor > 0):
            raise ValueError(f"holiday_category_multiplier[{category!r}] must be a positive "
                             f"number, not {factor!r}")
        factors[CATEGORIES.index(category)] = float(factor)
    return factors


def _holiday_days() -> np.ndarray:
    """The days (since 1970-01-01) of the holiday calendar the project's seed holds."""
    from customer_behavior.reference import holiday_calendar

    return np.array(sorted({_days(d) for d in holiday_calendar()["holiday_date"]}),
                    dtype=np.int64)


def expected_order_lines(n_customers: int, orders_per_customer: float = 6.0) -> float:
    """Approximate number of order lines generate() will write (for progress / sizing)."""
    p = _params()
    g_share = np.diff(np.concatenate([[0.0], p.group_cum]))
    # lines per order weighted by the orders each group places (approximate)
    w = g_share * p.order_rate
    return n_customers * orders_per_customer * float((w * p.lines_mean).sum() / w.sum())


def _chunks(n_blocks: int, per_chunk: int) -> Iterator[range]:
    for start in range(0, n_blocks, per_chunk):
        yield range(start, min(start + per_chunk, n_blocks))


def generate(
    out_dir: Path | str,
    n_customers: int,
    *,
    fmt: str = "csv",
    seed: int = 42,
    orders_per_customer: float = 6.0,
    dirty_rate: float = 0.0,
    write_truth: bool = False,
    chunk_customers: int = 200_000,
    progress: bool | None = None,
    dropout: float = 0.0,
    holiday_category_multiplier: Mapping[str, float] | None = None,
) -> dict:
    """Write customers, orders and campaign_responses (CSV or Parquet) into ``out_dir``.

    Deterministic in ``seed`` and the other arguments, independent of
    ``chunk_customers`` (rounded up to a multiple of ``BLOCK_CUSTOMERS``), which only
    bounds memory. ``progress=None`` shows a progress bar on stderr when more than
    ~200k order lines are expected. ``dropout`` > 0 plants customer churn: after each
    repeat purchase a customer stops buying with a chance drawn per customer from a Beta
    distribution with that mean (BG/NBD's dropout process); the order rate is recalibrated
    so that the mean orders per customer stays ``orders_per_customer``. The default 0 keeps
    the data of earlier versions. ``holiday_category_multiplier`` (category -> factor, e.g.
    ``{"sweets": 3.0}``) multiplies the units, and so the amount, of those categories' lines
    dated on a holiday of ``reference.holiday_calendar`` (rounded, at least 1); the default
    None keeps the data of earlier versions.

    Returns ``{"files": {table: path}, "rows": {table: n}, "dirty": {"table.reason": n},
    "variants": {...}, "seconds": s}``; ``dirty`` is empty when ``dirty_rate == 0``.
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', not {fmt!r}")
    if int(n_customers) != n_customers or n_customers < 1:
        raise ValueError(f"n_customers must be a positive integer, not {n_customers!r}")
    if int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, not {seed!r}")
    if not (orders_per_customer >= 1.0 and math.isfinite(orders_per_customer)):
        raise ValueError(f"orders_per_customer must be >= 1, not {orders_per_customer!r}")
    if not 0.0 <= dirty_rate < 0.5:
        raise ValueError(f"dirty_rate must be in [0, 0.5), not {dirty_rate!r}")
    if chunk_customers < 1:
        raise ValueError(f"chunk_customers must be >= 1, not {chunk_customers!r}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), not {dropout!r}")
    holiday_factors = _holiday_category_factors(holiday_category_multiplier)
    n_customers, seed = int(n_customers), int(seed)
    started = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    world = _make_world(seed, n_customers, float(orders_per_customer), float(dropout))
    if holiday_factors is not None:
        world.holiday_category_multiplier = holiday_factors
        world.holiday_days = _holiday_days()
    width = max(7, len(str(n_customers)))
    n_blocks = -(-n_customers // BLOCK_CUSTOMERS)
    per_chunk = max(1, -(-int(chunk_customers) // BLOCK_CUSTOMERS))
    text_dates = fmt == "csv" and dirty_rate > 0

    if progress is None:
        progress = expected_order_lines(n_customers, orders_per_customer) > 200_000
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(
            total=n_customers,
            unit="cust",
            unit_scale=True,
            file=sys.stderr,
            desc="generate",
            dynamic_ncols=True,
        )

    ext = "parquet" if fmt == "parquet" else "csv"
    order_schema = (
        ORDER_SCHEMA.set(2, pa.field("order_date", pa.string())) if text_dates else ORDER_SCHEMA
    )
    sinks = {
        "customers": _Sink(out / f"customers.{ext}", CUSTOMER_SCHEMA, fmt),
        "orders": _Sink(out / f"orders.{ext}", order_schema, fmt),
        "campaign_responses": _Sink(out / f"campaign_responses.{ext}", CAMPAIGN_SCHEMA, fmt),
    }
    if write_truth:
        sinks["truth"] = _Sink(out / TRUTH_FILE, TRUTH_SCHEMA, "csv")
    dirty: dict[str, int] = {}
    if dirty_rate > 0:
        dirty = {f"customers.{r}": 0 for r in CUSTOMER_REASONS}
        dirty.update({f"orders.{r}": 0 for r in ORDER_REASONS})
    variants: dict[str, int] = {}
    next_order = 0
    try:
        for chunk in _chunks(n_blocks, per_chunk):
            blocks = []
            for b in chunk:
                blocks.append(_block(world, b, dirty_rate))
                if bar is not None:
                    bar.update(len(blocks[-1]["customers"]["id"]))
            customers, truth = _customers_table(blocks, width)
            sinks["customers"].write(customers)
            if write_truth:
                sinks["truth"].write(truth)
            del customers, truth
            orders, next_order = _orders_table(blocks, next_order, width, text_dates)
            sinks["orders"].write(orders)
            del orders
            sinks["campaign_responses"].write(_campaigns_table(blocks, width))
            for blk in blocks:
                for k, v in blk["dirty"].items():
                    dirty[k] = dirty.get(k, 0) + v
                for k, v in blk["variants"].items():
                    variants[k] = variants.get(k, 0) + v
            if bar is not None:
                bar.set_postfix(lines=f"{sinks['orders'].rows:,}")
            del blocks
    except BaseException:
        for s in sinks.values():
            s.abort()
        raise
    finally:
        if bar is not None:
            bar.close()
    for s in sinks.values():
        s.close()

    files = {name: str(s.path) for name, s in sinks.items()}
    rows = {name: s.rows for name, s in sinks.items() if name in TABLES}
    return {
        "files": files,
        "rows": rows,
        "dirty": dirty,
        "variants": variants,
        "seconds": round(time.perf_counter() - started, 3),
    }
