-- One row per accepted customer: the canonical customer block. Resolves age at the as-of
-- date, assigns the age group from the age_bands seed and flags extreme incomes.
with

checked_customers as (
    select * from {{ ref('int_customers_checked') }}
    where rejection_reason is null
),

age_bands as (
    select * from {{ ref('age_bands') }}
),

as_of as (
    select {{ as_of_date() }} as as_of_date
),

aged as (
    select
        checked_customers.*,
        coalesce(
            year(as_of.as_of_date) - checked_customers.birth_year,
            checked_customers.age_reported
        ) as age,
        as_of.as_of_date
    from checked_customers
    cross join as_of
),

income_fences as (
    select
        quantile_cont(annual_income, 0.25) as income_q1,
        quantile_cont(annual_income, 0.75) as income_q3
    from aged
),

final as (
    select
        aged.customer_id,
        aged.gender,
        aged.marital_status,
        aged.education,
        aged.occupation,
        aged.region,
        aged.state,
        aged.country,
        coalesce(age_bands.age_group, 'unknown') as age_group,
        coalesce(age_bands.age_group_order, 99) as age_group_order,
        aged.quality_flags,
        aged.birth_year,
        aged.age,
        aged.annual_income,
        aged.kids_at_home,
        aged.teens_at_home,
        aged.kids_at_home + aged.teens_at_home as children_count,
        aged.loyalty_score,
        aged.is_loyalty_member,
        coalesce(
            aged.annual_income > income_fences.income_q3
            + 3 * (income_fences.income_q3 - income_fences.income_q1),
            false
        ) as is_income_outlier,
        aged.signup_date,
        aged.as_of_date
    from aged
    cross join income_fences
    left join age_bands
        on aged.age between age_bands.min_age and age_bands.max_age
)

select * from final
