-- One row per meteorological season (winter, spring, summer, autumn): orders and revenue,
-- per calendar day so that seasons covered by the data for different numbers of days
-- compare fairly (source documents 001 and 003, "seasonal trends"; research question 2).
-- Needs order dates: empty for data without them.
with

orders as (
    select * from {{ ref('orders') }}
    where order_date is not null
),

-- the data's days (intermediate.int_calendar_days)
calendar_days as (
    select * from {{ ref('int_calendar_days') }}
),

days_per_season as (
    select
        {{ season_of('calendar_date') }} as season,
        count(*) as day_count
    from calendar_days
    group by 1
),

per_season as (
    select
        season,
        count(*) as order_count,
        count(distinct customer_id) as customer_count,
        {{ integer_sum('quantity') }} as quantity,
        {{ money_sum('amount') }} as revenue
    from orders
    group by season
),

joined as (
    select
        days_per_season.season,
        days_per_season.day_count,
        coalesce(per_season.order_count, 0) as order_count,
        coalesce(per_season.customer_count, 0) as customer_count,
        coalesce(per_season.quantity, 0) as quantity,
        coalesce(per_season.revenue, 0) as revenue
    from days_per_season
    left join per_season
        on days_per_season.season = per_season.season
),

final as (
    select
        season,
        cast(case season
            when 'winter' then 1 when 'spring' then 2 when 'summer' then 3 else 4
        end as integer) as season_order,
        day_count,
        order_count,
        customer_count,
        quantity,
        revenue,
        round(
            {{ share_of_total('revenue') }}, 6
        ) as revenue_share,
        round({{ safe_divide('revenue', 'order_count') }}, 2) as mean_order_value,
        round(order_count / day_count, 4) as orders_per_day,
        round(revenue / day_count, 2) as revenue_per_day,
        -- Orders per day over the orders per day of the whole date range (1 = average).
        round(
            {{ safe_divide(
                'order_count / day_count', 'sum(order_count) over () / sum(day_count) over ()'
            ) }},
            4
        ) as orders_per_day_index
    from joined
)

select * from final
