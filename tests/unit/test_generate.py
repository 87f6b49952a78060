"""Known-answer tests for the synthetic data generator (customer_behavior.generate).

A 5,000-customer sample is generated once per module; each planted effect listed in
``PLANTED`` is measured in it with pandas and must come out in the planted direction
(and, where the size is planted, near the planted size).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scipy.stats import spearmanr

from customer_behavior import cli
from customer_behavior.generate import (
    CATEGORIES,
    CHANNELS,
    GROUPS,
    PLANTED,
    SIZES,
    TABLES,
    generate,
)

AS_OF = pd.Timestamp(PLANTED["as_of_date"])
START = pd.Timestamp(PLANTED["order_window"][0])

CUSTOMER_COLUMNS = [
    "customer_id",
    "birth_year",
    "age",
    "gender",
    "marital_status",
    "education",
    "occupation",
    "annual_income",
    "kids_at_home",
    "teens_at_home",
    "region",
    "state",
    "country",
    "signup_date",
    "is_loyalty_member",
    "loyalty_score",
]
ORDER_COLUMNS = [
    "order_id",
    "customer_id",
    "order_date",
    "channel",
    "product_id",
    "product_category",
    "quantity",
    "amount",
    "discount_amount",
    "promo_code",
]
CAMPAIGN_COLUMNS = ["customer_id", "campaign_id", "accepted", "sent_date"]

MONEY = pa.decimal128(18, 2)
PARQUET_TYPES = {
    "customers": {
        "customer_id": pa.string(),
        "birth_year": pa.int32(),
        "age": pa.int32(),
        "gender": pa.string(),
        "marital_status": pa.string(),
        "education": pa.string(),
        "occupation": pa.string(),
        "annual_income": MONEY,
        "kids_at_home": pa.int32(),
        "teens_at_home": pa.int32(),
        "region": pa.string(),
        "state": pa.string(),
        "country": pa.string(),
        "signup_date": pa.date32(),
        "is_loyalty_member": pa.bool_(),
        "loyalty_score": pa.decimal128(3, 1),
    },
    "orders": {
        "order_id": pa.string(),
        "customer_id": pa.string(),
        "order_date": pa.date32(),
        "channel": pa.string(),
        "product_id": pa.string(),
        "product_category": pa.string(),
        "quantity": pa.int32(),
        "amount": MONEY,
        "discount_amount": MONEY,
        "promo_code": pa.string(),
    },
    "campaign_responses": {
        "customer_id": pa.string(),
        "campaign_id": pa.string(),
        "accepted": pa.bool_(),
        "sent_date": pa.date32(),
    },
}


def _read_csv(path) -> pd.DataFrame:
    """Read everything as text, exactly as written."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _files(directory) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


# ---------------------------------------------------------------------------
# the shared clean sample
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    result = generate(out, 5_000, seed=7, write_truth=True, progress=False)
    customers = pd.read_csv(out / "customers.csv", parse_dates=["signup_date"])
    orders = pd.read_csv(out / "orders.csv", parse_dates=["order_date"])
    campaigns = pd.read_csv(out / "campaign_responses.csv", parse_dates=["sent_date"])
    truth = pd.read_csv(out / "customer_groups_truth.csv")
    customers = customers.merge(truth, on="customer_id", validate="1:1")
    per = orders.groupby("customer_id").agg(
        spend=("amount", "sum"),
        n_orders=("order_id", "nunique"),
        last_order=("order_date", "max"),
    )
    customers = customers.merge(per, on="customer_id", how="left", validate="1:1")
    active_from = customers["signup_date"].clip(lower=START)
    customers["active_years"] = ((AS_OF - active_from).dt.days + 1) / 365.25
    customers["orders_per_year"] = customers["n_orders"] / customers["active_years"]
    customers["aov"] = customers["spend"] / customers["n_orders"]
    customers["children"] = customers["kids_at_home"] + customers["teens_at_home"]
    return {
        "dir": out,
        "result": result,
        "customers": customers,
        "orders": orders,
        "campaigns": campaigns,
    }


# ---------------------------------------------------------------------------
# determinism and chunking
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_same_seed_gives_byte_identical_files(tmp_path, fmt):
    a = generate(tmp_path / "a", 1_500, fmt=fmt, seed=3, dirty_rate=0.01, write_truth=True)
    b = generate(tmp_path / "b", 1_500, fmt=fmt, seed=3, dirty_rate=0.01, write_truth=True)
    files_a, files_b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert sorted(files_a) == sorted([f"{t}.{fmt}" for t in TABLES] + ["customer_groups_truth.csv"])
    assert files_a == files_b
    assert a["rows"] == b["rows"] and a["dirty"] == b["dirty"]


def test_different_seed_gives_different_data(tmp_path):
    generate(tmp_path / "a", 500, seed=1)
    generate(tmp_path / "b", 500, seed=2)
    assert (tmp_path / "a/orders.csv").read_bytes() != (tmp_path / "b/orders.csv").read_bytes()


def test_chunk_size_does_not_change_content(tmp_path):
    kwargs = {"seed": 11, "dirty_rate": 0.005, "write_truth": True}
    small = generate(tmp_path / "small", 3_500, chunk_customers=1_000, **kwargs)
    large = generate(tmp_path / "large", 3_500, chunk_customers=200_000, **kwargs)
    assert _files(tmp_path / "small") == _files(tmp_path / "large")
    assert small["dirty"] == large["dirty"]
    generate(tmp_path / "ps", 3_500, fmt="parquet", chunk_customers=1_000, **kwargs)
    generate(tmp_path / "pl", 3_500, fmt="parquet", chunk_customers=200_000, **kwargs)
    for table in TABLES:
        small_t = pq.read_table(tmp_path / "ps" / f"{table}.parquet")
        large_t = pq.read_table(tmp_path / "pl" / f"{table}.parquet")
        assert small_t.equals(large_t), table
    # several chunks really were written (row groups follow the chunks)
    assert pq.ParquetFile(tmp_path / "ps/orders.parquet").num_row_groups == 4


def test_csv_and_parquet_hold_the_same_data(tmp_path):
    generate(tmp_path / "c", 800, seed=5)
    generate(tmp_path / "p", 800, seed=5, fmt="parquet")
    for table in TABLES:
        from_csv = _read_csv(tmp_path / "c" / f"{table}.csv")
        parquet = pq.read_table(tmp_path / "p" / f"{table}.parquet")
        # render the Parquet table the way the CSV writer does
        as_text = pd.DataFrame(
            {
                name: [
                    "" if v is None else (str(v).lower() if isinstance(v, bool) else str(v))
                    for v in col.to_pylist()
                ]
                for name, col in zip(parquet.column_names, parquet.columns)
            }
        )
        pd.testing.assert_frame_equal(from_csv, as_text, obj=table)


# ---------------------------------------------------------------------------
# contract
# ---------------------------------------------------------------------------


def test_csv_contract_columns_and_formats(sample):
    d = sample["dir"]
    customers = _read_csv(d / "customers.csv")
    orders = _read_csv(d / "orders.csv")
    campaigns = _read_csv(d / "campaign_responses.csv")
    assert list(customers.columns) == CUSTOMER_COLUMNS
    assert list(orders.columns) == ORDER_COLUMNS
    assert list(campaigns.columns) == CAMPAIGN_COLUMNS
    assert (d / "customers.csv").read_bytes().startswith(b"customer_id,birth_year,age,")

    def all_match(series, pattern):
        return series.str.fullmatch(pattern).all()

    assert all_match(customers.customer_id, r"C\d{7}") and customers.customer_id.is_unique
    assert all_match(customers.signup_date, r"\d{4}-\d{2}-\d{2}")
    assert all_match(customers.is_loyalty_member, "true|false")
    assert all_match(customers.loyalty_score, r"\d{1,2}\.\d")
    assert customers.loyalty_score.astype(float).between(1, 10).all()
    assert all_match(customers.annual_income, r"(\d+\.\d{2})?")
    assert 0.003 < (customers.annual_income == "").mean() < 0.02  # ~1 % blank
    assert set(customers.gender) == {"female", "male"}
    assert set(customers.marital_status) <= {"single", "married", "together", "divorced", "widowed"}
    assert set(customers.education) == {"basic", "high school", "graduate", "master", "phd"}
    assert set(customers.region) == {"North", "South", "East", "West", "Central"}
    assert customers.groupby("region").state.nunique().between(2, 6).all()
    assert set(customers.country) == {"US"}
    ages = customers.age.astype(int)
    assert ((customers.birth_year.astype(int) + ages) == 2024).all()
    assert ages.between(18, 70).all()

    assert all_match(orders.order_id, r"O\d{9}")
    assert all_match(orders.order_date, r"\d{4}-\d{2}-\d{2}")
    assert set(orders.channel) == set(CHANNELS)
    assert set(orders.product_category) == set(CATEGORIES)
    assert (orders.product_id.str.split("-").str[0] == orders.product_category).all()
    assert all_match(orders.product_id, r"[a-z]+-\d{3}")
    assert all_match(orders.amount, r"\d+\.\d{2}")  # clean: never negative
    assert all_match(orders.discount_amount, r"\d+\.\d{2}")
    assert set(orders.promo_code) == {"", "SAVE10", "SAVE20", "SAVE30"}
    assert (orders.quantity.astype(int) >= 1).all()
    no_promo = orders.promo_code == ""
    assert (orders.discount_amount[no_promo] == "0.00").all()
    assert (orders.discount_amount[~no_promo].astype(float) > 0).all()
    assert set(campaigns.campaign_id) <= {f"CMP{i}" for i in range(1, 6)}
    assert all_match(campaigns.accepted, "true|false")
    assert not campaigns.duplicated(["customer_id", "campaign_id"]).any()


def test_orders_are_consistent(sample):
    o, c = sample["orders"], sample["customers"]
    per_order = o.groupby("order_id").agg(
        lines=("product_category", "size"),
        categories=("product_category", "nunique"),
        customers=("customer_id", "nunique"),
        dates=("order_date", "nunique"),
        channels=("channel", "nunique"),
        promos=("promo_code", lambda s: s.nunique(dropna=False)),
    )
    assert per_order.lines.between(1, 4).all()
    assert (per_order.categories == per_order.lines).all()  # distinct categories
    assert (per_order[["customers", "dates", "channels", "promos"]] == 1).all().all()
    joined = o.merge(c[["customer_id", "signup_date"]], on="customer_id", validate="m:1")
    assert (joined.order_date >= joined.signup_date).all()
    assert o.order_date.between(START, AS_OF).all()
    assert set(o.customer_id) == set(c.customer_id)  # everyone ordered at least once
    # ~6 orders and 12-14 lines per customer by default
    assert 5.6 < c.n_orders.mean() < 6.4
    assert 11 < len(o) / len(c) < 14
    # product popularity is skewed inside each category
    top = o.groupby("product_category").product_id.agg(
        lambda s: s.value_counts(normalize=True).iloc[0]
    )
    assert (top > 0.15).all()
    assert o.product_id.nunique() >= 100


def test_parquet_types(tmp_path):
    generate(tmp_path, 1_200, fmt="parquet", dirty_rate=0.01)
    for table, expected in PARQUET_TYPES.items():
        schema = pq.read_schema(tmp_path / f"{table}.parquet")
        assert schema.names == list(expected), table
        assert {f.name: f.type for f in schema} == expected, table


def test_rows_match_returned_counts(sample, tmp_path):
    result = sample["result"]
    assert result["rows"] == {
        "customers": 5_000,
        "orders": len(sample["orders"]),
        "campaign_responses": len(sample["campaigns"]),
    }
    assert result["dirty"] == {}
    r = generate(tmp_path, 1_000, fmt="parquet", dirty_rate=0.01)
    for table in TABLES:
        assert pq.read_metadata(tmp_path / f"{table}.parquet").num_rows == r["rows"][table]
    assert json.loads(json.dumps(r))["dirty"] == r["dirty"]  # JSON-able keys


# ---------------------------------------------------------------------------
# dirty mode
# ---------------------------------------------------------------------------


def _count_bad_rows(customers: pd.DataFrame, orders: pd.DataFrame) -> dict[str, int]:
    amount = orders.amount.astype(float)
    dates = pd.to_datetime(orders.order_date, format="%Y-%m-%d", errors="coerce")
    return {
        "customers.impossible_age": int((customers.age.astype(int) > 120).sum()),
        "customers.invalid_marital_status": int(
            (
                ~customers.marital_status.isin(
                    ["single", "married", "together", "divorced", "widowed"]
                )
            ).sum()
        ),
        "customers.income_outlier": int((customers.annual_income == "666666.00").sum()),
        "orders.negative_amount": int((amount < 0).sum()),
        "orders.unknown_customer_id": int((~orders.customer_id.isin(customers.customer_id)).sum()),
        "orders.invalid_order_date": int(dates.isna().sum()),
        "orders.zero_quantity": int((orders.quantity.astype(int) == 0).sum()),
        "orders.duplicate_line": int(orders.duplicated().sum()),
    }


def test_dirty_counts_are_exact(tmp_path):
    r = generate(tmp_path / "dirty", 4_000, seed=9, dirty_rate=0.01)
    customers = _read_csv(tmp_path / "dirty/customers.csv")
    orders = _read_csv(tmp_path / "dirty/orders.csv")
    assert _count_bad_rows(customers, orders) == r["dirty"]
    assert all(n > 0 for n in r["dirty"].values())
    # roughly dirty_rate of the rows are bad
    bad_orders = sum(v for k, v in r["dirty"].items() if k.startswith("orders."))
    assert 0.006 < bad_orders / r["rows"]["orders"] < 0.014
    # the rest is exactly the clean data: dirty mode only edits (and duplicates) rows
    clean = generate(tmp_path / "clean", 4_000, seed=9)
    clean_customers = _read_csv(tmp_path / "clean/customers.csv")
    changed = (clean_customers != customers).any(axis=1).sum()
    n_customer_edits = sum(v for k, v in r["dirty"].items() if k.startswith("customers."))
    assert changed == n_customer_edits + r["variants"]["customers.gender_spelling"]
    assert r["rows"]["orders"] == clean["rows"]["orders"] + r["dirty"]["orders.duplicate_line"]
    assert set(customers.gender) <= {"female", "male", "F", "M", "Other"}


def test_invalid_csv_dates_are_the_generators_bad_dates(tmp_path):
    """The dirty CSV's unparseable dates are the generator's own _BAD_DATES; that staging's
    parse_date (macros/cleaning.sql) reads none of them is proven on the macro itself in
    tests/integration/test_bad_input.py."""
    import customer_behavior.generate as gen

    r = generate(tmp_path, 2_000, seed=3, dirty_rate=0.01)
    orders = _read_csv(tmp_path / "orders.csv")
    iso = pd.to_datetime(orders.order_date, format="%Y-%m-%d", errors="coerce")
    written = set(orders.order_date[iso.isna()])
    assert len(iso) - iso.count() == r["dirty"]["orders.invalid_order_date"] > 0
    assert written <= set(gen._BAD_DATES)


def test_dirty_parquet_dates_are_null(tmp_path):
    r = generate(tmp_path, 2_000, fmt="parquet", dirty_rate=0.01)
    orders = pq.read_table(tmp_path / "orders.parquet")
    assert orders.column("order_date").null_count == r["dirty"]["orders.invalid_order_date"] > 0


def test_every_reason_appears_at_demo_rate(tmp_path):
    r = generate(tmp_path, 1_000, dirty_rate=0.002)
    assert all(n >= 1 for n in r["dirty"].values()) and len(r["dirty"]) == 8


def test_clean_data_has_no_bad_rows(sample):
    d = sample["dir"]
    counts = _count_bad_rows(_read_csv(d / "customers.csv"), _read_csv(d / "orders.csv"))
    assert counts == dict.fromkeys(counts, 0)


# ---------------------------------------------------------------------------
# planted behaviour
# ---------------------------------------------------------------------------


def test_group_shares_and_profiles(sample):
    c = sample["customers"]
    shares = c.planted_group.value_counts(normalize=True)
    for group in GROUPS:
        assert abs(shares[group] - PLANTED["groups"][group]["share"]) < 0.03, group
    means = c.groupby("planted_group")[
        ["age", "annual_income", "children", "aov", "n_orders", "is_loyalty_member"]
    ].mean()
    assert means.annual_income.idxmax() == "affluent_connoisseurs"
    assert means.aov.idxmax() == "affluent_connoisseurs"
    assert means.age.idxmin() == "young_frugal"
    assert means.children.idxmax() == "budget_families"
    assert means.is_loyalty_member.idxmax() == "new_loyalists"
    assert (
        c.loc[c.planted_group == "new_loyalists", "signup_date"] > AS_OF - pd.Timedelta(days=366)
    ).all()
    recency = (AS_OF - c.last_order).dt.days.groupby(c.planted_group).mean()
    assert recency.idxmin() == "new_loyalists"
    assert means.loc["young_frugal", "n_orders"] == means.n_orders.min()


def test_groups_show_in_channel_and_category_spend(sample):
    o = sample["orders"].merge(sample["customers"][["customer_id", "planted_group"]])

    def shares(col):
        s = o.pivot_table(index="planted_group", columns=col, values="amount", aggfunc="sum")
        return s.div(s.sum(axis=1), axis=0)

    ch, cat = shares("channel"), shares("product_category")
    aff = "affluent_connoisseurs"
    assert ch.loc[aff, "catalog"] + ch.loc[aff, "store"] > 0.75
    assert ch.loc["budget_families", ["web", "app"]].sum() > 0.65
    assert ch.loc["young_frugal", ["web", "app"]].sum() > 0.8
    assert ch.loc["new_loyalists", "store"] == ch.store.max()
    assert 0.38 < cat.loc[aff, "wine"] < 0.52 and 0.24 < cat.loc[aff, "meat"] < 0.36
    assert cat.loc["young_frugal", ["sweets", "fruits", "gold"]].sum() == pytest.approx(
        cat[["sweets", "fruits", "gold"]].sum(axis=1).max()
    )


def _segmentation_features(customers: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """The segmentation features, computed in pandas the way
    models/segments/segment_features.sql computes them (clean data:
    every customer has an order): recency at the latest order date, order count, spend,
    average order value, income (NULL above Q3 + 3 IQR), age, children, and the share of
    spend per channel and per category."""
    as_of = orders.order_date.max()
    per_order = orders.groupby("order_id").agg(
        customer_id=("customer_id", "first"),
        amount=("amount", "sum"),
        order_date=("order_date", "first"),
    )
    per = per_order.groupby("customer_id").agg(
        order_count=("amount", "size"),
        total_spend=("amount", "sum"),
        last_order=("order_date", "max"),
    )
    c = customers.set_index("customer_id")
    q1, q3 = c.annual_income.quantile([0.25, 0.75])
    f = pd.DataFrame(
        {
            "recency_days": (as_of - per.last_order).dt.days,
            "order_count": per.order_count,
            "total_spend": per.total_spend,
            "avg_order_value": (per.total_spend / per.order_count).round(4),
            "annual_income": c.annual_income.where(c.annual_income <= q3 + 3 * (q3 - q1)),
            "age": c.age,
            "children_count": c.kids_at_home + c.teens_at_home,
        }
    ).astype(float)
    for column, prefix in (("channel", "share_channel_"), ("product_category", "share_category_")):
        spend = orders.pivot_table(
            index="customer_id", columns=column, values="amount", aggfunc="sum", fill_value=0
        )
        f = f.join(spend.div(spend.sum(axis=1), axis=0).round(8).add_prefix(prefix))
    return f.rename_axis("customer_id").reset_index()


def test_planted_groups_are_recovered_by_the_segmentation_step(sample):
    # The project's own rule (select_k -> choose_k, a rank vote over silhouette,
    # Calinski-Harabasz and Davies-Bouldin), unpinned, must find the four planted groups.
    from sklearn.metrics import adjusted_rand_score
    from threadpoolctl import threadpool_limits

    from customer_behavior import segmentation

    features = _segmentation_features(sample["customers"], sample["orders"])
    assert len(features) == 5_000
    assert features.drop(columns="annual_income").notna().all().all()  # income: 1 % missing
    assert len([c for c in features if c.startswith("share_")]) == len(CHANNELS) + len(CATEGORIES)
    # one BLAS/OpenMP thread: same result, and ~8x faster than 2 threads on a busy machine
    with threadpool_limits(limits=1):
        selection = segmentation.select_k(features, range(2, 9))
        model = segmentation.fit_segments(features, 4)
    assert segmentation.choose_k(selection) == 4, selection
    best = selection.set_index("k")
    assert best.silhouette.idxmax() == 4 and best.davies_bouldin.idxmin() == 4
    assigned = segmentation.assign_segments(features, model).merge(
        sample["customers"][["customer_id", "planted_group"]], on="customer_id"
    )
    ari = adjusted_rand_score(assigned.planted_group, assigned.segment_id)
    assert ari > 0.8, (ari, pd.crosstab(assigned.planted_group, assigned.segment_id))
    # the affluent connoisseurs are the top-spending segment (id 1)
    affluent = assigned[assigned.planted_group == "affluent_connoisseurs"]
    assert affluent.segment_id.value_counts(normalize=True).loc[1] > 0.9


def test_income_rises_with_age(sample):
    c = sample["customers"]
    band = pd.cut(c.age, [17, 30, 40, 50, 60, 70])
    income = c.groupby(band, observed=True).annual_income.mean()
    assert income.is_monotonic_increasing and len(income) == 5
    for group, g in c.dropna(subset=["annual_income"]).groupby("planted_group"):
        slope = np.polyfit(g.age, g.annual_income, 1)[0]
        assert 300 < slope < 900, group  # planted +600 per year of age


def test_loyalty_score_goes_with_spend(sample):
    c = sample["customers"]
    rho = spearmanr(c.loyalty_score, c.spend).statistic
    assert 0.4 < rho < 0.7


def test_income_is_the_strongest_numeric_driver_of_spend(sample):
    c = sample["customers"].dropna(subset=["annual_income"])
    rho = {
        col: abs(spearmanr(c[col], c.spend).statistic)
        for col in ["annual_income", "age", "children", "n_orders"]
    }
    assert max(rho, key=rho.get) == "annual_income"


def test_regions_differ_in_purchase_frequency(sample):
    c = sample["customers"]
    rate = c.groupby("region").orders_per_year.mean()
    # planted North 1.25 > West 1.10 > East 1.00 > Central 0.90 > South 0.80
    assert rate.idxmax() == "North" and rate.idxmin() == "South"
    assert rate["West"] > rate["East"] > rate["Central"]
    assert 1.3 < rate["North"] / rate["South"] < 1.9  # planted 1.25 / 0.80 = 1.56


def test_each_child_lowers_spend(sample):
    c = sample["customers"].dropna(subset=["annual_income"])
    assert np.corrcoef(c.children, c.spend)[0, 1] < -0.1
    spend = c.groupby(c.children.clip(upper=4)).spend.mean()
    assert spend[0] > spend[2] > spend[3] > spend[4]
    # controlling for income, children lower spend and basket value
    X = np.column_stack([np.ones(len(c)), np.log(c.annual_income), c.children])
    spend_coef = np.linalg.lstsq(X, c.spend / c.spend.std(), rcond=None)[0][2]
    aov_coef = np.linalg.lstsq(X, np.log(c.aov), rcond=None)[0][2]
    assert spend_coef < 0
    assert aov_coef < -0.08
    # the size, inside the groups (their category mixes differ, so control for the group):
    # basket value x0.85 per child = -0.16 in log
    groups = pd.get_dummies(c.planted_group, drop_first=True).to_numpy(dtype=float)
    within = np.linalg.lstsq(np.column_stack([X, groups]), np.log(c.aov), rcond=None)[0][2]
    assert -0.22 < within < -0.10
    fam = c[c.planted_group == "budget_families"]
    slope = np.polyfit(fam.children, np.log(fam.aov), 1)[0]
    assert -0.30 < slope < -0.06


def test_wine_and_meat_lead_spend_and_gold_is_pricey_but_rare(sample):
    o = sample["orders"]
    share = o.groupby("product_category").amount.sum() / o.amount.sum()
    assert set(share.nlargest(2).index) == {"wine", "meat"}
    assert share["wine"] + share["meat"] > 0.5
    unit = (o.amount + o.discount_amount) / o.quantity
    assert unit.groupby(o.product_category).mean().idxmax() == "gold"
    assert (o.product_category == "gold").mean() < 0.07


def test_catalog_lines_are_worth_more(sample):
    o = sample["orders"]
    mean = o.groupby("channel").amount.mean()
    assert mean.idxmax() == "catalog"
    assert mean["catalog"] > 1.3 * mean.drop("catalog").max()
    # not only because rich customers use the catalog: compare lines of the same
    # customer and category (planted x1.3 = +0.26 in log amount)
    unit = np.log((o.amount + o.discount_amount) / o.quantity)
    means = unit.groupby([o.customer_id, o.product_category, o.channel == "catalog"]).mean()
    gap = means.unstack().dropna()
    assert len(gap) > 500
    assert 0.18 < (gap[True] - gap[False]).mean() < 0.34


def test_discounts_raise_volume(sample):
    o = sample["orders"]
    discounted = o.promo_code.notna()
    ratio = o.quantity[discounted].mean() / o.quantity[~discounted].mean()
    assert 1.2 < ratio < 1.45  # planted 1.3
    depth = (o.discount_amount / (o.amount + o.discount_amount))[discounted]
    assert np.allclose(
        depth.groupby(o.promo_code[discounted]).median(), [0.10, 0.20, 0.30], atol=0.01
    )
    promo_orders = (
        o.groupby("order_id")
        .promo_code.first()
        .notna()
        .groupby(o.groupby("order_id").customer_id.first())
        .mean()
    )
    by_group = promo_orders.groupby(
        sample["customers"].set_index("customer_id").planted_group
    ).mean()
    assert 0.33 < by_group["budget_families"] < 0.47 and by_group.idxmax() == "budget_families"


def test_loyalty_members_spend_more_per_order(sample):
    o = sample["orders"]
    c = sample["customers"][["customer_id", "is_loyalty_member", "planted_group"]]
    orders = o.groupby(["order_id", "customer_id"], as_index=False).amount.sum().merge(c)
    overall = orders.groupby("is_loyalty_member").amount.mean()
    assert overall[True] > 1.3 * overall[False]  # members also cluster in richer groups
    within = orders.groupby(["planted_group", "is_loyalty_member"]).amount.mean().unstack()
    ratio = within[True] / within[False]
    assert (ratio > 1.0).all() and 1.05 < ratio.mean() < 1.3  # planted 1.15


def test_over_50s_buy_less_often(sample):
    c = sample["customers"]
    full = c[c.signup_date < START]  # whole order window, so orders per year compare
    rate = full.groupby(full.age > 50).orders_per_year.mean()
    assert rate[True] < 0.9 * rate[False]
    aff = full[full.planted_group == "affluent_connoisseurs"]
    aff_rate = aff.groupby(aff.age > 50).orders_per_year.mean()
    assert 0.6 < aff_rate[True] / aff_rate[False] < 0.9  # planted 0.75


def test_seasonality(sample):
    first = sample["orders"].groupby("order_id").order_date.first()
    per_day = first.value_counts().reindex(pd.date_range(START, AS_OF), fill_value=0)
    month = per_day.groupby(per_day.index.month).mean()
    assert month[[11, 12]].mean() > 1.4 * month.drop([11, 12]).mean()
    assert month[7] < month[[4, 5, 9, 10]].min()  # summer dip
    bf = per_day["2024-11-26":"2024-12-02"].mean()
    xmas = per_day["2024-12-18":"2024-12-24"].mean()
    assert bf > 1.3 * per_day["2024-11-01":"2024-11-21"].mean()
    assert xmas > 1.3 * per_day["2024-12-01":"2024-12-14"].mean()


def test_campaign_acceptance_varies_by_group(sample):
    camp = sample["campaigns"].merge(
        sample["customers"][["customer_id", "planted_group", "signup_date"]]
    )
    assert (camp.sent_date >= camp.signup_date).all()
    rate = camp.groupby("planted_group").accepted.mean()
    assert rate["young_frugal"] < rate["budget_families"] < rate["affluent_connoisseurs"]
    assert rate["new_loyalists"] > 2 * rate["budget_families"]
    per_customer = camp.groupby("customer_id").size()
    assert per_customer.between(1, 5).all() and 1.5 < per_customer.mean() < 3.5


def test_benchmark_presets_give_about_twenty_lines_per_customer(tmp_path):
    r = generate(tmp_path, 2_000, orders_per_customer=SIZES["1m"]["orders_per_customer"])
    assert 19 < r["rows"]["orders"] / 2_000 < 21
    assert SIZES["1m"]["n_customers"] == 1_000_000
    assert SIZES["100m-lines"]["n_customers"] * 20 == 100_000_000
    assert SIZES["demo"]["n_customers"] == 2_500 and SIZES["demo"]["dirty_rate"] > 0


def test_planted_dropout_cuts_customers_short_and_keeps_the_mean(tmp_path):
    """With dropout each customer stops after a Geometric(p) number of purchases: the mean
    orders per customer is recalibrated to the target, fewer customers are still buying at
    the end of the window, and dropout 0 is the default data byte for byte."""
    def orders(name, **kw):
        generate(tmp_path / name, 2000, seed=5, orders_per_customer=6.0, fmt="parquet",
                 progress=False, **kw)
        return pd.read_parquet(tmp_path / name / "orders.parquet")

    base, zero, churn = orders("base"), orders("zero", dropout=0.0), orders("churn",
                                                                           dropout=0.1)
    pd.testing.assert_frame_equal(base, zero)
    per_customer = churn.groupby("customer_id").order_id.nunique()
    assert per_customer.mean() == pytest.approx(6.0, rel=0.05)

    def lapsed_share(lines):  # no order in the last 180 days of the window
        last = pd.to_datetime(lines.groupby("customer_id").order_date.max())
        return float((last < AS_OF - pd.Timedelta(days=180)).mean())

    assert lapsed_share(churn) > lapsed_share(base) + 0.1


def test_planted_holiday_category_multiplies_only_its_lines_on_holidays(tmp_path):
    """holiday_category_multiplier={"sweets": 3}: the sweets lines dated on a day of the
    holiday calendar carry three times the units (their amount x3 up to the cent's rounding,
    the discount with it); every other value of every table is the unplanted data's, and the
    unplanted data are the default's byte for byte."""
    from customer_behavior.reference import holiday_calendar

    def tables(name, **kw):
        generate(tmp_path / name, 1500, seed=3, fmt="parquet", progress=False, **kw)
        return {t: pd.read_parquet(tmp_path / name / f"{t}.parquet") for t in TABLES}

    base = tables("base")
    tables("empty", holiday_category_multiplier={})
    planted = tables("planted", holiday_category_multiplier={"sweets": 3.0})
    for t in TABLES:
        assert (tmp_path / "base" / f"{t}.parquet").read_bytes() == \
            (tmp_path / "empty" / f"{t}.parquet").read_bytes(), t
    pd.testing.assert_frame_equal(base["customers"], planted["customers"])
    pd.testing.assert_frame_equal(base["campaign_responses"], planted["campaign_responses"])
    a, b = base["orders"], planted["orders"]
    holidays = set(pd.to_datetime(holiday_calendar().holiday_date).dt.date)
    on = a.order_date.isin(holidays) & a.product_category.eq("sweets")
    assert on.sum() > 50 and a.order_date.isin(holidays).sum() > on.sum()
    changed = (a.fillna("-") != b.fillna("-")).any(axis=1)
    assert not (changed & ~on).any()
    assert ((b.quantity / a.quantity)[on] == 3).all()
    ratio = b.amount[on].astype(float) / a.amount[on].astype(float)
    assert ratio.between(2.98, 3.02).all() and ratio.mean() == pytest.approx(3, abs=0.002)
    unchanged = a.columns.difference(["quantity", "amount", "discount_amount"])
    pd.testing.assert_frame_equal(a[unchanged], b[unchanged])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"holiday_category_multiplier": {"candy": 3.0}},
        {"holiday_category_multiplier": {"sweets": 0.0}},
        {"holiday_category_multiplier": {"sweets": float("nan")}},
        {"fmt": "json"},
        {"seed": -1},
        {"dirty_rate": 0.9},
        {"orders_per_customer": 0.5},
        {"chunk_customers": 0},
        {"dropout": 1.0},
        {"dropout": -0.1},
        {"dropout": 0.9, "orders_per_customer": 6.0},  # such churners average ~2 orders
    ],
)
def test_bad_arguments_are_refused(tmp_path, kwargs):
    with pytest.raises(ValueError):
        generate(tmp_path, 100, **kwargs)


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------


def test_cli_help(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--help"])
    assert exc.value.code == 0
    assert "generate" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        cli.main(["generate", "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    for flag in [
        "--out",
        "--customers",
        "--size",
        "--format",
        "--seed",
        "--orders-per-customer",
        "--dirty-rate",
        "--truth",
        "--no-progress",
        "--holiday-category-multiplier",
    ]:
        assert flag in text
    assert all(name in text for name in SIZES)


def test_cli_generate_writes_data_and_manifest(tmp_path, capsys):
    out = tmp_path / "out"
    rc = cli.main(
        [
            "generate",
            "--out",
            str(out),
            "--customers",
            "300",
            "--format",
            "parquet",
            "--dirty-rate",
            "0.01",
            "--truth",
            "--no-progress",
        ]
    )
    assert rc == 0
    line = capsys.readouterr().out.strip()
    assert re.fullmatch(
        r"generated 300 customers, [\d,]+ order lines, [\d,]+ campaign "
        r"responses \(\d+ bad rows injected\) as parquet in .+ in [\d.]+ s",
        line,
    ), line
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["args"]["n_customers"] == 300
    assert manifest["args"]["seed"] == 42
    assert manifest["files"]["orders"] == "orders.parquet"
    assert manifest["rows"]["orders"] == pq.read_metadata(out / "orders.parquet").num_rows
    assert set(manifest["dirty"]) == {
        "customers.impossible_age",
        "customers.invalid_marital_status",
        "customers.income_outlier",
        "orders.negative_amount",
        "orders.unknown_customer_id",
        "orders.invalid_order_date",
        "orders.zero_quantity",
        "orders.duplicate_line",
    }
    assert (out / "customer_groups_truth.csv").exists()


def test_cli_size_preset_and_overrides(tmp_path, monkeypatch, capsys):
    import customer_behavior.generate as gen

    monkeypatch.setitem(gen.SIZES, "demo", {**gen.SIZES["demo"], "n_customers": 200})
    assert cli.main(["generate", "--size", "demo", "--out", str(tmp_path / "a")]) == 0
    manifest = json.loads((tmp_path / "a/manifest.json").read_text())
    assert manifest["args"]["dirty_rate"] == SIZES["demo"]["dirty_rate"]
    assert manifest["rows"]["customers"] == 200 and manifest["dirty"]
    assert (
        cli.main(["generate", "--size", "demo", "--dirty-rate", "0", "--out", str(tmp_path / "b")])
        == 0
    )
    assert json.loads((tmp_path / "b/manifest.json").read_text())["dirty"] == {}
    capsys.readouterr()
    with pytest.raises(SystemExit) as exc:  # --customers and --size exclude each other
        cli.main(["generate", "--size", "demo", "--customers", "5", "--out", str(tmp_path)])
    assert exc.value.code == 2
    assert (
        cli.main(["generate", "--customers", "5", "--seed", "-3", "--out", str(tmp_path / "c")])
        == 2
    )
    assert "seed" in capsys.readouterr().err
    # a planted holiday category is passed on and recorded; the default manifest has no key
    assert cli.main(["generate", "--customers", "50", "--holiday-category-multiplier",
                     "sweets=3", "--out", str(tmp_path / "d")]) == 0
    args = json.loads((tmp_path / "d/manifest.json").read_text())["args"]
    assert args["holiday_category_multiplier"] == {"sweets": 3.0}
    assert "holiday_category_multiplier" not in json.loads(
        (tmp_path / "b/manifest.json").read_text())["args"]
    with pytest.raises(SystemExit) as exc:
        cli.main(["generate", "--customers", "5", "--holiday-category-multiplier", "sweets",
                  "--out", str(tmp_path / "e")])
    assert exc.value.code == 2


def test_python_dash_m(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "customer_behavior", "generate", "--help"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and "--orders-per-customer" in done.stdout
