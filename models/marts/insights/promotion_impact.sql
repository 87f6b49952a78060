-- One row per discount band: how orders at each depth of discount differ from full-price
-- orders in volume, order value and revenue (source document 003, "impact of discounts and
-- promotions", hypothesis 1 "higher discounts lead to increased sales volume").
-- The band comes from orders.discount_rate = discount / (net amount + discount), rounded to
-- a whole percent first, so that a 10 % discount whose cents were rounded (9.98 % or
-- 10.02 %) stays in the 1-10 % band. Needs order dates: empty for data without them.
with

orders as (
    select * from {{ ref('orders') }}
),

banded as (
    select
        order_id,
        line_count,
        quantity,
        amount,
        discount_amount,
        coalesce(discount_rate, 0) as discount_rate,
        case
            when coalesce(discount_rate, 0) <= 0 then 1
            when round(discount_rate * 100) <= 10 then 2
            when round(discount_rate * 100) <= 20 then 3
            when round(discount_rate * 100) <= 30 then 4
            else 5
        end as discount_band_order
    from orders
),

bands as (
    select * from (
        values
        (1, 'full price', false),
        (2, '1-10 %', true),
        (3, '11-20 %', true),
        (4, '21-30 %', true),
        (5, 'over 30 %', true)
    ) as bands (discount_band_order, discount_band, is_discounted)
),

per_band as (
    select
        discount_band_order,
        count(*) as order_count,
        {{ integer_sum('line_count') }} as order_line_count,
        {{ integer_sum('quantity') }} as quantity,
        {{ money_sum('amount') }} as revenue,
        {{ money_sum('discount_amount') }} as discount_amount,
        {{ exact_avg("discount_rate") }} as mean_discount_rate
    from banded
    group by discount_band_order
),

final as (
    select
        bands.discount_band,
        bands.discount_band_order,
        coalesce(per_band.order_count, 0) as order_count,
        round(
            {{ safe_divide(
                'coalesce(per_band.order_count, 0)', 'sum(per_band.order_count) over ()'
            ) }}, 6
        ) as order_share,
        coalesce(per_band.order_line_count, 0) as order_line_count,
        coalesce(per_band.quantity, 0) as quantity,
        round({{ safe_divide('per_band.quantity', 'per_band.order_count') }}, 4)
            as mean_units_per_order,
        round({{ safe_divide('per_band.quantity', 'per_band.order_line_count') }}, 4)
            as mean_units_per_line,
        round({{ safe_divide('per_band.order_line_count', 'per_band.order_count') }}, 4)
            as mean_lines_per_order,
        round({{ safe_divide('per_band.revenue', 'per_band.order_count') }}, 2)
            as mean_order_value,
        coalesce(per_band.revenue, 0) as revenue,
        round(
            {{ safe_divide(
                'cast(coalesce(per_band.revenue, 0) as double)',
                'cast(sum(per_band.revenue) over () as double)'
            ) }},
            6
        ) as revenue_share,
        coalesce(per_band.discount_amount, 0) as discount_amount,
        round(per_band.mean_discount_rate, 6) as mean_discount_rate,
        bands.is_discounted
    from bands
    left join per_band
        on bands.discount_band_order = per_band.discount_band_order
    -- No orders (data without dated order lines): no rows rather than five empty bands.
    where exists (select 1 from orders)
)

select * from final
