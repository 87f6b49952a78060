-- One row per raw row of shopping_trends_updated.csv: the purchase the row records, with what
-- the file states about it instead of a date: the season it was made in, whether a discount
-- was applied and a promo code used, the item, the payment method, the shipping type and the
-- customer's review rating (source document 003: "seasonal trends", "impact of discounts and
-- promotions"). "Fall" is read as autumn, the project's season name; a season, flag or rating
-- that cannot be read is 'unknown' / NULL here and flagged on the customer row
-- (stg_shopping_trends__customers.quality_flags). Rejections are the customer row's: this
-- model is read through int_stated_purchases, which keeps the accepted rows.
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

final as (
    select
        source_row_number,
        nullif(trim(customer_id), '') as customer_id,
        coalesce({{ clean_text('item_purchased') }}, 'unknown') as product_name,
        {{ clean_text('category') }} as product_category,
        {{ parse_money('purchase_amount_usd') }} as amount,
        {{ shopping_trends_season(clean_text('season')) }} as season,
        {{ parse_boolean('discount_applied') }} as is_discounted,
        {{ parse_boolean('promo_code_used') }} as used_promo_code,
        coalesce({{ clean_text('payment_method') }}, 'unknown') as payment_method,
        coalesce({{ clean_text('shipping_type') }}, 'unknown') as shipping_type,
        case
            when {{ parse_decimal('review_rating') }} between 1 and 5
                then {{ parse_decimal('review_rating') }}
        end as review_rating
    from numbered
)

select * from final
