-- One row per raw campaign response row: typed, with a rejection_reason for rows that
-- cannot be used. Unknown customers and duplicates are resolved in intermediate.
with

source as (
    select * from {{ contract_source('campaign_responses') }}
),

numbered as (
    select
        row_number() over () as source_row_number,
        source.*
    from source
),

typed as (
    select
        source_row_number,
        nullif(trim(cast(customer_id as varchar)), '') as customer_id,
        nullif(trim(cast(campaign_id as varchar)), '') as campaign_id,
        {{ parse_boolean('accepted') }} as is_accepted,
        {{ parse_date('sent_date') }} as sent_date
    from numbered
),

final as (
    select
        *,
        {{ first_reason([
            ('customer_id is null', 'missing_customer_id'),
            ('campaign_id is null', 'missing_campaign_id'),
            ('is_accepted is null', 'unparseable_accepted'),
        ]) }} as rejection_reason
    from typed
)

select * from final
