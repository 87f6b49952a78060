-- One row per meteorological season and product category: order lines, units and spend, per
-- calendar day of the season in the data (the seasons are covered for different numbers of
-- days), and the season against the category's own average season (seasonal_index), so a
-- category that peaks in winter is told from one that sells all year. Answers source
-- documents 001 ("seasonal demand for products") and 003 ("seasonal trends in categories").
-- Needs dated order lines with categories: empty otherwise.
with

order_lines as (
    select * from {{ ref('int_order_lines_categorised') }}
),

seasons as (
    select * from {{ ref('sales_by_season') }}
),

per_cell as (
    select
        {{ season_of('order_date') }} as season,
        product_category,
        count(*) as order_line_count,
        {{ integer_sum('quantity') }} as quantity,
        {{ money_sum('amount') }} as spend
    from order_lines
    group by 1, 2
),

-- every season of the data for every category, a season without its sales at 0, so that
-- the category's average season is over the same seasons for all categories
grid as (
    select
        seasons.season,
        seasons.season_order,
        seasons.day_count,
        categories.product_category
    from seasons
    cross join (select distinct product_category from per_cell) as categories
),

per_day as (
    select
        grid.season,
        grid.season_order,
        grid.product_category,
        grid.day_count,
        coalesce(per_cell.order_line_count, 0) as order_line_count,
        coalesce(per_cell.quantity, 0) as quantity,
        coalesce(per_cell.spend, 0) as spend,
        {{ safe_divide('cast(coalesce(per_cell.spend, 0) as double)', 'grid.day_count') }}
            as spend_per_day
    from grid
    left join per_cell
        on grid.season = per_cell.season
        and grid.product_category = per_cell.product_category
),

final as (
    select
        season,
        season_order,
        product_category,
        day_count,
        order_line_count,
        quantity,
        spend,
        round(spend_per_day, 2) as spend_per_day,
        round(
            {{ safe_divide(
                'spend_per_day', 'avg(spend_per_day) over (partition by product_category)'
            ) }},
            4
        ) as seasonal_index,
        round(
            {{ share_of_total('spend', partition_by='product_category') }},
            6
        ) as spend_share_of_category
    from per_day
)

select * from final
