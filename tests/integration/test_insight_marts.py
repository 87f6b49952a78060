"""Known-answer tests for the insight marts (models/marts/insights) and the analyses/ queries.

The planted build (tests/conftest.py: generated Parquet data with planted behaviour, k pinned
to 4) is shared by the session. Each test compares a mart with what was planted in the
generator (customer_behavior.generate.PLANTED) or with the same number computed
independently in pandas / scipy from the core marts.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import pearsonr, spearmanr
from tests.conftest import HOLIDAY_PLANTED_CATEGORY, HOLIDAY_PLANTED_FACTOR, query, run_dbt

pytestmark = pytest.mark.integration

# mart -> its key (one row per key)
GRAINS = {
    "loyalty_vs_spend": ["age_group"],
    "spend_by_loyalty_band": ["loyalty_band"],
    "demographic_spend": ["dimension", "dimension_value"],
    "customer_demographics_distribution": ["variable", "bin_order"],
    "spend_by_age_group_and_gender": ["age_group", "gender"],
    "category_demand": ["product_category"],
    "product_demand": ["product_category", "product_id"],
    "category_demand_by_segment": ["segment_id", "product_category"],
    "category_demand_by_spend_decile": ["spend_decile", "product_category"],
    "product_demand_by_segment": ["segment_id", "product_category", "product_id"],
    "promotion_impact": ["discount_band"],
    "promotion_impact_by_month": ["order_month"],
    "loyalty_membership_spend": ["membership_status"],
    "seasonal_sales": ["order_month"],
    "sales_by_season": ["season"],
    "holiday_sales": ["holiday_name"],
    "category_holiday_demand": ["holiday_name", "product_category"],
    "repeat_purchase": ["grouping", "grouping_value"],
    "revenue_concentration": ["spend_decile"],
    "revenue_concentration_summary": ["customer_count"],
    "campaign_response": ["campaign_id", "grouping", "grouping_value"],
    "segment_monthly_sales": ["segment_id", "order_month"],
    "segment_value": ["segment_id"],
}

ANALYSES = {
    "rq1_demographic_drivers",
    "rq2_seasonal_and_promotional_effects",
    "rq3_repeat_purchase_segments",
    "h1_discounts_and_volume",
    "h2_loyalty_members_spend",
    "h3_over_50_frequency",
    "top_customers",
    "segment_comparison",
}


@pytest.fixture(scope="module")
def wh(planted_build):
    return planted_build["warehouse"]


@pytest.fixture(scope="module")
def customers(wh):
    return query(wh, "select * from marts.customers")


def mart(wh, name: str, order_by: str | None = None) -> pd.DataFrame:
    sql = f"select * from marts.{name}"
    return query(wh, sql + (f" order by {order_by}" if order_by else ""))


@pytest.mark.parametrize("name", sorted(GRAINS))
def test_one_row_per_grain_with_a_description(wh, name):
    frame = mart(wh, name)
    assert len(frame) > 0, name
    assert not frame.duplicated(GRAINS[name]).any(), name
    comment = query(
        wh,
        f"select comment from duckdb_tables() where schema_name = 'marts' and table_name = '{name}'",
    ).comment[0]
    assert comment and len(comment) > 40, name


def test_loyalty_vs_spend_matches_scipy(wh, customers):
    lvs = mart(wh, "loyalty_vs_spend").set_index("age_group")
    scored = customers.dropna(subset=["loyalty_score"])
    spend = scored.total_spend.astype(float)
    everyone = lvs.loc["all"]
    assert everyone.scope == "all"
    assert everyone.customer_count == len(customers)
    assert everyone.spearman_correlation == pytest.approx(
        spearmanr(scored.loyalty_score, spend).statistic, abs=1e-6
    )
    assert everyone.pearson_correlation == pytest.approx(
        pearsonr(scored.loyalty_score, spend).statistic, abs=1e-6
    )
    # planted: loyalty = f(log expected spend) + noise, Spearman with realised spend ~0.55
    assert 0.4 < everyone.spearman_correlation < 0.7
    for age_group, group in scored.groupby("age_group"):
        if len(group) >= 30:
            expected = spearmanr(group.loyalty_score, group.total_spend.astype(float)).statistic
            assert lvs.loc[age_group, "spearman_correlation"] == pytest.approx(expected, abs=1e-6)
    assert lvs.loc[lvs.scope == "age_group", "customer_count"].sum() == len(customers)


def test_spend_rises_with_loyalty_band(wh, customers):
    bands = mart(wh, "spend_by_loyalty_band", "loyalty_band_order")
    known = bands[bands.loyalty_band != "unknown"]
    assert list(known.loyalty_band) == ["1-2", "3-4", "5-6", "7-8", "9-10"]
    assert known.mean_total_spend.is_monotonic_increasing, known
    assert bands.customer_count.sum() == len(customers)
    # the band edges: 2.9 -> 1-2, 3.0 -> 3-4, 10 -> 9-10
    scored = customers.dropna(subset=["loyalty_score"])
    expected = np.minimum(np.floor((scored.loyalty_score - 1) / 2) + 1, 5)
    counts = expected.value_counts().sort_index()
    assert list(known.customer_count) == list(counts)


def test_demographic_spend_adds_up_and_matches_pandas(wh, customers):
    demo = mart(wh, "demographic_spend")
    dims = {"gender", "marital_status", "education", "occupation", "state", "region", "age_group"}
    assert set(demo.dimension) == dims
    for dim, rows in demo.groupby("dimension"):
        assert rows.customer_count.sum() == len(customers), dim
        assert rows.revenue_share.sum() == pytest.approx(1, abs=1e-4), dim
    region = demo[demo.dimension == "region"].set_index("dimension_value")
    expected = customers.groupby("region").total_spend.apply(lambda s: s.astype(float).mean())
    for value, mean in expected.items():
        assert region.loc[value, "mean_total_spend"] == pytest.approx(mean, abs=0.006)
    # planted: older customers earn more and income drives spend
    ages = demo[(demo.dimension == "age_group") & (demo.dimension_value != "unknown")]
    ages = ages.sort_values("dimension_value_order")
    assert ages.mean_total_spend.iloc[-1] > 3 * ages.mean_total_spend.iloc[0]
    grid = mart(wh, "spend_by_age_group_and_gender")
    assert grid.customer_count.sum() == len(customers)
    assert grid.revenue_share.sum() == pytest.approx(1, abs=1e-4)


def test_income_drives_spend_with_outlier_incomes_left_out(wh, customers):
    """Document 004: income is the strongest predictor of spend (planted). The generator
    also plants 666,666 incomes as dirt; they are flagged, and the statistics leave them out
    as the income marts do. Kept in, two such incomes among 2,500 demo customers turned the
    strongest driver into age and put income's interval across zero."""
    outlier = customers.is_income_outlier.eq(True)
    assert outlier.sum() >= 1
    assert customers.annual_income[outlier].astype(float).min() > 500_000
    clean = customers[~outlier & customers.annual_income.notna()]
    drivers = mart(wh, "spend_drivers").set_index("predictor")
    ran = drivers[drivers.status == "ran"]
    assert ran.standardized_beta.abs().idxmax() == "annual_income"
    assert ran.ci_low["annual_income"] > 0
    # complete cases of the income customers only: no outlier among them
    assert ran.n.max() <= len(clean)
    corr = mart(wh, "customer_correlations").set_index(["var_x", "var_y"])
    row = corr.loc[("annual_income", "total_spend")]
    assert row.n == len(clean)
    assert row.pearson == pytest.approx(
        pearsonr(clean.annual_income.astype(float), clean.total_spend.astype(float)).statistic,
        abs=1e-4,
    )
    tests = mart(wh, "hypothesis_tests").set_index("test_id")
    assert tests.status["income_spend"] == "ran"
    assert tests.n_a["income_spend"] == len(clean)


def test_wine_and_meat_lead_category_demand(wh, customers):
    cats = mart(wh, "category_demand", "spend_rank").set_index("product_category")
    assert list(cats.index[:2]) == ["wine", "meat"]
    # planted shares of spend: wine ~39 %, meat ~33 %
    assert cats.loc["wine", "spend_share"] == pytest.approx(0.39, abs=0.05)
    assert cats.loc["meat", "spend_share"] == pytest.approx(0.33, abs=0.05)
    assert cats.spend_share.sum() == pytest.approx(1, abs=1e-4)
    assert cats.spend.sum() == pytest.approx(customers.total_spend.astype(float).sum(), abs=0.01)
    buyers = query(
        wh,
        "select product_category, count(distinct customer_id) as n "
        "from intermediate.int_order_lines group by 1",
    ).set_index("product_category")["n"]
    for category, n in buyers.items():
        assert cats.loc[category, "customer_count"] == n
        assert cats.loc[category, "penetration"] == pytest.approx(n / len(customers), abs=1e-6)
    # gold: highest unit price, rarely bought
    assert cats.mean_unit_price.idxmax() == "gold"
    assert cats.loc["gold", "quantity_share"] < 0.06


def test_product_demand_ranks_within_category(wh):
    products = mart(wh, "product_demand")
    for category, rows in products.groupby("product_category"):
        rows = rows.sort_values("spend_rank_in_category")
        assert list(rows.spend_rank_in_category) == list(range(1, len(rows) + 1)), category
        assert rows.spend.is_monotonic_decreasing, category
    cats = mart(wh, "category_demand").set_index("product_category")
    totals = products.groupby("product_category").spend.sum()
    for category, spend in totals.items():
        assert round(spend, 2) == cats.loc[category, "spend"]  # pandas sums money as floats


def test_category_demand_by_segment_lift(wh):
    cells = mart(wh, "category_demand_by_segment")
    n_segments = cells.segment_id.nunique()
    assert n_segments == 4 and len(cells) == 4 * 6  # k pinned to 4, six categories
    for segment, rows in cells.groupby("segment_id"):
        assert rows.share_of_segment_spend.sum() == pytest.approx(1, abs=1e-4), segment
    # segment 1 (highest spend; the planted affluent connoisseurs) leans towards wine
    wine = cells[(cells.segment_id == 1) & (cells.product_category == "wine")].iloc[0]
    assert wine.spend_share_index > 1.05 and wine.spend_rank_in_segment == 1


def test_product_demand_by_segment_adds_up_to_the_segments_categories(wh):
    """Summed over a segment's products, spend and units equal what the segment spent on
    each category (category_demand_by_segment, built from the customer x category block);
    shares sum to 1 per segment, and the best seller of the planted wine-loving segment is
    a wine."""
    products = mart(wh, "product_demand_by_segment")
    lines_without_product = query(wh, "select count(*) as n from intermediate.int_order_lines_checked "
                                      "where rejection_reason is null and product_id is null").n[0]
    assert lines_without_product == 0  # the generator gives every line a product
    summed = (products.groupby(["segment_id", "product_category"])[["spend", "quantity"]].sum()
              .sort_index())
    cats = (mart(wh, "category_demand_by_segment").set_index(["segment_id", "product_category"])
            [["spend", "quantity"]].sort_index())
    cats = cats[cats.spend > 0]
    pd.testing.assert_frame_equal(summed, cats, check_dtype=False, atol=0.01)
    for segment, rows in products.groupby("segment_id"):
        assert rows.share_of_segment_spend.sum() == pytest.approx(1, abs=1e-3), segment
        assert sorted(rows.spend_rank_in_segment) == list(range(1, len(rows) + 1)), segment
    best = products[(products.segment_id == 1) & (products.spend_rank_in_segment == 1)].iloc[0]
    assert best.product_category == "wine"


def test_category_demand_by_spend_decile_recomputed_in_pandas(wh):
    """Deciles of customers by total spend (ties by customer_id), each decile's spend per
    category and its share, recomputed in pandas from the customers mart and the customer x
    category block; the planted affluent wine lovers make wine the top decile's largest
    category, over-represented against all customers."""
    cells = mart(wh, "category_demand_by_spend_decile").astype({"spend_decile": "int64"})
    customers = query(wh, "select customer_id, total_spend::double as total_spend "
                          "from marts.customers")
    customers = customers.sort_values(["total_spend", "customer_id"],
                                      ascending=[False, True]).reset_index(drop=True)
    n = len(customers)
    # ntile(10): the first n % 10 deciles hold one customer more
    sizes = [n // 10 + (1 if d < n % 10 else 0) for d in range(10)]
    customers["spend_decile"] = np.repeat(np.arange(1, 11), sizes)
    spend = query(wh, "select customer_id, product_category, spend::double as spend "
                      "from intermediate.int_customer_category_spend")
    joined = spend.merge(customers[["customer_id", "spend_decile"]], on="customer_id")
    expected = joined.groupby(["spend_decile", "product_category"]).spend.sum()
    got = cells.set_index(["spend_decile", "product_category"]).spend.astype(float)
    pd.testing.assert_series_equal(got[got > 0].sort_index(), expected[expected > 0].sort_index(),
                                   check_names=False, atol=0.01)
    sizes_got = cells.groupby("spend_decile").decile_customer_count.first()
    assert sizes_got.tolist() == sizes
    share = expected / expected.groupby(level=0).transform("sum")
    assert cells.set_index(["spend_decile", "product_category"]).share_of_decile_spend.loc[
        share.index].to_numpy() == pytest.approx(share.to_numpy(), abs=1e-6)
    top = cells[cells.spend_decile == 1].set_index("product_category")
    assert top.spend_rank_in_decile.idxmin() == "wine" and top.loc["wine", "spend_share_index"] > 1.1


def test_discounts_raise_units_and_land_in_their_bands(wh):
    bands = mart(wh, "promotion_impact", "discount_band_order").set_index("discount_band")
    assert list(bands.index) == ["full price", "1-10 %", "11-20 %", "21-30 %", "over 30 %"]
    full = bands.loc["full price"]
    # planted depths 10 / 20 / 30 %: each lands whole in its own band despite cent rounding
    for band, depth in [("1-10 %", 0.10), ("11-20 %", 0.20), ("21-30 %", 0.30)]:
        row = bands.loc[band]
        assert row.order_count > 50, band
        assert row.mean_discount_rate == pytest.approx(depth, abs=0.001), band
        # planted: discounted lines carry 1.3x the mean quantity
        assert row.mean_units_per_line / full.mean_units_per_line == pytest.approx(1.3, abs=0.1)
        assert row.mean_units_per_order > full.mean_units_per_order
    assert bands.loc["over 30 %", "order_count"] == 0
    orders = query(wh, "select discount_rate, is_discounted from marts.orders")
    assert bands.order_count.sum() == len(orders)
    assert bands.loc["full price", "order_count"] == (~orders.is_discounted).sum()
    assert bands.order_share.sum() == pytest.approx(1, abs=1e-4)
    assert bands.revenue_share.sum() == pytest.approx(1, abs=1e-4)
    monthly = mart(wh, "promotion_impact_by_month")
    assert monthly.order_count.sum() == len(orders)
    assert (monthly.discounted_units_per_line > monthly.full_price_units_per_line).all()


def test_members_spend_more_than_non_members(wh, customers):
    status = mart(wh, "loyalty_membership_spend").set_index("membership_status")
    member, non_member = status.loc["member"], status.loc["non-member"]
    assert member.mean_total_spend > non_member.mean_total_spend
    assert member.median_total_spend > non_member.median_total_spend
    # planted: members' baskets are 1.15x; members are also over-represented among big spenders
    assert member.mean_order_value > 1.15 * non_member.mean_order_value
    assert status.customer_count.sum() == len(customers)
    members = customers[customers.is_loyalty_member.eq(True)]
    assert member.customer_count == len(members)
    assert member.mean_total_spend == pytest.approx(
        members.total_spend.astype(float).mean(), abs=0.006
    )
    assert 0 <= member.repeat_rate <= 1 and 0 <= non_member.repeat_rate <= 1


def test_november_and_december_peak(wh):
    months = mart(wh, "seasonal_sales", "order_month")
    assert months.month_of_year.between(1, 12).all()
    for year, rows in months.groupby("order_year"):
        rows = rows.set_index("month_of_year")
        assert rows.revenue_index_within_year.mean() == pytest.approx(1, abs=1e-3)
        if {11, 12} <= set(rows.index):
            # planted: Nov-Dec ~1.45-1.6x the daily orders of the rest of the year
            assert rows.loc[11, "revenue_index_within_year"] > 1.15, year
            assert rows.loc[12, "revenue_index_within_year"] > 1.15, year
            assert (
                rows.loc[[11, 12], "orders_per_day"].mean()
                > 1.3 * rows.loc[[m for m in rows.index if m < 11], "orders_per_day"].mean()
            ), year
    last_year = months[months.order_year == months.order_year.max()]
    assert set(last_year.nlargest(2, "revenue").month_of_year) == {11, 12}
    # First orders in the data, recounted: the generator's customers signed up before its
    # order window opens, so its first months hold most of them; the planted Nov-Dec peak
    # is season, not arrivals.
    orders = query(wh, "select customer_id, order_date, amount from marts.orders")
    first = orders[orders.order_date == orders.groupby("customer_id").order_date.transform("min")]
    per_month = first.groupby(pd.to_datetime(first.order_date).dt.to_period("M")).size()
    assert months.first_order_count.sum() == len(first)
    assert dict(zip(pd.to_datetime(months.order_month).dt.to_period("M"),
                    months.first_order_count, strict=True)) == per_month.reindex(
        pd.to_datetime(months.order_month).dt.to_period("M"), fill_value=0).to_dict()
    assert months.iloc[0].first_order_share > 0.5
    assert (months[months.month_of_year >= 11].first_order_share < 0.25).all()
    seasons = mart(wh, "sales_by_season").set_index("season")
    assert set(seasons.index) == {"winter", "spring", "summer", "autumn"}
    assert seasons.orders_per_day_index.idxmax() == "autumn"
    assert seasons.loc["summer", "orders_per_day_index"] < 1  # planted summer dip
    assert seasons.order_count.sum() == months.order_count.sum()


def test_holiday_sales_recover_the_planted_peaks(wh):
    holidays = mart(wh, "holiday_sales").set_index("holiday_name")
    assert holidays.loc["no holiday", "orders_per_day_index"] == 1
    assert not holidays.loc["no holiday", "is_holiday"]
    # planted: x1.6 in Black Friday week on top of the November peak; Christmas Day x0.3
    assert holidays.loc["Black Friday", "orders_per_day_index"] > 1.5
    assert holidays.loc["Christmas Day", "orders_per_day_index"] < 0.7
    # two years of data: every holiday of the calendar falls twice inside the range
    span = query(wh, "select min(order_date) as a, max(order_date) as b from marts.orders")
    days = (span.b[0] - span.a[0]).days + 1
    assert holidays.day_count.sum() == days
    assert holidays.order_count.sum() == len(query(wh, "select order_id from marts.orders"))


def test_repeat_purchase_matches_pandas(wh, customers):
    rp = mart(wh, "repeat_purchase")
    assert rp.repeat_rate.between(0, 1).all()
    assert set(rp.grouping) == {"all", "age_group", "segment"}
    everyone = rp[rp.grouping == "all"].iloc[0]
    buying = customers[customers.order_count > 0]
    assert everyone.repeat_rate == pytest.approx((buying.order_count > 1).mean(), abs=1e-6)
    orders = query(wh, "select customer_id, order_id, order_date from marts.orders")
    orders = orders.sort_values(["customer_id", "order_date", "order_id"])
    gaps = orders.groupby("customer_id").order_date.diff().dropna().dt.days
    assert everyone.order_gap_count == len(gaps)
    assert everyone.median_days_between_orders == pytest.approx(gaps.median(), abs=0.01)
    assert everyone.mean_days_between_orders == pytest.approx(gaps.mean(), abs=0.006)
    for grouping in ("age_group", "segment"):
        assert rp[rp.grouping == grouping].customer_count.sum() == len(customers), grouping
    # planted: over-50s buy less often -> longer gaps for the oldest band than for 31-40
    ages = rp[rp.grouping == "age_group"].set_index("grouping_value")
    assert (
        ages.loc["61-70", "median_days_between_orders"]
        > ages.loc["31-40", "median_days_between_orders"]
    )


def test_revenue_concentration_matches_pandas(wh, customers):
    deciles = mart(wh, "revenue_concentration", "spend_decile")
    summary = mart(wh, "revenue_concentration_summary").iloc[0]
    assert list(deciles.spend_decile) == list(range(1, 11))
    assert deciles.revenue_share.sum() == pytest.approx(1, abs=1e-5)
    assert deciles.cumulative_revenue_share.iloc[-1] == pytest.approx(1, abs=1e-9)
    assert deciles.cumulative_customer_share.iloc[-1] == pytest.approx(1, abs=1e-9)
    assert deciles.revenue_share.is_monotonic_decreasing
    assert deciles.customer_count.sum() == len(customers)

    spend = (
        customers.assign(s=customers.total_spend.astype(float))
        .sort_values(["s", "customer_id"], ascending=[False, True])
        .s.to_numpy()
    )
    n, total = len(spend), spend.sum()
    top10 = spend[: math.ceil(0.1 * n)].sum() / total
    top20 = spend[: math.ceil(0.2 * n)].sum() / total
    assert summary.top_10_pct_revenue_share == pytest.approx(top10, abs=1e-6)
    assert summary.top_20_pct_revenue_share == pytest.approx(top20, abs=1e-6)
    assert deciles.revenue_share.iloc[0] == pytest.approx(top10, abs=1e-6)
    ascending = np.sort(spend)
    gini = 2 * np.sum(np.arange(1, n + 1) * ascending) / (n * total) - (n + 1) / n
    assert summary.gini_coefficient == pytest.approx(gini, abs=1e-6)
    cumulative = np.cumsum(spend) / total
    assert summary.customer_share_for_50_pct_revenue == pytest.approx(
        (np.argmax(cumulative >= 0.5) + 1) / n, abs=1e-6
    )
    assert summary.customer_share_for_80_pct_revenue == pytest.approx(
        (np.argmax(cumulative >= 0.8) + 1) / n, abs=1e-6
    )
    # source document 004: a small top tier holds a large share
    assert summary.top_10_pct_revenue_share > 0.25


def test_campaign_response_consistent_with_counts(wh):
    cr = mart(wh, "campaign_response")
    assert (cr.response_rate - cr.customers_accepted / cr.customers_sent).abs().max() < 1e-6
    raw = query(
        wh,
        "select campaign_id, count(*) as sent, count(*) filter (where is_accepted) as accepted "
        "from intermediate.int_campaign_responses_checked where rejection_reason is null "
        "group by 1",
    ).set_index("campaign_id")
    everyone = cr[cr.grouping == "all"].set_index("campaign_id")
    assert set(everyone.index) == set(raw.index)
    for campaign, row in raw.iterrows():
        assert everyone.loc[campaign, "customers_sent"] == row.sent
        assert everyone.loc[campaign, "customers_accepted"] == row.accepted
        segments = cr[(cr.grouping != "all") & (cr.campaign_id == campaign)]
        assert segments.customers_sent.sum() == row.sent
        assert segments.customers_accepted.sum() == row.accepted
    # planted: the affluent connoisseurs (segment 1) accept ~28 %, about twice the average
    top = cr[(cr.grouping == "segment") & (cr.grouping_value == "1")]
    assert (top.response_index > 1.5).all(), top


def test_analyses_compile_and_return_rows(planted_build, tmp_path_factory):
    """`dbt compile` the analyses into their own target folder, then run every compiled query
    against the built warehouse. Compiled SQL names relations "<file stem>"."<schema>"...,
    so the compile warehouse is a scratch file with the same stem as the built one."""
    built = planted_build["warehouse"]
    scratch = tmp_path_factory.mktemp("analyses") / built.name
    run_dbt(
        ["compile", "--select", "resource_type:analysis"],
        scratch,
        {"data_dir": str(planted_build["data_dir"]), "segment_k": 4},
    )
    compiled = (
        scratch.parent / f"target-{scratch.stem}" / "compiled" / "customer_behavior" / "analyses"
    )
    files = {path.stem: path for path in compiled.glob("*.sql")}
    assert ANALYSES <= set(files), sorted(files)
    for name, path in sorted(files.items()):
        result = query(built, path.read_text())
        assert len(result) > 0, name
        assert not result.isna().all().any(), (name, result.columns[result.isna().all()].tolist())
    top = query(built, files["top_customers"].read_text())
    assert len(top) == 20 and top.total_spend.is_monotonic_decreasing
    assert top.segment_name.notna().all()
    h2 = query(built, files["h2_loyalty_members_spend"].read_text()).iloc[0]
    assert bool(h2.members_spend_more)
    h3 = query(built, files["h3_over_50_frequency"].read_text()).set_index("age_class")
    assert (
        h3.loc["over 50", "mean_purchase_frequency_per_year"]
        < h3.loc["50 and under", "mean_purchase_frequency_per_year"]
    )


def test_segment_value_finds_the_new_customers_future(wh, planted_build):
    """Known answer: the generator's new loyalists sign up in the window's last eight months
    and buy often, so they have had little time to spend. The segment holding most of them is
    the one whose expected next 12 months are largest against its past spend (more than
    the past itself), and it holds a larger share of the expected value than of past spend.
    Totals are checked against customer_lifetime_value summed independently in pandas."""
    from customer_behavior.generate import TRUTH_FILE

    value = mart(wh, "segment_value", "segment_id").set_index("segment_id")
    truth = pd.read_csv(planted_build["data_dir"] / TRUTH_FILE)
    segments = query(wh, "select customer_id, segment_id from segments.customer_segments")
    new = segments.merge(truth, on="customer_id").query("planted_group == 'new_loyalists'")
    new_segment = new.segment_id.mode()[0]
    ratio = value.predicted_to_historical_ratio
    assert ratio.idxmax() == new_segment
    assert ratio[new_segment] > 1
    assert value.predicted_value_share[new_segment] > value.historical_value_share[new_segment]
    clv = query(wh, "select c.*, s.segment_id from marts.customer_lifetime_value c "
                    "join segments.customer_segments s using (customer_id)")
    by_segment = clv.groupby("segment_id").agg(
        n=("customer_id", "size"), predicted=("predicted_clv_horizon", "sum"),
        lapsed=("p_alive", lambda p: int((p < 0.5).sum())),
        no_repeat=("repeat_purchase_weeks", lambda x: int((x == 0).sum())))
    assert (value.customer_count == by_segment.n).all()
    assert (value.likely_lapsed_customer_count == by_segment.lapsed).all()
    assert (value.no_repeat_customer_count == by_segment.no_repeat).all()
    assert by_segment.no_repeat.sum() > 0
    np.testing.assert_allclose(value.predicted_value, by_segment.predicted, atol=0.006)


def test_segment_monthly_sales_shows_when_the_new_customers_arrive(wh, planted_build, tmp_path):
    """Known answer: the generator's new loyalists sign up from May 2024 on. The segment
    holding most of them has almost no revenue before then and a large share of the last
    months, and the report names it as the segment whose share of revenue grew most. Every
    cell is recomputed in pandas from marts.orders and the segments."""
    from customer_behavior.generate import PLANTED, TRUTH_FILE

    cells = mart(wh, "segment_monthly_sales", "segment_id, order_month")
    orders = query(wh, "select o.order_month, o.customer_id, o.amount, s.segment_id "
                       "from marts.orders o join segments.customer_segments s "
                       "using (customer_id) where o.order_month is not null")
    expected = orders.groupby(["segment_id", "order_month"]).agg(
        order_count=("amount", "size"), customer_count=("customer_id", "nunique"),
        revenue=("amount", "sum")).reset_index()
    expected["share"] = expected.revenue / expected.groupby("order_month").revenue.transform("sum")
    merged = cells.merge(expected, on=["segment_id", "order_month"], how="outer",
                         suffixes=("", "_pandas"), indicator=True)
    assert (merged["_merge"] == "both").all()
    assert (merged.order_count == merged.order_count_pandas).all()
    assert (merged.customer_count == merged.customer_count_pandas).all()
    np.testing.assert_allclose(merged.revenue.astype(float), merged.revenue_pandas.astype(float),
                               atol=0.006)
    np.testing.assert_allclose(merged.share_of_month_revenue, merged.share, atol=1e-6)

    truth = pd.read_csv(planted_build["data_dir"] / TRUTH_FILE)
    segments = query(wh, "select customer_id, segment_id, segment_name "
                         "from segments.customer_segments")
    new = segments.merge(truth, on="customer_id").query("planted_group == 'new_loyalists'")
    new_segment = new.segment_id.mode()[0]
    arrival = pd.Timestamp(PLANTED["groups"]["new_loyalists"]["signup_range"][0])
    mine = cells[cells.segment_id == new_segment].set_index("order_month")
    before = mine[pd.to_datetime(mine.index) < arrival]
    assert (before.share_of_month_revenue < 0.05).all(), before
    assert mine.share_of_month_revenue.iloc[-3:].min() > 0.2
    from customer_behavior.report import build_report

    build_report(wh, tmp_path / "report")
    text = (tmp_path / "report" / "report.md").read_text()
    name = segments.loc[segments.segment_id == new_segment, "segment_name"].iloc[0]
    assert f"Comparing the first 12 months with the last 12: _{name}_ went from" in text


def test_month_indices_are_per_day_so_short_and_partial_months_are_not_weak(tmp_path):
    """Known answer: the same revenue every day from 1 January to 10 March 2024. Per day,
    every month is an average month (index 1); per month they read ×1.33, ×1.24 (February's
    29 days) and ×0.43 (the ten days of March): a 'weakest month' made of the calendar and
    the export's last day."""
    data = tmp_path / "data"
    data.mkdir()
    pd.DataFrame({"customer_id": ["C1", "C2", "C3"]}).to_csv(data / "customers.csv", index=False)
    days = pd.date_range("2024-01-01", "2024-03-10", freq="D")
    pd.DataFrame({
        "order_id": [f"O{i}" for i in range(len(days))],
        "customer_id": [f"C{1 + i % 3}" for i in range(len(days))],
        "order_date": days.strftime("%Y-%m-%d"),
        "product_category": "wine",
        "amount": "10.00",
    }).to_csv(data / "orders.csv", index=False)
    warehouse = tmp_path / "flat.duckdb"
    run_dbt(["build", "--select", "+seasonal_sales", "--indirect-selection", "cautious"],
            warehouse, {"data_dir": str(data)})
    months = query(warehouse, "select month_of_year, day_count, revenue, revenue_index, "
                              "revenue_index_within_year from marts.seasonal_sales order by 1")
    assert months.day_count.tolist() == [31, 29, 10]
    assert months.revenue.astype(float).tolist() == [310.0, 290.0, 100.0]
    assert months.revenue_index.tolist() == [1.0, 1.0, 1.0]
    assert months.revenue_index_within_year.tolist() == [1.0, 1.0, 1.0]


def _season(dates: pd.Series) -> np.ndarray:
    """The meteorological season of each date, as macros/season_of.sql names it."""
    month = pd.to_datetime(dates).dt.month
    return np.select([month.isin([12, 1, 2]), month.isin([3, 4, 5]), month.isin([6, 7, 8])],
                     ["winter", "spring", "summer"], "autumn")

def test_every_category_peaks_in_autumn_as_planted(wh):
    """The generator plants a November-December peak for every purchase; per day of the
    season, each category's autumn is its strongest season, and its seasons add up to it."""
    cells = mart(wh, "category_seasonal_demand", "product_category, season_order")
    assert set(cells.season) == {"winter", "spring", "summer", "autumn"}
    for category, rows in cells.groupby("product_category"):
        rows = rows.set_index("season")
        assert rows.seasonal_index.idxmax() == "autumn", category
        assert rows.loc["autumn", "seasonal_index"] > 1.1, category
        assert rows.spend_share_of_category.sum() == pytest.approx(1, abs=1e-5)
    # spend per day recomputed from the order lines
    lines = query(wh, "select order_date, product_category, amount from intermediate.int_order_lines")
    lines["season"] = _season(lines.order_date)
    spend = lines.groupby(["season", "product_category"]).amount.sum().astype(float)
    got = cells.set_index(["season", "product_category"])
    for key, value in spend.items():
        assert float(got.loc[key, "spend"]) == pytest.approx(value, abs=0.005), key
        assert got.loc[key, "spend_per_day"] == pytest.approx(value / got.loc[key, "day_count"],
                                                              abs=0.006), key



def test_seasonal_test_counted_by_customer_recomputed_from_the_lines(wh):
    """hypothesis_tests' seasonal row counted by customer (Rao-Scott) is what the order
    lines give when pandas counts each customer's lines per season and category."""
    from customer_behavior import statistics as st

    lines = query(wh, "select customer_id, order_date, product_category "
                      "from intermediate.int_order_lines")
    lines["season"] = _season(lines.order_date)
    units = (lines.groupby(["customer_id", "season", "product_category"]).size()
             .rename("count").reset_index().rename(columns={"customer_id": "cluster"}))
    table = pd.crosstab(lines.season, lines.product_category)
    cells = pd.DataFrame({"season": np.repeat(table.index.to_numpy(), table.shape[1]),
                          "product_category": np.tile(table.columns.to_numpy(),
                                                      table.shape[0])})
    expected = st.rao_scott_independence(table.to_numpy(), *st.cell_count_cross(units, cells))
    row = mart(wh, "hypothesis_tests").set_index("test_id").loc["seasonal_category_demand"]
    assert row.clusters == lines.customer_id.nunique() == expected["clusters"]
    assert row.p_value_clustered == pytest.approx(expected["p_value"], rel=1e-6)
    assert "Rao-Scott second-order correction" in row.caveat
    assert pd.isna(row.ci_low_clustered)

def test_category_lift_by_region_matches_pandas(wh):
    cells = mart(wh, "category_demand_by_region").set_index(["region", "product_category"])
    spend = query(wh, "select c.region, s.product_category, s.spend from "
                      "intermediate.int_customer_category_spend s "
                      "join marts.customers c using (customer_id)")
    spend["spend"] = spend.spend.astype(float)
    cell = spend.groupby(["region", "product_category"]).spend.sum()
    in_region = cell / cell.groupby(level="region").transform("sum")
    overall = spend.groupby("product_category").spend.sum() / spend.spend.sum()
    lift = in_region / overall.reindex(cell.index.get_level_values("product_category")).to_numpy()
    assert len(cells) == len(cell)
    for key in cell.index:
        assert cells.loc[key, "spend_share_in_region"] == pytest.approx(in_region[key], abs=1e-6)
        assert cells.loc[key, "lift"] == pytest.approx(lift[key], abs=1e-4)
    ranks = cells.reset_index().groupby("region").spend_rank_in_region
    assert (ranks.min() == 1).all()


# --- who the customers are (marts.customer_demographics_distribution) ---------------------

DISTRIBUTION_VARIABLES = ["age", "annual_income", "household_size", "children_count",
                          "marital_status", "education", "gender"]


def _nice_income_width(lowest: float, highest: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k at least a tenth of the income range (the mart's
    rule, written again here)."""
    least = (highest - lowest) / 10 if highest > lowest else (highest / 10 if highest > 0 else 1)
    magnitude = 10.0 ** math.floor(math.log10(least))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if least <= m * magnitude)


def _expected_bins(customers: pd.DataFrame) -> dict[str, pd.Series]:
    """Each customer's bin label per variable, worked out in pandas from marts.customers
    (NaN = unknown, 'outlier' = a flagged income)."""
    c = customers
    income = c.annual_income.astype(float)
    normal = income[~c.is_income_outlier.astype(bool)].dropna()
    width = _nice_income_width(normal.min(), normal.max())
    start = math.floor(normal.min() / width) * width
    lower = start + np.floor((income - start) / width) * width
    income_label = [
        np.nan if pd.isna(i) else "outlier" if out else f"{int(lo):,}–{int(lo + width):,}"
        for i, out, lo in zip(income, c.is_income_outlier.astype(bool), lower, strict=True)
    ]
    adults = c.marital_status.map({"married": 2, "together": 2, "single": 1, "divorced": 1,
                                   "widowed": 1})
    household = adults + c.children_count
    return {
        "age": c.age_group.where(c.age_group != "unknown"),
        "annual_income": pd.Series(income_label, index=c.index),
        "household_size": household.map(lambda h: np.nan if pd.isna(h)
                                         else "5 or more" if h >= 5 else str(int(h))),
        "children_count": c.children_count.map(lambda k: np.nan if pd.isna(k)
                                               else "3 or more" if k >= 3 else str(int(k))),
        **{v: c[v].where(c[v] != "unknown") for v in ("marital_status", "education", "gender")},
    }


def test_demographics_distribution_matches_pandas(wh, customers):
    """Every variable's rows recounted from marts.customers in pandas: the bins each customer
    falls in (income bins by the nice-width rule), the unknown and outlier rows, shares among
    the customers with a value, the commonest-first order of the categorical values and the
    bin of the median customer."""
    dist = mart(wh, "customer_demographics_distribution", "variable_order, bin_order")
    assert list(dist.drop_duplicates("variable").variable) == DISTRIBUTION_VARIABLES
    for variable, labels in _expected_bins(customers).items():
        rows = dist[dist.variable == variable].set_index("bin_label")
        assert rows.customer_count.sum() == len(customers), variable
        assert rows.loc["unknown", "customer_count"] == labels.isna().sum(), variable
        binned = labels.dropna()
        binned = binned[binned != "outlier"]
        counts = binned.value_counts()
        bins = rows[rows.bin_kind == "bin"]
        assert bins.customer_count[bins.customer_count > 0].to_dict() == counts.to_dict(), variable
        assert bins.customer_share.to_numpy() == pytest.approx(
            (bins.customer_count / len(binned)).to_numpy(), abs=1e-6)
        assert bins.customer_share.sum() == pytest.approx(1, abs=1e-5)
        if variable == "annual_income":
            assert rows.loc["outlier (above Q3 + 3 × IQR)", "customer_count"] == (
                labels == "outlier").sum() > 0  # the generator plants 666,666 incomes
        if bins.variable_kind.iloc[0] == "categorical":
            assert list(bins.index) == sorted(counts.index, key=lambda v: (-counts[v], v))
        else:
            # the bin of the ceil(n/2)-th customer in the variable's order
            order = {label: i for i, label in enumerate(bins.index)}
            ranked = binned.map(order).sort_values().to_numpy()
            middle = bins.index[ranked[math.ceil(len(ranked) / 2) - 1]]
            assert bins.index[bins.is_median_bin].tolist() == [middle], variable
    # the categorical counts are the customer counts of demographic_spend's groups
    spend = mart(wh, "demographic_spend").set_index(["dimension", "dimension_value"])
    for variable in ("marital_status", "education", "gender"):
        for row in dist[(dist.variable == variable) & (dist.customer_count > 0)].itertuples():
            assert spend.loc[(variable, row.bin_label), "customer_count"] == row.customer_count


def test_demographics_distribution_finds_a_planted_distribution(tmp_path):
    """Known answer: 200 customers whose age bands, incomes, households, education and gender
    are planted in exact proportions (each attribute dealt from a shuffled list), plus seven
    customers who lack a value: four blank rows, a 1,000,000 income (an outlier), an
    impossible age of 150 and the marital status 'YOLO'. The mart must give back the planted
    shares among the 200, the bin of the planted median, and count the seven apart."""
    rng = np.random.default_rng(11)
    n = 200
    age_bands = {(21, 30): 0.20, (31, 40): 0.45, (41, 50): 0.25, (61, 70): 0.10}
    income_bins = {(10_000, 20_000): 0.10, (20_000, 30_000): 0.15, (30_000, 40_000): 0.20,
                   (40_000, 50_000): 0.25, (50_000, 60_000): 0.15, (60_000, 70_000): 0.10,
                   (70_000, 80_000): 0.05}
    # (marital status, kids, teens) -> share; household = adults + kids + teens
    households = {("single", 0, 0): 0.30, ("married", 0, 0): 0.25, ("divorced", 1, 0): 0.05,
                  ("together", 1, 0): 0.20, ("married", 1, 1): 0.15, ("married", 2, 2): 0.05}
    # commonest first is not alphabetical here
    education = {"master": 0.5, "graduate": 0.3, "phd": 0.2}
    gender = {"male": 0.55, "female": 0.45}

    def deal(shares: dict) -> list:
        items = [key for key, share in shares.items() for _ in range(round(share * n))]
        assert len(items) == n
        return list(rng.permutation(np.array(items, dtype=object)))

    ages = [int(rng.integers(lo, hi + 1)) for lo, hi in deal(age_bands)]
    # an income on the lower bound of its bin too: bins include their lower bound
    incomes = [f"{lo + (0 if i % 7 == 0 else rng.uniform(0, hi - lo - 1)):.2f}"
               for i, (lo, hi) in enumerate(deal(income_bins))]
    homes = deal(households)
    planted = pd.DataFrame({
        "customer_id": [f"C{i:03d}" for i in range(n)], "age": ages, "annual_income": incomes,
        "marital_status": [h[0] for h in homes], "kids_at_home": [h[1] for h in homes],
        "teens_at_home": [h[2] for h in homes], "education": deal(education),
        "gender": deal(gender),
    })
    lacking = pd.DataFrame([
        *({"customer_id": f"X{i}"} for i in range(4)),
        {"customer_id": "X_OUTLIER", "annual_income": "1000000.00"},
        {"customer_id": "X_AGE", "age": 150},
        {"customer_id": "X_YOLO", "marital_status": "YOLO"},
    ])
    data = tmp_path / "data"
    data.mkdir()
    pd.concat([planted, lacking]).to_csv(data / "customers.csv", index=False)
    pd.DataFrame({"order_id": ["O1"], "customer_id": ["C000"], "order_date": ["2024-06-30"],
                  "product_category": ["wine"], "amount": ["10.00"]}).to_csv(
        data / "orders.csv", index=False)
    warehouse = tmp_path / "planted_demographics.duckdb"
    run_dbt(["build", "--select", "+customer_demographics_distribution",
             "--indirect-selection", "cautious"], warehouse, {"data_dir": str(data)})
    dist = query(warehouse, "select * from marts.customer_demographics_distribution "
                            "order by variable_order, bin_order")

    def rows(variable: str) -> pd.DataFrame:
        return dist[dist.variable == variable].set_index("bin_label")

    def planted_median(shares: list[float]) -> int:
        return int(np.argmax(np.cumsum(shares) >= 0.5))

    total = n + len(lacking)
    for variable in DISTRIBUTION_VARIABLES:
        assert rows(variable).customer_count.sum() == total, variable
        assert rows(variable).loc["unknown", "customer_count"] == (
            len(lacking) - (variable == "annual_income")), variable

    age = rows("age")
    for (lo, hi), share in age_bands.items():
        assert age.loc[f"{lo}-{hi}", "customer_share"] == pytest.approx(share, abs=1e-6)
    assert age.customer_share.sum() == pytest.approx(1, abs=1e-5)  # the other bands are empty
    assert age.index[age.is_median_bin].tolist() == [
        "{}-{}".format(*list(age_bands)[planted_median(list(age_bands.values()))])]

    income = rows("annual_income")
    bins = income[income.bin_kind == "bin"]
    assert list(bins.index) == [f"{lo:,}–{hi:,}" for lo, hi in income_bins]
    assert bins.bin_lower.tolist() == [lo for lo, _ in income_bins]
    assert bins.customer_share.tolist() == pytest.approx(list(income_bins.values()), abs=1e-6)
    lo, hi = list(income_bins)[planted_median(list(income_bins.values()))]
    assert bins.index[bins.is_median_bin].tolist() == [f"{lo:,}–{hi:,}"]
    assert income.loc["outlier (above Q3 + 3 × IQR)", "customer_count"] == 1

    sizes = {}
    for (status, kids, teens), share in households.items():
        size = {"single": 1, "divorced": 1}.get(status, 2) + kids + teens
        label = "5 or more" if size >= 5 else str(size)
        sizes[label] = sizes.get(label, 0) + share
    household = rows("household_size")
    for label, share in sizes.items():
        assert household.loc[label, "customer_share"] == pytest.approx(share, abs=1e-6), label
    filled = household[(household.bin_kind == "bin") & (household.customer_count > 0)]
    assert set(filled.index) == set(sizes)  # divorced + 1 child = 2, married + 2 + 2 = 5 or more
    children = rows("children_count")
    assert children.loc["0", "customer_share"] == pytest.approx(
        sum(s for (_, kids, teens), s in households.items() if kids + teens == 0), abs=1e-6)

    for variable, shares in (("education", education), ("gender", gender)):
        found = rows(variable)
        known = found[found.bin_kind == "bin"]
        assert list(known.index) == sorted(shares, key=lambda v: -shares[v]), variable
        assert known.customer_share.tolist() == pytest.approx(
            sorted(shares.values(), reverse=True), abs=1e-6)
    marital = rows("marital_status")
    assert marital.loc["married", "customer_share"] == pytest.approx(
        sum(s for (status, *_), s in households.items() if status == "married"), abs=1e-6)


def _pooled_holiday_lifts(wh, leave_out: str | None = None) -> pd.DataFrame:
    """The pooled rows of category_holiday_demand by category, with each category's revenue,
    unit and order lifts over those of the other categories together, recomputed from the
    mart's sums (1 = holidays lift it like the rest of the assortment); ``leave_out`` is
    kept out of every other category's rest (a planted category would set it)."""
    rows = query(wh, "select * from marts.category_holiday_demand where is_all_holidays")
    rows = rows.set_index("product_category")
    days_h, days_o = rows.holiday_day_count.iloc[0], rows.ordinary_day_count.iloc[0]
    for measure, holiday, ordinary in [("revenue", "holiday_revenue", "ordinary_revenue"),
                                       ("unit", "holiday_quantity", "ordinary_quantity"),
                                       ("order", "holiday_order_count", "ordinary_order_count")]:
        h, o = rows[holiday].astype(float), rows[ordinary].astype(float)
        rest_h, rest_o = h.sum() - h, o.sum() - o
        if leave_out is not None:
            others = rows.index != leave_out
            rest_h[others] -= h[leave_out]
            rest_o[others] -= o[leave_out]
        rows[f"{measure}_lift_over_rest"] = rows[f"{measure}_lift"] / (
            (rest_h / days_h) / (rest_o / days_o))
    return rows


def _holiday_demand_from_files(data_dir) -> pd.DataFrame:
    """Revenue per category on holiday and on ordinary days, recomputed in pandas from the
    generated orders file (clean data: every line is accepted) and the holiday calendar."""
    from customer_behavior.reference import holiday_calendar

    lines = pd.read_parquet(data_dir / "orders.parquet")
    lines["order_date"] = pd.to_datetime(lines.order_date)
    holidays = set(pd.to_datetime(holiday_calendar().holiday_date))
    lines["on_holiday"] = lines.order_date.isin(holidays)
    lines["amount"] = lines.amount.astype(float)
    span = pd.date_range(lines.order_date.min(), lines.order_date.max(), freq="D")
    days_h = int(span.isin(holidays).sum())
    cells = lines.pivot_table(index="product_category", columns="on_holiday", values="amount",
                              aggfunc="sum")
    out = pd.DataFrame({"holiday_revenue": cells[True], "ordinary_revenue": cells[False]})
    out["revenue_lift"] = (out.holiday_revenue / days_h) / (
        out.ordinary_revenue / (len(span) - days_h))
    out["share_lift"] = (out.holiday_revenue / out.holiday_revenue.sum()) / (
        out.ordinary_revenue / out.ordinary_revenue.sum())
    out.attrs["days"] = (days_h, len(span) - days_h)
    return out


def test_holidays_lift_the_planted_category_and_not_the_others(holiday_planted_build):
    """Known answer: on the holiday calendar's days the generator gave one category's lines
    three times the units (holiday_category_multiplier). Pooled over the holidays, the mart
    finds that category: the largest share lift, revenue and units per holiday day x3 those
    of the other categories together, while the orders that include it rise like everyone
    else's (the plant is in units, not in how many orders buy it); every other category's
    lifts stay with the rest and its share of holiday revenue falls. The mart's figures are
    recomputed in pandas from the generated file."""
    wh = holiday_planted_build["warehouse"]
    planted = HOLIDAY_PLANTED_CATEGORY
    rows = _pooled_holiday_lifts(wh, leave_out=planted)
    assert rows.share_lift.idxmax() == planted
    assert rows.revenue_lift.idxmax() == planted
    assert rows.loc[planted, "share_lift"] > 2
    assert rows.loc[planted, "revenue_lift_over_rest"] == pytest.approx(HOLIDAY_PLANTED_FACTOR,
                                                                        rel=0.2)
    assert rows.loc[planted, "unit_lift_over_rest"] == pytest.approx(HOLIDAY_PLANTED_FACTOR,
                                                                     rel=0.2)
    assert 0.8 < rows.loc[planted, "order_lift_over_rest"] < 1.25
    others = rows.drop(index=planted)
    assert len(others) == 5
    assert (others.share_lift < 1).all(), others.share_lift
    for measure in ("revenue", "unit", "order"):
        assert others[f"{measure}_lift_over_rest"].between(0.8, 1.25).all(), measure
    # recomputed from the file: sums to the cent, lifts and shares as the mart states them
    expected = _holiday_demand_from_files(holiday_planted_build["data_dir"])
    assert (rows.holiday_day_count.iloc[0], rows.ordinary_day_count.iloc[0]) == \
        expected.attrs["days"]
    for category, row in expected.iterrows():
        got = rows.loc[category]
        assert float(got.holiday_revenue) == pytest.approx(row.holiday_revenue, abs=0.005)
        assert float(got.ordinary_revenue) == pytest.approx(row.ordinary_revenue, abs=0.005)
        assert got.revenue_lift == pytest.approx(row.revenue_lift, abs=1e-4)
        assert got.share_lift == pytest.approx(row.share_lift, abs=1e-4)


def test_holidays_lift_every_category_alike_when_nothing_is_planted(wh):
    """The planted build has no category-specific holiday effect (holidays lift every
    purchase alike in the generator): no category's share of revenue moves by more than
    a quarter on holidays, and each category's lift stays with the rest's. Each holiday's
    rows add up to holiday_sales, and the pooled rows to its holidays."""
    rows = _pooled_holiday_lifts(wh)
    assert len(rows) == 6
    assert rows.share_lift.between(0.8, 1.25).all(), rows.share_lift
    assert rows.revenue_lift_over_rest.between(0.8, 1.25).all(), rows.revenue_lift_over_rest
    cells = mart(wh, "category_holiday_demand")
    holidays = mart(wh, "holiday_sales").set_index("holiday_name")
    named = holidays[holidays.is_holiday]
    per_holiday = cells[~cells.is_all_holidays].groupby("holiday_name")
    assert set(per_holiday.groups) == set(named.index)
    for name, group in per_holiday:
        assert group.holiday_revenue.astype(float).sum() == pytest.approx(
            float(named.loc[name, "revenue"]), abs=0.005), name
        assert (group.holiday_day_count == named.loc[name, "day_count"]).all(), name
        assert group.holiday_revenue_share.sum() == pytest.approx(1, abs=1e-5), name
    assert rows.holiday_day_count.iloc[0] == named.day_count.sum()
    assert rows.ordinary_day_count.iloc[0] == holidays.loc["no holiday", "day_count"]
    assert rows.holiday_revenue.astype(float).sum() == pytest.approx(
        named.revenue.astype(float).sum(), abs=0.005)
    # every holiday for every category, holidays in calendar order after the pooled rows
    assert len(cells) == 6 * (len(named) + 1)
    order = cells.drop_duplicates("holiday_name").sort_values("holiday_order").holiday_name
    assert order.iloc[0] == "all holidays" and order.iloc[1] == "New Year's Day"
    assert order.iloc[-1] == "New Year's Eve"
