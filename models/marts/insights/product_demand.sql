-- One row per product (product_id within its category): orders, units, spend and buyers,
-- ranked within the category and overall (source document 001, "the most popular ...
-- individual products"; its notebook ranks products by the Orders column).
-- Built from every accepted order line, dated or not (undated product lines such as the
-- Diwali sales data count too). Lines without a product_id are left out, so this mart is
-- empty for data without product ids. Keyed by category and product so that a product id
-- listed under two categories in a messy export is shown under both rather than merged.
with

order_lines as (
    select * from {{ ref('int_order_lines_checked') }}
    where rejection_reason is null
        and product_id is not null
),

per_product as (
    select
        product_category,
        product_id,
        count(*) as order_line_count,
        -- distinct order ids, or the orders undated lines state (macros/order_counts.sql)
        {{ lines_order_count() }} as order_count,
        count(distinct customer_id) as customer_count,
        {{ integer_sum('quantity') }} as quantity,
        {{ money_sum('amount') }} as spend
    from order_lines
    group by product_category, product_id
),

final as (
    select
        product_category,
        product_id,
        cast(row_number() over (
            partition by product_category order by spend desc, product_id
        ) as integer) as spend_rank_in_category,
        case when quantity is not null then cast(row_number() over (
                    partition by product_category order by quantity desc nulls last, product_id
                ) as integer)
        end as quantity_rank_in_category,
        cast(row_number() over (order by spend desc, product_category, product_id) as integer)
            as spend_rank,
        -- most ordered first (document 001's "most sold products"); NULL without orders
        case when order_count is not null then cast(row_number() over (
                    order by order_count desc nulls last, product_category, product_id
                ) as integer)
        end as order_rank,
        order_line_count,
        order_count,
        customer_count,
        quantity,
        spend,
        round(
            {{ share_of_total('spend', partition_by='product_category') }},
            6
        ) as share_of_category_spend,
        round({{ share_of_total('spend') }}, 6) as spend_share
    from per_product
)

select * from final
