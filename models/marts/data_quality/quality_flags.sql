-- One row per accepted row and repair: values that were kept but nulled or normalised
-- (impossible ages, junk marital statuses, out-of-range scores, unreadable campaign send
-- dates) and extreme incomes. Customers are keyed by customer_id; campaign responses by
-- customer_id and campaign_id.
with

customers as (
    select * from {{ ref('int_customers') }}
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
        unnest(string_split(quality_flags, ',')) as quality_flag
    from campaign_responses
    where quality_flags is not null
),

final as (
    select
        'customers' as table_name,
        customer_id,
        cast(null as varchar) as campaign_id,
        quality_flag
    from customer_flags

    union all

    select
        'campaign_responses' as table_name,
        customer_id,
        campaign_id,
        quality_flag
    from campaign_flags
)

select * from final
