-- One row per raw row of shopping_trends_updated.csv: the one purchase the row records
-- (order_count 1, spend = its amount, discounted when "Discount Applied" is Yes; the
-- discount's amount is not given, so total_discount is NULL). Purchases per year come from
-- the stated "Frequency of Purchases" (Weekly = 52 … Annually = 1); the customer is a repeat
-- customer when "Previous Purchases" > 0. No date, so no recency.
with

source as (
    select * from {{ source('shopping_trends', 'purchases') }}
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
        nullif(trim(customer_id), '') as customer_id,
        {{ parse_money('purchase_amount_usd') }} as purchase_amount,
        {{ parse_boolean('discount_applied') }} as is_discounted,
        {{ parse_integer('previous_purchases') }} as previous_purchase_count,
        {{ shopping_trends_purchases_per_year(clean_text('frequency_of_purchases')) }}
            as purchases_per_year
    from numbered
),

final as (
    select
        source_row_number,
        customer_id,
        cast(1 as bigint) as order_count,
        cast(1 as bigint) as order_line_count,
        cast(null as bigint) as total_quantity,
        purchase_amount as total_spend,
        cast(null as decimal(18, 2)) as total_discount,
        cast(case when is_discounted then 1 when not is_discounted then 0 end as bigint)
            as discounted_order_count,
        cast(null as bigint) as purchase_day_count,
        cast(purchases_per_year as double) as purchase_frequency_per_year,
        cast(null as bigint) as recency_days,
        previous_purchase_count > 0 as is_repeat_customer
    from typed
)

select * from final
