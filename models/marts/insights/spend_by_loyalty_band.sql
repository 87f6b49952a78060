-- One row per loyalty band (1-2, 3-4, 5-6, 7-8, 9-10, and unknown when customers have no
-- score): how spend rises with loyalty (source document 000, "customers with higher loyalty
-- scores generally spend more"). A score belongs to the band of its whole part: 2.9 is in
-- 1-2, 3.0 in 3-4; 10 is in 9-10.
with

customers as (
    select * from {{ ref('customers') }}
),

banded as (
    select
        customer_id,
        order_count,
        total_spend,
        loyalty_score,
        case
            when loyalty_score is null then 6
            else least(cast(floor((loyalty_score - 1) / 2) as integer) + 1, 5)
        end as loyalty_band_order
    from customers
),

final as (
    select
        case loyalty_band_order
            when 1 then '1-2'
            when 2 then '3-4'
            when 3 then '5-6'
            when 4 then '7-8'
            when 5 then '9-10'
            else 'unknown'
        end as loyalty_band,
        loyalty_band_order,
        count(*) as customer_count,
        round(count(*) / sum(count(*)) over (), 6) as customer_share,
        round(avg(total_spend), 2) as mean_total_spend,
        round(median(total_spend), 2) as median_total_spend,
        round(avg(order_count), 4) as mean_order_count,
        {{ money_sum('total_spend') }} as total_spend,
        round({{ safe_divide('sum(total_spend)', 'sum(sum(total_spend)) over ()') }}, 6)
            as revenue_share
    from banded
    group by loyalty_band_order
)

select * from final
