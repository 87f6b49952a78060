-- The lifetime-value model checked on purchases it did not see: with var
-- lifetime_value_calibration_end, the BG/NBD model is fitted on the purchases up to that date
-- and customer_lifetime_value holds, per customer, the purchase days it expected after it and
-- the ones the customer made. One row per number of repeat purchases in the calibration
-- period (0 … 6, then 7+) and one for all customers: the calibration / holdout comparison of
-- Fader, Hardie & Lee (2005). Empty without the var.
{%- set calibration_end = var('lifetime_value_calibration_end', '') %}
with

customer_lifetime_value as (
    select * from {{ ref('customer_lifetime_value') }}
    where holdout_weeks is not null
),

bucketed as (
    select
        least(repeat_purchase_weeks, 7) as bucket_order,
        holdout_weeks,
        holdout_purchase_days,
        expected_holdout_purchases
    from customer_lifetime_value
),

by_repeat_purchases as (
    select
        'repeat_purchases' as grouping,
        case when bucket_order = 7 then '7+' else cast(bucket_order as varchar) end
            as calibration_repeat_purchases,
        bucket_order,
        count(*) as customer_count,
        count(*) filter (where holdout_purchase_days > 0) as returning_customer_count,
        any_value(holdout_weeks) as holdout_weeks,
        sum(holdout_purchase_days) as actual_purchases,
        sum(expected_holdout_purchases) as expected_purchases
    from bucketed
    group by bucket_order
),

all_customers as (
    select
        'all' as grouping,
        'all' as calibration_repeat_purchases,
        8 as bucket_order,
        count(*) as customer_count,
        count(*) filter (where holdout_purchase_days > 0) as returning_customer_count,
        any_value(holdout_weeks) as holdout_weeks,
        sum(holdout_purchase_days) as actual_purchases,
        sum(expected_holdout_purchases) as expected_purchases
    from bucketed
    having count(*) > 0
),

final as (
    select
        grouping,
        calibration_repeat_purchases,
        bucket_order,
        {% if calibration_end -%}
        date '{{ calibration_end }}' as calibration_end,
        {%- else -%}
        cast(null as date) as calibration_end,
        {%- endif %}
        round(holdout_weeks, 4) as holdout_weeks,
        customer_count,
        returning_customer_count,
        round(returning_customer_count / customer_count, 4) as returning_customer_share,
        cast(actual_purchases as bigint) as actual_purchases,
        round(expected_purchases, 2) as expected_purchases,
        round(actual_purchases / customer_count, 4) as mean_actual_purchases,
        round(expected_purchases / customer_count, 4) as mean_expected_purchases,
        round({{ safe_divide('expected_purchases - actual_purchases', 'actual_purchases') }}, 6)
            as relative_error
    from (
        select * from by_repeat_purchases
        union all
        select * from all_customers
    )
)

select * from final
order by bucket_order
