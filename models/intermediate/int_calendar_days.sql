-- One row per calendar day of the data's date span (the first to the last accepted order
-- date), with the holiday of the holiday_calendar seed that falls on it. Days on which two
-- holidays coincide carry their joined name ('Christmas Day / X'), as marts.orders names
-- them. The days that holiday_sales, sales_by_season and category_holiday_demand count
-- their orders per day over, written once. Empty for data without order dates.
with

orders as (
    select * from {{ ref('int_orders') }}
),

holidays as (
    select * from {{ ref('holiday_calendar') }}
),

data_span as (
    select
        min(order_date) as first_date,
        max(order_date) as last_date
    from orders
),

calendar_days as (
    select
        cast(unnest(generate_series(first_date, last_date, interval 1 day)) as date)
            as calendar_date
    from data_span
    where first_date is not null
),

holidays_per_day as (
    {{ holidays_per_day('holidays') }}
),

final as (
    select
        holidays_per_day.holiday_name,
        holidays_per_day.holiday_date is not null as is_holiday,
        calendar_days.calendar_date
    from calendar_days
    left join holidays_per_day
        on calendar_days.calendar_date = holidays_per_day.holiday_date
)

select * from final
