-- One row per order: accepted lines rolled up. An order's date and channel are those of its
-- lines (the earliest date and the first channel alphabetically if a file disagrees).
-- Incremental (config in _intermediate__models.yml): the roll-up of 20 M lines into 9 M orders
-- is the expensive step, so a run rolls up only the orders with a line dated within
-- var('orders_lookback_days') of the latest order already in the table - all of their lines,
-- also those dated before the window, so an order whose lines span the window's start (or
-- a late line of an old order) is rolled up whole - and replaces those orders by order_id
-- (delete+insert); a daily load of new orders does not rebuild history.
-- `dbt build --full-refresh` rebuilds everything (needed after corrections to old orders).
with

{% if is_incremental() -%}
touched_orders as (
    {%- set lookback_days = var('orders_lookback_days', 3) | int %}
    select distinct order_id
    from {{ ref('int_order_lines') }}
    where
        order_date >= (
            select
                coalesce(
                    cast({{ dbt.dateadd('day', -1 * lookback_days, 'max(order_date)') }} as date),
                    cast('1900-01-01' as date)
                )
            from {{ this }}
        )
),

{% endif -%}
order_lines as (
    select * from {{ ref('int_order_lines') }}
    {%- if is_incremental() %}
    where order_id in (select touched_orders.order_id from touched_orders)
    {%- endif %}
),

final as (
    select
        order_id,
        min(customer_id) as customer_id,
        min(channel) as channel,
        count(*) as line_count,
        {{ integer_sum('quantity') }} as quantity,
        {{ money_sum('amount') }} as amount,
        {{ money_sum('discount_amount') }} as discount_amount,
        round({{ safe_divide('sum(discount_amount)', 'sum(amount) + sum(discount_amount)') }}, 6)
            as discount_rate,
        bool_or(is_discounted) as is_discounted,
        min(order_date) as order_date
    from order_lines
    group by order_id
)

select * from final
