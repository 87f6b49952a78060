-- One row per marketing campaign and customer grouping: the campaign's response among all
-- customers who received it (grouping = 'all') and within each segment (grouping =
-- 'segment'), with the segment's response relative to the campaign's overall rate (source
-- documents 002, "responsiveness to marketing campaigns" per segment, and 004, "campaign
-- responses"). Recipients who are in no segment (customers without an accepted purchase:
-- prospects, or a customer whose only lines were rejected) are one more row per campaign,
-- grouping = 'not_segmented', so the segment and not-segmented rows add up to 'all'. Uses
-- accepted campaign-response rows only; empty when the data has no campaign responses.
with

campaign_responses as (
    select * from {{ ref('int_campaign_responses_checked') }}
    where rejection_reason is null
),

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

responses_grouped as (
    select
        'all' as grouping,
        'all' as grouping_value,
        'all customers' as grouping_label,
        campaign_id,
        customer_id,
        is_accepted
    from campaign_responses
    union all
    select
        case
            when customer_segments.customer_id is null then 'not_segmented' else 'segment'
        end as grouping,
        coalesce(cast(customer_segments.segment_id as varchar), 'none') as grouping_value,
        coalesce(customer_segments.segment_name, 'not segmented (no accepted purchase)')
            as grouping_label,
        campaign_responses.campaign_id,
        campaign_responses.customer_id,
        campaign_responses.is_accepted
    from campaign_responses
    left join customer_segments
        on campaign_responses.customer_id = customer_segments.customer_id
),

aggregated as (
    select
        campaign_id,
        grouping,
        grouping_value,
        min(grouping_label) as grouping_label,
        count(*) as customers_sent,
        count(*) filter (where is_accepted) as customers_accepted
    from responses_grouped
    group by campaign_id, grouping, grouping_value
),

final as (
    select
        campaign_id,
        grouping,
        grouping_value,
        grouping_label,
        customers_sent,
        customers_accepted,
        round(customers_accepted / customers_sent, 6) as response_rate,
        -- The group's response rate over the campaign's rate among everyone (1 = average).
        round(
            {{ safe_divide(
                'customers_accepted / customers_sent',
                "max(customers_accepted / customers_sent) filter (where grouping = 'all')
                    over (partition by campaign_id)"
            ) }},
            4
        ) as response_index
    from aggregated
)

select * from final
