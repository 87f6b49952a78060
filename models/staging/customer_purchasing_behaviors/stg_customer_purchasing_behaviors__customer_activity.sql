-- One row per raw row of "Customer Purchasing Behaviors.csv": the customer's purchases as
-- the file states them. purchase_frequency is "number of purchases in a year" and
-- purchase_amount the total spent, so order_count = purchase_frequency, total_spend =
-- purchase_amount and purchases per year = purchase_frequency. Lines, units, discounts and
-- recency are not in the file (NULL). Rows of rejected customers are left out downstream.
with

source as (
    select * from {{ source('customer_purchasing_behaviors', 'customers') }}
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
        nullif(trim(user_id), '') as customer_id,
        {{ parse_money('purchase_amount') }} as purchase_amount,
        {{ parse_decimal('purchase_frequency') }} as purchase_frequency
    from numbered
),

final as (
    select
        source_row_number,
        customer_id,
        cast(purchase_frequency as bigint) as order_count,
        cast(null as bigint) as order_line_count,
        cast(null as bigint) as total_quantity,
        purchase_amount as total_spend,
        cast(null as decimal(18, 2)) as total_discount,
        cast(null as bigint) as discounted_order_count,
        cast(null as bigint) as purchase_day_count,
        purchase_frequency as purchase_frequency_per_year,
        cast(null as bigint) as recency_days,
        purchase_frequency > 1 as is_repeat_customer
    from typed
)

select * from final
