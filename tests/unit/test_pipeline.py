from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_behavior import pipeline
from customer_behavior import segmentation as seg


def _features(n=600, seed=0):
    rng = np.random.default_rng(seed)
    centers = np.array([[5, 2000, 90000], [20, 300, 40000], [60, 80, 25000]])
    group = rng.integers(0, 3, n)
    x = centers[group] * rng.normal(1, 0.08, (n, 3))
    return pd.DataFrame(
        {"customer_id": [f"C{i:05d}" for i in range(n)], "order_count": x[:, 0],
         "total_spend": x[:, 1], "annual_income": x[:, 2]}
    ), group


def test_settings_read_dbt_vars_rendered_as_text():
    s = pipeline.segment_settings({"segment_k": "", "segment_k_min": "3", "segment_k_max": "None",
                                   "segment_random_state": None, "segment_fit_sample_size": "1000",
                                   "segment_metric_sample_size": "500"})
    assert s == {"pinned_k": None, "k_min": 3, "k_max": 8, "random_state": 0,
                 "fit_sample_size": 1000, "metric_sample_size": 500}
    assert pipeline.segment_settings({"segment_k": "4"})["pinned_k"] == 4


def test_pinned_k_overrides_the_rule_and_must_be_in_range():
    features, _ = _features()
    sel = pipeline.k_selection(features, pinned_k=5, k_min=2, k_max=6)
    assert sel.loc[sel.is_chosen, "k"].tolist() == [5]
    assert (sel.chosen_by == "pinned by var segment_k").all()
    with pytest.raises(ValueError, match="segment_k=9"):
        pipeline.k_selection(features, pinned_k=9, k_min=2, k_max=6)


def test_rule_finds_the_planted_three_groups_and_the_chain_runs():
    features, group = _features()
    sel = pipeline.k_selection(features, k_min=2, k_max=6)
    assert pipeline.chosen_k(sel) == 3
    model = pipeline.segment_model(features, sel)
    assign = pipeline.customer_segment_assignments(features, model)
    from sklearn.metrics import adjusted_rand_score

    assert adjusted_rand_score(group, assign.set_index("customer_id").loc[features.customer_id, "segment_id"]) > 0.95


def test_too_few_customers_is_a_clear_error():
    features, _ = _features(n=2)
    with pytest.raises(ValueError, match="too few to segment"):
        pipeline.k_selection(features)


def _orders(n_customers=200, seed=1):
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_customers):
        for _ in range(rng.integers(1, 6)):
            rows.append({"customer_id": f"C{c:05d}",
                         "order_date": pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 360))),
                         "amount": float(rng.gamma(2, 30))})
    return pd.DataFrame(rows)


def test_lifetime_value_renames_model_columns_for_sql():
    per_customer, params = pipeline.lifetime_value(_orders())
    assert {"repeat_purchase_weeks", "recency_weeks", "age_weeks", "mean_repeat_purchase_value"} <= set(per_customer.columns)
    assert "T" not in per_customer.columns
    assert set(params.model) == {"bg_nbd", "gamma_gamma"}


def test_datasets_without_order_dates_report_not_run_instead_of_failing():
    empty = pd.DataFrame({"customer_id": pd.Series(dtype=str), "order_date": pd.Series(dtype="datetime64[ns]"),
                          "amount": pd.Series(dtype=float)})
    per_customer, params = pipeline.lifetime_value(empty)
    assert per_customer.empty and not params.converged.any()
    customers = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "total_spend": [1.0, 2.0, 3.0, 4.0],
                              "loyalty_score": [1.0, 2.0, 3.0, 5.0]})
    tests = pipeline.hypothesis_tests(customers, empty)
    assert (tests.loc[tests.test_id == "discount_volume", "status"] == "not_run").all()


def test_statistics_do_not_depend_on_the_row_order_duckdb_returns():
    rng = np.random.default_rng(3)
    n = 300
    customers = pd.DataFrame({
        "customer_id": [f"C{i:04d}" for i in range(n)],
        "total_spend": rng.gamma(2, 100, n), "loyalty_score": rng.uniform(1, 10, n),
        "annual_income": rng.normal(50000, 10000, n), "age": rng.integers(18, 80, n),
        "is_loyalty_member": rng.random(n) < 0.4, "purchase_frequency_per_year": rng.gamma(2, 2, n),
        "kids_at_home": rng.integers(0, 3, n), "teens_at_home": rng.integers(0, 2, n),
        "tenure_days": rng.integers(30, 700, n),
    })
    shuffled = customers.sample(frac=1, random_state=1)
    pd.testing.assert_frame_equal(pipeline.hypothesis_tests(customers, None),
                                  pipeline.hypothesis_tests(shuffled, None))
    pd.testing.assert_frame_equal(pipeline.spend_drivers(customers), pipeline.spend_drivers(shuffled))


# --- the dbt models pass DuckDB relations: same tables as from whole DataFrames -----------


def _marts(seed=4, n_customers=300, n_orders=2500):
    """customers / orders shaped like the marts (extra columns the statistics never read)."""
    rng = np.random.default_rng(seed)
    ids = [f"C{i:05d}" for i in range(n_customers)]
    customers = pd.DataFrame({
        "customer_id": ids, "gender": rng.choice(["F", "M"], n_customers),
        "age": rng.integers(18, 80, n_customers).astype(float),
        "annual_income": rng.normal(50000, 10000, n_customers).round(2),
        "kids_at_home": rng.integers(0, 3, n_customers), "teens_at_home": rng.integers(0, 2, n_customers),
        "children_count": rng.integers(0, 4, n_customers), "loyalty_score": rng.uniform(1, 10, n_customers),
        "order_count": rng.integers(1, 20, n_customers), "total_spend": rng.gamma(2, 100, n_customers).round(2),
        "avg_order_value": rng.gamma(2, 20, n_customers), "purchase_frequency_per_year": rng.gamma(2, 2, n_customers),
        "recency_days": rng.integers(0, 400, n_customers), "tenure_days": rng.integers(30, 700, n_customers),
        "discounted_order_share": rng.uniform(0, 1, n_customers), "campaigns_accepted": rng.integers(0, 3, n_customers),
        "is_loyalty_member": rng.random(n_customers) < 0.4,
    })
    customers.loc[::7, "annual_income"] = np.nan
    discounted = rng.random(n_orders) < 0.3
    rate = np.where(discounted, rng.uniform(0.05, 0.5, n_orders), 0.0)
    amount = rng.gamma(2, 30, n_orders).round(2)
    orders = pd.DataFrame({
        "order_id": [f"O{i:07d}" for i in range(n_orders)],
        "customer_id": np.sort(rng.choice(ids, n_orders)),
        "channel": rng.choice(["web", "store"], n_orders),
        "quantity": rng.integers(1, 6, n_orders), "amount": amount,
        "discount_amount": (amount * rate).round(2), "discount_rate": rate, "is_discounted": discounted,
        "order_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 360, n_orders), unit="D"),
    })
    # order ids follow customer and date, as in the marts
    orders = orders.sort_values(["customer_id", "order_date"], ignore_index=True)
    orders["order_id"] = [f"O{i:07d}" for i in range(n_orders)]
    return customers, orders


def _relation(frame, con=None):
    """The frame as a DuckDB relation with its rows shuffled (DuckDB guarantees no order);
    money columns DECIMAL as in the marts."""
    import duckdb

    con = con or duckdb.connect()
    name = f"frame_{id(frame)}"
    con.register(name, frame.sample(frac=1, random_state=2))
    money = [c for c in ("amount", "discount_amount", "annual_income", "total_spend") if c in frame]
    select = ", ".join(f"cast({c} as decimal(18, 2)) as {c}" if c in money else c for c in frame.columns)
    return con.sql(f"select {select} from {name}")


def test_statistics_read_from_relations_equal_the_whole_frames():
    customers, orders = _marts()
    cust_rel, ord_rel = _relation(customers), _relation(orders)
    pd.testing.assert_frame_equal(pipeline.hypothesis_tests(cust_rel, ord_rel),
                                  pipeline.hypothesis_tests(customers, orders))
    pd.testing.assert_frame_equal(pipeline.spend_drivers(cust_rel), pipeline.spend_drivers(customers))
    pd.testing.assert_frame_equal(pipeline.correlation_matrix(cust_rel),
                                  pipeline.correlation_matrix(customers))
    # the fallbacks: discount flag and depth derived from amounts; no usable order dates
    derived = orders.drop(columns=["is_discounted"]).assign(discount_rate=np.nan)
    pd.testing.assert_frame_equal(pipeline.hypothesis_tests(cust_rel, _relation(derived)),
                                  pipeline.hypothesis_tests(customers, derived))
    undated = orders.assign(order_date=pd.NaT)
    tests = pipeline.hypothesis_tests(cust_rel, _relation(undated))
    pd.testing.assert_frame_equal(tests, pipeline.hypothesis_tests(customers, undated))
    assert (tests.loc[tests.test_id.str.startswith("discount"), "status"] == "not_run").all()



def test_seasonal_test_counted_by_customer_from_a_relation_equals_the_whole_frame(monkeypatch):
    """The dbt model lists each customer's season x category line counts in DuckDB and reads
    them a batch at a time (here 7 customers: 42 batches of 7 and one of 6): the clustered p
    must be what the customers' frame gives, whatever order DuckDB keeps the rows in."""
    customers, _ = _marts()
    rng = np.random.default_rng(8)
    lines = pd.DataFrame({
        "customer_id": rng.choice(customers["customer_id"], 4_000),
        "season": rng.choice(["winter", "spring", "summer", "autumn"], 4_000),
        "product_category": rng.choice(["wine", "meat", "fish"], 4_000),
    }).value_counts().rename("order_line_count").reset_index()
    seasons = lines.groupby(["season", "product_category"], as_index=False)[
        "order_line_count"].sum()
    monkeypatch.setattr(pipeline, "_SEASON_CLUSTER_BATCH", 7)
    from_frames = pipeline.hypothesis_tests(customers, None, seasons, None, lines)
    from_relations = pipeline.hypothesis_tests(_relation(customers), None, _relation(seasons),
                                               None, _relation(lines))
    pd.testing.assert_frame_equal(from_relations, from_frames)
    row = from_frames.set_index("test_id").loc["seasonal_category_demand"]
    assert row["clusters"] == lines["customer_id"].nunique() == 300
    assert 0 < row["p_value_clustered"] <= 1

def test_relations_are_read_column_by_column_in_key_order():
    customers, _ = _marts(n_customers=50)
    read = pipeline._read_in_key_order(_relation(customers), ["total_spend", "age", "no_such"], "customer_id")
    assert list(read.columns) == ["total_spend", "age"]
    expected = customers.sort_values("customer_id")
    np.testing.assert_array_equal(read["age"].to_numpy(float), expected["age"].to_numpy(float))


def test_lifetime_value_from_a_relation_equals_the_whole_frame():
    _, orders = _marts()
    per_rel, params_rel = pipeline.lifetime_value(_relation(orders))
    per_df, params_df = pipeline.lifetime_value(orders)
    pd.testing.assert_frame_equal(params_rel, params_df, check_exact=True)
    pd.testing.assert_frame_equal(per_rel.astype({"customer_id": object}),
                                  per_df.astype({"customer_id": object}), check_exact=True)
    pd.testing.assert_frame_equal(pipeline.lifetime_value_parameters(_relation(orders)), params_df)
    # the dbt path: the inputs table (int_customer_lifetime_value_inputs) read back shuffled
    inputs = pipeline.lifetime_value_inputs(_relation(orders))
    assert list(inputs.columns) == ["customer_id", "historical_value", "order_count",
                                    "repeat_purchase_weeks", "recency_weeks", "age_weeks",
                                    "mean_repeat_purchase_value", "holdout_weeks",
                                    "holdout_purchase_days"]
    assert inputs["holdout_weeks"].isna().all() and inputs["holdout_purchase_days"].isna().all()
    # with a calibration end, DuckDB and pandas give the same inputs and holdout counts
    # (historical_value: DuckDB's exact sum against pandas' float sum, equal to ~1e-13)
    end = str(pd.to_datetime(orders["order_date"]).quantile(0.6).date())
    calibrated = pipeline.lifetime_value_inputs(_relation(orders), calibration_end=end)
    pd.testing.assert_frame_equal(
        calibrated.astype({"customer_id": object}),
        pipeline.lifetime_value_inputs(orders, calibration_end=end).astype(
            {"customer_id": object}),
        check_exact=False, rtol=1e-12,
    )
    assert calibrated["holdout_purchase_days"].sum() > 0
    assert len(calibrated) < len(inputs)  # customers first seen after the end are not in it
    # a calibration end before the first order stops, from DuckDB as from pandas (it must
    # not leave an empty summary and silently no lifetime values)
    for source in (_relation(orders), orders):
        with pytest.raises(ValueError, match="on or after the first order date"):
            pipeline.lifetime_value_inputs(source, calibration_end="2000-01-01")
    # undated orders (a public dataset without dates) give no inputs, calibrated or not
    undated_orders = orders.assign(order_date=pd.NaT)
    for source in (_relation(undated_orders), undated_orders):
        assert pipeline.lifetime_value_inputs(source, calibration_end=end).empty
    per_in, params_in = pipeline.lifetime_value_from_inputs(_relation(inputs))
    pd.testing.assert_frame_equal(params_in, params_df, check_exact=True)
    pd.testing.assert_frame_equal(per_in.astype({"customer_id": object}),
                                  per_df.astype({"customer_id": object}), check_exact=True)
    pd.testing.assert_frame_equal(
        pipeline.lifetime_value_parameters_from_inputs(_relation(inputs)), params_df
    )
    # no dated orders: empty, as from a frame
    undated = orders.assign(order_date=pd.NaT)
    per_empty, params_empty = pipeline.lifetime_value(_relation(undated))
    per_ref, params_ref = pipeline.lifetime_value(undated)
    assert per_empty.empty and per_ref.empty and list(per_empty.columns) == list(per_ref.columns)
    pd.testing.assert_frame_equal(params_empty, params_ref)
    per_empty_in, params_empty_in = pipeline.lifetime_value_from_inputs(
        _relation(pipeline.lifetime_value_inputs(undated))
    )
    assert per_empty_in.empty and list(per_empty_in.columns) == list(per_ref.columns)
    pd.testing.assert_frame_equal(params_empty_in, params_ref)


def test_segment_profiles_from_relations_equal_the_whole_frames():
    """The dbt model aggregates the profile in DuckDB (k + 1 rows reach pandas); the
    DataFrame path aggregates in pandas: same profile, names and recommendations."""
    customers, _ = _marts()
    rng = np.random.default_rng(11)
    n = len(customers)
    customers["campaigns_sent"] = rng.integers(0, 4, n).astype(float)  # zeros: rate undefined
    customers.loc[::11, "campaigns_sent"] = np.nan
    customers["campaigns_accepted"] = np.minimum(customers["campaigns_accepted"], customers["campaigns_sent"])
    mix = rng.dirichlet([2, 1, 1], n)
    cats = rng.dirichlet([3, 1, 1, 1], n)
    features = pd.DataFrame({"customer_id": customers["customer_id"], "total_spend": customers["total_spend"]})
    for i, ch in enumerate(["catalog", "store", "web"]):
        features[f"share_channel_{ch}"] = mix[:, i]
    for i, cat in enumerate(["fish", "meat", "sweets", "wines"]):
        features[f"share_category_{cat}"] = cats[:, i]
    assignments = pd.DataFrame({"customer_id": customers["customer_id"],
                                "segment_id": rng.integers(0, 4, n).astype("int64")})
    from_frames = pipeline.segment_profiles(customers, features, assignments)
    import duckdb

    con = duckdb.connect()
    from_relations = pipeline.segment_profiles(
        _relation(customers, con), _relation(features, con), _relation(assignments, con)
    )
    assert list(from_relations.columns) == list(from_frames.columns)
    assert from_frames["campaign_response_rate"].notna().all() and "response_z" in from_frames
    pd.testing.assert_frame_equal(from_relations, from_frames, check_dtype=False, rtol=1e-12)


def test_segment_profiles_read_purchase_shares_where_spend_per_channel_is_unknown():
    """Data that count purchases per channel without splitting spend by channel (iFood) have
    no channel shares among the features. The profile then reads each customer's share of
    purchases per channel, planted here so that segment 1 buys through the catalog three
    times as often as segment 2: its mean shares are the recomputed ones, catalog is its
    signature channel (named, and said to be a purchase share), from DuckDB as from pandas.
    With spend shares among the features, the purchases are not read."""
    customers, _ = _marts()
    n = len(customers)
    ids = customers["customer_id"]
    segment = np.arange(n) % 2 + 1
    rng = np.random.default_rng(5)
    catalog = np.where(segment == 1, rng.integers(3, 7, n), rng.integers(0, 2, n))
    web = rng.integers(1, 6, n)
    purchases = pd.concat([
        pd.DataFrame({"customer_id": ids, "channel": "catalog", "order_count": catalog}),
        pd.DataFrame({"customer_id": ids, "channel": "web", "order_count": web}),
    ])
    purchases = purchases[purchases["order_count"] > 0]  # unused channels have no row
    features = pd.DataFrame({"customer_id": ids, "share_category_wine": 0.5,
                             "share_category_meat": 0.5})
    assignments = pd.DataFrame({"customer_id": ids, "segment_id": segment})
    expected = pd.Series(catalog / (catalog + web)).groupby(segment).mean()
    import duckdb

    con = duckdb.connect()
    frames = pipeline.segment_profiles(customers, features, assignments, purchases)
    relations = pipeline.segment_profiles(
        _relation(customers, con), _relation(features, con), _relation(assignments, con),
        _relation(purchases, con))
    pd.testing.assert_frame_equal(relations, frames, check_dtype=False, rtol=1e-12)
    profile = frames.set_index("segment_id")
    assert (profile["channel_share_basis"] == "purchases").all()
    assert profile["mean_share_channel_catalog"].to_numpy() == pytest.approx(expected.to_numpy())
    assert profile.loc[1, "signature_channel"] == "catalog"
    assert profile.loc[1, "segment_name"].endswith("(catalog)")
    assert "signature channel catalog (purchase share lift" in profile.loc[1, "name_reason"]
    assert profile.loc[2, "top_channel"] == "web"

    spend_shares = features.assign(share_channel_store=0.25, share_channel_app=0.75)
    with_spend = pipeline.segment_profiles(customers, spend_shares, assignments, purchases)
    assert (with_spend["channel_share_basis"] == "spend").all()
    assert "mean_share_channel_catalog" not in with_spend
    without = pipeline.segment_profiles(customers, features, assignments)
    assert without["channel_share_basis"].isna().all() and without["top_channel"].isna().all()


def test_segment_profiles_leave_flagged_outlier_incomes_out_of_the_income_mean():
    """A 666,666 placeholder income flagged as an outlier must not lift its segment's mean
    income (nor the income index behind the segment's name), from DuckDB as from pandas; the
    share of such customers stays in the profile."""
    customers, _ = _marts()
    customers["is_income_outlier"] = False
    features = pd.DataFrame({"customer_id": customers["customer_id"],
                             "share_channel_web": 1.0})
    assignments = pd.DataFrame({"customer_id": customers["customer_id"],
                                "segment_id": np.arange(len(customers)) % 2 + 1})
    segment_1 = assignments["segment_id"].to_numpy() == 1
    planted = customers.copy()
    first = planted.index[segment_1 & planted["annual_income"].notna().to_numpy()][:2]
    planted.loc[first, ["annual_income", "is_income_outlier"]] = [666_666.0, True]
    # the two customers' real incomes are unknown now: the mean is over the others
    expected = customers.loc[segment_1, "annual_income"].drop(first).mean()
    import duckdb

    con = duckdb.connect()
    for source in (planted, _relation(planted, con)):
        features_in = features if source is planted else _relation(features, con)
        assignments_in = assignments if source is planted else _relation(assignments, con)
        profile = pipeline.segment_profiles(source, features_in, assignments_in).set_index(
            "segment_id")
        assert profile.loc[1, "mean_annual_income"] == pytest.approx(expected, rel=1e-9)
        assert profile.loc[1, "mean_is_income_outlier"] == pytest.approx(2 / segment_1.sum())


def test_assignments_scored_in_batches_from_a_relation_equal_the_whole_frame():
    """The dbt model scores customers a batch at a time from a DuckDB relation (memory at
    millions of customers); every row must get what scoring the whole frame gives."""
    features, _ = _features(n=500, seed=3)
    features.loc[::9, "annual_income"] = np.nan  # the model's fill value is used
    features["unused_column"] = 1.0  # not a model feature: never read
    model = pipeline.segment_model(features, pipeline.k_selection(features, k_min=2, k_max=4))
    whole = pipeline.customer_segment_assignments(features, model)
    import duckdb

    con = duckdb.connect()
    shuffled = con.from_df(features.sample(frac=1, random_state=5))  # DuckDB keeps no order
    batched = pipeline.customer_segment_assignments(shuffled, model, batch_rows=37)
    assert whole["segment_id"].nunique() > 1
    pd.testing.assert_frame_equal(batched, whole)
    empty = pipeline.customer_segment_assignments(con.from_df(features.iloc[:0]), model)
    assert empty.empty and list(empty.columns) == list(whole.columns)


def test_sampling_models_from_a_relation_equal_the_whole_frame():
    """k selection, the model and stability read the relation a column (scaler) and a sample
    at a time; each must return exactly what the whole DataFrame gives, whatever order DuckDB
    keeps the rows in, and with NULLs, integer and constant columns among the features."""
    features, _ = _features(n=700, seed=4)
    features.loc[::7, "annual_income"] = np.nan  # the median fills it
    features["children_count"] = np.arange(len(features)) % 3  # an integer column
    features["flat"] = 2.0  # constant: audited out, never scaled
    features["label"] = "x"  # not numeric: never read as a feature
    settings = {"random_state": 0, "fit_sample_size": 300, "metric_sample_size": 200}
    import duckdb

    con = duckdb.connect()
    relation = con.from_df(features.sample(frac=1, random_state=6))
    scaled = pipeline.scaled_features(relation, con)
    whole = pipeline.scaled_features(features, con)  # a DataFrame: the pandas path
    assert scaled.n_rows == len(features)
    assert scaled.scaler["feature_name"].tolist() == [
        "order_count", "total_spend", "annual_income", "children_count"]
    pd.testing.assert_frame_equal(scaled.scaler, whole.scaler)
    np.testing.assert_array_equal(scaled.sample(300, [0, 0]), whole.sample(300, [0, 0]))

    selection = pipeline.k_selection(scaled, k_min=2, k_max=5, **settings)
    pd.testing.assert_frame_equal(selection, pipeline.k_selection(features, k_min=2, k_max=5, **settings))
    pd.testing.assert_frame_equal(pipeline.segment_model(scaled, selection, **settings),
                                  pipeline.segment_model(features, selection, **settings))
    pd.testing.assert_frame_equal(pipeline.segment_stability(scaled, selection, **settings),
                                  pipeline.segment_stability(features, selection, **settings))
    # the sample really is a sample: fewer rows than the population reach pandas
    assert selection["fit_rows"].iloc[0] == 300 and selection["metric_rows"].iloc[0] == 200
    # the whole population when it is smaller than the sample
    np.testing.assert_array_equal(scaled.sample(10_000, [0, 0]), whole.sample(10_000, [0, 0]))

    # integer ids: both paths order them as text ("10" before "9")
    numbered = features.assign(customer_id=np.arange(len(features)) * 7 % 1000)
    np.testing.assert_array_equal(
        pipeline.scaled_features(con.from_df(numbered.sample(frac=1, random_state=8)), con).sample(50, 3),
        pipeline.scaled_features(numbered, con).sample(50, 3),
    )

    duplicated = con.from_df(pd.concat([features, features.iloc[:1]]))
    with pytest.raises(ValueError, match="'customer_id' must be unique"):
        pipeline.scaled_features(duplicated, con)


def test_profile_statistics_do_not_depend_on_row_order():
    """Two builds must give the same profile bit for bit: the DuckDB statistics of the same
    customers in two row orders (and split across threads) are identical."""
    import duckdb

    rng = np.random.default_rng(21)
    n = 300_000
    frame = pd.DataFrame({
        "customer_id": [f"C{i:07d}" for i in range(n)],
        "segment_id": rng.integers(0, 4, n).astype("int64"),
        "total_spend": np.round(rng.lognormal(6, 1.2, n), 2),
        "annual_income": np.round(rng.normal(60_000, 25_000, n), 2),
        "share_category_fish": rng.dirichlet([1, 3], n)[:, 0],
        "campaigns_sent": rng.integers(0, 5, n).astype(float),
    })
    frame["campaigns_accepted"] = np.floor(frame["campaigns_sent"] * rng.uniform(0, 1, n))
    numeric = ["total_spend", "annual_income", "share_category_fish", "campaigns_sent",
               "campaigns_accepted"]
    results = []
    for seed in (1, 2):
        con = duckdb.connect()
        con.execute("set threads = 2")
        con.register("shuffled", frame.sample(frac=1, random_state=seed))
        relation = con.sql("select * from shuffled")
        results.append(pipeline._profile_statistics_duckdb(relation, numeric))
    pd.testing.assert_frame_equal(results[0][0], results[1][0], check_exact=True)
    pd.testing.assert_series_equal(results[0][1], results[1][1], check_exact=True)
    # and the statistics are those of the pandas path
    per_segment, population = seg.profile_statistics(frame[numeric], frame["segment_id"])
    pd.testing.assert_frame_equal(results[0][0][per_segment.columns], per_segment,
                                  check_dtype=False, rtol=1e-12)
    pd.testing.assert_series_equal(results[0][1][population.index], population,
                                   check_dtype=False, check_names=False, rtol=1e-12)


def test_hypothesis_tests_read_the_discounted_order_count_from_relations():
    """discount_frequency (document 003 at customer grain) needs discounted_order_count: the
    relation the dbt model passes gives the same table as the whole frame, and the test runs
    where each customer lists one purchase."""
    customers, orders = _marts()
    customers["order_count"] = np.minimum(customers["order_count"], 1)
    customers["discounted_order_count"] = np.minimum(customers["order_count"],
                                                     np.arange(len(customers)) % 3)
    tests = pipeline.hypothesis_tests(_relation(customers), _relation(orders))
    pd.testing.assert_frame_equal(tests, pipeline.hypothesis_tests(customers, orders))
    assert tests.set_index("test_id").loc["discount_frequency", "status"] == "ran"


def test_hypothesis_tests_read_the_season_category_counts_from_relations():
    """The dbt model passes category_seasonal_demand and category_demand_by_stated_season as
    relations: the seasonal chi-square test gives the same row as from the frames, from
    whichever mart has counts; with neither (or an empty one) it is not run."""
    customers, orders = _marts()
    rng = np.random.default_rng(5)
    seasons, categories = ["winter", "spring", "summer", "autumn"], ["fish", "meat", "wine"]
    cells = [(s, c) for s in seasons for c in categories]
    dated = pd.DataFrame({"season": [s for s, _ in cells], "product_category": [c for _, c in cells],
                          "order_line_count": rng.integers(50, 400, len(cells)),
                          "spend": rng.gamma(2, 100, len(cells))})
    stated = dated.rename(columns={"order_line_count": "purchase_count"})
    empty = stated.iloc[:0]
    for seasonal, stated_seasonal, grain in ((dated, empty, "order line"),
                                             (dated.iloc[:0], stated, "purchase")):
        tests = pipeline.hypothesis_tests(_relation(customers), _relation(orders),
                                          _relation(seasonal), _relation(stated_seasonal))
        pd.testing.assert_frame_equal(
            tests, pipeline.hypothesis_tests(customers, orders, seasonal, stated_seasonal))
        row = tests.set_index("test_id").loc["seasonal_category_demand"]
        assert row["status"] == "ran" and row["grain"] == grain and row["df"] == 6
        assert row["n_a"] == dated["order_line_count"].sum()
    row = pipeline.hypothesis_tests(customers, orders).set_index("test_id").loc[
        "seasonal_category_demand"]
    assert row["status"] == "not_run"


def test_no_customer_to_segment_writes_every_segmentation_table_empty_and_typed():
    """`dbt build --empty` reads segment_features as zero rows: each segmentation model
    writes its table empty with the types of a filled one (a traceback before, "no usable
    feature columns"); two customers are still too few, with a clear error."""
    import duckdb

    con = duckdb.connect()
    features, _ = _features(n=40)
    none = _relation(features, con).limit(0)
    scaled = pipeline.scaled_features(none, con)
    settings = {"k_min": 2, "k_max": 6}
    selection = pipeline.k_selection(scaled, **settings)
    model = pipeline.segment_model(scaled, selection, **settings)
    assignments = pipeline.customer_segment_assignments(none, model)
    stability = pipeline.segment_stability(scaled, selection, **settings)

    filled_selection = pipeline.k_selection(features, **settings)
    filled_model = pipeline.segment_model(features, filled_selection, **settings)
    filled = {
        "segment_k_selection": filled_selection,
        "segment_model": filled_model,
        "customer_segment_assignments": pipeline.customer_segment_assignments(
            features, filled_model),
        "segment_stability": pipeline.segment_stability(features, filled_selection, **settings),
    }
    empty = {"segment_k_selection": selection, "segment_model": model,
             "customer_segment_assignments": assignments, "segment_stability": stability}
    def stored(frame):  # column -> type, as DuckDB (and so dbt) writes the frame
        relation = con.from_df(frame)
        return dict(zip(relation.columns, map(str, relation.types)))

    for name, frame in empty.items():
        assert frame.empty, name
        assert stored(frame) == stored(filled[name]), name

    customers = pd.DataFrame({"customer_id": features["customer_id"], "age": 30.0,
                              "total_spend": 10.0})
    profile = pipeline.segment_profiles(
        _relation(customers, con).limit(0), none, _relation(assignments, con))
    assert profile.empty
    types = stored(profile)
    assert {types[c] for c in seg.PROFILE_TEXT_COLUMNS} == {"VARCHAR"}, types

    with pytest.raises(ValueError, match="too few to segment"):
        pipeline.k_selection(_relation(features, con).limit(2).df(), **settings)
