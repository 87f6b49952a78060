-- One row per customer: the segmentation features side by side (the table the Python step
-- reads and the SQL assignment scores). Features: recency, frequency, monetary value, order
-- value, income, age, children, and the share of the customer's spend through each channel
-- and in each product category (0 when unused). The channels and categories are read from
-- the built intermediate tables when the model runs, so each becomes a column
-- share_channel_<channel> / share_category_<category>. A feature the data does not carry is
-- NULL for everyone; the Python step leaves out all-NULL and constant columns
-- (segmentation.feature_audit).
{%- set channels = [] %}
{%- set categories = [] %}
{%- if execute %}
    {#- Channels with a known spend only: data that counts purchases per channel without
        splitting spend by channel (iFood) has no spend shares. -#}
    {%- for row in run_query("select distinct channel from " ~ ref('int_customer_channel_spend')
        ~ " where spend is not null and channel is not null order by channel").rows %}
        {%- do channels.append(row[0]) %}
    {%- endfor %}
    {%- for row in run_query("select distinct product_category from " ~ ref('int_customer_category_spend')
        ~ " where product_category is not null order by product_category").rows %}
        {%- do categories.append(row[0]) %}
    {%- endfor %}
{%- endif %}
with

int_customers as (
    select * from {{ ref('int_customers') }}
),

activity as (
    select * from {{ ref('int_customer_activity') }}
),

channel_spend as (
    select * from {{ ref('int_customer_channel_spend') }}
),

category_spend as (
    select * from {{ ref('int_customer_category_spend') }}
),

channel_spend_wide as (
    select
        customer_id
        {%- for channel in channels %},
        sum(spend) filter (where channel = {{ sql_literal(channel) }})
            as {{ adapter.quote('share_channel_' ~ channel) }}
        {%- endfor %}
    from channel_spend
    group by customer_id
),

category_spend_wide as (
    select
        customer_id
        {%- for category in categories %},
        sum(spend) filter (where product_category = {{ sql_literal(category) }})
            as {{ adapter.quote('share_category_' ~ category) }}
        {%- endfor %}
    from category_spend
    group by customer_id
),

final as (
    select
        int_customers.customer_id,
        round(cast(activity.recency_days as double), 8) as recency_days,
        round(cast(activity.order_count as double), 8) as order_count,
        round(cast(activity.total_spend as double), 8) as total_spend,
        round(cast(activity.avg_order_value as double), 8) as avg_order_value,
        round(cast(case when not int_customers.is_income_outlier then int_customers.annual_income end as double), 8)
            as annual_income,
        round(cast(int_customers.age as double), 8) as age,
        round(cast(int_customers.children_count as double), 8) as children_count
        {%- for channel in channels %}
        {%- set column = adapter.quote('share_channel_' ~ channel) %},
        round(cast(coalesce({{ safe_divide('channel_spend_wide.' ~ column, 'activity.total_spend') }}, 0) as double), 8)
            as {{ column }}
        {%- endfor %}
        {%- for category in categories %}
        {%- set column = adapter.quote('share_category_' ~ category) %},
        round(cast(coalesce({{ safe_divide('category_spend_wide.' ~ column, 'activity.total_spend') }}, 0) as double), 8)
            as {{ column }}
        {%- endfor %}
    from int_customers
    inner join activity
        on int_customers.customer_id = activity.customer_id
    left join channel_spend_wide
        on int_customers.customer_id = channel_spend_wide.customer_id
    left join category_spend_wide
        on int_customers.customer_id = category_spend_wide.customer_id
)

select * from final
