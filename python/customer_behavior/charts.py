"""matplotlib charts of the marts, written as PNG (SPEC "Charts and report").

Two layers:

* **Chart functions** (``income_by_age_group_chart`` …) take DataFrames shaped like the marts
  and a path, draw one figure and write one PNG. They know nothing about DuckDB, so pytest
  reaches them with small frames. A function raises :class:`ChartSkipped` when its frames hold
  nothing to draw (for example no order dates, so no months).
* **The registry** :data:`CHARTS` says, per chart, which warehouse tables it reads.
  :func:`load_tables` is the one place that reads the warehouse (read-only, through the
  queries in :data:`TABLE_QUERIES`), and :func:`render_charts` draws every chart whose
  tables exist and are non-empty, and records the others as skipped with the reason, in a
  ``charts.json`` manifest beside the PNGs.

Every chart is titled, labels its axes with units, uses thousands separators, sorts
unordered categories by value, and draws with the Okabe–Ito colour-blind-safe palette
(viridis / cividis / a red–blue diverging map for heatmaps).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, PercentFormatter

from customer_behavior.statistics import effect_size_label, missing_interval_text

__all__ = [
    "CHARTS",
    "TABLE_QUERIES",
    "ChartSkipped",
    "ChartSpec",
    "chart_sources",
    "load_tables",
    "render_charts",
    "state_label",
]

DPI = 110
# Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies.
PALETTE = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
]
GREY = "#8c8c8c"
MONEY = "currency units"
MAX_SCATTER_POINTS = 10_000
MAX_DEMOGRAPHIC_BARS = 12  # a demographic panel shows at most this many groups
MIN_CELL_CUSTOMERS = 10  # grouped bars leave out smaller cells (too noisy to read)
SMALL_GROUP_COLOUR = "#bbbbbb"  # bars of groups under MIN_CELL_CUSTOMERS
MAX_HEATMAP_ROWS = 24  # category heatmaps show the categories with most spend
MAX_HEATMAP_COLUMNS = 14  # and the regions with most spend
MIN_HOLIDAY_CELL_ORDERS = 10  # holiday heatmap greys cells of fewer orders with the category
# The region x category lift colours reach their deepest no nearer to x1 than this either way:
# the lift within which the report calls the regions' mixes alike (report.REGION_MIX_ALIKE_LIFT),
# so that lifts of x0.89-x1.11 (the demo data) are not drawn in the deepest red and blue
# under a sentence saying the regions buy much the same mix.
REGION_LIFT_COLOUR_MIN = 1.2

_RC = {
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "font.size": 10,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
}


# Words a state's name keeps lower-case inside it ("District of Columbia", "Jammu and Kashmir",
# "Rio de Janeiro", "Mato Grosso do Sul").
_STATE_NAME_MINOR_WORDS = frozenset({"and", "of", "the", "de", "del", "da", "das", "do", "dos"})


def state_label(value) -> str:
    """How a state is printed, in the charts and the report alike, where the warehouse keeps
    staging's lower-case text ('tx', 'new york', as every text column, so that 'TX' and 'tx'
    are one state): a two-letter code as codes are known, upper-case ('TX'); a name in title
    case, its joining words lower-case inside it ('New York', 'District of Columbia',
    'Uttar Pradesh'); 'unknown', a single letter or anything with a digit as stored."""
    text = str(value)
    if re.fullmatch(r"[a-z]{2}", text):
        return text.upper()
    if text == "unknown" or not re.fullmatch(r"[^\W\d_]{3,}(?:[\s&.'-]+[^\W\d_]+)*\.?", text):
        return text

    def word(match: re.Match) -> str:
        w = match.group(0)
        first = match.start() == 0
        return w if not first and w in _STATE_NAME_MINOR_WORDS else w[:1].upper() + w[1:]

    return re.sub(r"[^\W\d_]+", word, text)


def segment_colour(segment_id) -> str:
    """The same colour for a segment in every chart (segment 1 = blue, 2 = orange, …)."""
    try:
        return PALETTE[(int(segment_id) - 1) % len(PALETTE)]
    except (TypeError, ValueError):
        return GREY


class ChartSkipped(Exception):
    """The data hold nothing this chart can draw; the message says why."""


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------
def _fmt_number(x: float, _pos=None) -> str:
    """Thousands separators; decimals only for small numbers."""
    if x is None or not np.isfinite(x):
        return ""
    if abs(x) >= 100 or float(x).is_integer():
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:,.1f}"
    return f"{x:,.2f}"


def _compact(x: float) -> str:
    """12,345 -> 12.3k; 1,234,567 -> 1.23M (cell labels)."""
    if x is None or not np.isfinite(x):
        return ""
    a = abs(x)
    if a >= 1e6:
        return f"{x / 1e6:,.2f}M"
    if a >= 1e4:
        return f"{x / 1e3:,.1f}k"
    return _fmt_number(x)


THOUSANDS = FuncFormatter(_fmt_number)
COMPACT = FuncFormatter(lambda x, _pos=None: _compact(x))


def _figure(width: float = 9.0, height: float = 5.5, ncols: int = 1, nrows: int = 1, **kw):
    with plt.rc_context(_RC):
        fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), **kw)
    return fig, axes


def _save(fig, path: Path | str, title: str, subtitle: str | None = None) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    height = fig.get_figheight()
    with plt.rc_context(_RC):
        fig.text(0.01, 1 - 0.1 / height, title, fontsize=14, fontweight="bold",
                 ha="left", va="top")
        if subtitle:
            fig.text(0.01, 1 - 0.38 / height, subtitle, fontsize=9.5, color="#444444",
                     ha="left", va="top")
        fig.tight_layout(rect=(0, 0, 1, 1 - (0.66 if subtitle else 0.42) / height))
        fig.savefig(path, dpi=DPI, facecolor="white")
    plt.close(fig)
    return path


def _apply_rc(ax) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(True, alpha=0.3)
    ax.set_axisbelow(True)


def _require(frame: pd.DataFrame | None, columns: list[str], what: str) -> pd.DataFrame:
    if frame is None or len(frame) == 0:
        raise ChartSkipped(f"no rows for {what}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ChartSkipped(f"{what} lacks columns {missing}")
    return frame


def _num(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype("float64")


def _text_colour(value: float, vmin: float, vmax: float, cmap) -> str:
    if not np.isfinite(value) or vmax == vmin:
        return "black"
    r, g, b, _ = cmap((value - vmin) / (vmax - vmin))
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "white"


def _heatmap(ax, grid: pd.DataFrame, cmap, labels: pd.DataFrame | None = None, norm=None,
             vmin=None, vmax=None, colorbar_label: str = "", fig=None, fmt=_compact):
    values = grid.to_numpy(dtype="float64")
    finite = values[np.isfinite(values)]
    lo = vmin if vmin is not None else (finite.min() if finite.size else 0.0)
    hi = vmax if vmax is not None else (finite.max() if finite.size else 1.0)
    cm = plt.get_cmap(cmap).with_extremes(bad="#eeeeee")
    masked = np.ma.masked_invalid(values)
    image = ax.imshow(masked, cmap=cm, aspect="auto", norm=norm,
                      vmin=None if norm else lo, vmax=None if norm else hi)
    ax.set_xticks(range(grid.shape[1]), [str(c) for c in grid.columns], rotation=30, ha="right")
    ax.set_yticks(range(grid.shape[0]), [str(i) for i in grid.index])
    ax.grid(False)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            v = values[i, j]
            text = labels.iat[i, j] if labels is not None else ("" if not np.isfinite(v) else fmt(v))
            if text == "":
                continue
            colour_value = norm(v) if norm is not None else v
            colour = (
                _text_colour(colour_value, 0, 1, cm) if norm is not None
                else _text_colour(v, lo, hi, cm)
            )
            ax.text(j, i, text, ha="center", va="center", fontsize=8.5, color=colour)
    if fig is not None:
        bar = fig.colorbar(image, ax=ax, fraction=0.046, pad=0.02)
        bar.set_label(colorbar_label)
        bar.ax.yaxis.set_major_formatter(THOUSANDS)
    return image


def _log2_heatmap(fig, ax, colour: pd.DataFrame, labels: pd.DataFrame,
                  colorbar_label: str, min_bound: float = 0.1):
    """A heatmap of log2 ratios (lifts, indices) on a red-blue scale centred on 0 and
    symmetric (x2 and x0.5 equally far), with its colour bar. The scale reaches at least
    ``min_bound`` either side, so that small departures are not drawn as deep colours."""
    values = colour.to_numpy(dtype="float64")
    bound = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 1.0
    bound = max(bound, min_bound)
    image = _heatmap(ax, colour, "RdBu_r", labels=labels,
                     norm=TwoSlopeNorm(vmin=-bound, vcenter=0, vmax=bound))
    bar = fig.colorbar(image, ax=ax, fraction=0.046, pad=0.02)
    bar.set_label(colorbar_label)
    return image


def _bar_labels(ax, bars, values, fmt=_fmt_number, horizontal=False) -> None:
    for bar, value in zip(bars, values, strict=False):
        if value is None or not np.isfinite(value):
            continue
        if horizontal:
            ax.annotate(fmt(value), (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                        xytext=(3, 0), textcoords="offset points", va="center", fontsize=8.5)
        else:
            ax.annotate(fmt(value), (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        xytext=(0, 2), textcoords="offset points", ha="center", fontsize=8.5)


def _pct(x: float, digits: int = 0) -> str:
    return f"{100 * x:.{digits}f} %"


def _ordered(frame: pd.DataFrame, order_col: str | None, value_col: str,
             ascending: bool = False) -> pd.DataFrame:
    if order_col and order_col in frame.columns and frame[order_col].notna().any():
        return frame.sort_values([order_col, value_col], ascending=[True, ascending])
    return frame.sort_values(value_col, ascending=ascending)


def _label(text: str) -> str:
    return str(text).replace("_", " ")


# --------------------------------------------------------------------------------------
# chart functions: DataFrames in, one PNG out
# --------------------------------------------------------------------------------------
def income_by_age_group_chart(income: pd.DataFrame, path: Path | str) -> Path:
    """Median income per age group with the interquartile range, and the mean."""
    cols = ["age_group", "age_group_order", "income_customer_count", "mean_income",
            "income_p25", "median_income", "income_p75"]
    df = _require(income, cols, "income by age group").copy()
    df = df[_num(df["income_customer_count"]) > 0].sort_values("age_group_order")
    if df.empty or df["median_income"].isna().all():
        raise ChartSkipped("no customer has a reported income")
    fig, ax = _figure(9, 5.5)
    x = np.arange(len(df))
    med = _num(df["median_income"]).to_numpy()
    lo = med - _num(df["income_p25"]).to_numpy()
    hi = _num(df["income_p75"]).to_numpy() - med
    small = (_num(df["income_customer_count"]) < MIN_CELL_CUSTOMERS).to_numpy()
    bars = ax.bar(x, med, color=[SMALL_GROUP_COLOUR if s else PALETTE[0] for s in small],
                  width=0.62, label="median")
    ax.errorbar(x, med, yerr=[lo, hi], fmt="none", ecolor="#333333", capsize=5, lw=1.2,
                label="interquartile range (25th–75th percentile)")
    ax.scatter(x, _num(df["mean_income"]), color=PALETTE[1], zorder=3, s=36, marker="D",
               label="mean")
    ax.set_xticks(x, [f"{g}\n(n = {int(n):,})" for g, n in
                      zip(df["age_group"], df["income_customer_count"], strict=True)])
    ax.set_xlabel("Age group (customers with a reported, non-outlier income)")
    ax.set_ylabel(f"Annual income ({MONEY})")
    ax.yaxis.set_major_formatter(THOUSANDS)
    for bar, value in zip(bars, med, strict=True):
        if np.isfinite(value):
            ax.text(bar.get_x() + bar.get_width() / 2, value * 0.04, _compact(value),
                    ha="center", va="bottom", fontsize=8.5, color="white", fontweight="bold")
    ax.legend(loc="upper left")
    return _save(fig, path, "Annual income by age group",
                 "Median with interquartile range; diamonds mark the mean"
                 + (f"; grey = fewer than {MIN_CELL_CUSTOMERS} customers" if small.any() else ""))


def loyalty_vs_spend_chart(customers: pd.DataFrame, path: Path | str,
                           correlations: pd.DataFrame | None = None) -> Path:
    """Scatter of loyalty score against total spend, one colour per age group."""
    df = _require(customers, ["loyalty_score", "total_spend", "age_group", "age_group_order"],
                  "customers").copy()
    df["loyalty_score"] = _num(df["loyalty_score"])
    df["total_spend"] = _num(df["total_spend"])
    df = df.dropna(subset=["loyalty_score", "total_spend"])
    if df.empty:
        raise ChartSkipped("no customer has a loyalty score")
    groups = (df.groupby(["age_group_order", "age_group"], dropna=False).size()
              .reset_index().sort_values("age_group_order"))
    # distinct colour-blind-safe hues (shades of one colour map could not be told apart),
    # grey for customers of unknown age
    known = groups[groups["age_group"] != "unknown"]
    hues = (PALETTE if len(known) <= len(PALETTE)
            else plt.get_cmap("viridis")(np.linspace(0, 0.92, len(known))))
    colour_of = dict(zip(known["age_group"], hues, strict=False))
    fig, ax = _figure(9.5, 6)
    for _, row in groups.iterrows():
        part = df[df["age_group"] == row["age_group"]]
        ax.scatter(part["loyalty_score"], part["total_spend"], s=9, alpha=0.6,
                   color=colour_of.get(row["age_group"], GREY),
                   label=f"{row['age_group']} (n = {len(part):,})", linewidths=0)
    ax.set_xlabel("Loyalty score (1–10)")
    ax.set_ylabel(f"Total spend per customer ({MONEY}, log scale)")
    # spend is right-skewed: on a linear axis most customers pile up near zero
    ax.set_yscale("symlog", linthresh=10)
    ax.yaxis.set_major_formatter(THOUSANDS)
    ax.legend(title="Age group", loc="upper left", markerscale=2.5, fontsize=8.5)
    subtitle = "One dot per customer"
    if correlations is not None and len(correlations) and "spearman_correlation" in correlations:
        overall = correlations[correlations["age_group"] == "all"]
        if len(overall) and pd.notna(overall["spearman_correlation"].iloc[0]):
            rho = float(overall["spearman_correlation"].iloc[0])
            n = int(overall["scored_customer_count"].iloc[0])
            subtitle += f"; Spearman rho = {rho:.2f} over {n:,} customers with a score"
    return _save(fig, path, "Loyalty score vs total spend, by age group", subtitle)


def region_frequency_heatmap(grid: pd.DataFrame, path: Path | str) -> Path:
    """Region × age group: mean orders per year observed.

    Data without order dates (Diwali's sales) have no orders per year
    (``mean_purchase_frequency_per_year`` is NULL throughout); the chart then shows the mean
    orders per customer over the whole data (``mean_orders_per_customer``) and says so in its
    title, colour bar and subtitle. Cells with fewer than ``MIN_CELL_CUSTOMERS`` customers are
    greyed out with their count and kept out of the colour scale (one customer's rate would
    set it). Regions are ordered by their customers' mean (weighted by each cell's customer
    count).
    """
    rate, count = "mean_purchase_frequency_per_year", "mean_orders_per_customer"
    cols = ["region", "age_group", "age_group_order", "customer_count"]
    df = _require(grid, cols, "purchase frequency by region and age group").copy()
    per_year = rate in df.columns and _num(df[rate]).notna().any()
    if not per_year and not (count in df.columns and _num(df[count]).notna().any()):
        why = [f"{c} is empty" if c in df.columns else f"there is no column {c}"
               for c in (rate, count)]
        raise ChartSkipped(f"no purchase frequencies to draw: {' and '.join(why)}")
    df["value"] = _num(df[rate if per_year else count])
    df["customer_count"] = _num(df["customer_count"]).fillna(0)
    if df["region"].nunique() == 1 and df["age_group"].nunique() == 1:
        raise ChartSkipped("a single region × age-group cell (the data give neither region "
                           "nor age)")
    if (df["region"] == "unknown").all():
        # one 'unknown' row under a title "by region" (shopping trends, iFood), as the
        # region × category chart: the report says the data give no region
        raise ChartSkipped("the data give no region for any customer")
    ages = df.drop_duplicates("age_group").sort_values("age_group_order")["age_group"].tolist()
    known = df.dropna(subset=["value"])
    region_order = (
        (known["value"] * known["customer_count"]).groupby(known["region"]).sum()
        / known.groupby("region")["customer_count"].sum()
    ).sort_values(ascending=False).index
    small = df["customer_count"] < MIN_CELL_CUSTOMERS
    df["shown"] = df["value"].where(~small)
    df["label"] = [
        (f"n = {int(n)}" if n > 0 else "") if is_small else ("" if pd.isna(v) else f"{v:.1f}")
        for v, n, is_small in zip(df["value"], df["customer_count"], small, strict=True)
    ]
    pivot = df.pivot_table(index="region", columns="age_group", values="shown", aggfunc="first",
                           dropna=False).reindex(index=region_order, columns=ages)
    labels = df.pivot_table(index="region", columns="age_group", values="label",
                            aggfunc="first").reindex(index=region_order, columns=ages).fillna("")
    fig, ax = _figure(max(8, 1.1 * len(ages) + 3), max(4, 0.55 * len(pivot) + 2))
    grey = f"grey = fewer than {MIN_CELL_CUSTOMERS} customers in the cell (count shown)"
    if per_year:
        _heatmap(ax, pivot, "viridis", labels=labels, fig=fig,
                 colorbar_label="Mean orders per customer per year")
        ax.set_xlabel("Age group")
        ax.set_ylabel("Region (highest mean frequency first)")
        return _save(fig, path, "Purchase frequency by region and age group",
                     f"Mean orders per customer per year observed; {grey}")
    _heatmap(ax, pivot, "viridis", labels=labels, fig=fig,
             colorbar_label="Mean orders per customer (whole data)")
    ax.set_xlabel("Age group")
    ax.set_ylabel("Region (most orders per customer first)")
    return _save(fig, path, "Orders per customer by region and age group",
                 "Mean orders per customer over the whole data, not per year: the data carry "
                 f"no order dates; {grey}")


def channel_category_heatmap(spend: pd.DataFrame, path: Path | str) -> Path:
    """Channel × product category: spend, with each cell's share of the channel."""
    cols = ["channel", "product_category", "spend", "share_of_channel_spend"]
    df = _require(spend, cols, "channel product spend").copy()
    df["spend"] = _num(df["spend"])
    rows = df.groupby("channel")["spend"].sum().sort_values(ascending=False).index
    columns = df.groupby("product_category")["spend"].sum().sort_values(ascending=False).index
    pivot = df.pivot_table(index="channel", columns="product_category", values="spend",
                           aggfunc="sum").reindex(index=rows, columns=columns)
    share = df.pivot_table(index="channel", columns="product_category",
                           values="share_of_channel_spend", aggfunc="sum"
                           ).reindex(index=rows, columns=columns)
    labels = pd.DataFrame(
        [[("" if not np.isfinite(v) else f"{_compact(v)}\n{_pct(s)}")
          for v, s in zip(pivot.iloc[i].to_numpy(float), share.iloc[i].to_numpy(float),
                          strict=True)]
         for i in range(len(pivot))], index=pivot.index, columns=pivot.columns)
    fig, ax = _figure(max(8, 1.2 * len(columns) + 3), max(4, 0.7 * len(rows) + 2))
    _heatmap(ax, pivot, "cividis", labels=labels, fig=fig, colorbar_label=f"Spend ({MONEY})")
    ax.set_xlabel("Product category (largest total spend first)")
    ax.set_ylabel("Channel (largest total spend first)")
    return _save(fig, path, "Spend by channel and product category",
                 "Cell: spend and its share of the channel's spend")


def channel_mix_value_chart(mix: pd.DataFrame, path: Path | str) -> Path:
    """Mean spend per customer for each channel mix; catalog mixes highlighted."""
    cols = ["channel_mix", "customer_count", "mean_total_spend", "has_catalog_purchase"]
    df = _require(mix, cols, "customer value by channel mix").copy()
    df["mean_total_spend"] = _num(df["mean_total_spend"])
    df = df.dropna(subset=["mean_total_spend"]).sort_values("mean_total_spend")
    df = df.tail(15)
    fig, ax = _figure(9.5, max(4, 0.42 * len(df) + 1.8))
    colours = [PALETTE[1] if bool(c) else PALETTE[0] for c in df["has_catalog_purchase"]]
    bars = ax.barh([f"{m} (n = {int(n):,})" for m, n in
                    zip(df["channel_mix"], df["customer_count"], strict=True)],
                   df["mean_total_spend"], color=colours)
    _bar_labels(ax, bars, df["mean_total_spend"].to_numpy(), horizontal=True)
    ax.xaxis.set_major_formatter(THOUSANDS)
    ax.set_xlabel(f"Mean total spend per customer ({MONEY})")
    ax.set_ylabel("Channels the customer bought through")
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=PALETTE[1], label="includes catalog"),
                       Patch(color=PALETTE[0], label="no catalog")], loc="lower right")
    return _save(fig, path, "Customer value by channel mix",
                 "Mean total spend of the customers who bought through exactly these channels")


DEMOGRAPHIC_DIMENSIONS = ["gender", "marital_status", "education", "occupation", "region",
                          "state", "age_group"]


def demographic_spend_chart(demographics: pd.DataFrame, path: Path | str) -> Path:
    """One small bar panel per demographic dimension: mean spend per customer."""
    cols = ["dimension", "dimension_value", "dimension_value_order", "customer_count",
            "mean_total_spend"]
    df = _require(demographics, cols, "demographic spend").copy()
    df["mean_total_spend"] = _num(df["mean_total_spend"])
    dims = [d for d in DEMOGRAPHIC_DIMENSIONS if d in set(df["dimension"])]
    dims += sorted(set(df["dimension"]) - set(dims))
    # A dimension with a single value (e.g. everyone 'unknown') says nothing.
    dims = [d for d in dims if df.loc[df["dimension"] == d, "dimension_value"].nunique() > 1]
    if not dims:
        raise ChartSkipped("every demographic dimension has a single value")
    ncols = 2 if len(dims) > 1 else 1
    nrows = math.ceil(len(dims) / ncols)
    fig, axes = _figure(11, 2.9 * nrows + 0.8, ncols=ncols, nrows=nrows, squeeze=False)
    overall = (df.groupby("dimension").apply(
        lambda g: (g["mean_total_spend"] * g["customer_count"]).sum() / g["customer_count"].sum(),
        include_groups=False))
    for ax, dim in zip(axes.flat, dims, strict=False):
        part = df[df["dimension"] == dim]
        shown = ""
        if len(part) > MAX_DEMOGRAPHIC_BARS:
            # the largest groups, not the top spenders: the panel must show both ends
            shown = f" (the {MAX_DEMOGRAPHIC_BARS} with most customers, of {len(part)})"
            part = part.nlargest(MAX_DEMOGRAPHIC_BARS, "customer_count")
        if dim == "age_group":
            part = part.sort_values("dimension_value_order", ascending=False)
        else:
            part = part.sort_values("mean_total_spend")
        names = part["dimension_value"].map(state_label if dim == "state" else str)
        bars = ax.barh([f"{v} ({int(n):,})" for v, n in
                        zip(names, part["customer_count"], strict=True)],
                       part["mean_total_spend"], color=PALETTE[0])
        _bar_labels(ax, bars, part["mean_total_spend"].to_numpy(), horizontal=True)
        ax.axvline(overall.get(dim, np.nan), color=PALETTE[5], lw=1.2, ls="--")
        ax.set_title(_label(dim).capitalize() + shown, fontsize=11, loc="left")
        ax.xaxis.set_major_formatter(THOUSANDS)
        ax.set_xlabel(f"Mean spend per customer ({MONEY})", fontsize=9)
        ax.tick_params(axis="y", labelsize=8.5)
        ax.margins(x=0.15)
        _apply_rc(ax)
    for ax in list(axes.flat)[len(dims):]:
        ax.set_visible(False)
    return _save(fig, path, "Spend by demographic group",
                 "Mean total spend per customer (customers in brackets); dashed line = all customers")


def age_gender_spend_chart(grid: pd.DataFrame, path: Path | str) -> Path:
    """Grouped bars: mean spend per customer by age group and gender."""
    cols = ["age_group", "gender", "age_group_order", "customer_count", "mean_total_spend"]
    df = _require(grid, cols, "spend by age group and gender").copy()
    df["mean_total_spend"] = _num(df["mean_total_spend"])
    small = df["customer_count"] < MIN_CELL_CUSTOMERS
    df = df[~small]
    if df.empty:
        raise ChartSkipped(f"no age group × gender cell has {MIN_CELL_CUSTOMERS} customers")
    if len(df) == 1:
        raise ChartSkipped("a single age group × gender cell (the data give neither age nor "
                           "gender)")
    for column, what in (("gender", "gender"), ("age_group", "age")):
        if set(df[column].astype(str)) == {"unknown"}:
            raise ChartSkipped(f"the data give no {what} for any customer")
    ages = df.drop_duplicates("age_group").sort_values("age_group_order")["age_group"].tolist()
    genders = (df.groupby("gender")["customer_count"].sum().sort_values(ascending=False)
               .index.tolist())
    pivot = df.pivot_table(index="age_group", columns="gender", values="mean_total_spend",
                           aggfunc="first").reindex(index=ages, columns=genders)
    fig, ax = _figure(10, 5.5)
    width = 0.8 / max(len(genders), 1)
    x = np.arange(len(ages))
    for i, gender in enumerate(genders):
        ax.bar(x + (i - (len(genders) - 1) / 2) * width, pivot[gender].to_numpy(float),
               width=width, label=str(gender), color=PALETTE[i % len(PALETTE)])
    ax.set_xticks(x, ages)
    ax.set_xlabel("Age group")
    ax.set_ylabel(f"Mean total spend per customer ({MONEY})")
    ax.yaxis.set_major_formatter(THOUSANDS)
    ax.legend(title="Gender")
    return _save(fig, path, "Spend by age group and gender",
                 f"Mean per customer; cells with fewer than {MIN_CELL_CUSTOMERS} customers "
                 "left out" if small.any() else "Mean per customer")


# x-axis label of each numeric variable's histogram (the others use the variable's label)
DEMOGRAPHIC_BIN_AXES = {
    "age": "Age group (years)",
    "annual_income": f"Annual income ({MONEY})",
    "household_size": "People in the household (adults by marital status + children)",
    "children_count": "Children at home (kids + teens)",
}


def _share_label(value: float) -> str:
    """12 %, 7.2 %, and < 0.1 % for a share that would print as 0.0 %."""
    if value < 0.0005:
        return "< 0.1 %"
    return _pct(value, 1 if value < 0.1 else 0)


def customer_demographics_chart(distribution: pd.DataFrame, path: Path | str) -> Path:
    """One small panel per demographic variable: the share of customers in each bin.

    Numeric variables (age, income, household size, children) are drawn as histograms in
    bin order with the bin of the median customer in orange; categorical ones (marital
    status, education, gender) as bars, commonest on top (at most ``MAX_DEMOGRAPHIC_BARS``).
    Shares are of the customers with a known value; each panel's title counts them and the
    customers left out (unknown, and income outliers). A variable no customer has a value
    for gets no panel; the subtitle names it.
    """
    cols = ["variable", "variable_label", "variable_kind", "variable_order", "bin_order",
            "bin_label", "bin_kind", "customer_count", "customer_share", "is_median_bin"]
    df = _require(distribution, cols, "customer demographics distribution").copy()
    df["customer_count"] = _num(df["customer_count"]).fillna(0)
    df["customer_share"] = _num(df["customer_share"])
    bins = df[df["bin_kind"] == "bin"]
    known = bins.groupby("variable")["customer_count"].sum()
    variables = (df.drop_duplicates("variable").sort_values("variable_order")
                 .set_index("variable"))
    drawn = [v for v in variables.index if known.get(v, 0) > 0]
    missing = [variables.loc[v, "variable_label"] for v in variables.index if v not in drawn]
    if not drawn:
        raise ChartSkipped("the data give no demographic value for any customer")
    ncols = 2 if len(drawn) > 1 else 1
    nrows = math.ceil(len(drawn) / ncols)
    fig, axes = _figure(11, 2.9 * nrows + 0.9, ncols=ncols, nrows=nrows, squeeze=False)
    for ax, variable in zip(axes.flat, drawn, strict=False):
        meta = variables.loc[variable]
        part = bins[bins["variable"] == variable].sort_values("bin_order")
        left_out = df[(df["variable"] == variable) & (df["bin_kind"] != "bin")
                      & (df["customer_count"] > 0)]
        notes = [f"{int(n):,} {kind}{'s' if kind == 'outlier' and n > 1 else ''}"
                 for kind, n in zip(left_out["bin_kind"], left_out["customer_count"],
                                    strict=True)]
        title = f"{meta['variable_label']} (n = {int(known[variable]):,}"
        title += (f"; {', '.join(notes)})" if notes else ")")
        shown = ""
        if meta["variable_kind"] == "numeric":
            median = part["is_median_bin"].fillna(False).astype(bool).to_numpy()
            colours = [PALETTE[1] if m else PALETTE[0] for m in median]
            values = part["customer_share"].fillna(0).to_numpy()
            bars = ax.bar(range(len(part)), values, width=0.92, color=colours)
            _bar_labels(ax, bars, np.where(values > 0, values, np.nan), fmt=_share_label)
            ax.set_xticks(range(len(part)), part["bin_label"].astype(str),
                          rotation=30 if len(part) > 6 else 0,
                          ha="right" if len(part) > 6 else "center", fontsize=8.5)
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            ax.set_ylabel("Share of customers", fontsize=9)
            ax.set_xlabel(DEMOGRAPHIC_BIN_AXES.get(variable, str(meta["variable_label"])),
                          fontsize=9)
            ax.margins(y=0.18)
        else:
            if len(part) > MAX_DEMOGRAPHIC_BARS:
                shown = f"; the {MAX_DEMOGRAPHIC_BARS} commonest of {len(part)}"
                part = part.head(MAX_DEMOGRAPHIC_BARS)
            part = part.iloc[::-1]  # commonest on top
            values = part["customer_share"].fillna(0).to_numpy()
            bars = ax.barh(part["bin_label"].astype(str), values, color=PALETTE[2])
            _bar_labels(ax, bars, values, fmt=_share_label, horizontal=True)
            ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            ax.set_xlabel("Share of customers", fontsize=9)
            ax.tick_params(axis="y", labelsize=8.5)
            ax.margins(x=0.18)
        if shown:
            title = title[:-1] + shown + ")"
        ax.set_title(title, fontsize=10.5, loc="left")
        _apply_rc(ax)
    for ax in list(axes.flat)[len(drawn):]:
        ax.set_visible(False)
    subtitle = ("Share of the customers with a known value (n); orange = the bin holding the "
                "median customer")
    if missing:
        subtitle += "; no values for " + ", ".join(str(m).lower() for m in missing)
    return _save(fig, path, "Who the customers are", subtitle)


def category_demand_chart(categories: pd.DataFrame, path: Path | str,
                          products: pd.DataFrame | None = None) -> Path:
    """Categories by spend (with penetration), and the top products when product ids exist."""
    cols = ["product_category", "spend", "spend_share", "penetration"]
    df = _require(categories, cols, "category demand").copy()
    df["spend"] = _num(df["spend"])
    df = df.sort_values("spend")
    top = None
    if products is not None and len(products) and {"product_id", "spend"} <= set(products):
        top = products.dropna(subset=["product_id"]).copy()
        top["spend"] = _num(top["spend"])
        top = top.sort_values("spend", ascending=False).head(10).sort_values("spend")
        if top.empty:
            top = None
    ncols = 2 if top is not None else 1
    fig, axes = _figure(12 if top is not None else 9, max(4.5, 0.45 * len(df) + 2),
                        ncols=ncols, squeeze=False)
    ax = axes[0, 0]
    bars = ax.barh(df["product_category"].astype(str), df["spend"], color=PALETTE[0])
    for bar, share, pen in zip(bars, df["spend_share"], df["penetration"], strict=True):
        ax.annotate(f"{_pct(float(share), 1)} of spend · bought by {_pct(float(pen))}",
                    (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                    xytext=(3, 0), textcoords="offset points", va="center", fontsize=8.5)
    ax.set_xlabel(f"Spend ({MONEY})")
    ax.set_ylabel("Product category")
    ax.set_title("Product categories", fontsize=11, loc="left")
    ax.xaxis.set_major_formatter(COMPACT)
    ax.margins(x=0.6)
    if top is not None:
        ax2 = axes[0, 1]
        labels = [f"{p} ({c})" for p, c in zip(top["product_id"], top["product_category"],
                                                 strict=True)]
        bars = ax2.barh(labels, top["spend"], color=PALETTE[2])
        _bar_labels(ax2, bars, top["spend"].to_numpy(), fmt=_compact, horizontal=True)
        ax2.set_xlabel(f"Spend ({MONEY})")
        ax2.set_title("Top 10 products", fontsize=11, loc="left")
        ax2.xaxis.set_major_formatter(COMPACT)
        ax2.margins(x=0.15)
        _apply_rc(ax2)
    return _save(fig, path, "Product demand",
                 "Categories sorted by spend; share of all spend and share of customers who bought")


def category_by_segment_heatmap(cells: pd.DataFrame, path: Path | str) -> Path:
    """Segment × category: share of the segment's spend, coloured by lift over everyone."""
    cols = ["segment_id", "segment_name", "product_category", "share_of_segment_spend",
            "spend_share_index", "segment_customer_count"]
    df = _require(cells, cols, "category demand by segment").copy()
    df["row"] = [f"{i}. {n} ({int(c):,})" for i, n, c in
                 zip(df["segment_id"], df["segment_name"], df["segment_customer_count"],
                     strict=True)]
    rows = df.drop_duplicates("segment_id").sort_values("segment_id")["row"].tolist()
    columns = (df.groupby("product_category")["share_of_segment_spend"].mean()
               .sort_values(ascending=False).index)
    share = df.pivot_table(index="row", columns="product_category",
                           values="share_of_segment_spend", aggfunc="first"
                           ).reindex(index=rows, columns=columns)
    lift = df.pivot_table(index="row", columns="product_category", values="spend_share_index",
                          aggfunc="first").reindex(index=rows, columns=columns)
    lift_log = np.log2(lift.astype(float).where(lift > 0))
    labels = pd.DataFrame(
        [[("" if not np.isfinite(s) else f"{_pct(s)}\n×{lf:.2f}")
          for s, lf in zip(share.iloc[i].to_numpy(float), lift.iloc[i].to_numpy(float),
                           strict=True)]
         for i in range(len(share))], index=share.index, columns=share.columns)
    fig, ax = _figure(max(9, 1.3 * len(columns) + 5), max(4, 0.8 * len(rows) + 2))
    _log2_heatmap(fig, ax, lift_log, labels, "Lift, log2 (0 = same share as everyone)")
    ax.set_xlabel("Product category")
    ax.set_ylabel("Segment (customers)")
    return _save(fig, path, "What each segment buys",
                 "Cell: share of the segment's spend and lift over all customers' share")


def category_by_region_heatmap(cells: pd.DataFrame, path: Path | str) -> Path:
    """Product category × region: share of the region's spend, coloured by lift over everyone.

    Categories are rows and regions columns (a dataset has more categories than regions:
    Diwali's 18 against 5 zones), each ordered by spend, at most ``MAX_HEATMAP_ROWS`` and
    ``MAX_HEATMAP_COLUMNS`` of them. A cell of fewer than ``MIN_CELL_CUSTOMERS`` buying
    customers is greyed with its count and kept out of the colour scale (a handful of
    customers' lift would set it).
    """
    cols = ["region", "product_category", "customer_count", "spend", "spend_share_in_region",
            "lift"]
    df = _require(cells, cols, "category demand by region").copy()
    if (df["region"] == "unknown").all():
        raise ChartSkipped("the data give no region for any customer")
    df["spend"] = _num(df["spend"])
    df["customer_count"] = _num(df["customer_count"]).fillna(0)
    region_spend = df.groupby("region")["spend"].sum()
    # regions by spend, 'unknown' last: it is no place to act on
    regions = sorted(region_spend.index, key=lambda r: (r == "unknown", -region_spend[r], r))
    categories = df.groupby("product_category")["spend"].sum().sort_values(ascending=False).index
    shown_regions, shown_categories = regions[:MAX_HEATMAP_COLUMNS], categories[:MAX_HEATMAP_ROWS]
    small = df["customer_count"] < MIN_CELL_CUSTOMERS
    lift = _num(df["lift"])
    df["colour"] = np.log2(lift.where((lift > 0) & ~small))
    df["label"] = [
        (f"n = {int(n)}" if n > 0 else "") if is_small
        else ("" if pd.isna(s) else f"{_pct(float(s), 1 if float(s) < 0.1 else 0)}\n"
                                    f"×{float(lf):.2f}")
        for s, lf, n, is_small in zip(df["spend_share_in_region"], lift, df["customer_count"],
                                      small, strict=True)
    ]
    colour = df.pivot_table(index="product_category", columns="region", values="colour",
                            aggfunc="first", dropna=False
                            ).reindex(index=shown_categories, columns=shown_regions)
    labels = df.pivot_table(index="product_category", columns="region", values="label",
                            aggfunc="first").reindex(index=shown_categories,
                                                     columns=shown_regions).fillna("")
    colour.columns = [f"{r}\n({_compact(region_spend[r])})" for r in shown_regions]
    labels.columns = colour.columns
    fig, ax = _figure(max(8, 1.25 * len(shown_regions) + 4),
                      max(4, 0.62 * len(shown_categories) + 2.2))
    _log2_heatmap(fig, ax, colour, labels, "Lift, log2 (0 = same share as everyone)",
                  min_bound=math.log2(REGION_LIFT_COLOUR_MIN))
    ax.set_xticks(range(len(shown_regions)), list(colour.columns), rotation=0, ha="center")
    ax.set_xlabel(f"Region (its spend, {MONEY}; largest first)")
    ax.set_ylabel("Product category (largest total spend first)")
    subtitle = ("Cell: share of the region's spend and lift over all customers' share; grey = "
                f"fewer than {MIN_CELL_CUSTOMERS} buying customers (count shown)")
    if len(regions) > len(shown_regions) or len(categories) > len(shown_categories):
        subtitle += (f"; the {len(shown_regions)} of {len(regions)} regions and "
                     f"{len(shown_categories)} of {len(categories)} categories with most spend")
    return _save(fig, path, "What each region buys", subtitle)


def category_seasonal_heatmap(cells: pd.DataFrame, path: Path | str) -> Path:
    """Product category × season: spend per day against the category's own average season.

    The colour is the seasonal index on a log2 scale centred on the category's average (so
    ×2 and ×0.5 are as far from it); the cell shows the index and the spend per day. Seasons
    are in calendar order with the days of each season the data cover.
    """
    cols = ["season", "season_order", "product_category", "day_count", "spend",
            "spend_per_day", "seasonal_index"]
    df = _require(cells, cols, "category seasonal demand").copy()
    df["seasonal_index"] = _num(df["seasonal_index"])
    if df["seasonal_index"].isna().all():
        raise ChartSkipped("no seasonal index (no dated sales)")
    if df["season"].nunique() < 2:
        raise ChartSkipped("the data cover a single season")
    seasons = df.drop_duplicates("season").sort_values("season_order")
    season_labels = {s: f"{s}\n({int(d):,} days)" for s, d in
                     zip(seasons["season"], _num(seasons["day_count"]), strict=True)}
    categories = (df.groupby("product_category")["spend"].apply(lambda s: _num(s).sum())
                  .sort_values(ascending=False).index[:MAX_HEATMAP_ROWS])
    index = df.pivot_table(index="product_category", columns="season", values="seasonal_index",
                           aggfunc="first", dropna=False
                           ).reindex(index=categories, columns=seasons["season"])
    per_day = df.pivot_table(index="product_category", columns="season", values="spend_per_day",
                             aggfunc="first").reindex(index=categories, columns=seasons["season"])
    labels = pd.DataFrame(
        [[("" if not np.isfinite(i) else f"×{i:.2f}\n{_compact(v)}/day")
          for i, v in zip(index.iloc[r].to_numpy(float), per_day.iloc[r].to_numpy(float),
                          strict=True)]
         for r in range(len(index))], index=index.index, columns=index.columns)
    colour = np.log2(index.astype(float).where(index > 0))
    colour.columns = [season_labels[s] for s in colour.columns]
    labels.columns = colour.columns
    fig, ax = _figure(max(8, 1.5 * len(seasons) + 4), max(4, 0.62 * len(categories) + 2.2))
    _log2_heatmap(fig, ax, colour, labels, "Seasonal index, log2 (0 = the category's average season)")
    ax.set_xticks(range(len(seasons)), list(colour.columns), rotation=0, ha="center")
    ax.set_xlabel("Season (meteorological, northern hemisphere; days in the data)")
    ax.set_ylabel("Product category (largest total spend first)")
    return _save(fig, path, "Seasonal demand by category",
                 "Cell: seasonal index (spend per day against the category's average "
                 f"season) and spend per day ({MONEY})")


def category_holiday_heatmap(cells: pd.DataFrame, path: Path | str) -> Path:
    """Holiday × product category: the category's revenue per holiday day against per
    ordinary day (its revenue lift), all holidays pooled in the first row.

    Holidays are rows in calendar order (the mart's holiday_order) with their days in the
    data, categories columns by total revenue (at most ``MAX_HEATMAP_COLUMNS``), each headed
    by its share of ordinary-day and of holiday revenue. The colour is the lift on a log2
    scale centred on 1 (x2 and x0.5 equally far). A cell of fewer than
    ``MIN_HOLIDAY_CELL_ORDERS`` orders with the category is greyed with its count and kept out
    of the colour scale: a single holiday covers a day or two of the data, and a handful of
    orders' lift would set it.
    """
    cols = ["holiday_name", "holiday_order", "product_category", "holiday_day_count",
            "holiday_order_count", "holiday_revenue", "ordinary_revenue", "revenue_lift",
            "holiday_revenue_share", "ordinary_revenue_share"]
    df = _require(cells, cols, "category holiday demand").copy()
    df["revenue_lift"] = _num(df["revenue_lift"])
    if df["revenue_lift"].isna().all():
        raise ChartSkipped("no ordinary day to compare the holidays with")
    df["total"] = _num(df["holiday_revenue"]) + _num(df["ordinary_revenue"])
    df["holiday_order"] = _num(df["holiday_order"])
    df["holiday_order_count"] = _num(df["holiday_order_count"]).fillna(0)
    pooled = df[df["holiday_order"] == 0]
    categories = (pooled.groupby("product_category")["total"].sum().sort_values(ascending=False)
                  .index)
    shown = categories[:MAX_HEATMAP_COLUMNS]
    holidays = df.drop_duplicates("holiday_name").sort_values(["holiday_order", "holiday_name"])
    rows = {name: f"{'All holidays' if order == 0 else name} ({int(days):,} d)"
            for name, order, days in zip(holidays["holiday_name"], holidays["holiday_order"],
                                         _num(holidays["holiday_day_count"]), strict=True)}
    small = df["holiday_order_count"] < MIN_HOLIDAY_CELL_ORDERS
    df["colour"] = np.log2(df["revenue_lift"].where((df["revenue_lift"] > 0) & ~small))
    df["label"] = [
        f"n = {int(n)}" if is_small else ("" if pd.isna(lift) else f"×{lift:.2f}")
        for lift, n, is_small in zip(df["revenue_lift"], df["holiday_order_count"], small,
                                     strict=True)
    ]
    colour = df.pivot_table(index="holiday_name", columns="product_category", values="colour",
                            aggfunc="first", dropna=False
                            ).reindex(index=list(rows), columns=shown)
    labels = df.pivot_table(index="holiday_name", columns="product_category", values="label",
                            aggfunc="first").reindex(index=list(rows), columns=shown).fillna("")
    shares = pooled.set_index("product_category")
    headers = [f"{c}\n{_pct(float(shares.loc[c, 'ordinary_revenue_share']), 1)} → "
               f"{_pct(float(shares.loc[c, 'holiday_revenue_share']), 1)}"
               if c in shares.index else str(c) for c in shown]
    colour.index = labels.index = [rows[name] for name in colour.index]
    colour.columns = labels.columns = headers
    fig, ax = _figure(max(8, 1.35 * len(shown) + 4.5), max(4, 0.42 * len(rows) + 2.4))
    _log2_heatmap(fig, ax, colour, labels, "Revenue lift, log2 (0 = as on an ordinary day)")
    ax.set_xticks(range(len(headers)), headers, rotation=0, ha="center", fontsize=8.5)
    if len(rows) > 1:
        ax.axhline(0.5, color="white", lw=3)  # the pooled row apart from the holidays
    ax.set_xlabel("Product category (largest revenue first): its share of revenue on "
                  "ordinary days → on holidays")
    ax.set_ylabel("Holiday (days in the data), calendar order")
    subtitle = ("Cell: the category's revenue per holiday day against per ordinary day; grey = "
                f"fewer than {MIN_HOLIDAY_CELL_ORDERS} orders with the category on the "
                "holiday's days (count shown)")
    if len(categories) > len(shown):
        subtitle += f"; the {len(shown)} of {len(categories)} categories with most revenue"
    return _save(fig, path, "Which categories holidays lift", subtitle)


def monthly_sales_chart(months: pd.DataFrame, path: Path | str,
                        seasons: pd.DataFrame | None = None,
                        holidays: pd.DataFrame | None = None) -> Path:
    """Monthly revenue and orders; orders per day by season and on holidays.

    Revenue and orders are two panels stacked on one month axis, each with its own y scale
    from zero: one panel with a second y axis let the two lines cross wherever the two
    scales happened to put them, and a reader had to match each line to its axis."""
    cols = ["order_month", "order_count", "revenue"]
    df = _require(months, cols, "seasonal sales").copy()
    df["order_month"] = pd.to_datetime(df["order_month"])
    df = df.dropna(subset=["order_month"]).sort_values("order_month")
    if df.empty:
        raise ChartSkipped("no order dates")
    extra = [f for f in (seasons, holidays) if f is not None and len(f)]
    fig, axes = _figure(12, 10.5 if extra else 7, nrows=3 if extra else 2, ncols=1,
                        squeeze=False,
                        gridspec_kw={"height_ratios": [1, 0.8, 1.25] if extra else [1, 0.8]})
    ax, ax_o = axes[0, 0], axes[1, 0]
    ax_o.sharex(ax)
    ax.plot(df["order_month"], _num(df["revenue"]), marker="o", ms=3.5, color=PALETTE[0],
            label="revenue")
    ax.set_ylabel(f"Revenue per month\n({MONEY})")
    ax.yaxis.set_major_formatter(THOUSANDS)
    ax.set_title("Revenue by month", fontsize=11, loc="left")
    ax.tick_params(labelbottom=False)  # the orders panel below labels the months
    if "first_order_revenue" in df and (_num(df["first_order_revenue"]) > 0).any():
        # the revenue of orders on customers' first order dates: a bulge here is arrivals (or
        # the start of the data), not season
        ax.fill_between(df["order_month"], 0, _num(df["first_order_revenue"]),
                        color=PALETTE[0], alpha=0.2, lw=0,
                        label="of which revenue of customers' first orders")
    ax.legend(loc="best")
    # not orange: the panel below colours the holidays orange
    ax_o.plot(df["order_month"], _num(df["order_count"]), marker="o", ms=3.5,
              color=PALETTE[2], label="orders")
    ax_o.set_ylabel("Orders per month")
    ax_o.yaxis.set_major_formatter(THOUSANDS)
    ax_o.set_xlabel("Month")
    ax_o.set_title("Orders by month", fontsize=11, loc="left")
    # each panel from zero: a cut-off axis makes a 10 % swing look like a doubling
    ax.set_ylim(bottom=0)
    ax_o.set_ylim(bottom=0)
    _apply_rc(ax_o)
    if extra:
        ax2 = axes[2, 0]
        labels, values, colours = [], [], []
        if seasons is not None and len(seasons) and "orders_per_day" in seasons:
            s = seasons.sort_values("season_order") if "season_order" in seasons else seasons
            labels += [str(v) for v in s["season"]]
            values += _num(s["orders_per_day"]).tolist()
            colours += [PALETTE[0]] * len(s)
        if holidays is not None and len(holidays) and "orders_per_day" in holidays:
            h = holidays.copy()
            h["orders_per_day"] = _num(h["orders_per_day"])
            ordinary = h[h["holiday_name"] == "no holiday"]
            named = h[h["holiday_name"] != "no holiday"].sort_values("orders_per_day",
                                                                      ascending=False)
            for _, r in pd.concat([ordinary, named]).iterrows():
                days = f" ({int(r['day_count'])} d)" if "day_count" in h else ""
                labels.append(str(r["holiday_name"]).replace("no holiday", "ordinary days")
                              + days)
                values.append(float(r["orders_per_day"]))
                colours.append(GREY if r["holiday_name"] == "no holiday" else PALETTE[1])
        bars = ax2.bar(range(len(values)), values, color=colours)
        _bar_labels(ax2, bars, values)
        ax2.set_xticks(range(len(labels)), labels, rotation=35, ha="right")
        ax2.set_ylabel("Orders per day")
        ax2.set_xlabel("Season (blue) · ordinary days (grey) · holidays (orange); "
                       "(n d) = days in the data")
        ax2.set_title("Orders per day by season and on holidays", fontsize=11, loc="left")
        ax2.yaxis.set_major_formatter(THOUSANDS)
        _apply_rc(ax2)
    return _save(fig, path, "Seasonal and holiday sales")


def promotion_impact_chart(bands: pd.DataFrame, path: Path | str) -> Path:
    """Full price vs discount bands: units per order, order value, revenue share."""
    cols = ["discount_band", "discount_band_order", "order_count", "mean_units_per_order",
            "mean_order_value", "revenue_share"]
    df = _require(bands, cols, "promotion impact").copy()
    df = df[_num(df["order_count"]) > 0].sort_values("discount_band_order")
    if df.empty:
        raise ChartSkipped("no orders")
    if len(df) < 2:
        raise ChartSkipped("only one discount band has orders (no discounts in the data)")
    fig, axes = _figure(13, 5, ncols=3)
    colours = [GREY if not d else PALETTE[1] for d in df.get("is_discounted",
                                                             df["discount_band_order"] > 1)]
    labels = [f"{b}\n({int(n):,} orders)" for b, n in
              zip(df["discount_band"], df["order_count"], strict=True)]
    panels = [
        ("mean_units_per_order", "Units per order", "Volume", _fmt_number),
        ("mean_order_value", f"Mean order value ({MONEY})", "Order value", _fmt_number),
        ("revenue_share", "Share of revenue", "Revenue", lambda v: _pct(v, 1)),
    ]
    for ax, (col, ylabel, title, fmt) in zip(axes, panels, strict=True):
        values = _num(df[col]).to_numpy()
        bars = ax.bar(range(len(df)), values, color=colours)
        _bar_labels(ax, bars, values, fmt=fmt)
        ax.set_xticks(range(len(df)), labels, fontsize=8)
        ax.set_ylabel(ylabel)
        ax.set_xlabel("Discount depth (discount / list price)")
        ax.set_title(title, fontsize=11, loc="left")
        if col == "revenue_share":
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        else:
            ax.yaxis.set_major_formatter(THOUSANDS)
        _apply_rc(ax)
    return _save(fig, path, "Promotion impact: full-price vs discounted orders",
                 "Grey = full price, orange = discounted, by depth of discount")


def stated_purchase_chart(sales: pd.DataFrame, path: Path | str,
                          grid: pd.DataFrame | None = None) -> Path:
    """Purchases that state their season and promotion flags instead of a date: revenue by
    season, the mean purchase and the buyers' stated purchases a year by discount and promo
    code, and (when given) the season × category index of category_demand_by_stated_season."""
    cols = ["dimension", "dimension_value", "dimension_value_order", "purchase_count",
            "revenue_share", "mean_purchase_value", "mean_purchases_per_year"]
    df = _require(sales, cols, "stated purchase sales").copy()
    seasons = df[df["dimension"] == "season"].sort_values("dimension_value_order")
    flags = df[(df["dimension"] == "discount_and_promo_code")
               & (_num(df["purchase_count"]) > 0)].sort_values("dimension_value_order")
    if seasons.empty and flags.empty:
        raise ChartSkipped("no purchase states a season or a discount")
    has_grid = grid is not None and len(grid) > 0
    fig, axes = _figure(13, 9 if has_grid else 4.8, ncols=3 if not has_grid else 2,
                        nrows=2 if has_grid else 1)
    axes = list(np.ravel(axes))
    ax = axes[0]
    values = _num(seasons["revenue_share"]).to_numpy()
    bars = ax.bar(range(len(seasons)), values, color=PALETTE[0])
    _bar_labels(ax, bars, values, fmt=lambda v: _pct(v, 1))
    ax.set_xticks(range(len(seasons)), [f"{v}\n({int(n):,})" for v, n in zip(
        seasons["dimension_value"], seasons["purchase_count"], strict=True)], fontsize=8)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel("Share of revenue")
    ax.set_title("Revenue by stated season (purchases)", fontsize=11, loc="left")
    _apply_rc(ax)
    colours = [PALETTE[1] if v != "neither" else GREY for v in flags["dimension_value"]]
    labels = [f"{v}\n({int(n):,})" for v, n in zip(
        flags["dimension_value"], flags["purchase_count"], strict=True)]
    for ax, (col, ylabel, title, fmt) in zip(axes[1:3], [
        ("mean_purchase_value", f"Mean purchase ({MONEY})", "Mean purchase", _fmt_number),
        ("mean_purchases_per_year", "Purchases a year (stated)",
         "How often the buyers say they buy", lambda v: f"{v:.1f}"),
    ], strict=True):
        values = _num(flags[col]).to_numpy(float)
        bars = ax.bar(range(len(flags)), values, color=colours)
        _bar_labels(ax, bars, values, fmt=fmt)
        ax.set_xticks(range(len(flags)), labels, fontsize=8)
        ax.set_ylabel(ylabel)
        ax.set_xlabel("Discount and promo code (purchases)")
        ax.set_title(title, fontsize=11, loc="left")
        _apply_rc(ax)
    if has_grid:
        g = _require(grid, ["season", "season_order", "product_category", "purchase_count",
                            "seasonal_index"], "category demand by stated season").copy()
        order = g.drop_duplicates("season").sort_values("season_order")["season"]
        categories = (g.groupby("product_category")["purchase_count"].sum()
                      .sort_values(ascending=False).index[:MAX_HEATMAP_ROWS])
        index = g.pivot_table(index="product_category", columns="season",
                              values="seasonal_index", aggfunc="first"
                              ).reindex(index=categories, columns=order).astype(float)
        labels = index.map(lambda v: "" if not np.isfinite(v) else f"×{v:.2f}")
        ax = axes[3]
        # the colour scale spans at least x0.67 to x1.5, so that a few per cent is pale
        _log2_heatmap(fig, ax, np.log2(index.where(index > 0)), labels,
                      "Seasonal index, log2 (0 = as often as all year)",
                      min_bound=math.log2(1.5))
        ax.set_xticks(range(len(order)), list(order), rotation=0, ha="center")
        ax.set_xlabel("Stated season")
        ax.set_ylabel("Product category")
        ax.set_title("Each category's share of the season against its share of the year",
                     fontsize=11, loc="left")
    return _save(fig, path, "Seasons and promotions as the purchases state them",
                 "No order dates: each purchase states its season, discount and promo code; "
                 "orange = discount or promo code, grey = neither")


def loyalty_membership_chart(membership: pd.DataFrame, path: Path | str,
                             bands: pd.DataFrame | None = None) -> Path:
    """Members vs non-members (mean and median spend), and spend by loyalty-score band."""
    cols = ["membership_status", "customer_count", "mean_total_spend", "median_total_spend"]
    df = _require(membership, cols, "loyalty membership spend").copy()
    df = df[df["customer_count"] > 0]
    if df["membership_status"].nunique() < 2:
        raise ChartSkipped("the data do not distinguish loyalty members from non-members")
    order = {"member": 0, "non-member": 1, "unknown": 2}
    df = df.sort_values("membership_status", key=lambda s: s.map(order).fillna(9))
    has_bands = bands is not None and len(bands) and "loyalty_band" in bands
    fig, axes = _figure(12 if has_bands else 8, 5, ncols=2 if has_bands else 1, squeeze=False)
    ax = axes[0, 0]
    x = np.arange(len(df))
    for offset, col, colour, label in ((-0.2, "mean_total_spend", PALETTE[0], "mean"),
                                       (0.2, "median_total_spend", PALETTE[4], "median")):
        values = _num(df[col]).to_numpy()
        bars = ax.bar(x + offset, values, width=0.4, color=colour, label=label)
        _bar_labels(ax, bars, values)
    ax.set_xticks(x, [f"{s}\n(n = {int(n):,})" for s, n in
                      zip(df["membership_status"], df["customer_count"], strict=True)])
    ax.set_xlabel("Loyalty programme membership")
    ax.set_ylabel(f"Total spend per customer ({MONEY})")
    ax.yaxis.set_major_formatter(THOUSANDS)
    ax.set_title("Members vs non-members", fontsize=11, loc="left")
    ax.legend()
    if has_bands:
        b = bands[bands["customer_count"] > 0].sort_values("loyalty_band_order")
        ax2 = axes[0, 1]
        values = _num(b["mean_total_spend"]).to_numpy()
        bars = ax2.bar(range(len(b)), values, color=PALETTE[2])
        _bar_labels(ax2, bars, values)
        ax2.set_xticks(range(len(b)), [f"{v}\n(n = {int(n):,})" for v, n in
                                       zip(b["loyalty_band"], b["customer_count"], strict=True)],
                       fontsize=8.5)
        ax2.set_xlabel("Loyalty score band")
        ax2.set_ylabel(f"Mean total spend per customer ({MONEY})")
        ax2.yaxis.set_major_formatter(THOUSANDS)
        ax2.set_title("Spend by loyalty score", fontsize=11, loc="left")
        _apply_rc(ax2)
    return _save(fig, path, "Loyalty: members vs non-members, and spend by loyalty score")


def revenue_concentration_chart(deciles: pd.DataFrame, path: Path | str,
                                summary: pd.DataFrame | None = None) -> Path:
    """Pareto curve: cumulative share of revenue against cumulative share of customers."""
    cols = ["spend_decile", "cumulative_customer_share", "cumulative_revenue_share",
            "revenue_share"]
    df = _require(deciles, cols, "revenue concentration").copy().sort_values("spend_decile")
    x = np.concatenate([[0.0], _num(df["cumulative_customer_share"]).to_numpy()])
    y = np.concatenate([[0.0], _num(df["cumulative_revenue_share"]).to_numpy()])
    if not np.isfinite(y).all():
        raise ChartSkipped("no revenue")
    fig, axes = _figure(12, 5.5, ncols=2, gridspec_kw={"width_ratios": [1.1, 1]})
    ax = axes[0]
    ax.plot(x, y, marker="o", color=PALETTE[0], label="customers ranked by spend")
    ax.plot([0, 1], [0, 1], color=GREY, ls="--", lw=1, label="equal spend (no concentration)")
    ax.fill_between(x, x, y, color=PALETTE[0], alpha=0.12)
    if summary is not None and len(summary):
        s = summary.iloc[0]
        for share, col, colour in ((0.1, "top_10_pct_revenue_share", PALETTE[5]),
                                   (0.2, "top_20_pct_revenue_share", PALETTE[1])):
            if col in s and pd.notna(s[col]):
                value = float(s[col])
                ax.scatter([share], [value], color=colour, zorder=4, s=45)
                ax.annotate(f"top {share:.0%} of customers: {_pct(value)} of revenue",
                            (share, value), xytext=(12, -14 if share > 0.15 else 4),
                            textcoords="offset points", fontsize=9, color=colour)
    ax.set_xlabel("Share of customers (top spenders first)")
    ax.set_ylabel("Cumulative share of revenue")
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower right")
    ax.set_title("Pareto curve", fontsize=11, loc="left")
    ax2 = axes[1]
    values = _num(df["revenue_share"]).to_numpy()
    bars = ax2.bar(df["spend_decile"].astype(int).astype(str), values, color=PALETTE[0])
    _bar_labels(ax2, bars, values, fmt=lambda v: _pct(v, 1))
    ax2.set_xlabel("Spend decile (1 = top 10 % of customers by spend)")
    ax2.set_ylabel("Share of revenue")
    ax2.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax2.set_title("Revenue share per decile", fontsize=11, loc="left")
    _apply_rc(ax2)
    return _save(fig, path, "Revenue concentration")


MAX_STACKED_CATEGORIES = 7  # the decile mix shows the categories with most spend, then 'other'


def decile_category_mix(cells: pd.DataFrame) -> pd.DataFrame:
    """Deciles (rows, top first) × categories (columns, most spend first; beyond
    MAX_STACKED_CATEGORIES summed as 'other'): each decile's share of spend. Deciles that
    spent nothing are left out."""
    cols = ["spend_decile", "product_category", "spend"]
    df = _require(cells, cols, "category demand by spend decile").copy()
    df["spend"] = _num(df["spend"])
    df = df[df["spend"] > 0]
    if df.empty:
        raise ChartSkipped("no spend in any decile")
    order = (df.groupby("product_category")["spend"].sum()
             .sort_values(ascending=False, kind="stable").index)
    named = list(order[:MAX_STACKED_CATEGORIES])
    df["category"] = df["product_category"].where(df["product_category"].isin(named), "other")
    shares = (df.groupby(["spend_decile", "category"])["spend"].sum()
              .unstack(fill_value=0.0))
    shares = shares.div(shares.sum(axis=1), axis=0)
    columns = named + (["other"] if "other" in shares.columns else [])
    return shares.reindex(columns=columns, fill_value=0.0).sort_index()


def category_by_spend_decile_chart(cells: pd.DataFrame, path: Path | str) -> Path:
    """What each spend decile buys: the decile's spend split by product category (100 %
    stacked bars, top decile first), the categories with most spend named, the rest 'other'."""
    shares = decile_category_mix(cells)
    columns = list(shares.columns)
    labels = [("top 10 %" if int(d) == 1 else f"decile {int(d)}") for d in shares.index]
    fig, ax = _figure(11, max(4.5, 0.45 * len(shares) + 2.2))
    left = np.zeros(len(shares))
    y = np.arange(len(shares))
    for i, category in enumerate(columns):
        values = shares[category].to_numpy(dtype=float)
        colour = GREY if category == "other" else PALETTE[i % len(PALETTE)]
        ax.barh(y, values, left=left, color=colour, label=_label(category), height=0.75)
        for yi, (x0, v) in enumerate(zip(left, values, strict=True)):
            if v >= 0.08:
                r, g, b = matplotlib.colors.to_rgb(colour)
                text_colour = "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "white"
                ax.text(x0 + v / 2, yi, _pct(v), ha="center", va="center", fontsize=8,
                        color=text_colour)
        left += values
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("Share of the decile's spend")
    ax.set_ylabel("Customers by total spend (decile 1 = the top 10 %)")
    ax.grid(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), title="Product category")
    return _save(fig, path, "What the best customers buy",
                 "Each decile of customers by total spend, its spend split by product category")


def repeat_purchase_chart(repeat: pd.DataFrame, path: Path | str) -> Path:
    """Repeat rate and median days between orders, by age group and by segment."""
    cols = ["grouping", "grouping_label", "grouping_order", "repeat_rate",
            "median_days_between_orders", "buying_customer_count"]
    df = _require(repeat, cols, "repeat purchase").copy()
    df = df[df["grouping"].isin(["age_group", "segment"]) & (df["buying_customer_count"] > 0)]
    if df.empty or df["repeat_rate"].isna().all():
        raise ChartSkipped("no customers with orders")
    groupings = [g for g in ("age_group", "segment") if g in set(df["grouping"])]
    panels = [
        ("repeat_rate", "Repeat rate (share of buyers with 2+ orders)", lambda v: _pct(v)),
        ("median_days_between_orders", "Median days between orders", _fmt_number),
    ]
    # data without order dates have no days between orders: no empty panel for them
    panels = [p for p in panels if _num(df[p[0]]).notna().any()]
    fig, axes = _figure(12 if len(panels) == 2 else 7, 3.2 * len(groupings) + 1.2,
                        ncols=len(panels), nrows=len(groupings), squeeze=False)
    overall = repeat[repeat["grouping"] == "all"]
    for r, grouping in enumerate(groupings):
        part = df[df["grouping"] == grouping].sort_values("grouping_order", ascending=False)
        labels = [f"{lab} ({int(n):,})" for lab, n in
                  zip(part["grouping_label"], part["buying_customer_count"], strict=True)]
        for c, (col, xlabel, fmt) in enumerate(panels):
            ax = axes[r, c]
            values = _num(part[col]).to_numpy()
            bars = ax.barh(labels, values, color=PALETTE[0] if c == 0 else PALETTE[2])
            _bar_labels(ax, bars, values, fmt=fmt, horizontal=True)
            if len(overall) and pd.notna(overall[col].iloc[0]):
                ax.axvline(float(overall[col].iloc[0]), color=PALETTE[5], ls="--", lw=1.2)
            ax.set_xlabel(xlabel)
            ax.set_title(f"by {_label(grouping)}", fontsize=11, loc="left")
            ax.tick_params(axis="y", labelsize=8.5)
            if col == "repeat_rate":
                ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            ax.margins(x=0.18)
            _apply_rc(ax)
    return _save(fig, path, "Repeat purchase",
                 "Buying customers in brackets; dashed line = all customers")


def campaign_response_chart(responses: pd.DataFrame, path: Path | str) -> Path:
    """Response rate per campaign: all customers and each segment."""
    cols = ["campaign_id", "grouping", "grouping_label", "grouping_value", "response_rate",
            "customers_sent"]
    df = _require(responses, cols, "campaign response").copy()
    df["response_rate"] = _num(df["response_rate"])
    # a rate over a handful of customers (1 of 2 accepted = 50 %) would be the tallest bar
    small = _num(df["customers_sent"]).fillna(0) < MIN_CELL_CUSTOMERS
    df["response_rate"] = df["response_rate"].where(~small | (df["grouping"] == "all"))
    campaigns = sorted(df["campaign_id"].astype(str).unique())
    df["campaign_id"] = df["campaign_id"].astype(str)
    groups = [("all", "all customers")]
    seg = df[df["grouping"] == "segment"].drop_duplicates("grouping_value")
    seg = seg.assign(order=pd.to_numeric(seg["grouping_value"], errors="coerce")).sort_values(
        "order")
    groups += list(zip(seg["grouping_value"], seg["grouping_label"], strict=True))
    # recipients in no segment (prospects without an accepted purchase), when there are any
    outside = df[df["grouping"] == "not_segmented"].drop_duplicates("grouping_value")
    groups += list(zip(outside["grouping_value"], outside["grouping_label"], strict=True))
    fig, ax = _figure(max(9, 1.2 * len(campaigns) * max(len(groups), 2) / 3 + 3), 5.5)
    width = 0.8 / len(groups)
    x = np.arange(len(campaigns))
    for i, (value, label) in enumerate(groups):
        part = df[df["grouping_value"].astype(str) == str(value)].set_index("campaign_id")
        part = part.reindex(campaigns)
        unsegmented = value in outside["grouping_value"].tolist()
        colour = ("#333333" if value == "all" else "#aaaaaa" if unsegmented
                  else segment_colour(value))
        name = label if value == "all" or unsegmented else f"{value}. {label}"
        positions = x + (i - (len(groups) - 1) / 2) * width
        rates = part["response_rate"].to_numpy(float)
        ax.bar(positions, rates, width=width, color=colour, label=name)
        left_out = ~np.isfinite(rates) & part["customers_sent"].notna().to_numpy()
        ax.plot(positions[left_out], np.zeros(left_out.sum()), linestyle="none", marker="x",
                color=colour, markersize=5, clip_on=False)
    ax.set_xticks(x, campaigns)
    ax.set_xlabel("Campaign")
    ax.set_ylabel("Response rate (accepted / sent)")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylim(0, float(np.nanmax(df["response_rate"].to_numpy(float))) * 1.3)
    ax.legend(fontsize=8.5, loc="upper left", ncols=2)
    return _save(fig, path, "Campaign response by segment",
                 f"× = sent to fewer than {MIN_CELL_CUSTOMERS} of the segment's customers: "
                 "rate not shown" if small.any() else None)


def segment_trend_chart(cells: pd.DataFrame, path: Path | str) -> Path:
    """Each segment's revenue by month, and its share of the month's revenue."""
    cols = ["segment_id", "segment_name", "order_month", "revenue", "share_of_month_revenue"]
    df = _require(cells, cols, "segment monthly sales").copy()
    df["order_month"] = pd.to_datetime(df["order_month"])
    df = df.dropna(subset=["order_month"]).sort_values(["segment_id", "order_month"])
    if df.empty:
        raise ChartSkipped("no order dates")
    fig, axes = _figure(12, 8, nrows=2, ncols=1, sharex=True, squeeze=False)
    top, bottom = axes[0, 0], axes[1, 0]
    for segment_id, part in df.groupby("segment_id", sort=True):
        label = f"{segment_id}. {part['segment_name'].iloc[0]}"
        colour = segment_colour(segment_id)
        top.plot(part["order_month"], _num(part["revenue"]), marker="o", ms=3, color=colour,
                 label=label)
        bottom.plot(part["order_month"], _num(part["share_of_month_revenue"]), marker="o",
                    ms=3, color=colour, label=label)
    top.set_ylabel(f"Revenue per month ({MONEY})")
    top.yaxis.set_major_formatter(THOUSANDS)
    top.set_ylim(bottom=0)
    top.set_title("Revenue by month and segment", fontsize=11, loc="left")
    top.legend(fontsize=8.5, loc="best")
    bottom.set_ylabel("Share of the month's revenue")
    bottom.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    bottom.set_ylim(0, min(1.0, float(_num(df["share_of_month_revenue"]).max()) * 1.15))
    bottom.set_xlabel("Month")
    bottom.set_title("Each segment's share of the month's revenue", fontsize=11, loc="left")
    return _save(fig, path, "Segment trends over time")


CORRELATION_ORDER = ["total_spend", "order_count", "avg_order_value",
                     "purchase_frequency_per_year", "annual_income", "age", "children_count",
                     "loyalty_score", "tenure_days", "recency_days", "discounted_order_share",
                     "campaigns_accepted"]


def correlation_matrix_chart(correlations: pd.DataFrame, path: Path | str,
                             method: str = "spearman") -> Path:
    """Annotated correlation matrix of the customer measures."""
    df = _require(correlations, ["var_x", "var_y", method], "customer correlations").copy()
    names = [v for v in CORRELATION_ORDER if v in set(df["var_x"])]
    names += sorted(set(df["var_x"]) - set(names))
    pivot = df.pivot_table(index="var_x", columns="var_y", values=method, aggfunc="first")
    pivot = pivot.reindex(index=names, columns=names).astype(float)
    if not np.isfinite(pivot.to_numpy()).any():
        raise ChartSkipped("no correlations could be computed")
    pivot.index = [_label(n) for n in names]
    pivot.columns = [_label(n) for n in names]
    size = max(7, 0.62 * len(names) + 3)
    fig, ax = _figure(size + 1, size)
    _heatmap(ax, pivot, "RdBu_r", vmin=-1, vmax=1, fig=fig,
             colorbar_label=f"{method.capitalize()} correlation", fmt=lambda v: f"{v:.2f}")
    ax.set_xlabel("Customer measure")
    ax.set_ylabel("Customer measure")
    return _save(fig, path, f"Correlation matrix of customer measures ({method.capitalize()})",
                 "Red = move together, blue = move apart; one customer per observation")


def k_selection_chart(selection: pd.DataFrame, path: Path | str) -> Path:
    """Elbow (inertia) and silhouette per k, with the chosen k marked."""
    df = _require(selection, ["k", "inertia", "silhouette", "is_chosen"],
                  "segment k selection").copy().sort_values("k")
    chosen = df.loc[df["is_chosen"].astype(bool), "k"]
    fig, axes = _figure(12, 4.8, ncols=2)
    panels = (("inertia", "Inertia (within-segment sum of squares)", "Elbow: inertia"),
              ("silhouette", "Mean silhouette (−1 to 1, higher is better)",
               "Silhouette (on a sample)"))
    for ax, (col, ylabel, title) in zip(axes, panels, strict=True):
        ax.plot(df["k"], _num(df[col]), marker="o", color=PALETTE[0])
        if len(chosen):
            k = int(chosen.iloc[0])
            ax.axvline(k, color=PALETTE[5], ls="--", lw=1.2)
            value = float(df.loc[df["k"] == k, col].iloc[0])
            ax.scatter([k], [value], color=PALETTE[5], zorder=3, s=60,
                       label=f"chosen k = {k}")
            ax.legend(loc="best")
        ax.set_xlabel("Number of segments k")
        ax.set_ylabel(ylabel)
        ax.set_xticks(df["k"].astype(int))
        if col == "inertia":
            ax.yaxis.set_major_formatter(THOUSANDS)
        ax.set_title(title, fontsize=11, loc="left")
        _apply_rc(ax)
    by = df["chosen_by"].iloc[0] if "chosen_by" in df and len(df) else None
    if isinstance(by, str):
        by = re.sub(r":\w+:`([^`]*)`", r"\1", by)
    return _save(fig, path, "Choosing the number of segments",
                 f"k chosen by {by}" if by else None)


def segment_scatter_chart(features: pd.DataFrame, segments: pd.DataFrame,
                          model: pd.DataFrame, path: Path | str) -> Path:
    """Customers in the first two principal components of the model's scaled feature space.

    The scaling is the stored model's (``segments.segment_model``: transform, fill value,
    mean, scale per feature), so the picture is the space KMeans clustered in; the centroids
    are projected with the same PCA.
    """
    from sklearn.decomposition import PCA

    from customer_behavior import segmentation as seg

    _require(features, ["customer_id"], "segment features")
    _require(segments, ["customer_id", "segment_id", "segment_name"], "customer segments")
    _require(model, ["segment_id", "feature_name", "feature_order", "transform", "fill_value",
                     "mean", "scale", "centroid_scaled"], "segment model")
    data = features.merge(segments[["customer_id", "segment_id", "segment_name"]],
                          on="customer_id", how="inner")
    if len(data) < 3:
        raise ChartSkipped("fewer than 3 segmented customers")
    x = seg.transform(data, model)
    n_components = min(2, x.shape[1])
    pca = PCA(n_components=n_components, random_state=0).fit(x)
    xy = pca.transform(x)
    wide = model.pivot_table(index="segment_id", columns="feature_order",
                             values="centroid_scaled", aggfunc="first").sort_index(axis=1)
    centres = pca.transform(wide.to_numpy(float))
    if n_components == 1:
        xy = np.column_stack([xy[:, 0], np.zeros(len(xy))])
        centres = np.column_stack([centres[:, 0], np.zeros(len(centres))])
    names = data.drop_duplicates("segment_id").set_index("segment_id")["segment_name"]
    fig, ax = _figure(10, 6.5)
    for segment_id in sorted(names.index):
        mask = (data["segment_id"] == segment_id).to_numpy()
        colour = segment_colour(segment_id)
        ax.scatter(xy[mask, 0], xy[mask, 1], s=8, alpha=0.45, color=colour, linewidths=0,
                   label=f"{segment_id}. {names[segment_id]} (n = {mask.sum():,})")
        row = list(wide.index).index(segment_id) if segment_id in wide.index else None
        if row is not None:
            ax.scatter(*centres[row], marker="X", s=180, color=colour, edgecolor="black",
                       linewidths=1.2, zorder=4)
    ratio = pca.explained_variance_ratio_
    ax.set_xlabel(f"Principal component 1 ({_pct(ratio[0])} of variance, standardised units)")
    if n_components > 1:
        ax.set_ylabel(f"Principal component 2 ({_pct(ratio[1])} of variance, standardised units)")
    else:
        ax.set_ylabel("(one feature only)")
    ax.legend(loc="best", markerscale=2.5, fontsize=8.5, title="Segment (X = centroid)")
    return _save(fig, path, "Customer segments in two dimensions",
                 f"PCA of the model's {x.shape[1]} scaled features; "
                 f"{len(data):,} customers shown")


PROFILE_FACTS = [
    ("spend", "Spend"), ("orders", "Orders"), ("aov", "Order value"), ("income", "Income"),
    ("age", "Age"), ("children", "Children"), ("recency", "Days since\nlast order"),
    ("loyalty", "Loyalty"), ("response", "Campaign\nresponse"),
]


def segment_profile_heatmap(profiles: pd.DataFrame, path: Path | str) -> Path:
    """Segments × profile facts: standardised difference from the population, with index."""
    df = _require(profiles, ["segment_id", "segment_name", "customer_count"],
                  "segment profiles").copy().sort_values("segment_id")
    facts = [(k, label) for k, label in PROFILE_FACTS if f"{k}_z" in df and f"{k}_index" in df
             and df[f"{k}_z"].notna().any()]
    if not facts:
        raise ChartSkipped("segment profiles lack the *_z / *_index columns")
    rows = [f"{i}. {n}\n({int(c):,} customers)" for i, n, c in
            zip(df["segment_id"], df["segment_name"], df["customer_count"], strict=True)]
    z = pd.DataFrame({label: _num(df[f"{k}_z"]).to_numpy() for k, label in facts}, index=rows)
    idx = pd.DataFrame({label: _num(df[f"{k}_index"]).to_numpy() for k, label in facts},
                       index=rows)
    labels = pd.DataFrame(
        [["" if not np.isfinite(v) else f"×{v:.2f}" for v in idx.iloc[i].to_numpy(float)]
         for i in range(len(idx))], index=idx.index, columns=idx.columns)
    fig, ax = _figure(max(9, 0.95 * len(facts) + 4.5), max(3.8, 0.85 * len(rows) + 2.6))
    _heatmap(ax, z, "RdBu_r", labels=labels, vmin=-1.5, vmax=1.5, fig=fig,
             colorbar_label="SDs from all customers")
    ax.set_xticks(range(len(facts)), [label for _, label in facts], rotation=0, ha="center")
    ax.set_xlabel("Profile measure (cell: segment mean / population mean)")
    ax.set_ylabel("Segment")
    return _save(fig, path, "Segment profiles",
                 "Colour: how far the segment mean lies from the population mean")


def spend_drivers_chart(drivers: pd.DataFrame, path: Path | str) -> Path:
    """Forest plot of the standardised effects on total spend with 95 % intervals."""
    cols = ["predictor", "standardized_beta", "ci_low", "ci_high", "status"]
    df = _require(drivers, cols, "spend drivers").copy()
    df = df[df["status"] == "ran"].copy()
    for c in ("standardized_beta", "ci_low", "ci_high"):
        df[c] = _num(df[c])
    df = df.dropna(subset=["standardized_beta"])
    if df.empty:
        raise ChartSkipped("no driver could be estimated")
    df = df.reindex(df["standardized_beta"].abs().sort_values().index)
    fig, ax = _figure(9.5, max(3.5, 0.55 * len(df) + 2))
    y = np.arange(len(df))
    # grey where the interval includes no effect, as the hypothesis-test chart greys what is
    # not significant: a point left of zero in orange read as "lowers spend" though the
    # interval allows either (age on the demo data, beta -0.03, CI -0.11 to 0.05)
    unclear = (df["ci_low"] <= 0) & (df["ci_high"] >= 0)
    colours = [GREY if u else PALETTE[0] if b >= 0 else PALETTE[5]
               for b, u in zip(df["standardized_beta"], unclear, strict=True)]
    ax.errorbar(df["standardized_beta"], y,
                xerr=[df["standardized_beta"] - df["ci_low"], df["ci_high"] - df["standardized_beta"]],
                fmt="none", ecolor="#555555", capsize=4, lw=1.2)
    ax.scatter(df["standardized_beta"], y, color=colours, s=60, zorder=3)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, [_label(p) for p in df["predictor"]])
    ax.set_xlabel("Standardised effect on total spend (SD of spend per SD of the driver), 95 % CI"
                  "\nblue = goes with more spend, orange = with less, grey = the interval "
                  "includes no effect")
    # ordered by |beta| only: the largest estimate need not be the strongest driver
    # (statistics.strongest_driver names none when the intervals allow effects of one size)
    ax.set_ylabel("Driver (ordered by size of effect, |beta|, largest at the top)")
    r2 = df["r_squared"].dropna().iloc[0] if "r_squared" in df and df["r_squared"].notna().any() else None
    n = df["n"].dropna().iloc[0] if "n" in df and df["n"].notna().any() else None
    subtitle = "OLS on standardised variables, robust (HC3) intervals"
    if r2 is not None and n is not None:
        subtitle += f"; R² = {float(r2):.2f}, n = {int(n):,} customers"
    return _save(fig, path, "What drives total spend", subtitle)


def hypothesis_tests_chart(tests: pd.DataFrame, path: Path | str) -> Path:
    """Effect size and its confidence interval for every hypothesis test that ran (Cramér's
    V of the season x category test runs from 0, no association, upwards)."""
    cols = ["test_id", "effect_size", "ci_low", "ci_high", "effect_size_name", "status",
            "is_significant"]
    df = _require(tests, cols, "hypothesis tests").copy()
    df = df[df["status"] == "ran"].copy()
    for c in ("effect_size", "ci_low", "ci_high"):
        df[c] = _num(df[c])
    df = df.dropna(subset=["effect_size"])
    if df.empty:
        raise ChartSkipped("no hypothesis test ran")
    df = df.iloc[::-1]
    fig, ax = _figure(10, max(3.5, 0.6 * len(df) + 2))
    y = np.arange(len(df))
    ax.errorbar(df["effect_size"], y,
                xerr=[df["effect_size"] - df["ci_low"], df["ci_high"] - df["effect_size"]],
                fmt="none", ecolor="#555555", capsize=4, lw=1.2)
    # the order-level tests' intervals with each customer's orders counted together, just
    # below their plain ones (wider when one customer's orders are alike)
    clustered = pd.Series(False, index=df.index)
    if {"ci_low_clustered", "ci_high_clustered"} <= set(df.columns):
        low, high = _num(df["ci_low_clustered"]), _num(df["ci_high_clustered"])
        clustered = low.notna() & high.notna()
        if clustered.any():
            at = clustered.to_numpy()
            effect = df["effect_size"][at]
            ax.errorbar(effect, y[at] - 0.22, xerr=[effect - low[at], high[at] - effect],
                        fmt="none", ecolor=PALETTE[2], capsize=3, lw=1.2)
            ax.legend(handles=[
                Line2D([], [], color="#555555", lw=1.2, label="95 % interval"),
                Line2D([], [], color=PALETTE[2], lw=1.2,
                       label="95 % interval, each customer's orders counted together"),
            ], loc="best", fontsize=8.5, frameon=False)
    # orange: against the hypothesis (its verdict says the effect goes the other way)
    other_way = (df["verdict"].astype(str).str.contains("goes the other way")
                 if "verdict" in df else pd.Series(False, index=df.index))
    colours = [PALETTE[1] if o else PALETTE[0] if s else GREY
               for s, o in zip(df["is_significant"].astype(bool), other_way, strict=True)]
    ax.scatter(df["effect_size"], y, color=colours, s=60, zorder=3)
    ax.axvline(0, color="black", lw=0.8)
    # a test whose interval is missing has no error bar: its label says why, so the bare point
    # does not read as an effect known exactly (statistics.NOT_ESTIMABLE: an interval that
    # collapsed to a point, with every value of one group above every value of the other)
    methods = df["ci_method"].astype(str) if "ci_method" in df else pd.Series("", index=df.index)
    missing = ["" if np.isfinite(lo) and np.isfinite(hi) else "; " + missing_interval_text(m)
               for lo, hi, m in zip(df["ci_low"], df["ci_high"], methods, strict=True)]
    ax.set_yticks(y, [f"{_label(t)}\n({effect_size_label(e)}{why})" for t, e, why in
                      zip(df["test_id"], df["effect_size_name"], missing, strict=True)],
                  fontsize=8.5)
    ax.set_xlabel("Effect size with 95 % confidence interval (0 = no effect)")
    ax.set_ylabel("Test (effect size measure)")
    return _save(fig, path, "Hypothesis tests: effect sizes",
                 "Blue = significant after Holm adjustment, grey = not significant, "
                 "orange = the effect goes against the hypothesis")


def clv_distribution_chart(clv: pd.DataFrame, path: Path | str,
                           holdout: pd.DataFrame | None = None) -> Path:
    """Distribution of predicted 12-month CLV and of P(alive); with a holdout check
    (marts.lifetime_value_holdout has rows), a third panel sets the purchases the model
    expected after the calibration end against the actual ones, by calibration repeat
    purchases."""
    df = _require(clv, ["predicted_clv_horizon", "p_alive", "historical_value"],
                  "customer lifetime value").copy()
    value = _num(df["predicted_clv_horizon"]).dropna()
    alive = _num(df["p_alive"]).dropna()
    if value.empty:
        raise ChartSkipped("no predicted lifetime values")
    checked = holdout is not None and len(holdout) > 0
    fig, axes = _figure(18 if checked else 12, 4.8, ncols=3 if checked else 2)
    upper = float(np.nanpercentile(value, 99)) if len(value) > 10 else float(value.max())
    axes[0].hist(value.clip(upper=upper), bins=40, color=PALETTE[0])
    axes[0].axvline(float(value.median()), color=PALETTE[5], ls="--", lw=1.2,
                    label=f"median {_fmt_number(float(value.median()))}")
    months = "12 months after the calibration end" if checked else "next 12 months"
    axes[0].set_xlabel(f"Predicted value, {months} ({MONEY}; top 1 % pooled at the right)")
    axes[0].set_ylabel("Customers")
    axes[0].set_title("Predicted customer lifetime value", fontsize=11, loc="left")
    axes[0].legend()
    axes[1].hist(alive, bins=np.linspace(0, 1, 21), color=PALETTE[2])
    axes[1].set_xlabel("Probability the customer is still active (BG/NBD)")
    axes[1].set_ylabel("Customers")
    axes[1].set_title("P(alive)", fontsize=11, loc="left")
    if checked:
        _holdout_panel(axes[2], holdout)
    for ax in axes[:2]:
        ax.xaxis.set_major_formatter(THOUSANDS)
        ax.yaxis.set_major_formatter(THOUSANDS)
        _apply_rc(ax)
    return _save(fig, path, "Customer lifetime value (BG/NBD + Gamma–Gamma)")


def _holdout_panel(ax, holdout: pd.DataFrame) -> None:
    """Mean purchases per customer after the calibration end: actual (bars) and expected by
    BG/NBD (points), for customers with 0, 1, … 7+ repeat purchases before it."""
    cols = ["grouping", "calibration_repeat_purchases", "bucket_order",
            "mean_actual_purchases", "mean_expected_purchases", "customer_count",
            "holdout_weeks", "calibration_end"]
    df = _require(holdout, cols, "lifetime value holdout")
    rows = df[df["grouping"] == "repeat_purchases"].sort_values("bucket_order")
    x = np.arange(len(rows))
    ax.bar(x, _num(rows["mean_actual_purchases"]), color=PALETTE[0], width=0.6,
           label="actual")
    ax.plot(x, _num(rows["mean_expected_purchases"]), "o--", color=PALETTE[5], lw=1.2,
            label="expected by BG/NBD")
    ax.set_xticks(x, rows["calibration_repeat_purchases"].astype(str))
    ax.set_xlabel("Repeat purchases up to the calibration end")
    weeks = float(_num(df["holdout_weeks"]).iloc[0])
    ax.set_ylabel(f"Purchases per customer in the next {weeks:.0f} weeks")
    ax.set_title(f"Checked on the holdout (after {str(df['calibration_end'].iloc[0])[:10]})",
                 fontsize=11, loc="left")
    ax.legend()
    _apply_rc(ax)


def placeholder_chart(path: Path | str, title: str, reason: str) -> Path:
    """A small image that says a chart is not available (the docs site shows it)."""
    fig, ax = _figure(8, 2.2)
    ax.axis("off")
    ax.text(0.01, 0.55, f"No chart for this dataset: {reason}.", fontsize=11, va="center",
            wrap=True)
    return _save(fig, path, title)


# --------------------------------------------------------------------------------------
# the warehouse side: what each chart reads, read in one place
# --------------------------------------------------------------------------------------
# Table key -> query. Keys are the relations' names (schema.table); the queries select the
# whole table except where a chart needs a bounded sample of a customer-grain table.
TABLE_QUERIES: dict[str, str] = {
    "marts.customers": (
        "select customer_id, age_group, age_group_order, loyalty_score, total_spend "
        "from marts.customers where loyalty_score is not null "
        f"order by hash(customer_id), customer_id limit {MAX_SCATTER_POINTS}"
    ),
    "segments.segment_features": (
        "select * from segments.segment_features "
        f"order by hash(customer_id), customer_id limit {MAX_SCATTER_POINTS}"
    ),
}


# Why a sampled query can come back empty although the relation has rows.
EMPTY_REASONS = {"marts.customers": "no customer has a loyalty score"}


@dataclass(frozen=True)
class ChartSpec:
    name: str
    title: str
    sources: tuple[str, ...]
    draw: Callable[[Mapping[str, pd.DataFrame | None], Path], Path]
    question: str
    optional: tuple[str, ...] = field(default=())

    @property
    def file_name(self) -> str:
        return f"{self.name}.png"


def _t(tables, key):
    return tables.get(key)


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec("income_by_age_group", "Annual income by age group", ("marts.income_by_age_group",),
              lambda t, p: income_by_age_group_chart(t["marts.income_by_age_group"], p),
              "income distribution by age group"),
    ChartSpec("loyalty_vs_spend", "Loyalty score vs total spend", ("marts.customers",),
              lambda t, p: loyalty_vs_spend_chart(t["marts.customers"], p,
                                                  _t(t, "marts.loyalty_vs_spend")),
              "purchase amount vs loyalty, by age group", optional=("marts.loyalty_vs_spend",)),
    ChartSpec("region_frequency_heatmap", "Purchase frequency by region and age group",
              ("marts.purchase_frequency_by_region_age_group",),
              lambda t, p: region_frequency_heatmap(
                  t["marts.purchase_frequency_by_region_age_group"], p),
              "purchase frequency by region"),
    ChartSpec("channel_category_heatmap", "Spend by channel and product category",
              ("marts.channel_product_spend",),
              lambda t, p: channel_category_heatmap(t["marts.channel_product_spend"], p),
              "channel × product spend"),
    ChartSpec("channel_mix_value", "Customer value by channel mix",
              ("marts.customer_value_by_channel_mix",),
              lambda t, p: channel_mix_value_chart(t["marts.customer_value_by_channel_mix"], p),
              "value per customer by channel mix"),
    ChartSpec("demographic_spend", "Spend by demographic group", ("marts.demographic_spend",),
              lambda t, p: demographic_spend_chart(t["marts.demographic_spend"], p),
              "spend by state, occupation, gender, age group, marital status, education"),
    ChartSpec("customer_demographics", "Who the customers are",
              ("marts.customer_demographics_distribution",),
              lambda t, p: customer_demographics_chart(
                  t["marts.customer_demographics_distribution"], p),
              "distribution of age, income, family size, marital status, education, gender"),
    ChartSpec("age_gender_spend", "Spend by age group and gender",
              ("marts.spend_by_age_group_and_gender",),
              lambda t, p: age_gender_spend_chart(t["marts.spend_by_age_group_and_gender"], p),
              "spend by age group and gender"),
    ChartSpec("category_demand", "Product demand", ("marts.category_demand",),
              lambda t, p: category_demand_chart(t["marts.category_demand"], p,
                                                 _t(t, "marts.product_demand")),
              "most popular categories and products", optional=("marts.product_demand",)),
    ChartSpec("category_demand_by_segment", "What each segment buys",
              ("marts.category_demand_by_segment",),
              lambda t, p: category_by_segment_heatmap(t["marts.category_demand_by_segment"], p),
              "category demand per segment"),
    ChartSpec("category_demand_by_region", "What each region buys",
              ("marts.category_demand_by_region",),
              lambda t, p: category_by_region_heatmap(t["marts.category_demand_by_region"], p),
              "category demand per region"),
    ChartSpec("seasonal_sales", "Seasonal and holiday sales", ("marts.seasonal_sales",),
              lambda t, p: monthly_sales_chart(t["marts.seasonal_sales"], p,
                                               _t(t, "marts.sales_by_season"),
                                               _t(t, "marts.holiday_sales")),
              "seasonal and holiday demand",
              optional=("marts.sales_by_season", "marts.holiday_sales")),
    ChartSpec("category_seasonal_demand", "Seasonal demand by category",
              ("marts.category_seasonal_demand",),
              lambda t, p: category_seasonal_heatmap(t["marts.category_seasonal_demand"], p),
              "seasonal demand per category"),
    ChartSpec("category_holiday_demand", "Which categories holidays lift",
              ("marts.category_holiday_demand",),
              lambda t, p: category_holiday_heatmap(t["marts.category_holiday_demand"], p),
              "holiday demand per category"),
    ChartSpec("promotion_impact", "Promotion impact", ("marts.promotion_impact",),
              lambda t, p: promotion_impact_chart(t["marts.promotion_impact"], p),
              "discounts and promotions vs volume and revenue"),
    ChartSpec("stated_purchase_sales", "Seasons and promotions as the purchases state them",
              ("marts.stated_purchase_sales",),
              lambda t, p: stated_purchase_chart(t["marts.stated_purchase_sales"], p,
                                                 _t(t, "marts.category_demand_by_stated_season")),
              "seasonal trends and promotions where purchases state them instead of a date",
              optional=("marts.category_demand_by_stated_season",)),
    ChartSpec("loyalty_membership", "Loyalty members vs non-members",
              ("marts.loyalty_membership_spend",),
              lambda t, p: loyalty_membership_chart(t["marts.loyalty_membership_spend"], p,
                                                    _t(t, "marts.spend_by_loyalty_band")),
              "loyalty members vs non-members", optional=("marts.spend_by_loyalty_band",)),
    ChartSpec("revenue_concentration", "Revenue concentration", ("marts.revenue_concentration",),
              lambda t, p: revenue_concentration_chart(
                  t["marts.revenue_concentration"], p,
                  _t(t, "marts.revenue_concentration_summary")),
              "revenue concentration", optional=("marts.revenue_concentration_summary",)),
    ChartSpec("category_demand_by_spend_decile", "What the best customers buy",
              ("marts.category_demand_by_spend_decile",),
              lambda t, p: category_by_spend_decile_chart(
                  t["marts.category_demand_by_spend_decile"], p),
              "category mix per spend decile"),
    ChartSpec("repeat_purchase", "Repeat purchase", ("marts.repeat_purchase",),
              lambda t, p: repeat_purchase_chart(t["marts.repeat_purchase"], p),
              "repeat purchase behaviour"),
    ChartSpec("campaign_response", "Campaign response by segment", ("marts.campaign_response",),
              lambda t, p: campaign_response_chart(t["marts.campaign_response"], p),
              "campaign responsiveness per segment"),
    ChartSpec("segment_trends", "Segment trends over time", ("marts.segment_monthly_sales",),
              lambda t, p: segment_trend_chart(t["marts.segment_monthly_sales"], p),
              "purchasing trends over time per segment"),
    ChartSpec("correlation_matrix", "Correlation matrix", ("marts.customer_correlations",),
              lambda t, p: correlation_matrix_chart(t["marts.customer_correlations"], p),
              "correlations between customer measures"),
    ChartSpec("hypothesis_tests", "Hypothesis tests: effect sizes", ("marts.hypothesis_tests",),
              lambda t, p: hypothesis_tests_chart(t["marts.hypothesis_tests"], p),
              "hypothesis tests"),
    ChartSpec("spend_drivers", "What drives total spend", ("marts.spend_drivers",),
              lambda t, p: spend_drivers_chart(t["marts.spend_drivers"], p),
              "spend drivers"),
    ChartSpec("clv_distribution", "Customer lifetime value", ("marts.customer_lifetime_value",),
              lambda t, p: clv_distribution_chart(t["marts.customer_lifetime_value"], p,
                                                  _t(t, "marts.lifetime_value_holdout")),
              "customer lifetime value", optional=("marts.lifetime_value_holdout",)),
    ChartSpec("segment_k_selection", "Choosing the number of segments",
              ("segments.segment_k_selection",),
              lambda t, p: k_selection_chart(t["segments.segment_k_selection"], p),
              "elbow and silhouette"),
    ChartSpec("segment_scatter", "Customer segments in two dimensions",
              ("segments.segment_features", "segments.customer_segments",
               "segments.segment_model"),
              lambda t, p: segment_scatter_chart(t["segments.segment_features"],
                                                 t["segments.customer_segments"],
                                                 t["segments.segment_model"], p),
              "segment scatter (2-D projection)"),
    ChartSpec("segment_profiles", "Segment profiles", ("segments.segment_profiles",),
              lambda t, p: segment_profile_heatmap(t["segments.segment_profiles"], p),
              "segment profile heatmap"),
)


def chart_sources() -> list[str]:
    """Every warehouse relation any chart reads (the exposure's depends_on)."""
    names = {s for spec in CHARTS for s in (*spec.sources, *spec.optional)}
    return sorted(names)


def _relation_exists(con, relation: str) -> bool:
    schema, table = relation.split(".", 1)
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table]).fetchone()[0])


def load_tables(con, relations: list[str] | None = None) -> dict[str, pd.DataFrame | None]:
    """Read the relations the charts need; a relation missing from the warehouse maps to None."""
    relations = relations if relations is not None else chart_sources()
    tables: dict[str, pd.DataFrame | None] = {}
    for relation in relations:
        if not _relation_exists(con, relation):
            tables[relation] = None
            continue
        if relation == "segments.segment_features":
            # the scatter shows the customers of the features sample with their segment
            sql = TABLE_QUERIES[relation]
            tables[relation] = con.execute(sql).df()
            continue
        if relation == "segments.customer_segments" and _relation_exists(
            con, "segments.segment_features"
        ):
            sql = (
                "select customer_segments.* from segments.customer_segments "
                f"inner join ({TABLE_QUERIES['segments.segment_features']}) as sampled "
                "on customer_segments.customer_id = sampled.customer_id"
            )
            tables[relation] = con.execute(sql).df()
            continue
        sql = TABLE_QUERIES.get(relation, f"select * from {relation}")
        tables[relation] = con.execute(sql).df()
    return tables


def _connect(warehouse):
    import duckdb

    if isinstance(warehouse, (str, Path)):
        path = Path(warehouse)
        if not path.exists():
            raise ValueError(f"warehouse {path} does not exist: build it first (make build)")
        return duckdb.connect(str(path), read_only=True), True
    return warehouse, False


def render_charts(warehouse, out_dir: Path | str, *, placeholders: bool = True,
                  only: list[str] | None = None) -> list[dict]:
    """Draw every chart into ``out_dir`` and write ``charts.json``; returns its entries.

    ``warehouse`` is a DuckDB file (opened read-only) or an open connection. A chart whose
    required tables are missing or empty, or whose data hold nothing to draw, is recorded
    with ``status = "skipped"`` and the reason; with ``placeholders`` a small image stating
    the reason is written under the chart's file name so pages that embed it do not break.
    PNGs listed in a previous ``charts.json`` of the folder are removed first, so a folder
    never mixes charts of two warehouses.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / "charts.json"
    if manifest_path.exists():
        try:
            previous = json.loads(manifest_path.read_text())
            for entry in previous.get("charts", []):
                stale = out / Path(entry.get("file", "")).name
                if stale.suffix == ".png" and stale.exists():
                    stale.unlink()
        except (ValueError, OSError):
            pass
    con, owned = _connect(warehouse)
    try:
        tables = load_tables(con)
        warehouse_name = (
            str(Path(warehouse).resolve()) if isinstance(warehouse, (str, Path)) else None
        )
    finally:
        if owned:
            con.close()
    entries = []
    for spec in CHARTS:
        if only is not None and spec.name not in only:
            continue
        path = out / spec.file_name
        reason = None
        for relation in spec.sources:
            frame = tables.get(relation)
            if frame is None:
                reason = f"{relation} does not exist in this warehouse"
                break
            if len(frame) == 0:
                reason = EMPTY_REASONS.get(relation, f"{relation} is empty for this dataset")
                break
        if reason is None:
            try:
                spec.draw(tables, path)
            except ChartSkipped as exc:
                reason = str(exc)
        status = "written" if reason is None else "skipped"
        if reason is not None:
            if placeholders:
                placeholder_chart(path, spec.title, reason)
            elif path.exists():
                path.unlink()
        entries.append({
            "name": spec.name,
            "file": spec.file_name,
            "title": spec.title,
            "question": spec.question,
            "status": status,
            "reason": reason,
            "sources": list(spec.sources) + [o for o in spec.optional
                                             if tables.get(o) is not None],
        })
    manifest_path.write_text(json.dumps(
        {"warehouse": warehouse_name, "charts": entries}, indent=2) + "\n")
    return entries
