-- One row per spend decile of customers (1 = the top 10 % by total spend): how revenue
-- concentrates in a small top tier (source document 004, "a small top tier of customers
-- contributes a large share of revenue"). Deciles by ntile(10) over customers ordered by
-- total spend descending, ties broken by customer_id (macro spend_decile, shared with
-- category_demand_by_spend_decile); when the customer count is not a multiple of ten the
-- first deciles hold one customer more. Customers without orders count (with zero spend).
with

customers as (
    select * from {{ ref('customers') }}
),

deciled as (
    select
        customer_id,
        total_spend,
        {{ spend_decile() }} as spend_decile
    from customers
),

per_decile as (
    select
        spend_decile,
        count(*) as customer_count,
        {{ money_sum('total_spend') }} as revenue,
        min(total_spend) as min_total_spend,
        max(total_spend) as max_total_spend,
        avg(total_spend) as mean_total_spend
    from deciled
    group by spend_decile
),

final as (
    select
        cast(spend_decile as integer) as spend_decile,
        customer_count,
        revenue,
        min_total_spend,
        max_total_spend,
        round(mean_total_spend, 2) as mean_total_spend,
        round(customer_count / sum(customer_count) over (), 6) as customer_share,
        round(
            {{ share_of_total('revenue') }}, 6
        ) as revenue_share,
        round(
            sum(customer_count) over (order by spend_decile) / sum(customer_count) over (), 6
        ) as cumulative_customer_share,
        round(
            {{ safe_divide(
                'cast(sum(revenue) over (order by spend_decile) as double)',
                'cast(sum(revenue) over () as double)'
            ) }},
            6
        ) as cumulative_revenue_share
    from per_decile
)

select * from final
