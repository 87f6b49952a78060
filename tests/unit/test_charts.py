"""Each chart function draws a readable PNG from small frames shaped like the marts."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib.colors import to_rgba

from customer_behavior import charts
from customer_behavior.segmentation import CHOOSE_K_RULE, assign_segments, fit_segments

PROJECT_DIR = Path(__file__).resolve().parents[2]
AGE_GROUPS = ["under 21", "21-30", "31-40", "41-50", "51-60", "61-70"]


def _assert_png(path: Path, min_width: int = 600, min_height: int = 250) -> None:
    path = Path(path)
    assert path.exists(), path
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    assert len(data) > 5_000, f"{path.name} is suspiciously small ({len(data)} bytes)"
    image = mpimg.imread(path)
    height, width = image.shape[:2]
    # readable at a glance, but not a poster: dpi 110 and a few inches each way
    assert min_width <= width <= 2400, (path.name, width)
    assert min_height <= height <= 2400, (path.name, height)
    # not a blank canvas
    assert float(np.std(image[..., :3])) > 0.02, f"{path.name} looks blank"


# --------------------------------------------------------------------------------------
# small frames shaped like the marts
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(0)
    n = 300
    customers = pd.DataFrame({
        "customer_id": [f"C{i:04d}" for i in range(n)],
        "age_group": rng.choice(AGE_GROUPS, n),
        "loyalty_score": rng.uniform(1, 10, n).round(1),
    })
    customers["age_group_order"] = customers["age_group"].map(
        {g: i + 1 for i, g in enumerate(AGE_GROUPS)})
    customers["total_spend"] = (customers["loyalty_score"] * 80 + rng.gamma(2, 60, n)).round(2)
    income = pd.DataFrame({
        "age_group": AGE_GROUPS, "age_group_order": range(1, 7),
        "customer_count": [40, 60, 70, 60, 40, 30],
        "income_customer_count": [39, 60, 69, 60, 40, 30],
        "mean_income": [25e3, 33e3, 46e3, 57e3, 82e3, 95e3],
        "income_p25": [18e3, 25e3, 38e3, 45e3, 70e3, 85e3],
        "median_income": [24e3, 32e3, 45e3, 54e3, 81e3, 94e3],
        "income_p75": [31e3, 40e3, 54e3, 66e3, 93e3, 104e3],
    })
    regions = ["north", "south", "east", "west"]
    grid = pd.DataFrame([(r, g, i + 1, 20 + i, 1 + (i % 3) + j * 0.5)
                         for j, r in enumerate(regions) for i, g in enumerate(AGE_GROUPS)],
                        columns=["region", "age_group", "age_group_order", "customer_count",
                                 "mean_purchase_frequency_per_year"])
    channels, categories = ["web", "store", "catalog"], ["wine", "meat", "fish", "sweets"]
    cps = pd.DataFrame([(c, k, float((i + 1) * (j + 2) * 1000))
                        for i, c in enumerate(channels) for j, k in enumerate(categories)],
                       columns=["channel", "product_category", "spend"])
    cps["share_of_channel_spend"] = cps["spend"] / cps.groupby("channel")["spend"].transform("sum")
    mix = pd.DataFrame({
        "channel_mix": ["web", "store", "catalog + store", "catalog + store + web"],
        "customer_count": [90, 80, 50, 40], "mean_total_spend": [98.0, 230.0, 960.0, 1150.0],
        "has_catalog_purchase": [False, False, True, True],
    })
    demo_rows = []
    for dim, values in {"gender": ["female", "male"], "region": regions,
                        "age_group": AGE_GROUPS}.items():
        for i, v in enumerate(values):
            demo_rows.append((dim, v, i + 1, 50 + 10 * i, 200.0 + 90 * i))
    demographics = pd.DataFrame(demo_rows, columns=["dimension", "dimension_value",
                                                    "dimension_value_order", "customer_count",
                                                    "mean_total_spend"])
    age_gender = pd.DataFrame([(g, s, i + 1, 30, 150.0 + 100 * i + 20 * (s == "male"))
                               for i, g in enumerate(AGE_GROUPS) for s in ("female", "male")],
                              columns=["age_group", "gender", "age_group_order",
                                       "customer_count", "mean_total_spend"])
    distribution = _distribution_frame()
    category = pd.DataFrame({"product_category": categories,
                             "spend": [4e5, 3e5, 1e5, 5e4]})
    category["spend_share"] = category["spend"] / category["spend"].sum()
    category["penetration"] = [0.8, 0.9, 0.7, 0.85]
    products = pd.DataFrame({"product_id": [f"p{i}" for i in range(12)],
                             "product_category": [categories[i % 4] for i in range(12)],
                             "spend": [1e5 / (i + 1) for i in range(12)]})
    by_segment = pd.DataFrame([(s, f"Segment {s}", k, 0.25 + 0.05 * (s - 2) * (j - 1.5),
                                1 + 0.3 * (s - 2) * (j - 1.5), 100 * s)
                               for s in (1, 2, 3) for j, k in enumerate(categories)],
                              columns=["segment_id", "segment_name", "product_category",
                                       "share_of_segment_spend", "spend_share_index",
                                       "segment_customer_count"])
    by_region = pd.DataFrame([(r, k, 40 + 10 * j, 1000.0 * (i + 1) * (4 - j))
                              for i, r in enumerate(regions) for j, k in enumerate(categories)],
                             columns=["region", "product_category", "customer_count", "spend"])
    by_region["spend_share_in_region"] = (
        by_region["spend"] / by_region.groupby("region")["spend"].transform("sum"))
    overall = by_region.groupby("product_category")["spend"].sum() / by_region["spend"].sum()
    by_region["lift"] = (by_region["spend_share_in_region"]
                         / by_region["product_category"].map(overall)) * np.linspace(0.8, 1.2, 16)
    season_names = ["winter", "spring", "summer", "autumn"]
    by_season = pd.DataFrame([(s, i + 1, k, 90, 9000.0 * (4 - j) * (1 + 0.2 * (i == 3)))
                              for i, s in enumerate(season_names)
                              for j, k in enumerate(categories)],
                             columns=["season", "season_order", "product_category", "day_count",
                                      "spend"])
    by_season["spend_per_day"] = by_season["spend"] / by_season["day_count"]
    by_season["seasonal_index"] = by_season["spend_per_day"] / by_season.groupby(
        "product_category")["spend_per_day"].transform("mean")
    # all holidays pooled (order 0) and three holidays of two days, against 700 ordinary days
    holiday_rows = [("all holidays", 0, 6), ("Valentine's Day", 1, 2), ("Black Friday", 2, 2),
                    ("Christmas Day", 3, 2)]
    by_holiday = pd.DataFrame([(h, o, k, d, 700, 30 + 20 * j, 500.0 * (4 - j) * d * (1 + 0.5 * o),
                                500.0 * (4 - j) * 700)
                               for h, o, d in holiday_rows for j, k in enumerate(categories)],
                              columns=["holiday_name", "holiday_order", "product_category",
                                       "holiday_day_count", "ordinary_day_count",
                                       "holiday_order_count", "holiday_revenue",
                                       "ordinary_revenue"])
    by_holiday["revenue_lift"] = ((by_holiday.holiday_revenue / by_holiday.holiday_day_count)
                                  / (by_holiday.ordinary_revenue / 700))
    for kind in ("holiday", "ordinary"):
        by_holiday[f"{kind}_revenue_share"] = by_holiday[f"{kind}_revenue"] / by_holiday.groupby(
            "holiday_name")[f"{kind}_revenue"].transform("sum")
    months = pd.DataFrame({"order_month": pd.date_range("2023-01-01", periods=24, freq="MS")})
    months["order_count"] = 400 + 100 * np.sin(np.arange(24) / 12 * 2 * np.pi)
    months["revenue"] = months["order_count"] * 75.0
    seasons = pd.DataFrame({"season": ["winter", "spring", "summer", "autumn"],
                            "season_order": [1, 2, 3, 4],
                            "orders_per_day": [21.0, 18.5, 17.4, 26.0]})
    holidays = pd.DataFrame({"holiday_name": ["no holiday", "Black Friday", "Christmas Day"],
                             "orders_per_day": [20.5, 47.5, 10.0]})
    promo = pd.DataFrame({
        "discount_band": ["full price", "1-10 %", "11-20 %"], "discount_band_order": [1, 2, 3],
        "order_count": [10000, 2000, 1200], "mean_units_per_order": [3.5, 4.3, 4.45],
        "mean_order_value": [81.5, 57.7, 52.3], "revenue_share": [0.8, 0.13, 0.07],
        "is_discounted": [False, True, True],
    })
    membership = pd.DataFrame({"membership_status": ["member", "non-member"],
                               "customer_count": [1169, 1331],
                               "mean_total_spend": [598.0, 316.0],
                               "median_total_spend": [388.0, 172.0]})
    bands = pd.DataFrame({"loyalty_band": ["1-2", "3-4", "5-6", "7-8", "9-10"],
                          "loyalty_band_order": [1, 2, 3, 4, 5],
                          "customer_count": [300, 600, 800, 500, 250],
                          "mean_total_spend": [124.0, 236.0, 409.0, 670.0, 1016.0]})
    shares = np.array([0.41, 0.19, 0.12, 0.09, 0.06, 0.05, 0.035, 0.025, 0.015, 0.005])
    deciles = pd.DataFrame({"spend_decile": range(1, 11), "revenue_share": shares,
                            "cumulative_customer_share": np.arange(1, 11) / 10,
                            "cumulative_revenue_share": np.cumsum(shares)})
    by_decile = pd.DataFrame([(d, k, 1000.0 * (11 - d) * (1 + j) if k != "wine" or d < 4 else 0.0)
                              for d in range(1, 11) for j, k in enumerate(categories)],
                             columns=["spend_decile", "product_category", "spend"])
    summary = pd.DataFrame({"top_10_pct_revenue_share": [0.41],
                            "top_20_pct_revenue_share": [0.60]})
    repeat_rows = [("all", "all", "all customers", 0, 0.95, 48.0, 2500)]
    repeat_rows += [("age_group", g, g, i + 1, 0.9 + 0.01 * i, 80.0 - 5 * i, 300)
                    for i, g in enumerate(AGE_GROUPS)]
    repeat_rows += [("segment", "1", "Big spenders", 1, 0.95, 34.0, 900),
                    ("segment", "2", "Budget families", 2, 0.94, 57.0, 1600)]
    repeat = pd.DataFrame(repeat_rows, columns=["grouping", "grouping_value", "grouping_label",
                                                "grouping_order", "repeat_rate",
                                                "median_days_between_orders",
                                                "buying_customer_count"])
    campaign = pd.DataFrame([(c, g, v, lab, rate, 1000)
                             for c in ("CMP1", "CMP2", "CMP3")
                             for g, v, lab, rate in (("all", "all", "all customers", 0.12),
                                                     ("segment", "1", "Big spenders", 0.25),
                                                     ("segment", "2", "Budget", 0.07))],
                            columns=["campaign_id", "grouping", "grouping_value",
                                     "grouping_label", "response_rate", "customers_sent"])
    trend_months = pd.date_range("2023-01-01", periods=12, freq="MS")
    trend = pd.DataFrame([(sid, name, m, 1000.0 * sid * (1 + 0.1 * i))
                          for sid, name in ((1, "Big spenders"), (2, "Budget families"))
                          for i, m in enumerate(trend_months)],
                         columns=["segment_id", "segment_name", "order_month", "revenue"])
    trend["share_of_month_revenue"] = trend["revenue"] / trend.groupby(
        "order_month")["revenue"].transform("sum")
    names = ["total_spend", "order_count", "annual_income", "age", "loyalty_score"]
    corr = np.corrcoef(rng.normal(size=(5, 50)))
    correlations = pd.DataFrame([(a, b, 50, corr[i, j], corr[i, j])
                                 for i, a in enumerate(names) for j, b in enumerate(names)],
                                columns=["var_x", "var_y", "n", "pearson", "spearman"])
    tests = pd.DataFrame({
        "test_id": ["discount_volume", "loyalty_member_spend", "over_50_frequency",
                    "seasonal_category_demand", "skipped"],
        "effect_size": [0.38, 0.36, -0.13, 0.04, np.nan],
        "ci_low": [0.35, 0.32, -0.19, 0.03, np.nan],
        "ci_high": [0.42, 0.40, -0.07, 0.05, np.nan],
        "effect_size_name": ["hedges_g", "rank_biserial", "rank_biserial", "cramers_v", None],
        "status": ["ran", "ran", "ran", "ran", "not_run"],
        "is_significant": [True, True, True, True, False],
    })
    drivers = pd.DataFrame({
        "predictor": ["annual_income", "age", "kids_at_home"],
        "standardized_beta": [0.45, 0.2, -0.18], "ci_low": [0.3, 0.1, -0.23],
        "ci_high": [0.6, 0.3, -0.13], "status": ["ran"] * 3, "r_squared": [0.38] * 3,
        "n": [2481] * 3,
    })
    clv = pd.DataFrame({"predicted_clv_horizon": rng.gamma(2, 100, n),
                        "p_alive": rng.uniform(0.5, 1, n),
                        "historical_value": rng.gamma(2, 200, n)})
    selection = pd.DataFrame({"k": range(2, 9), "inertia": [3e4, 2.6e4, 2.3e4, 2.2e4, 2.1e4,
                                                              2.05e4, 2e4],
                              "silhouette": [0.2, 0.22, 0.25, 0.21, 0.19, 0.18, 0.17],
                              "is_chosen": [False, False, True, False, False, False, False],
                              "chosen_by": ["rule: " + CHOOSE_K_RULE] * 7})
    # a real (tiny) model, so the scatter uses the stored scaling exactly as in the warehouse
    centres = np.array([[5.0, 300.0, 0.1], [2.0, 80.0, 0.6], [8.0, 900.0, 0.3]])
    labels = rng.integers(0, 3, n)
    feats = centres[labels] * rng.normal(1, 0.1, (n, 3))
    features = pd.DataFrame({"customer_id": [f"C{i:04d}" for i in range(n)],
                             "order_count": feats[:, 0], "total_spend": feats[:, 1],
                             "share_category_wine": feats[:, 2]})
    model, assignments, _ = _fit(features)
    segments = assignments[["customer_id", "segment_id"]].copy()
    segments["segment_name"] = "Segment " + segments["segment_id"].astype(str)
    profiles = pd.DataFrame({"segment_id": [1, 2, 3],
                             "segment_name": ["Big spenders", "Budget families", "Lapsed"],
                             "customer_count": [90, 120, 90]})
    for fact, *_ in charts.PROFILE_FACTS:
        profiles[f"{fact}_z"] = rng.normal(0, 0.8, 3)
        profiles[f"{fact}_index"] = np.exp(profiles[f"{fact}_z"] / 3)
    return locals()


def _distribution_frame() -> pd.DataFrame:
    """Rows shaped like marts.customer_demographics_distribution: two numeric variables (one
    with an income outlier), a categorical one, and gender with no known value."""
    rows = []

    def add(variable, label, order, kind, bins, specials):
        known = sum(n for _, n, _ in bins)
        cumulative = 0
        for i, (bin_label, count, median) in enumerate(bins, start=1):
            cumulative += count
            rows.append((variable, label, kind, order, i, bin_label, "bin", count, count / known,
                         cumulative / known if kind == "numeric" else np.nan, median))
        for j, (bin_kind, count) in enumerate(specials, start=len(bins) + 1):
            rows.append((variable, label, kind, order, j,
                         "unknown" if bin_kind == "unknown" else "outlier (above Q3 + 3 × IQR)",
                         bin_kind, count, np.nan, np.nan, False))

    add("age", "Age", 1, "numeric", [("21-30", 30, False), ("31-40", 50, True),
                                     ("41-50", 20, False)], [("unknown", 3)])
    add("annual_income", "Annual income", 2, "numeric",
        [("0–20,000", 10, False), ("20,000–40,000", 60, True), ("40,000–60,000", 30, False)],
        [("outlier", 2), ("unknown", 1)])
    add("marital_status", "Marital status", 5, "categorical",
        [("married", 70, False), ("single", 33, False)], [("unknown", 0)])
    add("gender", "Gender", 7, "categorical", [], [("unknown", 103)])
    return pd.DataFrame(rows, columns=["variable", "variable_label", "variable_kind",
                                       "variable_order", "bin_order", "bin_label", "bin_kind",
                                       "customer_count", "customer_share",
                                       "cumulative_customer_share", "is_median_bin"])


def _fit(features: pd.DataFrame):
    model = fit_segments(features, 3, random_state=0)
    return model, assign_segments(features, model), None


CASES = {
    "income_by_age_group": lambda f, p: charts.income_by_age_group_chart(f["income"], p),
    "loyalty_vs_spend": lambda f, p: charts.loyalty_vs_spend_chart(f["customers"], p),
    "region_frequency_heatmap": lambda f, p: charts.region_frequency_heatmap(f["grid"], p),
    "channel_category_heatmap": lambda f, p: charts.channel_category_heatmap(f["cps"], p),
    "channel_mix_value": lambda f, p: charts.channel_mix_value_chart(f["mix"], p),
    "demographic_spend": lambda f, p: charts.demographic_spend_chart(f["demographics"], p),
    "customer_demographics": lambda f, p: charts.customer_demographics_chart(
        f["distribution"], p),
    "age_gender_spend": lambda f, p: charts.age_gender_spend_chart(f["age_gender"], p),
    "category_demand": lambda f, p: charts.category_demand_chart(f["category"], p,
                                                                 f["products"]),
    "category_demand_by_segment": lambda f, p: charts.category_by_segment_heatmap(
        f["by_segment"], p),
    "category_demand_by_region": lambda f, p: charts.category_by_region_heatmap(
        f["by_region"], p),
    "category_seasonal_demand": lambda f, p: charts.category_seasonal_heatmap(f["by_season"], p),
    "category_holiday_demand": lambda f, p: charts.category_holiday_heatmap(f["by_holiday"], p),
    "seasonal_sales": lambda f, p: charts.monthly_sales_chart(f["months"], p, f["seasons"],
                                                              f["holidays"]),
    "promotion_impact": lambda f, p: charts.promotion_impact_chart(f["promo"], p),
    "stated_purchase_sales": lambda f, p: charts.stated_purchase_chart(
        *_stated_purchase_frames()[:1], p, _stated_purchase_frames()[1]),
    "loyalty_membership": lambda f, p: charts.loyalty_membership_chart(f["membership"], p,
                                                                       f["bands"]),
    "revenue_concentration": lambda f, p: charts.revenue_concentration_chart(
        f["deciles"], p, f["summary"]),
    "category_demand_by_spend_decile": lambda f, p: charts.category_by_spend_decile_chart(
        f["by_decile"], p),
    "repeat_purchase": lambda f, p: charts.repeat_purchase_chart(f["repeat"], p),
    "campaign_response": lambda f, p: charts.campaign_response_chart(f["campaign"], p),
    "correlation_matrix": lambda f, p: charts.correlation_matrix_chart(f["correlations"], p),
    "hypothesis_tests": lambda f, p: charts.hypothesis_tests_chart(f["tests"], p),
    "spend_drivers": lambda f, p: charts.spend_drivers_chart(f["drivers"], p),
    "clv_distribution": lambda f, p: charts.clv_distribution_chart(f["clv"], p),
    "segment_trends": lambda f, p: charts.segment_trend_chart(f["trend"], p),
    "segment_k_selection": lambda f, p: charts.k_selection_chart(f["selection"], p),
    "segment_scatter": lambda f, p: charts.segment_scatter_chart(f["features"], f["segments"],
                                                                 f["model"], p),
    "segment_profiles": lambda f, p: charts.segment_profile_heatmap(f["profiles"], p),
}


def test_every_registered_chart_has_a_unit_case():
    assert set(CASES) == {spec.name for spec in charts.CHARTS}


@pytest.mark.parametrize("name", sorted(CASES))
def test_chart_writes_a_readable_png(name, frames, tmp_path):
    path = CASES[name](frames, tmp_path / f"{name}.png")
    assert Path(path) == tmp_path / f"{name}.png"
    _assert_png(path)


def test_spec_line_up_with_the_sql_marts():
    """The charts of the SPEC list are all there (SPEC "Charts and report")."""
    required = {"income_by_age_group", "loyalty_vs_spend", "region_frequency_heatmap",
                "channel_category_heatmap", "demographic_spend", "category_demand",
                "seasonal_sales", "promotion_impact", "loyalty_membership",
                "revenue_concentration", "correlation_matrix", "segment_k_selection",
                "segment_scatter", "segment_profiles"}
    assert required <= {spec.name for spec in charts.CHARTS}


def test_segment_scatter_uses_the_stored_scaling(frames, tmp_path, monkeypatch):
    """The projection is fitted on the model's scaled space: segmentation.transform with the
    stored model, not a fresh StandardScaler."""
    seen = {}
    import customer_behavior.segmentation as seg

    original = seg.transform

    def spy(features, model):
        seen["model"] = model
        return original(features, model)

    monkeypatch.setattr(seg, "transform", spy)
    charts.segment_scatter_chart(frames["features"], frames["segments"], frames["model"],
                                 tmp_path / "s.png")
    assert seen["model"] is frames["model"]


def test_region_frequency_heatmap_keeps_tiny_cells_out_of_scale_and_order(tmp_path,
                                                                           monkeypatch):
    """A one-customer cell (the demo's 'unknown' age group) neither sets the colour scale nor
    lifts its region to the top: it is greyed with its count, and regions are ordered by
    their customers' mean frequency, not by an unweighted mean of cells."""
    grid = pd.DataFrame({
        "region": ["north", "north", "south", "south", "south"],
        "age_group": ["21-30", "31-40", "21-30", "31-40", "unknown"],
        "age_group_order": [1, 2, 1, 2, 3],
        "customer_count": [100, 100, 100, 100, 1],
        "mean_purchase_frequency_per_year": [6.0, 8.0, 3.0, 4.0, 40.0],
    })
    seen = {}
    original = charts._heatmap

    def spy(ax, pivot, cmap, labels=None, **kwargs):
        seen["pivot"], seen["labels"] = pivot, labels
        return original(ax, pivot, cmap, labels=labels, **kwargs)

    monkeypatch.setattr(charts, "_heatmap", spy)
    charts.region_frequency_heatmap(grid, tmp_path / "r.png")
    pivot, labels = seen["pivot"], seen["labels"]
    assert list(pivot.index) == ["north", "south"]  # unweighted cell means: south 15.7 first
    assert np.nanmax(pivot.to_numpy(float)) == 8.0
    assert labels.loc["south", "unknown"] == "n = 1"
    assert labels.loc["north", "unknown"] == ""  # no customers in that cell
    assert labels.loc["north", "31-40"] == "8.0"


def test_region_heatmap_without_order_dates_shows_orders_per_customer(tmp_path, monkeypatch):
    """Diwali's sales carry no order dates: no orders per year (NULL in every cell), but the
    mart's mean orders per customer. The chart draws those, and its title, colour bar and
    subtitle say what they are; it was skipped with "no purchase frequencies"."""
    grid = pd.DataFrame({
        "region": ["central", "central", "eastern", "eastern"],
        "age_group": ["21-30", "31-40", "21-30", "31-40"],
        "age_group_order": [2, 3, 2, 3],
        "customer_count": [400, 300, 60, 1],
        "mean_purchase_frequency_per_year": [None] * 4,
        "mean_orders_per_customer": [7.5, 6.0, 8.0, 20.0],
    })
    seen = {}
    heatmap, save = charts._heatmap, charts._save

    def spy_heatmap(ax, pivot, cmap, labels=None, **kwargs):
        seen["pivot"], seen["labels"], seen["bar"] = pivot, labels, kwargs["colorbar_label"]
        return heatmap(ax, pivot, cmap, labels=labels, **kwargs)

    def spy_save(fig, path, title, subtitle=None):
        seen["title"], seen["subtitle"] = title, subtitle
        return save(fig, path, title, subtitle)

    monkeypatch.setattr(charts, "_heatmap", spy_heatmap)
    monkeypatch.setattr(charts, "_save", spy_save)
    charts.region_frequency_heatmap(grid, tmp_path / "r.png")
    _assert_png(tmp_path / "r.png")
    assert seen["title"] == "Orders per customer by region and age group"
    assert seen["bar"] == "Mean orders per customer (whole data)"
    assert seen["subtitle"].startswith("Mean orders per customer over the whole data, not per "
                                       "year: the data carry no order dates")
    # eastern's 31-40 cell (one customer) is greyed and left out of the order and scale
    assert list(seen["pivot"].index) == ["eastern", "central"]
    assert np.nanmax(seen["pivot"].to_numpy(float)) == 8.0
    assert seen["labels"].loc["eastern", "31-40"] == "n = 1"
    assert seen["labels"].loc["central", "21-30"] == "7.5"


def test_region_heatmap_skip_names_the_missing_columns(tmp_path):
    """Without a rate per year or orders per customer the skip says which column is empty and
    which is missing."""
    grid = pd.DataFrame({
        "region": ["central", "eastern"], "age_group": ["21-30", "21-30"],
        "age_group_order": [2, 2], "customer_count": [400, 60],
        "mean_purchase_frequency_per_year": [None, None],
    })
    message = ("no purchase frequencies to draw: mean_purchase_frequency_per_year is empty and "
               "there is no column mean_orders_per_customer")
    with pytest.raises(charts.ChartSkipped, match=f"^{message}$"):
        charts.region_frequency_heatmap(grid, tmp_path / "r.png")
    with pytest.raises(charts.ChartSkipped, match="mean_orders_per_customer is empty"):
        charts.region_frequency_heatmap(grid.assign(mean_orders_per_customer=None),
                                        tmp_path / "r.png")
    assert not (tmp_path / "r.png").exists()


def test_region_heatmap_is_skipped_when_no_customer_has_a_region(tmp_path):
    """Data with ages but no region (shopping trends, iFood): every cell is in region
    'unknown'. A one-row heatmap titled "by region" under the report's "The data give no
    region for any customer" is skipped, as the region x category chart is."""
    grid = pd.DataFrame({
        "region": ["unknown"] * 3, "age_group": ["21-30", "31-40", "41-50"],
        "age_group_order": [2, 3, 4], "customer_count": [249, 588, 649],
        "mean_purchase_frequency_per_year": [None] * 3,
        "mean_orders_per_customer": [10.9, 11.5, 12.2],
    })
    with pytest.raises(charts.ChartSkipped, match="^the data give no region for any customer$"):
        charts.region_frequency_heatmap(grid, tmp_path / "r.png")
    assert not (tmp_path / "r.png").exists()


def test_spend_drivers_grey_a_driver_whose_interval_includes_no_effect(tmp_path, monkeypatch):
    """As on the demo data: income clearly raises spend, kids clearly lower it, age's beta is
    negative but its interval includes zero. Age is drawn grey, not in the orange of a driver
    that goes with less spend, and the axis says what the colours mean."""
    drivers = pd.DataFrame({
        "predictor": ["annual_income", "kids_at_home", "age"],
        "standardized_beta": [0.74, -0.12, -0.03], "ci_low": [0.64, -0.14, -0.11],
        "ci_high": [0.83, -0.10, 0.05], "status": ["ran"] * 3, "r_squared": [0.56] * 3,
        "n": [2479] * 3,
    })
    seen = {}
    original = charts._save

    def spy(fig, path, title, subtitle=None):
        ax = fig.axes[0]
        points = ax.collections[-1]
        labels = [t.get_text() for t in ax.get_yticklabels()]
        seen["colours"] = dict(zip(labels, [tuple(c) for c in points.get_facecolors()],
                                   strict=True))
        seen["xlabel"] = ax.get_xlabel()
        return original(fig, path, title, subtitle)

    monkeypatch.setattr(charts, "_save", spy)
    charts.spend_drivers_chart(drivers, tmp_path / "d.png")
    _assert_png(tmp_path / "d.png")
    colours = seen["colours"]
    assert colours["age"] == pytest.approx(to_rgba(charts.GREY))
    assert colours["annual income"] == pytest.approx(to_rgba(charts.PALETTE[0]))
    assert colours["kids at home"] == pytest.approx(to_rgba(charts.PALETTE[5]))
    assert "grey = the interval includes no effect" in seen["xlabel"]


def test_campaign_response_leaves_out_rates_of_a_handful_of_customers(tmp_path, monkeypatch):
    """1 of 2 customers accepting is 50 %: drawn, it would be the tallest bar. Rates over
    fewer than MIN_CELL_CUSTOMERS customers are marked, not drawn."""
    responses = pd.DataFrame({
        "campaign_id": ["CMP1"] * 3,
        "grouping": ["all", "segment", "segment"],
        "grouping_label": ["all customers", "Big spenders", "Newcomers"],
        "grouping_value": ["all", "1", "2"],
        "response_rate": [0.12, 0.2, 0.5],
        "customers_sent": [500, 300, 2],
    })
    seen = {}
    original = charts._save

    def spy(fig, path, title, subtitle=None):
        seen["heights"] = [p.get_height() for p in fig.axes[0].patches]
        seen["subtitle"] = subtitle
        return original(fig, path, title, subtitle)

    monkeypatch.setattr(charts, "_save", spy)
    charts.campaign_response_chart(responses, tmp_path / "c.png")
    drawn = [h for h in seen["heights"] if np.isfinite(h)]
    assert drawn == pytest.approx([0.12, 0.2])
    assert "fewer than 10" in seen["subtitle"]


def test_campaign_response_shows_recipients_in_no_segment_as_their_own_bar(tmp_path,
                                                                           monkeypatch):
    """A not_segmented row (prospects who received the campaign) is drawn after the
    segments, in grey, under its own label; the segments keep their colours."""
    responses = pd.DataFrame({
        "campaign_id": ["CMP1"] * 3,
        "grouping": ["all", "segment", "not_segmented"],
        "grouping_label": ["all customers", "Big spenders", "not segmented (no accepted purchase)"],
        "grouping_value": ["all", "1", "none"],
        "response_rate": [0.12, 0.2, 0.05],
        "customers_sent": [500, 300, 200],
    })
    seen = {}
    original = charts._save

    def spy(fig, path, title, subtitle=None):
        ax = fig.axes[0]
        seen["bars"] = [(p.get_height(), p.get_facecolor()) for p in ax.patches]
        seen["labels"] = [t.get_text() for t in ax.get_legend().get_texts()]
        return original(fig, path, title, subtitle)

    monkeypatch.setattr(charts, "_save", spy)
    charts.campaign_response_chart(responses, tmp_path / "c.png")
    assert [h for h, _ in seen["bars"]] == pytest.approx([0.12, 0.2, 0.05])
    assert seen["labels"] == ["all customers", "1. Big spenders",
                              "not segmented (no accepted purchase)"]
    grey = to_rgba("#aaaaaa")
    assert seen["bars"][2][1] == pytest.approx(grey)
    assert seen["bars"][1][1] != pytest.approx(grey)


def test_the_monthly_chart_draws_revenue_and_orders_in_panels_sharing_the_months(
        monkeypatch, tmp_path):
    """Revenue and orders shared one panel on two y axes (revenue left, orders right), so
    where the lines crossed said nothing but how the two scales fell, and the legend had to
    name each entry's axis. They are now two stacked panels on one month axis, each with one
    y scale from zero; the shaded area of first orders is in the revenue panel and its label
    says it is revenue."""
    months = pd.DataFrame({
        "order_month": ["2024-01-01", "2024-02-01", "2024-03-01"],
        "order_count": [100, 120, 90], "revenue": [5000.0, 6100.0, 4800.0],
        "first_order_revenue": [2500.0, 900.0, 400.0]})
    seen = {}
    original = charts._save

    def spy(fig, path, title, subtitle=None):
        seen["axes"] = [{
            "position": tuple(ax.get_position().bounds),
            "ylabel": ax.get_ylabel(),
            "ylim": ax.get_ylim(),
            "lines": [list(line.get_ydata()) for line in ax.get_lines()],
            "legend": ([t.get_text() for t in ax.get_legend().get_texts()]
                       if ax.get_legend() else None),
        } for ax in fig.axes]
        seen["shared"] = fig.axes[0].get_shared_x_axes().joined(fig.axes[0], fig.axes[1])
        return original(fig, path, title, subtitle)

    monkeypatch.setattr(charts, "_save", spy)
    charts.monthly_sales_chart(months, tmp_path / "m.png")
    revenue, orders = seen["axes"]
    # no second y axis: a twin axes sits exactly on its host's position
    assert revenue["position"] != orders["position"]
    assert seen["shared"]  # one month axis for both panels
    assert revenue["ylabel"] == "Revenue per month\n(currency units)"
    assert orders["ylabel"] == "Orders per month"
    assert revenue["lines"] == [[5000.0, 6100.0, 4800.0]]
    assert orders["lines"] == [[100, 120, 90]]
    assert revenue["legend"] == ["revenue", "of which revenue of customers' first orders"]
    assert revenue["ylim"][0] == 0 and orders["ylim"][0] == 0
    _assert_png(tmp_path / "m.png")


@pytest.mark.parametrize(
    ("draw", "message"),
    [
        (lambda p: charts.income_by_age_group_chart(pd.DataFrame(), p), "no rows"),
        (lambda p: charts.promotion_impact_chart(pd.DataFrame({
            "discount_band": ["full price"], "discount_band_order": [1], "order_count": [10],
            "mean_units_per_order": [3.0], "mean_order_value": [50.0],
            "revenue_share": [1.0]}), p), "no discounts"),
        (lambda p: charts.loyalty_membership_chart(pd.DataFrame({
            "membership_status": ["unknown"], "customer_count": [10],
            "mean_total_spend": [1.0], "median_total_spend": [1.0]}), p),
         "do not distinguish"),
        (lambda p: charts.monthly_sales_chart(pd.DataFrame({
            "order_month": [None], "order_count": [1], "revenue": [1.0]}), p),
         "no order dates"),
        # Data that give neither region nor age (CDNOW): one 'unknown' × 'unknown' cell.
        (lambda p: charts.region_frequency_heatmap(pd.DataFrame({
            "region": ["unknown"], "age_group": ["unknown"], "age_group_order": [99],
            "customer_count": [2357], "mean_purchase_frequency_per_year": [2.1]}), p),
         "single region"),
        (lambda p: charts.age_gender_spend_chart(pd.DataFrame({
            "age_group": ["unknown"], "gender": ["unknown"], "age_group_order": [99],
            "customer_count": [2357], "mean_total_spend": [104.0]}), p),
         "single age group"),
        # Data without regions (shopping trends, iFood): every customer in 'unknown'.
        (lambda p: charts.category_by_region_heatmap(pd.DataFrame({
            "region": ["unknown"] * 2, "product_category": ["wine", "meat"],
            "customer_count": [500, 400], "spend": [1e4, 8e3],
            "spend_share_in_region": [0.55, 0.45], "lift": [1.0, 1.0]}), p),
         "no region"),
        # Data without demographics (CDNOW): every variable's customers are all unknown.
        (lambda p: charts.customer_demographics_chart(
            _distribution_frame().query("bin_kind != 'bin'").assign(
                customer_count=103), p),
         "no demographic value"),
        (lambda p: charts.category_seasonal_heatmap(pd.DataFrame({
            "season": ["winter"] * 2, "season_order": [1, 1], "product_category": ["a", "b"],
            "day_count": [40, 40], "spend": [10.0, 20.0], "spend_per_day": [0.25, 0.5],
            "seasonal_index": [1.0, 1.0]}), p),
         "single season"),
        # Every day of the data a holiday: no ordinary day to compare with.
        (lambda p: charts.category_holiday_heatmap(pd.DataFrame({
            "holiday_name": ["all holidays", "Christmas Day"], "holiday_order": [0, 1],
            "product_category": ["wine"] * 2, "holiday_day_count": [1, 1],
            "holiday_order_count": [12, 12], "holiday_revenue": [90.0, 90.0],
            "ordinary_revenue": [0.0, 0.0], "revenue_lift": [None, None],
            "holiday_revenue_share": [1.0, 1.0], "ordinary_revenue_share": [None, None]}), p),
         "no ordinary day"),
    ],
)
def test_chart_without_data_is_skipped_not_faked(draw, message, tmp_path):
    with pytest.raises(charts.ChartSkipped, match=message):
        draw(tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


def _stated_purchase_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    sales = pd.DataFrame({
        "dimension": ["season"] * 4 + ["discount_and_promo_code"] * 2,
        "dimension_value": ["winter", "spring", "summer", "autumn",
                            "discount and promo code", "neither"],
        "dimension_value_order": [1, 2, 3, 4, 1, 4],
        "purchase_count": [971, 999, 955, 975, 1677, 2223],
        "revenue_share": [0.25, 0.25, 0.24, 0.26, 0.43, 0.57],
        "mean_purchase_value": [60.4, 58.7, 58.4, 61.6, 59.3, 60.1],
        "mean_purchases_per_year": [18.2, 17.9, 16.9, 16.9, 17.6, 17.4],
    })
    grid = pd.DataFrame({
        "season": ["winter", "winter", "summer", "summer"], "season_order": [1, 1, 3, 3],
        "product_category": ["clothing", "footwear"] * 2,
        "purchase_count": [448, 140, 408, 160], "seasonal_index": [1.04, 0.94, 0.96, 1.09],
    })
    return sales, grid


@pytest.mark.parametrize("with_grid", [True, False])
def test_stated_purchase_chart_draws_seasons_and_promotions(with_grid, tmp_path):
    sales, grid = _stated_purchase_frames()
    path = charts.stated_purchase_chart(sales, tmp_path / "stated.png",
                                        grid if with_grid else None)
    _assert_png(path)
    # four panels with the season x category grid, three without it
    height, width = mpimg.imread(path).shape[:2]
    assert (height > 0.55 * width) == with_grid


def test_stated_purchase_chart_without_seasons_or_flags_is_skipped(tmp_path):
    sales, _ = _stated_purchase_frames()
    with pytest.raises(charts.ChartSkipped, match="no purchase states a season"):
        charts.stated_purchase_chart(sales.assign(dimension="payment_method"),
                                     tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


def _small_warehouse(path: Path, frames) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute("create schema segments")
    con.register("income", frames["income"])
    con.execute("create table marts.income_by_age_group as select * from income")
    con.register("customers", frames["customers"])
    con.execute("create table marts.customers as select * from customers")
    con.register("promo", frames["promo"].head(0))
    con.execute("create table marts.promotion_impact as select * from promo")
    con.close()


def test_render_charts_draws_what_exists_and_notes_the_rest(frames, tmp_path):
    warehouse = tmp_path / "small.duckdb"
    _small_warehouse(warehouse, frames)
    out = tmp_path / "charts"
    entries = charts.render_charts(warehouse, out)
    by_name = {e["name"]: e for e in entries}
    assert by_name["income_by_age_group"]["status"] == "written"
    assert by_name["loyalty_vs_spend"]["status"] == "written"
    _assert_png(out / "income_by_age_group.png")
    promo = by_name["promotion_impact"]
    assert promo["status"] == "skipped"
    assert promo["reason"] == "marts.promotion_impact is empty for this dataset"
    missing = by_name["seasonal_sales"]
    assert missing["reason"] == "marts.seasonal_sales does not exist in this warehouse"
    # the placeholder says so in words, and is listed as skipped in the manifest
    assert (out / "seasonal_sales.png").exists()
    manifest = json.loads((out / "charts.json").read_text())
    assert manifest["warehouse"] == str(warehouse.resolve())
    assert [e["name"] for e in manifest["charts"]] == [s.name for s in charts.CHARTS]
    # the warehouse was opened read-only and left as it was
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("select count(*) from marts.income_by_age_group").fetchone()[0] == 6
    con.close()


def test_render_charts_removes_stale_charts_of_an_earlier_warehouse(frames, tmp_path):
    warehouse = tmp_path / "small.duckdb"
    _small_warehouse(warehouse, frames)
    out = tmp_path / "charts"
    out.mkdir()
    (out / "charts.json").write_text(json.dumps({"charts": [{"file": "old_chart.png"}]}))
    (out / "old_chart.png").write_bytes(b"old")
    (out / "keep.txt").write_text("not ours")
    charts.render_charts(warehouse, out, placeholders=False)
    assert not (out / "old_chart.png").exists()
    assert (out / "keep.txt").exists()
    assert not (out / "seasonal_sales.png").exists()  # no placeholder when asked for none


def test_render_charts_refuses_a_missing_warehouse(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        charts.render_charts(tmp_path / "nope.duckdb", tmp_path / "out")


def test_exposure_lists_every_relation_the_charts_read():
    exposures = yaml.safe_load((PROJECT_DIR / "models" / "exposures.yml").read_text())
    chart_set = next(e for e in exposures["exposures"] if e["name"] == "chart_set")
    declared = {d.split("'")[1] for d in chart_set["depends_on"]}
    needed = {relation.split(".", 1)[1] for relation in charts.chart_sources()}
    assert needed <= declared, f"add to models/exposures.yml chart_set: {sorted(needed - declared)}"
    assert chart_set["type"] == "dashboard"


def test_clv_chart_adds_the_holdout_check_when_there_is_one(frames, tmp_path, monkeypatch):
    """With marts.lifetime_value_holdout filled (var lifetime_value_calibration_end), the
    lifetime-value chart gets a third panel: actual purchases per customer as bars and the
    model's expectation as points, per calibration repeat-purchase count (the 'all' row is
    not a bar)."""
    holdout = pd.DataFrame({
        "grouping": ["repeat_purchases"] * 3 + ["all"],
        "calibration_repeat_purchases": ["0", "1", "7+", "all"],
        "bucket_order": [0, 1, 7, 8],
        "mean_actual_purchases": [0.2, 0.7, 6.4, 0.8],
        "mean_expected_purchases": [0.22, 0.52, 6.2, 0.7],
        "customer_count": [1411, 439, 64, 1914],
        "holdout_weeks": [39.0] * 4,
        "calibration_end": [pd.Timestamp("1997-09-30")] * 4,
    })
    seen = {}
    original = charts._save

    def spy(fig, path, title, subtitle=None):
        seen["axes"] = len(fig.axes)
        seen["bars"] = [p.get_height() for p in fig.axes[2].patches] if len(fig.axes) > 2 else []
        seen["points"] = list(fig.axes[2].lines[0].get_ydata()) if len(fig.axes) > 2 else []
        return original(fig, path, title, subtitle)

    monkeypatch.setattr(charts, "_save", spy)
    charts.clv_distribution_chart(frames["clv"], tmp_path / "clv.png", holdout)
    assert seen["axes"] == 3
    assert seen["bars"] == pytest.approx([0.2, 0.7, 6.4])
    assert seen["points"] == pytest.approx([0.22, 0.52, 6.2])
    charts.clv_distribution_chart(frames["clv"], tmp_path / "plain.png", holdout.iloc[0:0])
    assert seen["axes"] == 2


def test_repeat_chart_leaves_out_days_between_orders_for_undated_data(frames, tmp_path):
    """Data without order dates (customer summaries) have repeat rates but no days between
    orders: the chart draws one column, not an empty panel with stray labels."""
    from PIL import Image

    dated = charts.repeat_purchase_chart(frames["repeat"], tmp_path / "dated.png")
    undated = charts.repeat_purchase_chart(
        frames["repeat"].assign(median_days_between_orders=np.nan), tmp_path / "undated.png")
    dated_width, _ = Image.open(dated).size
    undated_width, _ = Image.open(undated).size
    assert undated_width == pytest.approx(dated_width * 7 / 12, rel=0.01)


def test_age_gender_chart_is_skipped_when_the_data_give_no_gender(tmp_path):
    grid = pd.DataFrame({
        "age_group": ["21-30", "31-40", "41-50"], "gender": ["unknown"] * 3,
        "age_group_order": [2, 3, 4], "customer_count": [300, 400, 350],
        "mean_total_spend": [210.0, 380.0, 520.0],
    })
    with pytest.raises(charts.ChartSkipped, match="no gender"):
        charts.age_gender_spend_chart(grid, tmp_path / "g.png")
    grid["gender"] = ["female", "male", "female"]
    assert charts.age_gender_spend_chart(grid, tmp_path / "g.png").exists()


def _spy_heatmap(monkeypatch) -> dict:
    seen = {}
    original = charts._heatmap

    def spy(ax, grid, cmap, labels=None, **kwargs):
        seen["grid"], seen["labels"], seen["norm"] = grid, labels, kwargs.get("norm")
        return original(ax, grid, cmap, labels=labels, **kwargs)

    monkeypatch.setattr(charts, "_heatmap", spy)
    return seen


def test_region_category_heatmap_greys_tiny_cells_and_puts_unknown_last(tmp_path, monkeypatch):
    """A category bought by three customers of a region has a lift of x3 by chance: its cell
    is greyed with the count and does not set the colour scale. Categories are rows by total
    spend, regions columns by spend with 'unknown' last, each labelled with its spend."""
    cells = pd.DataFrame({
        "region": ["north", "north", "south", "south", "unknown", "unknown"],
        "product_category": ["wine", "gold", "wine", "gold", "wine", "gold"],
        "customer_count": [200, 3, 150, 40, 900, 300],
        "spend": [5000.0, 300.0, 2000.0, 1000.0, 9000.0, 1500.0],
        "spend_share_in_region": [0.943, 0.057, 0.667, 0.333, 0.857, 0.143],
        "lift": [1.12, 3.0, 0.79, 1.25, 1.02, 0.9],
    })
    seen = _spy_heatmap(monkeypatch)
    charts.category_by_region_heatmap(cells, tmp_path / "r.png")
    grid, labels = seen["grid"], seen["labels"]
    assert list(grid.index) == ["wine", "gold"]
    assert [c.split("\n")[0] for c in grid.columns] == ["north", "south", "unknown"]
    assert grid.columns[0] == "north\n(5,300)"
    assert labels.iloc[1, 0] == "n = 3"
    assert np.isnan(grid.iloc[1, 0])
    assert labels.iloc[1, 1] == "33 %\n×1.25"
    assert labels.iloc[1, 2] == "14 %\n×0.90"
    # the colour is log2 lift, centred on 1 and bounded by the largest drawn cell (x0.79)
    assert grid.iloc[0, 1] == pytest.approx(np.log2(0.79))
    assert seen["norm"].vmax == pytest.approx(abs(np.log2(0.79)))


def test_region_category_lifts_the_report_calls_alike_are_not_drawn_deepest(tmp_path,
                                                                           monkeypatch):
    """The demo data's regions: lifts from x0.89 to x1.11, which the report calls "much the
    same mix". The colour scale reaches at least the report's alike threshold (x1.2) either
    way, so x1.11 is not drawn in the deepest red."""
    from customer_behavior import report

    lifts = {"wine": 1.03, "gold": 1.11, "sweets": 0.89}
    cells = pd.DataFrame({
        "region": "central", "product_category": list(lifts), "customer_count": 200,
        "spend": [9000.0, 3300.0, 900.0], "spend_share_in_region": [0.68, 0.25, 0.07],
        "lift": list(lifts.values()),
    })
    seen = _spy_heatmap(monkeypatch)
    charts.category_by_region_heatmap(cells, tmp_path / "r.png")
    assert seen["norm"].vmax == pytest.approx(np.log2(charts.REGION_LIFT_COLOUR_MIN))
    assert seen["norm"](np.log2(1.11)) < 0.85  # full red is 1.0
    assert report.REGION_MIX_ALIKE_LIFT == charts.REGION_LIFT_COLOUR_MIN


def test_region_category_heatmap_shows_the_regions_with_most_spend(tmp_path, monkeypatch):
    regions = [f"r{i:02d}" for i in range(charts.MAX_HEATMAP_COLUMNS + 3)]
    cells = pd.DataFrame({"region": regions, "product_category": "wine",
                          "customer_count": 50, "spend": [100.0 + i for i in range(len(regions))],
                          "spend_share_in_region": 1.0, "lift": 1.0})
    seen = _spy_heatmap(monkeypatch)
    subtitles = {}
    original = charts._save
    monkeypatch.setattr(charts, "_save", lambda fig, path, title, subtitle=None: (
        subtitles.setdefault("s", subtitle), original(fig, path, title, subtitle))[1])
    charts.category_by_region_heatmap(cells, tmp_path / "r.png")
    shown = [c.split("\n")[0] for c in seen["grid"].columns]
    assert shown == regions[::-1][:charts.MAX_HEATMAP_COLUMNS]
    assert f"the {charts.MAX_HEATMAP_COLUMNS} of {len(regions)} regions" in subtitles["s"]


def test_decile_mix_splits_each_deciles_spend_and_groups_the_smallest_categories(monkeypatch):
    """Each decile's bar is its spend split by category (shares summing to 1), top decile
    first, categories by spend; beyond MAX_STACKED_CATEGORIES the smallest are 'other'."""
    cells = pd.DataFrame([(d, f"c{j}", float((j + 1) * d)) for d in (2, 1, 3) for j in range(4)]
                         + [(4, "c0", 0.0)],  # a decile that spent nothing: no bar
                         columns=["spend_decile", "product_category", "spend"])
    monkeypatch.setattr(charts, "MAX_STACKED_CATEGORIES", 2)
    mix = charts.decile_category_mix(cells.sample(frac=1, random_state=3))
    assert list(mix.index) == [1, 2, 3]
    assert list(mix.columns) == ["c3", "c2", "other"]
    # decile 2 spends 2, 4, 6, 8 on c0..c3 (20): c3 8/20, c2 6/20, other (c0 + c1) 6/20
    assert mix.loc[2].tolist() == pytest.approx([0.4, 0.3, 0.3])
    assert mix.sum(axis=1).tolist() == pytest.approx([1.0, 1.0, 1.0])
    with pytest.raises(charts.ChartSkipped, match="no spend"):
        charts.decile_category_mix(cells.assign(spend=0.0))


def test_seasonal_heatmap_orders_seasons_by_calendar_and_colours_log_index(frames, tmp_path,
                                                                           monkeypatch):
    """Seasons in calendar order with their days, categories by spend, colour = log2 of the
    seasonal index (x2 and x0.5 equally far from the category's average season)."""
    cells = frames["by_season"].sample(frac=1, random_state=1)  # any row order
    seen = _spy_heatmap(monkeypatch)
    charts.category_seasonal_heatmap(cells, tmp_path / "s.png")
    grid, labels = seen["grid"], seen["labels"]
    assert list(grid.columns) == ["winter\n(90 days)", "spring\n(90 days)",
                                  "summer\n(90 days)", "autumn\n(90 days)"]
    assert list(grid.index) == ["wine", "meat", "fish", "sweets"]
    expected = frames["by_season"].set_index(["product_category", "season"])
    assert grid.loc["fish"].iloc[3] == pytest.approx(
        np.log2(expected.loc[("fish", "autumn"), "seasonal_index"]))
    wine = expected.loc[("wine", "autumn")]
    assert wine.spend_per_day == 480
    assert labels.loc["wine"].iloc[3] == f"×{wine.seasonal_index:.2f}\n480/day"
    assert seen["norm"].vcenter == 0


def _hypothesis_chart_ticks(tests: pd.DataFrame, tmp_path, monkeypatch) -> list[str]:
    """The y-axis labels of the hypothesis chart drawn from ``tests`` (its PNG checked)."""
    seen = {}
    original = charts._save

    def spy(fig, path, title, subtitle=None):
        seen["ticks"] = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        return original(fig, path, title, subtitle)

    monkeypatch.setattr(charts, "_save", spy)
    _assert_png(charts.hypothesis_tests_chart(tests, tmp_path / "h.png"))
    return seen["ticks"]


def test_hypothesis_chart_names_each_effect_size(frames, tmp_path, monkeypatch):
    """One row per test that ran, labelled with its effect size: Cramér's V (the season x
    category chi-square test) by its name, not as the stored 'cramers_v'."""
    assert _hypothesis_chart_ticks(frames["tests"], tmp_path, monkeypatch) == [
        "seasonal category demand\n(Cramér's V)",
        "over 50 frequency\n(rank-biserial)",
        "loyalty member spend\n(rank-biserial)",
        "discount volume\n(Hedges' g)"]


def test_spend_drivers_chart_orders_by_size_without_naming_a_strongest(frames, tmp_path,
                                                                        monkeypatch):
    """The y-axis said "Driver (strongest at the top)", though the chart orders by |beta|
    alone and statistics.strongest_driver may name no strongest driver (intervals that allow
    effects of the same size, or that include no effect). It now says what the order is."""
    seen = {}
    original = charts._save

    def spy(fig, path, title, subtitle=None):
        ax = fig.axes[0]
        seen["ylabel"] = ax.get_ylabel()
        seen["ticks"] = [t.get_text() for t in ax.get_yticklabels()]
        return original(fig, path, title, subtitle)

    monkeypatch.setattr(charts, "_save", spy)
    charts.spend_drivers_chart(frames["drivers"], tmp_path / "d.png")
    assert seen["ylabel"] == "Driver (ordered by size of effect, |beta|, largest at the top)"
    assert "strongest" not in seen["ylabel"]
    # barh-style axes draw bottom-up: the largest |beta| (income, 0.45) at the top
    assert seen["ticks"] == ["kids at home", "age", "annual income"]


def test_hypothesis_chart_says_when_an_interval_is_not_estimable(frames, tmp_path, monkeypatch):
    """A test whose interval collapsed to a point (statistics.NOT_ESTIMABLE: every value of
    one group above every value of the other) has NULL bounds, so its point is drawn without
    an error bar, as though the effect were known exactly; its label now says the interval
    is not estimable (or, missing for another reason, not available)."""
    tests = frames["tests"].copy()
    tests["ci_method"] = "percentile bootstrap, 2000 resamples per group, seed 0"
    why = ("not estimable: every value of group A is above every value of group B "
           "(rank-biserial +1); the percentile bootstrap gives the single point 1")
    tests.loc[tests.test_id == "loyalty_member_spend",
              ["effect_size", "ci_low", "ci_high", "ci_method"]] = [1.0, np.nan, np.nan, why]
    tests.loc[tests.test_id == "seasonal_category_demand", ["ci_low", "ci_high", "ci_method"]] = [
        np.nan, np.nan, "no interval (n_boot = 0)"]
    assert _hypothesis_chart_ticks(tests, tmp_path, monkeypatch) == [
        "seasonal category demand\n(Cramér's V; interval not available)",
        "over 50 frequency\n(rank-biserial)",
        "loyalty member spend\n(rank-biserial; interval not estimable)",
        "discount volume\n(Hedges' g)"]



def test_hypothesis_chart_draws_the_intervals_counted_by_customer(frames, tmp_path,
                                                                  monkeypatch):
    """The order-level tests carry a second interval, with each customer's orders counted
    together (ci_*_clustered): drawn below the plain one, and a legend says what each is;
    a chart without any draws none and has no legend."""
    tests = frames["tests"].copy()
    tests["ci_low_clustered"] = [0.30, np.nan, np.nan, np.nan, np.nan]
    tests["ci_high_clustered"] = [0.47, np.nan, np.nan, np.nan, np.nan]
    seen: dict[str, list] = {"bars": []}
    original_save = charts._save

    def spy(fig, path, title, subtitle=None):
        ax = fig.axes[0]
        legend = ax.get_legend()
        seen["legend"] = [t.get_text() for t in legend.get_texts()] if legend else []
        for container in ax.containers:  # each errorbar call
            segments = container.lines[2][0].get_segments()
            seen["bars"].append([(float(a[0]), float(b[0]), float(a[1])) for a, b in segments])
        return original_save(fig, path, title, subtitle)

    monkeypatch.setattr(charts, "_save", spy)
    _assert_png(charts.hypothesis_tests_chart(tests, tmp_path / "h.png"))
    plain, by_customer = seen["bars"]
    # rows bottom-up: discount_volume is the last test, drawn at y = 3
    assert plain[3] == pytest.approx((0.35, 0.42, 3))
    assert by_customer == [pytest.approx((0.30, 0.47, 3 - 0.22))]
    assert seen["legend"] == [
        "95 % interval", "95 % interval, each customer's orders counted together"]
    seen["bars"] = []
    _assert_png(charts.hypothesis_tests_chart(frames["tests"], tmp_path / "plain.png"))
    assert len(seen["bars"]) == 1 and seen["legend"] == []

def test_demographics_chart_draws_one_panel_per_variable_with_values(frames, tmp_path,
                                                                      monkeypatch):
    """Small multiples: a histogram per numeric variable in bin order with the median bin in
    orange, bars commonest on top for a categorical one, the customers left out counted in
    each title; a variable nobody has a value for (gender here) gets no panel but is named."""
    seen = {}
    original = charts._save

    def spy(fig, path, title, subtitle=None):
        visible = [ax for ax in fig.axes if ax.get_visible()]
        seen["titles"] = [ax.get_title(loc="left") for ax in visible]
        seen["bars"] = [[(round(p.get_height() if p.get_width() < 1 else p.get_width(), 6),
                          p.get_facecolor()) for p in ax.patches] for ax in visible]
        seen["ticks"] = [[t.get_text() for t in (ax.get_xticklabels() if i < 2
                                                 else ax.get_yticklabels())]
                         for i, ax in enumerate(visible)]
        seen["subtitle"] = subtitle
        return original(fig, path, title, subtitle)

    monkeypatch.setattr(charts, "_save", spy)
    charts.customer_demographics_chart(frames["distribution"].sample(frac=1, random_state=3),
                                       tmp_path / "d.png")
    assert seen["titles"] == ["Age (n = 100; 3 unknown)",
                              "Annual income (n = 100; 2 outliers, 1 unknown)",
                              "Marital status (n = 103)"]
    assert seen["ticks"][0] == ["21-30", "31-40", "41-50"]
    assert [h for h, _ in seen["bars"][0]] == pytest.approx([0.3, 0.5, 0.2])
    orange = to_rgba(charts.PALETTE[1])
    assert [c == orange for _, c in seen["bars"][1]] == [False, True, False]
    assert seen["ticks"][2] == ["single", "married"]  # barh draws bottom-up: commonest on top
    assert "no values for gender" in seen["subtitle"]


def test_holiday_heatmap_puts_pooled_holidays_first_and_greys_thin_cells(frames, tmp_path,
                                                                         monkeypatch):
    """Rows: all holidays pooled, then the holidays in the mart's calendar order, each with
    its days; columns: categories by revenue, headed by their share of ordinary-day and of
    holiday revenue. The colour is log2 of the revenue lift; a cell of fewer than
    MIN_HOLIDAY_CELL_ORDERS orders is greyed with its count and left out of the scale."""
    cells = frames["by_holiday"].sample(frac=1, random_state=2)  # any row order
    thin = (cells.holiday_name == "Christmas Day") & (cells.product_category == "wine")
    cells.loc[thin, ["holiday_order_count", "revenue_lift"]] = [3, 40.0]
    seen = _spy_heatmap(monkeypatch)
    charts.category_holiday_heatmap(cells, tmp_path / "h.png")
    grid, labels = seen["grid"], seen["labels"]
    assert list(grid.index) == ["All holidays (6 d)", "Valentine's Day (2 d)",
                                "Black Friday (2 d)", "Christmas Day (2 d)"]
    assert [c.split("\n")[0] for c in grid.columns] == ["wine", "meat", "fish", "sweets"]
    pooled = frames["by_holiday"].query("holiday_order == 0").set_index("product_category")
    fish = pooled.loc["fish"]
    assert grid.columns[2] == (f"fish\n{100 * fish.ordinary_revenue_share:.1f} % → "
                               f"{100 * fish.holiday_revenue_share:.1f} %")
    black_friday = frames["by_holiday"].query("holiday_name == 'Black Friday'").set_index(
        "product_category").loc["meat", "revenue_lift"]
    assert grid.iloc[2, 1] == pytest.approx(np.log2(black_friday))
    assert labels.iloc[2, 1] == f"×{black_friday:.2f}"
    assert labels.iloc[3, 0] == "n = 3" and np.isnan(grid.iloc[3, 0])
    assert seen["norm"].vcenter == 0
    assert seen["norm"].vmax == pytest.approx(np.nanmax(np.abs(grid.to_numpy(float))))
    assert seen["norm"].vmax < np.log2(40)  # the thin cell does not set the scale


def test_state_codes_are_labelled_upper_case_as_they_are_known(monkeypatch, tmp_path):
    """Staging lower-cases every text column, so the demo's states read 'nd', 'tx' in the
    demographic chart. A two-letter state is labelled as the code is known ('ND'); a state's
    name ('alaska', from the shopping-trends file) in title case ('Alaska', see
    test_state_names_are_labelled_in_title_case); 'unknown' and the other dimensions'
    values are labelled as stored."""
    rows = [("state", "nd", 1, 61, 975.0), ("state", "tx", 2, 227, 528.0),
            ("state", "alaska", 3, 40, 600.0), ("state", "unknown", 4, 3, 500.0),
            ("region", "south", 1, 200, 544.0), ("region", "nd", 2, 100, 700.0)]
    frame = pd.DataFrame(rows, columns=["dimension", "dimension_value", "dimension_value_order",
                                        "customer_count", "mean_total_spend"])
    seen = {}
    original = charts._save

    def spy(fig, path, title, subtitle=None):
        seen.update({ax.get_title(loc="left"): [t.get_text() for t in ax.get_yticklabels()]
                     for ax in fig.axes if ax.get_visible()})
        return original(fig, path, title, subtitle)

    monkeypatch.setattr(charts, "_save", spy)
    charts.demographic_spend_chart(frame, tmp_path / "d.png")
    assert sorted(seen["State"]) == ["Alaska (40)", "ND (61)", "TX (227)", "unknown (3)"]
    assert sorted(seen["Region"]) == ["nd (100)", "south (200)"]
    assert [charts.state_label(v) for v in ("ca", "uttar pradesh", "unknown", "n")] == [
        "CA", "Uttar Pradesh", "unknown", "n"]


def test_state_names_are_labelled_in_title_case():
    """The shopping-trends and Diwali files name their states in full, which staging stores
    lower-case ('alaska', 'new york', 'uttar pradesh') and the charts and the report printed
    so. A name now prints in title case, its joining words lower-case inside it; codes stay
    upper-case, and 'unknown', single letters and values with digits as stored."""
    cases = {
        "new york": "New York", "district of columbia": "District of Columbia",
        "west virginia": "West Virginia", "uttar pradesh": "Uttar Pradesh",
        "andhra\xa0pradesh": "Andhra\xa0Pradesh", "jammu and kashmir": "Jammu and Kashmir",
        "jammu & kashmir": "Jammu & Kashmir", "the bahamas": "The Bahamas",
        "rio de janeiro": "Rio de Janeiro", "baden-württemberg": "Baden-Württemberg",
        "ny": "NY", "unknown": "unknown", "n": "n", "zone 1": "zone 1",
        "New York": "New York",
    }
    assert {v: charts.state_label(v) for v in cases} == cases
