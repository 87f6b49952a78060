-- One row per sales channel: who buys through it, how much is bought there, and what its
-- customers are worth (source document 004: "which channels drive the most value"). From
-- the accepted orders, or from the purchases per channel a customer-level file states
-- (iFood: web, catalog, store), where spend per channel is not given and stays NULL.
-- Empty for data without channels.
with

channel_spend as (
    select * from {{ ref('int_customer_channel_spend') }}
),

customers as (
    select * from {{ ref('customers') }}
),

channels_per_customer as (
    select
        customer_id,
        count(*) as channel_count
    from channel_spend
    group by customer_id
),

per_channel as (
    select
        channel_spend.channel,
        count(*) as customer_count,
        count(*) filter (where channels_per_customer.channel_count = 1)
            as only_channel_customer_count,
        {{ integer_sum('channel_spend.order_count') }} as order_count,
        {{ money_sum('channel_spend.spend') }} as spend,
        avg(customers.total_spend) as mean_customer_total_spend
    from channel_spend
    inner join channels_per_customer
        on channel_spend.customer_id = channels_per_customer.customer_id
    inner join customers
        on channel_spend.customer_id = customers.customer_id
    group by channel_spend.channel
),

final as (
    select
        channel,
        customer_count,
        {{ safe_divide(
            'cast(customer_count as double)',
            '(select count(*) from channels_per_customer)'
        ) }} as customer_share,
        only_channel_customer_count,
        order_count,
        {{ share_of_total('order_count') }} as order_share,
        spend,
        {{ share_of_total('spend') }} as spend_share,
        round({{ safe_divide('cast(order_count as double)', 'customer_count') }}, 4)
            as mean_orders_per_customer,
        round({{ safe_divide('spend', 'order_count') }}, 2) as mean_order_value,
        round(mean_customer_total_spend, 2) as mean_customer_total_spend
    from per_channel
)

select * from final
