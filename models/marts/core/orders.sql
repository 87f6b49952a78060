-- One row per accepted order, with its calendar context (month, season, holiday).
-- Incremental (config in _core__models.yml): a run recomputes only the orders dated within
-- var('orders_lookback_days') of the latest order already in the table and replaces them by
-- order_id (delete+insert), so a daily load of new orders does not rebuild history.
-- `dbt build --full-refresh` rebuilds everything (needed after corrections to old orders or
-- a change to the holiday calendar).
with

orders as (
    select * from {{ ref('int_orders') }}
    {{ orders_lookback_filter('order_date') }}
),

holidays as (
    select * from {{ ref('holiday_calendar') }}
),

holidays_per_day as (
    select
        holiday_date,
        string_agg(holiday_name, ' / ' order by holiday_name) as holiday_name
    from holidays
    group by holiday_date
),

final as (
    select
        orders.order_id,
        orders.customer_id,
        orders.channel,
        {{ season_of('orders.order_date') }} as season,
        holidays_per_day.holiday_name,
        orders.line_count,
        orders.quantity,
        orders.amount,
        orders.discount_amount,
        orders.discount_rate,
        orders.is_discounted,
        holidays_per_day.holiday_date is not null as is_holiday,
        orders.order_date,
        cast(date_trunc('month', orders.order_date) as date) as order_month
    from orders
    left join holidays_per_day
        on orders.order_date = holidays_per_day.holiday_date
)

select * from final
