"""Customer segmentation: a transparent scaler + KMeans, stored as data.

The dbt Python models that build the ``segments`` tables are thin wrappers around the
functions in this module.  Everything a SQL model needs to reproduce a customer's segment
is returned as an ordinary table, so the assignment rule can be re-implemented in SQL:

Scaling (per feature, fully described by the rows of :func:`fit_scaler`)::

    x' = (transform(coalesce(x, fill_value)) - mean) / scale

* ``transform`` is ``'log1p'`` for the skewed money/count columns (``total_spend``,
  ``avg_order_value``, ``annual_income``, ``order_count``, ``recency_days``) when the column
  has no negative values, and ``'identity'`` for everything else.
* ``fill_value`` is the median of the raw (untransformed) non-null values.
* ``mean`` and ``scale`` are the mean and population standard deviation (``ddof=0``, as
  :class:`sklearn.preprocessing.StandardScaler`) of the transformed, filled column;
  ``scale`` is 1.0 when that standard deviation is 0.

Assignment (the rule :func:`assign_segments` implements and the SQL must copy)::

    segment_id = argmin over segments of  sum_features (x' - centroid_scaled)^2
                 (ties -> the smallest segment_id)
    distance   = sqrt(that minimum)

In SQL, against the long model table ``m`` returned by :func:`fit_segments` and a long
(unpivoted) feature table ``f(customer_id, feature_name, value)``::

    with scaled as (
        select f.customer_id, m.segment_id,
               power((case when m.transform = 'log1p'
                           then ln(1 + coalesce(f.value, m.fill_value))
                           else coalesce(f.value, m.fill_value) end
                      - m.mean) / m.scale - m.centroid_scaled, 2) as sq
        from f join m using (feature_name)
    ), d as (
        select customer_id, segment_id, sum(sq) as d2 from scaled group by all
    )
    select customer_id, segment_id, sqrt(d2) as distance
    from d
    qualify row_number() over (partition by customer_id order by d2, segment_id) = 1

Feature columns are chosen by :func:`feature_columns` (all numeric columns except
``customer_id``; entirely-null and constant columns are dropped, and
:func:`feature_audit` records why).

Determinism: every random choice uses an explicit ``random_state``; input rows are sorted
by ``customer_id`` before fitting, so permuting the input rows does not change the model;
floats in returned tables are rounded to 10 decimals.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)

__all__ = [
    "CHOOSE_K_RULE",
    "DEFAULT_K_RANGE",
    "KNOWN_FEATURE_ORDER",
    "LOG1P_COLUMNS",
    "NAMING_THRESHOLDS",
    "ScaledFeatures",
    "assign_segments",
    "choose_k",
    "feature_audit",
    "feature_columns",
    "fit_scaler",
    "fit_segments",
    "name_segments",
    "ordered_columns",
    "profile_from_statistics",
    "profile_segments",
    "profile_statistics",
    "segment_stability",
    "select_k",
    "transform",
]

DEFAULT_K_RANGE = range(2, 9)

#: Skewed money/count columns that are log1p-transformed (when they have no negative values).
LOG1P_COLUMNS: tuple[str, ...] = (
    "total_spend",
    "avg_order_value",
    "annual_income",
    "order_count",
    "recency_days",
)

#: Known feature columns, in the order they appear in the feature set.  After them come the
#: ``share_channel_*`` columns (sorted by name), the ``share_category_*`` columns (sorted), and
#: then any other numeric column (sorted by name).
KNOWN_FEATURE_ORDER: tuple[str, ...] = (
    "recency_days",
    "order_count",
    "total_spend",
    "avg_order_value",
    "annual_income",
    "age",
    "children_count",
)

ID_COLUMN = "customer_id"
SEGMENT_COLUMN = "segment_id"
CHANNEL_PREFIX = "share_channel_"
CATEGORY_PREFIX = "share_category_"
ROUND_DECIMALS = 10

SCALER_COLUMNS = ["feature_name", "feature_order", "transform", "fill_value", "mean", "scale"]
MODEL_COLUMNS = [
    "segment_id",
    "feature_name",
    "feature_order",
    "transform",
    "fill_value",
    "mean",
    "scale",
    "centroid_scaled",
    "centroid_original",
    "k",
    "random_state",
    "fit_rows",
]


# --------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------
def _as_float(series: pd.Series) -> np.ndarray:
    """A numeric/boolean (possibly nullable) column as a float64 array with NaN for NULL."""
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_extension_array_dtype(series):
        return series.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _round_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Round every float column to ``ROUND_DECIMALS`` (determinism of returned tables)."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].astype("float64").round(ROUND_DECIMALS)
    return out


def _is_numeric_feature(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)


def _sorted_by_id(features: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by ``customer_id`` (stable); validates uniqueness of the id."""
    if ID_COLUMN not in features.columns:
        raise KeyError(f"features must have a '{ID_COLUMN}' column")
    ids = features[ID_COLUMN].astype(str)
    if ids.duplicated().any():
        dupes = ids[ids.duplicated()].unique()[:5].tolist()
        raise ValueError(f"'{ID_COLUMN}' must be unique; duplicated e.g. {dupes}")
    order = np.argsort(ids.to_numpy(dtype=object), kind="stable")
    return features.iloc[order].reset_index(drop=True)


def _sample_positions(n: int, size: int, seed: Sequence[int] | int) -> np.ndarray:
    """Sorted positions of a uniform sample (without replacement) of ``size`` of ``n`` rows."""
    if size <= 0:
        raise ValueError("sample size must be positive")
    if n <= size:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, size=size, replace=False))


def _kmeans(k: int, random_state: int, n_init: int) -> KMeans:
    return KMeans(n_clusters=k, n_init=n_init, random_state=random_state, algorithm="lloyd")


# --------------------------------------------------------------------------------------
# features and scaler
# --------------------------------------------------------------------------------------
def ordered_columns(columns: Iterable[str]) -> list[str]:
    """Columns other than the id in the feature-set order (see ``KNOWN_FEATURE_ORDER``)."""
    cols = [c for c in columns if c != ID_COLUMN]
    known = [c for c in KNOWN_FEATURE_ORDER if c in cols]
    channel = sorted(c for c in cols if c.startswith(CHANNEL_PREFIX))
    category = sorted(c for c in cols if c.startswith(CATEGORY_PREFIX))
    used = set(known) | set(channel) | set(category)
    other = sorted(c for c in cols if c not in used)
    return known + channel + category + other


def feature_audit(features: pd.DataFrame) -> pd.DataFrame:
    """Why each column of ``features`` is (or is not) a segmentation feature.

    Returns one row per column other than ``customer_id``, in the stable feature order of
    :func:`feature_columns`: ``feature_name``, ``included`` (bool), ``reason``
    (``'ok'`` | ``'all_null'`` | ``'constant'`` | ``'non_numeric'``), ``non_null_rows``,
    ``min_value``, ``max_value``.
    """
    rows = []
    for col in ordered_columns(features.columns):
        series = features[col]
        if _is_numeric_feature(series):
            rows.append(_audit_row(col, _as_float(series)))
        else:
            rows.append(_non_numeric_audit_row(col, int(series.notna().sum())))
    return _audit_frame(rows)


def _audit_row(col: str, values: np.ndarray) -> tuple:
    """One :func:`feature_audit` row for a numeric column given as float64 (NaN = NULL)."""
    finite = values[~np.isnan(values)]
    if finite.size == 0:
        return (col, False, "all_null", 0, np.nan, np.nan)
    lo, hi = float(finite.min()), float(finite.max())
    reason = "constant" if lo == hi else "ok"
    return (col, reason == "ok", reason, int(finite.size), lo, hi)


def _non_numeric_audit_row(col: str, non_null_rows: int) -> tuple:
    return (col, False, "non_numeric", non_null_rows, np.nan, np.nan)


def _audit_frame(rows: list[tuple]) -> pd.DataFrame:
    audit = pd.DataFrame(
        rows,
        columns=["feature_name", "included", "reason", "non_null_rows", "min_value", "max_value"],
    )
    audit["included"] = audit["included"].astype(bool)
    audit["non_null_rows"] = audit["non_null_rows"].astype("int64")
    return _round_frame(audit)


def feature_columns(features: pd.DataFrame) -> list[str]:
    """Numeric feature columns of ``features`` in a stable order.

    Order: the known columns in :data:`KNOWN_FEATURE_ORDER` order (``recency_days``,
    ``order_count``, ``total_spend``, ``avg_order_value``, ``annual_income``, ``age``,
    ``children_count``), then ``share_channel_*`` sorted by name, then ``share_category_*``
    sorted by name, then any other numeric column sorted by name.  ``customer_id`` and
    non-numeric columns are excluded; columns that are entirely null or constant (a single
    distinct non-null value) are dropped — :func:`feature_audit` records the reason.
    """
    audit = feature_audit(features)
    return audit.loc[audit["included"], "feature_name"].tolist()


def fit_scaler(features: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """Fit the per-feature scaling described in the module docstring.

    Parameters
    ----------
    features:
        One row per customer; numeric feature columns (NULLs allowed).
    columns:
        Feature columns to use, in this order.  Defaults to :func:`feature_columns`.

    Returns
    -------
    pandas.DataFrame
        One row per feature: ``feature_name``, ``feature_order`` (1..p), ``transform``
        (``'log1p'`` | ``'identity'``), ``fill_value`` (median of the raw column), ``mean``
        and ``scale`` (mean and population std of the transformed, filled column; scale 1.0
        when the std is 0).  Floats are rounded to 10 decimals and :func:`transform` uses
        the rounded values, exactly like SQL reading the stored table.
    """
    if columns is None:
        columns = feature_columns(features)
    if not columns:
        raise ValueError("no usable feature columns (all missing, null or constant)")
    missing = [c for c in columns if c not in features.columns]
    if missing:
        raise KeyError(f"feature columns not in features: {missing}")
    rows = [
        _scaler_row(col, order, _as_float(features[col]))
        for order, col in enumerate(columns, start=1)
    ]
    return _scaler_frame(rows)


def _scaler_row(col: str, order: int, raw: np.ndarray) -> tuple:
    """One :func:`fit_scaler` row from the whole column as float64 (NaN = NULL)."""
    observed = raw[~np.isnan(raw)]
    if observed.size == 0:
        raise ValueError(f"feature column {col!r} is entirely null")
    fill = float(np.median(observed))
    kind = "log1p" if col in LOG1P_COLUMNS and observed.min() >= 0 else "identity"
    filled = np.where(np.isnan(raw), fill, raw)
    values = np.log1p(filled) if kind == "log1p" else filled
    mean = float(values.mean())
    std = float(values.std(ddof=0))
    scale = std if std > 0 and np.isfinite(std) else 1.0
    return (col, order, kind, fill, mean, scale)


def _scaler_frame(rows: list[tuple]) -> pd.DataFrame:
    scaler = pd.DataFrame(rows, columns=SCALER_COLUMNS)
    scaler["feature_order"] = scaler["feature_order"].astype("int64")
    return _round_frame(scaler)


def _scaler_rows(scaler: pd.DataFrame) -> pd.DataFrame:
    """The per-feature rows of a scaler or of a long model table, ordered by feature_order."""
    missing = [c for c in SCALER_COLUMNS if c not in scaler.columns]
    if missing:
        raise KeyError(f"scaler/model table lacks columns {missing}")
    rows = scaler[SCALER_COLUMNS].drop_duplicates().sort_values("feature_order", kind="stable")
    if rows["feature_name"].duplicated().any():
        raise ValueError("inconsistent scaler: a feature has more than one set of parameters")
    return rows.reset_index(drop=True)


def transform(features: pd.DataFrame, scaler: pd.DataFrame) -> np.ndarray:
    """Apply a fitted scaler: ``(transform(coalesce(x, fill_value)) - mean) / scale``.

    ``scaler`` is the table from :func:`fit_scaler` (a long model table from
    :func:`fit_segments` also works: its per-feature rows are de-duplicated).  Returns a
    float64 array of shape ``(len(features), n_features)`` with columns in
    ``feature_order``.  Raises ``ValueError`` if a value cannot be transformed (e.g. a
    ``log1p`` feature below -1), because the SQL would not produce a usable distance either.
    """
    rows = _scaler_rows(scaler)
    missing = [c for c in rows["feature_name"] if c not in features.columns]
    if missing:
        raise KeyError(f"features lack model columns {missing}")
    out = np.empty((len(features), len(rows)), dtype="float64")
    for j, row in enumerate(rows.itertuples(index=False)):
        raw = _as_float(features[row.feature_name])
        filled = np.where(np.isnan(raw), row.fill_value, raw)
        if row.transform == "log1p":
            with np.errstate(invalid="ignore", divide="ignore"):
                values = np.log1p(filled)
        elif row.transform == "identity":
            values = filled
        else:
            raise ValueError(f"unknown transform {row.transform!r} for {row.feature_name!r}")
        out[:, j] = (values - row.mean) / row.scale
    if not np.isfinite(out).all():
        bad = rows["feature_name"][~np.isfinite(out).all(axis=0)].tolist()
        raise ValueError(f"non-finite scaled values in features {bad}")
    return out


class ScaledFeatures:
    """The customers' features in customer-id order: the scaler fitted on every row, and
    deterministic samples of rows scaled with it.

    ``rows_at(positions)`` returns the raw feature rows at those sorted 0-based positions of
    the id order.  :meth:`from_frame` builds it from a DataFrame; the dbt models build it
    from a DuckDB relation (``pipeline.scaled_features``), reading one column at a time for
    the scaler and only the sampled rows, so the population's features never sit in pandas.
    Both give the same scaler (after its rounding to 10 decimals: the sums run in another row
    order) and the same samples (a test checks).
    """

    def __init__(
        self,
        scaler: pd.DataFrame,
        n_rows: int,
        rows_at: Callable[[np.ndarray], pd.DataFrame],
    ) -> None:
        self.scaler = scaler
        self.n_rows = int(n_rows)
        self._rows_at = rows_at

    @classmethod
    def from_frame(cls, features: pd.DataFrame, *, require_id: bool = True) -> ScaledFeatures:
        """From a DataFrame: rows sorted by ``customer_id`` (required unless ``require_id``
        is False and the frame has no id, when the row order is kept)."""
        if require_id or ID_COLUMN in features.columns:
            frame = _sorted_by_id(features)
        else:
            frame = features.reset_index(drop=True)

        def values_of(col: str) -> np.ndarray | None:
            return _as_float(frame[col]) if _is_numeric_feature(frame[col]) else None

        return cls.from_columns(
            frame.columns, values_of, len(frame), lambda positions: frame.iloc[positions]
        )

    @classmethod
    def from_columns(
        cls,
        names: Iterable[str],
        values_of: Callable[[str], np.ndarray | None],
        n_rows: int,
        rows_at: Callable[[np.ndarray], pd.DataFrame],
    ) -> ScaledFeatures:
        """From a source read one column at a time: ``values_of(name)`` is a numeric
        column's every value as float64 (NaN for NULL), or None for a non-numeric column.
        The features and their scaling are those of :func:`feature_columns` and
        :func:`fit_scaler` (the same per-column rules), with each column read once."""
        rows = []
        for col in ordered_columns(names):
            values = values_of(col)
            if values is None:
                continue
            if _audit_row(col, values)[1]:
                rows.append(_scaler_row(col, len(rows) + 1, values))
        if not rows and n_rows > 0:
            raise ValueError("no usable feature columns (all missing, null or constant)")
        # No customer at all (``dbt build --empty`` reads every ref as zero rows): an empty
        # scaler; the pipeline then writes every segmentation table empty.
        return cls(_scaler_frame(rows), n_rows, rows_at)

    def sample(self, size: int, seed: Sequence[int] | int) -> np.ndarray:
        """The scaled rows of the deterministic sample of at most ``size`` rows drawn with
        ``seed`` (every row, in id order, when there are no more than ``size``)."""
        positions = _sample_positions(self.n_rows, size, seed)
        return transform(self._rows_at(positions), self.scaler)


def _scaled(features: pd.DataFrame | ScaledFeatures, *, require_id: bool = True) -> ScaledFeatures:
    if isinstance(features, ScaledFeatures):
        return features
    return ScaledFeatures.from_frame(features, require_id=require_id)


# --------------------------------------------------------------------------------------
# choosing k
# --------------------------------------------------------------------------------------
def select_k(
    features: pd.DataFrame | ScaledFeatures,
    k_range: Iterable[int] = DEFAULT_K_RANGE,
    *,
    random_state: int = 0,
    fit_sample_size: int = 50_000,
    metric_sample_size: int = 5_000,
    n_init: int = 10,
) -> pd.DataFrame:
    """Fit KMeans for each candidate k and report cluster-validity indices.

    ``features`` is a DataFrame or a :class:`ScaledFeatures` (which reads only the samples).
    The scaler is fitted on all rows (:func:`fit_scaler`).  Rows are sorted by
    ``customer_id`` (when present) and KMeans is fitted on the same deterministic sample of
    at most ``fit_sample_size`` rows that :func:`fit_segments` uses.  The indices are
    computed on a separate deterministic sample of at most ``metric_sample_size`` rows drawn
    from the whole population (labels by nearest fitted centroid), so silhouette — O(m²) —
    is never computed on a large population.

    Returns one row per k (k values with ``k >= fit_rows`` are skipped): ``k``,
    ``inertia`` (on the fit sample), ``silhouette``, ``calinski_harabasz``,
    ``davies_bouldin`` (all three on the metric sample; NaN when fewer than two clusters
    occur in it), ``fit_rows``, ``metric_rows``, ``is_chosen`` (exactly one True — the k of
    :func:`choose_k`).
    """
    scaled = _scaled(features, require_id=False)
    x_fit = scaled.sample(fit_sample_size, [random_state, 0])
    x_metric = scaled.sample(metric_sample_size, [random_state, 1])

    rows = []
    for k in sorted({int(k) for k in k_range}):
        if k < 2 or k >= len(x_fit):
            continue
        model = _kmeans(k, random_state, n_init).fit(x_fit)
        labels = model.predict(x_metric)
        n_labels = np.unique(labels).size
        if 2 <= n_labels <= len(x_metric) - 1:
            sil = float(silhouette_score(x_metric, labels))
            ch = float(calinski_harabasz_score(x_metric, labels))
            db = float(davies_bouldin_score(x_metric, labels))
        else:
            sil = ch = db = np.nan
        rows.append((k, float(model.inertia_), sil, ch, db, len(x_fit), len(x_metric)))
    if not rows:
        raise ValueError("no candidate k in k_range is >= 2 and smaller than the fit sample")
    selection = pd.DataFrame(
        rows,
        columns=[
            "k",
            "inertia",
            "silhouette",
            "calinski_harabasz",
            "davies_bouldin",
            "fit_rows",
            "metric_rows",
        ],
    )
    selection = _round_frame(selection)
    chosen = choose_k(selection)
    selection["is_chosen"] = (selection["k"] == chosen).astype(bool)
    return selection


#: How :func:`choose_k` picks k, as the warehouse, the report and the chart say it.
CHOOSE_K_RULE = (
    "a rank vote over silhouette, Calinski-Harabasz and Davies-Bouldin (Borda count), "
    "ties to the higher silhouette"
)


def choose_k(selection: pd.DataFrame) -> int:
    """Pick k from a :func:`select_k` table by a rank vote over three indices (Borda count).

    Rule:

    1. Rank the candidate k values on each index, best = rank 1: silhouette (higher is
       better), Calinski-Harabasz (higher is better), Davies-Bouldin (lower is better).
       Equal values share the best rank (``method='min'``); a missing (NaN) value gets the
       worst rank (number of candidates + 1).
    2. Sum the three ranks; the smallest sum wins.
    3. Ties on the rank sum go to the higher silhouette, then to the smaller k.

    On well-separated blobs all three indices peak at the planted k, so it wins with rank
    sum 3.  The rule is deterministic and uses only the table.
    """
    needed = {"k", "silhouette", "calinski_harabasz", "davies_bouldin"}
    missing = needed - set(selection.columns)
    if missing:
        raise KeyError(f"selection lacks columns {sorted(missing)}")
    if selection.empty:
        raise ValueError("empty selection table")
    table = selection[["k", "silhouette", "calinski_harabasz", "davies_bouldin"]].copy()
    worst = len(table) + 1
    ranks = (
        table["silhouette"].rank(ascending=False, method="min").fillna(worst)
        + table["calinski_harabasz"].rank(ascending=False, method="min").fillna(worst)
        + table["davies_bouldin"].rank(ascending=True, method="min").fillna(worst)
    )
    table["rank_sum"] = ranks
    table["sil_key"] = table["silhouette"].fillna(-np.inf)
    table = table.sort_values(
        ["rank_sum", "sil_key", "k"], ascending=[True, False, True], kind="stable"
    )
    return int(table["k"].iloc[0])


# --------------------------------------------------------------------------------------
# fitting and assignment
# --------------------------------------------------------------------------------------
def _inverse(values: np.ndarray, rows: pd.DataFrame) -> np.ndarray:
    """Centroids (k x p, scaled) back to original units: expm1 for log1p features."""
    out = values * rows["scale"].to_numpy() + rows["mean"].to_numpy()
    is_log = (rows["transform"] == "log1p").to_numpy()
    out[:, is_log] = np.expm1(out[:, is_log])
    return out


def fit_segments(
    features: pd.DataFrame | ScaledFeatures,
    k: int,
    *,
    random_state: int = 0,
    fit_sample_size: int = 50_000,
    n_init: int = 10,
) -> pd.DataFrame:
    """Fit the scaler and KMeans and return the model as one long table.

    * ``features`` is a DataFrame or a :class:`ScaledFeatures` (which reads only the sample).
    * Rows are sorted by ``customer_id`` first, so the result does not depend on row order.
    * The scaler (:func:`fit_scaler`) is fitted on **all** rows (medians/means are cheap).
    * KMeans (Lloyd, k-means++ init, ``n_init`` restarts, ``random_state``) is fitted on all
      rows when ``n <= fit_sample_size``; otherwise on a deterministic uniform sample of
      ``fit_sample_size`` rows.  Full KMeans on a large uniform sample is used rather than
      MiniBatchKMeans because it is exact on the sample, deterministic, and a 50k-row
      sample estimates ≤ 8 centroids very precisely; everybody is then assigned by
      :func:`assign_segments`.
    * Segments are relabelled 1..k by descending centroid ``total_spend`` in original units
      (fallback when ``total_spend`` is not a feature: the first feature), ties broken by
      the remaining centroid coordinates, so ids do not depend on KMeans' arbitrary labels.

    Returns one row per (segment_id, feature): ``segment_id``, ``feature_name``,
    ``feature_order``, ``transform``, ``fill_value``, ``mean``, ``scale``,
    ``centroid_scaled``, ``centroid_original`` (the centroid mapped back through the
    scaling: ``expm1`` for log1p features — a geometric-mean-like "typical customer", not
    the arithmetic mean), ``k``, ``random_state``, ``fit_rows``.
    """
    model, _ = _fit_model(
        features, k, random_state=random_state, fit_sample_size=fit_sample_size, n_init=n_init
    )
    return model


def _fit_model(
    features: pd.DataFrame | ScaledFeatures,
    k: int,
    *,
    random_state: int,
    fit_sample_size: int,
    n_init: int,
) -> tuple[pd.DataFrame, KMeans]:
    if int(k) < 1:
        raise ValueError("k must be >= 1")
    k = int(k)
    scaled = _scaled(features)
    scaler = scaled.scaler
    x_fit = scaled.sample(fit_sample_size, [random_state, 0])
    if k > len(x_fit):
        raise ValueError(f"k={k} is larger than the number of fit rows ({len(x_fit)})")
    kmeans = _kmeans(k, random_state, n_init).fit(x_fit)

    rows = _scaler_rows(scaler)
    centers = kmeans.cluster_centers_.astype("float64")
    original = _inverse(centers.copy(), rows)
    names = rows["feature_name"].tolist()
    key = names.index("total_spend") if "total_spend" in names else 0
    # lexsort: last key is primary -> descending key feature, then descending other coords
    sort_keys = [-centers[:, j] for j in reversed(range(centers.shape[1])) if j != key]
    order = np.lexsort([*sort_keys, -original[:, key]])

    records = []
    for new_id, old in enumerate(order, start=1):
        for j, row in enumerate(rows.itertuples(index=False)):
            records.append(
                (
                    new_id,
                    row.feature_name,
                    int(row.feature_order),
                    row.transform,
                    row.fill_value,
                    row.mean,
                    row.scale,
                    float(centers[old, j]),
                    float(original[old, j]),
                    k,
                    int(random_state),
                    len(x_fit),
                )
            )
    model = pd.DataFrame(records, columns=MODEL_COLUMNS)
    for col in ("segment_id", "feature_order", "k", "random_state", "fit_rows"):
        model[col] = model[col].astype("int64")
    return _round_frame(model), kmeans


def _centroid_matrix(model: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    needed = set(MODEL_COLUMNS[:8])
    missing = needed - set(model.columns)
    if missing:
        raise KeyError(f"model table lacks columns {sorted(missing)}")
    wide = model.pivot(index="segment_id", columns="feature_order", values="centroid_scaled")
    wide = wide.sort_index(axis=0).sort_index(axis=1)
    if wide.isna().any().any():
        raise ValueError("model table is incomplete: a segment lacks a feature")
    return wide.index.to_numpy(dtype="int64"), wide.to_numpy(dtype="float64")


def assign_segments(features: pd.DataFrame, model: pd.DataFrame) -> pd.DataFrame:
    """Assign every customer to the nearest segment centroid, using only the model table.

    This is exactly the SQL rule (see module docstring): scale each feature with the
    stored ``transform``/``fill_value``/``mean``/``scale``, take the squared Euclidean
    distance to each segment's ``centroid_scaled`` vector, pick the smallest (ties → the
    smaller ``segment_id``).

    Returns, in input row order: ``customer_id``, ``segment_id``, ``distance`` (Euclidean
    distance to the assigned centroid in scaled space), ``second_distance`` (distance to
    the second-nearest centroid; NaN when k = 1).
    """
    if ID_COLUMN not in features.columns:
        raise KeyError(f"features must have a '{ID_COLUMN}' column")
    segment_ids, centers = _centroid_matrix(model)
    x = transform(features, model)
    d2 = np.empty((len(x), len(segment_ids)), dtype="float64")
    for j in range(len(segment_ids)):
        diff = x - centers[j]
        d2[:, j] = np.einsum("ij,ij->i", diff, diff)
    # segment_ids are sorted ascending, and argmin returns the first minimum -> ties go low
    best = np.argmin(d2, axis=1)
    rows = np.arange(len(x))
    distance = np.sqrt(d2[rows, best])
    if len(segment_ids) > 1:
        masked = d2.copy()
        masked[rows, best] = np.inf
        second = np.sqrt(masked.min(axis=1))
    else:
        second = np.full(len(x), np.nan)
    out = pd.DataFrame(
        {
            ID_COLUMN: features[ID_COLUMN].to_numpy(),
            SEGMENT_COLUMN: segment_ids[best].astype("int64"),
            "distance": distance,
            "second_distance": second,
        }
    )
    return _round_frame(out)


def segment_stability(
    features: pd.DataFrame | ScaledFeatures,
    k: int,
    *,
    random_states: Sequence[int] = (1, 2, 3, 4, 5),
    sample_size: int = 20_000,
    random_state: int = 0,
    n_init: int = 10,
) -> pd.DataFrame:
    """How reproducible the k-segment solution is.

    ``features`` is a DataFrame or a :class:`ScaledFeatures`.  Works on a deterministic
    sample of at most ``sample_size`` rows (rows sorted by
    ``customer_id``, scaler fitted on all rows).  The reference fit is KMeans with
    ``random_state`` on that sample.  Then, for every seed in ``random_states``:

    * ``method='random_state'``: refit on the same sample with ``random_state=seed``;
    * ``method='bootstrap'``: refit (``random_state=seed``) on a bootstrap resample (drawn
      with replacement, seeded by ``seed``) and label the whole sample by nearest centroid;

    and compare the labels on the sample with the reference by the adjusted Rand index
    (1 = identical partition up to relabelling, ~0 = chance agreement).

    Returns one row per run: ``run_id`` (1..), ``method``, ``seed``,
    ``adjusted_rand_index``, ``rows`` (rows compared), ``k``.
    """
    k = int(k)
    x = _scaled(features).sample(sample_size, [random_state, 2])
    if k > len(x):
        raise ValueError(f"k={k} is larger than the sample ({len(x)} rows)")
    reference = _kmeans(k, random_state, n_init).fit(x).labels_

    runs = []
    for seed in random_states:
        labels = _kmeans(k, int(seed), n_init).fit(x).labels_
        runs.append(("random_state", int(seed), adjusted_rand_score(reference, labels)))
    for seed in random_states:
        rng = np.random.default_rng([int(seed), 3])
        boot = rng.integers(0, len(x), size=len(x))
        labels = _kmeans(k, int(seed), n_init).fit(x[boot]).predict(x)
        runs.append(("bootstrap", int(seed), adjusted_rand_score(reference, labels)))
    out = pd.DataFrame(runs, columns=["method", "seed", "adjusted_rand_index"])
    out.insert(0, "run_id", np.arange(1, len(out) + 1, dtype="int64"))
    out["seed"] = out["seed"].astype("int64")
    out["adjusted_rand_index"] = out["adjusted_rand_index"].astype("float64")
    out["rows"] = np.int64(len(x))
    out["k"] = np.int64(k)
    return _round_frame(out)


# --------------------------------------------------------------------------------------
# profiling and naming
# --------------------------------------------------------------------------------------
#: Key metrics that get a ``<key>_index`` (segment mean / population mean) and a
#: ``<key>_z`` ((segment mean - population mean) / population std) column in the profile.
KEY_METRICS: dict[str, str] = {
    "spend": "total_spend",
    "orders": "order_count",
    "aov": "avg_order_value",
    "income": "annual_income",
    "age": "age",
    "children": "children_count",
    "recency": "recency_days",
    "loyalty": "is_loyalty_member",
}


def _strip(name: str, prefix: str) -> str:
    return name[len(prefix) :]


def profile_segments(customers: pd.DataFrame, assignments: pd.DataFrame) -> pd.DataFrame:
    """Describe each segment with numbers the naming rules (and people) can read.

    ``customers`` has one row per customer (``customer_id`` plus, where present,
    ``total_spend``, ``order_count``, ``avg_order_value``, ``annual_income``, ``age``,
    ``children_count``, ``recency_days``, ``is_loyalty_member``, ``campaigns_accepted``,
    ``campaigns_sent``, ``share_channel_*``, ``share_category_*``); ``assignments`` has
    ``customer_id`` and ``segment_id``.  Customers are inner-joined on ``customer_id``; the
    population is every joined customer.

    Returns one row per ``segment_id`` (ascending) with:

    * ``customer_count``, ``customer_share`` (of joined customers), ``revenue_share``
      (segment's share of ``sum(total_spend)``; NaN without ``total_spend``);
    * ``mean_<x>`` for every numeric/boolean column ``x`` of ``customers`` (NULLs ignored);
    * ``top_category`` / ``top_category_share``: the ``share_category_<y>`` with the highest
      segment mean, as ``<y>``, and that mean; likewise ``top_channel`` /
      ``top_channel_share``;
    * ``campaign_response_rate`` = sum(campaigns_accepted) / sum(campaigns_sent);
    * for each key metric (``spend``, ``orders``, ``aov``, ``income``, ``age``,
      ``children``, ``recency``, ``loyalty``, ``response``) whose column is present:
      ``<key>_index`` = segment mean / population mean (1.0 = average) and ``<key>_z`` =
      (segment mean − population mean) / population std (customer-level, ddof=0).
    """
    for name, frame in (("customers", customers), ("assignments", assignments)):
        if ID_COLUMN not in frame.columns:
            raise KeyError(f"{name} must have a '{ID_COLUMN}' column")
    if SEGMENT_COLUMN not in assignments.columns:
        raise KeyError(f"assignments must have a '{SEGMENT_COLUMN}' column")
    # no .copy(): pandas copies on write, and at millions of customers a copy is gigabytes
    left = customers.drop(columns=[SEGMENT_COLUMN], errors="ignore")
    left["_key"] = left[ID_COLUMN].astype(str)
    if left["_key"].duplicated().any():
        raise ValueError("customers must have one row per customer_id")
    right = assignments[[ID_COLUMN, SEGMENT_COLUMN]].copy()
    right["_key"] = right[ID_COLUMN].astype(str)
    right = right.drop(columns=[ID_COLUMN])
    joined = left.merge(right, on="_key", how="inner", validate="one_to_one")
    if joined.empty:
        raise ValueError("no customer in assignments matches customers")

    numeric = [
        c
        for c in ordered_columns(customers.columns)
        if c not in (SEGMENT_COLUMN, "_key") and _is_numeric_feature(customers[c])
    ]
    values = pd.DataFrame({c: _as_float(joined[c]) for c in numeric}, index=joined.index)
    segments = joined[SEGMENT_COLUMN].astype("int64")
    return profile_from_statistics(*profile_statistics(values, segments), numeric)


#: Columns summed (rather than averaged) by the profile statistics, and the key metrics'
#: customer-level spread: what :func:`profile_from_statistics` needs besides the means.
SPEND_SUM, ACCEPTED_SUM, SENT_SUM, RATE_STD = "spend_sum", "accepted_sum", "sent_sum", "rate_std"


def profile_statistics(values: pd.DataFrame, segments: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """The sufficient statistics of a profile, per segment and for the whole population.

    ``values``: one float column per numeric customer attribute (NaN for NULL); ``segments``:
    the customers' segment ids.  Returns (per-segment frame indexed by ``segment_id``,
    population series) with ``customer_count``, ``mean__<x>`` per column (NaN ignored),
    ``spend_sum`` (NaN as 0), ``accepted_sum`` / ``sent_sum`` (of campaigns), and for the
    population ``std__<x>`` of each key metric and ``rate_std`` of accepted/sent per customer
    (ddof=0).  The dbt model computes the same statistics in DuckDB
    (``pipeline.segment_profiles``), so only k + 1 rows reach pandas.
    """
    grouped = values.groupby(segments, sort=True)
    per_segment = grouped.mean().add_prefix("mean__")
    per_segment.insert(0, "customer_count", segments.value_counts().sort_index().astype("int64"))
    per_segment.index.name = SEGMENT_COLUMN
    population = values.mean().add_prefix("mean__")
    population["customer_count"] = len(values)
    if "total_spend" in values:
        spend = values["total_spend"].fillna(0.0)
        per_segment[SPEND_SUM] = spend.groupby(segments).sum()
        population[SPEND_SUM] = spend.sum()
    if {"campaigns_accepted", "campaigns_sent"} <= set(values.columns):
        acc, sent = values["campaigns_accepted"], values["campaigns_sent"]
        per_segment[ACCEPTED_SUM] = acc.groupby(segments).sum()
        per_segment[SENT_SUM] = sent.groupby(segments).sum()
        population[ACCEPTED_SUM] = acc.sum()
        population[SENT_SUM] = sent.sum()
        population[RATE_STD] = (acc / sent.replace(0, np.nan)).std(ddof=0)
    for col in KEY_METRICS.values():
        if col in values:
            population[f"std__{col}"] = values[col].std(ddof=0)
    return per_segment, population


def profile_from_statistics(
    per_segment: pd.DataFrame, population: pd.Series, numeric: list[str]
) -> pd.DataFrame:
    """The profile table of :func:`profile_segments` from :func:`profile_statistics`."""
    means = per_segment[[f"mean__{c}" for c in numeric]].astype("float64")
    means.columns = numeric
    counts = per_segment["customer_count"].astype("int64")

    profile = pd.DataFrame(index=per_segment.index)
    profile.index.name = SEGMENT_COLUMN
    profile["customer_count"] = counts
    profile["customer_share"] = counts / counts.sum()
    if SPEND_SUM in per_segment:
        spend = per_segment[SPEND_SUM].astype("float64")
        total = spend.sum()
        profile["revenue_share"] = spend / total if total != 0 else np.nan
    else:
        profile["revenue_share"] = np.nan
    for c in numeric:
        profile[f"mean_{c}"] = means[c]

    for prefix, label in ((CATEGORY_PREFIX, "category"), (CHANNEL_PREFIX, "channel")):
        cols = [c for c in numeric if c.startswith(prefix)]
        if cols:
            block = means[cols].fillna(-np.inf)
            top = block.to_numpy().argmax(axis=1)
            profile[f"top_{label}"] = [_strip(cols[i], prefix) for i in top]
            profile[f"top_{label}_share"] = means[cols].to_numpy()[np.arange(len(top)), top]
        else:
            profile[f"top_{label}"] = None
            profile[f"top_{label}_share"] = np.nan

    if ACCEPTED_SUM in per_segment:
        acc = per_segment[ACCEPTED_SUM].astype("float64")
        sent = per_segment[SENT_SUM].astype("float64")
        profile["campaign_response_rate"] = (acc / sent.replace(0, np.nan)).astype("float64")
        pop_sent = float(population[SENT_SUM])
        pop_rate = float(population[ACCEPTED_SUM]) / pop_sent if pop_sent else np.nan
    else:
        profile["campaign_response_rate"] = np.nan
        pop_rate = np.nan

    for key, col in KEY_METRICS.items():
        if col not in numeric:
            continue
        pop_mean = float(population[f"mean__{col}"])
        pop_std = float(population[f"std__{col}"])
        profile[f"{key}_index"] = means[col] / pop_mean if pop_mean else np.nan
        profile[f"{key}_z"] = (means[col] - pop_mean) / pop_std if pop_std else 0.0
    if np.isfinite(pop_rate):
        rate = profile["campaign_response_rate"]
        profile["response_index"] = rate / pop_rate if pop_rate else np.nan
        # z of a rate: against the customer-level spread of accepted/sent
        std = float(population[RATE_STD])
        profile["response_z"] = (rate - pop_rate) / std if std else 0.0

    return _round_frame(profile.reset_index())


#: Thresholds used by :func:`name_segments` (ratios of segment mean to population mean,
#: except ``family_min_children`` / ``childless_max_children`` which are mean children and
#: ``min_share`` which is a share).
NAMING_THRESHOLDS: dict[str, float] = {
    "high_spend": 1.3,  # spend_index >= -> high value
    "low_spend": 0.7,  # spend_index <= -> low value
    "high_income": 1.15,  # income_index >= (with high spend) -> affluent
    "low_income": 0.9,  # income_index <= (with low spend) -> budget
    "young_age": 0.9,  # age_index <= -> young
    "older_age": 1.1,  # age_index >= -> older
    "family_children": 1.3,  # children_index >= ...
    "family_min_children": 1.0,  # ... and mean children >= -> families
    "childless_children": 0.5,  # children_index <= ...
    "childless_max_children": 0.4,  # ... or mean children <= -> without children
    "new_recency": 0.75,  # recency_index <= ...
    "new_orders": 0.8,  # ... and orders_index <= ...
    "new_loyalty": 1.1,  # ... and (loyalty_index >= ...
    "new_response": 1.2,  # ... or response_index >=) -> new customers
    "new_repeat_share": 0.5,  # new segment with this share of repeat buyers: next-order reward
    "lapsed_recency": 1.4,  # recency_index >= ...
    "lapsed_missed_purchases": 2.0,  # ... and mean recency >= this many usual gaps -> lapsed
    "one_time_repeat_share": 1 / 3,  # share of repeat customers below this -> one-time buyers
    "signature_lift": 1.15,  # share lift >= -> signature category/channel ...
    "min_share": 0.05,  # ... if the segment's mean share is at least this
    "responsive": 1.25,  # response_index >= -> mention campaign responsiveness
    "unresponsive": 0.75,  # response_index <= -> reduce contact
}

_CATEGORY_LABELS = {
    "wines": "wine",
    "wine": "wine",
    "fruits": "fruit",
    "fruit": "fruit",
    "meat": "meat",
    "meats": "meat",
    "meat_products": "meat",
    "fish": "fish",
    "fish_products": "fish",
    "sweets": "sweets",
    "sweet": "sweets",
    "sweet_products": "sweets",
    "gold": "gold",
    "gold_prods": "gold",
    "gold_products": "gold",
}
_CHANNEL_LABELS = {
    "web": "web",
    "website": "web",
    "online": "web",
    "catalog": "catalog",
    "catalogue": "catalog",
    "store": "store",
    "in_store": "store",
    "instore": "store",
    "deals": "deals",
}
_CHANNEL_PHRASES = {
    "web": "the web shop",
    "catalog": "catalog mailings",
    "store": "in-store promotions",
}


def _category_label(raw: str) -> str:
    key = re.sub(r"^mnt_?", "", str(raw).lower())
    return _CATEGORY_LABELS.get(key, key.replace("_", " "))


def _channel_label(raw: str) -> str:
    key = re.sub(r"^num_?|_purchases$", "", str(raw).lower())
    return _CHANNEL_LABELS.get(key, key.replace("_", " "))


def _index_series(profile: pd.DataFrame, key: str, column: str) -> pd.Series:
    """``<key>_index`` if present, else segment mean / customer-weighted population mean."""
    if f"{key}_index" in profile.columns:
        return profile[f"{key}_index"].astype("float64")
    mean_col = f"mean_{column}"
    if mean_col not in profile.columns:
        return pd.Series(np.nan, index=profile.index)
    values = profile[mean_col].astype("float64")
    weights = profile["customer_count"].astype("float64") if "customer_count" in profile else 1.0
    weights = pd.Series(weights, index=profile.index).where(values.notna(), 0.0)
    pop = (values.fillna(0.0) * weights).sum() / weights.sum() if weights.sum() else np.nan
    return values / pop if pop else pd.Series(np.nan, index=profile.index)


def _signature(profile: pd.DataFrame, prefix: str) -> tuple[pd.DataFrame, list[str]]:
    """Per segment, the share column most above the population's (lift = seg / pop)."""
    cols = [c for c in profile.columns if c.startswith(f"mean_{prefix}")]
    if not cols:
        return pd.DataFrame(index=profile.index), []
    shares = profile[cols].astype("float64")
    w = profile["customer_count"].astype("float64") if "customer_count" in profile else None
    if w is None:
        w = pd.Series(1.0, index=profile.index)
    pop = (shares.fillna(0.0).mul(w, axis=0)).sum() / shares.notna().mul(w, axis=0).sum()
    lifts = shares / pop.replace(0, np.nan)
    return lifts, cols


def _fmt(x: float) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{x:.2f}x"


def name_segments(profile: pd.DataFrame) -> pd.DataFrame:
    """Name each segment and recommend an action, derived from the profile by fixed rules.

    Input: a :func:`profile_segments` table (or any table with ``segment_id``,
    ``customer_count`` and ``mean_<x>`` columns — missing ``<key>_index`` columns are
    derived as segment mean / customer-weighted mean of the segment means).  All
    thresholds are in :data:`NAMING_THRESHOLDS`.

    Facts (per segment; "index" = segment mean / population mean):

    * value tier — ``affluent``: spend index ≥ 1.3 and income index ≥ 1.15; ``high``: spend
      index ≥ 1.3 otherwise; ``budget``: spend index ≤ 0.7 and income index ≤ 0.9;
      ``low``: spend index ≤ 0.7 otherwise; ``mid``: anything else (without spend columns
      the income index alone decides affluent/budget/mid);
    * life stage — ``young``: age index ≤ 0.9; ``older``: age index ≥ 1.1;
    * household — ``families``: children index ≥ 1.3 and mean children ≥ 1;
      ``without children``: children index ≤ 0.5 or mean children ≤ 0.4;
    * lifecycle — ``new``: recency index ≤ 0.75, orders index ≤ 0.8 and (loyalty index ≥
      1.1 or response index ≥ 1.2); ``lapsed``: recency index ≥ 1.4 and, when the profile
      has ``mean_purchase_frequency_per_year``, a mean recency of at least two of the
      segment's usual gaps between orders (365.25 / mean frequency): a segment that buys
      rarely has long recencies without having stopped, and is not called lapsed;
      ``one-time``: neither, and under a third of the segment's customers bought more than
      once (``mean_is_repeat_customer`` < 1/3: two in three bought once);
    * signature category / channel — the ``share_category_*`` / ``share_channel_*`` whose
      segment mean share is most above the population's (lift ≥ 1.15 and share ≥ 0.05).

    Name = [adjective] + noun + [" (<signature channel>)"]:

    * new → "New loyal customers" (loyalty index ≥ 1.1) or "New responsive customers";
    * lapsed → "Lapsed high spenders" / "Lapsed low spenders" / "Lapsed customers";
    * one-time → "One-time high spenders" (affluent / high tier) or "One-time buyers";
    * otherwise noun = "families" if families, else "<category> lovers" if a signature
      category (and the tier is not low/budget), else the tier's noun ("high spenders",
      "low spenders", "budget shoppers", "customers"); adjective = the tier word
      ("Affluent", "High-spending", "Budget", "Low-spending" — omitted when the noun already
      says it) or, failing that, the life stage ("Young", "Older"), or "Mainstream".

    Collisions: while two segments share a name, each of them adds its next unused fact,
    in order: life stage, household, signature category, signature channel, value tier;
    as a last resort the spend order within the colliding group (" – higher spend" /
    " – lower spend", " – spend rank r of n"), or " – segment <id>" when their spend is
    equal.  Recommendations follow from the same facts
    (onboarding/loyalty perks for new, win-back for lapsed, a second-purchase offer for
    one-time buyers, premium offers for
    affluent/high, bundles and vouchers for families/budget/low, cross-sell otherwise) and
    always name the channel to use: the signature channel, else the top channel.

    Returns the profile plus ``value_tier``, ``life_stage``, ``household``, ``lifecycle``,
    ``signature_category``, ``signature_channel``, ``segment_name``, ``recommendation``,
    ``name_reason``.
    """
    if SEGMENT_COLUMN not in profile.columns:
        raise KeyError(f"profile must have a '{SEGMENT_COLUMN}' column")
    t = NAMING_THRESHOLDS
    prof = profile.sort_values(SEGMENT_COLUMN, kind="stable").reset_index(drop=True)
    idx = {key: _index_series(prof, key, col) for key, col in KEY_METRICS.items()}
    if "response_index" in prof.columns:
        idx["response"] = prof["response_index"].astype("float64")
    elif "campaign_response_rate" in prof.columns:
        rate = prof["campaign_response_rate"].astype("float64")
        w = prof.get("customer_count", pd.Series(1.0, index=prof.index)).astype("float64")
        w = w.where(rate.notna(), 0.0)
        pop = (rate.fillna(0) * w).sum() / w.sum() if w.sum() else np.nan
        idx["response"] = rate / pop if pop else pd.Series(np.nan, index=prof.index)
    else:
        idx["response"] = pd.Series(np.nan, index=prof.index)
    mean_children = (
        prof["mean_children_count"].astype("float64")
        if "mean_children_count" in prof.columns
        else pd.Series(np.nan, index=prof.index)
    )
    cat_lift, cat_cols = _signature(prof, CATEGORY_PREFIX)
    ch_lift, ch_cols = _signature(prof, CHANNEL_PREFIX)
    # Recent enough for the segment's own rhythm: fewer days since the last order than
    # `lapsed_missed_purchases` usual gaps (False when the profile has no frequency).
    if {"mean_recency_days", "mean_purchase_frequency_per_year"} <= set(prof.columns):
        frequency = prof["mean_purchase_frequency_per_year"].astype("float64")
        usual_gap = 365.25 / frequency.where(frequency > 0)
        within_usual_gap = (
            prof["mean_recency_days"].astype("float64")
            < t["lapsed_missed_purchases"] * usual_gap
        ).fillna(False)
    else:
        within_usual_gap = pd.Series(False, index=prof.index)

    ge, le = ge_finite, le_finite

    def pick(lifts: pd.DataFrame, cols: list[str], i: int, prefix: str) -> tuple[str | None, float]:
        if not cols:
            return None, np.nan
        row = lifts.iloc[i]
        shares = prof.loc[i, cols].astype("float64")
        ok = (row >= t["signature_lift"]) & (shares >= t["min_share"])
        if not ok.any():
            return None, np.nan
        best = row[ok].astype("float64").idxmax()  # first max in column order -> deterministic
        return _strip(best, f"mean_{prefix}"), float(row[best])

    facts = []
    for i in range(len(prof)):
        s, inc = idx["spend"].iloc[i], idx["income"].iloc[i]
        if np.isfinite(s):
            if s >= t["high_spend"]:
                tier = "affluent" if ge(inc, t["high_income"]) else "high"
            elif s <= t["low_spend"]:
                tier = "budget" if le(inc, t["low_income"]) else "low"
            else:
                tier = "mid"
        else:
            tier = (
                "affluent"
                if ge(inc, t["high_income"])
                else "budget"
                if le(inc, t["low_income"])
                else "mid"
            )
        age = idx["age"].iloc[i]
        stage = "young" if le(age, t["young_age"]) else "older" if ge(age, t["older_age"]) else None
        ch_i, mc = idx["children"].iloc[i], mean_children.iloc[i]
        if ge(ch_i, t["family_children"]) and (
            not np.isfinite(mc) or mc >= t["family_min_children"]
        ):
            household = "families"
        elif le(ch_i, t["childless_children"]) or le(mc, t["childless_max_children"]):
            household = "without children"
        else:
            household = None
        rec, orders = idx["recency"].iloc[i], idx["orders"].iloc[i]
        loyal, resp = idx["loyalty"].iloc[i], idx["response"].iloc[i]
        repeat_share = (
            float(prof.loc[i, "mean_is_repeat_customer"])
            if "mean_is_repeat_customer" in prof.columns
            else np.nan
        )
        if (
            le(rec, t["new_recency"])
            and le(orders, t["new_orders"])
            and (ge(loyal, t["new_loyalty"]) or ge(resp, t["new_response"]))
        ):
            lifecycle = "new"
        elif ge(rec, t["lapsed_recency"]) and not within_usual_gap.iloc[i]:
            lifecycle = "lapsed"
        elif _lt_finite(repeat_share, t["one_time_repeat_share"]):
            lifecycle = "one-time"
        else:
            lifecycle = None
        cat, cat_l = pick(cat_lift, cat_cols, i, CATEGORY_PREFIX)
        chan, chan_l = pick(ch_lift, ch_cols, i, CHANNEL_PREFIX)
        top_cat = prof.loc[i, "top_category"] if "top_category" in prof.columns else None
        top_ch = prof.loc[i, "top_channel"] if "top_channel" in prof.columns else None
        if (top_ch is None or pd.isna(top_ch)) and ch_cols:
            top_ch = _strip(
                prof.loc[i, ch_cols].astype("float64").idxmax(), f"mean_{CHANNEL_PREFIX}"
            )
        if (top_cat is None or pd.isna(top_cat)) and cat_cols:
            top_cat = _strip(
                prof.loc[i, cat_cols].astype("float64").idxmax(), f"mean_{CATEGORY_PREFIX}"
            )
        facts.append(
            {
                "tier": tier,
                "stage": stage,
                "household": household,
                "lifecycle": lifecycle,
                "category": cat,
                "category_lift": cat_l,
                "channel": chan,
                "channel_lift": chan_l,
                "channel_basis": (None if "channel_share_basis" not in prof.columns
                                  or pd.isna(prof.loc[i, "channel_share_basis"])
                                  else str(prof.loc[i, "channel_share_basis"])),
                "top_category": None if top_cat is None or pd.isna(top_cat) else str(top_cat),
                "top_channel": None if top_ch is None or pd.isna(top_ch) else str(top_ch),
                "spend": s,
                "income": inc,
                "age": age,
                "children": ch_i,
                "mean_children": mc,
                "recency": rec,
                "orders": orders,
                "loyalty": loyal,
                "response": resp,
                "repeat_share": repeat_share,
            }
        )

    names = _unique_names(prof[SEGMENT_COLUMN].tolist(), facts)
    out = prof.copy()
    out["value_tier"] = [f["tier"] for f in facts]
    out["life_stage"] = [f["stage"] for f in facts]
    out["household"] = [f["household"] for f in facts]
    out["lifecycle"] = [f["lifecycle"] for f in facts]
    out["signature_category"] = [f["category"] for f in facts]
    out["signature_channel"] = [f["channel"] for f in facts]
    out["segment_name"] = names
    out["recommendation"] = [_recommend(f) for f in facts]
    out["name_reason"] = [_reason(f) for f in facts]
    return _round_frame(_text_columns_as_strings(out))


#: The profile's text columns (:func:`profile_from_statistics`, the pipeline's
#: ``channel_share_basis`` and :func:`name_segments`' facts, names and recommendations).
PROFILE_TEXT_COLUMNS = (
    "top_category", "top_channel", "channel_share_basis", "value_tier", "life_stage",
    "household", "lifecycle", "signature_category", "signature_channel", "segment_name",
    "recommendation", "name_reason",
)


def _text_columns_as_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """The profile's text columns, and any other column of Python strings and None, as
    string columns, so that one with no value in any segment (no category data, no dates
    for a lifecycle) is still written as VARCHAR: DuckDB stores an all-None object column
    as INTEGER, and a profile without segments (no customer to segment) has float columns;
    the column's type would then depend on the data. A missing value stays missing
    (pandas' ``str`` dtype, NaN)."""
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if col in PROFILE_TEXT_COLUMNS or (
            values.dtype == object and values.dropna().map(type).eq(str).all()
        ):
            out[col] = values.astype("str")
    return out


_TIER_ADJ = {
    "affluent": "Affluent",
    "high": "High-spending",
    "budget": "Budget",
    "low": "Low-spending",
}
_TIER_NOUN = {
    "affluent": "customers",
    "high": "high spenders",
    "budget": "budget shoppers",
    "low": "low spenders",
    "mid": "customers",
}


def _base_parts(f: dict) -> tuple[list[str], str, list[str], set[str]]:
    """(adjectives, noun, trailing qualifiers, facts used) of the base name."""
    used: set[str] = set()
    if f["lifecycle"] == "new":
        loyal = np.isfinite(f["loyalty"]) and f["loyalty"] >= NAMING_THRESHOLDS["new_loyalty"]
        return ["New"], "loyal customers" if loyal else "responsive customers", [], {"lifecycle"}
    if f["lifecycle"] == "lapsed":
        noun = {
            "affluent": "high spenders",
            "high": "high spenders",
            "budget": "low spenders",
            "low": "low spenders",
        }.get(f["tier"], "customers")
        return ["Lapsed"], noun, [], {"lifecycle", "tier"}
    if f["lifecycle"] == "one-time":
        if f["tier"] in ("affluent", "high"):
            return ["One-time"], "high spenders", [], {"lifecycle", "tier"}
        return ["One-time"], "buyers", [], {"lifecycle"}
    tier = f["tier"]
    if f["household"] == "families":
        noun = "families"
        used.add("household")
        adj = _TIER_ADJ.get(tier)
    elif f["category"] and tier not in ("low", "budget"):
        noun = f"{_category_label(f['category'])} lovers"
        used.add("category")
        adj = _TIER_ADJ.get(tier)
    else:
        noun = _TIER_NOUN[tier]
        adj = None if tier in ("high", "low", "budget") else _TIER_ADJ.get(tier)
        if tier != "mid":
            used.add("tier")
    if adj:
        used.add("tier")
        return [adj], noun, [], used
    if f["stage"]:
        used.add("stage")
        return [f["stage"].capitalize()], noun, [], used
    if noun == "customers":
        return ["Mainstream"], noun, [], used
    return [], noun, [], used


def _render(adjs: list[str], noun: str, quals: list[str], channel: str | None) -> str:
    words = [adjs[0]] + [a.lower() for a in adjs[1:]] if adjs else []
    text = " ".join([*words, noun])
    text = text[0].upper() + text[1:]
    if quals:
        text += " " + " ".join(quals)
    if channel:
        text += f" ({_channel_label(channel)})"
    return text


def _candidates(f: dict, segment_id: int) -> list[str]:
    """Base name, then names with one more distinguishing fact each."""
    adjs, noun, quals, used = _base_parts(f)
    channel = f["channel"]
    names = [_render(adjs, noun, quals, channel)]
    extras = []
    if f["stage"] and "stage" not in used:
        extras.append(("adj", f["stage"].capitalize()))
    if f["household"] and "household" not in used:
        extras.append(
            ("qual", "with children" if f["household"] == "families" else "without children")
        )
    if f["category"] and "category" not in used:
        extras.append(("qual", f"favouring {_category_label(f['category'])}"))
    if not channel and f["top_channel"]:
        extras.append(("channel", f["top_channel"]))
    if f["tier"] and "tier" not in used:
        extras.append(("qual", f"({f['tier']} value)"))
    for kind, value in extras:
        if kind == "adj":
            adjs = [value, *adjs]
        elif kind == "qual":
            quals = [*quals, value]
        else:
            channel = value
        names.append(_render(adjs, noun, quals, channel))
    names.append(f"{names[-1]} – segment {segment_id}")
    return names


def _unique_names(segment_ids: list[int], facts: list[dict]) -> list[str]:
    cands = [_candidates(f, int(s)) for s, f in zip(segment_ids, facts, strict=True)]
    level = [0] * len(cands)
    for _ in range(100):
        names = [c[lv] for c, lv in zip(cands, level, strict=True)]
        counts = pd.Series(names).value_counts()
        dupes = set(counts[counts > 1].index)
        if not dupes:
            return _order_by_spend(names, cands, level, facts)
        for i, name in enumerate(names):
            if name in dupes:
                level[i] = min(level[i] + 1, len(cands[i]) - 1)
    # unreachable in practice: the last candidate contains the (unique) segment id
    return [c[-1] for c in cands]


def _order_by_spend(
    names: list[str], cands: list[list[str]], level: list[int], facts: list[dict]
) -> list[str]:
    """Segments that no fact tells apart end with " – segment <id>"; where they differ in
    spend, say which spends more instead (" – higher spend" / " – lower spend", or " – spend
    rank r of n"), which a reader can check against the profile. Equal or missing spend
    keeps the segment id."""
    groups: dict[str, list[int]] = {}
    for i, (c, lv) in enumerate(zip(cands, level, strict=True)):
        if lv == len(c) - 1:  # the last resort
            groups.setdefault(c[-2], []).append(i)
    out = list(names)
    for base, members in groups.items():
        spends = [facts[i]["spend"] for i in members]
        if (len(members) < 2 or not all(np.isfinite(spends))
                or len(set(spends)) < len(spends)):
            continue
        ranked = sorted(members, key=lambda i: -facts[i]["spend"])
        labels = (["higher spend", "lower spend"] if len(ranked) == 2
                  else [f"spend rank {r} of {len(ranked)}" for r in range(1, len(ranked) + 1)])
        for label, i in zip(labels, ranked, strict=True):
            out[i] = f"{base} – {label}"
    return out if len(set(out)) == len(out) else names


def _channel_phrase(f: dict) -> str:
    """' via <channel>', or '' when the data name no channel for the segment (a
    recommendation then says nothing about channels rather than guess one)."""
    raw = f["channel"] or f["top_channel"]
    if not raw:
        return ""
    label = _channel_label(raw)
    return " via " + _CHANNEL_PHRASES.get(label, f"the {label} channel")


def _recommend(f: dict) -> str:
    via = _channel_phrase(f)
    cat_raw = f["category"] or f["top_category"]
    cat = _category_label(cat_raw) if cat_raw else None
    cat_txt = f"{cat} " if cat else ""
    t = NAMING_THRESHOLDS
    if f["lifecycle"] == "new":
        # Most of a new segment may already have bought twice: then the next step is the
        # habit, not the second purchase.
        nudge = (
            "a reward for the next milestone order"
            if ge_finite(f["repeat_share"], t["new_repeat_share"])
            else "a second-purchase incentive"
        )
        text = (
            f"Onboard{via}: welcome series, loyalty-programme perks and {nudge} on "
            f"{cat or 'their first category'}."
        )
    elif f["lifecycle"] == "lapsed":
        text = (
            f"Win-back campaign{via}: a time-limited {cat_txt}offer and a reminder of "
            "loyalty benefits; suppress if there is no response."
        )
    elif f["lifecycle"] == "one-time":
        text = (
            f"Second-purchase offer{via}: a time-limited voucher on "
            f"{cat or 'their next order'} soon after the first purchase; most of this "
            "segment has bought only once."
        )
    elif f["tier"] in ("affluent", "high"):
        text = (
            f"Premium {cat_txt}offers, new arrivals and early access{via}; protect "
            "margin — reward with exclusivity rather than discounts."
        )
    elif f["household"] == "families":
        text = (
            f"Family bundles and discount vouchers on {cat or 'household staples'}{via}; "
            "multi-buy and kids-oriented offers."
        )
    elif f["tier"] in ("budget", "low"):
        text = f"Entry-price offers and discount vouchers{via} to grow basket size" + (
            f", starting with {cat}." if cat else "."
        )
    else:
        text = (
            f"Cross-sell {cat_txt}and adjacent categories{via}; encourage "
            "loyalty-programme enrolment."
        )
    if ge_finite(f["response"], t["responsive"]):
        text += " Campaign-responsive: prioritise in upcoming campaigns."
    elif le_finite(f["response"], t["unresponsive"]):
        text += " Low campaign response: reduce contact frequency."
    return text


def ge_finite(x: float, thr: float) -> bool:
    """``x >= thr`` for finite ``x`` (False for NaN)."""
    return bool(np.isfinite(x) and x >= thr)


def _lt_finite(x: float, thr: float) -> bool:
    """``x < thr`` for finite ``x`` (False for NaN)."""
    return bool(np.isfinite(x) and x < thr)


def le_finite(x: float, thr: float) -> bool:
    """``x <= thr`` for finite ``x`` (False for NaN)."""
    return bool(np.isfinite(x) and x <= thr)


def _reason(f: dict) -> str:
    # a dataset without incomes gives no income index: leave it out rather than print n/a
    income = (f", income {_fmt(f['income'])}"
              if f["income"] is not None and np.isfinite(f["income"]) else "")
    parts = [f"value tier {f['tier']} (spend {_fmt(f['spend'])}{income} of population)"]
    if f["stage"]:
        parts.append(f"life stage {f['stage']} (age {_fmt(f['age'])})")
    if f["household"]:
        mc = f["mean_children"]
        mc_txt = f", mean {mc:.2f}" if np.isfinite(mc) else ""
        parts.append(f"household {f['household']} (children {_fmt(f['children'])}{mc_txt})")
    if f["lifecycle"] == "one-time":
        share = 100 * f["repeat_share"]
        parts.append(f"lifecycle one-time ({share:.1f} % of its customers bought more than once)")
    elif f["lifecycle"]:
        parts.append(
            f"lifecycle {f['lifecycle']} (recency {_fmt(f['recency'])}, orders "
            f"{_fmt(f['orders'])}, loyalty {_fmt(f['loyalty'])}, response {_fmt(f['response'])})"
        )
    if f["category"]:
        parts.append(f"signature category {f['category']} (share lift {_fmt(f['category_lift'])})")
    if f["channel"]:
        basis = "purchase share" if f["channel_basis"] == "purchases" else "share"
        parts.append(f"signature channel {f['channel']} ({basis} lift {_fmt(f['channel_lift'])})")
    elif f["top_channel"]:
        parts.append(f"top channel {f['top_channel']}")
    return "; ".join(parts)
