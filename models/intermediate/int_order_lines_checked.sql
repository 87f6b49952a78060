-- One row per raw order line: the staging row plus the checks that need other rows
-- (the customer must exist and be accepted; an exact repeat of a line is rejected; a line
-- naming another customer than the first line of its order is rejected). Reads
-- the selected dataset's staging adapter: the contract's dated order lines, Diwali's
-- undated product lines (which also carry the columns they are compared on for exact
-- repeats: stated_order_count and the line_* demographics), or nothing for datasets that
-- state totals per customer instead of lines.
{%- set extra_key_columns = dataset_capabilities()['order_line_key_columns'] %}
with

stg_orders as (
    select * from {{ staging_ref('orders') }}
),

accepted_customers as (
    select customer_id
    from {{ ref('int_customers_checked') }}
    where rejection_reason is null
),

duplicates_marked as (
    select
        *,
        row_number() over (
            partition by
                order_id, customer_id, order_date, channel, product_id, product_category,
                quantity, amount, discount_amount, promo_code
                {%- for column in extra_key_columns %}, {{ column }}{% endfor %}
            order by source_row_number
        ) as line_occurrence
    from stg_orders
),

customers_joined as (
    select
        duplicates_marked.*,
        accepted_customers.customer_id is not null as has_known_customer
    from duplicates_marked
    left join accepted_customers
        on duplicates_marked.customer_id = accepted_customers.customer_id
),

-- An order belongs to one customer: the customer of its first otherwise valid line.
order_owners_marked as (
    select
        *,
        first_value(
            case when rejection_reason is null and has_known_customer then customer_id end
            ignore nulls
        ) over (
            partition by order_id
            order by source_row_number
            rows between unbounded preceding and unbounded following
        ) as order_customer_id
    from customers_joined
),

final as (
    select
        * exclude (rejection_reason, line_occurrence, has_known_customer, order_customer_id),
        coalesce(
            rejection_reason,
            case when not has_known_customer then 'unknown_customer_id' end,
            case when line_occurrence > 1 then 'duplicate_order_line' end,
            case
                when order_id is not null and customer_id <> order_customer_id
                    then 'conflicting_order_customer'
            end
        ) as rejection_reason
    from order_owners_marked
)

select * from final
