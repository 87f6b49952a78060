{{ config(store_failures=true, store_failures_as='view', schema='data_quality_warnings') }}
-- int_orders is incremental: a run rolls up only the orders with a line dated within the
-- lookback window of its latest order (var orders_lookback_days), with all their lines, and
-- keeps older orders as they are. That is right when new orders are appended, and silently
-- wrong when older lines change: an input
-- file replaced by another one, regenerated demo seeds, a correction to an old order, a
-- DATA_DIR pointed at other data with the same warehouse. This test compares the totals of
-- int_orders with those of the accepted dated lines it is built from and fails when they
-- differ (lines and amount; both cheap next to the roll-up). The fix is a full refresh:
--     dbt build --full-refresh --select int_orders+
-- (or delete the warehouse file). One row per total that disagrees; the rows are kept as the
-- view data_quality_warnings.int_orders_agree_with_their_lines_else_full_refresh, and dbt
-- prints the query that reads them.
with

lines as (
    select
        count(*) as line_count,
        coalesce(sum(amount), 0) as amount
    from {{ ref('int_order_lines') }}
),

orders as (
    select
        coalesce(sum(line_count), 0) as line_count,
        coalesce(sum(amount), 0) as amount
    from {{ ref('int_orders') }}
),

compared as (
    select
        'order lines' as total,
        lines.line_count as in_lines,
        orders.line_count as in_int_orders
    from lines, orders
    union all
    select
        'amount',
        lines.amount,
        orders.amount
    from lines, orders
)

select
    total,
    in_lines,
    in_int_orders,
    -- a message for the console: one literal, longer than a line
    'int_orders is out of date with its order lines: run  dbt build --full-refresh --select int_orders+'  -- noqa: LT05
        as fix
from compared
where in_lines is distinct from in_int_orders
