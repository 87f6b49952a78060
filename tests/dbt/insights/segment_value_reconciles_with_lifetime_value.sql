-- segment_value accounts for every customer of customer_lifetime_value once, with their past
-- and expected spend (both empty for data without order dates): one row per total that does
-- not reconcile.
with

lifetime_value as (
    select
        count(*) as customer_count,
        coalesce(sum(historical_value), 0) as historical_value,
        coalesce(sum(predicted_clv_horizon), 0) as predicted_value,
        count(*) filter (where p_alive < 0.5) as likely_lapsed_customer_count,
        count(*) filter (where repeat_purchase_weeks = 0) as no_repeat_customer_count
    from {{ ref('customer_lifetime_value') }}
),

segment_value as (
    select
        coalesce(sum(customer_count), 0) as customer_count,
        coalesce(sum(historical_value), 0) as historical_value,
        coalesce(sum(predicted_value), 0) as predicted_value,
        coalesce(sum(likely_lapsed_customer_count), 0) as likely_lapsed_customer_count,
        coalesce(sum(no_repeat_customer_count), 0) as no_repeat_customer_count
    from {{ ref('segment_value') }}
),

checks as (
    select
        'customers' as total,
        segment_value.customer_count as found,
        lifetime_value.customer_count as expected,
        0 as tolerance
    from segment_value, lifetime_value
    union all
    select
        'likely lapsed customers',
        segment_value.likely_lapsed_customer_count,
        lifetime_value.likely_lapsed_customer_count,
        0
    from segment_value, lifetime_value
    union all
    select
        'customers with no repeat purchase',
        segment_value.no_repeat_customer_count,
        lifetime_value.no_repeat_customer_count,
        0
    from segment_value, lifetime_value
    -- each segment's sum is rounded to the cent
    union all
    select
        'historical value',
        segment_value.historical_value,
        lifetime_value.historical_value,
        0.01 * (select count(*) from {{ ref('segment_value') }})
    from segment_value, lifetime_value
    union all
    select
        'predicted value',
        segment_value.predicted_value,
        lifetime_value.predicted_value,
        0.01 * (select count(*) from {{ ref('segment_value') }})
    from segment_value, lifetime_value
)

select *
from checks
where coalesce(abs(found - expected) > tolerance, found is distinct from expected)
