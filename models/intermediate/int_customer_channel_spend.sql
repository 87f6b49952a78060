-- One row per customer and sales channel they used: orders and spend through that channel.
with

orders as (
    select * from {{ ref('int_orders') }}
),

final as (
    select
        customer_id,
        channel,
        count(*) as order_count,
        sum(amount) as spend
    from orders
    group by customer_id, channel
)

select * from final
