"""Known-answer tests: data generated with planted behaviour is built end to end (Parquet
input through DATA_DIR), and the warehouse must find what was planted."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy.stats import spearmanr
from sklearn.metrics import adjusted_rand_score
from tests.conftest import query

pytestmark = pytest.mark.integration

# generator dirt name -> the project's rejection reason
ORDER_REASONS = {
    "orders.negative_amount": "negative_amount",
    "orders.unknown_customer_id": "unknown_customer_id",
    # the fixture writes Parquet, whose date column cannot hold "2024-13-45": the generator
    # writes NULL there, which staging reports as a missing date
    "orders.invalid_order_date": "missing_order_date",
    "orders.zero_quantity": "non_positive_quantity",
    "orders.duplicate_line": "duplicate_order_line",
}


def test_every_raw_row_is_accepted_or_rejected(planted_build):
    wh, manifest = planted_build["warehouse"], planted_build["manifest"]
    rec = query(wh, "select * from marts.row_reconciliation").set_index("table_name")
    assert rec["is_reconciled"].all()
    for table, rows in manifest["rows"].items():
        assert rec.loc[table, "raw_row_count"] == rows, table
        assert rec.loc[table, "accepted_row_count"] + rec.loc[table, "rejected_row_count"] == rows


def test_rejections_match_the_planted_dirt(planted_build):
    wh, dirt = planted_build["warehouse"], planted_build["manifest"]["dirty"]
    found = query(
        wh, "select rejection_reason, count(*) as n from marts.rejected_rows "
        "where table_name = 'orders' group by 1"
    ).set_index("rejection_reason")["n"].to_dict()
    expected = {reason: dirt.get(key, 0) for key, reason in ORDER_REASONS.items() if dirt.get(key, 0)}
    assert found == expected


def test_rejected_rows_keep_their_typed_parquet_values(planted_build):
    """The Parquet path: source_values holds the file's typed values of the rejected row."""
    import datetime as dt
    import decimal
    import json

    import pyarrow.parquet as pq

    lines = pq.read_table(planted_build["data_dir"] / "orders.parquet").to_pylist()
    rejected = query(planted_build["warehouse"],
                     "select source_row_number, source_values from marts.rejected_rows "
                     "where table_name = 'orders'")
    assert len(rejected) > 5

    def plain(value):
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        return float(value) if isinstance(value, decimal.Decimal) else value

    for row in rejected.itertuples(index=False):
        got = json.loads(row.source_values)
        in_file = lines[row.source_row_number - 1]
        assert got == {k: plain(in_file[k]) for k in got}, row


def test_grains(planted_build):
    wh = planted_build["warehouse"]
    accepted = query(wh, "select accepted_row_count from marts.row_reconciliation where table_name = 'customers'")
    n_customers = int(accepted.iloc[0, 0])
    for table, key in [
        ("marts.customers", "customer_id"),
        ("marts.orders", "order_id"),
        ("marts.income_by_age_group", "age_group"),
        ("marts.purchase_frequency_by_region", "region"),
        ("segments.customer_segments", "customer_id"),
        ("segments.segment_features", "customer_id"),
    ]:
        counts = query(wh, f"select count(*) as n, count(distinct {key}) as d from {table}")
        assert counts.n[0] == counts.d[0] > 0, table
    assert query(wh, "select count(*) as n from marts.customers").n[0] == n_customers
    assert query(wh, "select count(*) as n from segments.customer_segments").n[0] == n_customers
    cells = query(wh, "select count(*) as n from marts.channel_product_spend").n[0]
    assert cells == 4 * 6  # four channels x six categories


def test_older_customers_earn_more(planted_build):
    income = query(
        planted_build["warehouse"],
        "select age_group, mean_income from marts.income_by_age_group "
        "where income_customer_count >= 30 and age_group <> 'unknown' order by age_group_order",
    )
    assert len(income) >= 4
    assert income["mean_income"].is_monotonic_increasing, income


def test_loyalty_goes_with_spend(planted_build):
    c = query(planted_build["warehouse"], "select loyalty_score, total_spend from marts.customers where loyalty_score is not null")
    rho = spearmanr(c.loyalty_score, c.total_spend).statistic
    assert 0.3 < rho < 0.85, rho


def test_regions_differ_in_purchase_frequency(planted_build):
    r = query(
        planted_build["warehouse"],
        "select region, mean_orders_per_customer from marts.purchase_frequency_by_region",
    ).set_index("region")["mean_orders_per_customer"]
    # planted order-rate multipliers: north 1.25 > west 1.10 > east 1.00 > central 0.90 > south 0.80
    assert r["north"] > r["east"] > r["south"]
    assert r["north"] / r["south"] == pytest.approx(1.25 / 0.80, rel=0.25)


def test_purchase_frequency_measures_buying_not_tenure(planted_build):
    """The generator plants each customer's order rate independently of how long ago they
    signed up, and writes orders only from 2023-01-01. Frequency over the observed window
    must therefore not fall with tenure for customers who signed up before the orders begin
    (over the whole relationship it did: Spearman rho -0.65 on the demo data), and the
    latent group planted to buy most often per year must come out highest."""
    from customer_behavior.generate import ORDER_START_DATE, TRUTH_FILE

    c = query(
        planted_build["warehouse"],
        "select customer_id, signup_date, tenure_days, order_count, purchase_frequency_per_year "
        "from marts.customers where purchase_frequency_per_year is not null",
    )
    early = c[c.signup_date < pd.Timestamp(ORDER_START_DATE)]
    assert len(early) > 1000
    assert abs(spearmanr(early.purchase_frequency_per_year, early.tenure_days).statistic) < 0.1
    # their window is the whole order period, so the rate is the count over that period
    days = query(
        planted_build["warehouse"],
        "select date_diff('day', min(order_date), max(as_of_date)) from marts.orders, "
        "intermediate.int_customers",
    ).iloc[0, 0]
    assert early.purchase_frequency_per_year.to_numpy() == pytest.approx(
        early.order_count.to_numpy() * 365.25 / days, abs=1e-6
    )
    truth = pd.read_csv(planted_build["data_dir"] / TRUTH_FILE)
    by_group = (
        c.merge(truth, on="customer_id").groupby("planted_group")["purchase_frequency_per_year"].mean()
    )
    # planted relative order rates: new_loyalists 2.8, budget_families 1.0,
    # affluent_connoisseurs 0.95, young_frugal 0.5
    assert by_group.idxmax() == "new_loyalists" and by_group.idxmin() == "young_frugal"


def test_wine_and_meat_lead_spend_and_catalog_is_worth_more(planted_build):
    wh = planted_build["warehouse"]
    cats = query(wh, "select product_category, sum(spend) as s from marts.channel_product_spend group by 1 order by 2 desc")
    assert set(cats.product_category[:2]) == {"wine", "meat"}
    line = query(
        wh, "select channel, sum(spend) / sum(order_line_count) as v from marts.channel_product_spend group by 1"
    ).set_index("channel")["v"]
    assert line["catalog"] > line["web"]


def test_children_lower_spend(planted_build):
    c = query(planted_build["warehouse"], "select children_count, total_spend from marts.customers where children_count is not null")
    by_kids = c.groupby("children_count").total_spend.mean()
    assert by_kids.loc[0] > by_kids.loc[2]
    assert spearmanr(c.children_count, c.total_spend).statistic < 0


def test_planted_groups_are_found_again(planted_build):
    wh, data_dir = planted_build["warehouse"], planted_build["data_dir"]
    truth = pd.read_csv(data_dir / "customer_groups_truth.csv")
    seg = query(wh, "select customer_id, segment_id, segment_name from segments.customer_segments")
    merged = seg.merge(truth, on="customer_id")
    ari = adjusted_rand_score(merged.planted_group, merged.segment_id)
    assert ari > 0.6, (ari, pd.crosstab(merged.planted_group, merged.segment_name))
    # the affluent connoisseurs land mostly in one segment, and it is the top-spending one (id 1)
    affluent = merged[merged.planted_group == "affluent_connoisseurs"].segment_id.value_counts(normalize=True)
    assert affluent.index[0] == 1 and affluent.iloc[0] > 0.8


def test_sql_and_python_assignments_agree_for_every_customer(planted_build):
    diff = query(
        planted_build["warehouse"],
        "select count(*) as n_customers, count(*) filter (where p.segment_id <> s.segment_id) as n_diff "
        "from segments.customer_segment_assignments p "
        "full outer join segments.segment_assignments_sql s using (customer_id)",
    )
    assert diff.n_customers[0] > 0 and diff.n_diff[0] == 0


def test_segment_profiles_are_named(planted_build):
    prof = query(planted_build["warehouse"], "select * from segments.segment_profiles order by segment_id")
    assert list(prof.segment_id) == [1, 2, 3, 4]
    assert prof.segment_name.is_unique and prof.segment_name.str.len().gt(3).all()
    assert prof.recommendation.str.len().gt(20).all()
    assert prof.customer_share.sum() == pytest.approx(1.0)
    assert prof.mean_total_spend.is_monotonic_decreasing  # stable ids: ordered by spend
