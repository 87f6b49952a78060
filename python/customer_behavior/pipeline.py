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
        "fit_sample_size": read("segment_fit_sample_size", 200_000),
        "metric_sample_size": read("segment_metric_sample_size", 10_000),
    }


def k_selection(
    features: pd.DataFrame,
    *,
    pinned_k: int | None = None,
    k_min: int = 2,
    k_max: int = 8,
    random_state: int = 0,
    fit_sample_size: int = 200_000,
    metric_sample_size: int = 10_000,
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
    fit_sample_size: int = 200_000, **_: Any,
) -> pd.DataFrame:
    """The fitted model as data: scaling parameters and centroids, one row per segment and feature."""
    return seg.fit_segments(
        features, chosen_k(selection), random_state=random_state, fit_sample_size=fit_sample_size
    )


def customer_segment_assignments(features: pd.DataFrame, model: pd.DataFrame) -> pd.DataFrame:
    """Every customer's nearest centroid, computed from the stored model only."""
    return seg.assign_segments(features, model)


def segment_profiles(
    customers: pd.DataFrame, features: pd.DataFrame, assignments: pd.DataFrame
) -> pd.DataFrame:
    """Per-segment profile, with a name and a recommendation derived from it."""
    shares = features[["customer_id"] + [c for c in features.columns if c.startswith("share_")]]
    enriched = customers.merge(shares, on="customer_id", how="left")
    return seg.name_segments(seg.profile_segments(enriched, assignments))


def segment_stability(
    features: pd.DataFrame, selection: pd.DataFrame, *, random_state: int = 0, **_: Any
) -> pd.DataFrame:
    """Agreement of refits (other random states, bootstrap samples) with the reference fit."""
    return seg.segment_stability(features, chosen_k(selection), random_state=random_state)
