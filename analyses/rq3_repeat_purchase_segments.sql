-- Research question 3 of source document 003: "Which customer segments have the highest
-- repeat purchase rates, and how can they be effectively targeted?"
-- Segments ranked by repeat rate, with how long they wait between orders, what they are
-- worth, and the recommendation derived from their profile.
with

repeat_purchase as (
    select * from {{ ref('repeat_purchase') }}
    where grouping = 'segment'
),

segment_profiles as (
    select * from {{ ref('segment_profiles') }}
),

final as (
    select
        segment_profiles.segment_id,
        segment_profiles.segment_name,
        segment_profiles.customer_count,
        round(segment_profiles.revenue_share, 3) as revenue_share,
        repeat_purchase.repeat_rate,
        repeat_purchase.mean_orders_per_repeat_customer,
        repeat_purchase.median_days_between_orders,
        repeat_purchase.mean_purchase_frequency_per_year,
        segment_profiles.recommendation
    from repeat_purchase
    inner join segment_profiles
        on repeat_purchase.grouping_value = cast(segment_profiles.segment_id as varchar)
)

select * from final
order by repeat_rate desc, segment_id
