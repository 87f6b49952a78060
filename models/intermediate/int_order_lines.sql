-- One row per accepted order line: the canonical transactional block every order-based
-- mart is built from. Only dated lines: a dataset whose lines have no dates (Diwali sales)
-- feeds customer activity and category spend from int_order_lines_checked instead, and the
-- dated marts stay empty for it. A view over the checked lines (BENCHMARKS.md). The line key is
-- built from the raw row number, not a window over each order, so that a query that does not
-- select it does not pay for it.
with

checked_lines as (
    select * from {{ ref('int_order_lines_checked') }}
),

final as (
    select
        order_id || '-' || cast(source_row_number as varchar) as order_line_id,
        order_id,
        customer_id,
        channel,
        product_id,
        product_category,
        promo_code,
        source_row_number,
        quantity,
        amount,
        discount_amount,
        discount_amount > 0 as is_discounted,
        order_date
    from checked_lines
    where rejection_reason is null
        and order_date is not null
)

select * from final
