-- One row per product category: how much of it is bought and by how many customers
-- (source documents 001, "most popular product categories", 003, "high-demand product
-- categories", and 004, "wines and meat drive the most spending"). Built from the
-- customer × category block, so it also answers for data that states spend per category
-- instead of order lines; orders and discounts come from the accepted lines (orders: the
-- distinct order ids, or the orders undated lines state, Diwali's Orders column) and are
-- NULL for such data.
with

category_spend as (
    select * from {{ ref('int_customer_category_spend') }}
),

order_lines as (
    select * from {{ ref('int_order_lines_checked') }}
    where rejection_reason is null
),

customers as (
    select * from {{ ref('customers') }}
),

customer_total as (
    select count(*) as customer_count from customers
),

per_category as (
    select
        product_category,
        count(*) filter (where {{ bought_category() }}) as customer_count,
        {{ integer_sum('order_line_count') }} as order_line_count,
        {{ integer_sum('quantity') }} as quantity,
        {{ money_sum('spend') }} as spend
    from category_spend
    group by product_category
),

lines_per_category as (
    select
        product_category,
        -- distinct order ids, or the orders undated lines state (macros/order_counts.sql)
        {{ lines_order_count() }} as order_count,
        {{ money_sum('discount_amount') }} as discount_amount
    from order_lines
    group by product_category
),

final as (
    select
        per_category.product_category,
        cast(row_number() over (
            order by per_category.spend desc, per_category.product_category
        ) as integer) as spend_rank,
        case when per_category.quantity is not null then cast(row_number() over (
                    order by per_category.quantity desc nulls last, per_category.product_category
                ) as integer)
        end as quantity_rank,
        per_category.order_line_count,
        lines_per_category.order_count,
        per_category.customer_count,
        per_category.quantity,
        per_category.spend,
        lines_per_category.discount_amount,
        round(
            {{ share_of_total('per_category.spend') }},
            6
        ) as spend_share,
        round({{ safe_divide('per_category.quantity', 'sum(per_category.quantity) over ()') }}, 6)
            as quantity_share,
        round(
            {{ safe_divide('per_category.customer_count', 'customer_total.customer_count') }}, 6
        )
            as penetration,
        round({{ safe_divide('per_category.spend', 'per_category.customer_count') }}, 2)
            as spend_per_buying_customer,
        round({{ safe_divide('per_category.spend', 'per_category.quantity') }}, 2)
            as mean_unit_price
    from per_category
    cross join customer_total
    left join lines_per_category
        on per_category.product_category = lines_per_category.product_category
)

select * from final
