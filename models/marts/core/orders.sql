-- One row per accepted order, with its calendar context (month, season, holiday).
-- A view (config in _core__models.yml) over the incremental int_orders table: the calendar
-- columns are a join with a few hundred holiday dates, cheaper to compute when read than to
-- write 9 M orders a second time, and a holiday calendar change shows at once.
-- Like every view here it names its inputs without the database (macros/relations.sql), so
-- it still reads when the warehouse file is copied, renamed or attached under another name.
with

orders as (
    select * from {{ ref('int_orders') }}
),

holidays as (
    select * from {{ ref('holiday_calendar') }}
),

holidays_per_day as (
    {{ holidays_per_day('holidays') }}
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
        cast({{ dbt.date_trunc('month', 'orders.order_date') }} as date) as order_month
    from orders
    left join holidays_per_day
        on orders.order_date = holidays_per_day.holiday_date
)

select * from final
