-- One row per customer segment and calendar month with orders: what each segment bought
-- month by month and its share of the month's revenue, so the segments' purchasing trends
-- can be followed over time (source document 002: "purchasing trends over time and across
-- different segments", with line charts). Every customer with an accepted order is in a
-- segment, so the rows of a month add up to the month of seasonal_sales. Needs order dates:
-- empty for data without them.
with

orders as (
    select * from {{ ref('orders') }}
    where order_month is not null
),

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

-- The segments' names and sizes as segment_profiles states them.
segment_profiles as (
    select * from {{ ref('segment_profiles') }}
),

per_cell as (
    select
        customer_segments.segment_id,
        orders.order_month,
        count(*) as order_count,
        count(distinct orders.customer_id) as customer_count,
        {{ money_sum('orders.amount') }} as revenue
    from orders
    inner join customer_segments
        on orders.customer_id = customer_segments.customer_id
    group by customer_segments.segment_id, orders.order_month
),

final as (
    select
        per_cell.segment_id,
        per_cell.order_month,
        segment_profiles.segment_name,
        per_cell.order_count,
        per_cell.customer_count,
        round(per_cell.customer_count / segment_profiles.customer_count, 6)
            as active_customer_share,
        per_cell.revenue,
        round(
            {{ share_of_total('per_cell.revenue', partition_by='per_cell.order_month') }},
            6
        ) as share_of_month_revenue,
        round({{ safe_divide('per_cell.revenue', 'per_cell.order_count') }}, 2)
            as mean_order_value
    from per_cell
    inner join segment_profiles
        on per_cell.segment_id = segment_profiles.segment_id
)

select * from final
