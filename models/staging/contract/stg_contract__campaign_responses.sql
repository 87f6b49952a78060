-- One row per raw campaign response row: typed, with a rejection_reason for rows that
-- cannot be used. Unknown customers and duplicates are resolved in intermediate. A sent_date
-- that does not parse, or lies before var earliest_plausible_date (a placeholder such as
-- 1900-01-01), is NULL and flagged (quality_flags): the response itself still counts.
{%- set types = contract_source_types('campaign_responses') %}
with

numbered as (
    {{ contract_numbered_source('campaign_responses', types) | indent(4) }}
),

-- The duckdb dialect of sqlfluff parses 'not (...)' as a call of a function named not and
-- asks for 'not(' (LT01, LT06); the 'not is_missing(...)' lines below are negations.
-- noqa: disable=LT01,LT06
typed as (
    select
        source_row_number,
        {{ clean_key('customer_id') }} as customer_id,
        {{ clean_key('campaign_id') }} as campaign_id,
        {{ parse_boolean('accepted', types.get('accepted')) }} as is_accepted,
        {{ parse_date('sent_date', types.get('sent_date')) }} as sent_date,
        not {{ is_missing('sent_date', types.get('sent_date')) }} as has_sent_date_text
    from numbered
),
-- noqa: enable=LT01,LT06

final as (
    select
        source_row_number,
        customer_id,
        campaign_id,
        is_accepted,
        case when sent_date >= {{ earliest_plausible_date() }} then sent_date end as sent_date,
        {{ first_reason([
            ('customer_id is null', 'missing_customer_id'),
            ('campaign_id is null', 'missing_campaign_id'),
            ('is_accepted is null', 'unparseable_accepted'),
        ]) }} as rejection_reason,
        case
            when has_sent_date_text and sent_date is null then 'unparseable_sent_date'
            when sent_date < {{ earliest_plausible_date() }} then 'implausible_sent_date'
        end as quality_flags
    from typed
)

select * from final
