-- One row per raw row of shopping_trends_updated.csv: the purchase's product category and
-- amount (one line; units are not given).
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
        {{ clean_text('category') }} as product_category,
        cast(1 as bigint) as order_line_count,
        cast(null as bigint) as quantity,
        {{ parse_money('purchase_amount_usd') }} as spend
    from numbered
)

select * from final
