-- One raw order line per row: the staging row with the checks that need other rows
-- (unknown customer, exact repeat, conflicting order customer) from
-- int_order_line_rejections. A view: staging reads the input in place, and the 20 M-line
-- table is never written; only the few rejections are (BENCHMARKS.md). Reads the selected
-- dataset's staging adapter: the contract's dated order lines, Diwali's undated product lines
-- (which also carry stated_order_count and the line_* demographics), or nothing for datasets
-- that state totals per customer instead of lines.
with

stg_orders as (
    select * from {{ staging_ref('orders') }}
),

rejections as (
    select * from {{ ref('int_order_line_rejections') }}
),

final as (
    select
        stg_orders.* exclude (rejection_reason),
        coalesce(stg_orders.rejection_reason, rejections.rejection_reason) as rejection_reason
    from stg_orders
    left join rejections
        on stg_orders.source_row_number = rejections.source_row_number
)

select * from final
