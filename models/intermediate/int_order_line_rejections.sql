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

-- An accepted customer's row number is unique, so it stands for the customer id exactly (an
-- integer compares far faster than text).
accepted_customers as (
    select
        customer_id,
        source_row_number as customer_key
    from {{ ref('int_customers_checked') }}
    where rejection_reason is null
),

lines as not materialized (
    select
        stg_orders.*,
        stg_orders.rejection_reason is null as passed_staging,
        accepted_customers.customer_key is not null as has_known_customer,
        accepted_customers.customer_key,
        hash(stg_orders.order_id) as order_hash,
        hash(
            {%- for column in key_columns %}
            stg_orders.{{ column }}{{ ',' if not loop.last }}
            {%- endfor %}
        ) as line_hash
    from stg_orders
    left join accepted_customers
        on stg_orders.customer_id = accepted_customers.customer_id
),

-- Candidate orders, found with hashes (integers group much faster than text) in one pass
-- over the lines, grouped by line hash within each order and then by order: orders with a
-- valid line of an unknown customer, orders whose valid lines name more than one customer
-- (compared by customer key, so two customers can never look alike), and orders with two
-- lines whose compared columns hash alike. A hash collision only adds a candidate; the
-- decisions below compare the real values of every line of each candidate order.
line_groups as (
    select
        order_hash,
        line_hash,
        count(*) as line_count,
        bool_or(passed_staging and not has_known_customer) as has_unknown_customer,
        min(customer_key) filter (where passed_staging) as min_customer_key,
        max(customer_key) filter (where passed_staging) as max_customer_key
    from lines
    group by order_hash, line_hash
),

candidate_orders as materialized (
    select order_hash
    from line_groups
    group by order_hash
    having max(line_count) > 1
        or bool_or(has_unknown_customer)
        or min(min_customer_key) <> max(max_customer_key)
),

-- A semi join, so that when no order is a candidate (clean data) the lines are not read again.
candidate_lines as materialized (
    select lines.*
    from lines
    semi join candidate_orders
        on lines.order_hash = candidate_orders.order_hash
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
    select
        source_row_number,
        1 as precedence,
        'unknown_customer_id' as rejection_reason
    from candidate_lines
    where passed_staging and not has_known_customer

    union all

    select
        source_row_number,
        2 as precedence,
        'duplicate_order_line' as rejection_reason
    from repeats_marked
    where passed_staging and line_occurrence > 1

    union all

    select
        candidate_lines.source_row_number,
        3 as precedence,
        'conflicting_order_customer' as rejection_reason
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
