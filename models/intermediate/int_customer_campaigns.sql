-- One row per customer who received at least one campaign: campaigns sent and accepted.
with

campaign_responses as (
    select * from {{ ref('int_campaign_responses_checked') }}
    where rejection_reason is null
),

final as (
    select
        customer_id,
        count(*) as campaigns_sent,
        count(*) filter (where is_accepted) as campaigns_accepted
    from campaign_responses
    group by customer_id
)

select * from final
