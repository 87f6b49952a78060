-- One row per raw campaign response row: typed, with a rejection_reason for rows that
-- cannot be used. Unknown customers and duplicates are resolved in intermediate.
{%- set types = contract_source_types('campaign_responses') %}
with

numbered as (
    {{ contract_numbered_source('campaign_responses', types) | indent(4) }}
),

typed as (
    select
        source_row_number,
        {{ clean_key('customer_id') }} as customer_id,
        {{ clean_key('campaign_id') }} as campaign_id,
        {{ parse_boolean('accepted', types.get('accepted')) }} as is_accepted,
        {{ parse_date('sent_date', types.get('sent_date')) }} as sent_date
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
