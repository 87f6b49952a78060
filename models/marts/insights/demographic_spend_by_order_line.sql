-- One row per demographic dimension and value as each order line states it: for data whose
-- purchase rows carry their buyer's attributes (Diwali: gender, age, marital status, state,
-- zone and occupation on every row, and most customer ids have rows that disagree), spend
-- counted by the row's own attributes, the way source document 001 counts it ("trends across
-- state, occupation, gender and age group"; its published totals by gender are row sums).
-- demographic_spend counts each customer once, by the attributes of their first row; this
-- mart does not decide which row is right. Accepted lines only; empty for data whose lines
-- carry no attributes (the input contract keeps them on the customer).
{%- set dimensions = [
    'gender', 'marital_status', 'occupation', 'state', 'region', 'age_group'
] %}
with

{% if dataset_has('line_demographics') -%}
order_lines as (
    select * from {{ ref('int_order_lines_checked') }}
    where rejection_reason is null
),

age_bands as (
    select * from {{ ref('age_bands') }}
),

-- The row's attributes under the customer's column names, the age as an age group.
lines_aged as (
    select
        order_lines.customer_id,
        order_lines.amount,
        order_lines.stated_order_count,
        order_lines.line_gender as gender,
        order_lines.line_marital_status as marital_status,
        order_lines.line_occupation as occupation,
        order_lines.line_state as state,
        order_lines.line_region as region,
        age_bands.age_group,
        age_bands.age_group_order
    from order_lines
    left join age_bands
        on order_lines.line_age between age_bands.min_age and age_bands.max_age
),
{%- else %}
-- No purchase row states its buyer's attributes: no rows, same columns.
lines_aged as (
    select
        cast(null as varchar) as customer_id,
        cast(null as decimal(18, 2)) as amount,
        cast(null as bigint) as stated_order_count,
        cast(null as varchar) as gender,
        cast(null as varchar) as marital_status,
        cast(null as varchar) as occupation,
        cast(null as varchar) as state,
        cast(null as varchar) as region,
        cast(null as varchar) as age_group,
        cast(null as integer) as age_group_order
    where false
),
{%- endif %}

-- Long form: one row per order line and dimension.
line_dimensions as (
    {{ dimensions_long_form(
        'lines_aged', dimensions, ['customer_id', 'stated_order_count', 'amount']
    ) }}
),

aggregated as (
    select
        dimension,
        dimension_value,
        min(value_order) as value_order,
        count(*) as order_line_count,
        count(distinct customer_id) as customer_count,
        {{ integer_sum('stated_order_count') }} as stated_order_count,
        {{ money_sum('amount') }} as total_spend,
        round(avg(amount), 2) as mean_line_amount
    from line_dimensions
    group by dimension, dimension_value
),

final as (
    select
        dimension,
        dimension_value,
        -- Sort order within the dimension: age groups youngest first, others by revenue.
        {{ dimension_value_order() }} as dimension_value_order,
        order_line_count,
        round(order_line_count / sum(order_line_count) over (partition by dimension), 6)
            as order_line_share,
        customer_count,
        stated_order_count,
        total_spend,
        round(
            {{ share_of_total('total_spend', partition_by='dimension') }},
            6
        ) as revenue_share,
        mean_line_amount
    from aggregated
)

select * from final
