-- One row per raw campaign response row, with the checks that need other tables. Reads the
-- selected dataset's staging adapter; empty for datasets without campaign responses.
with

stg_campaign_responses as (
    select * from {{ staging_ref('campaign_responses') }}
),

accepted_customers as (
    select customer_id
    from {{ ref('int_customers_checked') }}
    where rejection_reason is null
),

duplicates_marked as (
    select
        *,
        row_number() over (
            partition by customer_id, campaign_id order by source_row_number
        ) as response_occurrence
    from stg_campaign_responses
),

customers_joined as (
    select
        duplicates_marked.*,
        accepted_customers.customer_id is not null as has_known_customer
    from duplicates_marked
    left join accepted_customers
        on duplicates_marked.customer_id = accepted_customers.customer_id
),

final as (
    select
        * exclude (rejection_reason, response_occurrence, has_known_customer),
        coalesce(
            rejection_reason,
            case when not has_known_customer then 'unknown_customer_id' end,
            case when response_occurrence > 1 then 'duplicate_campaign_response' end
        ) as rejection_reason
    from customers_joined
)

select * from final
