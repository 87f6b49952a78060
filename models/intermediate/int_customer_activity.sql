-- One row per accepted customer: purchase activity from their accepted orders (zeros for
-- customers who never ordered). Recency, tenure and frequency are measured at the as-of date.
with

customers as (
    select * from {{ ref('int_customers') }}
),

orders as (
    select * from {{ ref('int_orders') }}
),

orders_per_customer as (
    select
        customer_id,
        count(*) as order_count,
        sum(line_count) as order_line_count,
        sum(quantity) as total_quantity,
        sum(amount) as total_spend,
        sum(discount_amount) as total_discount,
        count(*) filter (where is_discounted) as discounted_order_count,
        count(distinct order_date) as purchase_day_count,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date
    from orders
    group by customer_id
),

final as (
    select
        customers.customer_id,
        coalesce(orders_per_customer.order_count, 0) as order_count,
        coalesce(orders_per_customer.order_line_count, 0) as order_line_count,
        coalesce(orders_per_customer.total_quantity, 0) as total_quantity,
        coalesce(orders_per_customer.total_spend, 0) as total_spend,
        coalesce(orders_per_customer.total_discount, 0) as total_discount,
        coalesce(orders_per_customer.discounted_order_count, 0) as discounted_order_count,
        coalesce(orders_per_customer.purchase_day_count, 0) as purchase_day_count,
        round({{ safe_divide('orders_per_customer.total_spend', 'orders_per_customer.order_count') }}, 4)
            as avg_order_value,
        round({{ safe_divide('orders_per_customer.discounted_order_count', 'orders_per_customer.order_count') }}, 6)
            as discounted_order_share,
        date_diff('day', orders_per_customer.last_order_date, customers.as_of_date)
            as recency_days,
        date_diff(
            'day',
            least(customers.signup_date, orders_per_customer.first_order_date),
            customers.as_of_date
        ) as tenure_days,
        -- Orders per year of relationship; relationships shorter than 30 days count as 30
        -- so that a first-week customer is not extrapolated to hundreds of orders a year.
        round(
            coalesce(orders_per_customer.order_count, 0) * 365.25 / greatest(
                date_diff(
                    'day',
                    least(customers.signup_date, orders_per_customer.first_order_date),
                    customers.as_of_date
                ),
                30
            ),
            6
        ) as purchase_frequency_per_year,
        coalesce(orders_per_customer.order_count, 0) > 1 as is_repeat_customer,
        orders_per_customer.first_order_date,
        orders_per_customer.last_order_date
    from customers
    left join orders_per_customer
        on customers.customer_id = orders_per_customer.customer_id
)

select * from final
