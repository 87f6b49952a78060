"""Known-answer tests for customer_behavior.statistics.

Data are generated with planted effects whose true size is computed analytically
(not by the code under test); each test checks direction, significance, the point
estimate within a tolerance of the truth and that the interval covers the truth.
Null data check that nothing is found where nothing was planted.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from customer_behavior import pipeline
from customer_behavior import statistics as st

TEST_IDS = [
    "discount_volume",
    "discount_volume_within_customer",
    "discount_depth_volume",
    "discount_frequency",
    "loyalty_member_spend",
    "over_50_frequency",
    "over_50_frequency_established",
    "seasonal_category_demand",
    "loyalty_score_spend",
    "income_spend",
]

# ----------------------------------------------------------------- planted data

LOG_SIGMA_NOISE = 0.6
LOG_INCOME_EFFECT = 0.5  # log-spend per SD of income
MEMBER_UPLIFT = 1.3  # members spend 30 % more
FREQ_GAP, FREQ_SD = 1.0, 1.5  # over-50s buy 1 order/year less, SD 1.5
FULL_PRICE_P = 0.5  # geometric units per full-price order


def _discount_p(rate: np.ndarray) -> np.ndarray:
    """Geometric success probability of a discounted order: deeper discount, more units."""
    return 0.5 - 0.5 * rate


def planted_data(seed: int = 7, n_customers: int = 3000, n_orders: int = 6000):
    rng = np.random.default_rng(seed)
    member = rng.random(n_customers) < 0.4
    age = rng.integers(18, 81, n_customers)
    income = rng.normal(60_000, 15_000, n_customers)
    log_spend = (
        6.0
        + LOG_INCOME_EFFECT * (income - 60_000) / 15_000
        + math.log(MEMBER_UPLIFT) * member
        + rng.normal(0, LOG_SIGMA_NOISE, n_customers)
    )
    customers = pd.DataFrame(
        {
            "customer_id": [f"c{i:05d}" for i in range(n_customers)],
            "age": age,
            "annual_income": income,
            "is_loyalty_member": member,
            "loyalty_score": rng.uniform(1, 10, n_customers),  # no planted effect
            "total_spend": np.exp(log_spend),
            "purchase_frequency_per_year": rng.normal(6.0 - FREQ_GAP * (age > 50), FREQ_SD),
            # no planted link to age or frequency: about two thirds have a year or more
            "purchase_frequency_window_days": rng.integers(60, 1500, n_customers),
            "order_count": rng.poisson(5, n_customers),
        }
    )
    discounted = rng.random(n_orders) < 0.3
    rate = np.where(discounted, rng.uniform(0.05, 0.5, n_orders), 0.0)
    quantity = np.where(
        discounted, rng.geometric(_discount_p(rate)), rng.geometric(FULL_PRICE_P, n_orders)
    )
    amount = quantity * 20.0 * (1 - rate)
    orders = pd.DataFrame(
        {
            "order_id": [f"o{i:06d}" for i in range(n_orders)],
            "customer_id": rng.choice(customers["customer_id"].to_numpy(), n_orders),
            "quantity": quantity,
            "amount": amount,
            "discount_amount": quantity * 20.0 * rate,
            "is_discounted": discounted,
            "discount_rate": rate,
        }
    )
    # discounted orders per customer, counted from the orders (no draw, so the other draws
    # stay): no planted link to purchase frequency
    customers["discounted_order_count"] = (
        orders.groupby("customer_id")["is_discounted"].sum()
        .reindex(customers["customer_id"], fill_value=0).to_numpy()
    )
    return customers, orders


def true_member_rank_biserial() -> float:
    """log-spend differs by log(1.3) with total SD sqrt(0.5^2 + 0.6^2): r = 2Φ(δ/(σ√2)) - 1."""
    sigma = math.hypot(LOG_INCOME_EFFECT, LOG_SIGMA_NOISE)
    return 2 * stats.norm.cdf(math.log(MEMBER_UPLIFT) / (sigma * math.sqrt(2))) - 1


def true_discount_rank_biserial() -> float:
    """P(A > B) - P(A < B) for the planted geometric mixtures, summed exactly over k."""
    k = np.arange(1, 400)
    rates = (np.arange(4000) + 0.5) / 4000 * 0.45 + 0.05  # midpoint rule over U(0.05, 0.5)
    pmf_a = stats.geom.pmf(k[None, :], _discount_p(rates)[:, None]).mean(axis=0)
    pmf_b = stats.geom.pmf(k, FULL_PRICE_P)
    sign = np.sign(k[:, None] - k[None, :])
    return float(pmf_a @ sign @ pmf_b)


SEASONS = ["winter", "spring", "summer", "autumn"]
CATEGORIES = ["apparel", "books", "garden", "toys", "wine"]
SEASON_SHARES = np.array([0.2, 0.25, 0.3, 0.25])
CATEGORY_SHARES = np.array([0.3, 0.25, 0.2, 0.15, 0.1])
# A real season effect: garden goods move from winter to summer, toys from summer to winter.
SEASON_SHIFT = np.array([
    [0.0, 0.0, -0.015, 0.015, 0.0],
    [0.0, 0.0, 0.005, -0.005, 0.0],
    [0.0, 0.0, 0.015, -0.015, 0.0],
    [0.0, 0.0, -0.005, 0.005, 0.0],
])


def independent_shares() -> np.ndarray:
    return np.outer(SEASON_SHARES, CATEGORY_SHARES)


def planted_shares() -> np.ndarray:
    shares = independent_shares() + SEASON_SHIFT  # rows and columns keep their sums
    assert shares.min() > 0 and shares.sum() == pytest.approx(1)
    return shares


def true_cramers_v(shares: np.ndarray) -> float:
    """Population V: phi^2 = sum (p_ij - p_i. p_.j)^2 / (p_i. p_.j), V = sqrt(phi^2 / df*)."""
    rows, cols = shares.sum(axis=1), shares.sum(axis=0)
    independent = np.outer(rows, cols)
    phi2 = float((((shares - independent) ** 2) / independent).sum())
    return math.sqrt(phi2 / (min(shares.shape) - 1))


def season_table(shares: np.ndarray, n: int, seed: int,
                 count_column: str = "order_line_count") -> pd.DataFrame:
    """A season x category mart: one row per cell (zero cells kept, as the mart's grid
    keeps them), ``n`` purchases drawn from a multinomial with ``shares``."""
    counts = np.random.default_rng(seed).multinomial(n, shares.ravel()).reshape(shares.shape)
    seasons, categories = SEASONS[:shares.shape[0]], CATEGORIES[:shares.shape[1]]
    return pd.DataFrame([(season, category, int(counts[i, j]))
                         for i, season in enumerate(seasons)
                         for j, category in enumerate(categories)],
                        columns=["season", "product_category", count_column])


@pytest.fixture(scope="module")
def planted_result() -> pd.DataFrame:
    customers, orders = planted_data()
    return st.hypothesis_tests(
        customers, orders, seasonal_demand=season_table(planted_shares(), 20_000, seed=7),
        n_boot=1000,
    ).set_index("test_id")


# ------------------------------------------------------------ hand computations


def test_holm_matches_hand_computed_example():
    # sorted: 0.005*4=0.02, 0.01*3=0.03, 0.03*2=0.06, 0.04*1=0.04 -> running max 0.06
    assert st.holm_adjust([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    # NaN is kept and does not count as a test; adjusted values are capped at 1
    out = st.holm_adjust([0.01, float("nan"), 0.04])
    assert out[0] == pytest.approx(0.02) and math.isnan(out[1]) and out[2] == pytest.approx(0.04)
    assert st.holm_adjust([0.6, 0.7]) == pytest.approx([1.0, 1.0])


def test_rank_biserial_matches_hand_computation():
    a, b = [3, 4, 5, 6], [1, 2, 3, 4]
    # 16 pairs: A wins 13, loses 1 (3 < 4), ties 2 -> U_A = 14, r = (13 - 1) / 16
    res = st.compare_two_groups(a, b, alternative="greater", skewed=True, n_boot=200)
    assert res["method"] == "mann_whitney_u"
    assert res["effect_size_name"] == "rank_biserial"
    assert res["statistic"] == pytest.approx(14.0)
    assert res["effect_size"] == pytest.approx(0.75)
    assert (res["median_a"], res["median_b"]) == (4.5, 2.5)
    assert (res["n_a"], res["n_b"]) == (4, 4)
    # the one-sided p-value points the right way
    less = st.compare_two_groups(a, b, alternative="less", skewed=True, n_boot=0)
    assert res["p_value"] < 0.1
    assert less["p_value"] > 0.9
    # swapping the groups flips the sign
    swapped = st.compare_two_groups(b, a, alternative="less", skewed=True, n_boot=0)
    assert swapped["effect_size"] == pytest.approx(-0.75)


def test_hedges_g_matches_hand_computation():
    a, b = [1, 2, 3, 4, 5], [3, 4, 5, 6, 7]
    # means 3 and 5, both variances 2.5 -> d = -2 / sqrt(2.5); J(8) = Γ(4) / (2 Γ(3.5))
    j = math.gamma(4) / (math.sqrt(4) * math.gamma(3.5))
    g = -2 / math.sqrt(2.5) * j
    res = st.compare_two_groups(a, b, alternative="two-sided", skewed=False, n_boot=200)
    assert res["method"] == "welch_t"
    assert res["effect_size_name"] == "hedges_g"
    assert res["effect_size"] == pytest.approx(g, abs=1e-9)
    assert g == pytest.approx(-1.1418, abs=1e-4)
    # Welch t = (3 - 5) / sqrt(2.5/5 + 2.5/5) = -2
    assert res["statistic"] == pytest.approx(-2.0)
    assert res["ci_low"] < g < res["ci_high"]


def test_welch_rows_store_their_degrees_of_freedom(planted_result):
    """A Welch row's p-value is read from a t distribution with the Welch-Satterthwaite
    degrees of freedom; the row stored none (df was the chi-square's only). [1..5] against
    [2, 4, 6, 8, 10, 12, 14]: variances 2.5 and 18.67, so df = (0.5 + 2.667)^2 /
    (0.5^2 / 4 + 2.667^2 / 6) = 8.04."""
    a, b = [1, 2, 3, 4, 5], [2, 4, 6, 8, 10, 12, 14]
    va, vb = np.var(a, ddof=1) / 5, np.var(b, ddof=1) / 7
    df = (va + vb) ** 2 / (va**2 / 4 + vb**2 / 6)
    assert df == pytest.approx(8.04, abs=0.01)
    res = st.compare_two_groups(a, b, alternative="two-sided", skewed=False, n_boot=0)
    assert res["df"] == pytest.approx(df, rel=1e-9)
    assert res["p_value"] == pytest.approx(2 * stats.t.sf(abs(res["statistic"]), df), rel=1e-9)
    assert st.compare_two_groups(a, b, alternative="two-sided", skewed=True, n_boot=0)["df"] is None
    # in the table: a float column, the Welch rows' own df, the chi-square's, else missing
    assert planted_result["df"].dtype == "float64"
    row = planted_result.loc["over_50_frequency"]
    assert row["method"] == "welch_t" and 1_000 < row["df"] < row["n_a"] + row["n_b"] - 2
    assert planted_result.loc["seasonal_category_demand", "df"] == 12
    others = planted_result[~planted_result["method"].isin(["welch_t", "chi_square"])]
    assert others["df"].isna().all()


def test_skewness_rule_picks_the_test():
    rng = np.random.default_rng(3)
    sym = st.compare_two_groups(
        rng.normal(size=300), rng.normal(size=300), alternative="two-sided", skewed=None, n_boot=100
    )
    skw = st.compare_two_groups(
        rng.lognormal(size=300),
        rng.lognormal(size=300),
        alternative="two-sided",
        skewed=None,
        n_boot=100,
    )
    assert sym["method"] == "welch_t" and "skewness" in sym["method_reason"]
    assert skw["method"] == "mann_whitney_u" and "> 1" in skw["method_reason"]


def test_invalid_arguments_raise():
    with pytest.raises(ValueError):
        st.compare_two_groups([1, 2, 3], [1, 2, 3], alternative="bigger", skewed=False)
    with pytest.raises(ValueError):
        st.compare_two_groups([1], [1, 2, 3], alternative="greater", skewed=False)
    with pytest.raises(ValueError):
        st.association([1, 2], [1, 2, 3])


# ------------------------------------------------------------- planted effects


def test_planted_spearman_is_recovered():
    rng = np.random.default_rng(11)
    rho = 0.5
    xy = rng.multivariate_normal([0, 0], [[1, rho], [rho, 1]], size=2000)
    truth = 6 / math.pi * math.asin(rho / 2)  # Spearman of a bivariate normal
    res = st.association(xy[:, 0], np.exp(xy[:, 1]), n_boot=500)  # monotone transform: same rho
    assert res["effect_size"] == pytest.approx(truth, abs=0.04)
    assert res["ci_low"] < truth < res["ci_high"]
    assert res["p_value"] < 1e-6 and res["n"] == 2000
    # the large-sample interval agrees with the bootstrap
    fisher = st.association(xy[:, 0], xy[:, 1], n_boot=0)
    assert fisher["ci_low"] == pytest.approx(res["ci_low"], abs=0.015)
    assert fisher["ci_high"] == pytest.approx(res["ci_high"], abs=0.015)


def _large_sample_interval_matching_bootstrap(x, y, *, skewed: bool, method: str, n_boot: int,
                                              tol: float) -> dict:
    """compare_two_groups' large-sample interval (n_boot=0, named by ``method`` in its
    ci_method) against its percentile bootstrap on the same groups: both bounds within
    ``tol``. Returns the large-sample result."""
    boot = st.compare_two_groups(x, y, alternative="greater", skewed=skewed, n_boot=n_boot)
    large = st.compare_two_groups(x, y, alternative="greater", skewed=skewed, n_boot=0)
    assert "bootstrap" in boot["ci_method"] and method in large["ci_method"]
    assert large["ci_low"] == pytest.approx(boot["ci_low"], abs=tol)
    assert large["ci_high"] == pytest.approx(boot["ci_high"], abs=tol)
    return large


def test_large_sample_intervals_agree_with_bootstrap():
    rng = np.random.default_rng(5)
    a, b = rng.lognormal(0.3, 1, 1500), rng.lognormal(0, 1, 1500)
    _large_sample_interval_matching_bootstrap(a, b, skewed=True, method="DeLong", n_boot=1000,
                                              tol=0.015)
    x, y = rng.normal(0.4, 1, 1500), rng.normal(0, 1, 1500)
    _large_sample_interval_matching_bootstrap(x, y, skewed=False, method="Hedges-Olkin",
                                              n_boot=1000, tol=0.015)


def test_an_interval_that_collapses_to_a_point_is_not_estimable():
    """Every value of group A above every value of group B: the rank-biserial is 1 in every
    bootstrap resample and DeLong's standard error is 0, so both intervals read "1.00-1.00",
    as if the effect were known exactly from 4 and 5 rows. Likewise a paired test where A is
    larger in every pair, and a perfectly monotone Spearman. Such an interval is now missing,
    with the reason in ci_method and in the test's caveat."""
    a, b = [10.0, 11.0, 12.5, 40.0], [1.0, 2.0, 2.5, 3.0, 9.0]
    for n_boot in (500, 0):
        res = st.compare_two_groups(a, b, alternative="greater", skewed=True, n_boot=n_boot)
        assert res["effect_size"] == 1.0
        assert math.isnan(res["ci_low"]) and math.isnan(res["ci_high"]), res
        assert res["ci_method"].startswith(
            "not estimable: every value of group A is above every value of group B "
            "(rank-biserial +1); the "), res["ci_method"]
        assert "gives the single point 1" in res["ci_method"]
    below = st.compare_two_groups(b, a, alternative="less", skewed=True, n_boot=0)
    assert math.isnan(below["ci_low"]) and "is below every value" in below["ci_method"]
    # groups that overlap keep their interval
    mixed = st.compare_two_groups(a, [1.0, 2.0, 2.5, 3.0, 11.5], alternative="greater",
                                  skewed=True, n_boot=500)
    assert mixed["ci_low"] < mixed["ci_high"] and mixed["ci_method"].startswith("percentile")
    for n_boot in (500, 0):
        paired = st.compare_paired([2, 4, 6, 8, 10, 12], [1, 2, 3, 4, 5, 6], alternative="greater",
                                   n_boot=n_boot)
        assert paired["effect_size"] == 1.0 and math.isnan(paired["ci_low"])
        assert paired["ci_method"].startswith("not estimable: A is larger in every pair")
        monotone = st.association(np.arange(20.0), np.exp(np.arange(20.0)), n_boot=n_boot)
        assert monotone["effect_size"] == 1.0 and math.isnan(monotone["ci_high"])
        assert monotone["ci_method"].startswith("not estimable: the ranks of x and y agree")
    # in the table: the verdict gives no interval and the caveat says why
    rng = np.random.default_rng(4)
    member = np.arange(40) % 2 == 0
    customers = pd.DataFrame({
        "customer_id": [f"c{i}" for i in range(40)], "is_loyalty_member": member,
        "total_spend": np.where(member, 1_000.0, 0.0) + rng.lognormal(3, 1, 40)})
    row = st.hypothesis_tests(customers, None, n_boot=200).set_index("test_id").loc[
        "loyalty_member_spend"]
    assert row["status"] == "ran" and row["effect_size"] == 1.0
    assert math.isnan(row["ci_low"]) and math.isnan(row["ci_high"])
    # "interval not estimable", as the report's table says it (was "95 % CI not available")
    assert "rank-biserial 1.00, interval not estimable, a large effect; Holm p" in row["verdict"]
    assert "not available" not in row["verdict"]
    assert row["caveat"].endswith(
        "The effect size's 95 % interval is not estimable: every value of group A is above "
        "every value of group B (rank-biserial +1); the percentile bootstrap, 200 resamples "
        "per group, seed 0 gives the single point 1.")


def test_large_sample_interval_of_g_allows_unequal_variances():
    # Welch's test is chosen because the variances may differ; the Hedges-Olkin SE
    # n / (n_a n_b) + g^2 / (2 n) assumes they do not. SD 3 against 1, 500 against 5,000
    # rows: g's sampling SD is 0.105 (delta method, checked by simulation), the equal-variance
    # SE 0.047, so its interval was 0.16-0.34 against the bootstrap's 0.04-0.44.
    rng = np.random.default_rng(2)
    x, y = rng.normal(0.5, 3, 500), rng.normal(0, 1, 5000)
    wald = _large_sample_interval_matching_bootstrap(x, y, skewed=False, method="Hedges-Olkin",
                                                     n_boot=2000, tol=0.02)
    # the SE against a Monte Carlo SD of g under the same design
    sims = [st._hedges_g(rng.normal(0.5, 3, 500), rng.normal(0, 1, 5000)) for _ in range(400)]
    se = (wald["ci_high"] - wald["ci_low"]) / (2 * stats.norm.ppf(0.975))
    assert se == pytest.approx(np.std(sims), rel=0.1)
    # equal variances: Hedges & Olkin's n / (n_a n_b) + d^2 / (2 (n - 2)), times J
    a, b = rng.normal(0.4, 1, 300), rng.normal(0, 1, 300)
    g = st._hedges_g(a, b)
    j = st._hedges_correction(598)
    sp2 = (a.var(ddof=1) + b.var(ddof=1)) / 2
    d = g / j
    expected = j * math.sqrt((a.var(ddof=1) / 300 + b.var(ddof=1) / 300) / sp2 + d**2 * (
        299 * a.var(ddof=1) ** 2 + 299 * b.var(ddof=1) ** 2) / (2 * 598**2 * sp2**2))
    assert st._hedges_g_se(a, b, g) == pytest.approx(expected)
    assert expected == pytest.approx(j * math.sqrt(600 / 300**2 + d**2 / (2 * 598)), rel=0.01)


def test_too_large_for_bootstrap_falls_back(monkeypatch):
    monkeypatch.setattr(st, "MAX_BOOT_CELLS", 1000)
    res = st.compare_two_groups(
        np.arange(100.0), np.arange(100.0) + 5, alternative="greater", skewed=True
    )
    assert "DeLong" in res["ci_method"]
    assert res["ci_low"] < res["effect_size"] < res["ci_high"]


def test_hypothesis_table_shape(planted_result):
    res = planted_result.reset_index()
    assert res["test_id"].tolist() == TEST_IDS
    expected = {
        "test_id",
        "hypothesis",
        "source_document",
        "grain",
        "metric",
        "group_a",
        "group_b",
        "method",
        "method_reason",
        "n_a",
        "n_b",
        "mean_a",
        "mean_b",
        "median_a",
        "median_b",
        "statistic",
        "p_value",
        "p_value_holm",
        "effect_size",
        "effect_size_name",
        "ci_low",
        "ci_high",
        "alpha",
        "is_significant",
        "verdict",
        "status",
        "caveat",
    }
    assert expected <= set(res.columns)
    # every test runs but discount_frequency: the planted customers list several orders
    by_id = res.set_index("test_id")
    assert by_id.loc["discount_frequency", "status"] == "not_run"
    assert "list several purchases" in by_id.loc["discount_frequency", "method_reason"]
    res = res[res["test_id"] != "discount_frequency"]
    assert (res["status"] == "ran").all()
    assert res["caveat"].str.contains("not causation").all()
    # Holm over the tests that ran, computed independently
    assert res["p_value_holm"].to_numpy() == pytest.approx(
        st.holm_adjust(res["p_value"].to_numpy()), abs=1e-9
    )
    assert (res["p_value_holm"] >= res["p_value"] - 1e-12).all()
    assert res.set_index("test_id").loc["discount_volume", "grain"] == "order"
    assert res.set_index("test_id").loc["loyalty_member_spend", "grain"] == "customer"
    # floats are rounded to 10 decimals, below 1e-6 to 10 significant digits: the planted
    # effects' p-values (1e-76 ... 1e-13) are kept, not stored as 0
    for col in ("p_value", "effect_size", "ci_low", "ci_high", "mean_a"):
        values = res[col].to_numpy(dtype=float)
        finite = values[np.isfinite(values)]
        assert np.array_equal(finite, [st._round_float(v) for v in finite])
    # (a p-value beyond float range is 0.0 before any rounding)
    kept = res["p_value"][(res["p_value"] > 0) & (res["p_value"] < 1e-10)]
    assert len(kept) >= 3, res["p_value"].tolist()


def newness_confounded_customers(old_rate_multiplier: float, seed: int = 3, n: int = 4000):
    """Customers as the order roll-up measures them: 1 + Poisson(rate x window) orders over
    a window of observed days, frequency = orders x 365.25 / max(window, 30). Every age buys
    at 4 orders a year times ``old_rate_multiplier`` for over-50s, but 40 % of the 50-or-under
    arrived recently (windows of 30-200 days) while every over-50 has 400-1,500 days: the
    guaranteed first order over a short window inflates the young group's frequency."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 81, n)
    old = age > 50
    new = ~old & (rng.random(n) < 0.4)
    window = np.where(new, rng.integers(30, 201, n), rng.integers(400, 1501, n))
    rate = 4.0 * np.where(old, old_rate_multiplier, 1.0)
    orders = 1 + rng.poisson(rate * window / 365.25)
    return pd.DataFrame({
        "customer_id": [f"c{i:05d}" for i in range(n)],
        "age": age,
        "order_count": orders,
        "purchase_frequency_per_year": orders * 365.25 / np.maximum(window, 30),
        "purchase_frequency_window_days": window,
    })


def test_over_50_established_check_separates_age_from_newness():
    # No age effect at all: the whole-population test is fooled by the young newcomers, the
    # established-customer check is not.
    res = st.hypothesis_tests(newness_confounded_customers(1.0), None, n_boot=200)
    res = res.set_index("test_id")
    fooled, check = res.loc["over_50_frequency"], res.loc["over_50_frequency_established"]
    assert fooled["verdict"].startswith("Supported: customers over 50 buy less often")
    assert check["status"] == "ran" and not bool(check["is_significant"])
    assert check["ci_low"] < 0 < check["ci_high"]
    assert check["n_a"] + check["n_b"] < fooled["n_a"] + fooled["n_b"]
    assert "days of observed history" in check["method_reason"]
    # A planted age effect (over-50s at 0.75 times the rate) is still found among them.
    res = st.hypothesis_tests(newness_confounded_customers(0.75), None, n_boot=200)
    check = res.set_index("test_id").loc["over_50_frequency_established"]
    assert check["verdict"].startswith(
        "Supported: among customers observed for at least a year, those over 50 buy less often"
    )
    assert check["mean_a"] / check["mean_b"] == pytest.approx(0.75, abs=0.05)


def test_over_50_established_check_needs_a_measured_year():
    customers = newness_confounded_customers(1.0, n=300)
    stated = customers.assign(purchase_frequency_window_days=np.nan)
    res = st.hypothesis_tests(stated, None, n_boot=50).set_index("test_id")
    assert res.loc["over_50_frequency", "status"] == "ran"
    assert res.loc["over_50_frequency_established", "status"] == "not_run"
    assert "states purchase frequency" in res.loc["over_50_frequency_established", "verdict"]
    short = customers.assign(purchase_frequency_window_days=200)
    res = st.hypothesis_tests(short, None, n_boot=50).set_index("test_id")
    assert "365 days of observed purchase history" in res.loc[
        "over_50_frequency_established", "verdict"]


def test_planted_member_spend_uplift_found(planted_result):
    row = planted_result.loc["loyalty_member_spend"]
    truth = true_member_rank_biserial()  # about 0.19
    assert row["method"] == "mann_whitney_u"  # lognormal spend is skewed
    assert row["effect_size"] > 0 and bool(row["is_significant"])
    assert row["effect_size"] == pytest.approx(truth, abs=0.05)
    assert row["ci_low"] < truth < row["ci_high"]
    # means differ by the planted 30 %
    assert row["mean_a"] / row["mean_b"] == pytest.approx(MEMBER_UPLIFT, abs=0.1)
    assert row["verdict"].startswith("Supported: loyalty members spend more than non-members")


def test_planted_over_50_frequency_found(planted_result):
    row = planted_result.loc["over_50_frequency"]
    truth = -FREQ_GAP / FREQ_SD  # Hedges' g of the planted gap
    assert row["method"] == "welch_t"  # normal frequencies are not skewed
    assert row["effect_size"] < 0 and bool(row["is_significant"])
    assert row["effect_size"] == pytest.approx(truth, abs=0.1)
    assert row["ci_low"] < truth < row["ci_high"]
    assert row["mean_b"] - row["mean_a"] == pytest.approx(FREQ_GAP, abs=0.15)
    assert row["metric"] == "purchase_frequency_per_year"
    assert row["verdict"].startswith("Supported: customers over 50 buy less often")
    # the planted g of -0.67 is medium by Cohen's |d| 0.2 / 0.5 / 0.8, whichever its sign
    assert row["effect_size_magnitude"] == "medium"
    assert f"Hedges' g {row['effect_size']:.2f}" in row["verdict"]
    assert "a medium effect; Holm p" in row["verdict"]


def test_a_welch_verdict_cites_t_with_its_degrees_of_freedom(planted_result):
    """The mart stores each Welch row's Welch-Satterthwaite df (a DOUBLE) beside t, but the
    verdict gave neither. A Welch verdict now cites them as APA style does, t(df) = t, df to
    one decimal without a thousands separator ("t(1234.6)"); the rank tests, Spearman and
    the chi-square (which gives its own df) do not."""
    welch = planted_result[planted_result["method"] == "welch_t"]
    assert len(welch) >= 1
    for _, row in welch.iterrows():
        cited = f"t({row['df']:.1f}) = {row['statistic']:.2f}; Hedges' g"
        assert cited in row["verdict"], row["verdict"]
        assert re.search(r"t\(\d+\.\d\) = -?\d+\.\d\d; ", row["verdict"]), row["verdict"]
    others = planted_result[(planted_result["method"] != "welch_t")
                            & (planted_result["status"] == "ran")]
    assert len(others) >= 3
    assert not others["verdict"].str.contains(r"\bt\(", regex=True).any(), others["verdict"].tolist()


def test_every_verdict_writes_its_interval_with_to(planted_result):
    """The verdicts wrote an interval with an en dash when its lower bound was not negative
    ("95 % CI 0.27–0.34") and with "to" otherwise ("-0.77 to -0.62"), while the report's
    sentences and the spend drivers' interpretation write "to" throughout, which reads
    unambiguously beside negative numbers. Every verdict now writes "low to high"."""
    ran = planted_result[planted_result["status"] == "ran"]
    assert (ran["ci_low"] >= 0).sum() >= 2 and (ran["ci_low"] < 0).sum() >= 1
    for test_id, row in ran.iterrows():
        interval = f"95 % CI {row['ci_low']:.2f} to {row['ci_high']:.2f}"
        assert interval in row["verdict"], (test_id, row["verdict"])
        assert not re.search(r"\d–-?\d", row["verdict"]), (test_id, row["verdict"])


def test_planted_discount_volume_found(planted_result):
    row = planted_result.loc["discount_volume"]
    truth = true_discount_rank_biserial()
    assert row["method"] == "mann_whitney_u"  # geometric units are skewed
    assert row["effect_size"] > 0 and bool(row["is_significant"])
    assert row["effect_size"] == pytest.approx(truth, abs=0.05)
    assert row["ci_low"] < truth < row["ci_high"]
    pattern = (
        r"^Supported: discounted orders contain more units \(median \d+ vs \d+, "
        r"mean \d\.\d+ vs \d\.\d+; "
        r"rank-biserial 0\.\d\d, 95 % CI 0\.\d\d to 0\.\d\d, a small effect; Holm p < 0\.001\)$"
    )
    assert re.match(pattern, row["verdict"]), row["verdict"]
    # the planted rank-biserial (~0.22) is small by Cohen's |r| 0.1 / 0.3 / 0.5
    assert st.effect_size_magnitude("rank_biserial", truth) == "small"
    assert row["effect_size_magnitude"] == "small"


def test_matched_rank_biserial_matches_hand_computation():
    a, b = [5, 2, 4, 7, 9], [2, 3, 2, 7, 5]
    # differences 3, -1, 2, 0, 4: the zero is dropped, |d| ranks 3, 1, 2, 4
    # W+ = 3 + 2 + 4 = 9, W- = 1 -> r = (9 - 1) / 10
    res = st.compare_paired(a, b, alternative="greater", n_boot=200)
    assert res["method"] == "wilcoxon_signed_rank"
    assert res["effect_size_name"] == "matched_rank_biserial"
    assert res["statistic"] == pytest.approx(9.0)
    assert res["effect_size"] == pytest.approx(0.8)
    assert (res["n_a"], res["mean_a"], res["mean_b"]) == (5, 5.4, 3.8)
    assert st.compare_paired(b, a, alternative="less", n_boot=0)["effect_size"] == pytest.approx(-0.8)


def test_paired_statistic_is_w_plus_whatever_the_alternative():
    # differences 4, 4, 4.5, 5, 5, -1.5, 0.8: |d| ranks 3.5, 3.5, 5, 6.5, 6.5, 2, 1
    # W+ = 26, W- = 2. scipy's wilcoxon returns min(W+, W-) = 2 for a two-sided test, so
    # the statistic read 2 there and 26 one-sided; the docstring promises W+ (the r it gives).
    a = [5.0, 6, 7, 8, 9, 3, 4]
    b = [1.0, 2, 2.5, 3, 4, 4.5, 3.2]
    for alternative in ("two-sided", "greater", "less"):
        res = st.compare_paired(a, b, alternative=alternative, n_boot=0)
        assert res["statistic"] == pytest.approx(26.0), alternative
        assert res["p_value"] == pytest.approx(
            stats.wilcoxon(a, b, alternative=alternative).pvalue)
    # r = 4 W+ / (m (m + 1)) - 1 with m = 7 non-zero differences
    assert res["effect_size"] == pytest.approx(4 * 26 / 56 - 1)


def test_large_sample_interval_of_the_matched_rank_biserial_is_at_the_estimate():
    # The interval used without a bootstrap took W+'s variance under the null,
    # m(m+1)(2m+1)/24, whatever r is. Differences N(1.5, 1), 2,000 pairs: r 0.97, bootstrap
    # interval 0.966-0.980, the null-variance one 0.923-1.0 (SE 0.026 against 0.004).
    rng = np.random.default_rng(2)
    for shift in (0.0, 0.5, 1.5):
        d = rng.normal(shift, 1, 2000)
        zero = np.zeros_like(d)
        boot = st.compare_paired(d, zero, alternative="greater", n_boot=2000)
        wald = st.compare_paired(d, zero, alternative="greater", n_boot=0)
        assert wald["ci_low"] == pytest.approx(boot["ci_low"], abs=0.01), shift
        assert wald["ci_high"] == pytest.approx(boot["ci_high"], abs=0.01), shift
    assert "bootstrap" in boot["ci_method"] and "U-statistic" in wald["ci_method"]
    # under the null the SE is the signed-rank variance's, 4 sqrt(m(m+1)(2m+1)/24) / (m(m+1))
    d = rng.normal(0, 1, 5000)
    m = d.size
    null_se = 4 * math.sqrt(m * (m + 1) * (2 * m + 1) / 24) / (m * (m + 1))
    assert st._matched_rank_biserial_se(d) == pytest.approx(null_se, rel=0.05)


def test_order_level_tests_say_they_count_each_order_as_independent():
    # Both order-level tests (Mann-Whitney / Welch on units, Spearman of depth and units)
    # and their bootstraps resample orders, not customers; their caveats say so.
    specs = st._test_specs()
    for test_id in ("discount_volume", "discount_depth_volume"):
        assert specs[test_id].grain == "order"
        assert "the test counts every order as independent" in specs[test_id].caveat


def _clustered_orders(rng, n_customers: int = 150, per_customer: int = 10):
    """Orders of customers who differ a lot (SD 2 units) and whose orders are alike (SD
    0.5 within), the customer's id of each order."""
    customer = np.repeat(np.arange(n_customers), per_customer)
    usual = rng.normal(0, 2, n_customers)
    return customer, 5 + usual[customer] + rng.normal(0, 0.5, customer.size)


def test_cluster_robust_slope_is_statsmodels_cr1():
    """_cluster_robust_slope's slope and standard error are those of statsmodels' OLS with
    cov_type='cluster' (CR1), with unequal cluster sizes."""
    import statsmodels.api as sm

    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(300), rng.integers(1, 12, 300))
    x = (rng.random(groups.size) < 0.4).astype(float)
    y = rng.normal(0, 1, 300)[groups] + 0.2 * x + rng.normal(0, 1, groups.size)
    slope, se, n_groups = st._cluster_robust_slope(y, x, groups)
    fit = sm.OLS(y, sm.add_constant(x)).fit(cov_type="cluster", cov_kwds={"groups": groups},
                                            use_t=True)
    assert slope == pytest.approx(fit.params[1], rel=1e-12)
    assert se == pytest.approx(fit.bse[1], rel=1e-10)
    assert n_groups == 300 and fit.df_resid_inference == n_groups - 1


def test_clustered_effects_are_centred_on_the_tests_own_effects():
    """The clustered interval is around the effect the test reports: Hedges' g, the
    rank-biserial (2 (mean rank A - mean rank B) / n) and Spearman's rho are each a
    multiple of the regression slope whose clustered error is used."""
    rng = np.random.default_rng(1)
    customer, units = _clustered_orders(rng)
    flag = rng.random(customer.size) < 0.4
    units = units + 0.3 * flag
    a, b = units[flag], units[~flag]
    for skewed, method in ((False, "welch_t"), (True, "mann_whitney_u")):
        plain = st.compare_two_groups(a, b, alternative="greater", skewed=skewed, n_boot=0)
        clustered = st.clustered_comparison(a, b, customer[flag], customer[~flag],
                                            method=method, alternative="greater")
        centre = (clustered["ci_low_clustered"] + clustered["ci_high_clustered"]) / 2
        assert centre == pytest.approx(plain["effect_size"], abs=1e-9), method
        assert clustered["clusters"] == 150
    rate = rng.random(customer.size)
    plain = st.association(rate, units, alternative="greater", n_boot=0)
    clustered = st.clustered_association(rate, units, customer, alternative="greater")
    centre = (clustered["ci_low_clustered"] + clustered["ci_high_clustered"]) / 2
    assert centre == pytest.approx(plain["effect_size"], abs=1e-9)
    # all orders of one customer: nothing to estimate the clustered error from
    one = st.clustered_association(rate, units, np.zeros(units.size), alternative="greater")
    assert one["clusters"] == 1 and math.isnan(one["p_value_clustered"])
    assert math.isnan(one["ci_low_clustered"])


def test_orders_counted_by_customer_keep_the_false_alarm_rate():
    """Known answer: the customer decides whether to buy on discount (all their orders or
    none), and a discount changes no order, while customers differ a lot and their orders
    are alike. Counting the 1,500 orders as independent finds a difference in about a
    third of 200 such samples; counted by customer (150 clusters), in about 5 %, the
    level asked for. The same holds for the depth of discount and units."""
    rng = np.random.default_rng(3)
    found = {"orders": 0, "customers": 0, "rho orders": 0, "rho customers": 0}
    for _ in range(200):
        customer, units = _clustered_orders(rng)
        flag = (rng.random(150) < 0.5)[customer]
        a, b = units[flag], units[~flag]
        plain = st.compare_two_groups(a, b, alternative="greater", skewed=False, n_boot=0)
        clustered = st.clustered_comparison(a, b, customer[flag], customer[~flag],
                                            method="welch_t", alternative="greater")
        found["orders"] += plain["p_value"] < 0.05
        found["customers"] += clustered["p_value_clustered"] < 0.05
        depth = rng.random(150)[customer]  # the customer's usual discount depth
        plain = st.association(depth, units, alternative="greater", n_boot=0)
        clustered = st.clustered_association(depth, units, customer, alternative="greater")
        found["rho orders"] += plain["p_value"] < 0.05
        found["rho customers"] += clustered["p_value_clustered"] < 0.05
    assert found["orders"] > 40 and found["rho orders"] > 40
    assert found["customers"] <= 18 and found["rho customers"] <= 18


def test_a_verdict_that_rests_on_orders_being_independent_says_so():
    """hypothesis_tests: the order-level rows carry their clustered p-value and interval
    (NULL elsewhere), the caveat states them, and a test that is significant only while
    one customer's orders count as independent says so in its verdict."""
    rng = np.random.default_rng(5)
    customer, units = _clustered_orders(rng, n_customers=60, per_customer=25)
    flag = (rng.random(60) < 0.5)[customer]
    # a chance difference between the two kinds of customer, fixed so that it shows
    units = units + 1.2 * flag
    orders = pd.DataFrame({"order_id": np.arange(customer.size),
                           "customer_id": [f"c{i}" for i in customer],
                           "quantity": np.round(units * 3).clip(1),
                           "is_discounted": flag})
    customers = pd.DataFrame({"customer_id": [f"c{i}" for i in range(60)]})
    res = st.hypothesis_tests(customers, orders, n_boot=0).set_index("test_id")
    row = res.loc["discount_volume"]
    assert row["clusters"] == 60 and row["p_value_clustered"] > row["p_value"]
    assert row["ci_low_clustered"] < row["ci_low"] and row["ci_high_clustered"] > row["ci_high"]
    assert "standard errors clustered by 60 customers" in row["caveat"]
    assert bool(row["is_significant"]) and row["p_value_clustered"] > 0.05
    assert row["verdict"].startswith("Supported: ")
    assert re.search(r"; but not significant once each customer's orders are counted together "
                     r"\(Holm p = 0\.\d{3} with standard errors clustered by customer\)$",
                     row["verdict"]), row["verdict"]
    others = res.drop(index=["discount_volume", "discount_depth_volume"])
    assert others["p_value_clustered"].isna().all() and others["clusters"].isna().all()


def test_planted_discount_volume_within_customer_found(planted_result):
    """Discounts raise units for every customer alike in the planted data: the paired test
    finds it, and its group means keep the planted direction."""
    row = planted_result.loc["discount_volume_within_customer"]
    assert row["method"] == "wilcoxon_signed_rank" and row["grain"] == "customer"
    assert row["effect_size"] > 0.2 and bool(row["is_significant"])
    assert row["mean_a"] > row["mean_b"]
    assert row["verdict"].startswith(
        "Supported: a customer's discounted orders contain more units than their full-price"
    )


def test_within_customer_test_is_not_fooled_by_who_gets_discounts():
    """Known answer: customers who buy many units per order are sent more discounts, but a
    discount changes nobody's order. Across orders the discounted ones hold more units (the
    order-level test says so); within customers there is nothing to find."""
    rng = np.random.default_rng(11)
    n_customers, per_customer = 1500, 8
    base = rng.gamma(2.0, 2.0, n_customers)  # the customer's usual units per order
    p_discount = np.clip(0.05 + 0.08 * base, 0, 0.9)  # heavy buyers get more discounts
    cust = np.repeat(np.arange(n_customers), per_customer)
    discounted = rng.random(cust.size) < p_discount[cust]
    quantity = 1 + rng.poisson(base[cust])  # no discount effect at all
    orders = pd.DataFrame({
        "order_id": np.arange(cust.size),
        "customer_id": [f"c{i}" for i in cust],
        "quantity": quantity,
        "is_discounted": discounted,
    })
    customers = pd.DataFrame({"customer_id": [f"c{i}" for i in range(n_customers)]})
    res = st.hypothesis_tests(customers, orders, n_boot=300).set_index("test_id")
    across = res.loc["discount_volume"]
    assert bool(across["is_significant"]) and across["effect_size"] > 0.1
    within = res.loc["discount_volume_within_customer"]
    assert within["status"] == "ran" and within["n_a"] > 500
    assert not bool(within["is_significant"])
    assert within["ci_low"] < 0 < within["ci_high"]


def test_planted_discount_depth_and_income_found(planted_result):
    depth = planted_result.loc["discount_depth_volume"]
    assert depth["effect_size"] > 0.1 and bool(depth["is_significant"])
    assert depth["n_a"] == depth["n_b"] and 1500 < depth["n_a"] < 2100
    income = planted_result.loc["income_spend"]
    # spend is lognormal in income with a 0.5/0.78 share of log-spend variance: strong rho
    assert income["effect_size"] > 0.5 and bool(income["is_significant"])
    assert income["verdict"].startswith("Supported: higher-income customers spend more")
    # loyalty score was generated independently of spend: nothing to find
    score = planted_result.loc["loyalty_score_spend"]
    assert not bool(score["is_significant"])
    assert score["ci_low"] < 0 < score["ci_high"]
    assert score["verdict"].startswith("Not supported: no clear evidence")


DISCOUNT_FREQ_GAP, DISCOUNT_FREQ_SD = 2.0, 4.0  # discount buyers: 2 purchases/year more


def discount_frequency_customers(gap: float, seed: int = 11, n: int = 2000) -> pd.DataFrame:
    """One purchase per customer (as document 003's file), about 40 % of them discounted,
    purchase frequency normal with SD 4 and ``gap`` purchases/year more for discount buyers;
    plus 300 customers without purchases (order_count 0, frequency 0), who belong to
    neither group."""
    rng = np.random.default_rng(seed)
    discounted = rng.random(n) < 0.4
    buyers = pd.DataFrame(
        {
            "customer_id": [f"b{i:05d}" for i in range(n)],
            "order_count": 1,
            "discounted_order_count": discounted.astype(int),
            "purchase_frequency_per_year": rng.normal(12.0 + gap * discounted, DISCOUNT_FREQ_SD),
        }
    )
    idle = pd.DataFrame(
        {
            "customer_id": [f"z{i:05d}" for i in range(300)],
            "order_count": 0,
            "discounted_order_count": 0,
            "purchase_frequency_per_year": 0.0,
        }
    )
    return pd.concat([buyers, idle], ignore_index=True)


def test_planted_discount_frequency_found():
    customers = discount_frequency_customers(DISCOUNT_FREQ_GAP)
    res = st.hypothesis_tests(customers, None, n_boot=500).set_index("test_id")
    row = res.loc["discount_frequency"]
    truth = DISCOUNT_FREQ_GAP / DISCOUNT_FREQ_SD  # Hedges' g of the planted gap, 0.5
    assert row["status"] == "ran" and row["grain"] == "customer"
    assert row["source_document"] == "003" and row["alternative"] == "greater"
    assert row["method"] == "welch_t"  # normal frequencies are not skewed
    assert row["effect_size"] > 0 and bool(row["is_significant"])
    assert row["effect_size"] == pytest.approx(truth, abs=0.1)
    assert row["ci_low"] < truth < row["ci_high"]
    assert row["mean_a"] - row["mean_b"] == pytest.approx(DISCOUNT_FREQ_GAP, abs=0.5)
    # the 300 customers without purchases are in neither group
    buyers = customers[customers["order_count"] > 0]
    assert row["n_a"] == (buyers["discounted_order_count"] > 0).sum()
    assert row["n_a"] + row["n_b"] == len(buyers)
    assert row["verdict"].startswith("Supported: customers who buy on discount buy more often")
    assert "not causation" in row["caveat"]
    assert "several purchases" not in row["method_reason"]  # one purchase each
    # the only test that ran: Holm leaves its p-value as it is
    assert row["p_value_holm"] == pytest.approx(row["p_value"])


def test_discount_frequency_null_is_not_significant():
    for seed in (1, 2, 3):
        customers = discount_frequency_customers(0.0, seed=seed)
        row = st.hypothesis_tests(customers, None, n_boot=300).set_index("test_id").loc[
            "discount_frequency"]
        assert row["status"] == "ran"
        assert not bool(row["is_significant"]), (seed, row["p_value"])
        assert row["ci_low"] < 0 < row["ci_high"]
        assert row["verdict"].startswith("Not supported:"), row["verdict"]


def test_discount_frequency_is_not_run_when_customers_list_several_purchases():
    """With several purchases listed, a customer who buys more has more chances of a
    discounted one: even with no planted gap the discount group would buy more often by
    construction, so the test is not run and says why."""
    customers = discount_frequency_customers(DISCOUNT_FREQ_GAP)
    customers.loc[customers["order_count"] > 0, "order_count"] = 2
    row = st.hypothesis_tests(customers, None, n_boot=100).set_index("test_id").loc[
        "discount_frequency"]
    assert row["status"] == "not_run"
    assert row["method_reason"].startswith(
        "customers list several purchases (mean order_count 2 with a discounted one, 2 "
        "without), and one who buys more has more chances of a discounted one"
    )
    assert pd.isna(row["p_value"])


def test_discount_frequency_not_run_without_its_inputs():
    customers = discount_frequency_customers(DISCOUNT_FREQ_GAP, n=200)

    def verdict(frame: pd.DataFrame) -> str:
        row = st.hypothesis_tests(frame, None, n_boot=50).set_index("test_id").loc[
            "discount_frequency"]
        assert row["status"] == "not_run" and row["verdict"] == f"Not run: {row['method_reason']}"
        return row["verdict"]

    assert verdict(customers.drop(columns="discounted_order_count")) == (
        "Not run: the dataset has no discounted purchases per customer "
        "(column discounted_order_count is missing)"
    )
    assert verdict(customers.assign(discounted_order_count=None)) == (
        "Not run: the dataset has no discounted purchases per customer "
        "(discounted_order_count is empty)"
    )
    assert verdict(customers.assign(purchase_frequency_per_year=np.nan)) == (
        "Not run: the dataset has no purchase frequency per customer "
        "(purchase_frequency_per_year is empty)"
    )
    assert "order_count" in verdict(customers.drop(columns="order_count"))
    assert verdict(customers.assign(discounted_order_count=0)) == (
        "Not run: no customer has a discounted purchase, so there is no discount group"
    )
    assert verdict(customers.assign(discounted_order_count=customers["order_count"])) == (
        "Not run: every customer with purchases has a discounted one, so there is no group "
        "without discounts"
    )
    # two discount buyers: too few to compare (as every two-group test)
    few = customers.assign(discounted_order_count=0)
    few.loc[:1, "discounted_order_count"] = 1
    assert verdict(few).startswith("Not run: too few observations to compare (customers with a "
                                   "discounted purchase: 2, customers without a discounted "
                                   "purchase:")


def test_significant_effect_in_the_wrong_direction_is_not_support():
    rng = np.random.default_rng(8)
    n = 800
    income = rng.normal(50_000, 10_000, n)
    customers = pd.DataFrame(
        {
            "customer_id": np.arange(n).astype(str),
            "annual_income": income,
            "total_spend": np.exp(8 - income / 20_000 + rng.normal(0, 0.3, n)),  # richer spend less
            "loyalty_score": rng.uniform(1, 10, n),
        }
    )
    res = st.hypothesis_tests(customers, None, n_boot=100).set_index("test_id")
    row = res.loc["income_spend"]
    assert bool(row["is_significant"]) and row["effect_size"] < -0.5
    assert row["verdict"].startswith("Not supported: the association goes the other way")
    assert row["ci_high"] < 0


def test_a_one_sided_test_says_when_the_effect_goes_the_other_way():
    """Document 003 expects over-50s to buy less often (a one-sided test). Planted: they buy
    more. The one-sided p is near 1, so the test is not significant, but the verdict must
    not read "no clear evidence": the effect's interval lies wholly the other way."""
    rng = np.random.default_rng(4)
    n = 1200
    age = rng.integers(20, 80, n)
    frequency = rng.gamma(4.0, 1.0, n) * np.where(age > 50, 1.4, 1.0)
    customers = pd.DataFrame({
        "customer_id": np.arange(n).astype(str),
        "age": age,
        "purchase_frequency_per_year": frequency,
    })
    row = st.hypothesis_tests(customers, None, n_boot=200).set_index("test_id").loc[
        "over_50_frequency"]
    assert row["status"] == "ran" and not bool(row["is_significant"])
    assert row["p_value"] > 0.9
    assert row["ci_low"] > 0 and row["effect_size"] > 0
    assert row["verdict"].startswith("Not supported: the difference goes the other way")
    # and with no effect at all it stays "no clear evidence"
    customers["purchase_frequency_per_year"] = rng.gamma(4.0, 1.0, n)
    row = st.hypothesis_tests(customers, None, n_boot=200).set_index("test_id").loc[
        "over_50_frequency"]
    assert row["ci_low"] < 0 < row["ci_high"]
    assert row["verdict"].startswith("Not supported: no clear evidence")


def test_a_two_sided_test_not_significant_after_holm_is_no_clear_evidence():
    """The "goes the other way" wording for an interval wholly on the other side is for
    one-sided tests only: a two-sided test is judged by its Holm p. Here loyalty and spend
    fall together slightly; the bootstrap interval (-0.22 to -0.01) misses zero but the Holm
    p (0.050, two tests) does not clear 0.05."""
    rng = np.random.default_rng(2)
    n = 300
    loyalty = rng.uniform(1, 10, n)
    customers = pd.DataFrame({
        "customer_id": np.arange(n).astype(str),
        "loyalty_score": loyalty,
        "total_spend": np.exp(6 - 0.02 * loyalty + rng.normal(0, 0.6, n)),
        "annual_income": rng.normal(5e4, 1e4, n),
    })
    row = st.hypothesis_tests(customers, None, n_boot=300).set_index("test_id").loc[
        "loyalty_score_spend"]
    assert row["alternative"] == "two-sided"
    assert row["ci_high"] < 0 and row["p_value_holm"] >= 0.05
    assert row["verdict"].startswith("Not supported: no clear evidence")


# ----------------------------------------------------------------- null data


def test_null_data_rarely_significant():
    runs = {"welch_t": 0, "mann_whitney_u": 0, "spearman": 0}
    significant = dict(runs)
    covers = dict(runs)
    for seed in range(20):
        rng = np.random.default_rng(1000 + seed)
        results = [
            st.compare_two_groups(
                rng.normal(size=150),
                rng.normal(size=200),
                alternative="greater",
                skewed=None,
                n_boot=200,
                random_state=seed,
            ),
            st.compare_two_groups(
                rng.lognormal(size=150),
                rng.lognormal(size=200),
                alternative="greater",
                skewed=None,
                n_boot=200,
                random_state=seed,
            ),
            st.association(
                rng.normal(size=200), rng.lognormal(size=200), n_boot=200, random_state=seed
            ),
        ]
        for res in results:
            runs[res["method"]] += 1
            significant[res["method"]] += res["p_value"] < 0.05
            covers[res["method"]] += res["ci_low"] < 0 < res["ci_high"]
    assert runs == {"welch_t": 20, "mann_whitney_u": 20, "spearman": 20}  # skew rule as planned
    for method, count in significant.items():
        assert count <= 3, (method, significant)
        assert covers[method] >= 17, (method, covers)


def test_null_customers_give_no_supported_hypotheses():
    for seed in range(3):
        rng = np.random.default_rng(seed)
        n = 600
        customers = pd.DataFrame(
            {
                "customer_id": np.arange(n).astype(str),
                "age": rng.integers(18, 81, n),
                "annual_income": rng.normal(50_000, 10_000, n),
                "is_loyalty_member": rng.random(n) < 0.5,
                "loyalty_score": rng.uniform(1, 10, n),
                "total_spend": rng.lognormal(5, 1, n),
                "purchase_frequency_per_year": rng.gamma(5, 1, n),
                # windows unrelated to anything (no draw, so the seeds' other draws stay)
                "purchase_frequency_window_days": 30 + (np.arange(n) * 7) % 1470,
                # one purchase listed each (as in document 003's file; discount_frequency
                # runs only then), every third customer's discounted (no draw)
                "order_count": 1,
                "discounted_order_count": (np.arange(n) % 3 == 0).astype(int),
            }
        )
        m = 1200
        orders = pd.DataFrame(
            {
                "order_id": np.arange(m).astype(str),
                "customer_id": rng.integers(0, 200, m).astype(str),
                "quantity": rng.geometric(0.4, m),
                "is_discounted": rng.random(m) < 0.3,
                "discount_rate": rng.uniform(0, 0.4, m),
            }
        )
        seasons = season_table(independent_shares(), 5_000, seed=seed)
        res = st.hypothesis_tests(customers, orders, seasonal_demand=seasons, n_boot=100,
                                  random_state=seed)
        assert (res["status"] == "ran").all()
        assert not res["verdict"].str.startswith("Supported").any(), res["verdict"].tolist()
        assert not res["is_significant"].any()


# ------------------------------------------------ season x product category


def test_chi_square_has_no_continuity_correction_and_v_matches_hand_computation():
    """[[10, 20], [30, 40]]: expected 12, 18, 28, 42, so chi2 = 4 (1/12 + 1/18 + 1/28 + 1/42)
    = 0.7937 (Yates' correction would give 0.4464). The plain V = sqrt(chi2 / 100) = 0.089
    is no more than independence gives by chance at n = 100: Bergsma's (2013) bias-corrected
    phi2 = chi2 / 100 - 1 / 99 is below 0, so V = 0. [[30, 10], [10, 50]]: expected 16, 24,
    24, 36, chi2 = 14^2 (1/16 + 1/24 + 1/24 + 1/36) = 34.03, phi2 = chi2 / 100 - 1 / 99,
    r~ = c~ = 2 - 1 / 99, V = sqrt(phi2 / (r~ - 1)) = 0.58 (plain 0.58 as well)."""
    res = st.contingency_independence([[10, 20], [30, 40]], n_boot=0)
    chi2 = 4 * (1 / 12 + 1 / 18 + 1 / 28 + 1 / 42)
    assert res["statistic"] == pytest.approx(chi2, rel=1e-9)
    assert res["df"] == 1 and res["n"] == 100 and res["method"] == "chi_square"
    assert chi2 / 100 < 1 / 99 and res["effect_size"] == 0
    strong = st.contingency_independence([[30, 10], [10, 50]], n_boot=0)
    strong_chi2 = 14 ** 2 * (1 / 16 + 1 / 24 + 1 / 24 + 1 / 36)
    assert strong["statistic"] == pytest.approx(strong_chi2, rel=1e-9)
    assert strong["effect_size"] == pytest.approx(
        math.sqrt((strong_chi2 / 100 - 1 / 99) / (1 - 1 / 99)), rel=1e-9)
    assert res["p_value"] == pytest.approx(stats.chi2.sf(chi2, 1), rel=1e-9)
    assert "correction=False" in res["method_reason"]
    assert "Cohen's (1988)" in res["method_reason"]
    # empty rows and columns are dropped first; too small a table raises
    padded = st.contingency_independence([[10, 0, 20], [0, 0, 0], [30, 0, 40]], n_boot=0)
    assert padded["statistic"] == pytest.approx(chi2, rel=1e-9)
    with pytest.raises(ValueError):
        st.contingency_independence([[10, 20]], n_boot=0)


@pytest.mark.parametrize(("v", "df_star", "words"), [
    (0.05, 3, "negligible"),  # small from 0.1 / sqrt(3) = 0.0577
    (0.06, 3, "small"),
    (0.3, 1, "medium"),
    (0.29, 4, "large"),  # large from 0.5 / 2 = 0.25
    (0.49, 1, "medium"),
])
def test_cramers_v_sizes_follow_cohen_adjusted_for_the_table(v, df_star, words):
    assert st.cramers_v_magnitude(v, df_star) == words


@pytest.mark.parametrize(("name", "value", "words"), [
    ("hedges_g", 0.19, "negligible"),
    ("hedges_g", -0.2, "small"),  # the sign says which way, not how large
    ("hedges_g", 0.79, "medium"),
    ("hedges_g", -0.8, "large"),
    ("rank_biserial", 0.09, "negligible"),
    ("rank_biserial", -0.35, "medium"),
    ("matched_rank_biserial", 0.5, "large"),
    ("spearman_rho", 0.1, "small"),
    ("spearman_rho", float("nan"), "n/a"),
])
def test_effect_sizes_in_words_follow_cohen(name, value, words):
    assert st.effect_size_magnitude(name, value) == words


def test_planted_season_effect_on_category_mix_is_found(planted_result):
    truth = true_cramers_v(planted_shares())  # about 0.090
    row = planted_result.loc["seasonal_category_demand"]
    assert row["status"] == "ran" and row["method"] == "chi_square"
    assert row["grain"] == "order line" and row["source_document"] == "003"
    assert row["n_a"] == row["n_b"] == 20_000 and row["df"] == 12
    assert row["effect_size_name"] == "cramers_v"
    assert row["effect_size"] == pytest.approx(truth, abs=0.015)
    assert row["ci_low"] < truth < row["ci_high"]
    assert row["ci_high"] - row["ci_low"] < 0.05
    assert row["is_significant"] and row["p_value_holm"] < 1e-10
    # small by Cohen's thresholds for df* = 3 (0.058 to 0.173)
    assert row["effect_size_magnitude"] == "small"
    assert row["verdict"].startswith(
        "Supported: the mix of product categories bought differs between seasons (chi-square ")
    assert f"Cramér's V {row['effect_size']:.2f}" in row["verdict"]
    assert "a small effect by Cohen's (1988) thresholds" in row["verdict"]
    assert "df* = min(rows, columns) - 1 = 3" in row["method_reason"]
    assert "4 seasons x 5 product categories" in row["method_reason"]


def test_season_and_category_drawn_independently_are_not_found():
    customers = pd.DataFrame({"customer_id": ["a"]})
    significant = 0
    for seed in range(10):
        seasons = season_table(independent_shares(), 20_000, seed=100 + seed)
        row = st.hypothesis_tests(customers, None, seasonal_demand=seasons, n_boot=200,
                                  random_state=seed).set_index("test_id").loc[
            "seasonal_category_demand"]
        assert row["status"] == "ran"
        significant += bool(row["is_significant"])
        assert not row["verdict"].startswith("Supported")
        assert row["effect_size"] < 0.03 and row["effect_size_magnitude"] == "negligible"
    assert significant <= 1


def test_stated_seasons_are_used_without_dated_lines_and_unknown_is_left_out():
    customers = pd.DataFrame({"customer_id": ["a"]})
    stated = season_table(planted_shares(), 4_000, seed=5, count_column="purchase_count")
    unknown = pd.DataFrame({"season": ["unknown"] * 5, "product_category": CATEGORIES,
                            "purchase_count": [500] * 5})
    empty_dated = season_table(planted_shares(), 0, seed=5).iloc[:0]
    both = st.hypothesis_tests(customers, None, seasonal_demand=empty_dated,
                               stated_seasonal_demand=pd.concat([stated, unknown]),
                               n_boot=100).set_index("test_id").loc["seasonal_category_demand"]
    alone = st.hypothesis_tests(customers, None, stated_seasonal_demand=stated,
                                n_boot=100).set_index("test_id").loc["seasonal_category_demand"]
    assert both["status"] == "ran" and both["grain"] == "purchase" and both["n_a"] == 4_000
    assert "2,500 purchases with an unknown season left out" in both["method_reason"]
    assert "category_demand_by_stated_season" in both["metric"]
    for column in ("statistic", "p_value", "effect_size", "ci_low", "ci_high"):
        assert both[column] == alone[column], column


@pytest.mark.parametrize(("table", "reason"), [
    (None, "no purchases counted by season and product category"),
    (pd.DataFrame({"season": [], "product_category": [], "order_line_count": []}),
     "no purchases counted by season and product category"),
    (pd.DataFrame({"season": ["winter"]}), "no purchases counted by season"),  # no counts
    (pd.DataFrame({"season": ["summer"] * 3, "product_category": ["a", "b", "c"],
                   "order_line_count": [100, 200, 300]}),
     "falls in one season (summer), so there is no season to compare"),
    (pd.DataFrame({"season": ["summer", "winter", "winter"], "product_category": ["a"] * 3,
                   "order_line_count": [100, 200, 0]}),
     "is in one product category (a), so there is no category mix"),
    # 4 x 5 cells, a rare category expecting fewer than 5 in every season: 4 of 20 cells
    # (20 %) pass; a second rare one makes 8 (40 %)
    (pd.DataFrame({"season": np.repeat(SEASONS, 5), "product_category": CATEGORIES * 4,
                   "order_line_count": [100, 100, 100, 2, 2] * 4}),
     "8 of the 20 season x category cells (40%) expect fewer than 5"),
])
def test_season_category_test_not_run_without_a_usable_table(table, reason):
    customers = pd.DataFrame({"customer_id": ["a"]})
    row = st.hypothesis_tests(customers, None, seasonal_demand=table, n_boot=50).set_index(
        "test_id").loc["seasonal_category_demand"]
    assert row["status"] == "not_run"
    assert reason in row["verdict"] and row["verdict"].startswith("Not run: ")
    if "expect fewer than 5" in reason:
        assert "Cochran's rule" in row["verdict"]


def test_cochran_allows_a_fifth_of_cells_below_5():
    """One rare category in 4 x 5 cells: 4 of 20 expected counts below 5 is what Cochran's
    rule allows (at most 20 %, none below 1), so the test runs."""
    table = pd.DataFrame({"season": np.repeat(SEASONS, 5), "product_category": CATEGORIES * 4,
                          "order_line_count": [100, 100, 100, 100, 3] * 4})
    row = st.hypothesis_tests(pd.DataFrame({"customer_id": ["a"]}), None,
                              seasonal_demand=table, n_boot=50).set_index("test_id").loc[
        "seasonal_category_demand"]
    assert row["status"] == "ran"



# ------------------------------------ the seasonal test counted by customer (Rao-Scott)

def customer_lines(counts_by_customer: dict[str, dict[str, int]]) -> pd.DataFrame:
    """int_customer_season_category_lines from {customer: {"season/category": lines}}."""
    return pd.DataFrame(
        [(customer, *cell.split("/"), n)
         for customer, cells in counts_by_customer.items() for cell, n in cells.items()],
        columns=["customer_id", "season", "product_category", "order_line_count"])


def season_mart(lines: pd.DataFrame) -> pd.DataFrame:
    """category_seasonal_demand's counts from the same lines."""
    return (lines.groupby(["season", "product_category"], as_index=False)["order_line_count"]
            .sum())


def rao_scott_of(lines: pd.DataFrame) -> tuple[dict, float]:
    """The Rao-Scott result and the plain chi-square p of a customers' lines table."""
    table = season_mart(lines).pivot(index="season", columns="product_category",
                                     values="order_line_count").fillna(0)
    cells = pd.DataFrame({
        "season": np.repeat(table.index.to_numpy(), table.shape[1]),
        "product_category": np.tile(table.columns.to_numpy(), table.shape[0])})
    units = lines.rename(columns={"customer_id": "cluster", "order_line_count": "count"})
    cross, clusters = st.cell_count_cross(units, cells)
    plain = stats.chi2_contingency(table.to_numpy(), correction=False)
    return st.rao_scott_independence(table.to_numpy(), cross, clusters), float(plain.pvalue)


def test_rao_scott_matches_samplics_on_a_small_clustered_table():
    """Ten customers' 44 lines in a 3 x 3 table. The expected figures are samplics 0.6.1's
    CrossTabulation "Pearson-Adj" (psu = customer, equal weights) on these lines, run with
    its try/else slip mended (it zeroes the design effects whenever the first inversion
    succeeds; DECISIONLOG)."""
    lines = customer_lines({
        "a": {"winter/wine": 4, "summer/wine": 2, "summer/meat": 1},
        "b": {"winter/meat": 3, "spring/meat": 3},
        "c": {"spring/fish": 1, "summer/fish": 1, "winter/wine": 1},
        "d": {"summer/wine": 5, "spring/wine": 1},
        "e": {"winter/fish": 2, "spring/meat": 1},
        "f": {"spring/wine": 2, "summer/meat": 2, "summer/fish": 2},
        "g": {"winter/meat": 1},
        "h": {"summer/fish": 3, "winter/fish": 1},
        "i": {"spring/wine": 2, "winter/meat": 2},
        "j": {"summer/meat": 1, "spring/fish": 1, "winter/wine": 1, "summer/wine": 1},
    })
    res, plain_p = rao_scott_of(lines)
    assert res["clusters"] == 10
    assert res["statistic"] == pytest.approx(0.23839683357511146, rel=1e-9)
    assert res["df_numerator"] == pytest.approx(3.4065037999989176, rel=1e-9)
    assert res["df_denominator"] == pytest.approx(30.658534199990257, rel=1e-9)
    assert res["p_value"] == pytest.approx(0.8902647133809454, rel=1e-9)
    assert plain_p == pytest.approx(0.7692877684395609, rel=1e-9)  # samplics' unadjusted


def test_rao_scott_with_one_line_per_customer_is_the_plain_test():
    """Every customer one line: no clustering, Delta = G / (G - 1) I, so F = X^2 / (df
    G / (G - 1)) on df and df (G - 1) degrees of freedom - the plain test's p within the
    F's finite denominator."""
    rng = np.random.default_rng(3)
    cells = rng.choice([f"{s}/{c}" for s in SEASONS for c in CATEGORIES], size=2_000)
    lines = customer_lines({f"c{i}": {cell: 1} for i, cell in enumerate(cells)})
    res, plain_p = rao_scott_of(lines)
    table = season_mart(lines).pivot(index="season", columns="product_category",
                                     values="order_line_count").to_numpy()
    chi2 = stats.chi2_contingency(table, correction=False).statistic
    assert res["df_numerator"] == pytest.approx(12)
    assert res["mean_design_effect"] == pytest.approx(2_000 / 1_999)
    assert res["statistic"] == pytest.approx(chi2 / 12 * 1_999 / 2_000)
    assert res["p_value"] == pytest.approx(plain_p, abs=0.01)


def test_rao_scott_is_unchanged_when_every_customer_buys_each_line_three_times():
    """Tripling each customer's lines triples the plain chi-square (and shrinks its p) but
    tells nothing new about customers: the corrected test is the same."""
    rng = np.random.default_rng(4)
    lines = customer_lines({
        f"c{i}": {f"{rng.choice(SEASONS)}/{rng.choice(CATEGORIES)}": int(rng.integers(1, 4))
                  for _ in range(3)}
        for i in range(400)})
    once, plain_once = rao_scott_of(lines)
    thrice, plain_thrice = rao_scott_of(lines.assign(order_line_count=lambda f: 3 * f[
        "order_line_count"]))
    assert plain_thrice < plain_once / 10
    for key in ("statistic", "df_numerator", "df_denominator", "p_value"):
        assert thrice[key] == pytest.approx(once[key], rel=1e-9), key
    assert thrice["mean_design_effect"] == pytest.approx(3 * once["mean_design_effect"])


def habitual_customers(seed: int, planted: bool = False, n: int = 300) -> pd.DataFrame:
    """Customers who each favour one category and one season (70 % of their lines each),
    drawn independently: season and category independent, but one customer's lines alike
    in both (a customer who shops mostly in winter and mostly buys wine puts many lines in
    one cell). ``planted`` moves garden lines to summer for everyone."""
    rng = np.random.default_rng(seed)
    counts: dict[str, dict[str, int]] = {}
    for i in range(n):
        favourite, favourite_season = rng.choice(CATEGORIES), rng.choice(SEASONS)
        cells: dict[str, int] = {}
        for _ in range(int(rng.integers(5, 25))):
            category = favourite if rng.random() < 0.7 else rng.choice(CATEGORIES)
            season = favourite_season if rng.random() < 0.7 else rng.choice(SEASONS)
            if planted and category == "garden" and rng.random() < 0.5:
                season = "summer"
            cells[f"{season}/{category}"] = cells.get(f"{season}/{category}", 0) + 1
        counts[f"c{i}"] = cells
    return customer_lines(counts)


def test_rao_scott_keeps_false_alarms_near_five_percent_where_the_plain_test_does_not():
    """Known answer: season and category independent, each customer's lines alike. Counted
    line by line the chi-square finds a difference in nearly every sample (97 % of these
    200); counted by customer in about 5 % (4.5 %)."""
    plain = corrected = 0
    samples = 200
    for seed in range(samples):
        res, plain_p = rao_scott_of(habitual_customers(seed))
        plain += plain_p < 0.05
        corrected += res["p_value"] < 0.05
    assert plain / samples > 0.5
    assert 0.01 <= corrected / samples <= 0.09


def test_rao_scott_still_finds_a_planted_season_effect():
    res, plain_p = rao_scott_of(habitual_customers(7, planted=True))
    assert plain_p < 1e-6 and res["p_value"] < 1e-3


def test_seasonal_test_counted_by_customer_in_the_hypothesis_table():
    """Forty customers, each buying 50 times in one season and category: the plain test
    counts 2,000 lines and finds the mix differs, but it rests on 40 customers' choices,
    and counted by customer it is not significant - the verdict says so. The stated-season
    mart's purchases are one per customer already, so it is not counted again."""
    rng = np.random.default_rng(11)
    cells = [f"{s}/{c}" for s, c in zip(rng.choice(SEASONS[:2], 40),
                                          rng.choice(CATEGORIES[:2], 40), strict=True)]
    lines = customer_lines({f"c{i}": {cell: 50} for i, cell in enumerate(cells)})
    customers = pd.DataFrame({"customer_id": ["a"]})
    season_clusters = pipeline._season_clusters(lines)
    row = st.hypothesis_tests(customers, None, seasonal_demand=season_mart(lines),
                              season_clusters=season_clusters, n_boot=50).set_index(
        "test_id").loc["seasonal_category_demand"]
    res, plain_p = rao_scott_of(lines)
    assert row["status"] == "ran" and row["is_significant"]
    assert row["clusters"] == 40
    assert row["p_value_clustered"] == pytest.approx(res["p_value"], rel=1e-6)
    assert res["p_value"] > 0.05 and plain_p < 1e-6
    assert math.isnan(row["ci_low_clustered"]) and math.isnan(row["ci_high_clustered"])
    assert "Rao-Scott second-order correction for the 40 customers' lines" in row["caveat"]
    assert row["verdict"].endswith(
        "but not significant once each customer's order lines are counted together "
        f"({st._fmt_p(res['p_value'])} with the chi-square corrected by Rao-Scott)"), \
        row["verdict"]
    stated = season_mart(lines).rename(columns={"order_line_count": "purchase_count"})
    row = st.hypothesis_tests(customers, None, stated_seasonal_demand=stated,
                              season_clusters=season_clusters, n_boot=50).set_index(
        "test_id").loc["seasonal_category_demand"]
    assert row["status"] == "ran" and pd.isna(row["clusters"])
    assert math.isnan(row["p_value_clustered"])


# --------------------------------------------------------- missing inputs


def test_missing_columns_and_no_orders_are_not_run():
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "total_spend": [1.0, 2.0, 3.0]})
    res = st.hypothesis_tests(customers, None, n_boot=50)
    assert res["test_id"].tolist() == TEST_IDS
    assert (res["status"] == "not_run").all()
    assert res["verdict"].str.startswith("Not run: ").all()
    assert res["p_value_holm"].isna().all() and res["is_significant"].isna().all()
    reasons = res.set_index("test_id")["method_reason"]
    assert "no orders table" in reasons["discount_volume"]
    assert "loyalty membership" in reasons["loyalty_member_spend"]
    assert "age" in reasons["over_50_frequency"]
    assert "income" in reasons["income_spend"]
    assert "discounted purchases" in reasons["discount_frequency"]
    assert "no purchases counted by season and product category" in reasons[
        "seasonal_category_demand"]
    # column types do not depend on which tests ran (all-missing text stays text)
    for col in ("method", "effect_size_name", "ci_method", "verdict", "caveat"):
        assert pd.api.types.is_string_dtype(res[col]), col
    assert str(res["n_a"].dtype) == "Int64" and str(res["is_significant"].dtype) == "boolean"


def test_partial_inputs_run_what_they_can():
    customers, orders = planted_data(seed=2, n_customers=400, n_orders=500)
    customers = customers.drop(columns=["purchase_frequency_per_year", "loyalty_score"])
    customers["is_loyalty_member"] = True  # nobody to compare against
    orders = orders.drop(columns=["is_discounted", "discount_rate"])  # derived from amounts
    res = st.hypothesis_tests(customers, orders, n_boot=50).set_index("test_id")
    assert res.loc["loyalty_member_spend", "status"] == "not_run"
    assert "no non-members" in res.loc["loyalty_member_spend", "verdict"]
    assert res.loc["loyalty_score_spend", "status"] == "not_run"
    freq = res.loc["over_50_frequency"]
    assert freq["status"] == "ran" and freq["metric"] == "order_count"
    assert "order_count" in freq["method_reason"] and "order_count" in freq["caveat"]
    assert "place fewer orders" in freq["verdict"]
    assert res.loc["discount_volume", "status"] == "ran"
    assert "discount_amount > 0" in res.loc["discount_volume", "method_reason"]
    assert res.loc["discount_depth_volume", "status"] == "ran"
    ran = res[res["status"] == "ran"]
    # Holm counts only the tests that ran
    assert ran["p_value_holm"].to_numpy() == pytest.approx(
        st.holm_adjust(ran["p_value"].to_numpy()), abs=1e-9
    )


def test_orders_without_discounts_or_quantity():
    customers = pd.DataFrame({"customer_id": ["a"], "age": [None], "total_spend": [1.0]})
    no_disc = pd.DataFrame(
        {"order_id": ["1", "2", "3", "4"], "quantity": [1, 2, 3, 4], "is_discounted": [False] * 4}
    )
    res = st.hypothesis_tests(customers, no_disc, n_boot=50).set_index("test_id")
    assert res.loc["discount_volume", "verdict"] == (
        "Not run: the dataset has no order-level discounts (no order is discounted)"
    )
    assert "age" in res.loc["over_50_frequency", "verdict"]  # all-null age
    no_cols = pd.DataFrame({"order_id": ["1", "2"], "quantity": [1, 2]})
    res = st.hypothesis_tests(customers, no_cols, n_boot=50).set_index("test_id")
    assert "no order-level discounts" in res.loc["discount_volume", "verdict"]
    no_qty = pd.DataFrame({"order_id": ["1", "2"], "is_discounted": [True, False]})
    res = st.hypothesis_tests(customers, no_qty, n_boot=50).set_index("test_id")
    assert "quantity" in res.loc["discount_volume", "verdict"]
    constant = pd.DataFrame(
        {"order_id": list("abcdef"), "quantity": [1] * 6, "is_discounted": [True, False] * 3}
    )
    res = st.hypothesis_tests(customers, constant, n_boot=50).set_index("test_id")
    assert res.loc["discount_volume", "status"] == "not_run"
    assert "same value" in res.loc["discount_volume", "verdict"]
    empty = st.hypothesis_tests(pd.DataFrame({"customer_id": []}), None)
    assert (empty["status"] == "not_run").all()


# ---------------------------------------------------------------- spend drivers

INCOME_SLOPE, KID_EFFECT, TEEN_EFFECT, AGE_SLOPE, MEMBER_EFFECT, NOISE_SD = (
    0.02,
    -312.0,
    -80.0,
    4.0,
    150.0,
    300.0,
)
INCOME_SD, AGE_LO, AGE_HI = 15_000.0, 18, 80


def planted_drivers(seed: int = 21, n: int = 5000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    income = rng.normal(60_000, INCOME_SD, n)
    kids = rng.binomial(2, 0.4, n)
    teens = rng.binomial(2, 0.3, n)
    age = rng.uniform(AGE_LO, AGE_HI, n)
    member = rng.random(n) < 0.4
    tenure = rng.uniform(30, 1500, n)  # no effect planted
    spend = (
        200
        + INCOME_SLOPE * income
        + KID_EFFECT * kids
        + TEEN_EFFECT * teens
        + AGE_SLOPE * age
        + MEMBER_EFFECT * member
        + rng.normal(0, NOISE_SD, n)
    )
    income[rng.random(n) < 0.05] = np.nan  # 5 % unknown income
    return pd.DataFrame(
        {
            "customer_id": np.arange(n).astype(str),
            "annual_income": income,
            "age": age,
            "kids_at_home": kids,
            "teens_at_home": teens,
            "is_loyalty_member": member,
            "tenure_days": tenure,
            "total_spend": spend,
            "gender": rng.choice(["f", "m"], n),
        }
    )


def test_spend_drivers_recover_planted_coefficients():
    customers = planted_drivers()
    var_spend = (
        (INCOME_SLOPE * INCOME_SD) ** 2
        + KID_EFFECT**2 * 2 * 0.4 * 0.6
        + TEEN_EFFECT**2 * 2 * 0.3 * 0.7
        + AGE_SLOPE**2 * (AGE_HI - AGE_LO) ** 2 / 12
        + MEMBER_EFFECT**2 * 0.4 * 0.6
        + NOISE_SD**2
    )
    beta_income = INCOME_SLOPE * INCOME_SD / math.sqrt(var_spend)  # about 0.61
    beta_kids = KID_EFFECT * math.sqrt(2 * 0.4 * 0.6) / math.sqrt(var_spend)  # about -0.44

    res = st.spend_drivers(customers).set_index("predictor")
    assert list(res.index) == list(st.DEFAULT_DRIVER_PREDICTORS)
    assert (res["status"] == "ran").all()
    assert (res["n"] == customers["annual_income"].notna().sum()).all()  # complete rows only

    inc = res.loc["annual_income"]
    assert inc["rank"] == 1  # income is the strongest predictor
    assert inc["standardized_beta"] == pytest.approx(beta_income, abs=0.03)
    assert inc["raw_coefficient"] == pytest.approx(INCOME_SLOPE, abs=0.001)
    assert inc["raw_ci_low"] < INCOME_SLOPE < inc["raw_ci_high"]

    kids = res.loc["kids_at_home"]
    assert kids["rank"] == 2
    assert kids["standardized_beta"] == pytest.approx(beta_kids, abs=0.03)
    assert kids["raw_coefficient"] == pytest.approx(KID_EFFECT, abs=25)
    assert kids["raw_ci_low"] < KID_EFFECT < kids["raw_ci_high"] < 0
    assert kids["ci_low"] < kids["standardized_beta"] < kids["ci_high"]
    assert kids["p_value"] < 1e-6
    assert re.match(
        r"^Each additional child at home is associated with a difference in total spend of "
        r"-\d+ \(95 % CI -\d+ to -\d+\), holding the other factors fixed\.",
        kids["interpretation"],
    ), kids["interpretation"]

    member = res.loc["is_loyalty_member"]
    assert member["raw_ci_low"] < MEMBER_EFFECT < member["raw_ci_high"]
    assert member["interpretation"].startswith("Loyalty members are associated with")
    assert "10 years of age" in res.loc["age", "interpretation"]
    assert "10,000 of annual income" in inc["interpretation"]

    tenure = res.loc["tenure_days"]  # planted zero
    assert tenure["raw_ci_low"] < 0 < tenure["raw_ci_high"]
    assert tenure["ci_low"] < 0 < tenure["ci_high"]
    assert "includes no effect" in tenure["interpretation"]

    assert sorted(res["rank"].tolist()) == [1, 2, 3, 4, 5, 6]
    assert res["r_squared"].nunique() == 1
    assert res["r_squared"].iloc[0] == pytest.approx(1 - NOISE_SD**2 / var_spend, abs=0.03)
    # the standardised and raw fits agree: beta = b * sd_x / sd_y on the same rows
    used = customers.dropna(subset=["annual_income"])
    ratio = used["annual_income"].std() / used["total_spend"].std()
    assert inc["standardized_beta"] == pytest.approx(inc["raw_coefficient"] * ratio, rel=1e-6)


def test_spend_drivers_report_unusable_predictors():
    customers = planted_drivers(n=400).drop(columns=["kids_at_home"])
    customers["teens_at_home"] = 1
    customers["children_count"] = customers["age"] * 2  # collinear with age
    res = st.spend_drivers(
        customers,
        predictors=[
            "annual_income",
            "age",
            "kids_at_home",
            "teens_at_home",
            "gender",
            "children_count",
        ],
    ).set_index("predictor")
    assert res.loc["annual_income", "status"] == "ran" and res.loc["age", "status"] == "ran"
    for predictor, words in {
        "kids_at_home": "missing",
        "teens_at_home": "same value",
        "gender": "not numeric",
        "children_count": "collinear",
    }.items():
        assert res.loc[predictor, "status"] == "not_run"
        assert words in res.loc[predictor, "reason"], res.loc[predictor, "reason"]
        assert math.isnan(res.loc[predictor, "standardized_beta"])
    assert set(res.loc[res["status"] == "ran", "rank"]) == {1, 2}
    assert pd.api.types.is_string_dtype(st.spend_drivers(planted_drivers(n=300))["reason"])

    no_target = st.spend_drivers(customers.drop(columns=["total_spend"]))
    assert (no_target["status"] == "not_run").all()
    assert no_target["reason"].str.contains("total_spend").all()
    tiny = st.spend_drivers(customers.head(5))
    assert (tiny["status"] == "not_run").all()


def test_correlation_matrix_long_format():
    customers = planted_drivers(n=500)
    out = st.correlation_matrix(
        customers, ["annual_income", "total_spend", "is_loyalty_member", "gender", "missing_column"]
    )
    assert list(out.columns) == ["var_x", "var_y", "n", "pearson", "spearman"]
    assert len(out) == 9  # 3 usable columns, every ordered pair
    pair = out[(out.var_x == "annual_income") & (out.var_y == "total_spend")].iloc[0]
    used = customers.dropna(subset=["annual_income"])
    assert pair["n"] == len(used)
    assert pair["pearson"] == pytest.approx(
        used["annual_income"].corr(used["total_spend"]), abs=1e-9
    )
    expected_rho = stats.spearmanr(used["annual_income"], used["total_spend"]).statistic
    assert pair["spearman"] == pytest.approx(expected_rho, abs=1e-9)
    diag = out[out.var_x == out.var_y]
    assert (diag["pearson"] == 1).all()
    default = st.correlation_matrix(customers)
    assert "customer_id" not in set(default["var_x"])
    # with nothing to correlate (no customer, or constant columns) the table is empty with
    # the filled table's types: names as text, n an integer (they were INTEGER columns)
    none = st.correlation_matrix(customers.head(0), ["annual_income", "total_spend"])
    assert none.empty and list(none.columns) == list(out.columns)
    assert none.dtypes.astype(str).to_dict() == out.dtypes.astype(str).to_dict()


# ----------------------------------------------------------------- determinism


def test_outputs_are_deterministic():
    customers, orders = planted_data(seed=4, n_customers=500, n_orders=800)
    seasons = season_table(planted_shares(), 3_000, seed=4)
    first = st.hypothesis_tests(customers, orders, seasonal_demand=seasons, n_boot=200,
                                random_state=3)
    second = st.hypothesis_tests(customers.copy(), orders.copy(),
                                 seasonal_demand=seasons.sample(frac=1, random_state=1),
                                 n_boot=200, random_state=3)
    pd.testing.assert_frame_equal(first, second)
    other_seed = st.hypothesis_tests(customers, orders, seasonal_demand=seasons, n_boot=200,
                                     random_state=4)
    assert not first["ci_low"].equals(other_seed["ci_low"])  # the seed really drives the bootstrap
    by_id = (first.set_index("test_id")["ci_low"], other_seed.set_index("test_id")["ci_low"])
    assert by_id[0]["seasonal_category_demand"] != by_id[1]["seasonal_category_demand"]
    drivers = planted_drivers(n=300)
    pd.testing.assert_frame_equal(st.spend_drivers(drivers), st.spend_drivers(drivers.copy()))


# ---------------------------------------------------------------- real data

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.mark.realdata
@pytest.mark.skipif(not (DATA / "customer_personality").exists(), reason="needs ../shared/data")
def test_published_income_spend_correlation_customer_personality():
    """Doc 004's data: corr(income, total spend) = 0.6676 over 2,216 customers with income."""
    raw = pd.read_csv(DATA / "customer_personality" / "marketing_campaign.csv", sep="\t")
    spend = raw[[c for c in raw.columns if c.startswith("Mnt")]].sum(axis=1)
    customers = pd.DataFrame(
        {
            "annual_income": pd.to_numeric(raw["Income"], errors="coerce"),
            "total_spend": spend.astype(float),
        }
    )
    out = st.correlation_matrix(customers, ["annual_income", "total_spend"])
    pair = out[(out.var_x == "annual_income") & (out.var_y == "total_spend")].iloc[0]
    assert pair["n"] == 2216
    assert pair["pearson"] == pytest.approx(0.6676, abs=5e-5)
    res = st.association(customers["annual_income"], customers["total_spend"], n_boot=200)
    assert res["n"] == 2216 and res["ci_low"] > 0.7  # the rank correlation is stronger still


@pytest.mark.parametrize("drop", [[], ["is_discounted"], ["discount_rate"],
                                  ["is_discounted", "discount_rate"], ["quantity"]])
def test_hypothesis_order_columns_are_all_the_tests_read(drop):
    """The pipeline reads only hypothesis_order_columns from the orders mart: the tests
    give the same table on those columns as on the whole orders table."""
    customers, orders = planted_data(seed=3, n_customers=300, n_orders=800)
    orders = orders.drop(columns=drop).assign(channel="web")
    with_values = {c for c in orders.columns if orders[c].notna().any()}
    needed = st.hypothesis_order_columns(with_values)
    assert set(needed) <= {"customer_id", "quantity", "is_discounted", "discount_amount",
                           "discount_rate", "amount"}
    customer_cols = ["customer_id", *st.HYPOTHESIS_CUSTOMER_COLUMNS]
    pd.testing.assert_frame_equal(
        st.hypothesis_tests(customers[customer_cols], orders[needed], n_boot=200),
        st.hypothesis_tests(customers, orders, n_boot=200),
    )
    if not drop:
        assert needed == ["customer_id", "quantity", "is_discounted", "discount_rate"]


def test_an_effect_and_its_interval_keep_their_signs_in_order():
    """The effect and its interval are printed signed, lower bound first, as stored: the demo's
    age printed "20.7 lower total spend (95 % CI -39.2 to 80.7)", the stored interval -80.7 to
    +39.2 negated and swapped, which read as that interval with its bounds flipped."""
    from customer_behavior.statistics import _interpret

    verdict = st.strongest_driver([("annual_income", 0.6, 0.5, 0.7), ("age", -0.1, -0.2, 0.0)])

    def text(coef, low, high):
        return _interpret("age", "total_spend", coef, low, high, 10.0, False, 2, 5, -0.1,
                          verdict=verdict)

    assert ("a difference in total spend of -20.7 (95 % CI -80.7 to +39.2, which includes no "
            "effect)") in text(-2.0742, -8.0654, 3.9177)
    assert ("a difference in total spend of +20.7 (95 % CI -39.2 to +80.7, which includes no "
            "effect)") in text(2.0742, -3.9177, 8.0654)
    # excluding zero: both bounds carry the estimate's sign, the lower one first
    assert "of -20.7 (95 % CI -30 to -10), holding" in text(-2.0742, -3.0, -1.0)
    assert "of +20.7 (95 % CI +10 to +30), holding" in text(2.0742, 1.0, 3.0)
    assert "lower" not in text(-2.0742, -3.0, -1.0)


def test_a_drivers_sentence_signs_its_beta_as_its_effect():
    """The interpretation's effect and interval are signed ("+227 (95 % CI +201 to +253)"),
    and the report prints the standardised beta and its interval signed before it; the
    rank sentence's beta (and the intervals it compares) read unsigned ("beta 0.75",
    "95 % CI 0.21 to 0.49"). They now carry their signs too."""
    from customer_behavior.statistics import _interpret

    drivers = [("annual_income", 0.35, 0.21, 0.49), ("kids_at_home", -0.31, -0.40, -0.22)]
    close = st.strongest_driver(drivers)
    text = _interpret("annual_income", "total_spend", 28.1, 20.0, 36.0, 10_000.0, False, 1, 2,
                      0.35, verdict=close, beta_ci=(0.21, 0.49))
    assert text.endswith("Largest standardised effect of the 2 predictors (beta +0.35, 95 % CI "
                         "+0.21 to +0.49), but not distinguishable from kids at home (beta -0.31, "
                         "95 % CI -0.40 to -0.22): the intervals allow effects of the same size, "
                         "so it is not shown to be the strongest."), text
    clear = st.strongest_driver([("annual_income", 0.74, 0.64, 0.83),
                                 ("kids_at_home", -0.2, -0.25, -0.15)])
    first = _interpret("annual_income", "total_spend", 28.1, 20.0, 36.0, 10_000.0, False, 1, 2,
                       0.74, verdict=clear)
    assert "(95 % CI +200,000 to +360,000)" in first
    assert first.endswith("Strongest of the 2 predictors by standardised effect (beta +0.74).")
    second = _interpret("kids_at_home", "total_spend", -50.0, -60.0, -40.0, 1.0, False, 2, 2,
                        -0.2, verdict=clear)
    assert second.endswith("Rank 2 of 2 by standardised effect (beta -0.20).")


def test_a_lone_predictor_is_not_ranked_against_itself():
    """Diwali's and CDNOW's customers give one usable driver each: its sentence says so
    instead of "Strongest of the 1 predictors"; with more predictors the rank stays."""
    from customer_behavior.statistics import _interpret

    lone = st.strongest_driver([("age", -0.03, -0.05, -0.01)])
    assert (lone.strongest, lone.count) == (None, 1)
    alone = _interpret("age", "total_spend", -61.1, -116.6, -5.55, 10.0, False, 1, 1, -0.03,
                       verdict=lone)
    assert alone.endswith("The only predictor the data allow (standardised effect, beta -0.03).")
    assert "Strongest" not in alone
    three = st.strongest_driver([("age", -0.03, -0.05, -0.01), ("tenure_days", 0.004, 0.0, 0.008),
                                 ("kids_at_home", 0.001, -0.004, 0.006)])
    first = _interpret("age", "total_spend", -61.1, -116.6, -5.55, 10.0, False, 1, 3, -0.03,
                       verdict=three)
    assert first.endswith("Strongest of the 3 predictors by standardised effect (beta -0.03).")


def test_the_largest_effect_whose_interval_includes_none_is_not_called_strongest():
    """Shopping trends: R² 0.00, age and membership at beta -0.01 with intervals across zero.
    The mart said "Strongest of the 2 predictors" of the larger of two noise estimates (the
    report already declined to name it); it now says its interval includes no effect."""
    from customer_behavior.statistics import _interpret

    noisy = st.strongest_driver([("age", -0.01, -0.06, 0.04),
                                 ("is_loyalty_member", -0.008, -0.04, 0.03)])
    noise = _interpret("age", "total_spend", -0.5, -3.0, 2.0, 10.0, False, 1, 2, -0.01,
                       verdict=noisy)
    assert "Strongest" not in noise
    assert noise.endswith("Largest standardised effect of the 2 predictors (beta -0.01), but its "
                          "interval includes no effect, so it is not shown to be the strongest.")
    distinct = st.strongest_driver([("age", -0.01, -0.012, -0.008),
                                    ("is_loyalty_member", 0.002, -0.002, 0.006)])
    clear = _interpret("age", "total_spend", -0.5, -3.0, -0.1, 10.0, False, 1, 2, -0.01,
                       verdict=distinct)
    assert clear.endswith("Strongest of the 2 predictors by standardised effect (beta -0.01).")


def test_a_compared_pair_of_means_has_one_precision():
    """The discount verdict on the demo read "mean 4.68 vs 3.7": the second mean lost the
    zero the first kept. Both sides of a comparison now carry the same digits."""
    from customer_behavior.statistics import _fmt_pair, _summary

    assert _fmt_pair(4.68, 3.70) == "4.68 vs 3.70"
    assert _fmt_pair(3.0, 2.5) == "3.0 vs 2.5"
    assert _fmt_pair(54.46, 95.06) == "54.5 vs 95.1"
    assert _fmt_pair(1234.0, 483.0) == "1,234 vs 483"
    assert _fmt_pair(150.0, 7.5) == "150.0 vs 7.5"
    assert _fmt_pair(float("nan"), 1.0) == "n/a vs 1"
    row = {"effect_size_name": "hedges_g", "effect_size": 0.31, "ci_low": 0.2, "ci_high": 0.4,
           "effect_size_magnitude": "small", "mean_a": 4.682, "mean_b": 3.7049}
    assert _summary(row).startswith("mean 4.68 vs 3.70; Hedges' g 0.31")


def test_a_chi_square_statistic_reads_as_the_report_prints_it():
    """The report's sentence said "chi-square 244.9 on 15 degrees of freedom" and the
    verdict in the table beside it "chi-square 245": one figure, printed two ways. The
    verdict keeps one decimal too."""
    from customer_behavior.statistics import _summary

    row = {"effect_size_name": "cramers_v", "effect_size": 0.042, "ci_low": 0.038,
           "ci_high": 0.049, "effect_size_magnitude": "negligible", "statistic": 244.93,
           "df": 15, "n_a": 43060}
    assert _summary(row).startswith("chi-square 244.9, df 15, n = 43,060; Cramér's V 0.04")


def test_strongest_driver_needs_its_interval_clear_of_zero_and_of_the_others():
    """The rule for rows without the gap columns (a warehouse built before them): the
    largest |beta| is the strongest only when its interval excludes 0 and the bound of that
    interval nearer 0 exceeds, in size, both bounds of every other driver's interval; else
    the others it is not told apart from are listed."""
    clear = st.strongest_driver([("annual_income", 0.61, 0.57, 0.65),
                                 ("kids_at_home", -0.44, -0.47, -0.41), ("age", 0.02, -0.01, 0.05)])
    assert (clear.strongest, clear.largest, clear.not_distinguishable) == (
        "annual_income", "annual_income", ())
    # clear of 0, but kids at home's interval allows sizes 0.22-0.40 and age's 0.10-0.34,
    # within income's 0.21-0.49; tenure's at most 0.04 is told apart
    close = st.strongest_driver([("annual_income", 0.35, 0.21, 0.49),
                                 ("kids_at_home", -0.31, -0.40, -0.22), ("age", 0.22, 0.1, 0.34),
                                 ("tenure_days", 0.01, -0.02, 0.04)])
    assert close.strongest is None and close.largest == "annual_income"
    assert close.not_distinguishable == (("kids_at_home", -0.31, -0.40, -0.22),
                                         ("age", 0.22, 0.1, 0.34))
    assert not close.includes_zero and close.count == 4
    # the runner-up's estimate (0.30) is below the near bound (0.35), its interval is not
    assert st.strongest_driver([("annual_income", 0.4, 0.35, 0.45),
                                ("kids_at_home", -0.3, -0.4, -0.2)]).strongest is None
    # a negative largest effect: its bound nearer 0 is the upper one (-0.40 clears 0.38)
    negative = st.strongest_driver([("kids_at_home", -0.5, -0.6, -0.4),
                                    ("annual_income", 0.34, 0.3, 0.38)])
    assert negative.strongest == "kids_at_home"
    # the largest estimate's interval includes 0 while a smaller one's does not: the report
    # named the largest "the strongest" as long as any interval excluded 0
    wide = st.strongest_driver([("age", 0.3, -0.05, 0.65), ("annual_income", 0.2, 0.15, 0.25)])
    assert wide.strongest is None and wide.includes_zero
    assert wide.not_distinguishable == (("annual_income", 0.2, 0.15, 0.25),)
    # an other driver without an interval may be as large as any
    assert st.strongest_driver([("age", 0.5, 0.4, 0.6),
                                ("annual_income", 0.1, None, None)]).strongest is None
    # equal sizes: the first given (rank order) is the largest; missing values are no driver
    tie = st.strongest_driver([("age", 0.3, 0.2, 0.4), ("annual_income", -0.3, -0.4, -0.2)])
    assert tie.largest == "age" and tie.strongest is None
    assert st.strongest_driver([("age", None, None, None)]).count == 0


def test_the_largest_effect_not_told_from_the_runner_up_is_not_called_strongest():
    """Two drivers of about the same size, both clearly away from 0: the mart's sentence said
    "Strongest of the 2 predictors" of the larger, though the two intervals allow effects of
    the same size. It now says it is not distinguishable from the other."""
    rng = np.random.default_rng(5)
    n = 4000
    customers = pd.DataFrame({"annual_income": rng.normal(0, 1, n), "age": rng.normal(0, 1, n)})
    customers["total_spend"] = (0.50 * customers["annual_income"] + 0.48 * customers["age"]
                                + rng.normal(0, 1, n))
    res = st.spend_drivers(customers, predictors=["annual_income", "age"]).set_index("predictor")
    top = res.loc[res["rank"] == 1].iloc[0]
    other = res.loc[res["rank"] == 2].iloc[0]
    # both away from 0, and the intervals overlap
    assert top["ci_low"] > 0 and other["ci_low"] > 0 and other["ci_high"] > top["ci_low"]
    assert "Strongest" not in top["interpretation"]
    # the gap in size (about 0.02 planted) has an interval across 0
    assert other["size_gap_ci_low"] < 0 < other["size_gap_ci_high"]
    assert top["interpretation"].endswith(
        f"Largest standardised effect of the 2 predictors (beta {top['standardized_beta']:+.2f}, "
        f"95 % CI {top['ci_low']:+.2f} to {top['ci_high']:+.2f}), but not distinguishable from "
        f"{other.name.replace('_', ' ')} (beta {other['standardized_beta']:+.2f}, 95 % CI "
        f"{other['ci_low']:+.2f} to {other['ci_high']:+.2f}): the simultaneous 95 % interval of "
        f"the gap in size includes 0 (to {other.name.replace('_', ' ')}: "
        f"{other['size_gap_to_largest']:+.2f}, {other['size_gap_ci_low']:+.2f} to "
        f"{other['size_gap_ci_high']:+.2f}), so it is not shown to be the strongest.")
    # the planted drivers (income 0.61, kids at home -0.44) are told apart: income is named
    planted = st.spend_drivers(planted_drivers()).set_index("predictor")
    assert planted.loc["annual_income", "interpretation"].endswith(
        f"Strongest of the 6 predictors by standardised effect (beta "
        f"{planted.loc['annual_income', 'standardized_beta']:+.2f}).")


def test_strongest_driver_needs_every_gap_in_size_clear_of_zero():
    """With the gap columns (statistics.spend_drivers stores them) the largest |beta| is the
    strongest only when its own interval excludes 0 and every other driver's simultaneous
    interval of the gap in size lies above 0; the others whose gap interval reaches 0 are
    listed. A missing gap interval is no evidence of a gap."""
    top = ("annual_income", 0.35, 0.21, 0.49, None, None, None)
    kids = ("kids_at_home", -0.31, -0.40, -0.22, 0.04, 0.01, 0.07)
    age = ("age", 0.22, 0.1, 0.34, 0.13, 0.05, 0.21)
    # the intervals of income and kids at home overlap, but the gap in size is clear of 0
    told = st.strongest_driver([top, kids, age])
    assert (told.strongest, told.not_distinguishable, told.by_size_gap) == (
        "annual_income", (), True)
    assert st.strongest_driver([top[:4], kids[:4], age[:4]]).strongest is None  # earlier rule
    close = st.strongest_driver([top, ("kids_at_home", -0.31, -0.40, -0.22, 0.04, -0.02, 0.1),
                                 age, ("tenure_days", 0.01, -0.02, 0.04, 0.34, 0.2, 0.48)])
    assert close.strongest is None and close.largest == "annual_income" and close.count == 4
    assert close.not_distinguishable == (("kids_at_home", -0.31, -0.40, -0.22, 0.04, -0.02, 0.1),)
    unknown = st.strongest_driver([top, kids, ("age", 0.22, 0.1, 0.34, None, None, None)])
    assert [p for p, *_ in unknown.not_distinguishable] == ["age"]
    assert math.isnan(unknown.not_distinguishable[0][5])  # missing values as NaN
    # its own interval across 0: every other driver is listed, whatever the gaps
    wide = st.strongest_driver([("age", 0.3, -0.05, 0.65, None, None, None),
                                ("annual_income", 0.2, 0.15, 0.25, 0.1, 0.02, 0.18)])
    assert wide.strongest is None and wide.includes_zero
    assert [p for p, *_ in wide.not_distinguishable] == ["annual_income"]


def _drivers_sample(rng, n, betas, corr):
    """Standard-normal predictors x1..xk with correlation ``corr`` between x1 and x2, and
    spend = betas . x + N(0, 1) noise."""
    k = len(betas)
    cov = np.eye(k)
    cov[0, 1] = cov[1, 0] = corr
    x = rng.multivariate_normal(np.zeros(k), cov, n)
    frame = pd.DataFrame(x, columns=[f"x{i + 1}" for i in range(k)])
    frame["total_spend"] = x @ np.asarray(betas) + rng.normal(0, 1, n)
    return frame


def test_a_gap_in_size_names_the_top_driver_whose_interval_overlaps_the_runner_up():
    """Known answer: two channel shares that crowd each other out (correlation -0.9) both
    raise spend, by 0.5 and 0.3 per SD. Each estimate is uncertain (variance inflated 5.3
    times) and the two 95 % intervals overlap, so the earlier rule (intervals that do not
    overlap) named neither; but the errors of the two estimates move together (positive
    covariance), so their difference is precise: the gap in size, 0.19 in SDs of spend, has
    an HC3 interval clear of 0 that covers the truth, and the first is named the strongest."""
    rng = np.random.default_rng(11)
    n = 1000
    sample = _drivers_sample(rng, n, [0.5, 0.3], -0.9).rename(
        columns={"x1": "catalog_share", "x2": "store_share"})
    res = st.spend_drivers(sample, predictors=["catalog_share", "store_share"]
                           ).set_index("predictor")
    top, other = res.loc["catalog_share"], res.loc["store_share"]
    assert (top["rank"], other["rank"]) == (1, 2)
    sd_spend = math.sqrt(0.5**2 + 0.3**2 + 2 * 0.5 * 0.3 * -0.9 + 1)
    true_gap = (0.5 - 0.3) / sd_spend  # about 0.19
    assert other["ci_high"] > top["ci_low"]  # the 95 % intervals overlap
    assert other["size_gap_to_largest"] == pytest.approx(
        top["standardized_beta"] - other["standardized_beta"], abs=1e-9)
    assert 0 < other["size_gap_ci_low"] < true_gap < other["size_gap_ci_high"]
    assert math.isnan(top["size_gap_to_largest"])
    assert top["interpretation"].endswith(
        f"Strongest of the 2 predictors by standardised effect (beta "
        f"{top['standardized_beta']:+.2f}).")
    old_rule = st.strongest_driver(
        [(p, r["standardized_beta"], r["ci_low"], r["ci_high"]) for p, r in res.iterrows()])
    assert old_rule.strongest is None


def test_two_equal_drivers_are_named_apart_about_one_time_in_twenty():
    """Known answer: two drivers with the same planted effect (0.25 per SD, correlation
    -0.5, n 500), so neither is the strongest. Over 300 samples the rule names one about 5 %
    of the time (4.3 % measured; 5.1 % over 1,000), the level of its gap interval: the top is
    chosen by the data, so the two-sided interval's 2.5 % in each direction add up. The
    earlier rule, whose intervals must not overlap, named one in none of the 1,000: it needs
    a gap of about 3.9 standard errors of the gap here, where the test needs 2. With a
    third, null driver the Bonferroni intervals over the two comparisons keep the
    family-wise rate below 5 % (1.3 %)."""

    def named_rate(betas):
        named = 0
        for seed in range(300):
            sample = _drivers_sample(np.random.default_rng(seed), 500, betas, -0.5)
            res = st.spend_drivers(sample, predictors=list(sample.columns[:-1]))
            named += "Strongest of" in " ".join(res["interpretation"])
        return named / 300

    two = named_rate([0.25, 0.25])
    assert 0.02 <= two <= 0.08, two
    three = named_rate([0.25, 0.25, 0.0])
    assert three <= 0.05, three


def test_the_gap_interval_has_the_standard_error_of_the_gap():
    """Known answer by Monte Carlo: drivers of +0.6 and -0.25 per SD (correlation 0.6, so
    the estimates covary) beside a null one, with noise whose spread grows with the first
    (where HC3 matters). Over 400 samples of 1,000 the SD of the stored gap in size agrees
    within 10 % with the mean standard error read back from its interval (half-width over
    the t quantile of the residual df at 1 - 0.05 / (2 x 2), Bonferroni for two
    comparisons): 1.05 times the SD when measured. The classical (non-robust) standard
    error was 0.77 times it on these data. On the first sample the half-width is that
    quantile times sqrt(c' V c), V statsmodels' HC3 covariance of the z-scored fit plus the
    standardisation term beta_j beta_k Cov(z_j^2, z_k^2) / (4 n), c = (+1, +1) for +0.6
    against -0.25 (an unadjusted quantile gives a width 0.88 times as large, within the
    Monte Carlo tolerance: this pins it)."""
    import statsmodels.api as sm

    n, reps = 1000, 400
    gaps, ses = [], []
    q = stats.t.ppf(1 - 0.05 / 4, n - 4)
    for seed in range(reps):
        rng = np.random.default_rng(seed)
        sample = _drivers_sample(rng, n, [0.6, -0.25, 0.0], 0.6)
        sample["total_spend"] += rng.normal(0, 1, n) * np.abs(sample["x1"])
        res = st.spend_drivers(sample, predictors=["x1", "x2", "x3"]).set_index("predictor")
        assert res.loc["x1", "rank"] == 1 and res.loc["x2", "rank"] == 2
        row = res.loc["x2"]
        gaps.append(row["size_gap_to_largest"])
        ses.append((row["size_gap_ci_high"] - row["size_gap_ci_low"]) / (2 * q))
        if seed == 0:
            x = sample[["x1", "x2", "x3"]].to_numpy()
            z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
            y = sample["total_spend"].to_numpy()
            fit = sm.OLS((y - y.mean()) / y.std(ddof=1), sm.add_constant(z)).fit(cov_type="HC3")
            beta = np.asarray(fit.params)[1:]
            cov = np.asarray(fit.cov_params())[1:, 1:]
            cov += np.outer(beta, beta) * np.cov(z**2, rowvar=False) / (4 * n)
            c = np.array([1.0, 1.0, 0.0])
            assert ses[0] == pytest.approx(math.sqrt(c @ cov @ c), rel=1e-6)
    assert np.mean(ses) == pytest.approx(np.std(gaps, ddof=1), rel=0.10)


def test_seasonal_test_by_customer_that_cannot_be_computed_leaves_the_plain_test(monkeypatch):
    """A singular design-effect matrix (or a non-finite result) must not stop the build:
    the row keeps the plain test, with NULL clustered columns and the reason."""
    lines = habitual_customers(1, n=60)
    def singular(*args, **kwargs):
        raise np.linalg.LinAlgError("Singular matrix")
    monkeypatch.setattr(st, "rao_scott_independence", singular)
    row = st.hypothesis_tests(pd.DataFrame({"customer_id": ["a"]}), None,
                              seasonal_demand=season_mart(lines),
                              season_clusters=pipeline._season_clusters(lines),
                              n_boot=50).set_index("test_id").loc["seasonal_category_demand"]
    assert row["status"] == "ran" and math.isfinite(row["p_value"])
    assert pd.isna(row["clusters"]) and math.isnan(row["p_value_clustered"])
    assert "counted by customer (60 customers) the test could not be computed" in row[
        "method_reason"]
    assert "Rao-Scott" not in row["caveat"]
