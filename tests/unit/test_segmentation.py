"""Known-answer tests for customer_behavior.segmentation (fast: small synthetic data)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
import yaml
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler
from tests.conftest import PROJECT_DIR

from customer_behavior import segmentation as seg

# Four well-separated centres (pairwise distance >= 8 with unit std) in 5 dimensions.
CENTERS = np.array(
    [
        [0.0, 0.0, 0.0, 0.0, 0.0],
        [8.0, 0.0, 8.0, 0.0, 0.0],
        [0.0, 8.0, 0.0, 8.0, 0.0],
        [8.0, 8.0, 0.0, 0.0, 8.0],
    ]
)


def blob_frame(n: int = 800, random_state: int = 0, cluster_std: float = 1.0):
    """Planted blobs mapped onto feature names.

    log1p columns get ``expm1(blob + offset)`` so that after the log1p transform they are
    the blob coordinates again; identity columns get affine images of the coordinates.
    """
    x, y = make_blobs(
        n_samples=n, centers=CENTERS, cluster_std=cluster_std, random_state=random_state
    )
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in range(n)],
            "total_spend": np.expm1(x[:, 0] + 6.0),
            "order_count": np.expm1(x[:, 1] / 4 + 2.0),
            "age": 45.0 + 2.0 * x[:, 2],
            "children_count": 3.0 + 0.5 * x[:, 3],
            "share_category_wines": 0.3 + 0.03 * x[:, 4],
        }
    )
    return frame, y


@pytest.fixture(scope="module")
def blobs():
    return blob_frame()


@pytest.fixture(scope="module")
def blob_model(blobs):
    frame, _ = blobs
    return seg.fit_segments(frame, 4)


# --------------------------------------------------------------------------------------
# scaler
# --------------------------------------------------------------------------------------
def test_feature_columns_order_and_drops():
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "share_category_wines": [0.1, 0.2, 0.3, 0.4],
            "age": [30, 40, 50, np.nan],
            "share_channel_web": [0.5, 0.1, 0.2, 0.3],
            "total_spend": [0.0, 10.0, np.nan, 30.0],
            "recency_days": [1, 2, 3, 4],
            "constant": [7.0, 7.0, np.nan, 7.0],
            "all_null": [np.nan] * 4,
            "zz_other": [1, 2, 3, 5],
            "label": ["x", "y", "z", "w"],
        }
    )
    assert seg.feature_columns(frame) == [
        "recency_days",
        "total_spend",
        "age",
        "share_channel_web",
        "share_category_wines",
        "zz_other",
    ]
    audit = seg.feature_audit(frame).set_index("feature_name")
    assert audit.loc["constant", "reason"] == "constant"
    assert audit.loc["all_null", "reason"] == "all_null"
    assert audit.loc["label", "reason"] == "non_numeric"
    assert not audit.loc[["constant", "all_null", "label"], "included"].any()
    assert audit.loc["age", "reason"] == "ok"


def test_fit_scaler_log1p_identity_fill_and_constant_scale():
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "total_spend": [0.0, 10.0, np.nan, 30.0],
            "age": [20.0, np.nan, 40.0, 60.0],
        }
    )
    scaler = seg.fit_scaler(frame).set_index("feature_name")
    assert scaler.loc["total_spend", "transform"] == "log1p"
    assert scaler.loc["age", "transform"] == "identity"
    assert scaler.loc["total_spend", "fill_value"] == 10.0  # median of raw 0, 10, 30
    assert scaler.loc["age", "fill_value"] == 40.0
    spend = np.log1p([0.0, 10.0, 10.0, 30.0])
    assert scaler.loc["total_spend", "mean"] == pytest.approx(spend.mean(), abs=1e-9)
    assert scaler.loc["total_spend", "scale"] == pytest.approx(spend.std(ddof=0), abs=1e-9)
    age = np.array([20.0, 40.0, 40.0, 60.0])
    assert scaler.loc["age", "scale"] == pytest.approx(age.std(ddof=0), abs=1e-9)
    assert list(scaler["feature_order"]) == [1, 2]
    assert scaler.index.tolist() == ["total_spend", "age"]

    # explicitly requested constant column: scale 1.0 instead of a division by zero
    frame["flat"] = 5.0
    flat = seg.fit_scaler(frame, ["flat", "age"]).set_index("feature_name")
    assert flat.loc["flat", "scale"] == 1.0
    assert flat.loc["flat", "feature_order"] == 1
    np.testing.assert_allclose(seg.transform(frame, flat.reset_index())[:, 0], np.zeros(4), atol=0)


def test_negative_values_are_not_log_transformed():
    frame = pd.DataFrame({"customer_id": list("abc"), "total_spend": [-5.0, 1.0, 3.0]})
    assert seg.fit_scaler(frame)["transform"].tolist() == ["identity"]


def test_transform_matches_standard_scaler(blobs):
    frame, _ = blobs
    frame = frame.copy()
    frame.loc[::7, "total_spend"] = np.nan
    frame.loc[::5, "age"] = np.nan
    scaler = seg.fit_scaler(frame)
    got = seg.transform(frame, scaler)

    manual = pd.DataFrame(index=frame.index)
    for col in scaler["feature_name"]:
        raw = frame[col]
        filled = raw.fillna(raw.median())
        manual[col] = np.log1p(filled) if col in seg.LOG1P_COLUMNS else filled
    expected = StandardScaler().fit_transform(manual.to_numpy())
    np.testing.assert_allclose(got, expected, atol=1e-8)
    assert scaler.set_index("feature_name").loc["order_count", "transform"] == "log1p"


# --------------------------------------------------------------------------------------
# choosing k
# --------------------------------------------------------------------------------------
def test_select_k_picks_planted_four(blobs):
    frame, _ = blobs
    selection = seg.select_k(frame, n_init=4)
    assert selection["k"].tolist() == list(range(2, 9))
    assert selection["is_chosen"].sum() == 1
    assert int(selection.loc[selection["is_chosen"], "k"].iloc[0]) == 4
    assert seg.choose_k(selection) == 4
    assert (selection["fit_rows"] == len(frame)).all()


def test_choose_k_rule_rank_vote_and_ties():
    table = pd.DataFrame(
        {
            "k": [2, 3, 4],
            # silhouette prefers 2, the other two indices prefer 3 -> rank sums 5, 4, 9
            "silhouette": [0.60, 0.55, 0.20],
            "calinski_harabasz": [100.0, 300.0, 50.0],
            "davies_bouldin": [0.9, 0.5, 1.5],
        }
    )
    assert seg.choose_k(table) == 3
    # complete tie on every index -> smaller k
    tie = pd.DataFrame(
        {
            "k": [5, 3],
            "silhouette": [0.5, 0.5],
            "calinski_harabasz": [1.0, 1.0],
            "davies_bouldin": [1.0, 1.0],
        }
    )
    assert seg.choose_k(tie) == 3
    # NaN indices are ranked worst
    nan = table.assign(
        silhouette=[np.nan, 0.1, 0.2],
        calinski_harabasz=[np.nan, 1.0, 2.0],
        davies_bouldin=[np.nan, 2.0, 1.0],
    )
    assert seg.choose_k(nan) == 4


def test_select_k_metrics_only_on_metric_sample(blobs, monkeypatch):
    frame, _ = blobs
    seen: list[int] = []
    real = seg.silhouette_score

    def spy(x, labels, **kwargs):
        seen.append(len(x))
        return real(x, labels, **kwargs)

    monkeypatch.setattr(seg, "silhouette_score", spy)
    selection = seg.select_k(
        frame, range(2, 6), metric_sample_size=150, fit_sample_size=500, n_init=3
    )
    assert seen and max(seen) == 150
    assert (selection["metric_rows"] == 150).all()
    assert (selection["fit_rows"] == 500).all()
    assert selection["silhouette"].notna().all()


# --------------------------------------------------------------------------------------
# fitting, relabelling, assignment
# --------------------------------------------------------------------------------------
def test_fit_segments_recovers_blobs(blobs, blob_model):
    frame, truth = blobs
    assigned = seg.assign_segments(frame, blob_model)
    assert adjusted_rand_score(truth, assigned["segment_id"]) > 0.95
    assert list(blob_model.columns) == seg.MODEL_COLUMNS
    assert len(blob_model) == 4 * 5
    assert set(blob_model["segment_id"]) == {1, 2, 3, 4}
    assert (blob_model["k"] == 4).all() and (blob_model["fit_rows"] == len(frame)).all()


def test_segment_ids_ordered_by_descending_centroid_spend(blob_model):
    spend = (
        blob_model[blob_model["feature_name"] == "total_spend"]
        .set_index("segment_id")["centroid_original"]
        .sort_index()
    )
    assert spend.is_monotonic_decreasing and spend.is_unique
    # the planted centres have x0 = 0 or 8 -> log1p(spend) ~ 6 or 14
    np.testing.assert_allclose(np.log1p(spend.to_numpy()), [14, 14, 6, 6], atol=0.3)


def test_centroid_original_is_inverse_transform(blob_model):
    m = blob_model
    back = m["centroid_scaled"] * m["scale"] + m["mean"]
    back = np.where(m["transform"] == "log1p", np.expm1(back), back)
    np.testing.assert_allclose(m["centroid_original"], back, rtol=1e-9)


def test_permuted_rows_give_same_segments(blobs, blob_model):
    frame, _ = blobs
    shuffled = frame.sample(frac=1.0, random_state=42).reset_index(drop=True)
    model2 = seg.fit_segments(shuffled, 4)
    pdt.assert_frame_equal(blob_model, model2)
    a1 = seg.assign_segments(frame, blob_model).set_index("customer_id")
    a2 = seg.assign_segments(shuffled, model2).set_index("customer_id")
    pdt.assert_series_equal(a1["segment_id"], a2.loc[a1.index, "segment_id"])


def test_permuted_rows_give_same_model_on_sample_path():
    """With n > fit_sample_size the sample must not depend on the input row order."""
    frame, _ = blob_frame(n=900, random_state=5, cluster_std=2.5)
    shuffled = frame.sample(frac=1.0, random_state=1).reset_index(drop=True)
    m1 = seg.fit_segments(frame, 4, fit_sample_size=200, n_init=2)
    m2 = seg.fit_segments(shuffled, 4, fit_sample_size=200, n_init=2)
    pdt.assert_frame_equal(m1, m2)


def test_assign_ties_go_to_smaller_segment_id():
    frame = pd.DataFrame({"customer_id": ["a", "b"], "age": [1.0, 5.0]})
    scaler = seg.fit_scaler(frame)  # mean 3, scale 2 -> scaled a = -1, b = +1
    rows = []
    for segment_id, centroid in ((1, 3.0), (2, 0.0), (3, 0.0), (4, -3.0)):
        rows.append(scaler.assign(segment_id=segment_id, centroid_scaled=centroid))
    model = pd.concat(rows, ignore_index=True)
    model["centroid_original"] = model["centroid_scaled"] * 2 + 3
    got = seg.assign_segments(frame, model)
    # a (-1) and b (+1) are both at distance 1 from segments 2 and 3 -> 2 wins
    assert got["segment_id"].tolist() == [2, 2]
    assert got["distance"].tolist() == [1.0, 1.0]
    assert got["second_distance"].tolist() == [1.0, 1.0]


def test_fit_segments_without_total_spend_orders_by_first_feature(blobs):
    frame, _ = blobs
    model = seg.fit_segments(frame.drop(columns="total_spend"), 3, n_init=3)
    first = model[model["feature_order"] == 1].set_index("segment_id")["centroid_original"]
    assert model.loc[model["feature_order"] == 1, "feature_name"].iloc[0] == "order_count"
    assert first.sort_index().is_monotonic_decreasing


def test_deterministic_outputs(blobs, blob_model):
    frame, _ = blobs
    pdt.assert_frame_equal(blob_model, seg.fit_segments(frame, 4))
    pdt.assert_frame_equal(
        seg.assign_segments(frame, blob_model), seg.assign_segments(frame, blob_model)
    )
    pdt.assert_frame_equal(
        seg.select_k(frame, range(3, 5), n_init=2), seg.select_k(frame, range(3, 5), n_init=2)
    )


def test_assign_equals_kmeans_labels_after_relabel(blobs, blob_model):
    frame, _ = blobs
    # refit the same KMeans outside the module: rows sorted by id, same scaler, same params
    ordered = frame.sort_values("customer_id").reset_index(drop=True)
    x = seg.transform(ordered, seg.fit_scaler(ordered))
    km = KMeans(n_clusters=4, n_init=10, random_state=0).fit(x)
    wide = blob_model.pivot(index="segment_id", columns="feature_order", values="centroid_scaled")
    gaps = ((km.cluster_centers_[:, None, :] - wide.to_numpy()[None, :, :]) ** 2).sum(-1)
    mapping = wide.index.to_numpy()[gaps.argmin(axis=1)]
    assert gaps.min(axis=1).max() < 1e-12 and len(set(mapping)) == 4
    assigned = seg.assign_segments(ordered, blob_model)
    np.testing.assert_array_equal(assigned["segment_id"].to_numpy(), mapping[km.labels_])


def _sql_rule(frame: pd.DataFrame, model: pd.DataFrame) -> pd.DataFrame:
    """Independent re-implementation of the SQL assignment from the long model table."""
    d2: dict[int, np.ndarray] = {}
    for row in model.itertuples(index=False):
        raw = frame[row.feature_name].astype(float).fillna(row.fill_value).to_numpy()
        value = np.log(1.0 + raw) if row.transform == "log1p" else raw
        term = ((value - row.mean) / row.scale - row.centroid_scaled) ** 2
        d2[row.segment_id] = d2.get(row.segment_id, 0.0) + term
    ids = sorted(d2)
    mat = np.column_stack([d2[i] for i in ids])
    best = mat.argmin(axis=1)
    return pd.DataFrame({"segment_id": np.array(ids)[best], "distance": np.sqrt(mat.min(axis=1))})


def test_assign_matches_independent_sql_rule(blobs, blob_model):
    frame, _ = blobs
    frame = frame.copy()
    frame.loc[::9, "age"] = np.nan  # exercise coalesce(x, fill_value)
    got = seg.assign_segments(frame, blob_model)
    want = _sql_rule(frame, blob_model)
    np.testing.assert_array_equal(got["segment_id"].to_numpy(), want["segment_id"].to_numpy())
    np.testing.assert_allclose(got["distance"], want["distance"], atol=1e-8)
    assert (got["second_distance"] >= got["distance"]).all()
    assert got["customer_id"].tolist() == frame["customer_id"].tolist()


def test_large_n_uses_fit_sample_and_assigns_everyone():
    frame, truth = blob_frame(n=1500, random_state=3)
    model = seg.fit_segments(frame, 4, fit_sample_size=300, n_init=3)
    assert (model["fit_rows"] == 300).all()
    assigned = seg.assign_segments(frame, model)
    assert len(assigned) == 1500 and assigned["segment_id"].notna().all()
    assert adjusted_rand_score(truth, assigned["segment_id"]) > 0.95
    full = seg.fit_segments(frame, 4, n_init=3)
    assert (full["fit_rows"] == 1500).all()
    assert not full["centroid_scaled"].equals(model["centroid_scaled"])


# --------------------------------------------------------------------------------------
# stability
# --------------------------------------------------------------------------------------
def test_stability_high_on_blobs_lower_on_noise(blobs):
    frame, _ = blobs
    stable = seg.segment_stability(frame, 4, random_states=(1, 2, 3), n_init=3)
    assert len(stable) == 6
    assert set(stable["method"]) == {"random_state", "bootstrap"}
    assert stable["run_id"].tolist() == list(range(1, 7))
    assert (stable["rows"] == len(frame)).all()
    assert stable["adjusted_rand_index"].min() > 0.98

    rng = np.random.default_rng(0)
    noise = pd.DataFrame(
        rng.uniform(size=(600, 4)),
        columns=["age", "children_count", "share_channel_web", "share_category_wines"],
    )
    noise.insert(0, "customer_id", [f"N{i:04d}" for i in range(600)])
    unstable = seg.segment_stability(noise, 4, random_states=(1, 2, 3), n_init=3)
    by_method = unstable.groupby("method")["adjusted_rand_index"]
    assert by_method.mean()["bootstrap"] < 0.7
    assert by_method.mean()["random_state"] < 0.85
    assert unstable["adjusted_rand_index"].mean() < stable["adjusted_rand_index"].mean() - 0.3

    small = seg.segment_stability(frame, 4, random_states=(1,), sample_size=200, n_init=2)
    assert (small["rows"] == 200).all()


# --------------------------------------------------------------------------------------
# profiling and naming
# --------------------------------------------------------------------------------------
def _customers() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Three crafted groups: affluent older wine/catalog, budget families on web, new loyal."""
    rows = []
    groups = {
        1: {
            "n": 30,
            "total_spend": 1500,
            "order_count": 20,
            "annual_income": 80_000,
            "age": 62,
            "children_count": 0,
            "recency_days": 40,
            "is_loyalty_member": False,
            "campaigns_accepted": 1,
            "campaigns_sent": 5,
            "wines": 0.7,
            "meat": 0.2,
            "sweets": 0.1,
            "web": 0.2,
            "catalog": 0.5,
            "store": 0.3,
        },
        2: {
            "n": 50,
            "total_spend": 150,
            "order_count": 6,
            "annual_income": 35_000,
            "age": 44,
            "children_count": 3,
            "recency_days": 50,
            "is_loyalty_member": False,
            "campaigns_accepted": 0,
            "campaigns_sent": 5,
            "wines": 0.3,
            "meat": 0.3,
            "sweets": 0.4,
            "web": 0.7,
            "catalog": 0.05,
            "store": 0.25,
        },
        3: {
            "n": 20,
            "total_spend": 400,
            "order_count": 2,
            "annual_income": 55_000,
            "age": 40,
            "children_count": 1,
            "recency_days": 5,
            "is_loyalty_member": True,
            "campaigns_accepted": 3,
            "campaigns_sent": 5,
            "wines": 0.4,
            "meat": 0.4,
            "sweets": 0.2,
            "web": 0.3,
            "catalog": 0.1,
            "store": 0.6,
        },
    }
    i = 0
    for segment_id, g in groups.items():
        for _ in range(g["n"]):
            rows.append(
                {
                    "customer_id": f"K{i:04d}",
                    "segment_id": segment_id,
                    **{
                        k: v
                        for k, v in g.items()
                        if k not in {"n", "wines", "meat", "sweets", "web", "catalog", "store"}
                    },
                    "share_category_wines": g["wines"],
                    "share_category_meat": g["meat"],
                    "share_category_sweets": g["sweets"],
                    "share_channel_web": g["web"],
                    "share_channel_catalog": g["catalog"],
                    "share_channel_store": g["store"],
                }
            )
            i += 1
    frame = pd.DataFrame(rows)
    return frame.drop(columns="segment_id"), frame[["customer_id", "segment_id"]]


def test_profile_segments_numbers():
    customers, assignments = _customers()
    profile = seg.profile_segments(customers, assignments).set_index("segment_id")
    assert profile["customer_count"].tolist() == [30, 50, 20]
    assert profile["customer_share"].sum() == pytest.approx(1.0)
    revenue = np.array([30 * 1500, 50 * 150, 20 * 400], dtype=float)
    np.testing.assert_allclose(profile["revenue_share"], revenue / revenue.sum())
    assert profile.loc[1, "mean_annual_income"] == 80_000
    assert profile.loc[1, "top_category"] == "wines"
    assert profile.loc[1, "top_category_share"] == pytest.approx(0.7)
    assert profile.loc[2, "top_channel"] == "web"
    assert profile.loc[3, "campaign_response_rate"] == pytest.approx(0.6)
    pop_spend = revenue.sum() / 100
    assert profile.loc[1, "spend_index"] == pytest.approx(1500 / pop_spend)
    assert profile.loc[3, "loyalty_index"] == pytest.approx(1 / 0.2)
    children = np.repeat([0.0, 3.0, 1.0], [30, 50, 20])
    assert profile.loc[2, "children_z"] == pytest.approx((3.0 - 1.7) / children.std(ddof=0))
    assert profile.loc[1, "income_z"] > 1.0
    assert profile.loc[3, "response_index"] == pytest.approx(0.6 / 0.18)


def test_name_segments_from_profile():
    customers, assignments = _customers()
    named = seg.name_segments(seg.profile_segments(customers, assignments)).set_index("segment_id")
    affluent = named.loc[1, "segment_name"].lower()
    assert "affluent" in affluent and "wine" in affluent
    assert "catalog" in named.loc[1, "recommendation"].lower()
    assert "premium" in named.loc[1, "recommendation"].lower()

    family = named.loc[2, "segment_name"].lower()
    assert "famil" in family and "web" in family and "budget" in family
    assert "web" in named.loc[2, "recommendation"].lower()
    assert "voucher" in named.loc[2, "recommendation"].lower()

    new = named.loc[3, "segment_name"]
    assert new.startswith("New loyal customers")
    assert "onboard" in named.loc[3, "recommendation"].lower()
    assert "store" in named.loc[3, "recommendation"].lower()
    assert "lifecycle new" in named.loc[3, "name_reason"]

    assert named["segment_name"].is_unique
    assert named["recommendation"].str.len().gt(20).all()
    assert named["name_reason"].str.contains("spend").all()


def _crafted_profile(**columns) -> pd.DataFrame:
    """Three segments, only means + counts: affluent older, budget families, young low
    spenders; ``columns`` adds or replaces columns."""
    return pd.DataFrame(
        {
            "segment_id": [1, 2, 3],
            "customer_count": [300, 400, 300],
            "mean_total_spend": [1500.0, 150.0, 200.0],
            "mean_annual_income": [80_000.0, 35_000.0, 50_000.0],
            "mean_age": [60.0, 45.0, 30.0],
            "mean_children_count": [0.2, 2.0, 0.8],
            **columns,
        }
    )


def test_names_and_facts_are_text_columns_even_when_no_segment_has_one():
    """A profile without category or channel shares and without recency (no dates) has no
    signature category or channel and no lifecycle in any segment: those columns are
    still text, so DuckDB writes them as VARCHAR, not INTEGER."""
    import duckdb

    named = seg.name_segments(_crafted_profile())
    text = ["signature_category", "signature_channel", "lifecycle", "segment_name",
            "recommendation", "name_reason"]
    assert named[text[:3]].isna().all().all()
    relation = duckdb.sql("select * from named")
    types = dict(zip(relation.columns, (str(t) for t in relation.types), strict=True))
    assert {c: types[c] for c in text} == dict.fromkeys(text, "VARCHAR")


def test_name_segments_crafted_profile_without_indices():
    """A hand-made profile (only means + counts): indices are derived from the means."""
    profile = _crafted_profile(
        mean_share_category_wines=[0.7, 0.3, 0.4],
        mean_share_category_meat=[0.2, 0.4, 0.4],
        mean_share_channel_web=[0.3, 0.6, 0.3],
        mean_share_channel_catalog=[0.4, 0.05, 0.2],
        mean_share_channel_store=[0.3, 0.35, 0.5],
    )
    named = seg.name_segments(profile).set_index("segment_id")
    assert named.loc[1, "segment_name"] == "Affluent wine lovers (catalog)"
    assert named.loc[2, "segment_name"] == "Budget families (web)"
    assert named.loc[3, "segment_name"] == "Young low spenders (store)"
    assert named.loc[1, "value_tier"] == "affluent" and named.loc[1, "life_stage"] == "older"
    assert named.loc[2, "household"] == "families"
    assert named.loc[2, "signature_channel"] == "web"
    # the names follow the numbers: make segment 3 the big spender and names change
    flipped = profile.assign(mean_total_spend=[150.0, 200.0, 1500.0])
    renamed = seg.name_segments(flipped).set_index("segment_id")
    assert "affluent" not in renamed.loc[1, "segment_name"].lower()
    assert "low spenders" not in renamed.loc[3, "segment_name"].lower()


@pytest.mark.parametrize(
    ("frequency", "lapsed"),
    [
        (6.0, True),  # usual gap ~61 days: 300 days without an order is five gaps missed
        (1.0, False),  # usual gap ~365 days: 300 days is within it, a rare buyer
        (None, True),  # no frequency in the profile: recency alone decides
    ],
)
def test_lapsed_means_overdue_for_the_segments_own_rhythm(frequency, lapsed):
    """Segment 3 has by far the longest time since its last order (recency index ~2.5).
    It is lapsed only if that is at least two of its usual gaps between orders."""
    profile = _crafted_profile(mean_recency_days=[40.0, 50.0, 300.0])
    if frequency is not None:
        profile["mean_purchase_frequency_per_year"] = [8.0, 6.0, frequency]
    named = seg.name_segments(profile).set_index("segment_id")
    assert (named.loc[3, "lifecycle"] == "lapsed") is lapsed
    assert named.loc[3, "segment_name"].startswith("Lapsed") is lapsed
    assert ("win-back" in named.loc[3, "recommendation"].lower()) is lapsed
    assert named.loc[[1, 2], "lifecycle"].isna().all()


@pytest.mark.parametrize(
    ("repeat_share", "one_time"),
    [
        (0.29, True),  # CDNOW's low spenders: 28.6 % bought more than once
        (0.46, False),  # Diwali's smallest segment: about half bought again, not "one-time"
        (0.97, False),  # the demo's segments: 96-100 %
    ],
)
def test_one_time_buyers_are_named_for_it(repeat_share, one_time):
    """Segment 3 is not overdue (recency index ~1) but most of its customers bought once:
    it is named for that and offered a second purchase, not a basket-size voucher."""
    profile = _crafted_profile(mean_is_repeat_customer=[0.98, 0.95, repeat_share],
                               mean_recency_days=[100.0, 100.0, 100.0],
                               mean_share_channel_web=[0.3, 0.6, 0.3],
                               mean_share_channel_store=[0.7, 0.4, 0.7])
    named = seg.name_segments(profile).set_index("segment_id")
    assert (named.loc[3, "lifecycle"] == "one-time") is one_time
    assert named.loc[3, "segment_name"].startswith("One-time buyers") is one_time
    recommendation = named.loc[3, "recommendation"]
    assert recommendation.startswith("Second-purchase offer via") is one_time
    assert ("lifecycle one-time (29.0 % of its customers bought more than once)"
            in named.loc[3, "name_reason"]) is one_time
    assert named.loc[[1, 2], "lifecycle"].isna().all()
    # an affluent one-time segment keeps its value tier in the name
    if one_time:
        rich = profile.assign(mean_is_repeat_customer=[0.3, 0.95, 0.97])
        assert seg.name_segments(rich).set_index("segment_id").loc[1, "segment_name"].startswith(
            "One-time high spenders")


def test_name_segments_resolves_collisions():
    profile = pd.DataFrame(
        {
            "segment_id": [1, 2, 3, 4],
            "customer_count": [100, 100, 100, 100],
            "mean_total_spend": [100.0, 100.0, 1000.0, 1000.0],
            "mean_annual_income": [30_000.0, 30_000.0, 70_000.0, 70_000.0],
            "mean_age": [30.0, 60.0, 45.0, 45.0],
            "mean_children_count": [1.0, 1.0, 1.0, 1.0],
        }
    )
    named = seg.name_segments(profile).set_index("segment_id")
    assert named["segment_name"].is_unique
    assert named.loc[1, "segment_name"].startswith("Young budget shoppers")
    assert named.loc[2, "segment_name"].startswith("Older budget shoppers")
    # 3 and 4 are indistinguishable -> the last resort adds the segment id
    assert named.loc[3, "segment_name"].endswith("segment 3")
    assert named.loc[4, "segment_name"].endswith("segment 4")
    # no channel in the data: the recommendations name none (no "via ..." guess)
    assert not named["recommendation"].str.contains(" via |channel").any()
    assert named.loc[1, "recommendation"].startswith(
        "Entry-price offers and discount vouchers to grow basket size")


def test_segments_no_fact_tells_apart_are_named_by_which_spends_more():
    """Document 000's data gave "Young budget shoppers – segment 4" and "– segment 5": the
    same facts, spend 0.60x and 0.40x. The spend order names them instead; three such
    segments get their rank; equal spend keeps the id (the test above)."""
    profile = pd.DataFrame(
        {
            "segment_id": [1, 2, 3, 4],
            "customer_count": [100, 100, 100, 100],
            "mean_total_spend": [100.0, 100.0, 1000.0, 1200.0],
            "mean_annual_income": [30_000.0, 30_000.0, 70_000.0, 70_000.0],
            "mean_age": [30.0, 60.0, 45.0, 45.0],
            "mean_children_count": [1.0, 1.0, 1.0, 1.0],
        }
    )
    named = seg.name_segments(profile).set_index("segment_id")
    base = named.loc[3, "segment_name"].rsplit(" – ", 1)[0]
    assert named.loc[3, "segment_name"] == f"{base} – lower spend"
    assert named.loc[4, "segment_name"] == f"{base} – higher spend"
    assert named.loc[1, "segment_name"].startswith("Young budget shoppers")
    three = pd.concat([profile, profile.iloc[[3]].assign(segment_id=5, mean_total_spend=1100.0)])
    named = seg.name_segments(three).set_index("segment_id")
    assert [named.loc[i, "segment_name"].rsplit(" – ", 1)[1] for i in (4, 5, 3)] == [
        "spend rank 1 of 3", "spend rank 2 of 3", "spend rank 3 of 3"]


def test_profile_description_names_the_column_behind_every_index():
    """segment_profiles' <key>_index / <key>_z columns are commented by pattern and point to
    the model description for the column behind each key: it must list KEY_METRICS."""
    models = yaml.safe_load((PROJECT_DIR / "models/segments/_segments__models.yml").read_text())
    description = next(m for m in models["models"] if m["name"] == "segment_profiles")[
        "description"
    ]
    measures = description.split("the measures:")[1].split(")")[0]
    listed = dict(re.findall(r"(\w+) = (\w+)", measures))
    assert listed == {**seg.KEY_METRICS, "response": "campaign_response_rate"}


@pytest.mark.parametrize(("repeat", "nudge"), [(True, "next milestone order"),
                                               (False, "second-purchase incentive")])
def test_new_segment_recommendation_follows_its_repeat_share(repeat, nudge):
    """A new segment whose customers have mostly bought twice already is not offered a
    second-purchase incentive."""
    customers, assignments = _customers()
    customers["is_repeat_customer"] = repeat
    named = seg.name_segments(seg.profile_segments(customers, assignments)).set_index("segment_id")
    assert named.loc[3, "lifecycle"] == "new"
    assert nudge in named.loc[3, "recommendation"]
