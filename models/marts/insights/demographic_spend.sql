-- One row per demographic dimension and value (gender, marital status, education,
-- occupation, state, region, age group): who spends what (source documents 001, "trends
-- across state, occupation, gender and age group", and 003, research question 1, "which
-- demographic factors influence purchasing behaviour the most"). Shares are within the
-- dimension, so each dimension's revenue_share sums to 1. Blank values count as 'unknown'.
{%- set dimensions = [
    'gender', 'marital_status', 'education', 'occupation', 'state', 'region', 'age_group'
] %}
with

customers as (
    select * from {{ ref('customers') }}
),

-- Long form: one row per customer and dimension.
customer_dimensions as (
    {{ dimensions_long_form(
        'customers', dimensions, ['customer_id', 'order_count', 'total_spend']
    ) }}
),

aggregated as (
    select
        dimension,
        dimension_value,
        min(value_order) as value_order,
        count(*) as customer_count,
        {{ money_sum('total_spend') }} as total_spend,
        round(avg(total_spend), 2) as mean_total_spend,
        round(median(total_spend), 2) as median_total_spend,
        round(avg(order_count), 4) as mean_order_count,
        round({{ safe_divide('sum(total_spend)', 'sum(order_count)') }}, 2) as mean_order_value
    from customer_dimensions
    group by dimension, dimension_value
),

final as (
    select
        dimension,
        dimension_value,
        -- Sort order within the dimension: age groups youngest first, others by revenue.
        {{ dimension_value_order() }} as dimension_value_order,
        customer_count,
        round(customer_count / sum(customer_count) over (partition by dimension), 6)
            as customer_share,
        total_spend,
        round(
            {{ share_of_total('total_spend', partition_by='dimension') }},
            6
        ) as revenue_share,
        mean_total_spend,
        median_total_spend,
        mean_order_count,
        mean_order_value,
        -- Mean spend of the group over the mean spend of all customers (1 = average).
        round(
            {{ safe_divide(
                'cast(total_spend as double) / customer_count',
                'cast(sum(total_spend) over (partition by dimension) as double)
                    / sum(customer_count) over (partition by dimension)'
            ) }},
            4
        ) as spend_index
    from aggregated
)

select * from final
