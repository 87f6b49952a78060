-- Hypothesis 3 of source document 003: "Older customers (above 50) purchase less
-- frequently than younger customers."
-- Customers over 50 against 50 and under (customers of unknown age left out): orders per
-- year observed, orders in total, and the days between consecutive orders. The
-- formal test belongs to the hypothesis-tests Python model (customer_behavior.statistics).
with

customers as (
    select * from {{ ref('customers') }}
    where age is not null
),

orders as (
    select * from {{ ref('orders') }}
),

order_gaps as (
    select
        customer_id,
        date_diff(
            'day',
            lag(order_date) over (partition by customer_id order by order_date, order_id),
            order_date
        ) as days_since_previous_order
    from orders
),

gaps_per_customer as (
    select
        customer_id,
        avg(days_since_previous_order) as mean_gap_days
    from order_gaps
    where days_since_previous_order is not null
    group by customer_id
),

final as (
    select
        case when customers.age > 50 then 'over 50' else '50 and under' end as age_class,
        count(*) as customer_count,
        round(avg(customers.purchase_frequency_per_year), 3)
            as mean_purchase_frequency_per_year,
        round(median(customers.purchase_frequency_per_year), 3)
            as median_purchase_frequency_per_year,
        round(avg(customers.order_count), 3) as mean_order_count,
        round(median(gaps_per_customer.mean_gap_days), 1) as median_of_mean_gap_days
    from customers
    left join gaps_per_customer
        on customers.customer_id = gaps_per_customer.customer_id
    group by 1
)

select * from final
order by age_class
