-- One row per customer and product category they bought: lines, units and spend.
with

order_lines as (
    select * from {{ ref('int_order_lines') }}
),

final as (
    select
        customer_id,
        product_category,
        count(*) as order_line_count,
        sum(quantity) as quantity,
        sum(amount) as spend
    from order_lines
    group by customer_id, product_category
)

select * from final
