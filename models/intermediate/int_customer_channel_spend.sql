-- One row per customer and sales channel they used: orders and spend through that channel.
-- From accepted dated orders (the input contract), or from the purchases per channel the
-- dataset states per customer (iFood: web, catalog, store), where spend per channel is not
-- given and stays NULL. Empty for data without channels.
{%- set purchase_grain = dataset_capabilities()['purchase_grain'] %}
with

{% if purchase_grain == 'order_lines' -%}

orders as (
    select * from {{ ref('int_orders') }}
    {%- if not dataset_has('channels') %}
    -- the dataset's lines have no channel (all 'unknown', e.g. CDNOW): no channel split
    where false
    {%- endif %}
),

final as (
    select
        customer_id,
        channel,
        count(*) as order_count,
        {{ money_sum('amount') }} as spend
    from orders
    group by customer_id, channel
)

{%- else -%}

stated_channel_purchases as (
    select * from {{ staging_ref('channel_purchases') }}
),

accepted_customer_rows as (
    select source_row_number
    from {{ ref('int_customers_checked') }}
    where rejection_reason is null
),

-- The accepted customer row's own counts (same raw row, same source_row_number).
final as (
    select
        stated_channel_purchases.customer_id,
        stated_channel_purchases.channel,
        stated_channel_purchases.order_count,
        stated_channel_purchases.spend
    from stated_channel_purchases
    inner join accepted_customer_rows
        on stated_channel_purchases.source_row_number = accepted_customer_rows.source_row_number
)

{%- endif %}

select * from final
