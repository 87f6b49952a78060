-- One row per region: how often its customers buy (source documents 000 and 001,
-- "purchase frequency by region").
with

customers as (
    select * from {{ ref('customers') }}
),

final as (
    select
        region,
        count(*) as customer_count,
        {{ integer_sum('order_count') }} as order_count,
        round(avg(order_count), 4) as mean_orders_per_customer,
        round({{ exact_avg("purchase_frequency_per_year") }}, 4)
            as mean_purchase_frequency_per_year,
        round(median(purchase_frequency_per_year), 4) as median_purchase_frequency_per_year,
        round(avg(total_spend), 2) as mean_total_spend,
        {{ money_sum('total_spend') }} as total_spend,
        round(sum(total_spend) / sum(sum(total_spend)) over (), 6) as revenue_share,
        round(avg(case when is_repeat_customer then 1.0 else 0.0 end), 6) as repeat_customer_rate
    from customers
    group by region
)

select * from final
