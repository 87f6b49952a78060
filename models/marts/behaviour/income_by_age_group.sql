-- One row per age group: how income is distributed (source document 000, "income
-- distribution by age group") and what the group spends. Income outliers are counted but
-- left out of the income statistics; customers without a reported income are counted apart.
with

customers as (
    select * from {{ ref('customers') }}
),

final as (
    select
        age_group,
        min(age_group_order) as age_group_order,
        count(*) as customer_count,
        count(annual_income) filter (where not is_income_outlier) as income_customer_count,
        count(*) filter (where is_income_outlier) as income_outlier_count,
        round(avg(annual_income) filter (where not is_income_outlier), 2) as mean_income,
        round(quantile_cont(annual_income, 0.25) filter (where not is_income_outlier), 2)
            as income_p25,
        round(median(annual_income) filter (where not is_income_outlier), 2) as median_income,
        round(quantile_cont(annual_income, 0.75) filter (where not is_income_outlier), 2)
            as income_p75,
        round(avg(total_spend), 2) as mean_total_spend,
        round(median(total_spend), 2) as median_total_spend,
        round({{ exact_avg("loyalty_score") }}, 4) as mean_loyalty_score
    from customers
    group by age_group
)

select * from final
