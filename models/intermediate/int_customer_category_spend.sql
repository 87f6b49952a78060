-- One row per customer and product category they bought: lines, units and spend. From the
-- dataset's purchases (macros/datasets.sql, purchase_grain): accepted dated order lines
-- (the input contract), accepted undated product lines (Diwali sales), or the spend per
-- category the dataset states per customer (iFood, shopping trends). Empty for data without
-- categories. A count or quantity the data does not state is NULL. Sums keep the
-- lines' types (macros/sums.sql).
{%- set purchase_grain = dataset_capabilities()['purchase_grain'] %}
with

{% if purchase_grain == 'order_lines' -%}

order_lines as (
    select * from {{ ref('int_order_lines_categorised') }}
),

final as (
    select
        customer_id,
        product_category,
        count(*) as order_line_count,
        {{ integer_sum('quantity') }} as quantity,
        {{ money_sum('amount') }} as spend
    from order_lines
    group by customer_id, product_category
)

{%- elif purchase_grain == 'undated_order_lines' -%}

order_lines as (
    select * from {{ ref('int_order_lines_checked') }}
    where rejection_reason is null
),

final as (
    select
        customer_id,
        product_category,
        count(*) as order_line_count,
        {{ integer_sum('quantity') }} as quantity,
        {{ money_sum('amount') }} as spend
    from order_lines
    group by customer_id, product_category
)

{%- else -%}

stated_category_spend as (
    select * from {{ staging_ref('category_spend') }}
),

accepted_customer_rows as (
    select source_row_number
    from {{ ref('int_customers_checked') }}
    where rejection_reason is null
),

-- The accepted customer row's own amounts (same raw row, same source_row_number).
final as (
    select
        stated_category_spend.customer_id,
        stated_category_spend.product_category,
        stated_category_spend.order_line_count,
        stated_category_spend.quantity,
        stated_category_spend.spend
    from stated_category_spend
    inner join accepted_customer_rows
        on stated_category_spend.source_row_number = accepted_customer_rows.source_row_number
)

{%- endif %}

select * from final
