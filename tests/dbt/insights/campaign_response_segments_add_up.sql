-- For every campaign, the segment rows and the not-segmented row add up to the 'all' row
-- (every recipient is in one segment or in none) and each response rate is accepted / sent:
-- one row per campaign that disagrees.
with

campaign_response as (
    select * from {{ ref('campaign_response') }}
),

per_campaign as (
    select
        campaign_id,
        sum(customers_sent) filter (where grouping = 'all') as all_sent,
        sum(customers_sent) filter (where grouping <> 'all') as grouped_sent,
        sum(customers_accepted) filter (where grouping = 'all') as all_accepted,
        sum(customers_accepted) filter (where grouping <> 'all') as grouped_accepted,
        max(abs(response_rate - customers_accepted / customers_sent)) as worst_rate_error
    from campaign_response
    group by campaign_id
)

select *
from per_campaign
where all_sent is distinct from grouped_sent
    or all_accepted is distinct from grouped_accepted
    or worst_rate_error > 0.000001
