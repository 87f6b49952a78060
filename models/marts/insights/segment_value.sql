-- One row per customer segment: what its customers have spent, what the lifetime-value models
-- expect them to spend in the next 12 months (customer_lifetime_value), and how much of the
-- segment's past spend sits with customers who have probably stopped buying (P(alive) under
-- 0.5) - the size of the prize of each segment, and where keeping customers pays. Needs order
-- dates (the lifetime-value models do): empty for data without them. Customers without a
-- dated order are not in customer_lifetime_value and not counted here. BG/NBD lets a customer
-- drop out only after a repeat purchase, so it takes every customer without one as alive
-- (P(alive) = 1) however long ago they bought: they are counted apart (no_repeat_*) and are
-- never among the likely lapsed.
with

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

customer_lifetime_value as (
    select * from {{ ref('customer_lifetime_value') }}
),

customers_valued as (
    select
        customer_segments.segment_id,
        customer_segments.segment_name,
        customer_lifetime_value.historical_value,
        customer_lifetime_value.repeat_purchase_weeks,
        customer_lifetime_value.age_weeks,
        customer_lifetime_value.p_alive,
        customer_lifetime_value.predicted_clv_horizon
    from customer_lifetime_value
    inner join customer_segments
        on customer_lifetime_value.customer_id = customer_segments.customer_id
),

per_segment as (
    select
        segment_id,
        min(segment_name) as segment_name,
        count(*) as customer_count,
        sum(historical_value) as historical_value,
        sum(predicted_clv_horizon) as predicted_value,
        {{ exact_avg("p_alive") }} as mean_p_alive,
        count(*) filter (where p_alive < 0.5) as likely_lapsed_customer_count,
        coalesce(sum(historical_value) filter (where p_alive < 0.5), 0)
            as likely_lapsed_historical_value,
        count(*) filter (where repeat_purchase_weeks = 0) as no_repeat_customer_count,
        coalesce(sum(historical_value) filter (where repeat_purchase_weeks = 0), 0)
            as no_repeat_historical_value,
        {{ exact_avg("age_weeks") }} filter (where repeat_purchase_weeks = 0)
            as no_repeat_mean_age_weeks
    from customers_valued
    group by segment_id
),

final as (
    select
        segment_id,
        segment_name,
        customer_count,
        round(customer_count / sum(customer_count) over (), 6) as customer_share,
        round(historical_value, 2) as historical_value,
        round({{ safe_divide('historical_value', 'sum(historical_value) over ()') }}, 6)
            as historical_value_share,
        round(predicted_value, 2) as predicted_value,
        round({{ safe_divide('predicted_value', 'sum(predicted_value) over ()') }}, 6)
            as predicted_value_share,
        round(predicted_value / customer_count, 2) as predicted_value_per_customer,
        round({{ safe_divide('predicted_value', 'historical_value') }}, 4)
            as predicted_to_historical_ratio,
        round(mean_p_alive, 4) as mean_p_alive,
        likely_lapsed_customer_count,
        round(likely_lapsed_customer_count / customer_count, 4) as likely_lapsed_customer_share,
        round(likely_lapsed_historical_value, 2) as likely_lapsed_historical_value,
        no_repeat_customer_count,
        round(no_repeat_customer_count / customer_count, 4) as no_repeat_customer_share,
        round(no_repeat_historical_value, 2) as no_repeat_historical_value,
        round(no_repeat_mean_age_weeks, 1) as no_repeat_mean_weeks_since_purchase
    from per_segment
)

select * from final
order by segment_id
