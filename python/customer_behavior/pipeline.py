"""Glue between the dbt Python models and the package.

Each dbt Python model under ``models/segments`` is three lines: read its refs, call one
function here, return the frame. Keeping the calls here means pytest reaches every line the
warehouse runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from customer_behavior import segmentation as seg


def _optional_int(value: Any) -> int | None:
    """dbt renders an unset var as '' or 'None'; anything else must be an integer."""
    if value is None or str(value).strip() in {"", "None", "none", "null"}:
        return None
    return int(str(value).strip())


def segment_settings(get: Callable[[str], Any] | Mapping[str, Any]) -> dict[str, Any]:
    """Read the segmentation settings (dbt vars passed through model config)."""
    getter = get.get if isinstance(get, Mapping) else get

    def read(name: str, default: int) -> int:
        value = _optional_int(getter(name))
        return default if value is None else value

    return {
        "pinned_k": _optional_int(getter("segment_k")),
        "k_min": read("segment_k_min", 2),
        "k_max": read("segment_k_max", 8),
        "random_state": read("segment_random_state", 0),
        "fit_sample_size": read("segment_fit_sample_size", 50_000),
        "metric_sample_size": read("segment_metric_sample_size", 5_000),
    }


def features_frame(relation: Any) -> pd.DataFrame:
    """segment_features as a DataFrame, through Arrow (a customer id and float columns):
    at a million customers that is ~4x faster than ``relation.df()``, and five models read it."""
    if isinstance(relation, pd.DataFrame):
        return relation
    return relation.order("customer_id").to_arrow_table().to_pandas()


def k_selection(
    features: pd.DataFrame,
    *,
    pinned_k: int | None = None,
    k_min: int = 2,
    k_max: int = 8,
    random_state: int = 0,
    fit_sample_size: int = 50_000,
    metric_sample_size: int = 5_000,
) -> pd.DataFrame:
    """One row per candidate k with its quality indices; ``is_chosen`` marks the k used.

    The rule in :func:`customer_behavior.segmentation.choose_k` chooses, unless the
    ``segment_k`` var pins k (which must then lie in the range scored).
    """
    n = len(features)
    k_max = min(k_max, max(n - 1, 2))
    if n < 3 or k_min > k_max:
        raise ValueError(
            f"segment_features has {n} customers: too few to segment with k in "
            f"{k_min}..{k_max}. Segmentation needs at least {k_min + 1} customers."
        )
    selection = seg.select_k(
        features,
        range(k_min, k_max + 1),
        random_state=random_state,
        fit_sample_size=fit_sample_size,
        metric_sample_size=metric_sample_size,
    )
    selection["chosen_by"] = "rule: " + (seg.choose_k.__doc__ or "").strip().splitlines()[0]
    if pinned_k is not None:
        if pinned_k not in set(selection["k"]):
            raise ValueError(
                f"var segment_k={pinned_k} lies outside the scored range "
                f"{k_min}..{k_max} (vars segment_k_min / segment_k_max)."
            )
        selection["is_chosen"] = selection["k"] == pinned_k
        selection["chosen_by"] = "pinned by var segment_k"
    return selection


def chosen_k(selection: pd.DataFrame) -> int:
    chosen = selection.loc[selection["is_chosen"].astype(bool), "k"]
    if len(chosen) != 1:
        raise ValueError(f"segment_k_selection must mark exactly one k as chosen, found {len(chosen)}")
    return int(chosen.iloc[0])


def segment_model(
    features: pd.DataFrame, selection: pd.DataFrame, *, random_state: int = 0,
    fit_sample_size: int = 50_000, **_: Any,
) -> pd.DataFrame:
    """The fitted model as data: scaling parameters and centroids, one row per segment and feature."""
    return seg.fit_segments(
        features, chosen_k(selection), random_state=random_state, fit_sample_size=fit_sample_size
    )


def customer_segment_assignments(features: pd.DataFrame, model: pd.DataFrame) -> pd.DataFrame:
    """Every customer's nearest centroid, computed from the stored model only."""
    return seg.assign_segments(features, model)


_NUMERIC_TYPE_PREFIXES = (
    "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
    "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "REAL", "DOUBLE", "DECIMAL",
)


def _projection(relation: Any, keep: Callable[[str, str], bool]) -> Any:
    """The DuckDB relation with only ``customer_id`` and the columns ``keep(name, type)`` accepts."""
    names = [
        name for name, dtype in zip(relation.columns, relation.types)
        if name == "customer_id" or keep(name, str(dtype).upper())
    ]
    return relation.project(", ".join('"' + n.replace('"', '""') + '"' for n in names))


def segment_profiles(customers: Any, features: Any, assignments: Any) -> pd.DataFrame:
    """Per-segment profile, with a name and a recommendation derived from it.

    Takes DataFrames or, from the dbt model, DuckDB relations: then DuckDB reads only the
    columns the profile uses (the numeric and boolean columns of the customers mart, the
    share columns of the features), joins and orders them, which at a million customers
    was most of the model's time.
    """
    if not isinstance(customers, pd.DataFrame):
        joined = (
            _projection(customers, lambda _, t: t.startswith(_NUMERIC_TYPE_PREFIXES))
            .join(_projection(features, lambda name, _: name.startswith("share_")), "customer_id", how="left")
            .join(_projection(assignments, lambda name, _: name == "segment_id"), "customer_id")
            .order("customer_id")
            .df()
        )
        enriched = joined.drop(columns=["segment_id"])
        return seg.name_segments(seg.profile_segments(enriched, joined[["customer_id", "segment_id"]]))
    shares = features[["customer_id"] + [c for c in features.columns if c.startswith("share_")]]
    enriched = customers.merge(shares, on="customer_id", how="left")
    enriched = _in_key_order(enriched, "customer_id")
    return seg.name_segments(seg.profile_segments(enriched, _in_key_order(assignments, "customer_id")))


def segment_stability(
    features: pd.DataFrame, selection: pd.DataFrame, *, random_state: int = 0, **_: Any
) -> pd.DataFrame:
    """Agreement of refits (other random states, bootstrap samples) with the reference fit."""
    return seg.segment_stability(features, chosen_k(selection), random_state=random_state)


# --- statistics and lifetime value (marts/statistics) -------------------------------------


def _in_key_order(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """DuckDB returns rows in no guaranteed order; bootstraps and sums must not depend on it."""
    return frame.sort_values(key, kind="mergesort", ignore_index=True)


def _orders_or_none(orders: pd.DataFrame | None) -> pd.DataFrame | None:
    """Datasets without order lines give an empty orders mart: the tests that need orders
    then report 'not_run' instead of running on nothing."""
    if orders is None or orders.empty or orders["order_date"].isna().all():
        return None
    return _in_key_order(orders, "order_id") if "order_id" in orders.columns else orders


def hypothesis_tests(customers: pd.DataFrame, orders: pd.DataFrame | None) -> pd.DataFrame:
    """One row per hypothesis of source documents 000, 003 and 004 (see statistics module)."""
    from customer_behavior import statistics

    return statistics.hypothesis_tests(
        _in_key_order(customers, "customer_id"), _orders_or_none(orders)
    )


def spend_drivers(customers: pd.DataFrame) -> pd.DataFrame:
    """Standardised effects of income, age, children … on total spend (document 004)."""
    from customer_behavior import statistics

    return statistics.spend_drivers(_in_key_order(customers, "customer_id"))


def correlation_matrix(customers: pd.DataFrame) -> pd.DataFrame:
    """Pairwise Pearson and Spearman correlations of the customer mart's key measures."""
    from customer_behavior import statistics

    columns = [
        c for c in (
            "annual_income", "age", "children_count", "loyalty_score", "order_count",
            "total_spend", "avg_order_value", "purchase_frequency_per_year", "recency_days",
            "tenure_days", "discounted_order_share", "campaigns_accepted",
        )
        if c in customers.columns and customers[c].notna().any()
    ]
    return statistics.correlation_matrix(_in_key_order(customers, "customer_id"), columns)


def lifetime_value(orders: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """BG/NBD + Gamma-Gamma lifetime value per customer, and the fitted parameters."""
    from customer_behavior import lifetime_value as ltv

    usable = _orders_or_none(orders)
    frame = (
        usable[["customer_id", "order_date", "amount"]]
        if usable is not None
        else pd.DataFrame({"customer_id": pd.Series(dtype=str),
                           "order_date": pd.Series(dtype="datetime64[ns]"),
                           "amount": pd.Series(dtype=float)})
    )
    frame = frame.assign(amount=frame["amount"].astype(float))
    per_customer, parameters = ltv.customer_lifetime_value(frame)
    # SQL-friendly names: the model works in weeks; "T" would need quoting in every query.
    per_customer = per_customer.rename(
        columns={"frequency": "repeat_purchase_weeks", "recency": "recency_weeks", "T": "age_weeks",
                 "monetary_value": "mean_repeat_purchase_value"}
    )
    return per_customer, parameters
