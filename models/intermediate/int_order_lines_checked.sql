-- One row per raw order line: the staging row plus the checks that need other rows
-- (the customer must exist and be accepted; an exact repeat of a line is rejected).
with

stg_orders as (
    select * from {{ ref('stg_contract__orders') }}
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

final as (
    select
        * exclude (rejection_reason, line_occurrence, has_known_customer),
        coalesce(
            rejection_reason,
            case when not has_known_customer then 'unknown_customer_id' end,
            case when line_occurrence > 1 then 'duplicate_order_line' end
        ) as rejection_reason
    from customers_joined
)

select * from final
