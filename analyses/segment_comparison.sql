-- The segments side by side: size, value, loyalty, repeat purchase, favourite category and
-- campaign response, with the name and recommendation derived from each profile (source
-- documents 002 and 004). One row per segment, highest spend first.
with

segment_profiles as (
    select * from {{ ref('segment_profiles') }}
),

repeat_purchase as (
    select * from {{ ref('repeat_purchase') }}
    where grouping = 'segment'
),

category_demand_by_segment as (
    select * from {{ ref('category_demand_by_segment') }}
    where spend_rank_in_segment = 1
),

campaign_response as (
    select
        grouping_value,
        sum(customers_accepted) as customers_accepted,
        sum(customers_sent) as customers_sent
    from {{ ref('campaign_response') }}
    where grouping = 'segment'
    group by grouping_value
),

final as (
    select
        segment_profiles.segment_id,
        segment_profiles.segment_name,
        segment_profiles.customer_count,
        round(segment_profiles.customer_share, 3) as customer_share,
        round(segment_profiles.revenue_share, 3) as revenue_share,
        round(segment_profiles.mean_total_spend, 2) as mean_total_spend,
        round(segment_profiles.mean_annual_income, 0) as mean_annual_income,
        round(segment_profiles.mean_age, 1) as mean_age,
        round(segment_profiles.mean_children_count, 2) as mean_children_count,
        round(segment_profiles.mean_is_loyalty_member, 3) as loyalty_member_share,
        repeat_purchase.repeat_rate,
        category_demand_by_segment.product_category as top_category,
        category_demand_by_segment.spend_share_index as top_category_index,
        round(campaign_response.customers_accepted / nullif(campaign_response.customers_sent, 0), 3)
            as campaign_response_rate,
        segment_profiles.recommendation
    from segment_profiles
    left join repeat_purchase
        on cast(segment_profiles.segment_id as varchar) = repeat_purchase.grouping_value
    left join category_demand_by_segment
        on segment_profiles.segment_id = category_demand_by_segment.segment_id
    left join campaign_response
        on cast(segment_profiles.segment_id as varchar) = campaign_response.grouping_value
)

select * from final
order by segment_id
