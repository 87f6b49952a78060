-- One row per customer grouping: all customers, each age group and each segment
-- (grouping = 'all' | 'age_group' | 'segment', grouping_value the group): how many buy
-- again and how long they wait between orders (source document 003, "repeat purchase
-- behavior", research question 3 "which customer segments have the highest repeat purchase
-- rates"). The repeat rate is over customers with at least one order, and a repeat customer
-- is customers.is_repeat_customer: more than one order, or, for data that state a purchase
-- history instead of listing orders (shopping trends' previous purchases), an earlier
-- purchase in that history. Days between orders
-- pool every pair of consecutive orders of a customer (orders on the same day count as 0
-- days); they need order dates and are NULL for data without them.
with

customers as (
    select * from {{ ref('customers') }}
),

orders as (
    select * from {{ ref('orders') }}
),

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

order_gaps as (
    select
        customer_id,
        {{ dbt.datediff(
            'lag(order_date) over (partition by customer_id order by order_date, order_id)',
            'order_date',
            'day'
        ) }} as days_since_previous_order
    from orders
    where order_date is not null
),

gaps as (
    select * from order_gaps
    where days_since_previous_order is not null
),

-- Every customer once per grouping they belong to.
customer_groupings as (
    select
        'all' as grouping,
        'all' as grouping_value,
        'all customers' as grouping_label,
        0 as grouping_order,
        customer_id
    from customers
    union all
    select
        'age_group' as grouping,
        age_group as grouping_value,
        age_group as grouping_label,
        age_group_order as grouping_order,
        customer_id
    from customers
    union all
    select
        'segment' as grouping,
        cast(segment_id as varchar) as grouping_value,
        segment_name as grouping_label,
        segment_id as grouping_order,
        customer_id
    from customer_segments
),

customer_stats as (
    select
        customer_groupings.grouping,
        customer_groupings.grouping_value,
        min(customer_groupings.grouping_label) as grouping_label,
        min(customer_groupings.grouping_order) as grouping_order,
        count(*) as customer_count,
        count(*) filter (where customers.order_count > 0) as buying_customer_count,
        count(*) filter (
            where customers.order_count > 0 and customers.is_repeat_customer
        ) as repeat_customer_count,
        avg(customers.order_count) filter (where customers.order_count > 1)
            as mean_orders_per_repeat_customer,
        {{ exact_avg("customers.purchase_frequency_per_year") }} as mean_purchase_frequency_per_year
    from customer_groupings
    inner join customers
        on customer_groupings.customer_id = customers.customer_id
    group by customer_groupings.grouping, customer_groupings.grouping_value
),

gap_stats as (
    select
        customer_groupings.grouping,
        customer_groupings.grouping_value,
        count(*) as order_gap_count,
        avg(gaps.days_since_previous_order) as mean_days_between_orders,
        median(gaps.days_since_previous_order) as median_days_between_orders
    from customer_groupings
    inner join gaps
        on customer_groupings.customer_id = gaps.customer_id
    group by customer_groupings.grouping, customer_groupings.grouping_value
),

final as (
    select
        customer_stats.grouping,
        customer_stats.grouping_value,
        customer_stats.grouping_label,
        cast(customer_stats.grouping_order as integer) as grouping_order,
        customer_stats.customer_count,
        customer_stats.buying_customer_count,
        customer_stats.repeat_customer_count,
        round(
            {{ safe_divide(
                'customer_stats.repeat_customer_count', 'customer_stats.buying_customer_count'
            ) }},
            6
        ) as repeat_rate,
        round(customer_stats.mean_orders_per_repeat_customer, 4)
            as mean_orders_per_repeat_customer,
        round(customer_stats.mean_purchase_frequency_per_year, 4)
            as mean_purchase_frequency_per_year,
        coalesce(gap_stats.order_gap_count, 0) as order_gap_count,
        round(gap_stats.mean_days_between_orders, 2) as mean_days_between_orders,
        round(gap_stats.median_days_between_orders, 2) as median_days_between_orders
    from customer_stats
    left join gap_stats
        on customer_stats.grouping = gap_stats.grouping
        and customer_stats.grouping_value = gap_stats.grouping_value
)

select * from final
