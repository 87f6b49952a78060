-- One row per calendar month with orders: orders, units, revenue and buyers, and how the
-- month compares with the average month (source documents 001, "seasonal ... demand
-- patterns", and 003, "seasonal trends in retail sales"; research question 2). Two indexes
-- of revenue per day: against the mean month of the whole data, and against the mean month
-- of the same year, which removes growth of the customer base from one year to the next.
-- A month's index also moves with when customers arrive: the orders placed on a customer's
-- first order date in the data are counted apart (first_order_*), so a reader can tell an
-- acquisition wave, or the start of the data, from a season. Needs order dates: empty for
-- data without them.
with

orders as (
    select * from {{ ref('orders') }}
    where order_month is not null
),

customers as (
    select * from {{ ref('customers') }}
),

orders_with_first as (
    select
        orders.*,
        orders.order_date = customers.first_order_date as is_first_order_date
    from orders
    left join customers
        on orders.customer_id = customers.customer_id
),

data_span as (
    select
        min(order_date) as first_date,
        max(order_date) as last_date
    from orders
),

per_month as (
    select
        order_month,
        min(season) as season,
        count(*) as order_count,
        count(distinct customer_id) as customer_count,
        {{ integer_sum('quantity') }} as quantity,
        {{ money_sum('amount') }} as revenue,
        count(*) filter (where is_holiday) as holiday_order_count,
        count(*) filter (where is_discounted) as discounted_order_count,
        count(*) filter (where is_first_order_date) as first_order_count,
        cast(
            coalesce(sum(amount) filter (where is_first_order_date), 0) as decimal(18, 2)
        ) as first_order_revenue
    from orders_with_first
    group by order_month
),

-- Days of the month inside the data's date range (the first and last months may be partial).
month_days as (
    select
        per_month.order_month,
        {{ dbt.datediff(
            'greatest(per_month.order_month, data_span.first_date)',
            'least(cast(' ~ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'per_month.order_month'))
                ~ ' as date), data_span.last_date)',
            'day'
        ) }} + 1 as day_count
    from per_month
    cross join data_span
),

final as (
    select
        per_month.order_month,
        cast(year(per_month.order_month) as integer) as order_year,
        cast(month(per_month.order_month) as integer) as month_of_year,
        per_month.season,
        month_days.day_count,
        per_month.order_count,
        per_month.customer_count,
        per_month.quantity,
        per_month.revenue,
        round({{ safe_divide('per_month.revenue', 'per_month.order_count') }}, 2)
            as mean_order_value,
        round({{ safe_divide('per_month.order_count', 'month_days.day_count') }}, 4)
            as orders_per_day,
        -- Per day of the month inside the data, so that February's 28 days or a first or
        -- last month the data covers only in part do not read as weak demand.
        round(
            {{ safe_divide(
                'cast(per_month.revenue as double) / month_days.day_count',
                'avg(cast(per_month.revenue as double) / month_days.day_count) over ()'
            ) }},
            4
        ) as revenue_index,
        round(
            {{ safe_divide(
                'cast(per_month.revenue as double) / month_days.day_count',
                'avg(cast(per_month.revenue as double) / month_days.day_count) over (
                    partition by year(per_month.order_month)
                )'
            ) }},
            4
        ) as revenue_index_within_year,
        per_month.holiday_order_count,
        per_month.discounted_order_count,
        per_month.first_order_count,
        per_month.first_order_revenue,
        round({{ safe_divide('per_month.first_order_count', 'per_month.order_count') }}, 4)
            as first_order_share,
        round(
            {{ safe_divide(
                'cast(per_month.revenue as double)',
                'cast(sum(per_month.revenue) over () as double)'
            ) }},
            6
        ) as revenue_share
    from per_month
    inner join month_days
        on per_month.order_month = month_days.order_month
)

select * from final
