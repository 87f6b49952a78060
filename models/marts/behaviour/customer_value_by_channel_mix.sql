-- One row per channel mix (the set of channels a customer has bought through, e.g.
-- "catalog + store", "web"): customers and their value (source document 004, "catalog
-- purchasers have higher value per customer than web-only purchasers").
with

channel_spend as (
    select * from {{ ref('int_customer_channel_spend') }}
),

customers as (
    select * from {{ ref('customers') }}
),

mix_per_customer as (
    select
        customer_id,
        {{ dbt.listagg('channel', "' + '", 'order by channel') }} as channel_mix,
        count(*) as channel_count,
        bool_or(channel = 'catalog') as has_catalog_purchase
    from channel_spend
    group by customer_id
),

final as (
    select
        mix_per_customer.channel_mix,
        min(mix_per_customer.channel_count) as channel_count,
        count(*) as customer_count,
        round(avg(customers.total_spend), 2) as mean_total_spend,
        round(median(customers.total_spend), 2) as median_total_spend,
        round(avg(customers.order_count), 4) as mean_order_count,
        round({{ exact_avg("customers.avg_order_value") }}, 2) as mean_avg_order_value,
        {{ money_sum('customers.total_spend') }} as total_spend,
        bool_or(mix_per_customer.has_catalog_purchase) as has_catalog_purchase
    from mix_per_customer
    inner join customers
        on mix_per_customer.customer_id = customers.customer_id
    group by mix_per_customer.channel_mix
)

select * from final
