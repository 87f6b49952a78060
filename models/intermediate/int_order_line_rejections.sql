-- One row per raw order line that passes staging but fails a check that needs other rows:
--   unknown_customer_id         the customer is not an accepted customer;
--   duplicate_order_line        an exact repeat of an earlier line (every parsed column
--                               equal, including a dataset's extra line columns);
--   conflicting_order_customer  the line names another customer than its order's owner,
--                               the customer of the order's first valid line.
-- The first of these in that order wins. int_order_lines_checked (a view) joins this table to
-- staging, so the 20 M-line input is read in place and never copied into the warehouse.
-- How it stays cheap at scale: hashes pick the few candidate orders and lines, and the full
-- comparison runs on those only (measured in BENCHMARKS.md).
{%- set extra_key_columns = dataset_capabilities()['order_line_key_columns'] %}
{%- set key_columns = [
    'order_id', 'customer_id', 'order_date', 'channel', 'product_id', 'product_category',
    'quantity', 'amount', 'discount_amount', 'promo_code'] + extra_key_columns %}
with

stg_orders as not materialized (
    select * from {{ staging_ref('orders') }}
),

accepted_customers as (
    select customer_id
    from {{ ref('int_customers_checked') }}
    where rejection_reason is null
),

lines as not materialized (
    select
        stg_orders.*,
        stg_orders.rejection_reason is null as passed_staging,
        accepted_customers.customer_id is not null as has_known_customer,
        hash(stg_orders.order_id) as order_hash,
        hash({% for column in key_columns %}stg_orders.{{ column }}{{ ', ' if not loop.last }}{% endfor %})
            as line_hash
    from stg_orders
    left join accepted_customers
        on stg_orders.customer_id = accepted_customers.customer_id
),

-- Candidates, found with hashes (integers group much faster than text) in one pass over the
-- lines: orders with a valid line of an unknown customer or valid lines naming more than one
-- customer (compared as text, so two customers can never look alike), and lines whose
-- compared columns hash like another line's. A hash collision only adds a candidate; the
-- decisions below compare the real values.
hash_groups as materialized (
    select
        order_hash,
        line_hash,
        grouping(order_hash) = 0 as is_order_group
    from lines
    group by grouping sets ((order_hash), (line_hash))
    having (
        grouping(order_hash) = 0
        and (
            count(*) filter (where passed_staging and not has_known_customer) > 0
            or min(customer_id) filter (where passed_staging and has_known_customer)
                <> max(customer_id) filter (where passed_staging and has_known_customer)
        )
    )
    or (grouping(line_hash) = 0 and count(*) > 1)
),

candidate_lines as materialized (
    select *
    from lines
    where order_hash in (select order_hash from hash_groups where is_order_group)
        or line_hash in (select line_hash from hash_groups where not is_order_group)
),

-- Exact repeats: every compared column equal (NULLs equal), the first in file order kept.
repeats_marked as (
    select
        source_row_number,
        passed_staging,
        row_number() over (
            partition by {{ key_columns | join(', ') }}
            order by source_row_number
        ) as line_occurrence
    from candidate_lines
),

-- An order's owner: the customer of its first valid line with a known customer.
order_owners as (
    select
        order_id,
        arg_min(customer_id, source_row_number) filter (where passed_staging and has_known_customer)
            as order_customer_id
    from candidate_lines
    where order_id is not null
    group by order_id
),

failed as (
    select source_row_number, 1 as precedence, 'unknown_customer_id' as rejection_reason
    from candidate_lines
    where passed_staging and not has_known_customer

    union all

    select source_row_number, 2 as precedence, 'duplicate_order_line' as rejection_reason
    from repeats_marked
    where passed_staging and line_occurrence > 1

    union all

    select candidate_lines.source_row_number, 3 as precedence, 'conflicting_order_customer' as rejection_reason
    from candidate_lines
    inner join order_owners
        on candidate_lines.order_id = order_owners.order_id
    where candidate_lines.passed_staging
        and candidate_lines.customer_id <> order_owners.order_customer_id
),

-- One reason per line: the first in the order above.
final as (
    select
        source_row_number,
        arg_min(rejection_reason, precedence) as rejection_reason
    from failed
    group by source_row_number
)

select * from final
