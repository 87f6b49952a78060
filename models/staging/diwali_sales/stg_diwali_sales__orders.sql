-- One row per raw row of "Diwali Sales Data.csv" (source document 001): a customer's
-- purchases of one product (stated_order_count orders, amount in total), with the
-- demographics the row states (line_*). The file has no order id, order date, channel,
-- quantity or discount: those are NULL ('unknown' channel), never invented, so these lines
-- feed customer activity and category spend but not the dated order marts. The customer's
-- name (cust_name) is personal data and is not selected: the columns are named, so a copy of
-- the file shared without the names builds too.
with

source as (
    select * from {{ source('diwali_sales', 'sales') }}
),

numbered as (
    select
        row_number() over () as source_row_number,
        source.user_id,
        source.product_id,
        source.product_category,
        source.amount,
        source.orders,
        source.gender,
        source.age,
        source.marital_status,
        source.state,
        source.zone,
        source.occupation
    from source
),

typed as (
    select
        source_row_number,
        nullif(trim(user_id), '') as customer_id,
        {{ clean_text('product_id') }} as product_id,
        {{ clean_text('product_category') }} as product_category,
        {{ clean_text('amount') }} is not null as has_amount_text,
        {{ parse_money('amount') }} as amount,
        {{ clean_text('orders') }} is not null as has_orders_text,
        {{ parse_integer('orders') }} as stated_order_count,
        {{ normalize_gender('gender') }} as line_gender,
        {{ parse_integer('age') }} as line_age,
        {{ normalize_marital_status('marital_status') }} as line_marital_status,
        coalesce({{ clean_text("replace(state, chr(160), ' ')") }}, 'unknown') as line_state,
        coalesce({{ clean_text('zone') }}, 'unknown') as line_region,
        coalesce({{ clean_text('occupation') }}, 'unknown') as line_occupation
    from numbered
),

final as (
    select
        source_row_number,
        cast(null as varchar) as order_id,
        customer_id,
        'unknown' as channel,
        product_id,
        product_category,
        cast(null as varchar) as promo_code,
        cast(null as bigint) as quantity,
        amount,
        cast(null as decimal(18, 2)) as discount_amount,
        cast(null as date) as order_date,
        {{ first_reason([
            ('customer_id is null', 'missing_customer_id'),
            ('product_category is null', 'missing_product_category'),
            ('not has_amount_text', 'missing_amount'),
            ('amount is null', 'unparseable_amount'),
            ('amount < 0', 'negative_amount'),
            ('not has_orders_text', 'missing_order_count'),
            ('stated_order_count is null', 'unparseable_order_count'),
            ('stated_order_count <= 0', 'non_positive_order_count'),
        ]) }} as rejection_reason,
        stated_order_count,
        line_gender,
        line_age,
        line_marital_status,
        line_state,
        line_region,
        line_occupation
    from typed
)

select * from final
