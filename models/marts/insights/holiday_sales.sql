-- One row per holiday of the holiday_calendar seed that falls inside the data's date range,
-- plus one row 'no holiday' for all other days: orders and revenue per day, compared with
-- ordinary days (source documents 001 and 003, "how holidays and seasonal events drive
-- product demand"; research question 2). Days on which two holidays coincide count under
-- their joined name, as in the orders mart. Needs order dates: empty for data without them.
with

orders as (
    select * from {{ ref('orders') }}
    where order_date is not null
),

-- the data's days, each with its holiday (intermediate.int_calendar_days)
calendar_days as (
    select * from {{ ref('int_calendar_days') }}
),

holiday_days as (
    select
        holiday_name,
        count(*) as day_count
    from calendar_days
    where is_holiday
    group by holiday_name
),

-- one row whenever the data have a date span, even if every day of it is a holiday
ordinary_days as (
    select
        'no holiday' as holiday_name,
        count(*) filter (where not is_holiday) as day_count
    from calendar_days
    having count(*) > 0
),

all_days as (
    select
        holiday_name,
        day_count
    from holiday_days
    union all
    select
        holiday_name,
        day_count
    from ordinary_days
),

per_holiday as (
    select
        coalesce(holiday_name, 'no holiday') as holiday_name,
        count(*) as order_count,
        {{ integer_sum('quantity') }} as quantity,
        {{ money_sum('amount') }} as revenue
    from orders
    group by 1
),

joined as (
    select
        all_days.holiday_name,
        all_days.holiday_name <> 'no holiday' as is_holiday,
        cast(all_days.day_count as bigint) as day_count,
        coalesce(per_holiday.order_count, 0) as order_count,
        coalesce(per_holiday.quantity, 0) as quantity,
        coalesce(per_holiday.revenue, 0) as revenue
    from all_days
    left join per_holiday
        on all_days.holiday_name = per_holiday.holiday_name
),

final as (
    select
        holiday_name,
        is_holiday,
        day_count,
        order_count,
        quantity,
        revenue,
        round({{ safe_divide('revenue', 'order_count') }}, 2) as mean_order_value,
        round({{ safe_divide('order_count', 'day_count') }}, 4) as orders_per_day,
        round({{ safe_divide('revenue', 'day_count') }}, 2) as revenue_per_day,
        -- Orders per day over the orders per day of ordinary (non-holiday) days.
        round(
            {{ safe_divide(
                safe_divide('order_count', 'day_count'),
                'max(' ~ safe_divide('order_count', 'day_count') ~ ") filter (
                        where holiday_name = 'no holiday'
                    ) over ()"
            ) }},
            4
        ) as orders_per_day_index
    from joined
)

select * from final
