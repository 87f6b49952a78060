"""Glue between the dbt Python models and the package.

Each dbt Python model under ``models/segments`` is three lines: read its refs, call one
function here, return the frame. Keeping the calls here means pytest reaches every line the
warehouse runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

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


_NUMERIC_TYPE_PREFIXES = (
    "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
    "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "REAL", "DOUBLE", "DECIMAL",
)


def scaled_features(relation: Any, session: Any) -> seg.ScaledFeatures:
    """segment_features (a DuckDB relation on ``session``, the dbt model's connection) as
    :class:`~customer_behavior.segmentation.ScaledFeatures`, without the population in pandas.

    The scaler reads one column at a time (what a median needs, and no more); a sample
    reads only its own rows, numbered in customer-id order by DuckDB. The result equals
    ``ScaledFeatures.from_frame`` of the whole frame (the scaler after its rounding to 10
    decimals, as its sums run in DuckDB's row order; a test checks): at 5 M customers the
    whole frame was the build's memory peak, and at 1 M reading, sorting and scaling it
    cost ~2 s in each of the three models that sample it.
    """
    if isinstance(relation, pd.DataFrame):
        return seg.ScaledFeatures.from_frame(relation)
    types = dict(zip(relation.columns, (str(t).upper() for t in relation.types)))
    if seg.ID_COLUMN not in types:
        raise KeyError(f"features must have a '{seg.ID_COLUMN}' column")
    id_column = _quoted(seg.ID_COLUMN)
    n_rows, n_ids = relation.aggregate(f"count(*), count(distinct {id_column})").fetchone()
    if n_ids != n_rows:
        raise ValueError(f"'{seg.ID_COLUMN}' must be unique and not null in segment_features")

    def values_of(name: str) -> np.ndarray | None:
        if not types[name].startswith(_NUMERIC_TYPE_PREFIXES):
            return None
        column = relation.project(f"cast({_quoted(name)} as double)").to_arrow_table().column(0)
        return column.to_numpy()  # NULL -> NaN

    def rows_at(positions: np.ndarray) -> pd.DataFrame:
        view = "__segment_sample_positions"
        session.register(view, pa.table({"_position": np.asarray(positions, dtype="int64")}))
        try:
            sql = f"""
                with numbered as (
                    -- as text, the order segmentation._sorted_by_id gives a DataFrame
                    select
                        {id_column},
                        row_number() over (order by cast({id_column} as varchar)) - 1 as _position
                    from features
                ),
                picked as (
                    select numbered.* from numbered semi join {view} using (_position)
                )
                select features.*
                from features
                inner join picked using ({id_column})
                order by picked._position
            """
            return relation.query("features", sql).to_arrow_table().to_pandas()
        finally:
            session.unregister(view)

    return seg.ScaledFeatures.from_columns(relation.columns, values_of, n_rows, rows_at)


#: The columns and types of the segmentation tables when segment_features holds no customer,
#: as in ``dbt build --empty`` (dbt's schema-only dry run reads every ref as zero rows). The
#: tables are then written empty, with the types a build with customers gives them, so that
#: the models after them build and the warehouse's schema is the same (a test compares).
#: One to ``k_min`` customers is still an error (too few to segment).
EMPTY_SEGMENT_TABLES: dict[str, dict[str, str]] = {
    "segment_k_selection": {
        "k": "int64", "inertia": "float64", "silhouette": "float64",
        "calinski_harabasz": "float64", "davies_bouldin": "float64", "fit_rows": "int64",
        "metric_rows": "int64", "is_chosen": "bool", "chosen_by": "str",
    },
    # the model's columns in seg.MODEL_COLUMNS' order: the two texts, the integers, else floats
    "segment_model": {
        column: {"feature_name": "str", "transform": "str", "segment_id": "int64",
                 "feature_order": "int64", "k": "int64", "random_state": "int64",
                 "fit_rows": "int64"}.get(column, "float64")
        for column in seg.MODEL_COLUMNS
    },
    "customer_segment_assignments": {
        "customer_id": "str", "segment_id": "int64", "distance": "float64",
        "second_distance": "float64",
    },
    "segment_stability": {
        "run_id": "int64", "method": "str", "seed": "int64", "adjusted_rand_index": "float64",
        "rows": "int64", "k": "int64",
    },
}


def empty_segment_table(name: str) -> pd.DataFrame:
    """The segmentation table ``name`` with no rows (:data:`EMPTY_SEGMENT_TABLES`)."""
    return pd.DataFrame(
        {column: pd.Series(dtype=dtype) for column, dtype in EMPTY_SEGMENT_TABLES[name].items()}
    )


def k_selection(
    features: pd.DataFrame | seg.ScaledFeatures,
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
    n = features.n_rows if isinstance(features, seg.ScaledFeatures) else len(features)
    if n == 0:
        return empty_segment_table("segment_k_selection")
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
    selection["chosen_by"] = "rule: " + seg.CHOOSE_K_RULE
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
    features: pd.DataFrame | seg.ScaledFeatures, selection: pd.DataFrame, *, random_state: int = 0,
    fit_sample_size: int = 50_000, **_: Any,
) -> pd.DataFrame:
    """The fitted model as data: scaling parameters and centroids, one row per segment and
    feature (none when k selection scored no k: no customer to segment)."""
    if selection.empty:
        return empty_segment_table("segment_model")
    return seg.fit_segments(
        features, chosen_k(selection), random_state=random_state, fit_sample_size=fit_sample_size
    )


ASSIGNMENT_BATCH_ROWS = 250_000


def customer_segment_assignments(
    features: Any, model: pd.DataFrame, *, batch_rows: int = ASSIGNMENT_BATCH_ROWS
) -> pd.DataFrame:
    """Every customer's nearest centroid, computed from the stored model only.

    From a DuckDB relation (the dbt model) the customers are scored ``batch_rows`` at a time
    in customer-id order, reading only the id and the model's features: each row's segment
    depends on that row alone, so the result equals scoring the whole frame at once, while
    only one batch of features and distances is in memory (at 5 M customers the whole frame
    was the build's memory peak).
    """
    if model.empty:
        return empty_segment_table("customer_segment_assignments")
    if isinstance(features, pd.DataFrame):
        return seg.assign_segments(features, model)
    names = ["customer_id", *dict.fromkeys(model["feature_name"].dropna())]
    reader = (
        features.project(", ".join(map(_quoted, names)))
        .order("customer_id")
        .to_arrow_reader(batch_rows)
    )
    parts = [seg.assign_segments(batch.to_pandas(), model) for batch in reader]
    if not parts:
        return seg.assign_segments(features.limit(0).df(), model)
    return pd.concat(parts, ignore_index=True)


def _projection(relation: Any, keep: Callable[[str, str], bool]) -> Any:
    """The DuckDB relation with only ``customer_id`` and the columns ``keep(name, type)`` accepts."""
    names = [
        name for name, dtype in zip(relation.columns, relation.types)
        if name == "customer_id" or keep(name, str(dtype).upper())
    ]
    return relation.project(", ".join(map(_quoted, names)))


def segment_profiles(
    customers: Any, features: Any, assignments: Any, channel_purchases: Any = None
) -> pd.DataFrame:
    """Per-segment profile, with a name and a recommendation derived from it.

    Takes DataFrames or, from the dbt model, DuckDB relations: then DuckDB joins the numeric
    and boolean columns of the customers mart, the share columns of the features and the
    segment ids, and computes the profile's statistics per segment and for the population
    (one GROUPING SETS query), so k + 1 rows reach pandas instead of every customer.

    A flagged outlier income (``is_income_outlier``) counts as missing in the income mean and
    index, as in income_by_age_group, segment_features and the statistics; the share of such
    customers stays in the profile (``mean_is_income_outlier``).

    ``channel_purchases`` (``customer_id``, ``channel``, ``order_count``: the intermediate
    int_customer_channel_spend) is read only when the features have no channel shares, as
    for data that count purchases per channel without splitting spend by channel (iFood):
    then each customer's share of purchases per channel stands in for the spend share in the
    profile and its naming, never in the clustering, and ``channel_share_basis`` says which
    the profile's channel shares are ("spend", "purchases", or NULL without channels).
    """
    feature_columns = list(features.columns)
    basis = "spend" if any(c.startswith(seg.CHANNEL_PREFIX) for c in feature_columns) else None
    if not isinstance(customers, pd.DataFrame):
        numbers = _projection(customers, lambda _, t: t.startswith(_NUMERIC_TYPE_PREFIXES))
        if {"annual_income", "is_income_outlier"} <= set(numbers.columns):
            numbers = numbers.project(
                '* replace (case when "is_income_outlier" then null else "annual_income" end '
                'as "annual_income")'
            )
        shares = _projection(features, lambda name, _: name.startswith("share_"))
        if basis is None and channel_purchases is not None:
            purchase_shares = _purchase_shares_duckdb(features, channel_purchases)
            if purchase_shares is not None:
                shares, basis = shares.join(purchase_shares, "customer_id"), "purchases"
        assigned = _projection(assignments, lambda name, _: name == "segment_id")
        joined = numbers.join(shares, "customer_id", how="left").join(assigned, "customer_id")
        numeric = seg.ordered_columns(
            c for c in joined.columns if c not in ("customer_id", seg.SEGMENT_COLUMN)
        )
        # No assignment (no customer to segment): a profile without rows, not an error.
        anyone_assigned = assigned.aggregate("count(*)").fetchone()[0] > 0
        per_segment, population = _profile_statistics_duckdb(
            joined, numeric, allow_empty=not anyone_assigned)
        profile = seg.profile_from_statistics(per_segment, population, numeric)
    else:
        if {"annual_income", "is_income_outlier"} <= set(customers.columns):
            outlier = customers["is_income_outlier"].fillna(False).astype(bool)
            customers = customers.assign(annual_income=customers["annual_income"].mask(outlier))
        shares = features[["customer_id"] + [c for c in feature_columns if c.startswith("share_")]]
        if basis is None and channel_purchases is not None:
            purchase_shares = _purchase_shares(features["customer_id"], channel_purchases)
            if purchase_shares is not None:
                shares, basis = shares.merge(purchase_shares, on="customer_id"), "purchases"
        enriched = customers.merge(shares, on="customer_id", how="left")
        enriched = _in_key_order(enriched, "customer_id")
        profile = seg.profile_segments(enriched, _in_key_order(assignments, "customer_id"))
    profile.insert(profile.columns.get_loc("top_channel_share") + 1, "channel_share_basis",
                   [basis] * len(profile))
    return seg.name_segments(profile)


def _purchase_channels(channels: list[str]) -> list[str]:
    """The channels a purchase share is computed for: two or more, as for spend shares (a
    share over one channel is 1 for everyone who bought and says nothing about the mix)."""
    return sorted(channels) if len(channels) > 1 else []


def _purchase_shares(customer_ids: pd.Series, channel_purchases: pd.DataFrame) -> pd.DataFrame | None:
    """One row per customer of ``customer_ids``: ``share_channel_<x>`` = the customer's
    purchases through channel x / all their purchases (0 when unused or none)."""
    bought = channel_purchases[channel_purchases["order_count"].fillna(0) > 0]
    channels = _purchase_channels(bought["channel"].dropna().unique().tolist())
    if not channels:
        return None
    counts = bought.pivot_table(index="customer_id", columns="channel", values="order_count",
                                aggfunc="sum").reindex(columns=channels).fillna(0)
    counts = counts.astype("float64")
    shares = counts.div(counts.sum(axis=1), axis=0)
    shares.columns = [f"{seg.CHANNEL_PREFIX}{c}" for c in channels]
    out = pd.DataFrame({"customer_id": customer_ids}).merge(
        shares.reset_index(), on="customer_id", how="left")
    return out.fillna({c: 0.0 for c in shares.columns})


def _purchase_shares_duckdb(features: Any, channel_purchases: Any) -> Any:
    """:func:`_purchase_shares` as a DuckDB relation over the features' customers."""
    channels = _purchase_channels([
        row[0] for row in channel_purchases.query(
            "channel_purchases",
            "select distinct channel from channel_purchases "
            "where order_count > 0 and channel is not null",
        ).fetchall()
    ])
    if not channels:
        return None
    columns = [f"{seg.CHANNEL_PREFIX}{c}" for c in channels]
    sums = ", ".join(
        f"cast(sum(order_count) filter (where channel = {_string_literal(c)})"
        f" as double) / sum(order_count) as {_quoted(col)}"
        for c, col in zip(channels, columns, strict=True)
    )
    per_customer = channel_purchases.query(
        "channel_purchases",
        f"select customer_id, {sums} from channel_purchases where order_count > 0 "
        "group by customer_id",
    )
    ids = _projection(features, lambda name, _: False)
    return ids.join(per_customer, "customer_id", how="left").project(
        "customer_id, " + ", ".join(f"coalesce({_quoted(c)}, 0) as {_quoted(c)}" for c in columns)
    )


# Scale of the exact DECIMAL sums of the profile statistics: values are rounded to 1e-12
# (within a double's own precision for values over ~10,000, and 100 times finer than the
# profile's 10-decimal rounding in any case) and summed exactly, with room for sums up to 1e26.
_EXACT_SCALE = 12


def _exact_sum(expression: str) -> str:
    """SQL for the exact sum of a DOUBLE expression (NaN ignored, as pandas' sums do), as a
    DOUBLE: the value of an exact DECIMAL sum does not depend on the order of the rows, so it
    does not depend on how DuckDB's threads split them."""
    value = f"nullif({expression}, 'NaN'::double)"
    return f"cast(sum(cast({value} as decimal(38, {_EXACT_SCALE}))) as double)"


def _exact_mean(expression: str) -> str:
    return f"{_exact_sum(expression)} / count(nullif({expression}, 'NaN'::double))"


def _profile_statistics_duckdb(
    joined: Any, numeric: list[str], *, allow_empty: bool = False
) -> tuple[pd.DataFrame, pd.Series]:
    """:func:`segmentation.profile_statistics` as two DuckDB aggregations over ``joined``.

    Every sum is exact (``_exact_sum``), so two builds give the same profile bit for bit:
    with float sums, even Kahan-compensated ones (``favg``), the means depended on how
    DuckDB's threads split the rows, and at 1 M customers a mean moved by a few ulps between
    two runs on the same tables, enough to flip its 10th decimal. The first query gives the
    counts, means and sums per segment and for the population (GROUPING SETS); the second the
    population's standard deviations (ddof=0) as the exact sum of squared deviations from
    the exact mean.
    """
    def num(c: str) -> str:
        return f"cast({_quoted(c)} as double)"

    cols = set(numeric)
    exprs = ["count(*) as customer_count"]
    exprs += [f"{_exact_mean(num(c))} as {_quoted('mean__' + c)}" for c in numeric]
    if "total_spend" in cols:
        exprs.append(f"coalesce({_exact_sum(num('total_spend'))}, 0) as {seg.SPEND_SUM}")
    spreads = {
        f"std__{c}": num(c) for c in seg.KEY_METRICS.values() if c in cols
    }
    if {"campaigns_accepted", "campaigns_sent"} <= cols:
        acc, sent = num("campaigns_accepted"), num("campaigns_sent")
        exprs += [
            f"coalesce({_exact_sum(acc)}, 0) as {seg.ACCEPTED_SUM}",
            f"coalesce({_exact_sum(sent)}, 0) as {seg.SENT_SUM}",
        ]
        spreads[seg.RATE_STD] = f"{acc} / nullif({sent}, 0)"
    segment = _quoted(seg.SEGMENT_COLUMN)
    stats = joined.query(
        "profile_input",
        f"select {segment}, grouping({segment}) = 1 as is_population, {', '.join(exprs)} "
        f"from profile_input group by grouping sets (({segment}), ()) order by {segment}",
    ).df()
    is_population = stats.pop("is_population").astype(bool)
    population = stats[is_population].drop(columns=[seg.SEGMENT_COLUMN]).iloc[0]
    if population["customer_count"] == 0 and not allow_empty:
        raise ValueError("no customer in assignments matches customers")
    per_segment = stats[~is_population].astype({seg.SEGMENT_COLUMN: "int64"})
    per_segment = per_segment.set_index(seg.SEGMENT_COLUMN).astype("float64")
    population = population.astype("float64")
    if spreads:
        names = [_quoted(name) for name in spreads]
        values = [f"({expr}) as {name}" for expr, name in zip(spreads.values(), names)]
        means = [f"{_exact_mean(name)} as {name}" for name in names]
        deviations = [
            f"sqrt({_exact_mean(f'pow(v.{name} - m.{name}, 2)')}) as {name}" for name in names
        ]
        std = joined.query(
            "profile_input",
            f"with v as (select {', '.join(values)} from profile_input), "
            f"m as (select {', '.join(means)} from v) "
            f"select {', '.join(deviations)} from v, m",
        ).df()
        population = pd.concat([population, std.iloc[0].astype("float64")])
    return per_segment, population


def segment_stability(
    features: pd.DataFrame | seg.ScaledFeatures, selection: pd.DataFrame, *, random_state: int = 0, **_: Any
) -> pd.DataFrame:
    """Agreement of refits (other random states, bootstrap samples) with the reference fit
    (no row when k selection scored no k)."""
    if selection.empty:
        return empty_segment_table("segment_stability")
    return seg.segment_stability(features, chosen_k(selection), random_state=random_state)


# --- statistics and lifetime value (marts/statistics) -------------------------------------
#
# The dbt models pass DuckDB relations (``dbt.ref(...)``): DuckDB then reads only the columns
# a function uses, orders the rows, and for lifetime value aggregates the orders to one row
# per customer, so the whole marts never reach pandas (at a million customers / 9.2 M orders
# that was most of the build's memory).  DataFrames are still accepted (tests, notebooks).


def _in_key_order(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """DuckDB returns rows in no guaranteed order; bootstraps and sums must not depend on it."""
    return frame.sort_values(key, kind="mergesort", ignore_index=True)


def _is_frame(data: Any) -> bool:
    return data is None or isinstance(data, pd.DataFrame)


def _quoted(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _string_literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _read_in_key_order(relation: Any, columns: Any, key: str | None,
                       expressions: dict[str, str] | None = None) -> pd.DataFrame:
    """Those of ``columns`` the relation has, rows sorted by ``key`` in DuckDB: the rows, in
    the order, that ``_in_key_order`` gives the whole relation's DataFrame (keys are unique;
    DuckDB sorts text bytewise and NULLs last, as pandas does), without materialising the
    other columns, or the key itself unless it is asked for.  ``expressions`` reads a column
    as an SQL expression instead (the column keeps its name)."""
    names = [c for c in dict.fromkeys(columns) if c in relation.columns]
    if not names:
        names = [key] if key in relation.columns else list(relation.columns[:1])
    expressions = expressions or {}
    select = ", ".join(
        f"{expressions[c]} as {_quoted(c)}" if c in expressions else _quoted(c) for c in names
    )
    order = f" order by {_quoted(key)}" if key in relation.columns else ""
    return relation.query("stat_input", f"select {select} from stat_input{order}").df()


#: The orders' customer as an integer in customer-id order (NULL stays NULL): the
#: within-customer test only groups by it, and sorted groups of these codes are the sorted
#: groups of the ids.  At 1 M customers (9.2 M orders), `dbt run` of hypothesis_tests peaked
#: at 2.75 GB of RSS with the ids read as text and 2.36-2.44 GB with these codes, with the
#: same table (DECISIONLOG, Scale).
_CUSTOMER_CODE = (
    "case when customer_id is not null then dense_rank() over (order by customer_id) end"
)


def _orders_or_none(orders: pd.DataFrame | None) -> pd.DataFrame | None:
    """Datasets without order lines give an empty orders mart: the tests that need orders
    then report 'not_run' instead of running on nothing."""
    if orders is None or orders.empty or orders["order_date"].isna().all():
        return None
    return _in_key_order(orders, "order_id") if "order_id" in orders.columns else orders


def _hypothesis_orders(orders: Any) -> pd.DataFrame | None:
    """The orders relation reduced to what the hypothesis tests read, or None as
    ``_orders_or_none``: one aggregate finds which columns hold values, then only the
    needed ones (statistics.hypothesis_order_columns) are read, ordered by order_id."""
    from customer_behavior import statistics

    candidates = [
        c for c in ("customer_id", "quantity", "is_discounted", "discount_amount",
                    "discount_rate", "amount")
        if c in orders.columns
    ]
    counts = ", ".join(
        ["count(*)", f"count({_quoted('order_date')})"] + [f"count({_quoted(c)})" for c in candidates]
    )
    n_rows, n_dated, *filled = orders.query("stat_input", f"select {counts} from stat_input").fetchone()
    if n_rows == 0 or n_dated == 0:
        return None
    with_values = {c for c, n in zip(candidates, filled) if n > 0}
    return _read_in_key_order(orders, statistics.hypothesis_order_columns(with_values), "order_id",
                              expressions={"customer_id": _CUSTOMER_CODE})


def _statistics_customers(customers: Any, columns: Any) -> pd.DataFrame:
    """The customer mart (a DataFrame, or a DuckDB relation of which only ``columns`` are
    read) in customer_id order, with a flagged outlier income (``is_income_outlier``: the
    666,666 placeholders of the public data, the generator's planted ones) made missing, as
    income_by_age_group and segment_features leave it out: two such incomes among 2,500
    customers turned the demo's strongest driver of spend from income into age."""
    if _is_frame(customers):
        frame = _in_key_order(customers, "customer_id")
    else:
        frame = _read_in_key_order(customers, (*columns, "is_income_outlier"), "customer_id")
    if "is_income_outlier" not in frame.columns:
        return frame
    outlier = frame["is_income_outlier"].fillna(False).astype(bool).to_numpy()
    if "annual_income" in frame.columns and outlier.any():
        frame = frame.assign(annual_income=frame["annual_income"].mask(outlier))
    return frame.drop(columns="is_income_outlier")


def _season_category_counts(counts: Any, count_column: str) -> pd.DataFrame | None:
    """A season x product category count mart (category_seasonal_demand or
    category_demand_by_stated_season): its season, product_category and count columns in
    season, category order (a few dozen rows), or None when absent or empty."""
    columns = ["season", "product_category", count_column]
    if _is_frame(counts):
        if counts is None or counts.empty or not set(columns) <= set(counts.columns):
            return None
        frame = counts[columns]
    else:
        if not set(columns) <= set(counts.columns):
            return None
        sql = (f"select {', '.join(map(_quoted, columns))} from stat_input "
               "order by season, product_category")
        frame = counts.query("stat_input", sql).df()
        if frame.empty:
            return None
    return frame.sort_values(["season", "product_category"], kind="mergesort",
                             ignore_index=True)


def hypothesis_tests(customers: Any, orders: Any, seasonal_demand: Any = None,
                     stated_seasonal_demand: Any = None,
                     customer_season_lines: Any = None) -> pd.DataFrame:
    """One row per hypothesis of source documents 000, 003 and 004 (see statistics module).

    ``seasonal_demand`` and ``stated_seasonal_demand`` are the marts
    category_seasonal_demand and category_demand_by_stated_season (the season x product
    category counts of the seasonal test); None leaves that test not run.
    ``customer_season_lines`` (int_customer_season_category_lines: customer_id, season,
    product_category, order_line_count) lets the seasonal test on dated lines count each
    customer's lines together; None leaves that out."""
    from customer_behavior import statistics

    customers = _statistics_customers(customers, statistics.HYPOTHESIS_CUSTOMER_COLUMNS)
    orders = _orders_or_none(orders) if _is_frame(orders) else _hypothesis_orders(orders)
    return statistics.hypothesis_tests(
        customers, orders,
        seasonal_demand=_season_category_counts(seasonal_demand, "order_line_count"),
        stated_seasonal_demand=_season_category_counts(stated_seasonal_demand,
                                                       "purchase_count"),
        season_clusters=_season_clusters(customer_season_lines),
    )


#: Customers per batch when their season x category line counts are read from DuckDB
#: (each a list of cells; the batch becomes a sparse customers x cells matrix).
_SEASON_CLUSTER_BATCH = 250_000


def _season_clusters(lines: Any) -> Any:
    """For statistics.hypothesis_tests' ``season_clusters``: given the table's cells (season,
    product_category, row-major), sum_c y_c y_c' of each customer's order-line counts in
    them and the number of customers with any. From a frame, statistics.cell_count_cross;
    from a DuckDB relation, DuckDB lists each customer's cells and counts and the lists are
    read in batches into sparse matrices (integer sums: any order gives the same result;
    at a million customers no per-customer table reaches pandas)."""
    from scipy import sparse

    from customer_behavior import statistics

    if lines is None:
        return None
    if _is_frame(lines):
        def from_frame(cells: pd.DataFrame) -> tuple[np.ndarray, int]:
            units = lines.rename(columns={"customer_id": "cluster",
                                          "order_line_count": "count"})
            return statistics.cell_count_cross(units, cells)
        return from_frame

    def from_duckdb(cells: pd.DataFrame) -> tuple[np.ndarray, int]:
        values = ", ".join(
            f"({_string_literal(season)}, {_string_literal(category)}, {k})"
            for k, (season, category) in enumerate(cells.itertuples(index=False, name=None)))
        sql = (
            f"with cells (season, product_category, cell) as (values {values}) "
            "select list({'cell': cells.cell, 'n': lines.order_line_count}) as cells "
            "from season_lines as lines inner join cells "
            "on lines.season = cells.season and lines.product_category = cells.product_category "
            "group by lines.customer_id"
        )
        cross = np.zeros((len(cells), len(cells)), dtype=np.int64)
        clusters = 0
        reader = lines.query("season_lines", sql).to_arrow_reader(_SEASON_CLUSTER_BATCH)
        for batch in reader:
            lists = batch.column(0)
            pairs = lists.flatten()  # the batch's (cell, n) pairs, customer after customer
            offsets = lists.offsets.to_numpy(zero_copy_only=False).astype(np.int64)
            y = sparse.csr_matrix(
                (pairs.field("n").to_numpy(zero_copy_only=False).astype(np.int64),
                 pairs.field("cell").to_numpy(zero_copy_only=False).astype(np.int64),
                 offsets - offsets[0]),
                shape=(batch.num_rows, len(cells)))
            cross += (y.T @ y).toarray()
            clusters += batch.num_rows
        return cross, clusters
    return from_duckdb


def spend_drivers(customers: Any) -> pd.DataFrame:
    """Standardised effects of income, age, children … on total spend (document 004)."""
    from customer_behavior import statistics

    columns = ("total_spend", *statistics.DEFAULT_DRIVER_PREDICTORS)
    return statistics.spend_drivers(_statistics_customers(customers, columns))


_CORRELATION_COLUMNS = (
    "annual_income", "age", "children_count", "loyalty_score", "order_count",
    "total_spend", "avg_order_value", "purchase_frequency_per_year", "recency_days",
    "tenure_days", "discounted_order_share", "campaigns_accepted",
)


def correlation_matrix(customers: Any) -> pd.DataFrame:
    """Pairwise Pearson and Spearman correlations of the customer mart's key measures."""
    from customer_behavior import statistics

    customers = _statistics_customers(customers, _CORRELATION_COLUMNS)
    columns = [
        c for c in _CORRELATION_COLUMNS
        if c in customers.columns and customers[c].notna().any()
    ]
    return statistics.correlation_matrix(customers, columns)


def _lifetime_value_summary(orders: Any, calibration_end=None) -> pd.DataFrame:
    """Per-customer BG/NBD / Gamma-Gamma inputs (lifetime_value.SUMMARY_COLUMNS).

    From a DuckDB relation, DuckDB aggregates the orders to one row per customer
    (``customer_summary_duckdb``); from a DataFrame, pandas does (``customer_summary``, the
    reference).  No usable orders (none, or none dated) gives an empty summary.  With a
    ``calibration_end`` the summary describes the purchases up to it (customers who bought
    by then) and adds the holdout columns (lifetime_value.HOLDOUT_COLUMNS): the purchase
    days each customer had after it, and the holdout's length in weeks."""
    from customer_behavior import lifetime_value as ltv

    summary, holdout = None, None
    if _is_frame(orders):
        usable = _orders_or_none(orders)
        if usable is not None:
            frame = usable[["customer_id", "order_date", "amount"]]
            if calibration_end is not None:  # checks the date first
                holdout = ltv.holdout_purchase_days(frame, calibration_end)
            summary = ltv.customer_summary(
                frame.assign(amount=frame["amount"].astype(float)),
                observation_end=calibration_end,
            )
    else:
        # the date is checked first; undated orders give no summary, as from a frame
        dated = "select count(order_date) from ltv_orders"
        if calibration_end is not None and orders.query("ltv_orders", dated).fetchone()[0]:
            holdout = ltv.holdout_purchase_days_duckdb(orders, calibration_end)
        summary = ltv.customer_summary_duckdb(orders, observation_end=calibration_end)
    if summary is not None and not summary.empty:
        if holdout is None:
            return summary.assign(holdout_weeks=np.nan, holdout_purchase_days=np.nan)
        days, weeks = holdout
        days = summary[["customer_id"]].merge(days, on="customer_id", how="left",
                                              validate="one_to_one")
        return summary.assign(
            holdout_weeks=weeks,
            holdout_purchase_days=days["holdout_purchase_days"].to_numpy(dtype=float),
        )
    return ltv.empty_summary().assign(
        **{c: pd.Series(dtype="float64") for c in ltv.HOLDOUT_COLUMNS}
    )


# The model's inputs under SQL-friendly names (the model works in weeks; "T" would need
# quoting in every query): int_customer_lifetime_value_inputs and customer_lifetime_value.
_LIFETIME_VALUE_SQL_NAMES = {
    "frequency": "repeat_purchase_weeks",
    "recency": "recency_weeks",
    "T": "age_weeks",
    "monetary_value": "mean_repeat_purchase_value",
}


def lifetime_value_inputs(orders: Any, calibration_end: Any = None) -> pd.DataFrame:
    """The per-customer BG/NBD / Gamma-Gamma inputs, one row per customer sorted by
    customer_id, under SQL-friendly names: the table int_customer_lifetime_value_inputs,
    which both lifetime-value models read, so the orders are summarised once per build.
    ``calibration_end`` (a date; dbt var lifetime_value_calibration_end, empty = none) fits
    the models on the purchases up to it and fills the holdout columns."""
    if calibration_end in (None, ""):
        calibration_end = None
    else:
        try:
            calibration_end = pd.Timestamp(str(calibration_end)).normalize()
        except ValueError as error:
            raise ValueError(
                f"var lifetime_value_calibration_end: {calibration_end!r} is not a date "
                "(expected YYYY-MM-DD, or empty for no holdout check)"
            ) from error
    return _lifetime_value_summary(orders, calibration_end).rename(
        columns=_LIFETIME_VALUE_SQL_NAMES
    )


def _summary_from_inputs(inputs: Any) -> pd.DataFrame:
    """``lifetime_value_inputs`` (a DataFrame, or the table as a DuckDB relation) back as the
    summary the fits take, rows in customer_id order: the order, and float64 values, it was
    written in, so both models fit the same arrays (and the second reuses the first fit)."""
    if not _is_frame(inputs):
        from customer_behavior import lifetime_value as ltv

        columns = [
            _LIFETIME_VALUE_SQL_NAMES.get(c, c)
            for c in [*ltv.SUMMARY_COLUMNS, *ltv.HOLDOUT_COLUMNS]
        ]
        inputs = _read_in_key_order(inputs, columns, "customer_id")
    return inputs.rename(columns={v: k for k, v in _LIFETIME_VALUE_SQL_NAMES.items()})


def lifetime_value_from_inputs(inputs: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """BG/NBD + Gamma-Gamma lifetime value per customer, and the fitted parameters, from
    :func:`lifetime_value_inputs`."""
    from customer_behavior import lifetime_value as ltv

    per_customer, parameters = ltv.lifetime_value_from_summary(_summary_from_inputs(inputs))
    return per_customer.rename(columns=_LIFETIME_VALUE_SQL_NAMES), parameters


def lifetime_value_parameters_from_inputs(inputs: Any) -> pd.DataFrame:
    """The fitted parameters of :func:`lifetime_value_from_inputs` without the per-customer
    predictions. Fitting the same inputs in the same process again reuses the fit
    (``lifetime_value.fit_models``), so the two dbt models fit once per build."""
    from customer_behavior import lifetime_value as ltv

    return ltv.lifetime_value_parameters(_summary_from_inputs(inputs))


def lifetime_value(orders: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """BG/NBD + Gamma-Gamma lifetime value per customer, and the fitted parameters."""
    return lifetime_value_from_inputs(lifetime_value_inputs(orders))


def lifetime_value_parameters(orders: Any) -> pd.DataFrame:
    """The fitted parameters of :func:`lifetime_value` without the per-customer predictions."""
    return lifetime_value_parameters_from_inputs(lifetime_value_inputs(orders))
