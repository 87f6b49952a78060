"""Charts and insight report from a built warehouse, as `make build` produces them.

The report's numbers must equal the marts' numbers: every entry of report_numbers.json is
recomputed with its SQL against the warehouse, every number printed in report.md must be one
of those entries (no hard-coded figures), and a few headline figures are recomputed here
independently from the customer-grain mart.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import matplotlib.image as mpimg
import pandas as pd
import pytest
import yaml
from tests.conftest import HOLIDAY_PLANTED_CATEGORY, OTHER_SHAPE_CHARTS, PROJECT_DIR, query

from customer_behavior.charts import CHARTS, chart_sources
from customer_behavior.report import build_report, normalize_value

pytestmark = pytest.mark.integration

# Numbers the report's static text may contain: the confidence level, the definitions of the
# top tiers (and the other 90 %) and the CLV horizon, and the ids of the source documents.
# The segmentation caution cites the source of its stability threshold, the seasonal
# sections that of the thresholds that name Cramér's V's size.
ALLOWED_STATIC = [r"95 %", r"top 10 %", r"top 20 %", r"other 90 %", r"12 months", r"\b00[0-4]\b",
                  r"Steinley \(2004\)", r"Cohen's \(1988\)"]
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _tokens(text: str) -> set[str]:
    return {t.rstrip(",") for t in NUMBER.findall(text)}


def _cli(*args) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "customer_behavior", *map(str, args)],
                            capture_output=True, text=True, timeout=600, cwd=PROJECT_DIR,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def generated(planted_build, tmp_path_factory):
    """`customer-behavior charts` then `customer-behavior report --charts`, as the Makefile runs them."""
    work = tmp_path_factory.mktemp("report")
    warehouse = planted_build["warehouse"]
    assets = work / "assets" / "charts"
    report_dir = work / "reports" / "planted"
    charts_run = _cli("charts", "--warehouse", warehouse, "--out", assets)
    report_run = _cli("report", "--warehouse", warehouse, "--out", report_dir,
                      "--charts", assets)
    numbers = json.loads((report_dir / "report_numbers.json").read_text())["numbers"]
    return {
        "warehouse": warehouse,
        "assets": assets,
        "report_dir": report_dir,
        "report": (report_dir / "report.md").read_text(),
        "numbers": numbers,
        "stdout": charts_run.stdout + report_run.stdout,
    }


def _assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    assert len(data) > 5_000, path
    height, width = mpimg.imread(path).shape[:2]
    assert 600 <= width <= 2400 and 250 <= height <= 2400, (path.name, width, height)


def test_every_chart_is_written_for_a_full_dataset(generated):
    manifest = json.loads((generated["assets"] / "charts.json").read_text())
    statuses = {e["name"]: (e["status"], e["reason"]) for e in manifest["charts"]}
    assert set(statuses) == {spec.name for spec in CHARTS}
    not_written = {k: v for k, v in statuses.items() if v[0] != "written"}
    assert set(not_written) == set(OTHER_SHAPE_CHARTS), (
        f"charts skipped on the planted data: {not_written}")
    for name, reason in OTHER_SHAPE_CHARTS.items():
        assert not_written[name][1].startswith(reason), not_written[name]
    for spec in CHARTS:
        if spec.name in OTHER_SHAPE_CHARTS:  # a placeholder image saying why
            assert (generated["assets"] / spec.file_name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            continue
        _assert_png(generated["assets"] / spec.file_name)
        _assert_png(generated["report_dir"] / "charts" / spec.file_name)


def test_report_embeds_every_chart_by_relative_path(generated):
    report = generated["report"]
    linked = re.findall(r"!\[[^\]]*\]\((charts/[^)]+)\)", report)
    assert sorted(linked) == sorted(f"charts/{spec.file_name}" for spec in CHARTS
                                    if spec.name not in OTHER_SHAPE_CHARTS)
    for link in linked:
        assert (generated["report_dir"] / link).is_file(), link


def test_report_has_every_section_and_no_skips_on_full_data(generated):
    report = generated["report"]
    for heading in ("## Headline numbers", "### Who the customers are",
                    "### Income by age group", "### Loyalty score",
                    "### Purchase frequency by region", "#### What each region buys",
                    "### Spend by demographic group",
                    "### Category and product demand", "### Channels and product categories",
                    "### Discounts and promotions", "### Loyalty members and non-members",
                    "### Seasonal and holiday demand", "#### Seasonal demand by category",
                    "#### Which categories holidays lift",
                    "### Repeat purchase",
                    "### Revenue concentration", "### Campaign response",
                    "### Hypothesis tests", "### What drives spend",
                    "### Customer lifetime value", "## Customer segments", "## Data quality",
                    "## Caveats"):
        assert heading in report, heading
    assert "_Skipped:" not in report
    assert "Observational data" in report and "generated" in report


def test_every_number_recomputes_from_the_warehouse(generated):
    numbers = generated["numbers"]
    assert len(numbers) > 200
    mismatches = []
    with duckdb.connect(str(generated["warehouse"]), read_only=True) as con:
        for key, item in numbers.items():
            row = con.execute(item["sql"]).fetchone()
            value = normalize_value(None if row is None else row[0])
            stored = item["value"]
            if isinstance(stored, float) or isinstance(value, float):
                ok = (stored is not None and value is not None
                      and math.isclose(float(stored), float(value), rel_tol=1e-9, abs_tol=1e-12))
            else:
                ok = stored == value
            if not ok:
                mismatches.append((key, stored, value))
    assert not mismatches, mismatches[:10]


def _unexplained_numbers(report: str, numbers: dict) -> set[str]:
    """Numbers printed in ``report`` that no entry of report_numbers.json prints."""
    registered = set()
    for item in numbers.values():
        registered |= _tokens(item["text"])
    text = re.sub(r"!?\[[^\]]*\]\([^)]*\)", " ", report)  # images and links
    for pattern in ALLOWED_STATIC:
        text = re.sub(pattern, " ", text)
    return _tokens(text) - registered


def test_every_number_in_the_report_comes_from_report_numbers(generated):
    unexplained = _unexplained_numbers(generated["report"], generated["numbers"])
    assert not unexplained, f"numbers in report.md not read from the marts: {sorted(unexplained)}"


def test_every_stated_number_is_printed(generated):
    report = generated["report"]
    missing = [key for key, item in generated["numbers"].items()
               if isinstance(item["value"], (int, float)) and not isinstance(item["value"], bool)
               and item["text"] not in report]
    assert not missing, missing[:10]


def test_headline_figures_match_an_independent_computation(generated):
    numbers, warehouse = generated["numbers"], generated["warehouse"]
    customers = query(warehouse, "select customer_id, total_spend from marts.customers")
    spend = customers["total_spend"].astype(float).sort_values(ascending=False).to_numpy()
    assert numbers["headline.customers"]["value"] == len(customers)
    assert numbers["headline.revenue"]["value"] == pytest.approx(spend.sum())
    top10 = spend[: math.ceil(0.1 * len(spend))].sum() / spend.sum()
    top20 = spend[: math.ceil(0.2 * len(spend))].sum() / spend.sum()
    summary = "marts.revenue_concentration_summary"
    assert numbers[f"{summary}.top_10_pct_revenue_share"]["value"] == pytest.approx(top10, abs=1e-6)
    assert numbers[f"{summary}.top_20_pct_revenue_share"]["value"] == pytest.approx(top20, abs=1e-6)
    orders = query(warehouse, "select count(*) as n from marts.orders")["n"].iloc[0]
    assert numbers["headline.orders"]["value"] == orders
    profiles = query(warehouse, "select segment_name, customer_count from segments.segment_profiles")
    for name, count in profiles.itertuples(index=False):
        assert name in generated["report"]
        assert f"{count:,}" in generated["report"]


def test_the_segment_growing_most_against_its_past_says_how_long_that_past_is(generated):
    """A 12-month forecast against a few months of history is a large ratio without any
    growth: the sentence gives the segment's days since first purchase, recomputed here in
    pandas from the customers and their segments."""
    warehouse = generated["warehouse"]
    customers = query(warehouse, "select c.customer_id, c.first_order_date, c.as_of_date, "
                                 "s.segment_id from marts.customers c "
                                 "join segments.customer_segments s using (customer_id)")
    value = query(warehouse, "select segment_id, segment_name, predicted_to_historical_ratio "
                             "from marts.segment_value")
    rising = value.sort_values(["predicted_to_historical_ratio", "segment_id"],
                               ascending=[False, True]).iloc[0]
    days = (pd.to_datetime(customers.as_of_date) - pd.to_datetime(customers.first_order_date)).dt.days
    segment_days = days[customers.segment_id == rising.segment_id].mean()
    sentence = (f"_{rising.segment_name}_ is expected to spend "
                f"{rising.predicted_to_historical_ratio:.2f} times its past spend in one year, "
                f"the most against its past (its customers first bought {round(segment_days):,} "
                f"days before the as-of date on average, against {round(days.mean()):,} for all "
                "customers)")
    assert sentence in generated["report"], generated["report"][-4000:]


def test_the_over_50_gap_is_restated_for_established_customers(generated):
    # The generator plants newcomers who are all 28-50 ("new_loyalists", signed up in the
    # last eight months): over all customers they widen the age gap in purchase frequency;
    # among customers observed for a year they are left out.
    customers = query(generated["warehouse"],
                      "select age, purchase_frequency_per_year as f, "
                      "purchase_frequency_window_days as w from marts.customers "
                      "where age is not null and purchase_frequency_per_year is not null")
    est = customers[customers.w >= 365]
    means = {
        "all": (customers.f[customers.age <= 50].mean(), customers.f[customers.age > 50].mean()),
        "est": (est.f[est.age <= 50].mean(), est.f[est.age > 50].mean()),
    }
    assert means["est"][0] - means["est"][1] < means["all"][0] - means["all"][1]
    sentence = (
        "Purchase frequency by age, measured over at least a year: customers 50 or under "
        f"place {means['est'][0]:.2f} orders a year on average and over-50s "
        f"{means['est'][1]:.2f}; over all customers the figures are {means['all'][0]:.2f} and "
        f"{means['all'][1]:.2f}. The gap is narrower among established customers"
    )
    assert sentence in generated["report"]


def test_every_category_peaks_in_autumn_as_planted(generated):
    """The generator plants a Nov-Dec peak for every purchase (monthly order weights, Black
    Friday week): per day, autumn is each category's strongest season. The indices the table
    prints are recomputed here from the mart's spend and days."""
    report = generated["report"]
    assert "Every category sells most per day in autumn." in report
    cells = query(generated["warehouse"], "select season, season_order, product_category, "
                                          "day_count, spend from marts.category_seasonal_demand")
    cells["per_day"] = cells.spend.astype(float) / cells.day_count
    cells["index"] = cells.per_day / cells.groupby("product_category").per_day.transform("mean")
    swing = cells.groupby("product_category")["index"].agg(lambda i: i.max() - i.min())
    for category, rows in cells.groupby("product_category"):
        best = rows.sort_values(["index", "season_order"], ascending=[False, True]).iloc[0]
        worst = rows.sort_values(["index", "season_order"]).iloc[0]
        assert best.season == "autumn", category
        assert (f"| {category} | autumn | ×{best['index']:.2f} | {worst.season} | "
                f"×{worst['index']:.2f} |") in report, category
    most = swing.sort_values(ascending=False).index[0]
    rows = cells[cells.product_category == most]
    assert (f"{most} swings most, from ×{rows['index'].min():.2f} to "
            f"×{rows['index'].max():.2f}") in report


def test_who_the_customers_are_matches_a_recount(generated):
    """The median customer's age group and household size, the commonest age group and
    marital status, and the customers counted apart, recounted in pandas from
    marts.customers (household = 2 adults when married or together, else 1, + children); the
    median income bin recomputed from the mart's bin counts."""
    report, warehouse = generated["report"], generated["warehouse"]
    customers = query(warehouse, "select age_group, age_group_order, marital_status, "
                                 "children_count, annual_income, is_income_outlier "
                                 "from marts.customers")
    aged = customers[customers.age_group != "unknown"].sort_values("age_group_order")
    median_age = aged.age_group.iloc[math.ceil(len(aged) / 2) - 1]
    adults = customers.marital_status.map({"married": 2, "together": 2, "single": 1,
                                           "divorced": 1, "widowed": 1})
    household = (adults + customers.children_count).dropna().sort_values()
    size = min(int(household.iloc[math.ceil(len(household) / 2) - 1]), 5)
    size_label = "5 or more" if size == 5 else str(size)
    bins = query(warehouse, "select bin_label, customer_count from "
                            "marts.customer_demographics_distribution where variable = "
                            "'annual_income' and bin_kind = 'bin' order by bin_order")
    position = (bins.customer_count.cumsum() * 2 >= bins.customer_count.sum()).to_numpy()
    median_income = bins.bin_label[position.argmax()]
    assert (f"The median customer is aged {median_age}, earns {median_income} a year and "
            f"lives in a household of {size_label} people") in report
    ages = aged.age_group.value_counts()
    unknown_age = int((customers.age_group == "unknown").sum())
    assert (f"| Age | {len(aged):,} | {ages.index[0]} | {100 * ages.iloc[0] / len(aged):.1f} % "
            f"| {median_age} | {unknown_age:,} unknown |") in report
    incomes = customers.dropna(subset=["annual_income"])
    outliers = int(incomes.is_income_outlier.sum())
    assert outliers > 0  # the generator plants 666,666 incomes
    missing = int(customers.annual_income.isna().sum())
    assert (f"| Annual income | {len(incomes) - outliers:,} |" in report
            and f"| {missing:,} unknown, {outliers} outlier{'s' if outliers > 1 else ''} |"
            in report)
    marital = customers.marital_status[customers.marital_status != "unknown"].value_counts()
    assert (f"| Marital status | {marital.sum():,} | {marital.index[0]} | "
            f"{100 * marital.iloc[0] / marital.sum():.1f} % | – |") in report


def _region_favourites(warehouse) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each region's most over-represented category among cells of at least thirty buying
    customers, recomputed from the mart's spend (not its lift column)."""
    cells = query(warehouse, "select region, product_category, customer_count, spend "
                             "from marts.category_demand_by_region")
    cells["spend"] = cells.spend.astype(float)
    share = cells.spend / cells.groupby("region").spend.transform("sum")
    overall = cells.groupby("product_category").spend.sum() / cells.spend.sum()
    cells["share"] = share
    cells["lift"] = share / cells.product_category.map(overall)
    kept = cells[(cells.region != "unknown") & (cells.customer_count >= 30)]
    favourites = (kept.sort_values(["lift", "product_category"], ascending=[False, True])
                  .groupby("region").head(1).set_index("region"))
    return kept, favourites


def test_each_regions_favoured_category_matches_a_recomputation(generated):
    """The generator plants no regional taste (a customer's region is drawn independently of
    the group that sets the category mix; regions differ only in how often they buy), so the
    report must find the regions' mixes alike; each region's row is recomputed from spend."""
    report = generated["report"]
    kept, favourites = _region_favourites(generated["warehouse"])
    assert len(favourites) == 5
    for region, row in favourites.iterrows():
        assert (f"| {region} | " in report
                and f"| {row.product_category} | ×{row.lift:.2f} | {100 * row.share:.1f} % / "
                in report), region
    assert (f"lifts run from ×{kept.lift.min():.2f} to ×{kept.lift.max():.2f}") in report
    assert "the regions buy much the same mix" in report


def test_each_segments_products_match_a_recomputation(generated):
    """The products table of the demand section, recomputed in pandas from the accepted
    order lines and the segment of each customer: the best-selling product and its share of
    the segment's spend, and the most over-represented product among those at least thirty
    of the segment's customers bought."""
    lines = query(generated["warehouse"],
                  "select lines.customer_id, lines.product_category, lines.product_id, "
                  "lines.amount::double as amount, segments.segment_id, segments.segment_name "
                  "from intermediate.int_order_lines_checked as lines "
                  "join segments.customer_segments as segments using (customer_id) "
                  "where lines.rejection_reason is null and lines.product_id is not null")
    key = ["product_category", "product_id"]
    cells = (lines.groupby(["segment_id", "segment_name", *key])
             .agg(spend=("amount", "sum"), buyers=("customer_id", "nunique")).reset_index())
    cells["share"] = cells.spend / cells.groupby("segment_id").spend.transform("sum")
    overall = cells.groupby(key).spend.sum() / cells.spend.sum()
    cells["lift"] = cells.share / overall.reindex(pd.MultiIndex.from_frame(cells[key])).to_numpy()
    report = generated["report"]
    assert cells.segment_id.nunique() == 4
    for (sid, name), rows in cells.groupby(["segment_id", "segment_name"]):
        best = rows.sort_values(["spend", *key], ascending=[False, True, True]).iloc[0]
        enough = rows[rows.buyers >= 30]
        fav = enough.sort_values(["lift", *key], ascending=[False, True, True]).iloc[0]
        assert (f"| {name} | {best.product_id} ({100 * best.share:.1f} %) | "
                f"{fav.product_id} (×{fav.lift:.2f}, {fav.buyers:,} buyers) |") in report, sid


def test_what_the_top_decile_buys_matches_a_recomputation(generated):
    """The top 10 % paragraph, recomputed in pandas from the decile x category mart: its two
    largest categories and their shares, the same two categories' share among the other
    90 %, and the category it favours most."""
    cells = query(generated["warehouse"], "select * from marts.category_demand_by_spend_decile")
    top = cells[cells.spend_decile == 1].sort_values("spend", ascending=False)
    first, second = top.iloc[0], top.iloc[1]
    rest = cells[cells.spend_decile > 1]
    pair = [first.product_category, second.product_category]
    rest_share = (rest[rest.product_category.isin(pair)].spend.astype(float).sum()
                  / rest.spend.astype(float).sum())
    favoured = top.sort_values(["spend_share_index", "product_category"],
                               ascending=[False, True]).iloc[0]
    assert (f"What the top 10 % buy: {first.product_category} takes "
            f"{100 * first.share_of_decile_spend:.1f} % of their spend and "
            f"{second.product_category} {100 * second.share_of_decile_spend:.1f} % "
            f"({100 * (first.share_of_decile_spend + second.share_of_decile_spend):.1f} % "
            f"together); among the other 90 % of customers {first.product_category} and "
            f"{second.product_category} take {100 * rest_share:.1f} %.") in generated["report"]
    assert (f"favour most against all customers is {favoured.product_category} "
            f"(×{favoured.spend_share_index:.2f} its share of all spend)") in generated["report"]


def _report_on_a_copy(planted_build, tmp_path, *statements: str) -> tuple[str, dict]:
    """Copy the planted warehouse, run ``statements`` on the copy, build its report: the
    report's text and summary."""
    copy = tmp_path / "copy.duckdb"
    shutil.copy(planted_build["warehouse"], copy)
    with duckdb.connect(str(copy)) as con:
        for statement in statements:
            con.execute(statement)
    summary = build_report(copy, tmp_path / "out")
    return (tmp_path / "out" / "report.md").read_text(), summary


def test_a_region_that_departs_from_the_mix_is_named(planted_build, tmp_path):
    """Planted in a copy: one region's gold lift at x1.6 is named as the furthest departure."""
    report, _ = _report_on_a_copy(
        planted_build, tmp_path,
        "update marts.category_demand_by_region set lift = 1.6 "
        "where region = 'central' and product_category = 'gold'",
    )
    assert ("the furthest from the whole customer base is gold in the central region (×1.60, "
            "over-represented)") in report
    assert "much the same mix" not in report
    assert "| central | " in report and "| gold | ×1.60 |" in report


def test_the_new_category_sections_are_skipped_without_their_marts(planted_build, tmp_path):
    report, summary = _report_on_a_copy(
        planted_build, tmp_path,
        "drop table marts.category_demand_by_region",
        "delete from marts.category_seasonal_demand",
    )
    assert ("#### What each region buys (documents 001, 003)\n\n_Skipped: "
            "`marts.category_demand_by_region` does not exist in this warehouse._") in report
    assert ("#### Seasonal demand by category (documents 001, 003)\n\n_Skipped: "
            "`marts.category_seasonal_demand` is empty for this dataset (it needs dated order "
            "lines with product categories)._") in report
    assert set(summary["charts_skipped"]) == {"category_demand_by_region",
                                              "category_seasonal_demand", *OTHER_SHAPE_CHARTS}
    assert {"categories by region", "seasonal demand by category"} <= set(
        summary["sections_skipped"])
    numbers = json.loads((tmp_path / "out" / "report_numbers.json").read_text())["numbers"]
    assert not any("category_demand_by_region" in item["sql"]
                   or "category_seasonal_demand" in item["sql"] for item in numbers.values())


def test_the_median_customer_is_not_the_commonest_bin(planted_build, tmp_path):
    """In the planted data the commonest age group also holds the median customer; in a copy
    with many under-21s and 61-70s the two part: the report names each for what it is."""
    rel = "marts.customer_demographics_distribution"
    counts = {"under 21": 400, "21-30": 100, "31-40": 100, "41-50": 100, "51-60": 100,
              "61-70": 300, "over 70": 100}
    cumulative = pd.Series(counts).cumsum()
    median = cumulative.index[(2 * cumulative >= sum(counts.values())).to_numpy().argmax()]
    assert median == "31-40"
    cases = " ".join(f"when '{label}' then {count}" for label, count in counts.items())
    report, _ = _report_on_a_copy(
        planted_build, tmp_path,
        f"update {rel} set customer_count = case bin_label {cases} end, "
        f"is_median_bin = bin_label = '{median}' where variable = 'age' and bin_kind = 'bin'",
        f"update {rel} set customer_share = customer_count / {sum(counts.values())} "
        "where variable = 'age' and bin_kind = 'bin'",
    )
    assert f"The median customer is aged {median}," in report
    total = sum(counts.values())
    assert (f"| Age | {total:,} | under 21 | {100 * counts['under 21'] / total:.1f} % | "
            f"{median} |") in report


def test_who_the_customers_are_says_what_the_data_lack(planted_build, tmp_path):
    """A variable without any value is named, not tabled; data without any demographic
    value get a sentence and no chart; without the mart the section is skipped."""
    rel = "marts.customer_demographics_distribution"
    everyone = "(select count(*) from marts.customers)"
    report, _ = _report_on_a_copy(
        planted_build, tmp_path,
        f"delete from {rel} where variable in ('gender', 'education') and bin_kind = 'bin'",
        f"update {rel} set customer_count = {everyone} "
        "where variable in ('gender', 'education') and bin_kind = 'unknown'",
    )
    assert "The data give no value for education and gender: every customer is unknown" in report
    assert "| Gender |" not in report and "| Education |" not in report
    (tmp_path / "none").mkdir()
    (tmp_path / "gone").mkdir()
    report, summary = _report_on_a_copy(
        planted_build, tmp_path / "none",
        f"update {rel} set customer_count = case when bin_kind = 'unknown' then {everyone} "
        "else 0 end",
    )
    assert ("### Who the customers are (document 002)\n\nThe data give no demographic value "
            "(age, income, household, marital status, education or gender) for any "
            "customer.\n\n_Chart skipped: the data give no demographic value for any "
            "customer._") in report
    assert "customer_demographics" in summary["charts_skipped"]
    report, summary = _report_on_a_copy(planted_build, tmp_path / "gone", f"drop table {rel}")
    assert ("### Who the customers are (document 002)\n\n_Skipped: "
            f"`{rel}` does not exist in this warehouse._") in report
    assert "customer demographics" in summary["sections_skipped"]


def _holiday_share_lifts(warehouse) -> pd.DataFrame:
    """Each category's pooled holiday figures recomputed from the mart's sums (not its lift
    and share columns), and whether it was ordered at least thirty times on the holidays."""
    rows = query(warehouse, "select product_category, holiday_day_count, ordinary_day_count, "
                            "holiday_order_count, holiday_revenue, ordinary_revenue "
                            "from marts.category_holiday_demand where is_all_holidays")
    rows = rows.set_index("product_category")
    h, o = rows.holiday_revenue.astype(float), rows.ordinary_revenue.astype(float)
    rows["holiday_share"], rows["ordinary_share"] = h / h.sum(), o / o.sum()
    rows["share_lift"] = rows.holiday_share / rows.ordinary_share
    rows["lift"] = (h / rows.holiday_day_count) / (o / rows.ordinary_day_count)
    rows["named"] = rows.holiday_order_count >= 30
    rows.attrs["overall"] = (h.sum() / rows.holiday_day_count.iloc[0]) / (
        o.sum() / rows.ordinary_day_count.iloc[0])
    return rows


def test_holidays_lift_every_category_alike_on_the_planted_build(generated):
    """The generator lifts every purchase alike on holidays (no category-specific effect), so
    the report must say the categories are lifted alike; its range and table rows are
    recomputed from the mart's revenue sums."""
    report = generated["report"]
    rows = _holiday_share_lifts(generated["warehouse"])
    named = rows[rows.named]
    assert len(named) == 6
    assert (f"all categories together sell ×{rows.attrs['overall']:.2f} as much per day as on "
            "an ordinary day") in report
    assert (f"the categories' share lifts run from ×{named.share_lift.min():.2f} to "
            f"×{named.share_lift.max():.2f}") in report
    assert "Holidays lift the categories alike" in report
    for category, row in rows.iterrows():
        assert (f"| {category} | {row.holiday_order_count:,} | ") in report, category
        assert (f"| ×{row.lift:.2f} | {100 * row.ordinary_share:.1f} % / "
                f"{100 * row.holiday_share:.1f} % | ×{row.share_lift:.2f} |") in report, category


def test_the_category_planted_to_sell_more_on_holidays_is_named(planted_build,
                                                                holiday_planted_build, tmp_path):
    """Known answer end to end: the mart built from data whose sweets sell x3 units on holidays
    (holiday_planted_build), put into a copy of the planted warehouse, makes the report name
    sweets as the category holidays lift, with its lift and shares recomputed from the mart's
    sums; it no longer says the categories are lifted alike."""
    planted = holiday_planted_build["warehouse"]
    report, _ = _report_on_a_copy(
        planted_build, tmp_path,
        f"attach '{planted}' as holiday_planted (read_only)",
        "create or replace table marts.category_holiday_demand as "
        "select * from holiday_planted.marts.category_holiday_demand",
    )
    rows = _holiday_share_lifts(planted)
    top = rows.loc[HOLIDAY_PLANTED_CATEGORY]
    assert rows.share_lift.idxmax() == HOLIDAY_PLANTED_CATEGORY
    assert (f"Holidays lift {HOLIDAY_PLANTED_CATEGORY} most: it sells ×{top.lift:.2f} its "
            f"ordinary day's revenue per holiday day, against ×{rows.attrs['overall']:.2f} for "
            f"all categories, and its share of revenue rises from {100 * top.ordinary_share:.1f} %"
            f" on ordinary days to {100 * top.holiday_share:.1f} % on holidays") in report
    assert "lift the categories alike" not in report
    # no other category loses as much as a sixth of its share: none is named as losing most
    assert rows.drop(index=HOLIDAY_PLANTED_CATEGORY).share_lift.min() > 1 / 1.2
    assert "loses most of its share on holidays" not in report


def test_the_holiday_category_section_is_skipped_without_its_mart(planted_build, tmp_path):
    """Empty mart (data without dated lines with categories, or no holiday in range): a note,
    no chart, no number read from it. A mart whose every day is a holiday says so."""
    report, summary = _report_on_a_copy(planted_build, tmp_path,
                                        "delete from marts.category_holiday_demand")
    assert ("#### Which categories holidays lift (documents 001, 003)\n\n_Skipped: "
            "`marts.category_holiday_demand` is empty for this dataset (it needs dated order "
            "lines with product categories and a holiday of the calendar inside the data's "
            "date range)._") in report
    assert set(summary["charts_skipped"]) == {"category_holiday_demand", *OTHER_SHAPE_CHARTS}
    assert "holiday demand by category" in summary["sections_skipped"]
    numbers = json.loads((tmp_path / "out" / "report_numbers.json").read_text())["numbers"]
    assert not any("category_holiday_demand" in item["sql"] for item in numbers.values())
    (tmp_path / "all_holidays").mkdir()
    report, _ = _report_on_a_copy(
        planted_build, tmp_path / "all_holidays",
        "update marts.category_holiday_demand set ordinary_day_count = 0, "
        "ordinary_revenue_per_day = null, revenue_lift = null, share_lift = null")
    assert ("#### Which categories holidays lift (documents 001, 003)\n\nEvery day of the data "
            "is a holiday of the calendar, so no ordinary day is left to compare the holidays "
            "with.") in report


def test_report_states_hypothesis_results_with_effects_and_caveats(generated):
    tests = query(generated["warehouse"],
                  "select test_id, verdict, caveat, effect_size, ci_low, ci_high "
                  "from marts.hypothesis_tests where status = 'ran'")
    assert len(tests) >= 3
    for row in tests.itertuples(index=False):
        assert row.verdict in generated["report"]
        assert row.caveat in generated["report"]
        assert f"{row.effect_size:.2f} [{row.ci_low:.2f}, {row.ci_high:.2f}]" in generated["report"]


def test_the_hypothesis_table_names_each_method_and_counts_one_sample_once(generated):
    """The Method (n) column names a test as a reader knows it ("Welch's t", "Mann–Whitney
    U", "chi-square"), not as the mart stores it ("welch t", "mann whitney u", "chi square"),
    and a test of one sample (a correlation, a table of counts, the customers paired) states
    its count once: "chi-square (n 43,060)", not "(n 43,060 / 43,060)"."""
    names = {"welch_t": "Welch's t", "mann_whitney_u": "Mann–Whitney U",
             "wilcoxon_signed_rank": "Wilcoxon signed-rank", "spearman": "Spearman",
             "chi_square": "chi-square"}
    rows = {row[0]: row for row in _table_rows(generated["report"], "| Hypothesis | Document |")}
    tests = query(generated["warehouse"], "select hypothesis, method, n_a, n_b "
                  "from marts.hypothesis_tests where status = 'ran'")
    one_sample = {"spearman": "", "chi_square": "", "wilcoxon_signed_rank": " pairs"}
    assert {"welch_t", "chi_square", "spearman"} <= set(tests.method)
    for row in tests.itertuples(index=False):
        n = (f"{row.n_a:,}{one_sample[row.method]}" if row.method in one_sample
             else f"{row.n_a:,} / {row.n_b:,}")
        assert rows[row.hypothesis][2] == f"{names[row.method]} (n {n})", rows[row.hypothesis]


def test_an_interval_that_is_not_estimable_is_not_printed_as_n_a(planted_build, tmp_path):
    """Planted in a copy: two tests whose effect-size interval collapsed to a point, which
    statistics stores as NULL bounds with ci_method "not estimable: ..." (every value of one
    group above every value of the other). The table printed "1.00 [n/a, n/a]" and the
    seasonal sentence "(95 % CI n/a to n/a)"; both now give the estimate with "interval not
    estimable"."""
    why = ("not estimable: every value of group A is above every value of group B "
           "(rank-biserial +1); the percentile bootstrap gives the single point 1")
    report, _ = _report_on_a_copy(
        planted_build, tmp_path,
        "update marts.hypothesis_tests set effect_size = 1, ci_low = null, ci_high = null, "
        f"ci_method = '{why}' where test_id = 'loyalty_member_spend'",
        "update marts.hypothesis_tests set ci_low = null, ci_high = null, "
        "ci_method = 'not estimable: the percentiles coincide' "
        "where test_id = 'seasonal_category_demand'",
    )
    assert "n/a, n/a" not in report and "n/a to n/a" not in report
    rows = {row[0]: row for row in _table_rows(report, "| Hypothesis | Document |")}
    member, seasonal = query(
        planted_build["warehouse"], "select hypothesis, effect_size_magnitude, effect_size "
        "from marts.hypothesis_tests where test_id in ('loyalty_member_spend', "
        "'seasonal_category_demand') order by test_id").itertuples(index=False)
    assert rows[member.hypothesis][3] == (
        f"1.00 [interval not estimable] rank-biserial, {member.effect_size_magnitude}")
    assert rows[seasonal.hypothesis][3] == (
        f"{seasonal.effect_size:.2f} [interval not estimable] Cramér's V, "
        f"{seasonal.effect_size_magnitude}")
    section = report.split("#### Seasonal demand by category")[1].split("\n#")[0]
    assert (f"Cramér's V {seasonal.effect_size:.2f} (interval not estimable) is "
            f"{seasonal.effect_size_magnitude} by Cohen's (1988)") in section


def test_seasonal_demand_cites_the_season_category_test(generated):
    """The seasonal demand by category section cites hypothesis_tests' chi-square test of
    season x category (dated order lines on the planted build) with its figures as stored,
    Cramér's V and its interval with the two decimals of the hypothesis table (the sentence
    read "Cramér's V 0.042 (95 % CI 0.038 to 0.049)" above a table that reads 0.04 [0.04,
    0.05] for the same test)."""
    row = query(generated["warehouse"], "select * from marts.hypothesis_tests "
                                        "where test_id = 'seasonal_category_demand'").iloc[0]
    assert row.status == "ran" and row.grain == "order line"
    section = generated["report"].split("#### Seasonal demand by category")[1].split("\n#")[0]
    p = "< 0.001" if row.p_value_holm < 0.001 else f"= {row.p_value_holm:.3f}"
    assert (f"chi-square {row.statistic:,.1f} on {row.df:.0f} degrees of freedom, Holm p {p}; "
            f"Cramér's V {row.effect_size:.2f} (95 % CI {row.ci_low:.2f} to "
            f"{row.ci_high:.2f}) is {row.effect_size_magnitude} by Cohen's (1988)") in section
    clustered = "< 0.001" if row.p_value_clustered < 0.001 else f"= {row.p_value_clustered:.3f}"
    assert (f"Counting each of the {row.clusters:,} customers' lines together (Rao-Scott) "
            f"gives p {clustered}") in section
    table_row = next(line for line in generated["report"].splitlines()
                     if line.startswith(f"| {row.hypothesis} |"))
    assert (f"| {row.effect_size:.2f} [{row.ci_low:.2f}, {row.ci_high:.2f}] Cramér's V, "
            f"{row.effect_size_magnitude} |") in table_row


def test_seasonal_shift_that_rests_on_a_few_customers_is_said_so(planted_build, tmp_path):
    """Planted in a copy: the seasonal test is significant counted by line, but its verdict
    says not once each customer's lines are counted together; the section says the shift may
    be a few customers' habits, not that a slight shift is significant."""
    report, _ = _report_on_a_copy(
        planted_build, tmp_path,
        "update marts.hypothesis_tests set is_significant = true, p_value_holm = 0.0001, "
        "p_value_clustered = 0.4, verdict = verdict || '; but not significant once each "
        "customer''s order lines are counted together (Holm p = 0.400 with the chi-square "
        "corrected by Rao-Scott)' where test_id = 'seasonal_category_demand'")
    section = report.split("#### Seasonal demand by category")[1].split("\n#")[0]
    assert ("(Rao-Scott) gives p = 0.400, which is not significant after Holm: the shift may "
            "be a few customers' habits rather than the seasons'.") in section
    assert "even a slight shift is significant" not in section


def _headline_of_the_tests(report: str) -> str:
    return next(line for line in report.splitlines() if "hypothesis tests find" in line)


def test_the_headline_counts_supported_hypotheses_with_a_negligible_effect(planted_build,
                                                                          tmp_path):
    """A hypothesis supported by a negligible effect is counted in the headline, so that a
    reader does not act on a significant but negligible effect. Planted in copies: one
    supported test's effect negligible, then all of them."""
    tests = query(planted_build["warehouse"],
                  "select test_id, effect_size_magnitude from marts.hypothesis_tests "
                  "where status = 'ran' and verdict like 'Supported:%' order by test_id")
    assert len(tests) >= 2
    first = tests.test_id.iloc[0]
    report, _ = _report_on_a_copy(
        planted_build, tmp_path,
        "update marts.hypothesis_tests set effect_size_magnitude = case when test_id = "
        f"'{first}' then 'negligible' else 'medium' end where status = 'ran'",
    )
    assert (f"and {len(tests)} support their hypothesis, 1 of them with a negligible effect "
            "(see") in _headline_of_the_tests(report)
    report, _ = _report_on_a_copy(
        planted_build, tmp_path,
        "update marts.hypothesis_tests set effect_size_magnitude = 'negligible' "
        "where status = 'ran'",
    )
    assert (f"and {len(tests)} support their hypothesis, all with a negligible effect "
            "(see") in _headline_of_the_tests(report)
    report, _ = _report_on_a_copy(
        planted_build, tmp_path,
        "update marts.hypothesis_tests set effect_size_magnitude = 'small' where status = 'ran'",
    )
    assert "negligible" not in _headline_of_the_tests(report)


def test_data_quality_section_reconciles(generated):
    recon = query(generated["warehouse"], "select * from marts.row_reconciliation")
    numbers = generated["numbers"]
    for row in recon.itertuples(index=False):
        key = f"marts.row_reconciliation.{row.table_name}"
        assert numbers[f"{key}.raw_row_count"]["value"] == row.raw_row_count
        assert numbers[f"{key}.rejected_row_count"]["value"] == row.rejected_row_count
    rejected = query(generated["warehouse"], "select count(*) as n from marts.rejected_rows")
    stated = sum(item["value"] for key, item in numbers.items()
                 if key.startswith("quality.rejected."))
    assert stated == rejected["n"].iloc[0] > 0  # the planted data carries dirt


def test_exposure_lists_every_relation_the_report_reads(generated):
    exposures = yaml.safe_load((PROJECT_DIR / "models" / "exposures.yml").read_text())
    report = next(e for e in exposures["exposures"] if e["name"] == "insight_report")
    declared = {d.split("'")[1] for d in report["depends_on"]}
    read = set()
    for item in generated["numbers"].values():
        read |= set(re.findall(r"\bfrom\s+(?:marts|segments)\.(\w+)", item["sql"]))
    read |= {relation.split(".", 1)[1] for relation in chart_sources()}  # embedded charts
    assert read <= declared, f"add to models/exposures.yml insight_report: {sorted(read - declared)}"


def test_missing_and_empty_marts_are_skipped_with_a_note(planted_build, tmp_path):
    """A dataset that cannot feed a mart gets a note, not a made-up section."""
    report, summary = _report_on_a_copy(
        planted_build, tmp_path,
        "drop table marts.seasonal_sales",
        "delete from marts.campaign_response",
    )
    assert "_Skipped: `marts.seasonal_sales` does not exist in this warehouse" in report
    assert "_Skipped: `marts.campaign_response` is empty for this dataset" in report
    assert set(summary["charts_skipped"]) == {"seasonal_sales", "campaign_response",
                                              *OTHER_SHAPE_CHARTS}
    assert not (tmp_path / "out" / "charts" / "seasonal_sales.png").exists()
    assert "charts/seasonal_sales.png" not in report
    numbers = json.loads((tmp_path / "out" / "report_numbers.json").read_text())["numbers"]
    assert not any("seasonal_sales" in item["sql"] for item in numbers.values())


def test_the_data_origin_caveat_follows_where_the_rows_came_from(generated, planted_build,
                                                                 tmp_path):
    """The generated-data caveat is for the demo seeds only: not for the user's own files (the
    planted build reads a folder), and a public dataset gets its own (test_public_datasets)."""
    assert "Generated demo data" not in generated["report"]
    assert "A public dataset" not in generated["report"]
    copy = tmp_path / "demo.duckdb"
    shutil.copy(planted_build["warehouse"], copy)
    with duckdb.connect(str(copy)) as con:
        assert con.execute("select distinct data_source from marts.dataset_coverage"
                           ).fetchall() == [("files",)]
        con.execute("update marts.dataset_coverage set data_source = 'demo_seeds'")
    build_report(copy, tmp_path / "out")
    assert "- **Generated demo data.**" in (tmp_path / "out" / "report.md").read_text()


def test_lifetime_value_caveat_follows_the_fit(planted_build, tmp_path):
    """The report warns when a lifetime-value fit has no standard errors or did not converge,
    names the model, and adds BG/NBD's dropout chance when that is what went unidentified."""
    copy = tmp_path / "fit.duckdb"
    shutil.copy(planted_build["warehouse"], copy)

    def report_after(sql: str) -> tuple[str, dict]:
        with duckdb.connect(str(copy)) as con:
            con.execute(sql)
        out = tmp_path / f"out{len(list(tmp_path.glob('out*')))}"
        build_report(copy, out)
        numbers = json.loads((out / "report_numbers.json").read_text())["numbers"]
        return (out / "report.md").read_text(), numbers

    fit = "marts.lifetime_value_model"
    report, numbers = report_after(f"update {fit} set std_error = 0.1, converged = true")
    assert "Caveat: on this data" not in report
    assert "clv.bg_nbd_dropout_per_purchase" not in numbers

    report, numbers = report_after(
        f"update {fit} set std_error = null, estimate = case parameter when 'a' then 1e-5 "
        "when 'b' then 3e4 else estimate end where model = 'bg_nbd'")
    assert "Caveat: on this data the BG/NBD fit has parameters without standard errors" in report
    dropout = numbers["clv.bg_nbd_dropout_per_purchase"]
    assert dropout["value"] == pytest.approx(1e-5 / (1e-5 + 3e4))
    assert f"after a purchase at {dropout['text']}: almost no customer looks lost" in report

    # no dropout at all (a = 0) is the extreme of the same case, not "unknown"
    report, numbers = report_after(f"update {fit} set estimate = 0 where parameter = 'a'")
    assert numbers["clv.bg_nbd_dropout_per_purchase"]["value"] == 0
    assert "after a purchase at 0.0 %: almost no customer looks lost" in report

    report, numbers = report_after(
        f"update {fit} set std_error = 0.1, estimate = case parameter when 'a' then 0.5 "
        f"when 'b' then 2 else estimate end where model = 'bg_nbd'; "
        f"update {fit} set converged = false where model = 'gamma_gamma'")
    assert "Caveat: on this data the Gamma–Gamma fit" in report
    assert "clv.bg_nbd_dropout_per_purchase" not in numbers
    assert "almost no customer looks lost" not in report


def test_each_rejection_reason_shows_its_first_row_as_read(generated, planted_build):
    """The data-quality tables show, for each reason, the first rejected (or flagged) row in
    file order with its values as read. Recomputed from the generated orders file: the first
    line with a negative amount is named by its row number and carries its own order id and
    amount."""
    orders = pd.read_parquet(planted_build["data_dir"] / "orders.parquet")
    negative = orders.index[orders["amount"] < 0]
    assert len(negative) > 0
    first = orders.loc[negative[0]]
    row = next(line for line in generated["report"].splitlines()
               if line.startswith("| orders | negative amount |"))
    example = row.split(" | ")[3].rstrip(" |")
    assert example.startswith(f"row {negative[0] + 1:,}: {{")
    values = json.loads(example.split(": ", 1)[1])
    assert values["order_id"] == first["order_id"]
    assert float(values["amount"]) == pytest.approx(float(first["amount"]))
    flagged = [line for line in generated["report"].splitlines()
               if line.startswith("| customers | ") and "| row " in line]
    assert flagged  # the flags table has its examples too


# --- the segmentation caution ----------------------------------------------------------------

CAUTION = "**Caution: treat these segments as tentative.**"
RULE = "rule: a rank vote over silhouette, Calinski-Harabasz and Davies-Bouldin"
SELECTION, STABILITY, PROFILES = ("segments.segment_k_selection", "segments.segment_stability",
                                  "segments.segment_profiles")


def _caution_report(planted_build, tmp_path, *statements: str) -> tuple[str, dict]:
    """The report of a copy of the planted build after ``statements``, with its numbers; the
    copy's every number must still be read from the marts."""
    report, _ = _report_on_a_copy(planted_build, tmp_path, *statements)
    numbers = json.loads((tmp_path / "out" / "report_numbers.json").read_text())["numbers"]
    unexplained = _unexplained_numbers(report, numbers)
    assert not unexplained, f"numbers in report.md not read from the marts: {sorted(unexplained)}"
    return report, numbers


def test_a_sound_segmentation_gets_no_caution(generated):
    """The planted build (k pinned to the planted 4, refits that agree, no tiny segment) gets
    no caution."""
    warehouse = generated["warehouse"]
    assert query(warehouse, f"select min(adjusted_rand_index) as a from {STABILITY}").a[0] >= 0.8
    assert query(warehouse, f"select min(customer_share) as s from {PROFILES}").s[0] >= 0.02
    assert CAUTION not in generated["report"]


@pytest.mark.parametrize(("statements", "sentence"), [
    # pinned by var segment_k at the top of the range: k was not searched for
    ([f"update {SELECTION} set is_chosen = (k = 8)"],
     "finds **8 segments**, chosen among k = 2 … 8 (pinned by var segment_k;"),
    # segment_k_min = segment_k_max: one k scored, chosen by the rule, nothing searched
    ([f"delete from {SELECTION} where not is_chosen",
      f"update {SELECTION} set chosen_by = '{RULE}'"],
     ("finds **4 segments**, the one k the build scored (vars `segment_k_min` and "
      "`segment_k_max` are equal;")),
], ids=["pinned-at-the-top", "range-of-one-k"])
def test_a_k_that_was_not_searched_for_is_not_at_the_edge_of_a_search(planted_build, tmp_path,
                                                                     statements, sentence):
    report, numbers = _caution_report(planted_build, tmp_path, *statements)
    assert sentence in report
    assert CAUTION not in report
    assert not any(key.startswith("segments.caution.") for key in numbers)


def test_a_weak_segmentation_gets_a_caution_with_what_to_do(planted_build, tmp_path):
    """Planted in a copy: k chosen by the rule at the top of the range searched, refits that
    agree with a mean adjusted Rand index of 0.5, and one segment holding 1 % of the customers.
    Each finding is stated with its figures, recomputed from the copy, and what to do."""
    report, numbers = _caution_report(
        planted_build, tmp_path,
        f"update {SELECTION} set is_chosen = (k = (select max(k) from {SELECTION})), "
        f"chosen_by = '{RULE}'",
        f"update {STABILITY} set adjusted_rand_index = case when run_id % 2 = 0 then 0.4 "
        "else 0.6 end",
        f"update {PROFILES} set customer_share = 0.01 where segment_id = 4",
    )
    copy = tmp_path / "copy.duckdb"
    k_max = int(query(copy, f"select max(k) as k from {SELECTION}").k[0])
    k_min = int(query(copy, f"select min(k) as k from {SELECTION}").k[0])
    mean_ari = float(query(copy, f"select avg(adjusted_rand_index) as a from {STABILITY}").a[0])
    assert mean_ari == pytest.approx(0.5)
    small = query(copy, f"select segment_name, customer_count from {PROFILES} "
                        "where segment_id = 4").iloc[0]
    assert CAUTION in report
    caution = report[report.index(CAUTION):report.index("| Segment | Customers |")]
    assert (f"- The chosen k = {k_max} is the largest number of segments the search tried "
            f"(k = {k_min} … {k_max}): the indices may prefer more segments than were tried"
            ) in caution
    assert f"add `VARS='segment_k_max: {k_max + 4}'` to the `make build` command" in caution
    assert (f"- Refits reproduce the segments only in part: their mean adjusted Rand index, "
            f"{mean_ari:.2f}, is below 0.80, where Steinley (2004) puts the start of good "
            "agreement") in caution
    assert "add `SEGMENT_K=…` to the `make build` command" in caution
    assert (f"- 1 of the segments holds under 2.0 % of the segmented customers (the smallest, "
            f"_{small.segment_name}_, {small.customer_count:,} customers or 1.0 %)") in caution
    assert "the names and recommendations below describe this one fit" in caution
    # the caution comes before the names and recommendations it qualifies
    assert report.index(CAUTION) < report.index(f"- **{small.segment_name}** — ")
    assert numbers["segments.caution.stable_mean_ari"]["value"] == 0.8
    assert numbers["segments.caution.small_share"]["value"] == 0.02


def test_the_caution_names_each_finding_alone(planted_build, tmp_path):
    """Each rule fires on its own; at the bottom of the range the advice follows the edge:
    k = 2 is as coarse as k-means goes (compare a finer k), a higher bottom can be lowered."""
    two, three, ari = tmp_path / "two", tmp_path / "three", tmp_path / "ari"
    for folder in (two, three, ari):
        folder.mkdir()
    report, _ = _caution_report(
        planted_build, two,
        f"update {SELECTION} set is_chosen = (k = 2), chosen_by = '{RULE}'")
    assert ("- The chosen k = 2 is the smallest number of segments the search tried "
            "(k = 2 … 8) and the smallest k-means can give") in report
    assert "add `SEGMENT_K=3` to the `make build` command" in report
    assert "Refits reproduce" not in report and "of the segments hold" not in report
    report, _ = _caution_report(
        planted_build, three,
        f"delete from {SELECTION} where k < 3",
        f"update {SELECTION} set is_chosen = (k = 3), chosen_by = '{RULE}'")
    assert ("- The chosen k = 3 is the smallest number of segments the search tried "
            "(k = 3 … 8): the indices may prefer fewer segments than were tried") in report
    assert "add `VARS='segment_k_min: 2'` to the `make build` command" in report
    report, _ = _caution_report(
        planted_build, ari, f"update {STABILITY} set adjusted_rand_index = 0.79")
    assert CAUTION in report
    assert "their mean adjusted Rand index, 0.79, is below 0.80" in report
    assert "The chosen k" not in report


# --- the spend drivers ------------------------------------------------------------------------

def test_each_drivers_effect_and_interval_are_the_marts_signed_and_in_order(generated):
    """Each driver's sentence gives the effect and its 95 % interval with their signs, lower
    bound first, as marts.spend_drivers stores them (raw_coefficient, raw_ci_low,
    raw_ci_high) per the sentence's step (10 years, 10,000 of income): the demo's age said
    "20.7 lower total spend (95 % CI -39.2 to 80.7)" for a stored -80.7 to +39.2."""
    drivers = query(generated["warehouse"],
                    "select predictor, raw_coefficient, raw_ci_low, raw_ci_high "
                    "from marts.spend_drivers where status = 'ran'")
    assert len(drivers) >= 3
    assert (drivers.raw_coefficient < 0).any() and (drivers.raw_coefficient > 0).any()
    number = r"([+-]?[\d,]+(?:\.\d+)?)"
    pattern = re.compile(rf"a difference in total spend of {number}(?: against [\w-]+)? "
                         rf"\(95 % CI {number} to {number}(, which includes no effect)?\)")
    lines = generated["report"].splitlines()
    for row in drivers.itertuples(index=False):
        label = row.predictor.replace("_", " ")
        line = next(line for line in lines if line.startswith(f"- **{label}**"))
        found = pattern.search(line)
        assert found, line
        effect, low, high = (float(found.group(i).replace(",", "")) for i in (1, 2, 3))
        step = 10 ** round(math.log10(effect / row.raw_coefficient))  # the sentence's unit
        for printed, stored in ((effect, row.raw_coefficient), (low, row.raw_ci_low),
                                (high, row.raw_ci_high)):
            assert printed == pytest.approx(stored * step, rel=0.006, abs=0.006), line
        assert low <= effect <= high, line
        assert bool(found.group(4)) == (row.raw_ci_low <= 0 <= row.raw_ci_high), line


def test_each_drivers_line_signs_both_of_its_intervals(generated):
    """A driver's line printed the standardised beta's interval unsigned and the effect's
    signed ("(beta +0.75, 95 % CI 0.66 to 0.84): ... of +227 (95 % CI +201 to +253)"), and
    the mart's rank sentence an unsigned beta after it ("(beta 0.75)"). Every beta and every
    interval bound in the line now carries its sign, and the beta interval is the mart's."""
    drivers = query(generated["warehouse"],
                    "select predictor, standardized_beta, ci_low, ci_high "
                    "from marts.spend_drivers where status = 'ran'")
    assert (drivers.ci_low > 0).any()  # a bound that printed without its sign
    lines = generated["report"].splitlines()
    signed = r"(?:[+-][\d,]+(?:\.\d+)?|0)"
    for row in drivers.itertuples(index=False):
        label = row.predictor.replace("_", " ")
        line = next(line for line in lines if line.startswith(f"- **{label}**"))
        assert line.startswith(
            f"- **{label}** (beta {row.standardized_beta:+.2f}, 95 % CI {row.ci_low:+.2f} to "
            f"{row.ci_high:+.2f}): "), line
        intervals = re.findall(r"95 % CI (\S+) to ([^\s),]+)", line)
        assert len(intervals) >= 2, line
        for low, high in intervals:
            assert re.fullmatch(signed, low) and re.fullmatch(signed, high), (low, high, line)
        for beta in re.findall(r"beta (\S+?)[,)]", line):
            assert re.fullmatch(signed, beta), (beta, line)


def _table_rows(report: str, header_start: str) -> list[list[str]]:
    """The cells of each row of the first table whose header starts with ``header_start``."""
    lines = report.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split("|")])
    return rows


def test_a_money_column_of_a_table_has_one_precision_in_every_row(planted_build, tmp_path):
    """Planted in a copy as on the iFood data: one education group, and one segment, spend
    under 100 on average while the others spend hundreds. The demographic table's spend
    columns and the segment table's mean spend print every row in whole units ("82", not
    "81.80" below "672"), as Numbers.cells does for any money column."""
    report, _ = _report_on_a_copy(
        planted_build, tmp_path,
        "update marts.demographic_spend set mean_total_spend = 81.8 "
        "where dimension = 'education' and dimension_value = 'basic'",
        "update segments.segment_profiles set mean_total_spend = 82.29 "
        "where segment_id = (select max(segment_id) from segments.segment_profiles)",
    )
    demographics = _table_rows(report, "| Dimension | Highest | Mean spend | Lowest |")
    education = next(row for row in demographics if row[0] == "education")
    assert education[3:5] == ["basic", "82"], education
    for row in demographics:
        assert re.fullmatch(r"[\d,]+", row[2]) and re.fullmatch(r"[\d,]+", row[4]), row
    segments = _table_rows(report, "| Segment | Customers | Share of customers |")
    assert segments[-1][4] == "82", segments[-1]
    assert all(re.fullmatch(r"[\d,]+", row[4]) for row in segments), segments


def test_income_by_age_group_without_any_income_says_so(planted_build, tmp_path):
    """Planted in a copy as on the shopping-trends file (ages, no incomes): the section says
    the data give no income instead of tabling every age group with n/a incomes under a
    sentence about mean incomes."""
    rel = "marts.income_by_age_group"
    report, _ = _report_on_a_copy(
        planted_build, tmp_path,
        f"update {rel} set income_customer_count = 0, income_outlier_count = 0, "
        "mean_income = null, income_p25 = null, median_income = null, income_p75 = null",
    )
    section = report.split("### Income by age group (document 000)\n\n", 1)[1].split("\n### ")[0]
    assert section.startswith("The data give no annual income for any customer, so incomes "
                              "cannot be compared by age group.")
    assert "n/a" not in section
    assert "| Age group | Customers | Mean income |" not in section
    assert "Mean income is the statistic document 000 publishes" not in section


def test_the_income_table_says_how_many_customers_its_means_are_over(planted_build, tmp_path):
    """The income columns are over the customers with a (non-outlier) income, the "Customers"
    column over the whole age group: on iFood a group of 210 had a mean over 208. Where the
    two differ the table adds "With an income"; where every customer has one it does not."""
    rel = "marts.income_by_age_group"

    def section(*statements):
        report, _ = _report_on_a_copy(planted_build, tmp_path, *statements)
        return report.split("### Income by age group (document 000)\n\n", 1)[1].split("\n### ")[0]

    whole = section(f"update {rel} set income_customer_count = customer_count")
    assert "| Age group | Customers | Mean income | Median income |" in whole
    assert "With an income" not in whole
    shutil.rmtree(tmp_path / "out")
    fewer = section(f"update {rel} set income_customer_count = customer_count",
                    f"update {rel} set income_customer_count = customer_count - 2 "
                    "where age_group = '31-40'")
    assert "| Age group | Customers | With an income | Mean income | Median income |" in fewer
    with duckdb.connect(str(planted_build["warehouse"]), read_only=True) as con:
        size = con.execute(f"select customer_count from {rel} where age_group = '31-40'").fetchone()[0]
    assert f"| 31-40 | {size:,} | {size - 2:,} | " in fewer


def test_the_chance_still_active_says_one_time_buyers_count_as_active(planted_build, tmp_path):
    """BG/NBD gives a customer with no repeat purchase P(alive) = 1: on CDNOW 51.7 % bought
    once, and the report's average of 78.7 % read as most customers being active, where the
    repeat buyers' average is 55.9 %. The report now says so, with both figures."""
    rel = "marts.customer_lifetime_value"
    report, _ = _report_on_a_copy(
        planted_build, tmp_path,
        f"update {rel} set repeat_purchase_weeks = 0, p_alive = 1 "
        f"where customer_id in (select customer_id from {rel} order by customer_id limit 500)",
    )
    copy = tmp_path / "copy.duckdb"
    with duckdb.connect(str(copy), read_only=True) as con:
        once, repeat = con.execute(
            f"select avg(case when repeat_purchase_weeks = 0 then 1.0 else 0.0 end), "
            f"avg(p_alive) filter (where repeat_purchase_weeks > 0) from {rel}").fetchone()
    assert once > 0
    assert ("The model counts a customer who has bought only once as still active (nothing in "
            f"the data says they left): {100 * once:.1f} % of customers bought only once, and "
            "over the customers with a repeat purchase the average is "
            f"{100 * repeat:.1f} %.") in report


def test_revenue_concentration_says_a_top_tier_carries_it_only_when_one_does(generated,
                                                                           planted_build,
                                                                           tmp_path):
    """Planted data: half the revenue from a small share of customers, so "a small top tier
    carries the business". In a copy spread as on the shopping-trends file (the top 10 %
    bring 16.1 %, half the revenue takes 34.5 % of customers) the report does not say so."""
    rel = "marts.revenue_concentration_summary"
    half = query(planted_build["warehouse"],
                 f"select customer_share_for_50_pct_revenue as s from {rel}").s[0]
    assert half <= 0.2
    assert "A small top tier carries the business: the top 10 %" in generated["report"]
    report, _ = _report_on_a_copy(
        planted_build, tmp_path,
        f"update {rel} set top_10_pct_revenue_share = 0.161, top_20_pct_revenue_share = 0.31, "
        "customer_share_for_50_pct_revenue = 0.345, customer_share_for_80_pct_revenue = 0.642, "
        "gini_coefficient = 0.23",
    )
    assert "small top tier carries the business" not in report
    assert ("Revenue is spread across many customers, not carried by a small top tier: the "
            "top 10 % of customers by spend bring 16.1 % of revenue") in report


def test_no_driver_is_named_strongest_when_every_interval_includes_no_effect(planted_build,
                                                                             tmp_path):
    """Planted in a copy as on the shopping-trends file (R² 0.00; age and membership at beta
    -0.01, both intervals across zero): the report does not name the larger of two noise
    estimates as the strongest driver to set against document 004's income."""
    report, _ = _report_on_a_copy(
        planted_build, tmp_path,
        "update marts.spend_drivers set standardized_beta = -0.01, ci_low = -0.04, "
        "ci_high = 0.02, r_squared = 0.001 "
        "where status = 'ran'",
    )
    assert "the strongest is" not in report
    assert ("Document 004 names income as the strongest predictor; here every driver's 95 % "
            "interval includes no effect, so none of them can be named the strongest") in report


# income's interval (0.21 to 0.49) overlaps kids at home's (-0.40 to -0.22); the other
# drivers small, with gaps in size clear of 0; kids at home's gap is set by each test
_INCOME_AHEAD_OF_KIDS = (
    ("update marts.spend_drivers set standardized_beta = 0.01, ci_low = -0.02, "
     "ci_high = 0.04, size_gap_to_largest = 0.34, size_gap_ci_low = 0.3, "
     "size_gap_ci_high = 0.38 where status = 'ran'"),
    ("update marts.spend_drivers set standardized_beta = 0.35, ci_low = 0.21, ci_high = 0.49, "
     "rank = 1, size_gap_to_largest = null, size_gap_ci_low = null, size_gap_ci_high = null "
     "where predictor = 'annual_income'"),
    ("update marts.spend_drivers set standardized_beta = -0.31, ci_low = -0.4, "
     "ci_high = -0.22, rank = 2 where predictor = 'kids_at_home'"),
    ("update marts.spend_drivers set rank = rank + 2 where predictor not in "
     "('annual_income', 'kids_at_home') and status = 'ran'"),
)


def test_no_driver_is_named_strongest_when_the_runner_up_is_not_told_apart(planted_build,
                                                                         tmp_path):
    """Planted in a copy: income's interval (0.21 to 0.49) excludes 0 but the simultaneous
    interval of its gap in size to kids at home (-0.05 to 0.13) includes 0, and in a second
    copy age's estimate is the largest with an interval across 0 while income's excludes it.
    The report named the largest "the strongest" in both (it looked only for any interval
    clear of 0), while the mart's sentence did not; both now follow
    statistics.strongest_driver and name the drivers not told apart. A warehouse built before
    the gap columns is judged by the intervals: kids at home's (-0.40 to -0.22) allows
    effects of the same size."""
    rel = "marts.spend_drivers"
    report, _ = _report_on_a_copy(
        planted_build, tmp_path, *_INCOME_AHEAD_OF_KIDS,
        f"update {rel} set size_gap_to_largest = 0.04, size_gap_ci_low = -0.05, "
        "size_gap_ci_high = 0.13 where predictor = 'kids_at_home'",
    )
    assert "the strongest is" not in report
    assert ("Document 004 names income as the strongest predictor; here the largest standardised "
            "effect, annual income (beta +0.35, 95 % CI +0.21 to +0.49), is not distinguishable "
            "from kids at home (beta -0.31, 95 % CI -0.40 to -0.22): the simultaneous 95 % "
            "interval of the gap in size includes 0 (to kids at home: +0.04, -0.05 to +0.13), so "
            "none of them can be named the strongest.") in report

    earlier = tmp_path / "earlier"
    earlier.mkdir()
    report, _ = _report_on_a_copy(
        planted_build, earlier, *_INCOME_AHEAD_OF_KIDS,
        *[f"alter table {rel} drop column {c}"
          for c in ("size_gap_to_largest", "size_gap_ci_low", "size_gap_ci_high")],
    )
    assert "the strongest is" not in report
    assert ("Document 004 names income as the strongest predictor; here the largest standardised "
            "effect, annual income (beta +0.35, 95 % CI +0.21 to +0.49), is not distinguishable "
            "from kids at home (beta -0.31, 95 % CI -0.40 to -0.22): the intervals allow "
            "effects of the same size, so none of them can be named the strongest.") in report

    wide = tmp_path / "wide"
    wide.mkdir()
    report, _ = _report_on_a_copy(
        planted_build, wide,
        f"update {rel} set standardized_beta = 0.01, ci_low = -0.02, ci_high = 0.04 "
        "where status = 'ran'",
        f"update {rel} set standardized_beta = 0.3, ci_low = -0.05, ci_high = 0.65, rank = 1 "
        "where predictor = 'age'",
        f"update {rel} set standardized_beta = 0.2, ci_low = 0.15, ci_high = 0.25, rank = 2 "
        "where predictor = 'annual_income'",
        f"update {rel} set rank = rank + 2 where predictor not in ('age', 'annual_income') "
        "and status = 'ran'",
    )
    assert "the strongest is" not in report
    assert ("here the largest standardised effect, age (beta +0.30, 95 % CI -0.05 to +0.65), is "
            "not distinguishable from annual income (beta +0.20, 95 % CI +0.15 to +0.25)") in report
    assert "its interval includes no effect, so none of them can be named the strongest." in report


def test_the_top_driver_is_named_when_its_gap_in_size_is_clear_of_zero(planted_build,
                                                                      tmp_path):
    """Planted in a copy: income's interval (0.21 to 0.49) overlaps kids at home's (-0.40 to
    -0.22), but the simultaneous interval of the gap in size between them, from the fit's
    covariance, is 0.01 to 0.07. The report judged by the intervals alone and named no
    driver; it now reads the gap columns, as the mart's sentence does, and names income."""
    report, _ = _report_on_a_copy(
        planted_build, tmp_path, *_INCOME_AHEAD_OF_KIDS,
        "update marts.spend_drivers set size_gap_to_largest = 0.04, size_gap_ci_low = 0.01, "
        "size_gap_ci_high = 0.07 where predictor = 'kids_at_home'",
    )
    assert "not distinguishable" not in report.split("### What drives spend")[1].split("###")[0]
    assert ("Document 004 names income as the strongest predictor; here too the strongest is "
            "annual income.") in report


def test_without_any_region_the_frequency_section_has_no_chart(planted_build, tmp_path):
    """Planted in a copy as on the iFood and shopping-trends files: every customer's region
    is unknown. The section says so once, with neither a one-row heatmap "by region" nor a
    skip note that repeats the sentence."""
    from customer_behavior.charts import render_charts

    copy = tmp_path / "copy.duckdb"
    shutil.copy(planted_build["warehouse"], copy)
    with duckdb.connect(str(copy)) as con:
        for rel in ("marts.purchase_frequency_by_region",
                    "marts.purchase_frequency_by_region_age_group"):
            con.execute(f"update {rel} set region = 'unknown'")
    entries = render_charts(copy, tmp_path / "charts", only=["region_frequency_heatmap"],
                            placeholders=False)
    assert [(e["status"], e["reason"]) for e in entries] == [
        ("skipped", "the data give no region for any customer")]
    build_report(copy, tmp_path / "out", charts_dir=tmp_path / "charts")
    report = (tmp_path / "out" / "report.md").read_text()
    section = report.split("### Purchase frequency by region (documents 000, 001)\n\n")[1]
    section = section.split("\n#")[0]
    assert section.strip() == "The data give no region for any customer."


def test_the_segment_repeat_table_leaves_out_columns_no_segment_has(planted_build, tmp_path):
    """Planted in a copy as on the iFood data (purchase counts without dates): no segment
    has a median gap between orders or a rate a year. The segment table leaves those two
    columns out instead of printing n/a down them; the repeat rate stays."""
    report, _ = _report_on_a_copy(
        planted_build, tmp_path,
        "update marts.repeat_purchase set median_days_between_orders = null, "
        "mean_purchase_frequency_per_year = null",
    )
    rows = _table_rows(report, "| Segment | Buying customers | Repeat rate |")
    assert rows and all(len(row) == 3 for row in rows), rows
    assert "| Segment | Buying customers | Repeat rate |\n" in report
    assert "Median days between orders" not in report
    assert not any("n/a" in cell for row in rows for cell in row), rows


def test_customer_ids_an_export_respelled_are_pointed_out(generated, planted_build, tmp_path):
    """When rows rejected as unknown customer id match a customer loosely (marts.rejected_rows
    names that customer in loosely_matching_customer_id, which test_bad_input.py builds for
    real), the data-quality section says so under the rejected rows, with the counts and an
    example pair read from the mart; the planted build has no such rows and no such
    sentence. The sentence does not need the warn test's stored failures: `dbt run`, or a
    build that excludes tests, leaves no data_quality_warnings view, and the copy drops it."""
    rr = "marts.rejected_rows"
    unknown = "rejection_reason = 'unknown_customer_id' and table_name = 'orders'"
    assert query(generated["warehouse"],
                 f"select count(loosely_matching_customer_id) as n from {rr}").n[0] == 0
    assert "Check how the files spell customer ids" not in generated["report"]
    unknown_rows = int(query(generated["warehouse"],
                             f"select count(*) as n from {rr} where {unknown}").n[0])
    assert unknown_rows > 9
    report, _ = _caution_report(
        planted_build, tmp_path,
        f"update {rr} set customer_id = '7', loosely_matching_customer_id = '00007' "
        f"where rejected_row_id in (select rejected_row_id from {rr} where {unknown} "
        "order by rejected_row_id limit 9)",
        "drop view data_quality_warnings.unknown_customer_ids_match_a_customer_loosely",
    )
    section = report.split("## Data quality", 1)[1]
    assert (f"**Check how the files spell customer ids.** 9 of the {unknown_rows} orders rows "
            "rejected as unknown customer id would match a customer if case, leading zeros or "
            "a trailing `.0` were ignored (such as `7` for the customer `00007`)") in section
    assert section.index("| Table | Reason | Rows | First rejected row |") < section.index(
        "Check how the files spell customer ids")


# --- loyalty members ---------------------------------------------------------------------------

_SIGNED = r"([+-]?[\d,]+(?:\.\d+)?)"
_MEMBER_BULLET = re.compile(
    rf"^- \*\*is loyalty member\*\* .*a difference in total spend of {_SIGNED} against "
    rf"non-members \(95 % CI {_SIGNED} to {_SIGNED}", re.MULTILINE)


def test_the_adjusted_member_gap_reads_as_in_what_drives_spend(generated):
    """The members' gap adjusted for the other drivers (marts.spend_drivers,
    is_loyalty_member) is stated twice: in the membership section and in its driver
    sentence. The section printed it as money ("1.31 (95 % CI -51.16 to 53.78)" on the demo)
    where the driver sentence reads "+1.31 ... (95 % CI -51.2 to +53.8)"; both now print the
    same text, and the raw gap beside it has the same precision."""
    report = generated["report"]
    gap, low, high = _MEMBER_BULLET.search(report).groups()
    section = report.split("### Loyalty members and non-members")[1].split("\n### ")[0]
    assert f"members' spend differs by {gap} (95 % CI {low} to {high})" in section
    row = query(generated["warehouse"],
                "select raw_coefficient, raw_ci_low, raw_ci_high from marts.spend_drivers "
                "where predictor = 'is_loyalty_member'").iloc[0]
    for printed, stored in ((gap, row.raw_coefficient), (low, row.raw_ci_low),
                            (high, row.raw_ci_high)):
        assert float(printed.replace(",", "")) == pytest.approx(stored, rel=0.006, abs=0.006)
    raw = query(generated["warehouse"],
                "select sum(mean_total_spend) filter (where membership_status = 'member') - "
                "sum(mean_total_spend) filter (where membership_status = 'non-member') as gap "
                "from marts.loyalty_membership_spend").gap[0]
    raw_text = (f"{raw:,.0f}" if abs(raw) >= 100 else f"{raw:.1f}" if abs(raw) >= 10
                else f"{raw:.2f}")
    if "." in raw_text:
        raw_text = raw_text.rstrip("0").rstrip(".")
    assert f"raw gap of {raw_text}" in section


def _slug(heading: str) -> str:
    """The anchor a Markdown renderer (GitHub's) gives a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.lstrip("#").strip().lower())
    return "#" + text.replace(" ", "-")


def test_the_member_verdict_points_to_the_adjusted_gap(generated, planted_build, tmp_path):
    """The hypothesis table's verdict on loyalty members compares raw spend ("Supported" on
    the demo, rank-biserial 0.35) while the membership section finds no gap among customers
    alike in the other drivers (+1.31, 95 % CI -51.2 to +53.8): the verdict cell now points to
    that gap and its section. Without the adjusted gap (no loyalty-member driver ran) there
    is nothing to point to, and the cell is the mart's verdict alone."""
    report = generated["report"]
    verdict, hypothesis = query(
        generated["warehouse"], "select verdict, hypothesis from marts.hypothesis_tests "
                                "where test_id = 'loyalty_member_spend'").iloc[0]
    gap, low, high = _MEMBER_BULLET.search(report).groups()
    heading = next(line for line in report.splitlines()
                   if line.startswith("### Loyalty members and non-members"))
    cell = _table_rows(report, "| Hypothesis | Document |")
    cell = next(row for row in cell if row[0] == hypothesis)[5]
    assert cell == (f"{verdict}; adjusted for the other drivers of spend, the gap is {gap} "
                    f"(95 % CI {low} to {high}): see [Loyalty members and non-members]"
                    f"({_slug(heading)})")
    assert f"members' spend differs by {gap} (95 % CI {low} to {high})" in report

    without, _ = _report_on_a_copy(
        planted_build, tmp_path,
        "update marts.spend_drivers set status = 'not_run' where predictor = 'is_loyalty_member'",
    )
    assert "members' spend differs by" not in without
    cell = next(row for row in _table_rows(without, "| Hypothesis | Document |")
                if row[0] == hypothesis)[5]
    assert cell == verdict


def _highest_and_lowest_spending_states(warehouse) -> tuple[str, str]:
    """The states the demographic table names as spending most and least (groups of at
    least thirty customers, 'unknown' left out; ties to the first name), as stored."""
    states = query(warehouse,
                   "select dimension_value, mean_total_spend from marts.demographic_spend "
                   "where dimension = 'state' and dimension_value <> 'unknown' "
                   "and customer_count >= 30")
    top = states.sort_values(["mean_total_spend", "dimension_value"],
                             ascending=[False, True]).dimension_value.iloc[0]
    low = states.sort_values(["mean_total_spend", "dimension_value"]).dimension_value.iloc[0]
    return top, low


def test_states_print_as_their_codes_are_known(generated):
    """Staging lower-cases every text column, so the demographic table's state row read
    "| state | nd | 975 | nc | 414 |" on the demo. A two-letter state code is printed
    upper-case, as the codes are known; the warehouse keeps the lower-case value and
    report_numbers.json records it beside the printed text."""
    top, low = _highest_and_lowest_spending_states(generated["warehouse"])
    assert re.fullmatch(r"[a-z]{2}", top) and re.fullmatch(r"[a-z]{2}", low)
    row = next(r for r in _table_rows(generated["report"], "| Dimension | Highest |")
               if r[0] == "state")
    assert (row[1], row[3]) == (top.upper(), low.upper())
    item = generated["numbers"]["demographics.state.top"]
    assert (item["value"], item["text"]) == (top, top.upper())


def test_state_names_print_in_title_case(generated, planted_build, tmp_path):
    """Planted in a copy as on the shopping-trends file, which names its states in full
    (stored lower-case by staging): the highest- and lowest-spending states named 'new york'
    and 'district of columbia'. The demographic table printed them so; it now prints "New
    York" and "District of Columbia", and report_numbers.json keeps the stored value."""
    top, low = _highest_and_lowest_spending_states(generated["warehouse"])
    rename = ("update marts.demographic_spend set dimension_value = '{}' "
              "where dimension = 'state' and dimension_value = '{}'")
    report, _ = _report_on_a_copy(planted_build, tmp_path, rename.format("new york", top),
                                  rename.format("district of columbia", low))
    row = next(r for r in _table_rows(report, "| Dimension | Highest |") if r[0] == "state")
    assert (row[1], row[3]) == ("New York", "District of Columbia")
    numbers = json.loads((tmp_path / "out" / "report_numbers.json").read_text())["numbers"]
    item = numbers["demographics.state.low"]
    assert (item["value"], item["text"]) == ("district of columbia", "District of Columbia")


def test_a_raw_member_gap_inside_the_adjusted_interval_is_not_explained_away(planted_build,
                                                                            tmp_path):
    """When the adjusted interval includes no difference, the section said "most of the raw
    gap goes with who the members are"; on shopping trends the raw gap (-0.38) lay inside the
    adjusted interval (-2.03 to +1.3) beside an adjusted gap of -0.37, so nothing was
    explained away. Planted in a copy: an adjusted interval wide enough to hold the raw gap
    says members and non-members spend alike; the planted build's own narrow interval keeps
    the old sentence."""
    member = "update marts.spend_drivers set {} where predictor = 'is_loyalty_member'"
    report, _ = _report_on_a_copy(
        planted_build, tmp_path,
        member.format("raw_coefficient = 1.5, raw_ci_low = -100000, raw_ci_high = 100000, "
                      "ci_low = -0.5, ci_high = 0.5"))
    section = report.split("### Loyalty members and non-members")[1].split("\n### ")[0]
    assert "lies inside it too: members and non-members spend alike" in section
    assert "most of the raw gap" not in section
    (tmp_path / "narrow").mkdir()
    narrow, _ = _report_on_a_copy(
        planted_build, tmp_path / "narrow",
        member.format("raw_coefficient = 1.5, raw_ci_low = -1, raw_ci_high = 4, "
                      "ci_low = -0.5, ci_high = 0.5"))
    section = narrow.split("### Loyalty members and non-members")[1].split("\n### ")[0]
    assert "an interval that includes no difference: most of the raw gap of" in section
