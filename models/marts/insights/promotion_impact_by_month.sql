-- One row per month with orders: how much of the month's business was discounted, and how
-- discounted orders compared with full-price ones that month (source document 003,
-- "promotional events impact overall sales"; research question 2). Needs order dates:
-- empty for data without them.
with

orders as (
    select * from {{ ref('orders') }}
    where order_month is not null
),

final as (
    select
        order_month,
        count(*) as order_count,
        count(*) filter (where is_discounted) as discounted_order_count,
        round(count(*) filter (where is_discounted) / count(*), 6) as discounted_order_share,
        {{ money_sum('amount') }} as revenue,
        cast(
            coalesce(sum(amount) filter (where is_discounted), 0) as decimal(18, 2)
        ) as discounted_revenue,
        round(
            {{ safe_divide(
                'cast(coalesce(sum(amount) filter (where is_discounted), 0) as double)',
                'cast(sum(amount) as double)'
            ) }},
            6
        ) as discounted_revenue_share,
        {{ money_sum('discount_amount') }} as discount_amount,
        round(
            {{ safe_divide(
                'sum(quantity) filter (where is_discounted)',
                'sum(line_count) filter (where is_discounted)'
            ) }},
            4
        ) as discounted_units_per_line,
        round(
            {{ safe_divide(
                'sum(quantity) filter (where not is_discounted)',
                'sum(line_count) filter (where not is_discounted)'
            ) }},
            4
        ) as full_price_units_per_line,
        round(avg(amount) filter (where is_discounted), 2) as discounted_mean_order_value,
        round(avg(amount) filter (where not is_discounted), 2) as full_price_mean_order_value
    from orders
    group by order_month
)

select * from final
