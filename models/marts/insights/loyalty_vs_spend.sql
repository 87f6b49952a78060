-- One row per age group, plus one row for all customers (age_group = 'all'): how loyalty
-- score goes with total spend (source document 000, "correlation between purchase amount
-- and loyalty score", segmented by age group). Pearson on the values; Spearman as the
-- Pearson correlation of average ranks (ties share the mean of their ranks, as
-- scipy.stats.spearmanr does). Customers without a loyalty score are counted but left out
-- of the correlations.
with

customers as (
    select * from {{ ref('customers') }}
),

-- Every customer appears twice: once in the 'all' scope, once in their age group.
scoped as (
    select
        'all' as scope,
        'all' as age_group,
        0 as age_group_order,
        customer_id,
        loyalty_score,
        total_spend
    from customers
    union all
    select
        'age_group' as scope,
        age_group,
        age_group_order,
        customer_id,
        loyalty_score,
        total_spend
    from customers
),

scored as (
    select * from scoped
    where loyalty_score is not null
),

-- Average rank: rank() gives ties the lowest rank; adding half the tie size minus one
-- gives them the mean of the ranks they span.
ranked as (
    select
        age_group,
        loyalty_score,
        total_spend,
        rank() over (partition by age_group order by loyalty_score)
        + (count(*) over (partition by age_group, loyalty_score) - 1) / 2.0
            as loyalty_rank,
        rank() over (partition by age_group order by total_spend)
        + (count(*) over (partition by age_group, total_spend) - 1) / 2.0
            as spend_rank
    from scored
),

correlations as (
    select
        age_group,
        count(*) as scored_customer_count,
        corr(loyalty_score, total_spend) as pearson_correlation,
        corr(loyalty_rank, spend_rank) as spearman_correlation
    from ranked
    group by age_group
),

group_totals as (
    select
        scope,
        age_group,
        min(age_group_order) as age_group_order,
        count(*) as customer_count,
        round(avg(total_spend), 2) as mean_total_spend,
        round(median(total_spend), 2) as median_total_spend,
        round({{ exact_avg("loyalty_score") }}, 4) as mean_loyalty_score
    from scoped
    group by scope, age_group
),

final as (
    select
        group_totals.age_group,
        group_totals.scope,
        group_totals.age_group_order,
        group_totals.customer_count,
        coalesce(correlations.scored_customer_count, 0) as scored_customer_count,
        -- corr() is NaN when either variable is constant: undefined, so NULL.
        round(
            case when not isnan(correlations.pearson_correlation)
                    then correlations.pearson_correlation
            end,
            6
        ) as pearson_correlation,
        round(
            case when not isnan(correlations.spearman_correlation)
                    then correlations.spearman_correlation
            end,
            6
        ) as spearman_correlation,
        group_totals.mean_total_spend,
        group_totals.median_total_spend,
        group_totals.mean_loyalty_score
    from group_totals
    left join correlations
        on group_totals.age_group = correlations.age_group
)

select * from final
