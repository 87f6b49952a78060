-- One row per accepted row and repair: values that were kept but nulled or normalised
-- (impossible ages, junk marital statuses, out-of-range scores, unreadable campaign send
-- dates) and extreme incomes. Customers are keyed by customer_id; campaign responses by
-- customer_id and campaign_id.
with

customers as (
    select * from {{ ref('int_customers') }}
),

customers_checked as (
    select * from {{ ref('int_customers_checked') }}
    where rejection_reason is null
),

campaign_responses as (
    select * from {{ ref('int_campaign_responses_checked') }}
    where rejection_reason is null
),

customer_flags as (
    select
        customer_id,
        unnest(string_split(quality_flags, ',')) as quality_flag
    from customers
    where quality_flags is not null

    union all

    select
        customer_id,
        'income_outlier' as quality_flag
    from customers
    where is_income_outlier
),

campaign_flags as (
    select
        customer_id,
        campaign_id,
        source_row_number,
        unnest(string_split(quality_flags, ',')) as quality_flag
    from campaign_responses
    where quality_flags is not null
),

flagged_customer_rows as (
    select distinct
        customers_checked.source_row_number,
        customers_checked.customer_id
    from customers_checked
    inner join customer_flags
        on customers_checked.customer_id = customer_flags.customer_id
),

-- The raw values of the flagged rows, as read (macros/source_values.sql).
customer_values as (
    {{ raw_source_values('customers', 'flagged_customer_rows') | indent(4) }}
),

campaign_response_values as (
    {{ raw_source_values('campaign_responses', 'campaign_flags') | indent(4) }}
),

final as (
    select
        'customers' as table_name,
        customer_flags.customer_id,
        cast(null as varchar) as campaign_id,
        customer_flags.quality_flag,
        flagged_customer_rows.source_row_number,
        customer_values.source_values
    from customer_flags
    left join flagged_customer_rows
        on customer_flags.customer_id = flagged_customer_rows.customer_id
    left join customer_values
        on flagged_customer_rows.source_row_number = customer_values.source_row_number

    union all

    select
        'campaign_responses' as table_name,
        campaign_flags.customer_id,
        campaign_flags.campaign_id,
        campaign_flags.quality_flag,
        campaign_flags.source_row_number,
        campaign_response_values.source_values
    from campaign_flags
    left join campaign_response_values
        on campaign_flags.source_row_number = campaign_response_values.source_row_number
)

select * from final
