-- One row per age group and gender: the grid behind the age × gender spend chart (source
-- documents 001 and 003, "how age, gender and marital status impact spending").
with

customers as (
    select * from {{ ref('customers') }}
),

aggregated as (
    select
        age_group,
        gender,
        min(age_group_order) as age_group_order,
        count(*) as customer_count,
        {{ money_sum('total_spend') }} as total_spend,
        round(avg(total_spend), 2) as mean_total_spend,
        round(median(total_spend), 2) as median_total_spend,
        round(avg(order_count), 4) as mean_order_count
    from customers
    group by age_group, gender
),

final as (
    select
        age_group,
        gender,
        age_group_order,
        customer_count,
        total_spend,
        mean_total_spend,
        median_total_spend,
        mean_order_count,
        round(
            {{ share_of_total('total_spend') }},
            6
        ) as revenue_share,
        round(
            {{ share_of_total('total_spend', partition_by='age_group') }},
            6
        ) as share_of_age_group_revenue
    from aggregated
)

select * from final
