-- The 20 customers with the highest total spend, with their segment and what they buy:
-- the list an account manager asks for first. Ties are broken by customer_id.
with

customers as (
    select * from {{ ref('customers') }}
),

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

category_spend as (
    select * from {{ ref('int_customer_category_spend') }}
),

top_category as (
    select
        customer_id,
        arg_max(product_category, spend) as top_category
    from category_spend
    group by customer_id
),

final as (
    select
        customers.customer_id,
        customer_segments.segment_name,
        customers.age_group,
        customers.region,
        customers.total_spend,
        customers.order_count,
        customers.avg_order_value,
        top_category.top_category,
        customers.is_loyalty_member,
        customers.last_order_date
    from customers
    left join customer_segments
        on customers.customer_id = customer_segments.customer_id
    left join top_category
        on customers.customer_id = top_category.customer_id
)

select * from final
order by total_spend desc, customer_id
limit 20
