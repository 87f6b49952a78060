-- One row per accepted customer: purchase activity (zeros for customers who never bought).
-- Where it comes from depends on the dataset's purchase grain (macros/datasets.sql):
--   order_lines          the customer's accepted, dated orders (the input contract);
--   undated_order_lines  the customer's accepted product lines, which state an order count
--                        and an amount but no date (Diwali sales): no dates, recency or
--                        frequency;
--   customer_summary     the totals the dataset states per customer (iFood spend per category
--                        and purchases per channel, shopping trends' one purchase, customer
--                        purchasing behaviours' yearly amount and frequency).
-- A measure the data does not carry stays NULL; it is never filled in. Recency, tenure and
-- frequency are measured at the as-of date.
{%- set purchase_grain = dataset_capabilities()['purchase_grain'] %}
with

customers as (
    select * from {{ ref('int_customers') }}
),

{% if purchase_grain == 'order_lines' -%}

orders as (
    select * from {{ ref('int_orders') }}
),

purchases_per_customer as (
    select
        customer_id,
        count(*) as order_count,
        {{ integer_sum('line_count') }} as order_line_count,
        {{ integer_sum('quantity') }} as total_quantity,
        {{ money_sum('amount') }} as total_spend,
        {{ money_sum('discount_amount') }} as total_discount,
        count(*) filter (where is_discounted) as discounted_order_count,
        count(distinct order_date) as purchase_day_count,
        cast(null as double) as stated_purchase_frequency_per_year,
        cast(null as bigint) as stated_recency_days,
        cast(null as boolean) as stated_is_repeat_customer,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date
    from orders
    group by customer_id
),

{%- elif purchase_grain == 'undated_order_lines' -%}

order_lines as (
    select * from {{ ref('int_order_lines_checked') }}
    where rejection_reason is null
),

purchases_per_customer as (
    select
        customer_id,
        {{ integer_sum('stated_order_count') }} as order_count,
        count(*) as order_line_count,
        {{ integer_sum('quantity') }} as total_quantity,
        {{ money_sum('amount') }} as total_spend,
        cast(null as decimal(18, 2)) as total_discount,
        cast(null as bigint) as discounted_order_count,
        cast(null as bigint) as purchase_day_count,
        cast(null as double) as stated_purchase_frequency_per_year,
        cast(null as bigint) as stated_recency_days,
        cast(null as boolean) as stated_is_repeat_customer,
        cast(null as date) as first_order_date,
        cast(null as date) as last_order_date
    from order_lines
    group by customer_id
),

{%- elif purchase_grain == 'customer_summary' -%}

stated_activity as (
    select * from {{ staging_ref('customer_activity') }}
),

accepted_customer_rows as (
    select source_row_number
    from {{ ref('int_customers_checked') }}
    where rejection_reason is null
),

-- The accepted customer row's own totals (same raw row, same source_row_number).
purchases_per_customer as (
    select
        stated_activity.customer_id,
        stated_activity.order_count,
        stated_activity.order_line_count,
        stated_activity.total_quantity,
        stated_activity.total_spend,
        stated_activity.total_discount,
        stated_activity.discounted_order_count,
        stated_activity.purchase_day_count,
        stated_activity.purchase_frequency_per_year as stated_purchase_frequency_per_year,
        stated_activity.recency_days as stated_recency_days,
        stated_activity.is_repeat_customer as stated_is_repeat_customer,
        cast(null as date) as first_order_date,
        cast(null as date) as last_order_date
    from stated_activity
    inner join accepted_customer_rows
        on stated_activity.source_row_number = accepted_customer_rows.source_row_number
),

{%- else -%}
{{ exceptions.raise_compiler_error("int_customer_activity: unknown purchase_grain " ~ purchase_grain) }}
{%- endif %}

customers_joined as (
    select
        customers.customer_id,
        customers.signup_date,
        customers.as_of_date,
        purchases_per_customer.customer_id is not null as has_purchases,
        -- RF02 takes the excluded column for an unqualified reference: it cannot be qualified.
        purchases_per_customer.* exclude (customer_id)  -- noqa: RF02
    from customers
    left join purchases_per_customer
        on customers.customer_id = purchases_per_customer.customer_id
),

{% if purchase_grain == 'order_lines' -%}
-- The days purchase frequency is measured over: from sign-up (or the first order, if
-- earlier), but not before the first order in the data, to the as-of date; 0 for a sign-up
-- after the as-of date (as tenure_days), NULL without any date (DuckDB's greatest() skips
-- NULLs, so without the case such a customer would be observed from the data's first order).
window_starts as (
    select
        *,
        case
            when least(signup_date, first_order_date) is not null
                then {{ dbt.datediff(
                    'greatest(least(signup_date, first_order_date),
                        (select min(first_order_date) from purchases_per_customer))',
                    'as_of_date',
                    'day'
                ) }}
        end as days_from_window_start
    from customers_joined
),

windows_measured as (
    select
        * exclude (days_from_window_start),
        case
            when days_from_window_start < 0 then 0 else days_from_window_start
        end as purchase_frequency_window_days
    from window_starts
),

{% else -%}
windows_measured as (
    select * from customers_joined
),

{% endif -%}
final as (
    select
        customer_id,
        -- A customer without any purchase record has zero activity; a measure the record
        -- does not state stays NULL.
        case when has_purchases then order_count else 0 end as order_count,
        case when has_purchases then order_line_count else 0 end as order_line_count,
        case when has_purchases then total_quantity else 0 end as total_quantity,
        case when has_purchases then total_spend else 0 end as total_spend,
        case when has_purchases then total_discount else 0 end as total_discount,
        case when has_purchases then discounted_order_count else 0 end as discounted_order_count,
        case when has_purchases then purchase_day_count else 0 end as purchase_day_count,
        round({{ safe_divide('total_spend', 'order_count') }}, 4) as avg_order_value,
        round({{ safe_divide('discounted_order_count', 'order_count') }}, 6)
            as discounted_order_share,
        coalesce(
            stated_recency_days,
            {{ dbt.datediff('last_order_date', 'as_of_date', 'day') }}
        ) as recency_days,
        -- A customer file fresher than the orders can hold sign-ups after the as-of date
        -- (the latest order): not yet a customer then, so a tenure of 0, not negative.
        -- (DuckDB's greatest() skips NULLs, so a customer with no dates would get 0 from it.)
        case
            when {{ dbt.datediff('least(signup_date, first_order_date)', 'as_of_date', 'day') }} < 0
                then 0
            else {{ dbt.datediff('least(signup_date, first_order_date)', 'as_of_date', 'day') }}
        end as tenure_days,
        {% if purchase_grain == 'order_lines' -%}
        -- Orders per year observed: the orders can only show the part of a relationship that
        -- the order data covers, so a customer who signed up before the first order in the
        -- data is counted from that first order date, not from sign-up (counting from sign-up
        -- made frequency mostly the inverse of tenure). Windows shorter than 30 days count as
        -- 30 so that a first-week customer is not extrapolated to hundreds of orders a year.
        round(
            coalesce(order_count, 0) * 365.25 / greatest(purchase_frequency_window_days, 30),
            6
        ) as purchase_frequency_per_year,
        purchase_frequency_window_days,
        {%- else -%}
        -- Without order dates, purchases per year only when the data states them.
        round(stated_purchase_frequency_per_year, 6) as purchase_frequency_per_year,
        cast(null as bigint) as purchase_frequency_window_days,
        {%- endif %}
        coalesce(
            stated_is_repeat_customer,
            case when has_purchases then order_count > 1 else false end
        ) as is_repeat_customer,
        first_order_date,
        last_order_date
    from windows_measured
)

select * from final
