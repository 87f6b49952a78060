-- One row per accepted purchase of a dataset that states, instead of an order date, the
-- season a purchase was made in and whether it was discounted or used a promo code (shopping
-- trends, source document 003; capability stated_purchases in macros/datasets.sql). Empty,
-- with the same columns, for every other dataset: dated order lines carry their season and
-- discounts in int_orders. A purchase is kept when its raw row was accepted as a customer
-- (the row's one purchase is its whole purchase record; int_customers_checked holds the
-- rejection and its reason).
with

stated_purchases as (
    select * from {{ staging_ref('stated_purchases') }}
),

accepted_customer_rows as (
    select source_row_number
    from {{ ref('int_customers_checked') }}
    where rejection_reason is null
),

final as (
    select
        stated_purchases.source_row_number,
        stated_purchases.customer_id,
        stated_purchases.product_name,
        stated_purchases.product_category,
        stated_purchases.amount,
        stated_purchases.season,
        stated_purchases.is_discounted,
        stated_purchases.used_promo_code,
        stated_purchases.payment_method,
        stated_purchases.shipping_type,
        stated_purchases.review_rating
    from stated_purchases
    inner join accepted_customer_rows
        on stated_purchases.source_row_number = accepted_customer_rows.source_row_number
)

select * from final
