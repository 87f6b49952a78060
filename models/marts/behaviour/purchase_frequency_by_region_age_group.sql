-- One row per region and age group: the grid behind the region × age-group frequency heatmap.
with

customers as (
    select * from {{ ref('customers') }}
),

final as (
    select
        region,
        age_group,
        min(age_group_order) as age_group_order,
        count(*) as customer_count,
        round({{ exact_avg("purchase_frequency_per_year") }}, 4)
            as mean_purchase_frequency_per_year,
        round(avg(order_count), 4) as mean_orders_per_customer,
        round(avg(total_spend), 2) as mean_total_spend
    from customers
    group by region, age_group
)

select * from final
