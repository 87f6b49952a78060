-- One row per loyalty-programme membership status (member / non-member / unknown): how
-- members' spending and buying differ from non-members' (source document 003, "loyalty
-- program insights", hypothesis 2 "loyalty program members exhibit higher average spending
-- than non-members"). Observational: members may differ in other ways too.
with

customers as (
    select * from {{ ref('customers') }}
),

statused as (
    select
        *,
        case
            when is_loyalty_member then 'member'
            when not is_loyalty_member then 'non-member'
            else 'unknown'
        end as membership_status
    from customers
),

final as (
    select
        membership_status,
        count(*) as customer_count,
        round(count(*) / sum(count(*)) over (), 6) as customer_share,
        {{ money_sum('total_spend') }} as total_spend,
        round(
            {{ safe_divide(
                'cast(sum(total_spend) as double)',
                'cast(sum(sum(total_spend)) over () as double)'
            ) }},
            6
        ) as revenue_share,
        round(avg(total_spend), 2) as mean_total_spend,
        round(median(total_spend), 2) as median_total_spend,
        round(avg(order_count), 4) as mean_order_count,
        round({{ safe_divide('sum(total_spend)', 'sum(order_count)') }}, 2) as mean_order_value,
        round(
            {{ safe_divide(
                'count(*) filter (where order_count > 0 and is_repeat_customer)',
                'count(*) filter (where order_count > 0)'
            ) }},
            6
        ) as repeat_rate,
        round({{ exact_avg("purchase_frequency_per_year") }}, 4)
            as mean_purchase_frequency_per_year,
        round({{ exact_avg("loyalty_score") }}, 4) as mean_loyalty_score
    from statused
    group by membership_status
)

select * from final
