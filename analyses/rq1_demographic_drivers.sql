-- Research question 1 of source document 003: "What demographic factors influence customer
-- purchasing behaviour the most?"
-- For each customer attribute, the share of the variance in total spend that the
-- attribute's groups explain (eta squared = between-group sum of squares / total sum of
-- squares), with the spread between the lowest- and highest-spending group. Income and
-- children are included (source document 004 names them as drivers); income in quintiles.
-- Read it as association, not cause: the attributes are correlated with one another.
with

customers as (
    select * from {{ ref('customers') }}
),

attributes as (
    select
        customer_id,
        cast(total_spend as double) as total_spend,
        gender,
        marital_status,
        education,
        occupation,
        region,
        state,
        age_group,
        coalesce(cast(children_count as varchar), 'unknown') as children_count,
        case
            when annual_income is null or is_income_outlier then 'unknown'
            else 'income quintile ' || cast(ntile(5) over (
                    partition by annual_income is null or is_income_outlier
                    order by annual_income, customer_id
                ) as varchar)
        end as income_quintile
    from customers
),

long_form as (
    unpivot attributes
    on gender, marital_status, education, occupation, region, state, age_group,
    children_count, income_quintile
    into name dimension value dimension_value
),

groups as (
    select
        dimension,
        dimension_value,
        count(*) as customer_count,
        avg(total_spend) as mean_spend
    from long_form
    group by dimension, dimension_value
),

overall as (
    select
        avg(total_spend) as mean_spend,
        sum(power(total_spend - avg_spend, 2)) as total_ss
    from (
        select
            total_spend,
            avg(total_spend) over () as avg_spend
        from attributes
    )
),

final as (
    select
        groups.dimension,
        count(*) as group_count,
        round(
            sum(groups.customer_count * power(groups.mean_spend - overall.mean_spend, 2))
            / nullif(min(overall.total_ss), 0),
            4
        ) as eta_squared,
        round(min(groups.mean_spend), 2) as lowest_group_mean_spend,
        arg_min(groups.dimension_value, groups.mean_spend) as lowest_group,
        round(max(groups.mean_spend), 2) as highest_group_mean_spend,
        arg_max(groups.dimension_value, groups.mean_spend) as highest_group
    from groups
    cross join overall
    group by groups.dimension
)

select * from final
order by eta_squared desc
