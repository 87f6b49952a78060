-- One row per raw input row that was not accepted, with the reason. Together with the
-- accepted rows these account for every raw row (see row_reconciliation).
with

customers_checked as (
    select * from {{ ref('int_customers_checked') }}
),

order_lines_checked as (
    select * from {{ ref('int_order_lines_checked') }}
),

campaign_responses_checked as (
    select * from {{ ref('int_campaign_responses_checked') }}
),

rejected as (
    select
        'customers' as table_name,
        source_row_number,
        customer_id as record_key,
        rejection_reason
    from customers_checked
    where rejection_reason is not null

    union all

    select
        'orders' as table_name,
        source_row_number,
        coalesce(order_id, '') || ' / ' || coalesce(customer_id, '') as record_key,
        rejection_reason
    from order_lines_checked
    where rejection_reason is not null

    union all

    select
        'campaign_responses' as table_name,
        source_row_number,
        coalesce(customer_id, '') || ' / ' || coalesce(campaign_id, '') as record_key,
        rejection_reason
    from campaign_responses_checked
    where rejection_reason is not null
),

final as (
    select
        table_name || ':' || cast(source_row_number as varchar) as rejected_row_id,
        table_name,
        record_key,
        rejection_reason,
        source_row_number
    from rejected
)

select * from final
