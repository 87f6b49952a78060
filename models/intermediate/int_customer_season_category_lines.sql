-- One row per customer, meteorological season and product category they bought in: their
-- dated order lines there. The season x category table of category_seasonal_demand, split
-- by customer, so the seasonal hypothesis test can count each customer's lines together
-- (Rao-Scott; python/customer_behavior/statistics.py). A view: only that test reads it.
-- Empty for data without dated lines or without categories.
with

order_lines as (
    select * from {{ ref('int_order_lines_categorised') }}
),

final as (
    select
        customer_id,
        {{ season_of('order_date') }} as season,
        product_category,
        count(*) as order_line_count
    from order_lines
    group by customer_id, season, product_category
)

select * from final
